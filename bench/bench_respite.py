#!/usr/bin/env python3
"""The respite availability benchmark (issue 15): 5,000 units across the country with a year of
bookings, and the search ``GET /api/v1/respite/availability/`` for a postcode, 25 km, 14 days
and one profile filter.

Steps (each one idempotent; all in the database the environment names):

    export SQLITE_PATH=var/bench-respite.sqlite3          # or DATABASE_URL=postgres://…/mz_bench_respite
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py load_reference_data -v0
    .venv/bin/python bench/bench_respite.py build          # 5,000 units, ~235,000 stays (bulk, ~1 min)
    .venv/bin/python bench/bench_respite.py mix --out var/mix-respite.txt
    .venv/bin/python bench/bench_respite.py inprocess      # µs and queries per search, query plans
    .venv/bin/python bench/run.py --no-prepare --urls var/mix-respite.txt --runs 3

``build``: ``respite.demo.generate`` (houses of every kind by population over the gemeenten,
confirmed stays of the units' own lengths and arrival days, 60–85 % of the nights booked per
unit) plus closures on 3 % of the units and live holds on those of 400 drawn units whose drawn
nights are free (a few dozen: the year is 60–85 % booked).

``mix``: realistic, varied traffic: a PC4 area drawn by the population of its gemeente, an
arrival in the next 330 days, 14 nights, and exactly one profile filter (a target group,
wheelchair or night care), so that no two requests are alike and no cache answers them.

``inprocess``: per search through ``availability.search_houses`` (µs, best and median over the
mix), the queries of one search for a small and the full data set, and ``EXPLAIN`` of the three
reads. Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from mantelzorg.core import geo  # noqa: E402
from mantelzorg.core.models import Municipality, PostcodeArea  # noqa: E402
from mantelzorg.respite import availability, demo  # noqa: E402
from mantelzorg.respite.models import Closure, Stay, Unit  # noqa: E402

SEED = 15_2026
UNITS = 5_000
NIGHTS = 14
PROFILES = [
    {"target_group": "dementia"},
    {"target_group": "older"},
    {"target_group": "children"},
    {"target_group": "intellectual"},
    {"target_group": "brain_injury"},
    {"target_group": "psychiatric"},
    {"wheelchair": "true"},
    {"night_care": "true"},
]


def build(units: int, seed: int) -> None:
    if Unit.objects.exists():
        print(f"already built: {Unit.objects.count()} units, {Stay.objects.count()} stays")
        return
    summary = demo.generate(units=units, seed=seed, booking_days=365, occupancy=(0.6, 0.85))
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    today = timezone.localdate()
    now = timezone.now()
    ids = list(Unit.objects.order_by("pk").values_list("pk", flat=True))
    closures = []
    for unit_id in rng.sample(ids, len(ids) * 3 // 100):
        first = today + dt.timedelta(days=rng.randint(0, 330))
        closures.append(
            Closure(unit_id=unit_id, first_day=first, last_day=first + dt.timedelta(days=rng.randint(1, 14)))
        )
    Closure.objects.bulk_create(closures, batch_size=500)
    # Live holds: requests waiting for the provider, on nights no booking occupies.
    holds = 0
    with transaction.atomic():
        for unit_id in rng.sample(ids, 400):
            arrival = today + dt.timedelta(days=rng.randint(1, 300))
            departure = arrival + dt.timedelta(days=rng.randint(2, 4))
            if availability.free_units([unit_id], arrival, departure, now=now):
                Stay.objects.create(
                    unit_id=unit_id,
                    arrival=arrival,
                    departure=departure,
                    state=Stay.State.HELD,
                    hold_until=now + dt.timedelta(hours=rng.randint(1, 48)),
                    funding="wmo",
                )
                holds += 1
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    booked = sum(
        (d - a).days for a, d in Stay.objects.filter(state="confirmed").values_list("arrival", "departure")
    )
    print(
        f"built: {summary['houses']} houses, {summary['units']} units, {summary['stays']} confirmed stays "
        f"({booked / (summary['units'] * 365):.0%} of the nights of the year), {len(closures)} closures, "
        f"{holds} holds, {summary['seconds']} s generate"
    )


def mix(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - benchmark input
    population = dict(Municipality.objects.values_list("code", "population"))
    areas = list(PostcodeArea.objects.order_by("pc4").values_list("pc4", "municipality_id"))
    per_gemeente: dict[str, int] = {}
    for _, code in areas:
        per_gemeente[code] = per_gemeente.get(code, 0) + 1
    weights = [population[code] / per_gemeente[code] for _, code in areas]
    today = timezone.localdate()
    paths = []
    for _ in range(n):
        pc4 = rng.choices(areas, weights)[0][0]
        arrival = today + dt.timedelta(days=rng.randint(1, 330))
        query = {
            "postcode": pc4,
            "from": arrival.isoformat(),
            "to": (arrival + dt.timedelta(days=NIGHTS)).isoformat(),
            "radius_km": 25,
            **rng.choice(PROFILES),
        }
        paths.append("/api/v1/respite/availability/?" + urlencode(query))
    return paths


def search_of(path: str) -> availability.Search:
    from urllib.parse import parse_qs, urlsplit

    q = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    return availability.Search(
        place=geo.resolve_postcode(q["postcode"]),
        arrival=dt.date.fromisoformat(q["from"]),
        departure=dt.date.fromisoformat(q["to"]),
        radius_km=int(q["radius_km"]),
        need=availability.Need(
            target_group=q.get("target_group", ""),
            wheelchair=q.get("wheelchair") == "true",
            night_care=q.get("night_care") == "true",
        ),
    )


def explain(search: availability.Search) -> None:
    place = search.place
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.lat, place.lon, search.radius_km)
    units = Unit.objects.filter(
        active=True,
        kind__in=sorted(search.kinds),
        latitude__range=(min_lat, max_lat),
        longitude__range=(min_lon, max_lon),
    ).values(*availability.UNIT_FIELDS)
    ids = [u["id"] for u in units]
    first, last = search.arrival - dt.timedelta(days=14), search.departure + dt.timedelta(days=56)
    stays = Stay.objects.filter(
        unit_id__in=ids, state__in=("offered", "held", "confirmed"), departure__gt=first, arrival__lt=last
    ).values_list("unit_id", "arrival", "departure")
    closures = Closure.objects.filter(unit_id__in=ids, last_day__gte=first, first_day__lte=last).values_list(
        "unit_id", "first_day", "last_day"
    )
    print(f"units in the box: {len(ids)}, their stays in the window: {stays.count()}")
    for name, qs in (("units", units), ("stays", stays), ("closures", closures)):
        plan = "\n".join(line if len(line) < 200 else line[:200] + " …" for line in qs.explain().splitlines())
        print(f"--- {name}\n{plan}")


def inprocess(paths: list[str], repeat: int, compare: bool) -> None:
    """µs per search: each search ``repeat`` times, its best time kept (the machine is shared:
    the best of a few is the search's own cost, not another process's), then p50/p95 over the
    searches; wall time and this process's CPU time (on SQLite the database's work included, on
    PostgreSQL not). ``compare``: the plain way (``tests/availability_reference.py``, the search
    of main before 2026-12-04) measured on the same searches, interleaved."""
    from mantelzorg.respite.tests import availability_reference

    searches = [search_of(p) for p in paths]
    now = timezone.now()
    ways = {"fast": availability.search_houses}
    if compare:
        ways["plain"] = availability_reference.search_houses
    for s in searches[:20]:  # warm the PC4 table and the connection
        for way in ways.values():
            way(s, now=now)
    best = {name: [float("inf")] * len(searches) for name in ways}
    cpu = {name: [float("inf")] * len(searches) for name in ways}
    houses, units, queries = [], [], set()
    for _ in range(repeat):
        for i, s in enumerate(searches):
            for name, way in ways.items():
                with CaptureQueriesContext(connection) as ctx:
                    started, cpu_started = time.perf_counter(), time.process_time()
                    found = way(s, now=now)
                    took = (time.perf_counter() - started) * 1e6
                    cpu[name][i] = min(cpu[name][i], (time.process_time() - cpu_started) * 1e6)
                best[name][i] = min(best[name][i], took)
                if name == "fast":
                    queries.add(len(ctx.captured_queries))
                    houses.append(len(found))
                    units.append(sum(len(h.units) for h in found))

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(q * len(values)))]

    print(
        f"{len(searches)} searches × {repeat} (best of {repeat} per search); houses {statistics.mean(houses):.1f}, "
        f"matching units {statistics.mean(units):.1f} on average; queries per search {sorted(queries)} "
        "(1: no unit near)"
    )
    for name in ways:
        print(
            f"  {name:<5} wall p50 {pct(best[name], 0.5):>9,.0f} µs  p95 {pct(best[name], 0.95):>9,.0f} µs   "
            f"CPU p50 {pct(cpu[name], 0.5):>9,.0f} µs  p95 {pct(cpu[name], 0.95):>9,.0f} µs"
        )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="step", required=True)
    b = sub.add_parser("build")
    b.add_argument("--units", type=int, default=UNITS)
    b.add_argument("--seed", type=int, default=SEED)
    m = sub.add_parser("mix")
    m.add_argument("--n", type=int, default=2000)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--out", required=True)
    i = sub.add_parser("inprocess")
    i.add_argument("--n", type=int, default=300)
    i.add_argument("--repeat", type=int, default=3)
    i.add_argument("--seed", type=int, default=2)
    i.add_argument("--compare", action="store_true", help="also the plain way, interleaved")
    a = p.parse_args(argv)
    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.2f}")
    if a.step == "build":
        build(a.units, a.seed)
    elif a.step == "mix":
        paths = mix(min(a.n, 10_000), a.seed)
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text("\n".join(paths) + "\n", encoding="utf-8")
        print(f"{len(paths)} paths ({len(set(paths))} different) → {a.out}")
    else:
        paths = mix(a.n, a.seed)
        explain(search_of(paths[0]))
        inprocess(paths, a.repeat, a.compare)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
