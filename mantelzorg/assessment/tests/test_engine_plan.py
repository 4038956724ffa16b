"""The engine's precompiled plan (``Instrument.plan``) against the plain tree walk it replaced.

``enabled_items``, ``validate_answers`` and ``score`` run over a plan built once per instrument.
This module keeps the straightforward definitions (walk the items, follow enableWhen recursively,
check every value with ``_check_value``) as a reference and compares both on generated
instruments — groups and questions of every type, enableWhen with every operator, 'all' and 'any',
readOnly questions, conditions on later items, sum, count and per-dimension scores with reversed
items — and on generated responses, valid and invalid.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from mantelzorg.assessment import engine
from mantelzorg.assessment.engine import (
    ORDINAL_URL,
    DefinitionError,
    ResponseValidationError,
    load_all_builtin,
    load_instrument,
    scoring_extension,
)

# ------------------------------------------------------------------------------ the reference


def reference_enabled(instrument: engine.Instrument, answers: dict[str, Any]) -> set[str]:
    memo: dict[str, bool] = {}
    items = instrument.items

    def value(link_id: str) -> Any:
        answer = answers.get(link_id)
        if answer == "" or items[link_id].read_only or not enabled(link_id):
            return None
        return answer

    def enabled(link_id: str) -> bool:
        if link_id in memo:
            return memo[link_id]
        item = items[link_id]
        ok = item.parent is None or enabled(item.parent)
        if ok and item.enable_when:
            results = [engine._condition_holds(c, value(c.question)) for c in item.enable_when]
            ok = any(results) if item.enable_behavior == "any" else all(results)
        memo[link_id] = ok
        return ok

    return {link_id for link_id in items if enabled(link_id)}


def reference_validate(instrument: engine.Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    errors = []
    for link_id in answers:
        item = instrument.items.get(link_id)
        if item is None or not item.is_question:
            what = (
                "not a question of this instrument" if item is None else f"a {item.type} item, not a question"
            )
            errors.append(engine._error(link_id, "unknown_item", f"{link_id!r} is {what}"))
    enabled = reference_enabled(instrument, answers)
    cleaned = {}
    for item in instrument.items.values():
        if not item.is_question or item.link_id not in enabled or item.read_only:
            continue
        value = answers.get(item.link_id)
        if value is None or value == "":
            if item.required:
                errors.append(engine._error(item.link_id, "required", "an answer is required"))
            continue
        error = engine._check_value(item, value)
        if error:
            errors.append(error)
        else:
            cleaned[item.link_id] = value
    if errors:
        raise ResponseValidationError(errors)
    return cleaned


def reference_score(instrument: engine.Instrument, answers: dict[str, Any]):
    cleaned = reference_validate(instrument, answers)
    scores: dict[str, Any] = {}
    for definition in instrument.scores:
        totals: dict[str, Any] = {}
        for link_id, key in zip(definition.items, definition.keys, strict=True):
            totals.setdefault(key, 0)
            value = cleaned.get(link_id)
            if value is None:
                continue
            item = instrument.items[link_id]
            number = (
                item.ordinals[value]
                if item.type == "choice"
                else int(value)
                if item.type == "boolean"
                else value
            )
            if link_id in definition.reversed:
                low, high = item.value_range()
                number = low + high - number
            if definition.rule == "count":
                totals[key] += 1 if engine._counts(definition, number) else 0
            else:
                totals[key] += number
        scores.update(totals)
    return cleaned, scores


# ------------------------------------------------------------------------------ generators

TYPES = ("boolean", "integer", "decimal", "string", "choice")


def _option(code: str, ordinal: float) -> dict:
    return {"valueCoding": {"code": code}, "extension": [{"url": ORDINAL_URL, "valueDecimal": ordinal}]}


def _answer_for(rng: random.Random, item: dict) -> tuple[str, Any]:
    kind = item["type"]
    if kind == "boolean":
        return "answerBoolean", rng.random() < 0.5
    if kind == "integer":
        return "answerInteger", rng.randint(0, 5)
    if kind == "decimal":
        return "answerDecimal", rng.choice([0, 1.5, 3])
    if kind == "choice":
        return "answerCoding", {"code": rng.choice(item["answerOption"])["valueCoding"]["code"]}
    return "answerString", rng.choice(["a", "b"])


def random_questionnaire(rng: random.Random) -> dict:
    """A questionnaire of 3-14 questions in up to 3 groups, with random enableWhen and scores."""
    questions: list[dict] = []
    roots: list[dict] = []
    groups: list[dict] = []
    for n in range(rng.randint(3, 14)):
        kind = rng.choice(TYPES)
        item: dict[str, Any] = {"linkId": f"q{n}", "text": f"q{n}", "type": kind}
        if rng.random() < 0.5:
            item["required"] = True
        if rng.random() < 0.1:
            item["readOnly"] = True
        if kind in ("integer", "decimal") and rng.random() < 0.7:
            item["extension"] = [
                {"url": engine.MIN_VALUE_URL, "valueInteger": 0},
                {"url": engine.MAX_VALUE_URL, "valueInteger": rng.choice([3, 5])},
            ]
        if kind == "string" and rng.random() < 0.5:
            item["maxLength"] = 3
        if kind == "choice":
            item["answerOption"] = [_option(code, i) for i, code in enumerate(("low", "mid", "high"))]
        questions.append(item)
        if groups and rng.random() < 0.5:
            rng.choice(groups)["item"].append(item)
        elif rng.random() < 0.25:
            group = {"linkId": f"g{n}", "text": f"g{n}", "type": "group", "item": [item]}
            groups.append(group)
            roots.append(group)
        else:
            roots.append(item)
    for element in questions + groups:  # conditions on any question, earlier or later
        if rng.random() < 0.45:
            conds = []
            for _ in range(rng.choice([1, 1, 2, 3])):
                target = rng.choice(questions)
                if target is element:
                    continue
                operator = rng.choice(["exists", "=", "!=", ">", "<", ">=", "<="])
                if operator == "exists":
                    conds.append({"question": target["linkId"], "operator": operator, "answerBoolean": True})
                    continue
                if target["type"] in ("boolean", "choice") and operator not in ("=", "!="):
                    operator = "="
                key, value = _answer_for(rng, target)
                conds.append({"question": target["linkId"], "operator": operator, key: value})
            if conds:
                element["enableWhen"] = conds
                if len(conds) > 1 or rng.random() < 0.2:
                    element["enableBehavior"] = rng.choice(["all", "any"])
    scorable = [q["linkId"] for q in questions if q["type"] in ("boolean", "integer", "decimal", "choice")]
    bounded = [
        q["linkId"]
        for q in questions
        if q["type"] in ("boolean", "choice") or (q["type"] in ("integer", "decimal") and "extension" in q)
    ]
    scores = []
    if scorable:
        chosen = rng.sample(scorable, rng.randint(1, len(scorable)))
        reversed_ids = [i for i in chosen if i in bounded and rng.random() < 0.3]
        scores.append({"code": "total", "rule": "sum", "items": chosen, "reversed": reversed_ids})
        scores.append(
            {"code": "many", "rule": "count", "items": chosen, "count_if": {"min": rng.choice([1, 2])}}
        )
        scores.append({"code": "some", "rule": "count", "items": chosen, "reversed": reversed_ids})
    return {
        "resourceType": "Questionnaire",
        "id": "generated",
        "url": "https://mantelzorg.nl/fhir/Questionnaire/generated",
        "version": "1",
        "name": "Generated",
        "title": "Generated",
        "status": "active",
        "item": roots,
        "extension": [scoring_extension({"scores": scores})] if scores else [],
    }


ODD = [None, "", "low", "x", "abcd", 0, 1, 2, 4, 7, -1, 1.5, True, False, float("nan"), [1], {"a": 1}]


def random_answers(rng: random.Random, instrument: engine.Instrument) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in instrument.questions:
        if rng.random() < 0.2:
            continue
        if rng.random() < 0.15:
            answers[item.link_id] = rng.choice(ODD)
        elif item.type == "boolean":
            answers[item.link_id] = rng.random() < 0.5
        elif item.type == "choice":
            answers[item.link_id] = rng.choice(sorted(item.ordinals))
        elif item.type == "integer":
            answers[item.link_id] = rng.randint(0, 5)
        elif item.type == "decimal":
            answers[item.link_id] = rng.choice([0, 0.5, 2, 4.5])
        else:
            answers[item.link_id] = rng.choice(["a", "ab", ""])
    if rng.random() < 0.1:
        answers["nope"] = 1
    if rng.random() < 0.1 and any(i.type == "group" for i in instrument.items.values()):
        answers[next(i.link_id for i in instrument.items.values() if i.type == "group")] = 1
    return dict(rng.sample(list(answers.items()), len(answers)))  # any order


def _outcome(fn, *args):
    try:
        return "ok", fn(*args)
    except ResponseValidationError as error:
        return "errors", error.errors


# ------------------------------------------------------------------------------ the tests


def test_the_plan_agrees_with_the_tree_walk_on_generated_instruments():
    rng = random.Random(20261123)
    instruments = responses = 0
    while instruments < 300:
        try:
            instrument = load_instrument(random_questionnaire(rng), fhir_validate=False)
        except DefinitionError:
            continue  # e.g. an enableWhen cycle: refused at load time, as it should be
        instruments += 1
        for _ in range(25):
            answers = random_answers(rng, instrument)
            assert engine.enabled_items(instrument, answers) == reference_enabled(instrument, answers)
            kind, expected = _outcome(reference_score, instrument, answers)
            got_kind, got = _outcome(engine.score, instrument, answers)
            assert got_kind == kind, answers
            if kind == "errors":
                assert got == expected
            else:
                cleaned, scores = expected
                assert list(got.answers.items()) == list(cleaned.items())  # order too
                assert list(got.scores.items()) == list(scores.items())
                assert [type(v) for v in got.scores.values()] == [type(v) for v in scores.values()]
            responses += 1
    assert responses == 7500


@pytest.mark.parametrize("name", ["balanscheck", "carerqol"])
def test_the_plan_agrees_with_the_tree_walk_on_the_shipped_instruments(name):
    instrument = load_all_builtin()[name]
    rng = random.Random(name)
    outcomes = set()
    for _ in range(400):
        answers = random_answers(rng, instrument)
        if rng.random() < 0.5:  # mostly valid: the required questions answered
            for item in instrument.questions:
                if item.required and answers.get(item.link_id) in (None, ""):
                    answers[item.link_id] = (
                        sorted(item.ordinals)[0] if item.type == "choice" else item.type == "boolean" or 1
                    )
        assert engine.enabled_items(instrument, answers) == reference_enabled(instrument, answers)
        kind, expected = _outcome(reference_score, instrument, answers)
        got_kind, got = _outcome(engine.score, instrument, answers)
        assert got_kind == kind
        if kind == "errors":
            assert got == expected
        else:
            assert list(got.answers.items()) == list(expected[0].items())
            assert list(got.scores.items()) == list(expected[1].items())
        outcomes.add(kind)
    assert outcomes == {"ok", "errors"}


def test_an_instrument_with_its_plan_can_still_be_pickled():
    import pickle

    instrument = load_all_builtin()["balanscheck"]
    answers = random_answers(random.Random(1), instrument)
    expected = engine.enabled_items(instrument, answers)  # the plan is built by now
    copy = pickle.loads(pickle.dumps(instrument))
    assert "plan" not in copy.__dict__
    assert engine.enabled_items(copy, answers) == expected
