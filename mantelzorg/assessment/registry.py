"""The Balanscheck's content registry: the active instruments (FHIR Questionnaires, from the files
and ``InstrumentDefinition``) and each gemeente's local thresholds, read once per process and
content version (``core.cache.per_version``)."""

from __future__ import annotations

import hashlib
import json

from django.http import Http404

from mantelzorg.core.cache import per_version

from . import engine
from .models import InstrumentDefinition, LocalThresholds

BALANSCHECK = "balanscheck"
CARERQOL = "carerqol"

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
