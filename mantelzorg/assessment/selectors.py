"""Reads of the Balanscheck: the instrument registry, evaluating answers, local offers, saved checks.

The access rule for saved checks lives here, once (``check_get_for_user``).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from mantelzorg.accounts.models import ConsentRecord
from mantelzorg.accounts.selectors import consent_is_active
from mantelzorg.core import audit, geo
from mantelzorg.core.cache import memoize, per_version

from . import balance, engine
from .models import InstrumentDefinition, LocalThresholds, SavedCheck

BALANSCHECK = "balanscheck"
CARERQOL = "carerqol"
RADIUS_KM = 15  # nearest offers first within this distance ...
WIDER_RADIUS_KM = 25  # ... and within this one when there is nothing nearer
# The keyed hashes of the e-mail addresses whose link was opened in this session: opening a link
# proves access to that address, so the checks saved under it are this visitor's (history, trend).
MAGIC_SESSION_KEY = "assessment_email_owners"

# ------------------------------------------------------------------------------ instruments

_parsed: dict[str, engine.Instrument] = {}  # checksum -> parsed instrument (process cache)


def checksum(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _parse(checksum_: str, loader) -> engine.Instrument:
    instrument = _parsed.get(checksum_)
    if instrument is None:
        # Checked when stored; parsing skips the (slow) FHIR model validation.
        instrument = engine.load_instrument(loader(), fhir_validate=False)
        _parsed[checksum_] = instrument
    return instrument


# ContentVersion of instruments and local thresholds (core/cache.py); services and the admin
# raise it on every change, so each process re-reads them then and only then.
CONTENT = "assessment"


def instruments() -> dict[str, engine.Instrument]:
    """Every active instrument by Questionnaire id (read once per process and content version;
    parsed once per checksum).

    Active rows in ``InstrumentDefinition`` win; a shipped instrument missing from the table
    (e.g. a freshly flushed database) still comes from its file.
    """
    return per_version(CONTENT, "instruments", _instruments)


def _instruments() -> dict[str, engine.Instrument]:
    result = dict(engine.load_all_builtin())
    rows = (
        InstrumentDefinition.objects.filter(active=True)
        .order_by("loaded_at")
        .values_list("pk", "questionnaire_id", "checksum")
    )
    for pk, qid, digest in rows:
        result[qid] = _parse(
            digest, lambda pk=pk: InstrumentDefinition.objects.values_list("json", flat=True).get(pk=pk)
        )
    return result


def instrument_get(questionnaire_id: str) -> engine.Instrument:
    instrument = instruments().get(questionnaire_id)
    if instrument is None:
        raise Http404
    return instrument


def instrument_by_reference(reference: str) -> engine.Instrument | None:
    """The instrument a FHIR ``questionnaire`` canonical (url|version), url or id names."""
    url, _, version = (reference or "").partition("|")
    for instrument in instruments().values():
        if url in (instrument.url, instrument.id) and (not version or version == instrument.version):
            return instrument
    return None


def instrument_resources() -> list[dict]:
    """The FHIR Questionnaire JSON of every active instrument."""
    return [i.resource for i in instruments().values()]


# ------------------------------------------------------------------------------ evaluation


def label(text: engine.Label) -> str:
    """A Label in the active language (Dutch unless English is chosen)."""
    return text.en if (get_language() or "nl").startswith("en") else text.nl


def thresholds_for(municipality) -> dict:
    """The gemeente's threshold overrides (local policy), read once per content version."""
    if municipality is None:
        return {}

    def read():
        row = (
            LocalThresholds.objects.filter(municipality_id=municipality.pk)
            .values_list("overrides", flat=True)
            .first()
        )
        return row or {}

    return dict(per_version(CONTENT, ("thresholds", municipality.pk), read))


@dataclass
class Outcome:
    instrument: engine.Instrument
    result: engine.ScoreResult
    level: balance.LevelResult | None = None
    advice: list[balance.AdviceCard] = field(default_factory=list)
    place: Any = None  # core.geo.Place
    municipality: Any = None

    @property
    def answers(self) -> dict:
        return self.result.answers

    @property
    def support_domains(self) -> list[str]:
        """The vraaggebieden of the (non-urgent) advice, in advice order, without repeats."""
        seen: list[str] = []
        for card in self.advice:
            if not card.urgent and card.support_domain not in seen:
                seen.append(card.support_domain)
        return seen

    @property
    def helpline(self) -> balance.AdviceCard | None:
        """The helpline card (advice.json, ``helpline``) for a Balanscheck result."""
        return balance.load_advice_rules().helpline if self.level else None

    @property
    def urgent_cards(self) -> list[balance.AdviceCard]:
        return [c for c in self.advice if c.urgent]

    @property
    def other_cards(self) -> list[balance.AdviceCard]:
        return [c for c in self.advice if not c.urgent]

    @property
    def has_bands(self) -> bool:
        """Whether any score has a band (a meaning from a source); else the table has no such column."""
        return bool(self.result.bands)

    def score_rows(self) -> list[dict]:
        """(label, value, band label) for every score, in the instrument's order."""
        rows = []
        definitions = {d.code: d for d in self.instrument.scores}
        dimensions = dimension_labels(self.instrument)
        for key, value in self.result.scores.items():
            code, _, dimension = key.partition(".")
            definition = definitions.get(code)
            name = label(definition.label) if definition else key
            if dimension:
                name = f"{name}: {dimensions.get(dimension, dimension)}"
            band = self.result.bands.get(key)
            rows.append(
                {"code": key, "label": name, "value": value, "band": label(band.label) if band else ""}
            )
        return rows

    def score_summary(self) -> list[dict]:
        """The instrument's own scores (not per dimension) with their range and direction, for a
        sentence such as "7 of 14; higher is better" (the CarerQol has no bands to give meaning)."""
        rows = []
        for definition in self.instrument.scores:
            if definition.code not in self.result.scores:
                continue
            value_range = engine.score_ranges(definition, self.instrument.items).get(definition.code)
            band = self.result.bands.get(definition.code)
            rows.append(
                {
                    "code": definition.code,
                    "label": label(definition.label),
                    "value": self.result.scores[definition.code],
                    "low": value_range[0] if value_range else None,
                    "high": value_range[1] if value_range else None,
                    "better": definition.direction == "higher_is_better",
                    "band": label(band.label) if band else "",
                }
            )
        return rows

    def answer_groups(self) -> dict[str, list[tuple[str, str]]]:
        """The choice answers by how much they weigh: "heavy" (the option that weighs most),
        "some" (in between) and "fine" (the lightest). Ordinal values rise with burden in every
        instrument (README), so this needs no knowledge of the instrument."""
        groups: dict[str, list[tuple[str, str]]] = {"heavy": [], "some": [], "fine": []}
        for item in self.instrument.questions:
            code = self.answers.get(item.link_id)
            if item.type != "choice" or code is None or not item.ordinals:
                continue
            value, values = item.ordinals[code], item.ordinals.values()
            group = "heavy" if value == max(values) else "fine" if value == min(values) else "some"
            option = item.option(code)
            groups[group].append((label(item.text), label(option.display) if option else code))
        return groups

    @property
    def hard_answers(self) -> tuple[int, int]:
        """(answers that weigh somewhat or most, choice answers in all): "at 5 of the 7 questions"."""
        groups = self.answer_groups()
        hard = len(groups["heavy"]) + len(groups["some"])
        return hard, hard + len(groups["fine"])


def dimension_labels(instrument: engine.Instrument) -> dict[str, str]:
    """Display names of the instrument's dimension codes (the item codings' ``display``, with
    their translation), so that a per-dimension score is never shown by its code."""
    found: dict[str, str] = {}

    def walk(items):
        for item in items:
            for coding in item.get("code", [])[:1]:
                found.setdefault(coding["code"], label(engine._label(coding, "display")) or coding["code"])
            walk(item.get("item", []))

    walk(instrument.resource.get("item", []))
    return found


def evaluate(
    instrument: engine.Instrument, answers: dict, *, place=None, thresholds: dict | None = None
) -> Outcome:
    """Score answers; for the Balanscheck also the level (with the gemeente's thresholds) and advice.

    Raises ``engine.ResponseValidationError`` for invalid answers.
    """
    municipality = place.municipality if place is not None else None
    result = engine.score(instrument, answers)
    outcome = Outcome(instrument=instrument, result=result, place=place, municipality=municipality)
    if instrument.url == balance.load_level_rules().instrument_url:
        override = thresholds if thresholds is not None else thresholds_for(municipality)
        try:
            outcome.level = balance.derive_level(result, result.answers, override)
        except engine.DefinitionError:  # a broken local override must not break the check
            outcome.level = balance.derive_level(result, result.answers)
        outcome.advice = balance.advise(outcome.level, result.answers)
    else:
        outcome.advice = balance.advise_answers(result)
    return outcome


# ------------------------------------------------------------------------------ local offers

NEXT_STEPS = 3  # the result page leads with at most this many next steps
PER_DOMAIN = 3  # nearest offers shown per advised vraaggebied
NATIONAL_PER_DOMAIN = 2


@dataclass
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
    """``find_offers``, kept a minute per postcode area and set of advice cards (keyed by the
    directory's content version: an edit shows at once)."""
    key = (place.pc4 if place else "", tuple(sorted(c.code for c in cards)))
    offers = memoize(key, lambda: find_offers(place, cards), content="directory")
    offers.place = place  # the caller's own postcode, never another visitor's
    return offers


def find_offers(place, cards) -> Offers:
    """``Offers`` for the advice ``cards`` near ``place`` (None: national options only)."""
    from mantelzorg.directory import selectors as directory

    wanted, domains = _wanted(cards)
    offers = Offers(place=place)
    if place is not None:
        offers.centres = directory.support_centres_for(place.municipality)
        found = (
            directory.nearest_offers(
                place=place, wanted=wanted, per_key=PER_DOMAIN, radius_km=RADIUS_KM, wider_km=WIDER_RADIUS_KM
            )
            if wanted
            else {}
        )
        offers.by_card = {code: found[(kind, code)] for kind, code in found if kind == "card"}
        offers.by_domain = {code: found[(kind, code)] for kind, code in found if kind == "domain"}
    offers.missing_domains = [d for d in domains if not (d in offers.by_domain and offers.by_domain[d].hits)]
    for domain in offers.missing_domains:
        offers.national[domain] = directory.national_services(
            support_domains=[domain], limit=NATIONAL_PER_DOMAIN
        )
    return offers


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
    steps: list[Step] = []
    used: set = set()  # offers (service ids) and the steunpunt already tied to a step
    domains: set[str] = set()  # one step per vraaggebied: three different kinds of help
    centre = offers.centres[0] if offers.centres else None
    for card in sorted((c for c in outcome.advice if c.step), key=lambda c: c.priority):
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


# ------------------------------------------------------------------------------ saved checks


def _email_owners(request) -> set[str]:
    session = getattr(request, "session", None)
    return set(session.get(MAGIC_SESSION_KEY, [])) if session is not None else set()


def is_owner(request, check: SavedCheck) -> bool:
    """The account that saved the check, or a session that opened an e-mail link of its address."""
    user = getattr(request, "user", None)
    if check.owner_id is not None:
        return user is not None and user.is_authenticated and check.owner_id == user.pk
    return bool(check.owner_email_hash) and check.owner_email_hash in _email_owners(request)


def check_list_for_user(user, request=None):
    """The checks this visitor owns: an account's, or every check saved under an e-mail address
    whose link was opened in this session."""
    if user is not None and user.is_authenticated:
        return SavedCheck.objects.filter(owner=user).select_related("municipality")
    owners = _email_owners(request)
    if not owners:
        return SavedCheck.objects.none()
    return SavedCheck.objects.filter(owner__isnull=True, owner_email_hash__in=owners).select_related(
        "municipality"
    )


def check_access(request, check_id, *, manage: bool = False) -> tuple[SavedCheck, str]:
    """The saved check and the purpose of access, or 404 (audited either way).

    The owner (account, or an e-mail link of its address opened in this session) may read and
    manage it; a professional may read it while the owner's consent ``balance_history`` is active.
    Nobody else learns that it exists.
    """
    user = getattr(request, "user", None)
    check = SavedCheck.objects.select_related("municipality", "owner").filter(id=check_id).first()
    purpose = ""
    if check is not None:
        if is_owner(request, check):
            purpose = "own check" if check.owner_id is not None else "own check (e-mail link)"
        elif (
            not manage
            and check.owner_id is not None
            and user is not None
            and user.is_authenticated
            and consent_is_active(
                grantor=check.owner, grantee=user, scope=ConsentRecord.Scope.BALANCE_HISTORY
            )
        ):
            purpose = "follow-up with the caregiver's consent (balance_history)"
    if not purpose:
        audit.denied(
            request=request,
            action="assessment.check.viewed",
            object_type="assessment.savedcheck",
            object_id=str(check_id),
            purpose="not the owner and no consent",
        )
        raise Http404
    return check, purpose


def check_get_for_user(request, check_id) -> SavedCheck:
    """Read access (audited as ``assessment.check.viewed``)."""
    check, purpose = check_access(request, check_id)
    audit.log(
        request=request, action="assessment.check.viewed", obj=check, subject=check.owner, purpose=purpose
    )
    return check


def check_outcome(check: SavedCheck) -> Outcome | None:
    """The result of a saved check, computed again with the thresholds of that moment."""
    instrument = instruments().get(check.instrument_id)
    if instrument is None or instrument.canonical != check.instrument_canonical:
        instrument = next(
            (i for i in engine.load_all_builtin().values() if i.canonical == check.instrument_canonical),
            instrument,
        )
    if instrument is None:
        return None
    # The thresholds of that moment, as far as the current rules still know them.
    known = balance.load_level_rules().thresholds
    thresholds = {name: value for name, value in (check.thresholds or {}).items() if name in known}
    try:
        outcome = evaluate(instrument, check.answers, place=_saved_place(check), thresholds=thresholds)
    except (engine.ResponseValidationError, engine.DefinitionError):
        return None
    outcome.municipality = check.municipality
    return outcome


def _saved_place(check: SavedCheck):
    """The postcode area a check was saved with (PC4), for local offers; None without one."""
    if not check.pc4:
        return None
    try:
        return geo.resolve_postcode(check.pc4)
    except geo.PostcodeError:  # an area that no longer exists
        return None


# Answers that usually stay the same between two checks: who you are and care for, and which
# tasks you do. How it goes (energy, pressure, help, how heavy, safety) is always asked afresh.
STABLE_ANSWERS = ("about.*", "task.*.does", "task.*.hours", "task.*.description", "task.*.transferable")


def prefill_for(request):
    """(stable answers, PC4, date) of the visitor's latest saved Balanscheck, or None: a repeated
    check starts from these (account holders and e-mail link sessions alike). Audited."""
    check = check_list_for_user(request.user, request).filter(instrument_id=BALANSCHECK).first()
    if check is None:
        return None
    audit.log(
        request=request,
        action="assessment.check.viewed",
        obj=check,
        subject=check.owner,
        purpose="prefill a new check with stable answers",
    )
    answers = {
        link_id: value
        for link_id, value in check.answers.items()
        if any(fnmatch.fnmatchcase(link_id, pattern) for pattern in STABLE_ANSWERS)
    }
    return answers, check.pc4, check.created_at


MAIN_SCORES = 2  # per instrument, the first scores of its definition are shown first


def trend(checks) -> list[dict]:
    """Per instrument and score: the values over time (oldest first), for chart and table.

    ``main`` marks the first ``MAIN_SCORES`` scores of each instrument's definition (for the
    Balanscheck: how heavy, and hours of care); the page shows the others folded away."""
    series: dict[tuple[str, str], dict] = {}
    registry = instruments()
    for check in sorted(checks, key=lambda c: c.created_at):
        instrument = registry.get(check.instrument_id)
        definitions = {d.code: d for d in instrument.scores} if instrument else {}
        main = list(definitions)[:MAIN_SCORES] if instrument else None
        for key, value in (check.scores or {}).items():
            if "." in key:
                continue
            definition = definitions.get(key)
            entry = series.setdefault(
                (check.instrument_id, key),
                {
                    "instrument": instrument.title if instrument else check.instrument_id,
                    "code": key,
                    "id": f"{check.instrument_id}-{key}",  # unique on the page, also across instruments
                    "label": label(definition.label) if definition else key,
                    "direction": definition.direction if definition else "higher_is_worse",
                    "main": main is None or key in main,
                    "points": [],
                },
            )
            entry["points"].append(
                {"date": timezone.localtime(check.created_at), "value": value, "level": check.level}
            )
    return list(series.values())
