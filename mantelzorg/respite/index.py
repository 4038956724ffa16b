"""The availability index: in each process, the units in use and their nights in memory, so that
a search reads no unit or stay rows (BENCHMARKS.md, 2026-12-04: respite availability; ADR 0004).

What it holds, per unit in use: its row of ``UNIT_FIELDS`` (as ``availability.candidate_units``
gives it), one byte per day from ``base`` for ``DAYS`` days (1: a confirmed stay or a closure takes
that night) and its offered and held stays with their ``hold_until`` (whether a hold still counts
depends on the time of the search, so holds are applied then). Plus which services are published
(the sociale kaart's content version, ``core.cache``) and a grid of the units by position.

How it stays right: every insert, update or delete of a unit, stay or closure, by any writer,
numbers itself in ``respite_generation`` and logs its unit in ``respite_change`` (the triggers of
migration 0004), in the writer's own transaction. Every use of the index first reads the counter
(one query by primary key): unchanged, the index is current; ahead, the index reloads the units
logged since (three queries) — the counter's row lock makes changes commit in number order, so
nothing committed is skipped. It is built anew when the counter went back (a restore, a test's
rollback), when the log it needs was pruned, when too many units changed, every ``REBASE_DAYS``
days (its first day moves on) and after it was used inside a transaction (which may have seen
its own writes, later rolled back). A search outside its days falls back to the database
(``availability._busy``). A search therefore sees every change committed before it began, as the
plain queries do; ``tests/test_index.py`` checks the two agree after every kind of change.

The booking itself never trusts the index: a request checks and inserts inside its transaction
and the database refuses an overlap (docs/respite-booking.md)."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import defaultdict
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

DAYS = 460  # a search up to ~400 days ahead (arrival, 42 nights, 56 days of nearest dates) fits
REBASE_DAYS = 30
CELL_DEGREES = 0.2
MAX_CHANGED_UNITS = 2000  # more changed units than this since the last look: build anew
KEEP_CHANGES = 20000  # ``prune`` keeps this many of the latest changes

_lock = threading.RLock()
_index: NightsIndex | None = None


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)


class _Place:
    """The units of one kind of a service at one position (``NightsIndex.cells``)."""

    __slots__ = ("latitude", "longitude", "service", "units")

    def __init__(self, latitude: float, longitude: float, service: int):
        self.latitude, self.longitude, self.service = latitude, longitude, service
        self.units: dict = {}  # unit id -> (sort key, the row of UNIT_FIELDS)


class NightsIndex:
    def __init__(self, generation: int, base: dt.date):
        self.generation = generation
        self.base = base
        self.provisional = False  # built or refreshed inside a transaction: build anew outside
        self.directory_version = -1
        self.units: dict = {}  # unit id -> the row of UNIT_FIELDS (never changed once made)
        self.rows: dict = {}  # unit id -> bytearray of DAYS days from base
        self.holds: dict = {}  # unit id -> [(first day offset, stop offset, hold_until)]
        # (kind, grid cell) -> {(service id, location id): a place's units of that kind}; the units
        # of a place share its position (copied from the location), so a search measures the
        # distance and checks the publication once per place, not per unit.
        self.cells: dict = defaultdict(dict)
        self.published: frozenset = frozenset()  # service ids (as int) on the sociale kaart

    # --- loading ------------------------------------------------------------------------

    def load(self, unit_ids=None) -> None:
        """(Re)load every unit in use (None) or these units: their rows, nights and holds."""
        from django.db.models import TextField
        from django.db.models.functions import Cast

        from mantelzorg.directory.search import raw_rows

        from .availability import UNIT_FIELDS, mark_spans
        from .models import Closure, Stay, Unit

        units = Unit.objects.filter(active=True).order_by()
        if unit_ids is not None:
            unit_ids = list(unit_ids)
            for pk in unit_ids:
                self._drop(pk)
            units = units.filter(pk__in=unit_ids)
        fresh = {row["id"]: row for row in units.values(*UNIT_FIELDS)}
        if not fresh:
            return  # taken out of use or deleted: dropped above
        end = self.base + dt.timedelta(days=DAYS)
        rows = {pk: bytearray(DAYS) for pk in fresh}
        by_text = {}
        for pk, row in rows.items():  # as the database gives the id as text (PostgreSQL: with dashes)
            by_text[str(pk)] = by_text[pk.hex] = row
        stays = Stay.objects.filter(state=Stay.State.CONFIRMED, departure__gt=self.base, arrival__lt=end)
        closures = Closure.objects.filter(last_day__gte=self.base, first_day__lt=end)
        holds = Stay.objects.filter(
            state__in=(Stay.State.OFFERED, Stay.State.HELD),
            departure__gt=self.base,
            arrival__lt=end,
            hold_until__isnull=False,
        )
        if unit_ids is not None:
            stays = stays.filter(unit_id__in=list(fresh))
            closures = closures.filter(unit_id__in=list(fresh))
            holds = holds.filter(unit_id__in=list(fresh))
        as_text = (Cast("unit_id", TextField()),)
        days = (Cast("arrival", TextField()), Cast("departure", TextField()))
        spans = raw_rows(stays.order_by().values_list(*as_text, *days))
        mark_spans(by_text, spans, self.base, DAYS, after=0)
        closed = (Cast("first_day", TextField()), Cast("last_day", TextField()))
        mark_spans(
            by_text, raw_rows(closures.order_by().values_list(*as_text, *closed)), self.base, DAYS, after=1
        )
        base = self.base.toordinal()
        for pk, arrival, departure, until in holds.order_by().values_list(
            "unit_id", "arrival", "departure", "hold_until"
        ):
            if pk in fresh:
                self.holds.setdefault(pk, []).append(
                    (arrival.toordinal() - base, departure.toordinal() - base, until)
                )
        for pk, row in fresh.items():
            self.units[pk] = row
            self.rows[pk] = rows[pk]
            lat, lon = row["latitude"], row["longitude"]
            sort_key = (str(row["service_id"]), str(pk))
            place = self.cells[(row["kind"], *_cell(lat, lon))].setdefault(
                (row["service_id"], row["location_id"], lat, lon), _Place(lat, lon, row["service_id"].int)
            )
            place.units[pk] = (sort_key, row)

    def _drop(self, pk) -> None:
        row = self.units.pop(pk, None)
        if row is not None:
            lat, lon = row["latitude"], row["longitude"]
            cell = self.cells[(row["kind"], *_cell(lat, lon))]
            key = (row["service_id"], row["location_id"], lat, lon)
            place = cell.get(key)
            if place is not None:
                place.units.pop(pk, None)
                if not place.units:
                    del cell[key]
        self.rows.pop(pk, None)
        self.holds.pop(pk, None)

    def load_published(self, version: int) -> None:
        from mantelzorg.directory.models import Service

        services = {row["service_id"] for row in self.units.values()}
        self.published = frozenset(
            pk.int
            for pk in Service.objects.filter(
                pk__in=services, publication=Service.Publication.PUBLISHED
            ).values_list("pk", flat=True)
        )
        self.directory_version = version

    # --- reading ------------------------------------------------------------------------

    def candidates(self, search) -> list[tuple[float, dict]]:
        """``availability.candidate_units(search)``, from memory."""
        from mantelzorg.core import geo

        place, need, funding, radius = search.place, search.need, search.funding, search.radius_km
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.lat, place.lon, radius)
        distance = geo.distance_from(place.lat, place.lon)
        (low_lat, low_lon), (high_lat, high_lon) = _cell(min_lat, min_lon), _cell(max_lat, max_lon)
        published = self.published
        found = []
        with _lock:  # another thread of this process may be loading changes into these cells
            for kind in search.kinds:
                for x in range(low_lat, high_lat + 1):
                    for y in range(low_lon, high_lon + 1):
                        for spot in self.cells.get((kind, x, y), {}).values():
                            lat, lon = spot.latitude, spot.longitude
                            if spot.service not in published or not (
                                min_lat <= lat <= max_lat and min_lon <= lon <= max_lon
                            ):
                                continue
                            km = distance(lat, lon)
                            if km > radius:
                                continue
                            for sort_key, unit in spot.units.values():
                                if (not funding or funding in unit["funding"]) and need.fits(unit):
                                    found.append((km, sort_key, unit))
        found.sort(key=lambda row: row[:2])
        return [(km, unit) for km, _key, unit in found]

    def busy(self, unit_ids, first: dt.date, last: dt.date, now) -> dict | None:
        """``availability._busy(unit_ids, first, last, now)`` from memory, or None when the days
        are outside the index or a unit is not in it (the caller asks the database)."""
        start, stop = (first - self.base).days, (last - self.base).days + 1
        if start < 0 or stop > DAYS:
            return None
        width = stop - start
        ones = b"\x01" * width
        found = {}
        for pk in unit_ids:
            row = self.rows.get(pk)
            if row is None:
                return None
            found[pk] = days = row[start:stop]
            for a, b, until in self.holds.get(pk, ()):
                if until > now:
                    a, b = max(a - start, 0), min(b - start, width)
                    if a < b:
                        days[a:b] = ones[a:b]
        return found


_COUNTER_SQL: dict[str, tuple[str, tuple]] = {}


def _counter() -> tuple[int, int]:
    """(value, pruned_through) of the change counter. Read on every search, so its SQL is made
    by the ORM once per database vendor and then run as is: 24 µs instead of 213 µs for the
    ORM's query (ADR 0004; ``tests/test_index.py`` compares it with the ORM's answer)."""
    from .models import Generation

    sql = _COUNTER_SQL.get(connection.vendor)
    if sql is None:
        query = Generation.objects.filter(pk=1).values_list("value", "pruned_through").query
        sql = _COUNTER_SQL[connection.vendor] = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(*sql)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


def current() -> NightsIndex | None:
    """The index of this process, brought up to date; None when switched off
    (``RESPITE_AVAILABILITY_INDEX``)."""
    global _index
    if not settings.RESPITE_AVAILABILITY_INDEX:
        return None
    from mantelzorg.core.cache import content_version

    with _lock:
        inside = connection.in_atomic_block
        generation, pruned = _counter()
        today = timezone.localdate()
        index = _index
        if (
            index is None
            or generation < index.generation
            or index.generation < pruned
            or (today - index.base).days > REBASE_DAYS
            or (index.provisional and not inside)
        ):
            index = NightsIndex(generation, today)
            index.load()
        elif generation > index.generation:
            from .models import Change

            # Up to the counter read: above it the log may hold rows of before a restore (they
            # only make a unit load once more when the counter passes their numbers again).
            changed = set(
                Change.objects.filter(version__gt=index.generation, version__lte=generation).values_list(
                    "unit_id", flat=True
                )
            )
            # A prune that committed between the two reads may have taken rows this index needs.
            if len(changed) > MAX_CHANGED_UNITS or _counter()[1] > index.generation:
                index = NightsIndex(generation, today)
                index.load()
            else:
                index.load(changed)
                index.generation = generation
                index.directory_version = -1  # a new unit may belong to a service not yet known
        version = content_version("directory")
        if index.directory_version != version:
            index.load_published(version)
        index.provisional = index.provisional or inside
        _index = index
        return index


@contextmanager
def changing():
    """The transaction of a service that changes units, stays or closures: it takes the change
    counter's row lock first (SQLite: the transaction already writes alone), before any row or
    overlapping stay it may wait for, so two such transactions never wait for each other in
    opposite order (migration 0004's triggers take the same lock at the end of each statement)."""
    from .models import Generation

    with transaction.atomic():
        Generation.objects.select_for_update().filter(pk=1).values_list("pk", flat=True).first()
        yield


def forget() -> None:
    """Drop this process's index (tests: each starts with its own database state)."""
    global _index
    with _lock:
        _index = None


def prune(keep: int = KEEP_CHANGES) -> int:
    """Delete all but the latest ``keep`` changes (an index older than that builds anew);
    returns how many were deleted. Run with ``respite_expire_holds``."""
    from .models import Change, Generation

    with transaction.atomic():
        generation = _counter()[0]
        through = generation - keep
        if through <= 0:
            return 0
        deleted, _rows = Change.objects.filter(version__lte=through).delete()
        Generation.objects.filter(pk=1, pruned_through__lt=through).update(pruned_through=through)
    return deleted
