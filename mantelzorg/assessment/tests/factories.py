"""Answer sets and helpers for the Balanscheck tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from mantelzorg.assessment import engine
from mantelzorg.assessment.demo import TASKS, balanced, moderate, overloaded  # noqa: E402,F401
from mantelzorg.assessment.forms import STEPS, field_name, step_items
from mantelzorg.assessment.models import SavedCheck

# Organisations and services of the sociale kaart: the directory's own factories, under the names
# the Balanscheck's tests use.
from mantelzorg.directory.tests.factories import create_service as service  # noqa: F401
from mantelzorg.directory.tests.factories import make_org as organization  # noqa: F401


def form_data(instrument: engine.Instrument, index: int, answers: dict, *, postcode: str = "") -> dict:
    """POST data for step ``index`` (0-based) of the multi-step form."""
    data = {"direction": "next"}
    if index == 0:
        data["postcode"] = postcode
    enabled = engine.enabled_items(instrument, answers)
    for item in step_items(instrument, index):
        if item.link_id not in enabled or item.link_id not in answers:
            continue
        value = answers[item.link_id]
        if STEPS[index][0] == "tasks":
            if value:
                data[field_name(item.link_id)] = "on"
        elif STEPS[index][0] == "details" and item.link_id.endswith(".transferable"):
            if value in ("yes", "maybe"):  # one checkbox list for every task: ticked or not
                data.setdefault("transferable", []).append(item.link_id)
        elif item.type == "boolean":
            data[field_name(item.link_id)] = "yes" if value else "no"
        else:
            data[field_name(item.link_id)] = str(value)
    return data


def walk(client, answers: dict, *, postcode: str = ""):
    """Fill in all five steps; returns the last response (a redirect to the result)."""
    instrument = engine.load_all_builtin()["balanscheck"]
    response = None
    for index in range(len(STEPS)):
        response = client.post(
            f"/balanscheck/stap/{index + 1}/", form_data(instrument, index, answers, postcode=postcode)
        )
        assert response.status_code == 302, (index, response.content.decode()[:3000])
    return response


class SavedCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedCheck

    instrument_id = "balanscheck"
    instrument_canonical = "https://mantelzorg.nl/fhir/Questionnaire/balanscheck|1.0.0"
    answers = factory.LazyFunction(balanced)
    scores = factory.LazyFunction(lambda: {"overall_burden": 2, "care_hours": 4})
    level = "balanced"
    created_at = factory.LazyFunction(timezone.now)
