"""Instruments, scoring, FHIR exchange and the condition language (pure Python, no database).

Levels and advice: test_levels.py, test_advice.py, test_truthful.py."""

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from mantelzorg.assessment import balance, conditions
from mantelzorg.assessment.engine import (
    INSTRUMENTS_DIR,
    ORDINAL_URL,
    SCORE_URL,
    DefinitionError,
    ResponseValidationError,
    answers_to_questionnaire_response,
    enabled_items,
    load_all_builtin,
    load_instrument,
    load_instrument_file,
    questionnaire_response_to_answers,
    score,
    scoring_extension,
    validate_answers,
)
from mantelzorg.assessment.tests import conditions_reference as reference
from mantelzorg.assessment.tests.answers import CARERQOL_ITEMS, TASKS, balans, cq, random_answers, task

DATA = Path(__file__).parent / "data"
RULES = Path(__file__).resolve().parents[1] / "rules"


# ----------------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def balanscheck():
    return load_all_builtin()["balanscheck"]


@pytest.fixture(scope="module")
def carerqol():
    return load_all_builtin()["carerqol"]


def raw_json(name):
    return json.loads((INSTRUMENTS_DIR / name).read_text(encoding="utf-8"))


def questionnaire(items, scores=None):
    data = {
        "resourceType": "Questionnaire",
        "id": "inline",
        "url": "https://mantelzorg.nl/fhir/Questionnaire/inline",
        "version": "1",
        "name": "Inline",
        "title": "Inline test questionnaire",
        "status": "active",
        "item": items,
    }
    if scores is not None:
        data["extension"] = [scoring_extension({"scores": scores})]
    return data


def yes_no(link_id, required=True, **extra):
    return {
        "linkId": link_id,
        "text": link_id,
        "type": "choice",
        "required": required,
        "answerOption": [
            {"valueCoding": {"code": "no"}, "extension": [{"url": ORDINAL_URL, "valueDecimal": 0}]},
            {"valueCoding": {"code": "yes"}, "extension": [{"url": ORDINAL_URL, "valueDecimal": 1}]},
        ],
        **extra,
    }


def error_codes(exc_info):
    return sorted((e["linkId"], e["code"]) for e in exc_info.value.errors)


# ------------------------------------------------------------------------ definitions / loading


def test_builtin_instruments_are_balanscheck_and_carerqol():
    assert set(load_all_builtin()) == {"balanscheck", "carerqol"}


@pytest.mark.parametrize("name", ["balanscheck.json", "carerqol.json"])
def test_shipped_questionnaires_are_valid_fhir_r4b(name):
    resource = Questionnaire.model_validate(raw_json(name))
    assert resource.status == "active"
    assert resource.url.startswith("https://mantelzorg.nl/fhir/Questionnaire/")
    assert resource.version and resource.name and resource.title and resource.copyright


@pytest.mark.parametrize("name", ["four_item_count.json", "ediz_plus_shape.json", "csi_shape.json"])
def test_test_instruments_are_valid_fhir_r4b(name):
    Questionnaire.model_validate(json.loads((DATA / name).read_text(encoding="utf-8")))


def test_invalid_fhir_is_a_definition_error():
    data = questionnaire([yes_no("q1")])
    data["item"][0]["colour"] = "red"
    with pytest.raises(DefinitionError, match="not a valid FHIR R4B Questionnaire"):
        load_instrument(data)


def test_not_a_questionnaire_is_a_definition_error():
    with pytest.raises(DefinitionError, match="resourceType"):
        load_instrument({"resourceType": "Patient"})


def test_duplicate_link_id_is_a_definition_error():
    with pytest.raises(DefinitionError, match="q1: linkId is not unique"):
        load_instrument(questionnaire([yes_no("q1"), yes_no("q1")]))


def test_choice_option_without_ordinal_value_is_a_definition_error():
    item = yes_no("q1")
    del item["answerOption"][1]["extension"]
    with pytest.raises(DefinitionError, match="option 'yes' has no ordinalValue"):
        load_instrument(questionnaire([item]))


def test_scoring_that_names_a_missing_item_is_a_definition_error():
    with pytest.raises(DefinitionError, match="'q9' matches no question"):
        load_instrument(questionnaire([yes_no("q1")], [{"code": "total", "rule": "sum", "items": ["q9"]}]))


def test_unknown_scoring_rule_is_a_definition_error():
    with pytest.raises(DefinitionError, match="rule must be one of"):
        load_instrument(
            questionnaire([yes_no("q1")], [{"code": "total", "rule": "average", "items": ["q1"]}])
        )


def test_overlapping_bands_are_a_definition_error():
    bands = [
        {"code": "low", "label": {"nl": "l", "en": "l"}, "min": 0, "max": 1, "source": "s"},
        {"code": "high", "label": {"nl": "h", "en": "h"}, "min": 1, "max": 2, "source": "s"},
    ]
    scores = [{"code": "total", "rule": "sum", "items": ["q*"], "bands": bands}]
    with pytest.raises(DefinitionError, match="bands low and high overlap"):
        load_instrument(questionnaire([yes_no("q1"), yes_no("q2")], scores))


def test_bands_with_a_gap_are_a_definition_error():
    bands = [
        {"code": "low", "label": {"nl": "l", "en": "l"}, "min": 0, "max": 0, "source": "s"},
        {"code": "high", "label": {"nl": "h", "en": "h"}, "min": 2, "max": 2, "source": "s"},
    ]
    scores = [{"code": "total", "rule": "sum", "items": ["q*"], "bands": bands}]
    with pytest.raises(DefinitionError, match="the value 1 falls in no band"):
        load_instrument(questionnaire([yes_no("q1"), yes_no("q2")], scores))


def test_band_without_source_is_a_definition_error():
    bands = [{"code": "all", "label": {"nl": "a", "en": "a"}, "min": 0, "max": 1}]
    with pytest.raises(DefinitionError, match="band all needs a source"):
        load_instrument(
            questionnaire([yes_no("q1")], [{"code": "t", "rule": "sum", "items": ["q1"], "bands": bands}])
        )


def test_enable_when_on_an_unknown_question_is_a_definition_error():
    item = yes_no("q1", enableWhen=[{"question": "nope", "operator": "exists", "answerBoolean": True}])
    with pytest.raises(DefinitionError, match="enableWhen refers to 'nope'"):
        load_instrument(questionnaire([item]))


def test_enable_when_cycle_is_a_definition_error():
    a = yes_no("a", enableWhen=[{"question": "b", "operator": "exists", "answerBoolean": True}])
    b = yes_no("b", enableWhen=[{"question": "a", "operator": "exists", "answerBoolean": True}])
    with pytest.raises(DefinitionError, match="cycle"):
        load_instrument(questionnaire([a, b]))


def test_enable_when_with_an_answer_that_is_not_an_option_is_a_definition_error():
    item = yes_no("q2", enableWhen=[{"question": "q1", "operator": "=", "answerCoding": {"code": "maybe"}}])
    with pytest.raises(DefinitionError, match="does not fit q1"):
        load_instrument(questionnaire([yes_no("q1"), item]))


def test_definition_error_lists_every_problem():
    bad_option = yes_no("q2")
    del bad_option["answerOption"][0]["extension"]
    with pytest.raises(DefinitionError) as exc_info:
        load_instrument(
            questionnaire(
                [yes_no("q1"), yes_no("q1"), bad_option], [{"code": "t", "rule": "sum", "items": ["zz"]}]
            )
        )
    assert len(exc_info.value.problems) == 3


# ----------------------------------------------------------------------- the Balanscheck itself


def test_balanscheck_has_every_task_with_four_detail_items(balanscheck):
    for code in TASKS:
        group = balanscheck.items[f"task.{code}"]
        assert group.type == "group" and group.code == code
        assert balanscheck.items[f"task.{code}.does"].type == "boolean"
        for detail in ("hours", "energy", "transferable"):
            item = balanscheck.items[f"task.{code}.{detail}"]
            assert item.required
            assert [(c.question, c.operator, c.answer) for c in item.enable_when] == [
                (f"task.{code}.does", "=", True)
            ]


@pytest.mark.parametrize(
    "link_id, from_light_to_heavy",
    [
        ("task.meals.energy", ["gives", "neutral", "costs_some", "costs_a_lot"]),
        ("task.meals.transferable", ["yes", "maybe", "no"]),
        ("pressure.money", ["none", "some", "a_lot"]),
        ("network.help", ["enough", "some", "little", "none"]),
        ("wellbeing.cannot_cope", ["never", "sometimes", "often", "almost_always"]),
        ("about.care_duration", ["lt_3_months", "3_12_months", "1_5_years", "gt_5_years"]),
    ],
)
def test_balanscheck_ordinal_values_rise_with_burden(balanscheck, link_id, from_light_to_heavy):
    ordinals = balanscheck.items[link_id].ordinals
    assert sorted(ordinals, key=ordinals.get) == from_light_to_heavy
    assert len(set(ordinals.values())) == len(ordinals)


def test_balanscheck_has_english_texts(balanscheck):
    assert balanscheck.items["task.household"].text.en == "Household"
    assert balanscheck.items["task.household"].text.nl == "Huishouden"
    assert balanscheck.items["pressure.money"].option("a_lot").display.en == "A lot of pressure"


def test_balanscheck_scores_a_calm_response(balanscheck):
    result = score(balanscheck, balans())
    assert result.scores["overall_burden"] == 2
    assert result.scores["task_count"] == 0
    assert result.scores["task_hours"] == 0
    assert result.bands == {}


def test_balanscheck_counts_tasks_hours_and_energy(balanscheck):
    answers = balans(
        task("household", 6, "costs_a_lot", "yes"),
        task("meals", 5, "costs_some", "maybe"),
        task("emotional_support", 3, "gives", "no"),
        task("night_care", 7, "costs_a_lot", "no"),
        about__care_hours=21,
        about__work_hours=16,
        pressure__work="a_lot",
        pressure__money="some",
        pressure__health="a_lot",
    )
    scores = score(balanscheck, answers).scores
    assert scores["task_count"] == 4
    assert scores["task_hours"] == 6 + 5 + 3 + 7
    assert scores["care_hours"] == 21
    assert scores["week_hours"] == 21 + 16
    assert scores["tasks_costing_a_lot"] == 2
    assert scores["tasks_costing_energy"] == 3
    assert scores["tasks_giving_energy"] == 1
    assert scores["pressures_a_lot"] == 2
    assert scores["pressure.work_study"] == 2
    assert scores["pressure.money"] == 1
    assert scores["pressure.own_family"] == 0


def test_score_refuses_invalid_answers(balanscheck):
    with pytest.raises(ResponseValidationError):
        score(balanscheck, balans(overall_burden=11))


# ---------------------------------------------------------------------------------- CarerQol


def test_carerqol_items_codes_and_answer_codes(carerqol):
    coded = {i.link_id: i.code for i in carerqol.questions}
    assert coded == {code: code for code in [*CARERQOL_ITEMS, "happiness"]}
    for code in CARERQOL_ITEMS:
        assert set(carerqol.items[code].ordinals) == {"no", "some", "a_lot"}
    happiness = carerqol.items["happiness"]
    assert (happiness.type, happiness.min_value, happiness.max_value) == ("integer", 0, 10)


def test_carerqol_copyright_cites_brouwer_2006_and_needs_no_permission(carerqol):
    text = carerqol.resource["copyright"]
    assert "without prior permission" in text
    assert "Brouwer" in text and "2006;15(6):1005-1021" in text
    assert "https://old.imta.nl/carerqol/" in text
    assert "official Dutch version" in carerqol.resource["description"]


def test_carerqol_ordinal_values_rise_with_burden(carerqol):
    # Negative dimensions: "a lot" of a problem is heaviest; positive ones: "no" fulfilment/support is heaviest.
    for code in CARERQOL_ITEMS:
        ordinals = carerqol.items[code].ordinals
        heaviest = "no" if code in ("fulfilment", "support") else "a_lot"
        assert max(ordinals, key=ordinals.get) == heaviest


def test_carerqol_all_best_scores_14(carerqol):
    answers = cq(fulfilment="a_lot", support="a_lot", happiness=10)  # the five problems "no"
    assert score(carerqol, answers).scores == {"total": 14, "happiness": 10}


def test_carerqol_all_worst_scores_0(carerqol):
    answers = cq(fulfilment="no", support="no", happiness=0, **{c: "a_lot" for c in CARERQOL_ITEMS[2:]})
    assert score(carerqol, answers).scores == {"total": 0, "happiness": 0}


def test_carerqol_mixed_vector_scores_5(carerqol):
    # fulfilment some = 1, support no = 0, relational some = 1, mental_health a lot = 0,
    # daily_activities some = 1, financial no = 2, physical_health a lot = 0  ->  1+0+1+0+1+2+0 = 5
    answers = cq(
        fulfilment="some",
        support="no",
        relational="some",
        mental_health="a_lot",
        daily_activities="some",
        financial="no",
        physical_health="a_lot",
        happiness=4,
    )
    assert score(carerqol, answers).scores == {"total": 5, "happiness": 4}


def test_carerqol_mixed_vector_scores_9(carerqol):
    # fulfilment a lot = 2, support some = 1, relational no = 2, mental_health some = 1,
    # daily_activities a lot = 0, financial no = 2, physical_health some = 1  ->  2+1+2+1+0+2+1 = 9
    answers = cq(
        fulfilment="a_lot",
        support="some",
        relational="no",
        mental_health="some",
        daily_activities="a_lot",
        financial="no",
        physical_health="some",
        happiness=7,
    )
    assert score(carerqol, answers).scores == {"total": 9, "happiness": 7}


def test_carerqol_has_no_bands_because_no_validated_cut_off_exists(carerqol):
    assert all(not s.bands for s in carerqol.scores)
    assert all("No validated cut-off" in s.source for s in carerqol.scores)
    assert score(carerqol, cq()).bands == {}


def test_carerqol_total_is_higher_is_better(carerqol):
    assert {s.code: s.direction for s in carerqol.scores} == {
        "total": "higher_is_better",
        "happiness": "higher_is_better",
    }


# --------------------------------------------------------------- operator-loaded instruments


@pytest.fixture(scope="module")
def four_items():
    return load_instrument_file(DATA / "four_item_count.json")


@pytest.mark.parametrize(
    "yes, total, band",
    [
        ([], 0, "low"),
        (["q1", "q3"], 2, "low"),
        (["q1", "q2", "q4"], 3, "high"),
        (["q1", "q2", "q3", "q4"], 4, "high"),
    ],
)
def test_four_item_count_bands_at_their_edges(four_items, yes, total, band):
    answers = {q: "yes" if q in yes else "no" for q in ("q1", "q2", "q3", "q4")}
    result = score(four_items, answers)
    assert result.scores["total"] == total
    assert result.bands["total"].code == band
    assert result.bands["total"].source == "test fixture, not an instrument"


def test_four_item_per_dimension_scores_each_group(four_items):
    result = score(four_items, {"q1": "yes", "q2": "yes", "q3": "no", "q4": "no"})
    assert (result.scores["part.sleep"], result.scores["part.time"]) == (2, 0)
    assert (result.bands["part.sleep"].code, result.bands["part.time"].code) == ("some", "none")


@pytest.fixture(scope="module")
def ediz_plus():
    return load_instrument_file(DATA / "ediz_plus_shape.json")


@pytest.mark.parametrize(
    "yes_count, band",
    [(0, "none"), (1, "light"), (3, "light"), (4, "moderate"), (8, "moderate"), (9, "heavy"), (15, "heavy")],
)
def test_ediz_plus_shaped_instrument_bands_at_their_edges(ediz_plus, yes_count, band):
    answers = {f"ediz.{i}": "yes" if i <= yes_count else "no" for i in range(1, 16)}
    result = score(ediz_plus, answers)
    assert result.scores["total"] == yes_count
    assert result.bands["total"].code == band
    assert "De Boer" in result.bands["total"].source


@pytest.mark.parametrize(
    "yes_count, band", [(0, "below_cutoff"), (6, "below_cutoff"), (7, "high_strain"), (13, "high_strain")]
)
def test_csi_shaped_instrument_counts_yes_with_cut_off_7(yes_count, band):
    csi = load_instrument_file(DATA / "csi_shape.json")
    answers = {f"csi.{i}": i <= yes_count for i in range(1, 14)}
    result = score(csi, answers)
    assert result.scores["total"] == yes_count
    assert result.bands["total"].code == band
    assert "Robinson" in result.bands["total"].source


def test_reversed_integer_item_uses_min_and_max_value():
    item = {
        "linkId": "n",
        "text": "n",
        "type": "integer",
        "extension": [
            {"url": "http://hl7.org/fhir/StructureDefinition/minValue", "valueInteger": 1},
            {"url": "http://hl7.org/fhir/StructureDefinition/maxValue", "valueInteger": 5},
        ],
    }
    instrument = load_instrument(
        questionnaire([item], [{"code": "t", "rule": "sum", "items": ["n"], "reversed": ["n"]}])
    )
    # on a 1-5 scale, reversing maps 1<->5 and 2<->4
    assert [score(instrument, {"n": n}).scores["t"] for n in (1, 2, 5)] == [5, 4, 1]


def test_reversed_item_without_range_is_a_definition_error():
    item = {"linkId": "n", "text": "n", "type": "integer"}
    with pytest.raises(DefinitionError, match="needs minValue and maxValue"):
        load_instrument(
            questionnaire([item], [{"code": "t", "rule": "sum", "items": ["n"], "reversed": ["n"]}])
        )


# -------------------------------------------------------------------------------- validation


def test_valid_answers_come_back_clean_in_questionnaire_order(balanscheck):
    answers = balans(task("meals"))
    cleaned = validate_answers(balanscheck, dict(reversed(list(answers.items()))))
    assert cleaned == answers
    assert list(cleaned) == [i.link_id for i in balanscheck.questions if i.link_id in answers]


def test_unknown_link_id_is_an_error(balanscheck):
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, balans(favourite_colour="blue"))
    assert error_codes(exc_info) == [("favourite_colour", "unknown_item")]


def test_an_answer_to_a_group_is_an_unknown_item(balanscheck):
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, balans(tasks=True))
    assert error_codes(exc_info) == [("tasks", "unknown_item")]


def test_missing_required_answer_is_an_error(balanscheck):
    answers = balans()
    del answers["overall_burden"]
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, answers)
    assert error_codes(exc_info) == [("overall_burden", "required")]


@pytest.mark.parametrize("empty", [None, ""])
def test_none_and_empty_text_count_as_unanswered(balanscheck, empty):
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, balans(network__help=empty))
    assert error_codes(exc_info) == [("network.help", "required")]


def test_details_of_a_task_you_do_are_required(balanscheck):
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, balans(task__meals__does=True))
    assert error_codes(exc_info) == [
        ("task.meals.energy", "required"),
        ("task.meals.hours", "required"),
        ("task.meals.transferable", "required"),
    ]


def test_details_of_a_task_you_do_not_do_are_not_required(balanscheck):
    cleaned = validate_answers(balanscheck, balans(task__meals__does=False))
    assert "task.meals.hours" not in cleaned


def test_answers_to_disabled_items_are_dropped_even_when_invalid(balanscheck):
    answers = balans(task__meals__hours=500, task__meals__energy="costs_a_lot", task__other__description="x")
    cleaned = validate_answers(balanscheck, answers)
    assert not any(k.startswith("task.meals.") and k != "task.meals.does" for k in cleaned)
    assert "task.other.description" not in cleaned


def test_work_pressure_is_asked_only_when_you_work_or_study(balanscheck):
    assert "pressure.work" not in validate_answers(
        balanscheck, balans(about__work_hours=0, pressure__work="a_lot")
    )
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, balans(about__work_hours=1))
    assert error_codes(exc_info) == [("pressure.work", "required")]


@pytest.mark.parametrize(
    "link_id, value",
    [
        ("overall_burden", True),
        ("overall_burden", "7"),
        ("overall_burden", 7.5),
        ("about.lives_with", 1),
        ("network.help", 2),
    ],
)
def test_wrong_type_is_an_error(balanscheck, link_id, value):
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, balans(**{link_id.replace(".", "__"): value}))
    assert error_codes(exc_info) == [(link_id, "invalid_type")]


@pytest.mark.parametrize(
    "link_id, value, ok",
    [
        ("overall_burden", -1, False),
        ("overall_burden", 0, True),
        ("overall_burden", 10, True),
        ("overall_burden", 11, False),
        ("about.care_hours", 168, True),
        ("about.care_hours", 169, False),
    ],
)
def test_integer_range_comes_from_min_and_max_value(balanscheck, link_id, value, ok):
    answers = balans(**{link_id.replace(".", "__"): value})
    if ok:
        assert validate_answers(balanscheck, answers)[link_id] == value
    else:
        with pytest.raises(ResponseValidationError) as exc_info:
            validate_answers(balanscheck, answers)
        assert error_codes(exc_info) == [(link_id, "out_of_range")]


def test_text_longer_than_max_length_is_out_of_range(balanscheck):
    answers = balans(task("other"), task__other__description="x" * 201)
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, answers)
    assert error_codes(exc_info) == [("task.other.description", "out_of_range")]
    assert validate_answers(balanscheck, balans(task("other"), task__other__description="x" * 200))


def test_unknown_answer_code_is_an_invalid_option(balanscheck):
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, balans(task("meals", energy="exhausted")))
    assert error_codes(exc_info) == [("task.meals.energy", "invalid_option")]


def test_every_error_is_collected_not_only_the_first(balanscheck):
    answers = balans(task("meals", hours=-3, energy="exhausted"), overall_burden="heavy", unknown=1)
    del answers["network.help"]
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, answers)
    assert error_codes(exc_info) == [
        ("network.help", "required"),
        ("overall_burden", "invalid_type"),
        ("task.meals.energy", "invalid_option"),
        ("task.meals.hours", "out_of_range"),
        ("unknown", "unknown_item"),
    ]
    assert all(e["message"] for e in exc_info.value.errors)


def test_answers_that_are_not_a_dict_are_an_error(balanscheck):
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(balanscheck, ["overall_burden", 3])
    assert error_codes(exc_info) == [(None, "invalid_type")]


# ------------------------------------------------------------------------------- enableWhen


def gated(operator, answer_key, answer, behavior=None, extra=None):
    conds = [{"question": "gate", "operator": operator, answer_key: answer}] + (extra or [])
    target = {"linkId": "target", "text": "t", "type": "integer", "required": True, "enableWhen": conds}
    if behavior:
        target["enableBehavior"] = behavior
    gate = {"linkId": "gate", "text": "g", "type": "integer"}
    other = {"linkId": "other", "text": "o", "type": "boolean"}
    return load_instrument(questionnaire([gate, other, target]))


@pytest.mark.parametrize(
    "operator, gate_value, enabled",
    [
        ("=", 3, True),
        ("=", 4, False),
        ("!=", 4, True),
        ("!=", 3, False),
        ("!=", None, True),  # FHIR: no answer equals 3, so "!=" holds
        (">", 4, True),
        (">", 3, False),
        (">=", 3, True),
        ("<", 2, True),
        ("<=", 4, False),
        ("=", None, False),
    ],
)
def test_enable_when_operators(operator, gate_value, enabled):
    instrument = gated(operator, "answerInteger", 3)
    answers = {} if gate_value is None else {"gate": gate_value}
    assert ("target" in enabled_items(instrument, answers)) is enabled


@pytest.mark.parametrize("gate_value, enabled", [(None, False), (0, True)])
def test_enable_when_exists(gate_value, enabled):
    instrument = gated("exists", "answerBoolean", True)
    answers = {} if gate_value is None else {"gate": gate_value}
    assert ("target" in enabled_items(instrument, answers)) is enabled


@pytest.mark.parametrize(
    "behavior, other, enabled", [("all", False, False), ("any", False, True), ("all", True, True)]
)
def test_enable_behavior_all_and_any(behavior, other, enabled):
    extra = [{"question": "other", "operator": "=", "answerBoolean": True}]
    instrument = gated("=", "answerInteger", 3, behavior=behavior, extra=extra)
    assert ("target" in enabled_items(instrument, {"gate": 3, "other": other})) is enabled


def test_children_of_a_disabled_group_are_disabled():
    group = {
        "linkId": "g",
        "text": "g",
        "type": "group",
        "enableWhen": [{"question": "gate", "operator": "=", "answerBoolean": True}],
        "item": [{"linkId": "inner", "text": "i", "type": "integer", "required": True}],
    }
    instrument = load_instrument(questionnaire([{"linkId": "gate", "text": "g", "type": "boolean"}, group]))
    assert validate_answers(instrument, {"gate": False, "inner": 99}) == {"gate": False}
    with pytest.raises(ResponseValidationError) as exc_info:
        validate_answers(instrument, {"gate": True})
    assert error_codes(exc_info) == [("inner", "required")]


def test_a_condition_on_a_disabled_question_sees_no_answer():
    first = {"linkId": "a", "text": "a", "type": "boolean"}
    second = {
        "linkId": "b",
        "text": "b",
        "type": "boolean",
        "enableWhen": [{"question": "a", "operator": "=", "answerBoolean": True}],
    }
    third = {
        "linkId": "c",
        "text": "c",
        "type": "boolean",
        "enableWhen": [{"question": "b", "operator": "exists", "answerBoolean": True}],
    }
    instrument = load_instrument(questionnaire([first, second, third]))
    assert enabled_items(instrument, {"a": False, "b": True}) == {"a"}
    assert enabled_items(instrument, {"a": True, "b": True}) == {"a", "b", "c"}


def test_empty_text_and_read_only_answers_count_as_unanswered_for_enable_when():
    name = {"linkId": "name", "text": "n", "type": "string"}
    total = {"linkId": "total", "text": "t", "type": "integer", "readOnly": True}
    after_name = {
        "linkId": "a",
        "text": "a",
        "type": "boolean",
        "enableWhen": [{"question": "name", "operator": "exists", "answerBoolean": True}],
    }
    after_total = {
        "linkId": "b",
        "text": "b",
        "type": "boolean",
        "enableWhen": [{"question": "total", "operator": "exists", "answerBoolean": True}],
    }
    instrument = load_instrument(questionnaire([name, total, after_name, after_total]))
    assert validate_answers(instrument, {"name": "", "total": 3, "a": True, "b": True}) == {}
    assert validate_answers(instrument, {"name": "Ada", "a": True}) == {"name": "Ada", "a": True}


@pytest.mark.parametrize(
    "answers",
    [
        balans(task__meals__hours=40, pressure__work="a_lot"),  # stale answers to disabled items
        balans(task("other"), task__other__description="", wellbeing__safety=None),  # empty answers
        balans(
            task("meals"), task("night_care", 3, "costs_a_lot"), about__work_hours=20, pressure__work="some"
        ),
    ],
)
def test_validation_is_idempotent(balanscheck, answers):
    cleaned = validate_answers(balanscheck, answers)
    assert validate_answers(balanscheck, cleaned) == cleaned
    assert score(balanscheck, answers).answers == cleaned


# ------------------------------------------------------------------------------- FHIR exchange


def test_questionnaire_response_round_trip_keeps_every_answer(balanscheck):
    answers = balans(
        task("household", 6, "costs_a_lot", "yes"),
        task("other", 1, "gives", "maybe"),
        task__other__description="Hond uitlaten",
    )
    qr = answers_to_questionnaire_response(balanscheck, answers, authored="2025-01-02T10:00:00+01:00")
    assert questionnaire_response_to_answers(balanscheck, qr) == validate_answers(balanscheck, answers)


def test_questionnaire_response_is_valid_fhir_r4b_and_carries_the_scores(balanscheck):
    answers = balans(task("household", 6, "costs_a_lot", "yes"))
    result = score(balanscheck, answers)
    qr = answers_to_questionnaire_response(balanscheck, answers, result)
    resource = QuestionnaireResponse.model_validate(qr)
    assert resource.status == "completed"
    assert resource.questionnaire == "https://mantelzorg.nl/fhir/Questionnaire/balanscheck|1.0.0"
    carried = {
        parts["code"]["valueCode"]: parts["value"].get("valueInteger", parts["value"].get("valueDecimal"))
        for parts in (
            {p["url"]: p for p in ext["extension"]} for ext in qr["extension"] if ext["url"] == SCORE_URL
        )
    }
    assert carried == result.scores


def test_questionnaire_response_nests_answers_in_their_groups(balanscheck):
    qr = answers_to_questionnaire_response(balanscheck, balans(task("meals", 3)))
    tasks = next(i for i in qr["item"] if i["linkId"] == "tasks")
    meals = next(i for i in tasks["item"] if i["linkId"] == "task.meals")
    hours = next(i for i in meals["item"] if i["linkId"] == "task.meals.hours")
    assert hours["answer"] == [{"valueInteger": 3}]
    energy = next(i for i in meals["item"] if i["linkId"] == "task.meals.energy")
    assert energy["answer"][0]["valueCoding"]["code"] == "neutral"
    assert (
        energy["answer"][0]["valueCoding"]["system"]
        == "https://mantelzorg.nl/fhir/CodeSystem/balanscheck-answer"
    )
    household = next(i for i in tasks["item"] if i["linkId"] == "task.household")
    # the details of a task you do not do are left out
    assert [i["linkId"] for i in household["item"]] == ["task.household.does"]


def test_carerqol_response_carries_total_and_is_valid_fhir(carerqol):
    qr = answers_to_questionnaire_response(carerqol, cq(fulfilment="a_lot", support="a_lot", happiness=8))
    QuestionnaireResponse.model_validate(qr)
    assert questionnaire_response_to_answers(carerqol, qr)["happiness"] == 8
    total = next(e for e in qr["extension"] if e["extension"][0]["valueCode"] == "total")
    assert total["extension"][1] == {"url": "value", "valueInteger": 14}


def test_questionnaire_response_carries_the_band(ediz_plus):
    answers = {f"ediz.{i}": "yes" if i <= 9 else "no" for i in range(1, 16)}
    qr = answers_to_questionnaire_response(ediz_plus, answers)
    QuestionnaireResponse.model_validate(qr)
    band = qr["extension"][0]["extension"][2]
    assert band["url"] == "band" and band["valueCoding"]["code"] == "heavy"


def test_scores_of_another_instrument_are_refused(balanscheck, carerqol):
    with pytest.raises(ValueError, match="another instrument"):
        answers_to_questionnaire_response(balanscheck, balans(), score(carerqol, cq()))


def qr_for(instrument, answers):
    return answers_to_questionnaire_response(instrument, answers)


def find(items, link_id):
    for item in items:
        if item["linkId"] == link_id:
            return item
        found = find(item.get("item", []), link_id)
        if found:
            return found
    return None


def test_questionnaire_response_with_unknown_link_id_names_it(balanscheck):
    qr = qr_for(balanscheck, balans())
    qr["item"].append({"linkId": "mystery", "answer": [{"valueBoolean": True}]})
    with pytest.raises(ResponseValidationError) as exc_info:
        questionnaire_response_to_answers(balanscheck, qr)
    assert error_codes(exc_info) == [("mystery", "unknown_item")]


def test_questionnaire_response_with_wrong_value_type_names_the_link_id(balanscheck):
    qr = qr_for(balanscheck, balans())
    find(qr["item"], "overall_burden")["answer"] = [{"valueString": "2"}]
    with pytest.raises(ResponseValidationError) as exc_info:
        questionnaire_response_to_answers(balanscheck, qr)
    assert error_codes(exc_info) == [("overall_burden", "invalid_type")]


def test_questionnaire_response_with_coding_from_another_system_is_an_invalid_option(balanscheck):
    qr = qr_for(balanscheck, balans())
    find(qr["item"], "network.help")["answer"][0]["valueCoding"]["system"] = "http://example.org/other"
    with pytest.raises(ResponseValidationError) as exc_info:
        questionnaire_response_to_answers(balanscheck, qr)
    assert error_codes(exc_info) == [("network.help", "invalid_option")]


def test_questionnaire_response_with_two_answers_is_an_error(balanscheck):
    qr = qr_for(balanscheck, balans())
    item = find(qr["item"], "overall_burden")
    item["answer"] = item["answer"] * 2
    with pytest.raises(ResponseValidationError) as exc_info:
        questionnaire_response_to_answers(balanscheck, qr)
    assert error_codes(exc_info) == [("overall_burden", "invalid_type")]


def test_questionnaire_response_for_another_questionnaire_is_refused(balanscheck):
    qr = qr_for(balanscheck, balans())
    qr["questionnaire"] = "https://mantelzorg.nl/fhir/Questionnaire/balanscheck|0.9.0"
    with pytest.raises(ResponseValidationError) as exc_info:
        questionnaire_response_to_answers(balanscheck, qr)
    assert error_codes(exc_info) == [(None, "wrong_questionnaire")]


def test_questionnaire_response_reports_structural_and_validation_errors_together(balanscheck):
    qr = qr_for(balanscheck, balans())
    find(qr["item"], "overall_burden")["answer"] = [{"valueInteger": 12}]
    wellbeing = find(qr["item"], "wellbeing")
    wellbeing["item"] = [i for i in wellbeing["item"] if i["linkId"] != "wellbeing.cannot_cope"]
    find(qr["item"], "network.help")["answer"] = [{"valueBoolean": True}]
    with pytest.raises(ResponseValidationError) as exc_info:
        questionnaire_response_to_answers(balanscheck, qr)
    assert error_codes(exc_info) == [
        ("network.help", "invalid_type"),
        ("overall_burden", "out_of_range"),
        ("wellbeing.cannot_cope", "required"),
    ]


def test_decimal_items_accept_value_integer_and_value_decimal():
    instrument = load_instrument(questionnaire([{"linkId": "kg", "text": "kg", "type": "decimal"}]))
    for answer, expected in ([{"valueDecimal": 72.5}], 72.5), ([{"valueInteger": 72}], 72):
        qr = {
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "item": [{"linkId": "kg", "answer": answer}],
        }
        assert questionnaire_response_to_answers(instrument, qr) == {"kg": expected}


def test_not_a_questionnaire_response_is_refused(balanscheck):
    with pytest.raises(ResponseValidationError) as exc_info:
        questionnaire_response_to_answers(balanscheck, {"resourceType": "Patient"})
    assert error_codes(exc_info) == [(None, "invalid_type")]


# ---------------------------------------------------------------------------- condition language


@pytest.mark.parametrize(
    "condition, expected",
    [
        ({">=": [{"var": "n"}, 3]}, True),
        ({">": [{"var": "n"}, 3]}, False),
        ({"<": [{"var": "n"}, {"threshold": "t"}]}, True),
        ({"<=": [{"var": "missing"}, 3]}, False),  # a missing fact is never compared as a number
        ({"==": [{"var": "flag"}, 1]}, False),  # True is not 1
        ({"==": [{"var": "flag"}, True]}, True),
        ({"!=": [{"var": "code"}, "none"]}, True),
        ({"in": [{"var": "code"}, ["little", "none"]]}, True),
        ({"in": [{"var": "missing"}, ["little", None]]}, True),
        ({"intersects": [{"var": "tasks"}, ["meals", "medical"]]}, True),
        ({"intersects": [{"var": "tasks"}, ["medical"]]}, False),
        ({"and": [{"var": "flag"}, {">=": [{"var": "n"}, 4]}]}, False),
        ({"or": [{"var": "missing"}, {">=": [{"var": "n"}, 3]}]}, True),
        ({"not": {"var": "flag"}}, False),
    ],
)
def test_condition_language(condition, expected):
    facts = {"n": 3, "flag": True, "code": "little", "tasks": ["meals", "household"]}
    assert reference.evaluate(condition, facts, {"t": 5}) is expected
    assert reference.evaluate_tree(condition, facts, {"t": 5}) is expected


class _Text(str):
    """A str subclass: never the same kind as a plain text in the condition language."""


_ODD_VALUES = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    2,
    -1,
    2.5,
    3,
    float("nan"),
    float("inf"),
    "",
    "x",
    "1",
    "little",
    "night_care",
    _Text("little"),
    _Text("night_care"),
    [],
    ["night_care"],
    ["x", 1],
    [["night_care"]],
    [_Text("night_care")],
    [True],
    [1.0],
    {"a": 1},
]
_SHAPES = [
    *({op: [{"var": "v"}, {"threshold": "t"}]} for op in ("==", "!=", ">=", ">", "<=", "<")),
    *(
        {op: [{"var": "v"}, literal]}
        for op in ("==", "!=", ">=", "<")
        for literal in (True, False, None, "little", 1, 2.5, "1")
    ),
    {"in": [{"var": "v"}, ["little", "none"]]},
    {"in": [{"var": "v"}, [1, 2.5]]},
    {"in": [{"var": "v"}, [1, "x"]]},
    {"in": [{"var": "v"}, [True]]},
    {"in": [{"var": "v"}, []]},
    {"intersects": [{"var": "v"}, ["night_care", "x"]]},
    {"intersects": [{"var": "v"}, [1]]},
    {"in": ["night_care", {"var": "v"}]},
    {"in": [1, {"var": "v"}]},
    {"and": [{">=": [{"var": "v"}, {"threshold": "t"}]}, {"!=": [{"var": "v"}, 3]}]},
    {"or": [{"==": [{"var": "v"}, "x"]}, {"in": ["night_care", {"var": "v"}]}, {"==": [{"var": "v"}, True]}]},
    {"not": {"in": [{"var": "v"}, ["little"]]}},
]


@pytest.mark.parametrize("condition", _SHAPES, ids=lambda c: json.dumps(c)[:60])
def test_compiled_shapes_agree_with_the_tree_walk_on_odd_values(condition):
    """The compiler's special cases (a fact against a threshold or a literal, ``in`` a literal list,
    a text ``in`` a list fact) give exactly the tree walk's value, also for values of the wrong
    kind: booleans against numbers, NaN, text subclasses, nested lists."""
    compiled = conditions.compile_condition(condition)
    for value in _ODD_VALUES:
        for threshold in (3, 2.5, 0):
            facts, thresholds = {"v": value}, {"t": threshold}
            expected = reference.evaluate_tree(condition, facts, thresholds)
            got = compiled(facts, thresholds)
            assert got is expected or (got == expected and type(got) is type(expected)), (value, threshold)
    assert reference.evaluate_tree(condition, {}, {"t": 3}) == compiled({}, {"t": 3})  # no such fact


def test_compiled_rules_agree_with_the_tree_walk():
    """Every shipped level, urgent and advice condition gives the same value compiled as walked,
    over many generated responses (the compiled form is what runs)."""
    import random

    from mantelzorg.assessment.engine import load_all_builtin, score

    level_rules, advice_rules = balance.load_level_rules(), balance.load_advice_rules()
    instrument = load_all_builtin()["balanscheck"]
    rules = level_rules.self_report + level_rules.context + level_rules.urgent_rules
    when = [r.when for r in rules] + [w for _, w in advice_rules.cards]
    rng = random.Random(7)
    checked = 0
    for _ in range(150):
        answers = random_answers(instrument, rng)
        try:
            result = score(instrument, answers)
        except ResponseValidationError:
            continue
        level = balance.derive_level(result)
        facts = balance._facts(
            instrument,
            level.scores,
            level.bands,
            result.answers,
            {
                "tasks": level.tasks,
                "pressure_points": level.pressure_points,
                "energy_sources": level.energy_sources,
                "transferable_tasks": level.transferable_tasks,
            },
        )
        facts.update(level=level.code, urgent=level.urgent)
        for condition in when:
            compiled = reference.evaluate(condition, facts, level.thresholds)
            assert compiled == reference.evaluate_tree(condition, facts, level.thresholds)
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    "condition, problem",
    [
        ({"eval": "1+1"}, "unknown operator 'eval'"),
        ({">=": [1]}, "needs a list of two operands"),
        ({"and": []}, "needs a non-empty list"),
        ({"threshold": "nope"}, "unknown threshold 'nope'"),
        ({"var": "secret"}, "unknown fact 'secret'"),
        ({"var": "a", "threshold": "t"}, "exactly one key"),
    ],
)
def test_condition_check_finds_mistakes(condition, problem):
    problems = conditions.check(condition, {"t"}, lambda name: name == "a", "rule x")
    assert problems and problem in problems[0]
