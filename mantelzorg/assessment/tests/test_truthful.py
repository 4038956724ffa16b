"""What we tell a caregiver is true (quality bar: "every sentence that describes the person follows
from an answer they gave").

Every reason and advice text of the rule files has an *oracle* here: a reading of what the text
claims about the caregiver, written from the text itself and evaluated on the answers alone (not on
the rules' facts). Over thousands of generated responses every text that is shown must have a true
oracle; texts that claim nothing about the person are listed with ``None``. A new rule without an
oracle fails ``test_every_text_has_an_oracle``. The level model itself (base level from the two
self-reports) is also read independently here, to check the "raised" reason.
"""

from __future__ import annotations

import random
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from mantelzorg.assessment import balance, engine, evaluation

from .answers import TASKS, instrument, random_answers

COSTS = ("costs_some", "costs_a_lot")
RANK = {"balanced": 0, "attention": 1, "heavy": 2, "overloaded": 3}


class Said:
    """The answers of one response, read plainly (validated: answers to disabled items are gone)."""

    def __init__(self, answers: dict):
        self.a = answers

    def __getitem__(self, link_id):
        return self.a.get(link_id)

    @property
    def burden(self) -> int:
        return self.a["overall_burden"]

    def does(self, task: str) -> bool:
        return self.a.get(f"task.{task}.does") is True

    def energy(self, task: str):
        return self.a.get(f"task.{task}.energy") if self.does(task) else None

    def costs(self, *tasks: str) -> bool:
        return any(self.energy(t) in COSTS for t in tasks)

    def count_energy(self, value: str) -> int:
        return sum(1 for t in TASKS if self.energy(t) == value)

    @property
    def pressures_a_lot(self) -> int:
        return sum(1 for k, v in self.a.items() if k.startswith("pressure.") and v == "a_lot")

    @property
    def care_hours(self) -> int:
        return self.a["about.care_hours"]

    @property
    def week_hours(self) -> int:
        return self.a["about.care_hours"] + self.a["about.work_hours"]

    @property
    def urgent(self) -> bool:
        return (
            self.burden == 10
            or self.a.get("wellbeing.safety") is True
            or self["wellbeing.cannot_cope"] == "almost_always"
        )

    @property
    def own_level(self) -> str:
        """The base level as README.md describes it: the heavier of the two self-reports."""
        b = self.burden
        by_burden = "overloaded" if b >= 9 else "heavy" if b >= 7 else "attention" if b >= 5 else "balanced"
        by_cope = {
            "never": "balanced",
            "sometimes": "attention",
            "often": "heavy",
            "almost_always": "overloaded",
        }[self["wellbeing.cannot_cope"]]
        return max(by_burden, by_cope, key=RANK.get)


def number_in(text: str, value) -> bool:
    return re.search(rf"(?<!\d){value}(?!\d)", text) is not None


# code -> oracle(said, text, level) ; None: the text claims nothing about the caregiver
ORACLES = {
    # --- reasons (levels.json)
    "burden_low": lambda s, t, _: s.burden <= 4 and number_in(t, s.burden),
    "burden_attention": lambda s, t, _: 5 <= s.burden <= 6 and number_in(t, s.burden),
    "burden_heavy": lambda s, t, _: 7 <= s.burden <= 8 and number_in(t, s.burden),
    "burden_overloaded": lambda s, t, _: s.burden >= 9 and number_in(t, s.burden),
    "cannot_cope_never": lambda s, t, _: s["wellbeing.cannot_cope"] == "never",
    "cannot_cope_sometimes": lambda s, t, _: s["wellbeing.cannot_cope"] == "sometimes",
    "cannot_cope_often": lambda s, t, _: s["wellbeing.cannot_cope"] == "often",
    "cannot_cope_almost_always": lambda s, t, _: s["wellbeing.cannot_cope"] == "almost_always",
    "raised": lambda s, t, level: RANK[level] == RANK[s.own_level] + 1,
    "care_hours_many": lambda s, t, _: s.care_hours >= 20 and number_in(t, s.care_hours),
    "week_hours_many": lambda s, t, _: (
        s.week_hours >= 60 and s.care_hours < 20 and number_in(t, s.week_hours)
    ),
    "night_care": lambda s, t, _: s.does("night_care"),
    "tasks_costing_a_lot": lambda s, t, _: (
        s.count_energy("costs_a_lot") >= 2 and number_in(t, s.count_energy("costs_a_lot"))
    ),
    "pressures_a_lot": lambda s, t, _: s.pressures_a_lot >= 2 and number_in(t, s.pressures_a_lot),
    "help_none": lambda s, t, _: s["network.help"] == "none",
    "help_little": lambda s, t, _: s["network.help"] == "little",
    "help_enough": lambda s, t, _: s["network.help"] == "enough",
    "energy_sources": lambda s, t, _: s.count_energy("gives") >= 1,
    "no_signals": lambda s, t, _: False,  # every response answers the two self-reports
    "urgent_burden": lambda s, t, _: s.burden == 10 and number_in(t, 10),
    "safety": lambda s, t, _: s["wellbeing.safety"] is True,
    "urgent_cannot_cope": lambda s, t, _: s["wellbeing.cannot_cope"] == "almost_always",
    # --- advice cards (advice.json)
    "urgent_112": lambda s, t, _: s.urgent,
    "urgent_113": lambda s, t, _: s.urgent,
    "urgent_gp": lambda s, t, _: s.urgent,
    "urgent_veilig_thuis": lambda s, t, _: s["wellbeing.safety"] is True,
    "urgent_mantelzorglijn": lambda s, t, _: s.urgent,
    "talk_to_consultant": None,
    "young_carer": lambda s, t, _: s["about.age_group"] in ("under_18", "18_24"),
    "school_pressure": lambda s, t, _: s["pressure.work"] == "a_lot" and s["about.age_group"] == "under_18",
    "work_or_study_pressure": lambda s, t, _: s["pressure.work"] == "a_lot",
    "ask_network": lambda s, t, _: s["network.help"] != "enough",
    "share_tasks": lambda s, t, _: any(
        s.does(x) and s[f"task.{x}.transferable"] in ("yes", "maybe") for x in TASKS
    ),
    "keep_energy_sources": lambda s, t, _: s.count_energy("gives") >= 1,
    "check_again": None,
    "peer_support": None,
    "volunteer_company": lambda s, t, _: s.costs("supervision", "emotional_support"),
    "volunteer_administration": lambda s, t, _: s.costs("administration"),
    "meals": lambda s, t, _: s.costs("meals"),
    "learn_care_skills": lambda s, t, _: s.costs("personal_care", "medical"),
    "respite_care": None,
    "wmo_household": lambda s, t, _: s.costs("household"),
    "aids_and_adaptations": None,
    "financial_help": lambda s, t, _: s["pressure.money"] in ("some", "a_lot"),
    "home_nursing": None,
    "own_health": lambda s, t, _: s["pressure.health"] == "a_lot",
    "crisis_plan": None,
    # --- CarerQol (carerqol_advice.json)
    "cq_mental_health": lambda s, t, _: s["mental_health"] in ("some", "a_lot"),
    "cq_physical_health": lambda s, t, _: s["physical_health"] in ("some", "a_lot"),
    "cq_daily_activities": lambda s, t, _: s["daily_activities"] in ("some", "a_lot"),
    "cq_financial": lambda s, t, _: s["financial"] in ("some", "a_lot"),
    "cq_relational": lambda s, t, _: s["relational"] in ("some", "a_lot"),
    "cq_support": lambda s, t, _: s["support"] == "no",
    "cq_fulfilment": lambda s, t, _: s["fulfilment"] == "no",
    "cq_balanscheck": None,
}
REASSURING = {
    "burden_low",
    "cannot_cope_never",
    "help_enough",
    "energy_sources",
    "no_signals",
    "check_again",
    "keep_energy_sources",
}


def _all_rule_codes() -> set[str]:
    levels = balance.load_level_rules()
    codes = {r.code for r in (*levels.self_report, *levels.context, *levels.urgent_rules)}
    codes |= {levels.raised_reason.code, levels.default_reason.code}
    codes |= {card.code for card, _ in balance.load_advice_rules().cards}
    for rules in balance.load_instrument_advice().values():
        codes |= {card.code for card, _ in rules.cards}
    return codes


def test_every_text_has_an_oracle():
    assert _all_rule_codes() == set(ORACLES)


def test_texts_marked_reassuring_in_the_rules_are_the_ones_this_test_knows():
    levels = balance.load_level_rules()
    marked = {r.code for r in (*levels.self_report, *levels.context) if r.reassures}
    marked |= {card.code for card, _ in balance.load_advice_rules().cards if card.reassures}
    assert marked | {"no_signals"} == REASSURING


def _responses(name: str, count: int, seed: int):
    inst = instrument(name)
    rng = random.Random(seed)
    made = 0
    while made < count:
        answers = random_answers(inst, rng)
        if name == "balanscheck" and rng.random() < 0.5:  # many tasks, like real caregivers
            for t in TASKS:
                if rng.random() < 0.4:
                    answers[f"task.{t}.does"] = True
        try:
            result = engine.score(inst, answers)
        except engine.ResponseValidationError:
            continue
        made += 1
        yield result


def _check(code, said, text, level):
    oracle = ORACLES[code]
    if oracle is not None:
        assert oracle(said, text, level), (code, text, said.a)


def test_every_shown_reason_and_advice_text_is_true_for_3000_generated_responses():
    shown: set[str] = set()
    for result in _responses("balanscheck", 3000, seed=20261201):
        said = Said(result.answers)
        level = balance.derive_level(result)
        cards = balance.advise(level)
        for reason in (*level.reasons, *level.urgent_reasons):
            _check(reason.rule, said, reason.text.nl, level.code)
            _check(reason.rule, said, reason.text.en, level.code)
            shown.add(reason.rule)
        for card in cards:
            _check(card.code, said, card.text.nl, level.code)
            shown.add(card.code)
        assert level.urgent is said.urgent
        if level.urgent:
            assert not REASSURING & ({r.rule for r in level.reasons} | {c.code for c in cards})
            assert level.code == "overloaded"
        else:
            assert RANK[level.code] - RANK[said.own_level] in (0, 1)  # context: one step at most
    # the generator reaches (nearly) every text; those it cannot reach are named
    balanscheck_codes = _all_rule_codes() - {c for c in ORACLES if c.startswith("cq_")}
    assert balanscheck_codes - shown <= {"no_signals"}


def test_every_shown_carerqol_advice_is_true_for_1000_generated_responses():
    shown: set[str] = set()
    for result in _responses("carerqol", 1000, seed=7):
        said = Said(result.answers)
        for card in balance.advise_answers(result):
            _check(card.code, said, card.text.nl, "")
            shown.add(card.code)
    assert shown == {c for c in ORACLES if c.startswith("cq_")}


# --------------------------------------------------------------------- what the page actually says


def _rule_texts(lang: str) -> dict[str, str]:
    """Every reason and card text as it can appear on a page (numbers become a pattern)."""
    levels = balance.load_level_rules()
    texts = {}
    for rule in (
        *levels.self_report,
        *levels.context,
        *levels.urgent_rules,
        levels.raised_reason,
        levels.default_reason,
    ):
        texts[rule.code] = getattr(rule.reason, lang)
    for card, _ in balance.load_advice_rules().cards:
        texts[card.code] = getattr(card.text, lang)
    return texts


def _pattern(text: str) -> re.Pattern:
    from django.utils.html import escape

    parts = re.split(r"\{[a-z0-9_.]+\}", escape(text))
    return re.compile(r"\d+".join(re.escape(p) for p in parts))


@pytest.mark.django_db
def test_the_result_page_says_only_what_holds_for_200_generated_responses():
    """Rendered in Dutch without a postcode: every rule text found in the HTML belongs to a rule
    that holds, and its oracle is true; an urgent page holds nothing that reassures."""
    from mantelzorg.assessment.views import _result_context

    patterns = {code: _pattern(text) for code, text in _rule_texts("nl").items()}
    balanced = balance.load_level_rules().levels[0].description.nl
    factory = RequestFactory()
    inst = instrument()
    with translation.override("nl"):
        for result in _responses("balanscheck", 200, seed=99):
            outcome = evaluation.evaluate(inst, result.answers, thresholds={})
            request = factory.get("/balanscheck/uitslag/")
            html = render_to_string(
                "assessment/_result_body.html", _result_context(request, outcome), request=request
            )
            said = Said(outcome.answers)
            holding = {r.rule for r in (*outcome.level.reasons, *outcome.level.urgent_reasons)}
            holding |= {c.code for c in outcome.advice}
            for code, pattern in patterns.items():
                found = pattern.search(html)
                if found:
                    assert code in holding, (code, "shown although its rule does not hold")
                    _check(code, said, found.group(0), outcome.level.code)
            if outcome.level.urgent:
                assert balanced not in html
                assert not any(patterns[code].search(html) for code in REASSURING)
