"""Answer sets for the Balanscheck and the CarerQol (pure data, no database), shared by the tests."""

from __future__ import annotations

import random

from mantelzorg.assessment import balance, engine
from mantelzorg.assessment.demo import TASKS  # the Balanscheck's task codes, in questionnaire order

CARERQOL_ITEMS = [
    "fulfilment",
    "support",
    "relational",
    "mental_health",
    "daily_activities",
    "financial",
    "physical_health",
]


def task(code, hours=2, energy="neutral", transferable="no"):
    return {
        f"task.{code}.does": True,
        f"task.{code}.hours": hours,
        f"task.{code}.energy": energy,
        f"task.{code}.transferable": transferable,
    }


def balans(*task_answers, **overrides):
    """A complete, calm Balanscheck answer set; keyword arguments use __ for dots."""
    answers = {
        "about.age_group": "45_66",
        "about.work_hours": 0,
        "about.lives_with": False,
        "about.relation": "parent",
        "about.care_duration": "1_5_years",
        "about.care_hours": 4,
        **{f"task.{t}.does": False for t in TASKS},
        "pressure.family": "none",
        "pressure.health": "none",
        "pressure.social": "none",
        "pressure.money": "none",
        "network.help": "enough",
        "overall_burden": 2,
        "wellbeing.cannot_cope": "never",
    }
    for extra in task_answers:
        answers.update(extra)
    answers.update({k.replace("__", "."): v for k, v in overrides.items()})
    return answers


def cq(**values):
    answers = {code: "no" for code in CARERQOL_ITEMS}
    answers["happiness"] = 5
    answers.update(values)
    return answers


def instrument(name="balanscheck") -> engine.Instrument:
    return engine.load_all_builtin()[name]


def level_of(instrument_, answers, override=None):
    return balance.derive_level(engine.score(instrument_, answers), override)


def advice_for(instrument_, answers, override=None):
    return balance.advise(level_of(instrument_, answers, override))


def random_answers(instrument_: engine.Instrument, rng: random.Random, *, skip_optional: float = 0.2) -> dict:
    """A random answer set over every question (valid or not: numbers may exceed a range that the
    instrument does not state); optional questions are left out with chance ``skip_optional``."""
    answers = {}
    for item in instrument_.questions:
        if not item.required and rng.random() < skip_optional:
            continue
        if item.type == "boolean":
            answers[item.link_id] = rng.random() < 0.5
        elif item.type == "choice":
            answers[item.link_id] = rng.choice(sorted(item.ordinals))
        elif item.type in ("integer", "decimal"):
            low, high = int(item.min_value or 0), int(item.max_value or 80)
            # favour the edges, where the thresholds are
            answers[item.link_id] = rng.choice(
                [low, high, rng.randint(low, high), rng.randint(low, min(high, 25))]
            )
        else:
            answers[item.link_id] = "Voorbeeld"
    return answers
