"""Local offers for a result: per advice card and advised vraaggebied the nearest offers of the
sociale kaart (``directory.selectors.nearest_offers``), the steunpunt and national options, and the
result page's next steps."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from mantelzorg.core.cache import memoize

from . import balance
from .evaluation import Outcome, label

RADIUS_KM = 15  # nearest offers first within this distance ...
WIDER_RADIUS_KM = 25  # ... and within this one when there is nothing nearer
NEXT_STEPS = 3  # the result page leads with at most this many next steps
PER_DOMAIN = 3  # nearest offers shown per advised vraaggebied
NATIONAL_PER_DOMAIN = 2


@dataclass(frozen=True)
class Offers:
    """Concrete help for one result: per advice card and per advised vraaggebied the nearest
    offers of the sociale kaart, the gemeente's steunpunt(en), and national options for every
    advised vraaggebied without a local offer within the radius (or for all without a place)."""

    place: Any = None
    centres: list = field(default_factory=list)  # directory Organization (kind support_centre)
    by_card: dict = field(default_factory=dict)  # card code -> directory NearestOffers
    by_domain: dict = field(default_factory=dict)  # vraaggebied -> directory NearestOffers
    missing_domains: list[str] = field(default_factory=list)  # advised, nothing within the radius
    national: dict = field(default_factory=dict)  # missing vraaggebied -> [ServiceCard]
    # The ``offers`` member of the API's check result, made once with the offers (``postcode``
    # None: the caller adds its own). Shared: never change it.
    as_json: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def local(self) -> list:
        """Every local offer shown, once, nearest first (services that serve the gemeente first)."""
        seen: dict = {}
        for nearest in self.by_domain.values():
            for hit in nearest.hits:
                seen.setdefault(hit.service.id, hit)
        return sorted(seen.values(), key=lambda h: -1 if h.distance_km is None else h.distance_km)

    @property
    def radius_km(self) -> int | None:
        """The widest distance searched (None without a place)."""
        return max((n.radius_km for n in self.by_domain.values()), default=None) if self.place else None

    @property
    def national_list(self) -> list:
        """The national options, once each, in the order of the missing vraaggebieden."""
        seen: dict = {}
        for cards in self.national.values():
            for card in cards:
                seen.setdefault(card.id, card)
        return list(seen.values())


def _wanted(cards) -> tuple[dict, list[str]]:
    """What ``directory.nearest_offers`` looks for: per card its offer filter, per vraaggebied of
    the (non-urgent) advice the vraaggebied itself. Keys: ("card", code) and ("domain", code)."""
    from mantelzorg.directory.selectors import OfferWanted

    wanted: dict = {}
    domains: list[str] = []
    for card in cards:
        if card.urgent:
            continue
        if card.support_domain not in domains:
            domains.append(card.support_domain)
        if card.step and not card.offer.support_centre:
            offer = card.offer
            wanted[("card", card.code)] = OfferWanted(
                offer.support_domains, offer.target_groups, offer.respite_forms, offer.ladder_steps
            )
    for domain in domains:
        wanted[("domain", domain)] = OfferWanted(support_domains=(domain,))
    return wanted, domains


def offers_for(place, cards) -> Offers:
    """``find_offers``, kept a minute per postcode area and set of advice cards in this process
    (keyed by the directory's content version: an edit shows at once). The one offers cache of
    the page and the API; the cached value is never changed: the caller gets a copy with its own
    place (postcode), never another visitor's."""
    key = (place.pc4 if place else "", tuple(sorted(c.code for c in cards)))
    offers = memoize(key, lambda: find_offers(place, cards), content="directory", in_process=True)
    return offers if offers.place is place else replace(offers, place=place)


def find_offers(place, cards) -> Offers:
    """``Offers`` for the advice ``cards`` near ``place`` (None: national options only)."""
    from mantelzorg.directory import selectors as directory

    wanted, domains = _wanted(cards)
    centres: list = []
    by_card: dict = {}
    by_domain: dict = {}
    if place is not None:
        centres = directory.support_centres_for(place.municipality)
        found = (
            directory.nearest_offers(
                place=place, wanted=wanted, per_key=PER_DOMAIN, radius_km=RADIUS_KM, wider_km=WIDER_RADIUS_KM
            )
            if wanted
            else {}
        )
        by_card = {code: found[(kind, code)] for kind, code in found if kind == "card"}
        by_domain = {code: found[(kind, code)] for kind, code in found if kind == "domain"}
    missing = [d for d in domains if not (d in by_domain and by_domain[d].hits)]
    national = {
        domain: directory.national_services(support_domains=[domain], limit=NATIONAL_PER_DOMAIN)
        for domain in missing
    }
    offers = Offers(
        place=place,
        centres=centres,
        by_card=by_card,
        by_domain=by_domain,
        missing_domains=missing,
        national=national,
    )
    return replace(offers, as_json=offers_json(offers, cards))


def _offer_json(service, distance, domains, address=None, phone=None) -> dict:
    return {
        "id": str(service.id),
        "name": service.name,
        "organization": service.organization.name,
        "distance_km": distance,
        "support_domains": domains,
        "address": address or None,
        "phone": phone or None,
    }


def _id(obj) -> str | None:
    return str(obj.id) if obj is not None else None


def offers_json(offers: Offers, cards) -> dict:
    """The ``offers`` member of a check result of the API (JSON-ready, ``postcode`` None), with
    the result page's next steps for these advice ``cards``."""
    steps = steps_for(cards, offers)
    local = {str(h.service.id): h for h in offers.local}
    for step in steps:  # a step's offer is listed in "local" even when it is not the vraaggebied's nearest
        if step.offer is not None:
            local.setdefault(str(step.offer.service.id), step.offer)
    return {
        "postcode": None,
        "municipality": offers.place.municipality.code if offers.place else None,
        "radius_km": offers.radius_km,
        "support_centres": [{"id": str(c.id), "name": c.name} for c in offers.centres],
        "local": [
            _offer_json(h.service, h.distance_km, h.domains, h.address, h.phone) for h in local.values()
        ],
        "missing_support_domains": offers.missing_domains,
        "national": [_offer_json(s, None, []) for s in offers.national_list],
        "next_steps": [
            {
                "advice": step.card.code,
                "offer": _id(step.offer.service) if step.offer else None,
                "support_centre": _id(step.centre),
                "national": _id(step.national),
            }
            for step in steps
        ],
    }


@dataclass
class Step:
    """A next step on the result page: an advice card tied to one concrete offer."""

    card: balance.AdviceCard
    offer: Any = None  # directory Hit: the nearest local offer for this card
    centre: Any = None  # directory Organization: the steunpunt, when there is no offer (or asked)
    national: Any = None  # directory ServiceCard: when there is nothing local
    more: str = ""  # "menukaart" (respite: the gemeente's menukaart) or "search" (filtered search)


def next_steps(outcome: Outcome, offers: Offers | None, limit: int = NEXT_STEPS) -> list[Step]:
    """At most ``limit`` next steps: the shown advice cards that can be a step (``step``), lowest
    ``priority`` first and one per vraaggebied, each tied to the nearest local offer for it not
    already used by an earlier step, else to the steunpunt, else to a national option; a card
    with none of these is skipped.
    """
    if offers is None:
        return []
    return steps_for(outcome.advice, offers, limit)


def steps_for(cards, offers: Offers, limit: int = NEXT_STEPS) -> list[Step]:
    """``next_steps`` for these advice cards."""
    steps: list[Step] = []
    used: set = set()  # offers (service ids) and the steunpunt already tied to a step
    domains: set[str] = set()  # one step per vraaggebied: three different kinds of help
    centre = offers.centres[0] if offers.centres else None
    for card in sorted((c for c in cards if c.step), key=lambda c: c.priority):
        if len(steps) >= limit:
            break
        if card.support_domain in domains:
            continue
        step = _step(card, offers, centre, used)
        if step is not None:
            steps.append(step)
            domains.add(card.support_domain)
    return steps


def _step(card, offers: Offers, centre, used: set) -> Step | None:
    more = "menukaart" if card.support_domain == "respite" and offers.place else "search"
    centre_free = centre is not None and ("centre", centre.pk) not in used
    if card.offer.support_centre:
        if not centre_free:
            return None
        used.add(("centre", centre.pk))
        return Step(card, centre=centre, more=more)
    nearest = offers.by_card.get(card.code)
    offer = next((h for h in (nearest.hits if nearest else ()) if h.service.id not in used), None)
    if offer is not None:
        used.add(offer.service.id)
        return Step(card, offer=offer, more=more)
    if centre_free:
        used.add(("centre", centre.pk))
        return Step(card, centre=centre, more=more)
    national = next((n for n in offers.national.get(card.support_domain, ()) if n.id not in used), None)
    if national is not None:
        used.add(national.id)
        return Step(card, national=national, more=more)
    return None


def domain_labels() -> dict[str, str]:
    return {code: label(text) for code, text in balance.load_advice_rules().support_domains.items()}
