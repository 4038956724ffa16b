"""Scoring speed of the assessment engine: prints microseconds per response (median of 7 runs)."""

import os
import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as `python bench/...`
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django  # noqa: E402

django.setup()

from mantelzorg.assessment.balance import advise, derive_level  # noqa: E402
from mantelzorg.assessment.demo import TASKS  # noqa: E402
from mantelzorg.assessment.engine import (  # noqa: E402
    answers_to_questionnaire_response,
    load_all_builtin,
    score,
    validate_answers,
)


def heavy_response():
    answers = {
        "about.age_group": "45_66",
        "about.work_hours": 24,
        "about.lives_with": True,
        "about.relation": "partner",
        "about.care_duration": "1_5_years",
        "about.care_hours": 30,
    }
    for i, t in enumerate(TASKS):  # every task done: the largest response
        answers.update(
            {
                f"task.{t}.does": True,
                f"task.{t}.hours": i + 1,
                f"task.{t}.energy": ["gives", "neutral", "costs_some", "costs_a_lot"][i % 4],
                f"task.{t}.transferable": ["yes", "maybe", "no"][i % 3],
            }
        )
    answers["task.other.description"] = "Hond uitlaten"
    answers.update(
        {
            "pressure.work": "a_lot",
            "pressure.family": "some",
            "pressure.health": "none",
            "pressure.social": "a_lot",
            "pressure.money": "some",
            "network.help": "little",
            "overall_burden": 8,
            "wellbeing.cannot_cope": "often",
            "wellbeing.safety": False,
        }
    )
    return answers


def per_call_us(fn, number=2000):
    runs = timeit.repeat(fn, number=number, repeat=7)
    return statistics.median(runs) / number * 1e6


def main():
    instruments = load_all_builtin()
    balans, carerqol = instruments["balanscheck"], instruments["carerqol"]
    answers = heavy_response()
    result = score(balans, answers)
    level = derive_level(result)
    cq = {
        "fulfilment": "some",
        "support": "a_lot",
        "relational": "no",
        "mental_health": "some",
        "daily_activities": "a_lot",
        "financial": "no",
        "physical_health": "some",
        "happiness": 6,
    }
    rows = [
        ("balanscheck validate_answers", lambda: validate_answers(balans, answers)),
        ("balanscheck score (validate + all scores)", lambda: score(balans, answers)),
        ("balanscheck derive_level", lambda: derive_level(result)),
        ("balanscheck advise", lambda: advise(level)),
        (
            "balanscheck score + level + advice",
            lambda: advise(derive_level(score(balans, answers))),
        ),
        (
            "balanscheck to QuestionnaireResponse",
            lambda: answers_to_questionnaire_response(balans, answers, result),
        ),
        ("carerqol score", lambda: score(carerqol, cq)),
    ]
    print(f"{len(answers)} answers in the Balanscheck response; {len(balans.items)} items in the instrument")
    for name, fn in rows:
        print(f"{name:45s} {per_call_us(fn):8.1f} µs per response")


if __name__ == "__main__":
    main()
