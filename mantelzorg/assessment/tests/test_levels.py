"""The level model (README.md, "The level model"): own answers first, context at most one step,
protective factors count, a crisis is never followed by reassurance. Vignettes in vignettes.py."""

import copy
import json
import re
from pathlib import Path

import pytest

from mantelzorg.assessment import balance, engine
from mantelzorg.assessment.balance import DefinitionError, load_level_rules, parse_level_rules

from .answers import balans, cq, instrument, level_of, task
from .vignettes import VIGNETTES

RULES = Path(__file__).resolve().parents[1] / "rules"
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def balanscheck():
    return instrument()


# ------------------------------------------------------------------------------------ vignettes


def test_there_are_at_least_twenty_vignettes_with_a_reason():
    assert len(VIGNETTES) >= 20
    assert len({v["code"] for v in VIGNETTES}) == len(VIGNETTES)
    assert all(v["persona"] and v["why"] for v in VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["code"] for v in VIGNETTES])
def test_vignette(balanscheck, vignette):
    result = level_of(balanscheck, vignette["answers"])
    assert (result.code, result.urgent) == (vignette["level"], vignette["urgent"]), (
        vignette["persona"],
        result.base,
        result.context_sum,
        [r.rule for r in result.reasons],
    )


def test_the_readme_table_lists_every_vignette_with_its_level():
    text = README.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \|[^|]*\| ([a-z]+) \|", text, flags=re.MULTILINE))
    assert rows == {v["code"]: v["level"] for v in VIGNETTES}


def test_the_three_reported_cases_are_told_apart(balanscheck):
    """2/10 with many hours, 8/10 with night care and a teenager alone had the same or inverted levels."""
    levels = {v["code"]: level_of(balanscheck, v["answers"]) for v in VIGNETTES[:3]}
    ranks = {lvl.code: lvl.rank for lvl in load_level_rules().levels}
    low, night, teen = (
        ranks[levels[c].code] for c in ("low_burden_many_hours", "heavy_with_night_care", "teenager_alone")
    )
    assert low < teen < night


# ------------------------------------------------------------------------- own answers weigh most


@pytest.mark.parametrize(
    "burden, level",
    [
        (0, "balanced"),
        (4, "balanced"),
        (5, "attention"),
        (6, "attention"),
        (7, "heavy"),
        (8, "heavy"),
        (9, "overloaded"),
    ],
)
def test_base_level_follows_the_burden_rating_at_its_edges(balanscheck, burden, level):
    result = level_of(balanscheck, balans(overall_burden=burden))
    assert (result.base, result.code) == (level, level)


@pytest.mark.parametrize(
    "answer, level",
    [("never", "balanced"), ("sometimes", "attention"), ("often", "heavy"), ("almost_always", "overloaded")],
)
def test_base_level_follows_cannot_cope(balanscheck, answer, level):
    assert level_of(balanscheck, balans(wellbeing__cannot_cope=answer)).base == level


def test_the_heavier_of_the_two_self_reports_counts(balanscheck):
    assert level_of(balanscheck, balans(overall_burden=8, wellbeing__cannot_cope="sometimes")).base == "heavy"
    assert level_of(balanscheck, balans(overall_burden=5, wellbeing__cannot_cope="often")).base == "heavy"


# ------------------------------------------------------------------------------------- context


@pytest.mark.parametrize(
    "answers, signal",
    [
        (balans(about__care_hours=20), "care_hours_many"),
        (balans(about__care_hours=12, about__work_hours=48, pressure__work="none"), "week_hours_many"),
        (balans(task("night_care", 1)), "night_care"),
        (balans(task("meals", 1, "costs_a_lot"), task("transport", 1, "costs_a_lot")), "tasks_costing_a_lot"),
        (balans(pressure__family="a_lot", pressure__money="a_lot"), "pressures_a_lot"),
        (balans(network__help="none"), "help_none"),
        (balans(network__help="little"), "help_little"),
    ],
)
def test_each_risk_signal_counts_one(balanscheck, answers, signal):
    answers["network.help"] = (
        answers["network.help"] if signal.startswith("help_") else "some"
    )  # no protection
    result = level_of(balanscheck, answers)
    assert [r.rule for r in result.reasons if r.kind == balance.RISK] == [signal]
    assert result.context_sum == 1 and result.code == result.base == "balanced"


@pytest.mark.parametrize(
    "answers, below",
    [
        (balans(about__care_hours=19), "care_hours_many"),
        (balans(about__care_hours=12, about__work_hours=47, pressure__work="none"), "week_hours_many"),
        (balans(task("meals", 1, "costs_a_lot"), task("transport", 1, "costs_some")), "tasks_costing_a_lot"),
        (balans(pressure__family="a_lot", pressure__money="some"), "pressures_a_lot"),
    ],
)
def test_risk_signals_just_below_their_threshold_do_not_count(balanscheck, answers, below):
    assert below not in [r.rule for r in level_of(balanscheck, answers).reasons]


def test_hours_count_once_when_both_care_and_week_hours_are_many(balanscheck):
    result = level_of(balanscheck, balans(about__care_hours=30, about__work_hours=40, pressure__work="none"))
    assert [r.rule for r in result.reasons if r.kind == balance.RISK] == ["care_hours_many"]


def test_two_risk_signals_raise_the_level_one_step(balanscheck):
    answers = balans(task("night_care", 2), overall_burden=5, about__care_hours=25, network__help="some")
    result = level_of(balanscheck, answers)
    assert (result.base, result.context_sum, result.code) == ("attention", 2, "heavy")
    assert "raised" in [r.rule for r in result.reasons]


def test_context_never_raises_more_than_one_step(balanscheck):
    answers = balans(
        task("night_care", 2, "costs_a_lot"),
        task("personal_care", 2, "costs_a_lot"),
        about__care_hours=60,
        network__help="none",
        pressure__family="a_lot",
        pressure__health="a_lot",
    )
    result = level_of(balanscheck, answers)
    assert result.context_sum == 5
    assert (result.base, result.code) == ("balanced", "attention")


def test_protective_factors_offset_risk_signals_but_never_lower_the_base(balanscheck):
    risky = balans(
        task("night_care", 2), task("emotional_support", 2, "gives"), overall_burden=5, about__care_hours=25
    )
    result = level_of(balanscheck, risky)
    assert result.context_sum == 0 and result.code == "attention"  # two risks, help and energy
    calm = level_of(balanscheck, balans(task("emotional_support", 2, "gives"), overall_burden=8))
    assert calm.context_sum == -2 and calm.code == "heavy"


def test_the_top_level_is_not_raised(balanscheck):
    result = level_of(balanscheck, balans(overall_burden=9, about__care_hours=40, network__help="none"))
    assert (result.code, "raised" in [r.rule for r in result.reasons]) == ("overloaded", False)


# --------------------------------------------------------------------------------------- crisis


@pytest.mark.parametrize(
    "answers, rule",
    [
        (balans(overall_burden=10), "urgent_burden"),
        (balans(wellbeing__safety=True), "safety"),
        (balans(wellbeing__cannot_cope="almost_always"), "urgent_cannot_cope"),
    ],
)
def test_a_crisis_signal_makes_the_result_urgent_and_at_least_overloaded(balanscheck, answers, rule):
    result = level_of(balanscheck, answers)
    assert result.urgent and result.code == "overloaded"
    assert [r.rule for r in result.urgent_reasons] == [rule]
    assert result.description == load_level_rules().urgent_description


def test_a_crisis_is_never_followed_by_reassurance(balanscheck):
    result = level_of(balanscheck, balans(task("meals", 2, "gives"), wellbeing__safety=True))
    shown = [r.rule for r in result.reasons]
    assert not {"burden_low", "cannot_cope_never", "help_enough", "energy_sources", "no_signals"} & set(shown)
    assert "evenwicht" not in result.description.nl


def test_no_crisis_without_a_crisis_answer(balanscheck):
    assert not level_of(balanscheck, balans(overall_burden=9, wellbeing__safety=False)).urgent


# ------------------------------------------------------------------------------- reasons, texts


def test_one_reason_per_fact_with_numbers_filled_in(balanscheck):
    result = level_of(balanscheck, balans(overall_burden=8, about__care_hours=30, network__help="some"))
    rules = [r.rule for r in result.reasons]
    assert rules == ["burden_heavy", "cannot_cope_never", "care_hours_many"]
    assert result.reasons[0].text.nl == "Je geeft de zwaarte van de zorg een 8 van 10. De zorg voelt zwaar."
    assert "30 hours a week" in result.reasons[2].text.en and "20 hours or more" in result.reasons[2].text.en
    texts = [r.text.nl for r in result.reasons]
    assert len(texts) == len(set(texts))


def test_calm_answers_say_what_was_answered_not_a_default(balanscheck):
    result = level_of(balanscheck, balans())
    assert (result.code, result.label.nl) == ("balanced", "In balans")
    assert [r.rule for r in result.reasons] == ["burden_low", "cannot_cope_never", "help_enough"]


def test_level_labels_in_dutch():
    assert {lvl.code: lvl.label.nl for lvl in load_level_rules().levels} == {
        "balanced": "In balans",
        "attention": "Let op",
        "heavy": "Zwaar belast",
        "overloaded": "Overbelast",
    }


# ------------------------------------------------------------------------- gemeente thresholds


def test_a_gemeente_can_override_thresholds_without_code(balanscheck):
    answers = balans(overall_burden=5)
    assert level_of(balanscheck, answers).code == "attention"
    result = level_of(balanscheck, answers, {"burden_attention": 6})
    assert result.code == "balanced" and result.thresholds["burden_attention"] == 6


def test_a_gemeente_can_count_fewer_hours_as_a_signal(balanscheck):
    answers = balans(
        about__care_hours=16, network__help="some", pressure__health="a_lot", pressure__money="a_lot"
    )
    assert level_of(balanscheck, answers).code == "balanced"
    assert level_of(balanscheck, answers, {"care_hours_many": 16}).code == "attention"


def test_a_gemeente_can_raise_on_a_single_signal(balanscheck):
    answers = balans(overall_burden=7, network__help="none")
    assert level_of(balanscheck, answers).code == "heavy"
    assert level_of(balanscheck, answers, {"context_raise_at": 1}).code == "overloaded"


@pytest.mark.parametrize(
    "override, problem",
    [({"burden_hevy": 6}, "unknown threshold 'burden_hevy'"), ({"burden_heavy": "6"}, "must be a number")],
)
def test_a_wrong_override_is_refused(balanscheck, override, problem):
    with pytest.raises(DefinitionError, match=problem):
        level_of(balanscheck, balans(), override)


# ------------------------------------------------------------------------------- task insights


def test_pressure_points_energy_sources_and_transferable_tasks(balanscheck):
    answers = balans(
        task("household", 3, "costs_some", "maybe"),
        task("administration", 2, "costs_a_lot", "yes"),
        task("personal_care", 9, "costs_a_lot", "no"),
        task("emotional_support", 5, "gives", "no"),
        task("transport", 1, "neutral", "yes"),
    )
    result = level_of(balanscheck, answers)
    assert [(t.task, t.hours, t.energy) for t in result.pressure_points] == [
        ("personal_care", 9, "costs_a_lot"),
        ("administration", 2, "costs_a_lot"),
        ("household", 3, "costs_some"),
    ]
    assert [t.task for t in result.energy_sources] == ["emotional_support"]
    assert [(t.task, t.transferable) for t in result.transferable_tasks] == [
        ("administration", "yes"),
        ("transport", "yes"),
        ("household", "maybe"),
    ]
    assert result.pressure_points[0].label.nl == "Persoonlijke verzorging"


def test_stale_answers_to_disabled_items_do_not_make_pressure_points(balanscheck):
    result = level_of(balanscheck, balans(task__meals__energy="costs_a_lot", task__meals__hours=40))
    assert result.pressure_points == () and result.code == "balanced"


def test_level_rules_refuse_another_instrument():
    carerqol = instrument("carerqol")
    with pytest.raises(ValueError, match="level rules are for"):
        balance.derive_level(engine.score(carerqol, cq()))


# ---------------------------------------------------------------------------------- rule files


def test_every_rule_and_threshold_names_a_source_in_both_languages():
    rules = load_level_rules()
    for rule in (*rules.self_report, *rules.context, *rules.urgent_rules):
        assert rule.source, rule.code
    for threshold in rules.thresholds.values():
        assert threshold.source.nl and threshold.source.en and threshold.source.nl != threshold.source.en


def test_rule_files_only_use_answers_and_scores_the_balanscheck_has(balanscheck):
    def facts_used(condition):
        if isinstance(condition, list):
            return {f for c in condition for f in facts_used(c)}
        if isinstance(condition, dict):
            ((op, arg),) = condition.items()
            return {arg} if op == "var" else facts_used(arg)
        return set()

    levels = json.loads((RULES / "levels.json").read_text(encoding="utf-8"))
    advice = json.loads((RULES / "advice.json").read_text(encoding="utf-8"))
    rules = levels["self_report"] + levels["context"] + levels["urgent_rules"] + advice["cards"]
    score_keys = set(engine.score(balanscheck, balans()).scores)
    for fact in facts_used([r["when"] for r in rules]):
        if fact.startswith("answer."):
            assert fact.removeprefix("answer.") in balanscheck.items, fact
        elif fact.startswith("score."):
            assert fact.removeprefix("score.") in score_keys, fact


def test_broken_level_rules_are_a_definition_error():
    data = json.loads((RULES / "levels.json").read_text(encoding="utf-8"))
    broken = copy.deepcopy(data)
    broken["self_report"][0]["level"] = "doomed"
    broken["context"][0]["weight"] = 3
    broken["context"][1]["when"] = {"threshold": "missing"}
    del broken["context"][2]["source"]
    broken["urgent"]["level"] = "gone"
    del broken["thresholds"]["context_raise_at"]
    with pytest.raises(DefinitionError) as exc_info:
        parse_level_rules(broken)
    assert len(exc_info.value.problems) == 6
    assert parse_level_rules(data).version == "2.0.0"
