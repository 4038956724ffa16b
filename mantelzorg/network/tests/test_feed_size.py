"""The feed of a big network: three years of daily and weekly series (over 2,000 occurrences),
changed occurrences, 20 members with their tasks. A fixed number of queries and a quick local
measurement of the time (not a benchmark: ``bench/`` is for that)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import recurring_ical_events
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from mantelzorg.accounts.models import Role as UserRole
from mantelzorg.network import feeds
from mantelzorg.network.models import Appointment, Membership, Network, OccurrenceChange, Role, Task
from mantelzorg.network.recurrence import TZ, occurrences

from .test_feed import check

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 5, tzinfo=TZ)
END = START + dt.timedelta(days=3 * 365)


def big_network():
    network = Network.objects.create(recipient_name="Mien", feed_notes=True)
    members = [
        Membership.objects.create(
            network=network,
            user=make_user(f"lid{i}@example.org", UserRole.NETWORK_MEMBER),
            role=Role.COORDINATOR if i == 0 else Role.MEMBER,
            relation="friend",
            feed_token=f"token-{i:02d}-" + "x" * 30,
        )
        for i in range(20)
    ]
    until = END.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    rules = [("FREQ=DAILY", 8), ("FREQ=DAILY", 20), ("FREQ=WEEKLY;BYDAY=MO,WE,FR", 10)]
    rules += [(f"FREQ=WEEKLY;BYDAY={day}", 14) for day in ("TU", "TH", "SA")]
    changes = []
    for n, (rule, hour) in enumerate(rules):
        first = START.replace(hour=hour)
        series = Appointment.objects.create(
            network=network,
            title=f"Reeks {n}: thuiszorg bij Mien, met een lange titel die gevouwen wordt",
            place="Dorpsstraat 1",
            note="Sleutel ligt onder de mat",
            starts_at=first,
            ends_at=first + dt.timedelta(minutes=45),
            rrule=f"{rule};UNTIL={until}",
        )
        step = dt.timedelta(days=1 if rule == "FREQ=DAILY" else 7)
        for k in range(0, 60):
            original = first + step * (k * 5 + 1)
            state = ("changed", "cancelled", "removed")[k % 3]
            moved = original + dt.timedelta(hours=2) if state == "changed" else None
            changes.append(
                OccurrenceChange(
                    appointment=series, original_start=original, state=state, starts_at=moved, title=""
                )
            )
    OccurrenceChange.objects.bulk_create(changes)
    singles = [
        Appointment(
            network=network,
            title=f"Afspraak {i}",
            starts_at=timezone.now() + dt.timedelta(days=i, hours=3),
            ends_at=timezone.now() + dt.timedelta(days=i, hours=4),
        )
        for i in range(200)
    ]
    Appointment.objects.bulk_create(singles)
    tasks = [
        Task(
            network=network,
            kind="shopping",
            title=f"Boodschappen {i}",
            starts_at=timezone.now() + dt.timedelta(days=i // 20, hours=i % 20),
            ends_at=timezone.now() + dt.timedelta(days=i // 20, hours=i % 20 + 1),
            status=Task.Status.CLAIMED,
            claimed_by=members[i % 20],
            claimed_at=timezone.now(),
        )
        for i in range(400)
    ]
    Task.objects.bulk_create(tasks)
    return network, members


def test_a_big_network_feed_in_fixed_queries_and_quickly(client):
    network, members = big_network()
    count = len(occurrences(Appointment.objects.prefetch_related("changes"), START, END))
    assert count >= 2000
    me = members[0]
    url = reverse("network:feed_ics", kwargs={"token": me.feed_token})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"alarm": "30"})
    assert response.status_code == 200
    query_count = len(queries)
    assert query_count == 5, [q["sql"][:80] for q in queries]
    cal = check(response.content)
    assert len(list(recurring_ical_events.of(cal).between(START, END))) >= count
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        appointments, tasks = feeds.feed_rows(me)
        body = feeds.feed_bytes(me, appointments, tasks, alarm=30)
        timings.append(time.perf_counter() - began)
    view = []  # the same feed again: from the cache
    for _ in range(5):
        began = time.perf_counter()
        again = client.get(url, {"alarm": "30"})
        view.append(time.perf_counter() - began)
    assert again.content == response.content == body
    print(
        f"\nfeed of {count} occurrences, {len(body)} bytes: build best {min(timings) * 1000:.1f} ms,"
        f" view again best {min(view) * 1000:.1f} ms, {query_count} queries"
    )
    assert min(timings) < 1.0  # generous: a guard against a quadratic slip, not the 100 ms target
