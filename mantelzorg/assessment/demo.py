"""Demo data for ``make run`` (generated, clearly fake; idempotent): three saved checks over half a
year for the demo caregiver, so that "Mijn balanscheck" shows a trend."""

import datetime as dt

from django.utils import timezone

from mantelzorg.accounts.models import User

from . import evaluation, registry
from .models import SavedCheck

DEMO_EMAIL = "mantelzorger@example.nl"

TASKS = [
    "household",
    "meals",
    "personal_care",
    "medical",
    "administration",
    "transport",
    "supervision",
    "emotional_support",
    "coordination",
    "night_care",
    "other",
]


def _base(**about) -> dict:
    answers = {
        "about.age_group": "45_66",
        "about.work_hours": 0,
        "about.lives_with": False,
        "about.relation": "parent",
        "about.care_duration": "1_5_years",
        "about.care_hours": 4,
        **about,
    }
    for task in TASKS:
        answers[f"task.{task}.does"] = False
    return answers


def balanced() -> dict:
    """Light care, energy from it, enough help: 'balanced'."""
    answers = _base()
    answers.update(
        {
            "task.emotional_support.does": True,
            "task.emotional_support.hours": 3,
            "task.emotional_support.energy": "gives",
            "task.emotional_support.transferable": "no",
            "pressure.family": "none",
            "pressure.health": "none",
            "pressure.social": "none",
            "pressure.money": "none",
            "network.help": "enough",
            "overall_burden": 2,
            "wellbeing.cannot_cope": "never",
        }
    )
    return answers


def overloaded(**extra) -> dict:
    """Much care, heavy tasks, no help, burden 9: 'overloaded'."""
    answers = _base(**{"about.work_hours": 32, "about.care_hours": 40, "about.lives_with": True})
    for task, energy in (
        ("household", "costs_a_lot"),
        ("personal_care", "costs_a_lot"),
        ("night_care", "costs_a_lot"),
        ("emotional_support", "gives"),
        ("administration", "costs_some"),
    ):
        answers.update(
            {
                f"task.{task}.does": True,
                f"task.{task}.hours": 8,
                f"task.{task}.energy": energy,
                f"task.{task}.transferable": "yes",
            }
        )
    answers.update(
        {
            "pressure.work": "a_lot",
            "pressure.family": "a_lot",
            "pressure.health": "some",
            "pressure.social": "a_lot",
            "pressure.money": "some",
            "network.help": "none",
            "overall_burden": 9,
            "wellbeing.cannot_cope": "often",
        }
    )
    answers.update(extra)
    return answers


def moderate() -> dict:
    """Between the two: burden 5 with some help ('attention' by default)."""
    answers = balanced()
    answers.update({"about.care_hours": 10, "overall_burden": 5, "network.help": "some"})
    return answers


def load(stdout=None) -> int:
    user = User.objects.filter(email=DEMO_EMAIL).first()
    if user is None or SavedCheck.objects.filter(owner=user).exists():
        return 0
    instrument = registry.instrument_get(registry.BALANSCHECK)
    now = timezone.now()
    created = 0
    for days, answers in (
        (180, balanced()),
        (90, moderate()),
        (7, overloaded()),
    ):
        outcome = evaluation.evaluate(instrument, answers)
        level = outcome.level
        SavedCheck.objects.create(
            owner=user,
            instrument_id=instrument.id,
            instrument_canonical=instrument.canonical,
            answers=outcome.answers,
            scores=dict(outcome.result.scores),
            bands={k: b.code for k, b in outcome.result.bands.items()},
            level=level.code,
            thresholds=dict(level.thresholds),
            rules_version=level.rules_version,
            created_at=now - dt.timedelta(days=days),
        )
        created += 1
    if stdout is not None:
        stdout.write(f"Balanscheck demo: {created} saved checks for {DEMO_EMAIL}.")
    return created
