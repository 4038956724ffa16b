"""A model-based check of the booking rules: 300 random steps (requests of random lengths,
confirms, declines, cancels, waiting-list entries, expiry) over one house with three beds, and
after every step the invariants, computed by brute force from the rows themselves:

- no two occupying stays of one unit share a night;
- the day counts (``availability.capacity_by_day``) are the rows' counts and add up;
- ``availability.free_units`` says a unit is free for a stay exactly when no live row occupies
  any of its nights.

Seeded, so a failure repeats."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from conftest import make_user
from mantelzorg.accounts.models import Role
from mantelzorg.respite import availability, services
from mantelzorg.respite.models import OCCUPYING, Stay

from .factories import days, make_house, request_for

pytestmark = pytest.mark.django_db

HORIZON = 20


def live_rows(now):
    return [
        s
        for s in Stay.objects.filter(state__in=OCCUPYING)
        if s.state == Stay.State.CONFIRMED or s.hold_until > now
    ]


def check_invariants(units, now):
    rows = live_rows(now)
    nights = {}
    for stay in rows:
        for night in stay.night_dates():
            assert (stay.unit_id, night) not in nights, f"{night} given twice on {stay.unit_id}"
            nights[(stay.unit_id, night)] = stay.state
    counted = availability.capacity_by_day([u.pk for u in units], days(0), HORIZON, now=now)
    for row in counted:
        states = [nights.get((u.pk, row["date"])) for u in units]
        assert row["booked"] == states.count(Stay.State.CONFIRMED)
        assert row["held"] == sum(1 for s in states if s in (Stay.State.HELD, Stay.State.OFFERED))
        assert row["booked"] + row["held"] + row["available"] == row["maximum"] == len(units)
    arrival = days(random.randint(1, HORIZON - 3))
    departure = arrival + dt.timedelta(days=random.randint(1, 3))
    expected = [
        u.pk
        for u in units
        if all(
            (u.pk, arrival + dt.timedelta(days=n)) not in nights for n in range((departure - arrival).days)
        )
    ]
    assert availability.free_units([u.pk for u in units], arrival, departure, now=now) == expected


def test_random_steps_never_break_the_invariants():
    random.seed(20261204)
    people = [make_user(f"p{n}@example.org", Role.CAREGIVER) for n in range(4)]
    provider = make_user("aanbieder@example.org", Role.PROFESSIONAL)
    service, units = make_house(units=3)
    place = services.geo.resolve_postcode("3511")
    outcomes = {"requested": 0, "no_capacity": 0, "confirmed": 0, "declined": 0, "cancelled": 0, "expired": 0}
    for step in range(300):
        now = timezone.now()
        action = random.choice(["request"] * 5 + ["confirm", "confirm", "decline", "cancel", "wait", "lapse"])
        person = random.choice(people)
        arrival = days(random.randint(1, HORIZON - 4))
        departure = arrival + dt.timedelta(days=random.randint(1, 4))
        held = list(Stay.objects.filter(state=Stay.State.HELD))
        taken = list(Stay.objects.filter(state__in=OCCUPYING))
        try:
            if action == "request":
                services.stay_request(
                    request=request_for(person),
                    service=service,
                    arrival=arrival,
                    departure=departure,
                    guest=None,
                    funding="wmo",
                )
                outcomes["requested"] += 1
            elif action == "confirm" and held:
                services.stay_confirm(request=request_for(provider), stay=random.choice(held))
                outcomes["confirmed"] += 1
            elif action == "decline" and held:
                services.stay_decline(request=request_for(provider), stay=random.choice(held), reason="Vol")
                outcomes["declined"] += 1
            elif action == "cancel" and taken:
                services.stay_cancel(request=request_for(person), stay=random.choice(taken))
                outcomes["cancelled"] += 1
            elif action == "wait":
                search = availability.Search(place=place, arrival=arrival, departure=departure, funding="wmo")
                services.waiting_join(
                    request=request_for(person), search=search, guest=None, kind="logeerzorg_wmo"
                )
            elif action == "lapse" and held:
                victim = random.choice(held)
                Stay.objects.filter(pk=victim.pk).update(hold_until=now - dt.timedelta(seconds=1))
                if random.random() < 0.5:  # else it lapses lazily: free at once, marked by the next taker
                    outcomes["expired"] += len(services.holds_expire())
        except services.NoCapacity:
            outcomes["no_capacity"] += 1
        except services.Conflict:
            pass
        check_invariants(units, timezone.now())
    # The walk went through every branch (else the invariants were checked on too little).
    assert min(outcomes.values()) >= 3, outcomes
    assert (
        Stay.objects.filter(state=Stay.State.OFFERED).exists()
        or Stay.objects.filter(waiting__isnull=False).exists()
    )
