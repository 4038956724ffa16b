"""Advice cards: which show, in which order, and the rule files' checks (pure Python)."""

import json
from pathlib import Path

import pytest

from mantelzorg.assessment import balance, engine
from mantelzorg.assessment.balance import (
    SUPPORT_DOMAINS,
    DefinitionError,
    load_advice_rules,
    parse_advice_rules,
)

from .answers import advice_for, balans, cq, instrument, task

RULES = Path(__file__).resolve().parents[1] / "rules"


@pytest.fixture(scope="module")
def balanscheck():
    return instrument()


def codes(cards):
    return [c.code for c in cards]


def test_urgent_contacts_come_first_then_zorgladder_order(balanscheck):
    answers = balans(task("administration", 4, "costs_a_lot", "yes"), overall_burden=10, network__help="none")
    cards = advice_for(balanscheck, answers)
    assert codes(cards)[:4] == ["urgent_112", "urgent_113", "urgent_gp", "urgent_mantelzorglijn"]
    rest = cards[4:]
    assert not any(c.urgent for c in rest)
    assert [c.ladder_step for c in rest] == sorted(c.ladder_step for c in rest)
    assert {"share_tasks", "volunteer_administration", "respite_care", "crisis_plan"} <= set(codes(cards))
    assert cards[1].contact == "0800-0113" and cards[1].chat.url == "https://www.113.nl/"
    assert next(c for c in cards if c.code == "urgent_mantelzorglijn").contact == "030 760 60 55"


def test_urgent_cards_are_never_next_steps():
    assert not any(card.step for card, _ in load_advice_rules().cards if card.urgent)


def test_no_urgent_cards_without_urgency(balanscheck):
    cards = advice_for(balanscheck, balans(overall_burden=9))
    assert not any(c.urgent for c in cards)
    assert "crisis_plan" in codes(cards)


def test_safety_answer_adds_veilig_thuis(balanscheck):
    assert "urgent_veilig_thuis" in codes(advice_for(balanscheck, balans(wellbeing__safety=True)))[:5]
    assert "urgent_veilig_thuis" not in codes(advice_for(balanscheck, balans(overall_burden=10)))


def test_administration_costing_energy_gives_volunteer_help_on_step_2(balanscheck):
    cards = advice_for(balanscheck, balans(task("administration", 2, "costs_some", "no")))
    card = next(c for c in cards if c.code == "volunteer_administration")
    assert (card.support_domain, card.ladder_step) == ("practical_help", 2)
    assert card.support_domain_label.nl == "Praktische hulp"
    assert card.ladder_label.nl.startswith("Hulp van vrijwilligers")


def test_transferable_task_gives_share_tasks(balanscheck):
    assert "share_tasks" in codes(advice_for(balanscheck, balans(task("meals", 2, "neutral", "maybe"))))
    assert "share_tasks" not in codes(advice_for(balanscheck, balans(task("meals", 2, "neutral", "no"))))


def test_balanced_gets_check_again_and_no_respite(balanscheck):
    found = codes(advice_for(balanscheck, balans()))
    assert "check_again" in found and "respite_care" not in found


def test_heavy_gets_respite_care_on_step_3(balanscheck):
    card = next(c for c in advice_for(balanscheck, balans(overall_burden=7)) if c.code == "respite_care")
    assert (card.support_domain, card.ladder_step) == ("respite", 3)


def test_work_or_study_pressure_advice_needs_the_work_question_and_an_adult(balanscheck):
    assert "work_or_study_pressure" not in codes(
        advice_for(balanscheck, balans(about__work_hours=0, pressure__work="a_lot"))
    )
    assert "work_or_study_pressure" in codes(
        advice_for(balanscheck, balans(about__work_hours=24, pressure__work="a_lot"))
    )
    young = codes(
        advice_for(
            balanscheck, balans(about__work_hours=30, pressure__work="a_lot", about__age_group="under_18")
        )
    )
    assert "work_or_study_pressure" not in young and "school_pressure" in young


def test_advice_uses_the_overridden_thresholds(balanscheck):
    answers = balans(overall_burden=5)
    assert "peer_support" in codes(advice_for(balanscheck, answers))
    assert "peer_support" not in codes(advice_for(balanscheck, answers, {"burden_attention": 6}))


def test_every_advice_card_has_a_known_support_domain_and_ladder_step():
    rules = load_advice_rules()
    assert set(rules.support_domains) == set(SUPPORT_DOMAINS)
    assert {card.support_domain for card, _ in rules.cards} == set(SUPPORT_DOMAINS)
    assert {card.ladder_step for card, _ in rules.cards} == {1, 2, 3, 4, 5}
    assert all(card.source and card.title.nl and card.text.en for card, _ in rules.cards)


def test_card_offer_filters_name_known_taxonomy_codes():
    cards = {card.code: card for card, _ in load_advice_rules().cards}
    assert cards["talk_to_consultant"].offer.support_centre
    assert cards["young_carer"].offer.target_groups == ("young_caregivers",)
    assert cards["young_carer"].offer.support_domains == ()  # any vraaggebied, for young caregivers
    assert cards["crisis_plan"].offer.respite_forms == ("respite_stay",)
    assert cards["meals"].offer.support_domains == ("practical_help",)  # the default: its own vraaggebied


def test_broken_advice_rules_are_a_definition_error():
    data = json.loads((RULES / "advice.json").read_text(encoding="utf-8"))
    data["cards"][5]["support_domain"] = "money"
    data["cards"][6]["ladder_step"] = 6
    data["cards"][7]["when"] = {"var": "postcode"}
    data["cards"][8]["offer"] = {"target_groups": ["aliens"]}
    data["cards"][1]["chat"] = {"url": "http://insecure.example"}
    with pytest.raises(DefinitionError) as exc_info:
        parse_advice_rules(data)
    assert len(exc_info.value.problems) == 5


def test_carerqol_advice_follows_single_answers():
    carerqol = instrument("carerqol")
    calm = codes(balance.advise_answers(engine.score(carerqol, cq(fulfilment="a_lot", support="a_lot"))))
    assert calm == ["cq_balanscheck"]
    worried = balance.advise_answers(
        engine.score(carerqol, cq(fulfilment="a_lot", support="no", mental_health="some", financial="a_lot"))
    )
    assert set(codes(worried)) == {"cq_support", "cq_mental_health", "cq_financial", "cq_balanscheck"}
    assert [c.ladder_step for c in worried] == sorted(c.ladder_step for c in worried)


def test_a_crisis_with_calm_answers_gets_crisis_help_not_advice_about_a_heavy_load(balanscheck):
    """The safety answer lifts the level to overloaded; nursing at home or respite care follow the
    load (what the level was without the crisis), the crisis has its own help."""
    found = codes(advice_for(balanscheck, balans(wellbeing__safety=True)))
    assert {"urgent_112", "urgent_113", "crisis_plan", "talk_to_consultant"} <= set(found)
    assert "home_nursing" not in found and "respite_care" not in found
    heavy = codes(advice_for(balanscheck, balans(overall_burden=8, wellbeing__safety=True)))
    assert "respite_care" in heavy  # the load itself is heavy


def test_the_helpline_is_one_card_with_a_number():
    card = load_advice_rules().helpline
    assert card.code == "urgent_mantelzorglijn" and card.contact == "030 760 60 55"
