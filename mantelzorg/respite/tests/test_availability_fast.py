"""The availability search at scale: the fast search (byte rows per unit, raw rows) gives what
the plain way gives (``availability_reference``), and one search costs the same number of
queries for one unit with one stay as for hundreds of units with thousands of stays, closures
and holds (BENCHMARKS.md, 2026-12-04: respite availability)."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mantelzorg.core import geo
from mantelzorg.respite import availability, demo
from mantelzorg.respite.models import Closure, Funding, Kind, Stay, TargetGroup, Unit

from . import availability_reference as reference
from .factories import days, make_house

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["index", "database"])
def memory(request, settings):
    """The search with this process's availability index (index.py) and without it (the
    database every time: the way it goes when the index is off or lacks the days)."""
    settings.RESPITE_AVAILABILITY_INDEX = request.param == "index"
    return request.param


# Gemeenten in and around Utrecht and Amersfoort: houses close together, so searches meet many.
NEAR = ["GM0344", "GM0355", "GM0356", "GM0321", "GM0310", "GM0307", "GM1581", "GM0353"]
POSTCODES = ["3511", "3581", "3706", "3431", "3995", "3811", "3941", "3401", "3731"]


def build(seed: int, houses: int, booking_days: int = 120) -> int:
    """Generated houses near Utrecht with bookings, some turned into live and lapsed holds and
    offers, cancelled and declined stays on top, and closures."""
    builder = demo._Builder(seed)
    rng = builder.rng
    weights = [p.weight for p in demo.PROFILES]
    for _ in range(houses):
        builder.house(rng.choices(demo.PROFILES, weights)[0], code=rng.choice(NEAR))
    now = timezone.now()
    today = timezone.localdate()
    builder.bookings(builder.units, today - dt.timedelta(days=10), booking_days, (0.5, 0.9), now)
    for stay in builder.rows["stays"]:
        roll = rng.random()
        if roll < 0.05:
            stay.state, stay.hold_until = Stay.State.HELD, now + dt.timedelta(hours=rng.randint(1, 48))
        elif roll < 0.10:
            stay.state, stay.hold_until = Stay.State.HELD, now - dt.timedelta(hours=rng.randint(1, 48))
        elif roll < 0.12:
            stay.state, stay.hold_until = Stay.State.OFFERED, now + dt.timedelta(hours=rng.randint(1, 24))
        elif roll < 0.14:
            stay.state, stay.hold_until = Stay.State.OFFERED, now - dt.timedelta(hours=1)
    extra = []
    for stay in rng.sample(builder.rows["stays"], len(builder.rows["stays"]) // 10):
        extra.append(
            Stay(
                unit_id=stay.unit_id,
                arrival=stay.arrival,
                departure=stay.departure + dt.timedelta(days=rng.randint(0, 3)),
                state=rng.choice((Stay.State.CANCELLED, Stay.State.DECLINED, Stay.State.EXPIRED)),
                funding=Funding.WMO,
            )
        )
    builder.rows["stays"] += extra
    builder.write()
    closures = []
    for unit in rng.sample(builder.units, len(builder.units) // 8):
        first = today + dt.timedelta(days=rng.randint(-20, 100))
        closures.append(
            Closure(unit_id=unit.id, first_day=first, last_day=first + dt.timedelta(days=rng.randint(0, 10)))
        )
    Closure.objects.bulk_create(closures)
    return len(builder.units)


def searches(seed: int, n: int):
    rng = random.Random(seed)  # noqa: S311 - test input
    today = timezone.localdate()
    needs = [
        availability.Need(),
        availability.Need(target_group=TargetGroup.DEMENTIA),
        availability.Need(target_group=TargetGroup.CHILDREN),
        availability.Need(wheelchair=True),
        availability.Need(night_care=True, behaviour=True),
    ]
    kinds = [frozenset(Kind.values), frozenset({Kind.LOGEERZORG_WMO, Kind.LOGEERZORG_WLZ})]
    for _ in range(n):
        arrival = today + dt.timedelta(days=rng.choice((-3, 0, 1, 2, 5, 13, 14, 15, rng.randint(0, 130))))
        yield availability.Search(
            place=geo.resolve_postcode(rng.choice(POSTCODES)),
            arrival=arrival,
            departure=arrival + dt.timedelta(days=rng.choice((1, 2, 3, 4, 7, 14, 14, 21, 42))),
            radius_km=rng.choice((5, 10, 25, 25, 50)),
            kinds=rng.choice(kinds),
            funding=rng.choice(("", "", Funding.WMO, Funding.WLZ, Funding.ZVW)),
            need=rng.choice(needs),
        )


def answer(houses):
    return [
        (
            h.service_id,
            h.location_id,
            h.distance_km,
            [u["id"] for u in h.units],
            h.free_unit_ids,
            h.free_per_night,
            h.alternatives,
        )
        for h in houses
    ]


def test_the_fast_search_gives_what_the_plain_way_gives(db, memory):
    build(seed=11, houses=45)
    now = timezone.now()
    compared = available = alternatives = 0
    for search in searches(seed=5, n=160):
        for count in (0, 3):  # the last one, with other dates, is counted below
            fast = availability.search_houses(search, now=now, alternatives=count)
            plain = reference.search_houses(search, now=now, alternatives=count)
            assert answer(fast) == answer(plain), search
        compared += len(fast)
        available += sum(h.available for h in fast)
        alternatives += sum(bool(h.alternatives) for h in fast)
    # The comparison met houses that are free, full with other dates, and full without.
    assert compared > 500 and 50 < available < compared and alternatives > 50


def test_a_page_of_houses_is_that_page_of_the_whole_search(db, memory):
    """``houses_page`` (the API's: nights read for the page's houses only) gives the houses and
    the count of ``search_houses``."""
    build(seed=13, houses=45)
    now = timezone.now()
    pages = 0
    for n, search in enumerate(searches(seed=8, n=40)):
        shown = slice(*((0, 5), (5, 10), (0, 20), (20, 40))[n % 4])
        whole = availability.search_houses(search, now=now, shown=shown)
        total, page = availability.houses_page(search, shown, now=now)
        assert total == len(whole) and answer(page) == answer(whole[shown]), search
        pages += bool(page)
    assert pages > 20


def test_a_held_request_counts_until_its_time_is_up_in_both(db, memory):
    service, units = make_house(units=1)
    now = timezone.now()
    Stay.objects.create(
        unit=units[0],
        arrival=days(3),
        departure=days(5),
        state=Stay.State.HELD,
        hold_until=now + dt.timedelta(hours=1),
        funding=Funding.WMO,
    )
    search = availability.Search(place=geo.resolve_postcode("3511"), arrival=days(3), departure=days(5))
    for moment in (now, now + dt.timedelta(hours=2)):
        fast = availability.search_houses(search, now=moment)
        assert answer(fast) == answer(reference.search_houses(search, now=moment))
    assert not availability.search_houses(search, now=now)[0].available
    assert availability.search_houses(search, now=now + dt.timedelta(hours=2))[0].available


def _queries(search) -> int:
    availability.search_houses(search)  # the index (when on) brought up to date
    with CaptureQueriesContext(connection) as ctx:
        availability.search_houses(search)
    return len(ctx.captured_queries)


def _api_queries(client, search) -> int:
    query = {"postcode": search.place.pc4, "from": search.arrival, "to": search.departure, "radius_km": 25}
    client.get("/api/v1/respite/availability/", query)  # content versions read again after a write
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/respite/availability/", query)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_one_search_costs_the_same_queries_for_one_unit_as_for_hundreds(client, memory, steady_versions):
    service, units = make_house(units=1)
    Stay.objects.create(
        unit=units[0], arrival=days(10), departure=days(12), state=Stay.State.CONFIRMED, funding=Funding.WMO
    )
    Closure.objects.create(unit=units[0], first_day=days(20), last_day=days(21))
    search = availability.Search(
        place=geo.resolve_postcode("3511"),
        arrival=days(9),
        departure=days(23),
        need=availability.Need(target_group=TargetGroup.DEMENTIA),
    )
    one, one_api = _queries(search), _api_queries(client, search)
    assert availability.search_houses(search)[0].alternatives  # the full house's other dates

    made = build(seed=12, houses=60, booking_days=150)
    stays = Stay.objects.count()
    found = availability.search_houses(search)
    assert made > 200 and stays > 2000 and Closure.objects.count() > 20
    assert len(found) > 10 and sum(len(h.units) for h in found) > 60
    # Index: its counter only (index.py). Database: units, their stays and closures; those of
    # the full houses over the wider window.
    assert _queries(search) == one == (1 if memory == "index" else 5)
    assert _api_queries(client, search) == one_api
    assert Unit.objects.count() == made + 1
