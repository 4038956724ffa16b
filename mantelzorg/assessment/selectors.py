"""Reads of the Balanscheck: the instrument registry, evaluating answers, local offers, saved checks.

The access rule for saved checks lives here, once (``check_get_for_user``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from mantelzorg.accounts.models import ConsentRecord
from mantelzorg.accounts.selectors import consent_is_active
from mantelzorg.core import audit
from mantelzorg.core.cache import memoize, per_version

from . import balance, engine
from .models import InstrumentDefinition, LocalThresholds, SavedCheck

BALANSCHECK = "balanscheck"
CARERQOL = "carerqol"
RADIUS_KM = 15
WIDER_RADIUS_KM = 25
MIN_LOCAL_OFFERS = 3
MAX_LOCAL_OFFERS = 8
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
    def urgent_cards(self) -> list[balance.AdviceCard]:
        return [c for c in self.advice if c.urgent]

    @property
    def other_cards(self) -> list[balance.AdviceCard]:
        return [c for c in self.advice if not c.urgent]

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
    return outcome


# ------------------------------------------------------------------------------ local offers


@dataclass
class Offers:
    place: Any = None
    radius_km: int | None = None
    local: list = field(default_factory=list)  # directory Hit, with .domains (advised codes it serves)
    centres: list = field(default_factory=list)
    national: list = field(default_factory=list)
    missing_domains: list[str] = field(default_factory=list)  # advised, no local offer found


def _domains_of(service_ids) -> dict:
    """Support-domain codes per service (one query)."""
    from mantelzorg.directory import taxonomy
    from mantelzorg.directory.models import Attribute

    found: dict = {}
    rows = Attribute.objects.filter(
        service_id__in=list(service_ids), taxonomy_term__taxonomy__code=taxonomy.SUPPORT_DOMAINS
    ).values_list("service_id", "taxonomy_term__code")
    for service_id, code in rows:
        found.setdefault(service_id, set()).add(code)
    return found


def offers_for(place, support_domains: list[str]) -> Offers:
    """Concrete help for the advised vraaggebieden near ``place``: nearest first within 15 km,
    25 km when fewer than 3; the gemeente's steunpunt always; national options for every
    advised vraaggebied without a local offer (or all of them without a postcode).

    The same postcode area and vraaggebieden give the same offers, so the result is kept for
    a minute (keyed by the directory's content version: an edit shows at once)."""
    key = (place.pc4 if place else "", tuple(sorted(support_domains)))
    offers = memoize(key, lambda: find_offers(place, support_domains), content="directory")
    offers.place = place  # the caller's own postcode, never another visitor's
    return offers


def find_offers(place, support_domains: list[str]) -> Offers:
    """``offers_for`` without the cache (the API caches its own JSON form of it)."""
    from mantelzorg.directory import selectors as directory

    offers = Offers(place=place)
    domains = list(support_domains)
    if place is None:
        offers.missing_domains = domains
        offers.national = directory.national_services(support_domains=domains, limit=6) if domains else []
        return offers
    offers.centres = directory.support_centres_for(place.municipality)
    if not domains:
        return offers
    radius = RADIUS_KM
    found = directory.service_search(
        place=place, radius_km=radius, support_domains=domains, per_page=MAX_LOCAL_OFFERS
    )
    if found.total < MIN_LOCAL_OFFERS:
        radius = WIDER_RADIUS_KM
        found = directory.service_search(
            place=place, radius_km=radius, support_domains=domains, per_page=MAX_LOCAL_OFFERS
        )
    offers.radius_km = radius
    hits = list(found.items)
    served = _domains_of(h.service.id for h in hits) if hits else {}
    covered: set[str] = set()
    for hit in hits:
        hit.domains = [d for d in domains if d in served.get(hit.service.id, ())]
        covered.update(hit.domains)
    offers.local = hits
    offers.missing_domains = [d for d in domains if d not in covered]
    if offers.missing_domains:
        offers.national = directory.national_services(support_domains=offers.missing_domains, limit=6)
    return offers


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
        audit.log(
            request=request,
            action="assessment.check.viewed",
            object_type="assessment.savedcheck",
            object_id=str(check_id),
            purpose="denied: not the owner and no consent",
            outcome=audit.OUTCOME_DENIED,
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
    try:
        outcome = evaluate(instrument, check.answers, thresholds=check.thresholds or {})
    except (engine.ResponseValidationError, engine.DefinitionError):
        return None
    outcome.municipality = check.municipality
    return outcome


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
