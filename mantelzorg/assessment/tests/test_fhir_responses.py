"""POST /api/v1/checks/ with a FHIR R4 QuestionnaireResponse: a table of malformed responses, each
refused with a 400 in the API's one error body that names the linkId or path and the rule, and a
table of unusual responses that R4 allows and that keep being accepted.

Every case starts from a real export (``engine.answers_to_questionnaire_response`` of the
overloaded demo caregiver) and changes one thing. Where the HL7 R4 JSON schema itself can see the
mistake (``schema=True``), the test also checks that the schema refuses it; every accepted case
must pass that schema too (``fhir_validators``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from mantelzorg.assessment import engine
from mantelzorg.assessment.tests import factories
from mantelzorg.assessment.tests.fhir_validators import schema_errors

pytestmark = pytest.mark.django_db
URL = "/api/v1/checks/"
CANONICAL = "https://mantelzorg.nl/fhir/Questionnaire/balanscheck|1.0.0"


def instrument() -> engine.Instrument:
    return engine.load_all_builtin()["balanscheck"]


def export(answers: dict | None = None) -> dict[str, Any]:
    return engine.answers_to_questionnaire_response(instrument(), answers or factories.overloaded())


def post(client, qr: dict) -> Any:
    return client.post(URL, json.dumps(qr), content_type="application/fhir+json")


def find(qr: dict, link_id: str) -> dict:
    """The item with this linkId, wherever it is."""

    def walk(items):
        for item in items or []:
            if item.get("linkId") == link_id:
                return item
            found = walk(item.get("item")) or walk(
                [i for a in item.get("answer") or [] for i in a.get("item") or []]
            )
            if found:
                return found
        return None

    found = walk(qr["item"])
    assert found is not None, link_id
    return found


def siblings(qr: dict, link_id: str) -> list:
    """The list that holds the item with this linkId."""

    def walk(items):
        if any(i.get("linkId") == link_id for i in items):
            return items
        for item in items:
            found = walk(item.get("item") or [])
            if found is not None:
                return found
        return None

    found = walk(qr["item"])
    assert found is not None, link_id
    return found


def take(qr: dict, link_id: str) -> dict:
    """Remove the item with this linkId and return it."""
    items = siblings(qr, link_id)
    item = next(i for i in items if i["linkId"] == link_id)
    items.remove(item)
    return item


def answer(qr: dict, link_id: str) -> dict:
    return find(qr, link_id)["answer"][0]


def flatten(qr: dict) -> None:
    """Every question at the top level, no groups (a 'fully flattened' response)."""
    flat = []

    def walk(items):
        for item in items:
            if "answer" in item:
                flat.append({k: v for k, v in item.items() if k != "item"})
            walk(item.get("item") or [])

    walk(qr["item"])
    qr["item"] = flat


def set_(key: str, value: Any) -> Callable[[dict], None]:
    return lambda qr: qr.__setitem__(key, value)


def drop(key: str) -> Callable[[dict], None]:
    return lambda qr: qr.pop(key)


def in_answer(link_id: str, **values: Any) -> Callable[[dict], None]:
    return lambda qr: answer(qr, link_id).update(values)


def answer_value(link_id: str, value: dict) -> Callable[[dict], None]:
    def change(qr):
        find(qr, link_id)["answer"] = [value]

    return change


def disable_meals(qr: dict) -> None:
    """'Does not cook' but still 8 hours, energy and transferable answered for meals."""
    group = find(qr, "task.meals")
    group["item"] = [
        {"linkId": "task.meals.does", "answer": [{"valueBoolean": False}]},
        {"linkId": "task.meals.hours", "answer": [{"valueInteger": 129}]},
    ]


def move(link_id: str, to_group: str) -> Callable[[dict], None]:
    def change(qr):
        item = take(qr, link_id)
        find(qr, to_group)["item"].append(item)

    return change


def to_top(link_id: str) -> Callable[[dict], None]:
    def change(qr):
        qr["item"].append(take(qr, link_id))

    return change


def both_answer_and_item(link_id: str) -> Callable[[dict], None]:
    def change(qr):
        find(qr, link_id)["item"] = [{"linkId": "task.household.help", "text": "help"}]

    return change


def twice(link_id: str, value: dict | None = None) -> Callable[[dict], None]:
    def change(qr):
        items = siblings(qr, link_id)
        item = copy.deepcopy(next(i for i in items if i["linkId"] == link_id))
        if value is not None:
            item["answer"] = [value]
        items.append(item)

    return change


def nested_under_answer(qr: dict) -> None:
    """qrs-1 inside an answer's nested item."""
    answer(qr, "task.household.does")["item"] = [
        {
            "linkId": "task.household.hours",
            "answer": [{"valueInteger": 8}],
            "item": [{"linkId": "task.household.help"}],
        }
    ]


@dataclass
class Bad:
    name: str
    change: Callable[[dict], None]
    code: str
    where: str  # the error's field: the linkId, or the path when no item is concerned
    rule: str  # a text the message must contain (the rule it names)
    schema: bool = False  # the HL7 R4 JSON schema sees this mistake too


COURTESY = {"url": "https://example.org/fhir/StructureDefinition/x", "valueString": "x"}

BAD = [
    # status: 1..1, required value set questionnaire-answers-status
    Bad("status done", set_("status", "done"), "invalid_code", "status", "in-progress|completed", True),
    Bad("status missing", drop("status"), "required", "status", "status is required"),
    Bad("status in capitals", set_("status", "COMPLETED"), "invalid_code", "status", "one of", True),
    Bad("status empty", set_("status", ""), "invalid_code", "status", "one of", True),
    Bad("status a number", set_("status", 1), "invalid_code", "status", "one of", True),
    Bad("status null", set_("status", None), "invalid_json", "status", "null is not allowed", True),
    # qrs-1
    Bad(
        "qrs-1 on a question",
        both_answer_and_item("task.household.does"),
        "qrs-1",
        "task.household.does",
        "qrs-1",
    ),
    Bad("qrs-1 under an answer", nested_under_answer, "qrs-1", "task.household.hours", "qrs-1"),
    Bad(
        "qrs-1 on a group",
        lambda qr: find(qr, "network").update(answer=[{"valueBoolean": True}]),
        "qrs-1",
        "network",
        "qrs-1",
    ),
    # qrs-2
    Bad("qrs-2 same answer twice", twice("overall_burden"), "qrs-2", "overall_burden", "qrs-2"),
    Bad("qrs-2 two values", twice("overall_burden", {"valueInteger": 2}), "qrs-2", "overall_burden", "qrs-2"),
    # unknown elements (additionalProperties false in the R4 JSON schema)
    Bad(
        "unknown on the resource", set_("foo", 1), "unknown_element", "foo", "additional property 'foo'", True
    ),
    Bad("typo answers", set_("answers", []), "unknown_element", "answers", "additional property", True),
    Bad(
        "unknown in an answer",
        in_answer("overall_burden", bar=1),
        "unknown_element",
        "overall_burden",
        "additional property 'bar'",
        True,
    ),
    Bad(
        "unknown in an item",
        lambda qr: find(qr, "overall_burden").update(score=9),
        "unknown_element",
        "overall_burden",
        "additional property 'score'",
        True,
    ),
    Bad(
        "unknown in a coding",
        lambda qr: answer(qr, "network.help")["valueCoding"].update(label="x"),
        "unknown_element",
        "network.help",
        "additional property 'label'",
        True,
    ),
    Bad(
        "unknown value[x]",
        answer_value("about.relation", {"valueCode": "parent"}),
        "unknown_element",
        "about.relation",
        "additional property 'valueCode'",
        True,
    ),
    Bad(
        "unknown in meta",
        set_("meta", {"versionId": "1", "tag2": []}),
        "unknown_element",
        "meta.tag2",
        "additional property",
        True,
    ),
    Bad(
        "lower-case linkid",
        lambda qr: find(qr, "overall_burden").update(linkid="x"),
        "unknown_element",
        "overall_burden",
        "additional property 'linkid'",
        True,
    ),
    # answers to items that enableWhen disables
    Bad("hours of a task not done", disable_meals, "disabled_item", "task.meals.hours", "enableWhen"),
    Bad(
        "work pressure without work",
        lambda qr: answer(qr, "about.work_hours").update(valueInteger=0),
        "disabled_item",
        "pressure.work",
        "about.work_hours > 0",
    ),
    Bad(
        "description of no other task",
        lambda qr: find(qr, "task.other").update(
            item=[
                {"linkId": "task.other.does", "answer": [{"valueBoolean": False}]},
                {"linkId": "task.other.description", "answer": [{"valueString": "tuin"}]},
            ]
        ),
        "disabled_item",
        "task.other.description",
        "disables it",
    ),
    # items where the Questionnaire does not have them
    Bad(
        "question into another group",
        move("about.care_hours", "pressure"),
        "wrong_group",
        "about.care_hours",
        "belongs in group 'about'",
    ),
    Bad(
        "question into a sibling task",
        move("task.household.hours", "task.meals"),
        "wrong_group",
        "task.household.hours",
        "group 'task.household'",
    ),
    Bad(
        "question to the top",
        to_top("overall_burden"),
        "wrong_group",
        "overall_burden",
        "not in the top level",
    ),
    Bad("group to the top", to_top("task.household"), "wrong_group", "task.household", "group 'tasks'"),
    Bad(
        "group into a group",
        move("network", "pressure"),
        "wrong_group",
        "network",
        "belongs in the top level",
    ),
    Bad("fully flattened", flatten, "wrong_group", "about.age_group", "belongs in group 'about'"),
    Bad(
        "question under an answer",
        lambda qr: answer(qr, "about.lives_with").update(
            item=[{"linkId": "about.care_hours", "answer": [{"valueInteger": 40}]}]
        ),
        "wrong_group",
        "about.care_hours",
        "not in the answer of 'about.lives_with'",
    ),
    # FHIR JSON (json.html) and ele-1
    Bad("null element", set_("meta", None), "invalid_json", "meta", "null is not allowed"),
    Bad("empty object", set_("meta", {}), "ele-1", "meta", "ele-1"),
    Bad("empty array", set_("identifier", []), "invalid_json", "identifier", "empty array"),
    Bad("empty answer", answer_value("overall_burden", {}), "ele-1", "item[4].item[0].answer[0]", "ele-1"),
    Bad("item not a list", set_("item", {"linkId": "about"}), "invalid_type", "item", "valid list", True),
    Bad("authored not a dateTime", set_("authored", "yesterday"), "invalid_type", "authored", "R4", True),
    Bad(
        "linkId a number",
        lambda qr: qr["item"].append({"linkId": 3}),
        "invalid_type",
        "item[5].linkId",
        "R4",
        True,
    ),
    Bad(
        "modifierExtension",
        set_("modifierExtension", [COURTESY]),
        "not_supported",
        "modifierExtension",
        "modifier extension",
    ),
    Bad(
        "modifierExtension in an answer",
        in_answer("overall_burden", modifierExtension=[COURTESY]),
        "not_supported",
        "item[4].item[0].answer[0].modifierExtension",
        "modifier extension",
    ),
    # value[x] of the item's type, answers, options
    Bad(
        "valueString for an integer",
        answer_value("about.care_hours", {"valueString": "40"}),
        "invalid_type",
        "about.care_hours",
        "expected valueInteger",
    ),
    Bad(
        "valueDecimal for an integer",
        answer_value("about.care_hours", {"valueDecimal": 40.5}),
        "invalid_type",
        "about.care_hours",
        "expected valueInteger",
    ),
    Bad(
        "fraction in valueInteger",
        answer_value("about.care_hours", {"valueInteger": 40.5}),
        "invalid_type",
        "about.care_hours",
        "R4",  # the R4 JSON schema types integer as "number": it lets 40.5 through
    ),
    Bad(
        "valueBoolean as text",
        answer_value("about.lives_with", {"valueBoolean": "yes"}),
        "invalid_type",
        "about.lives_with",
        "boolean",
        True,
    ),
    Bad(
        "two value[x]",
        answer_value("overall_burden", {"valueInteger": 9, "valueString": "9"}),
        "invalid_type",
        "overall_burden",
        "R4",
    ),
    Bad(
        "two answers",
        lambda qr: find(qr, "overall_burden").update(answer=[{"valueInteger": 9}, {"valueInteger": 3}]),
        "invalid_type",
        "overall_burden",
        "at most one answer",
    ),
    Bad(
        "unknown option code",
        answer_value("network.help", {"valueCoding": {"code": "plenty"}}),
        "invalid_option",
        "network.help",
        "not an answer option",
    ),
    Bad(
        "option of another system",
        answer_value("network.help", {"valueCoding": {"system": "http://snomed.info/sct", "code": "enough"}}),
        "invalid_option",
        "network.help",
        "not an answer option",
    ),
    Bad(
        "answer to a display item",
        lambda qr: (
            find(qr, "task.household")
            .setdefault("item", [])
            .append({"linkId": "task.household.help", "answer": [{"valueString": "x"}]})
        ),
        "invalid_type",
        "task.household.help",
        "cannot have an answer",
    ),
    Bad(
        "unknown linkId",
        lambda qr: qr["item"].append({"linkId": "no.such.item"}),
        "unknown_item",
        "no.such.item",
        "not an item",
    ),
    Bad(
        "out of range",
        answer_value("overall_burden", {"valueInteger": 11}),
        "out_of_range",
        "overall_burden",
        "at most 10",
    ),
    Bad(
        "required answer left out", lambda qr: take(qr, "wellbeing"), "required", "overall_burden", "required"
    ),
    # the Questionnaire it answers
    Bad(
        "another version",
        set_("questionnaire", CANONICAL.replace("1.0.0", "0.9.0")),
        "unknown_questionnaire",
        "questionnaire",
        "published Questionnaire",
    ),
    Bad(
        "no questionnaire",
        drop("questionnaire"),
        "unknown_questionnaire",
        "questionnaire",
        "published Questionnaire",
    ),
]


def test_the_table_has_at_least_40_cases_and_covers_the_seven_of_the_issue():
    assert len(BAD) >= 40
    names = {b.name for b in BAD}
    assert {
        "status done",
        "status missing",
        "qrs-1 on a question",
        "unknown on the resource",
        "unknown in an answer",
        "hours of a task not done",
        "question into another group",
        "fully flattened",
    } <= names
    assert len(names) == len(BAD)


def test_the_unchanged_export_is_accepted(client):
    qr = export()
    assert schema_errors(qr) == []
    response = post(client, qr)
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("case", BAD, ids=[b.name for b in BAD])
def test_malformed_response_is_refused_with_the_rule(client, case):
    qr = export()
    case.change(qr)
    response = post(client, qr)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert all({"field", "code", "message"} <= set(e) for e in errors)
    hits = [e for e in errors if e["code"] == case.code and e["field"] == case.where]
    assert hits, errors
    assert any(case.rule in e["message"] for e in hits), hits
    if case.schema:
        assert schema_errors(qr), "the HL7 R4 JSON schema should refuse this case too"


def test_disabled_answers_are_refused_not_dropped(client):
    """The issue's example: answers under a task that is not done changed task hours silently."""
    qr = export()
    household = find(qr, "task.household")
    household["item"][0]["answer"] = [{"valueBoolean": False}]  # does: no; hours etc. still there
    errors = post(client, qr).json()["errors"]
    assert {e["linkId"] for e in errors if e["code"] == "disabled_item"} == {
        "task.household.hours",
        "task.household.energy",
        "task.household.transferable",
    }
    assert "task.household.does = true" in errors[0]["message"]


# ------------------------------------------------------------------ unusual, but R4 allows it


def with_extras(qr: dict) -> None:
    qr.update(
        id="abc-1",
        meta={"versionId": "3", "lastUpdated": "2026-01-02T10:00:00Z", "profile": ["http://example.org/p"]},
        implicitRules="http://example.org/rules",
        language="nl",
        text={"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">Balanscheck</div>'},
        identifier={"system": "urn:ietf:rfc:3986", "value": "urn:uuid:2f0a7a2e-7d8b-4b4a-9d3e-1b2c3d4e5f60"},
        basedOn=[{"reference": "CarePlan/1"}],
        partOf=[{"display": "intake"}],
        subject={"reference": "RelatedPerson/rp-1", "display": "A. de Vries"},
        encounter={"reference": "Encounter/e1"},
        authored="2026-03-01T09:30:00+01:00",
        author={"reference": "RelatedPerson/rp-1"},
        source={"reference": "RelatedPerson/rp-1"},
    )


def codings_without_display(qr: dict) -> None:
    def walk(items):
        for item in items:
            for a in item.get("answer") or []:
                a.get("valueCoding", {}).pop("display", None)
            walk(item.get("item") or [])

    walk(qr["item"])


def without_text(qr: dict) -> None:
    def walk(items):
        for item in items:
            item.pop("text", None)
            walk(item.get("item") or [])

    walk(qr["item"])


def with_extensions(qr: dict) -> None:
    qr.setdefault("extension", []).append(COURTESY)
    find(qr, "overall_burden")["extension"] = [COURTESY]
    answer(qr, "overall_burden")["extension"] = [COURTESY]
    qr["_status"] = {"extension": [COURTESY]}


def with_display_items(qr: dict) -> None:
    find(qr, "task.household")["item"].insert(0, {"linkId": "task.household.help", "text": "Uitleg"})


def versionless(qr: dict) -> None:
    qr["questionnaire"] = CANONICAL.partition("|")[0]


def codings_without_system(qr: dict) -> None:
    answer(qr, "network.help")["valueCoding"] = {"code": answer(qr, "network.help")["valueCoding"]["code"]}


def with_item_definition(qr: dict) -> None:
    find(qr, "overall_burden")["definition"] = "http://example.org/fhir/StructureDefinition/burden"


GOOD = [
    ("extra standard elements", with_extras),
    ("codings without display", codings_without_display),
    ("codings without system", codings_without_system),
    ("items without text", without_text),
    ("extensions and primitive extensions", with_extensions),
    ("display items echoed", with_display_items),
    ("questionnaire without |version", versionless),
    ("status in-progress", set_("status", "in-progress")),
    ("status amended", set_("status", "amended")),
    ("status stopped", set_("status", "stopped")),
    ("item.definition", with_item_definition),
    ("scores of the client are ignored", lambda qr: qr.pop("extension")),
]


@pytest.mark.parametrize("name, change", GOOD, ids=[g[0] for g in GOOD])
def test_unusual_but_valid_response_is_accepted(client, name, change):
    qr = export()
    change(qr)
    assert schema_errors(qr) == []
    response = post(client, qr)
    assert response.status_code == 200, response.content
    assert response.json()["level"]["code"] == "overloaded"
    assert response.json()["scores"]["task_hours"] == 40
