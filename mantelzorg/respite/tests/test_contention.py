"""No night is given twice, under contention, against the running production server (issue 15):

(a) 100 requests at once for the last free night of a unit: exactly one 201 and 99 clear 409s
    ``capacity_gone``; one occupying stay in the database;
(b) two overlapping multi-night stays, each requested by many clients at once: exactly one wins;
(c) a hold about to lapse, its confirm racing ``respite_expire_holds`` and rival requests for the
    same nights: exactly one outcome, never confirmed and let again;
(d) a cancellation that offers the nights to the waiting list, racing direct requests for the same
    nights: the nights go to exactly one.

gunicorn with its 3 sync workers (tests/live_server.py, as network/tests/test_claim_concurrency.py)
on the suite's database: a file copy of the SQLite test database, or the PostgreSQL test database
(``DATABASE_URL``). Every answer is read over real HTTP; what the server wrote is read back from its
database. Bounded: at most 100 requests at a time to 127.0.0.1, each with a time-out; the server and
the expiry command are stopped at the end whatever happens. docs/respite-booking.md says what this
proves; BENCHMARKS.md has the figures of (a)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import login, make_user
from mantelzorg.accounts.models import Role
from mantelzorg.respite import availability, services
from mantelzorg.respite.models import Funding, Stay
from tests import live_server
from tests.live_server import Request

from .factories import days, make_house, make_provider, request_for

pytestmark = pytest.mark.django_db(transaction=True)

STAYS = "/api/v1/respite/stays/"
OCCUPYING = ("offered", "held", "confirmed")


class Db:
    """The server's database, read and changed from the test: the SQLite copy or PostgreSQL."""

    def __init__(self, copy):
        self.copy = copy

    def _param(self, value):
        if self.copy is None:
            return value
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, dt.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def rows(self, sql: str, params=()) -> list[tuple]:
        params = [self._param(p) for p in params]
        if self.copy is not None:
            return live_server.sqlite_rows(self.copy, sql.replace("%s", "?"), params)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def occupying(self, unit_id, arrival: dt.date, departure: dt.date, now=None) -> list[tuple]:
        """(id, state, requested_by) of the stays that hold or book any of these nights now."""
        rows = self.rows(
            "SELECT id, state, requested_by_id, hold_until FROM respite_stay WHERE unit_id = %s "
            "AND arrival < %s AND departure > %s AND state IN ('offered', 'held', 'confirmed')",
            [unit_id, departure, arrival],
        )
        moment = now or timezone.now()
        alive = []
        for pk, state, by, hold_until in rows:
            if state != "confirmed" and _aware(hold_until) <= moment:
                continue  # a lapsed hold: free already (availability)
            alive.append((str(uuid.UUID(str(pk))), state, by))
        return alive

    def state(self, stay_id) -> str:
        return self.rows("SELECT state FROM respite_stay WHERE id = %s", [stay_id])[0][0]


def _aware(value):
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def _session(user) -> str:
    client = login(Client(), user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _caregivers(n: int, prefix: str) -> list[tuple[object, str]]:
    users = [make_user(f"{prefix}{i:03d}@example.org", Role.CAREGIVER) for i in range(n)]
    return [(user, _session(user)) for user in users]


def _stay_request(service, session, arrival, departure) -> Request:
    body = {
        "service": str(service.pk),
        "arrival": str(arrival),
        "departure": str(departure),
        "funding": "private",
    }
    headers = live_server.session_headers(
        session, **{"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
    )
    return Request("POST", STAYS, json.dumps(body), headers)


def _post(path, session, body=None, delay=0.0) -> Request:
    headers = live_server.session_headers(session, **{"Content-Type": "application/json"})
    return Request("POST", path, json.dumps(body or {}), headers, delay)


def _ask(user, service, arrival, departure, **kw) -> Stay:
    return services.stay_request(
        request=request_for(user), service=service, arrival=arrival, departure=departure, guest=None,
        funding=Funding.PRIVATE, **kw,
    )  # fmt: skip


class Server:
    """The production server on this test's database, stopped on leaving."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path

    def __enter__(self):
        env_db, copy = live_server.database_env(self.tmp_path, "respite.sqlite3")
        self.env_db, self.db = env_db, Db(copy)
        self.log = self.tmp_path / "server.log"
        self.proc, self.port = live_server.start(env_db, self.log)
        return self

    def __exit__(self, *exc):
        live_server.stop(self.proc)

    def burst(self, requests):
        result = live_server.burst(self.port, requests)
        assert not result.errors and all(result.answers), (
            f"{sum(a is None for a in result.answers)} requests without an answer: {sorted(set(result.errors))[:5]}"
        )
        return result

    def unexpected(self, answers, allowed) -> str:
        odd = [f"{a.status}: {live_server.summary(a.body)}" for a in answers if a.status not in allowed][:3]
        return f"{odd}; server: {self.log.read_text(errors='replace')[-3000:]}"


def _codes(answer) -> list[str]:
    return [e["code"] for e in json.loads(answer.body)["errors"]]


# --- (a) the last free night ------------------------------------------------------------------

CLIENTS = 100


def test_100_requests_for_the_last_free_night_one_201_and_99_clear_409s(tmp_path):
    service, (unit,) = make_house("Voorbeeld Logeerhuis De Laatste Nacht", units=1)
    owner = make_user("booked@example.org", Role.CAREGIVER)
    provider = make_provider("provider@example.org", service)
    for arrival, departure in ((days(10), days(11)), (days(12), days(13))):  # around the last free night
        services.stay_confirm(request=request_for(provider), stay=_ask(owner, service, arrival, departure))
    clients = _caregivers(CLIENTS, "night")
    by_user = {user.pk: user for user, _ in clients}
    with Server(tmp_path) as server:
        load = os.getloadavg()
        result = server.burst([_stay_request(service, s, days(11), days(12)) for _, s in clients])
        occupying = server.db.occupying(unit.pk, days(11), days(12))

    answers = result.answers
    statuses = sorted(a.status for a in answers)
    assert statuses == [201] + [409] * (CLIENTS - 1), server.unexpected(answers, (201, 409))
    refusals = [a for a in answers if a.status == 409]
    assert all(_codes(a) == ["capacity_gone"] for a in refusals), refusals[0].body
    assert all(json.loads(a.body)["errors"][0]["message"] for a in refusals)
    (won,) = [json.loads(a.body) for a in answers if a.status == 201]
    assert won["state"] == "held" and won["unit"]["id"] == str(unit.pk)
    assert len(occupying) == 1 and occupying[0][:2] == (won["id"], "held")
    assert occupying[0][2] in by_user
    seconds = [a.seconds for a in answers]
    print(
        f"\n{connection.vendor}: {CLIENTS} concurrent requests for the last free night in "
        f"{result.elapsed:.2f} s ({CLIENTS / result.elapsed:.0f} requests/s): 1 201, {len(refusals)} 409; "
        f"latency p50 {live_server.percentile(seconds, 0.5) * 1000:.0f} ms, "
        f"p95 {live_server.percentile(seconds, 0.95) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms; "
        f"load before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


# --- (b) two overlapping multi-night stays ----------------------------------------------------

OVERLAP_CLIENTS = 60


def test_two_overlapping_stays_requested_by_many_at_once_exactly_one_wins(tmp_path):
    service, (unit,) = make_house("Voorbeeld Logeerhuis De Overlap", units=1)
    clients = _caregivers(OVERLAP_CLIENTS, "overlap")
    first, second = (days(20), days(24)), (days(22), days(26))
    requests = [
        _stay_request(service, session, *(first if n % 2 else second))
        for n, (_, session) in enumerate(clients)
    ]
    with Server(tmp_path) as server:
        result = server.burst(requests)
        occupying = server.db.occupying(unit.pk, days(20), days(26))

    statuses = sorted(a.status for a in result.answers)
    assert statuses == [201] + [409] * (OVERLAP_CLIENTS - 1), server.unexpected(result.answers, (201, 409))
    assert all(_codes(a) == ["capacity_gone"] for a in result.answers if a.status == 409)
    (won,) = [json.loads(a.body) for a in result.answers if a.status == 201]
    assert len(occupying) == 1 and occupying[0][0] == won["id"]
    assert (won["arrival"], won["departure"]) in {(str(a), str(d)) for a, d in (first, second)}


# --- (c) hold expiry racing a confirm ---------------------------------------------------------

# When the confirm and the rival requests leave, relative to the moment the hold lapses (and the
# expiry command runs): before, at and after it, so that each side wins some rounds.
OFFSETS = (-0.6, -0.25, -0.1, -0.03, 0.0, 0.03)
RIVALS = 8

EXPIRE_AT = """
import sys, time
import django
django.setup()
from django.core.management import call_command
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
call_command("respite_expire_holds")
"""


def test_a_hold_about_to_lapse_confirm_racing_expiry_and_rivals_has_one_outcome(tmp_path):
    service, (unit,) = make_house("Voorbeeld Logeerhuis Op Het Nippertje", units=1)
    provider = make_provider("provider@example.org", service)
    requester = make_user("requester@example.org", Role.CAREGIVER)
    nights = [(days(30 + 3 * n), days(31 + 3 * n)) for n in range(len(OFFSETS))]
    held = [_ask(requester, service, a, d) for a, d in nights]
    provider_session = _session(provider)
    rivals = _caregivers(RIVALS, "rival")
    outcomes = []
    with Server(tmp_path) as server:
        for stay, (arrival, departure), offset in zip(held, nights, OFFSETS, strict=True):
            lapse = timezone.now() + dt.timedelta(seconds=4)
            server.db.rows("UPDATE respite_stay SET hold_until = %s WHERE id = %s", [lapse, stay.pk])
            command = subprocess.Popen(
                [sys.executable, "-c", EXPIRE_AT, str(lapse.timestamp())],
                cwd=live_server.ROOT, env=live_server.server_env(server.env_db),
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            try:
                time.sleep(max(0.0, lapse.timestamp() + offset - time.time() - 0.05))
                requests = [_post(f"{STAYS}{stay.pk}/confirm/", provider_session, delay=0.05)]
                requests += [_stay_request(service, s, arrival, departure) for _, s in rivals]
                for r in requests[1:]:
                    r.delay = 0.05
                result = server.burst(requests)
                output = command.communicate(timeout=60)[0].decode()
            finally:
                if command.poll() is None:
                    os.killpg(command.pid, 9)
                    command.wait(timeout=10)
            assert command.returncode == 0, output
            confirm, *others = result.answers
            won = [json.loads(a.body)["id"] for a in others if a.status == 201]
            state = server.db.state(stay.pk)
            occupying = server.db.occupying(unit.pk, arrival, departure, now=lapse + dt.timedelta(seconds=1))
            assert confirm.status in (200, 409), server.unexpected([confirm], (200, 409))
            assert all(a.status in (201, 409) for a in others), server.unexpected(others, (201, 409))
            if confirm.status == 200:
                assert state == "confirmed" and not won and [o[0] for o in occupying] == [str(stay.pk)]
            else:
                assert _codes(confirm)[0] in ("hold_expired", "state_changed")
                assert state == "expired" and len(won) <= 1
                assert [o[0] for o in occupying] == won
            outcomes.append("confirmed" if confirm.status == 200 else f"expired, {len(won)} re-let")
    print(f"\n{connection.vendor}: hold expiry racing a confirm, by offset {OFFSETS}: {outcomes}")


# --- (d) a waiting-list offer racing direct requests ------------------------------------------

DIRECT = 20


def test_a_cancellation_offering_the_nights_to_the_waiting_list_racing_direct_requests(tmp_path):
    service, (unit,) = make_house("Voorbeeld Logeerhuis De Wachtlijst", units=1)
    provider = make_provider("provider@example.org", service)
    booked, waiting = (make_user(f"{n}@example.org", Role.CAREGIVER) for n in ("booked", "waiting"))
    arrival, departure = days(50), days(52)
    stay = services.stay_confirm(
        request=request_for(provider), stay=_ask(booked, service, arrival, departure)
    )
    search = availability.Search(
        place=services.geo.resolve_postcode("3511"),
        arrival=arrival,
        departure=departure,
        funding=Funding.PRIVATE,
    )
    services.waiting_join(request=request_for(waiting), search=search, guest=None, kind=unit.kind)
    direct = _caregivers(DIRECT, "direct")
    requests = [_post(f"{STAYS}{stay.pk}/cancel/", _session(booked))]
    # The direct requests spread over the cancellation's time in the server (0-40 ms after it).
    requests += [_stay_request(service, s, arrival, departure) for _, s in direct]
    for n, r in enumerate(requests[1:]):
        r.delay = 0.002 * n
    with Server(tmp_path) as server:
        result = server.burst(requests)
        occupying = server.db.occupying(unit.pk, arrival, departure)

    cancel, *others = result.answers
    assert cancel.status == 200, server.unexpected([cancel], (200,))
    assert all(a.status in (201, 409) for a in others), server.unexpected(others, (201, 409))
    won = [json.loads(a.body)["id"] for a in others if a.status == 201]
    offers = [o for o in occupying if o[1] == "offered"]
    assert len(occupying) == 1, occupying
    assert len(won) + len(offers) == 1, (won, offers)
    if offers:
        assert offers[0][2] == waiting.pk
    print(
        f"\n{connection.vendor}: cancellation with a waiting list racing {DIRECT} direct requests: "
        + ("the waiting list's offer got the nights" if offers else "a direct request got the nights")
    )
