"""The people and houses of the unit-management and overview tests: a house in Utrecht (GM0344)
with its provider, a house in Amsterdam (GM0363) with another provider, a coordinator for each
region, and the cast's gemeente staff (``staff`` works for Amsterdam, ``other_staff`` for Utrecht).
Import ``world_fixture`` into a test module to use it as a fixture."""

from __future__ import annotations

import datetime as dt
import types

import pytest
from django.utils import timezone

from conftest import make_user
from mantelzorg.accounts.models import Organisation, Role

from ..models import Closure, Stay, Urgency
from .factories import days, make_house


def coordinator(email: str, code: str):
    org = Organisation.objects.create(name=f"Coördinatiefunctie {code}", kind=Organisation.Kind.WELFARE)
    org.municipalities.set([code])
    return make_user(email, Role.COORDINATOR, organisations=[org])


def provider(email: str, house_org):
    return make_user(email, Role.PROFESSIONAL, organisations=[house_org])


def stay(
    unit, start: int, nights: int, state=Stay.State.CONFIRMED, *, by=None, hours_ago: float = 1, **fields
):
    """A stay written directly (the booking services have their own tests)."""
    now = timezone.now()
    return Stay.objects.create(
        unit=unit,
        arrival=days(start),
        departure=days(start + nights),
        state=state,
        hold_until=now + dt.timedelta(hours=40) if state != Stay.State.CONFIRMED else None,
        requested_by=by,
        funding="wmo",
        created_at=now - dt.timedelta(hours=hours_ago),
        **fields,
    )


@pytest.fixture(name="world")
def world_fixture(cast):
    return build_world(cast)


def build_world(cast):
    utrecht_org = Organisation.objects.create(
        name="Voorbeeld Zorg Utrecht", kind=Organisation.Kind.CARE_PROVIDER
    )
    amsterdam_org = Organisation.objects.create(
        name="Voorbeeld Zorg Amsterdam", kind=Organisation.Kind.CARE_PROVIDER
    )
    house, units = make_house(
        "Voorbeeld Logeerhuis De Linde", postcode="3511", account_organisation=utrecht_org
    )
    other_house, other_units = make_house(
        "Voorbeeld Logeerhuis Het Anker", postcode="1012", units=1, account_organisation=amsterdam_org
    )
    w = types.SimpleNamespace(
        cast=cast,
        house=house,
        units=units,
        unit=units[0],
        other_house=other_house,
        other_unit=other_units[0],
        provider=provider("linde@example.org", utrecht_org),
        other_provider=provider("anker@example.org", amsterdam_org),
        coordinator=coordinator("coord-utrecht@example.org", "GM0344"),
        other_coordinator=coordinator("coord-amsterdam@example.org", "GM0363"),
        staff=cast.other_staff,  # GM0344, Utrecht
        other_staff=cast.staff,  # GM0363, Amsterdam
    )
    w.closure = Closure.objects.create(
        unit=w.unit, first_day=days(10), last_day=days(12), reason="maintenance"
    )
    w.booked = stay(w.units[1], 2, 3, by=cast.caregiver)
    w.held = stay(w.unit, 1, 2, Stay.State.HELD, by=cast.caregiver, hours_ago=30, urgency=Urgency.THIS_WEEK)
    return w
