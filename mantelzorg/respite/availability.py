"""What is free: the nights of units, the houses near a postcode with free nights for some dates,
and the nearest dates that are free. Reads only; no personal data (counts and dates of units).

A night is free on a unit when the unit is in use, not closed that day, and no stay occupies it:
offered, held with ``hold_until`` still ahead, or confirmed. A held or offered stay whose time is
up counts as free at once, before ``services.holds_expire`` marks it expired (the request that
takes the night expires it in its own transaction, so the database constraint agrees).

One search reads three tables once each, whatever the number of units and stays: the units in a
bounding box around the postcode (index ``respite_unit_position``), the stays of those units that
overlap the window (the covering index ``respite_stay_unit_window``), and their closures."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from mantelzorg.core import geo

from . import index
from .models import OCCUPYING, Closure, Kind, Stay, Unit

# How far past the wished dates the search looks for the nearest free dates.
LOOKAHEAD_DAYS = 56
MAX_RADIUS_KM = 100
MAX_NIGHTS = 42  # a kortdurende opname lasts at most six weeks (domain-facts §2.3)


@dataclass(frozen=True)
class Need:
    """The care profile a unit must offer."""

    target_group: str = ""
    wheelchair: bool = False
    night_care: bool = False
    behaviour: bool = False

    def fits(self, unit) -> bool:
        return (
            (not self.target_group or self.target_group in unit["target_groups"])
            and (not self.wheelchair or unit["wheelchair"])
            and (not self.night_care or unit["night_care"])
            and (not self.behaviour or unit["behaviour"])
        )

    def as_dict(self) -> dict:
        return {
            "target_group": self.target_group,
            "wheelchair": self.wheelchair,
            "night_care": self.night_care,
            "behaviour": self.behaviour,
        }


@dataclass(frozen=True)
class Search:
    place: geo.Place
    arrival: dt.date
    departure: dt.date
    radius_km: int = 25
    kinds: frozenset[str] = frozenset({Kind.LOGEERZORG_WMO, Kind.LOGEERZORG_WLZ})
    funding: str = ""
    need: Need = Need()

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days


@dataclass
class House:
    """One service (a logeerhuis, an ELV ward) with the matching units near the postcode."""

    service_id: object
    location_id: object
    distance_km: float
    units: list[dict] = field(default_factory=list)
    free_unit_ids: list = field(default_factory=list)  # free for the whole wished stay
    free_per_night: list[int] = field(default_factory=list)  # per wished night: units free
    alternatives: list[tuple[dt.date, dt.date]] = field(default_factory=list)  # nearest free dates

    @property
    def available(self) -> bool:
        return bool(self.free_unit_ids)


UNIT_FIELDS = (
    "id",
    "service_id",
    "location_id",
    "kind",
    "target_groups",
    "wheelchair",
    "night_care",
    "behaviour",
    "min_nights",
    "max_nights",
    "admission_days",
    "funding",
    "latitude",
    "longitude",
)


def occupied_days(unit_ids, first: dt.date, last: dt.date, now=None) -> dict[object, set[dt.date]]:
    """Per unit, the days of ``first`` … ``last`` (a night is named by its date) it cannot be
    booked: occupied by a stay or closed."""
    now = now or timezone.now()
    taken: dict[object, set[dt.date]] = defaultdict(set)
    if not unit_ids:
        return taken
    end = last + dt.timedelta(days=1)
    stays = Stay.objects.filter(
        unit_id__in=unit_ids, state__in=OCCUPYING, departure__gt=first, arrival__lt=end
    ).filter(Q(state=Stay.State.CONFIRMED) | Q(hold_until__gt=now))
    for unit_id, arrival, departure in stays.values_list("unit_id", "arrival", "departure"):
        day, stop = max(arrival, first), min(departure, end)
        while day < stop:
            taken[unit_id].add(day)
            day += dt.timedelta(days=1)
    closures = Closure.objects.filter(unit_id__in=unit_ids, last_day__gte=first, first_day__lte=last)
    for unit_id, first_day, last_day in closures.values_list("unit_id", "first_day", "last_day"):
        day, stop = max(first_day, first), min(last_day, last)
        while day <= stop:
            taken[unit_id].add(day)
            day += dt.timedelta(days=1)
    return taken


def fits_stay(unit: dict, arrival: dt.date, departure: dt.date, taken: set[dt.date]) -> bool:
    """Whether ``unit`` can take a stay from ``arrival`` to ``departure``: its rules (length,
    arrival day) and every night free."""
    nights = (departure - arrival).days
    if not unit["min_nights"] <= nights <= unit["max_nights"]:
        return False
    if unit["admission_days"] and arrival.isoweekday() not in unit["admission_days"]:
        return False
    return all(arrival + dt.timedelta(days=n) not in taken for n in range(nights))


def candidate_units(search: Search) -> list[tuple[float, dict]]:
    """(distance, unit) for the units in use of the search's kinds, funding and profile within its
    radius, nearest first.

    The rows of the bounding box are read raw (``directory.search.raw_rows``): the distance and
    a text test on the JSON lists come first, and only the units that pass are decoded (their
    JSON parsed, their ids made UUIDs) and checked exactly with ``Need.fits``; the same answer as
    ``values(*UNIT_FIELDS)`` for every row (``tests/availability_reference.py``)."""
    from mantelzorg.directory.models import Service
    from mantelzorg.directory.search import as_uuid, raw_rows

    place = search.place
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.lat, place.lon, search.radius_km)
    rows = (
        Unit.objects.filter(
            active=True,
            service__publication=Service.Publication.PUBLISHED,  # what the sociale kaart shows
            kind__in=sorted(search.kinds),
            latitude__range=(min_lat, max_lat),
            longitude__range=(min_lon, max_lon),
        )
        .order_by()  # sorted below: the model's ordering (by service name) would join and sort in SQL
        .values_list(*UNIT_FIELDS)
    )
    distance = geo.distance_from(place.lat, place.lon)
    need, funding, radius = search.need, search.funding, search.radius_km
    # A value is in a JSON list of plain strings only if its quoted form is in the text.
    group_text = json.dumps(need.target_group) if need.target_group else ""
    funding_text = json.dumps(funding) if funding else ""
    index = {name: n for n, name in enumerate(UNIT_FIELDS)}
    flags = [index[name] for name in ("wheelchair", "night_care", "behaviour") if getattr(need, name)]
    groups, fundings = index["target_groups"], index["funding"]
    lat, lon = index["latitude"], index["longitude"]
    found = []
    for row in raw_rows(rows):
        if (
            any(not row[n] for n in flags)
            or (group_text and group_text not in _text(row[groups]))
            or (funding_text and funding_text not in _text(row[fundings]))
        ):
            continue
        km = distance(row[lat], row[lon])
        if km > radius:
            continue
        values = dict(zip(UNIT_FIELDS, row, strict=True))
        for name in ("target_groups", "admission_days", "funding"):
            values[name] = _json(values[name])
        for name in ("wheelchair", "night_care", "behaviour"):
            values[name] = bool(values[name])
        if (funding and funding not in values["funding"]) or not need.fits(values):
            continue
        for name in ("id", "service_id", "location_id"):
            values[name] = as_uuid(values[name])
        found.append((km, values))
    found.sort(key=lambda pair: (pair[0], str(pair[1]["service_id"]), str(pair[1]["id"])))
    return found


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def search_houses(
    search: Search, *, now=None, alternatives: int = 3, shown: slice | None = None
) -> list[House]:
    """The houses with matching units within the radius, nearest first, each with the units free
    for the whole wished stay, the free units per wished night and, when none is free for the
    whole stay, up to ``alternatives`` nearest stays of the same length that are free (from the
    wished arrival up to ``LOOKAHEAD_DAYS`` later, or earlier but not before today): for the
    houses ``found[shown]`` (all when None: a page asks for its own houses only).

    The same answer as checking every night with ``occupied_days`` and ``fits_stay`` (kept for
    ``free_units``; ``tests/availability_reference.py`` is that plain way, and
    ``tests/test_availability_fast.py`` compares the two), but per unit one byte per day of the
    window (``_busy``: from this process's availability index, ``index.py``, or read from the
    database without Django's converters), and free stretches found with C-level searches instead
    of a set lookup per unit, day and candidate arrival (BENCHMARKS.md, 2026-12-04: 5,000 units
    and a year of bookings). The wider window of the nearest free dates is read only for the full
    houses that are shown."""
    now = now or timezone.now()
    memory = index.current()
    found = find_houses(search, memory)
    add_nights(found, search, now=now, memory=memory)
    if alternatives:
        add_alternatives(
            found if shown is None else found[shown], search, count=alternatives, now=now, memory=memory
        )
    return found


def houses_page(search: Search, shown: slice, *, now=None, alternatives: int = 3) -> tuple[int, list[House]]:
    """(how many houses the search finds, the houses ``shown`` of them as ``search_houses`` gives
    them): the nights of the shown houses' units only, since the order (nearest first) does not
    depend on them (the API's pages; ``tests/test_availability_fast.py`` compares the two)."""
    now = now or timezone.now()
    memory = index.current()
    found = find_houses(search, memory)
    page = found[shown]
    add_nights(page, search, now=now, memory=memory)
    if alternatives:
        add_alternatives(page, search, count=alternatives, now=now, memory=memory)
    return len(found), page


def find_houses(search: Search, memory=None) -> list[House]:
    """The houses of the matching units within the radius, nearest first (a house is as near as
    its nearest unit), without their nights yet (``add_nights``)."""
    units = memory.candidates(search) if memory is not None else candidate_units(search)
    houses: dict[object, House] = {}
    for km, unit in units:
        house = houses.get(unit["service_id"])
        if house is None:
            house = houses[unit["service_id"]] = House(
                service_id=unit["service_id"], location_id=unit["location_id"], distance_km=round(km, 1)
            )
        house.units.append(unit)
    return list(houses.values())


def add_nights(houses, search: Search, *, now=None, memory=None) -> None:
    """Give each of ``houses`` its free units per wished night and the units free for the whole
    stay (``House.free_per_night``, ``House.free_unit_ids``): one read for all their units."""
    now = now or timezone.now()
    nights = search.nights
    busy = _busy_of(
        memory,
        [u["id"] for house in houses for u in house.units],
        search.arrival,
        search.departure - dt.timedelta(days=1),
        now,
    )
    past = min(nights, (timezone.localdate(now) - search.arrival).days)
    if past > 0:  # nights before today are outside the window: they count as free, as in occupied_days
        for row in busy.values():
            row[:past] = bytes(past)
    weekday = search.arrival.isoweekday()
    for house in houses:
        free_per_night = house.free_per_night = [0] * nights
        house.free_unit_ids = []
        for unit in house.units:
            row = busy[unit["id"]]
            for n in range(nights):
                if not row[n]:
                    free_per_night[n] += 1
            if (
                unit["min_nights"] <= nights <= unit["max_nights"]
                and (not unit["admission_days"] or weekday in unit["admission_days"])
                and _free(row, 0, nights, nights)
            ):
                house.free_unit_ids.append(unit["id"])


def add_alternatives(houses, search: Search, *, count: int = 3, now=None, memory=None) -> None:
    """Give each full house of ``houses`` its ``count`` nearest free stays of the wished length
    (``House.alternatives``): one read of the stays and closures of their units over the window
    from two weeks before the wished arrival (not before today) to ``LOOKAHEAD_DAYS`` after."""
    full = [house for house in houses if not house.available]
    if not full:
        return
    now = now or timezone.now()
    first = max(timezone.localdate(now), search.arrival - dt.timedelta(days=14))
    last = search.departure + dt.timedelta(days=LOOKAHEAD_DAYS)
    memory = memory or index.current()  # the search's own index, or this process's brought up to date
    busy = _busy_of(memory, [u["id"] for house in full for u in house.units], first, last, now)
    for house in full:
        house.alternatives = _nearest_free(house.units, search, busy, first, last, count)


_ONE = b"\x01"
_FREE_STRETCH = re.compile(b"\x00+")


def _free(row: bytearray, start: int, stop: int, width: int) -> bool:
    """Whether the days ``start`` … ``stop - 1`` of the window are free in ``row`` (days outside
    the window count as free, as in ``occupied_days``)."""
    return row.find(_ONE, max(0, start), max(0, min(stop, width))) == -1


def _busy_of(memory, unit_ids, first: dt.date, last: dt.date, now) -> dict[object, bytearray]:
    """``_busy`` from the availability index when it holds these days, else from the database."""
    busy = memory.busy(unit_ids, first, last, now) if memory is not None else None
    return busy if busy is not None else _busy(unit_ids, first, last, now)


def _busy(unit_ids, first: dt.date, last: dt.date, now) -> dict[object, bytearray]:
    """Per unit, one byte per day of ``first`` … ``last``: 1 when it cannot be booked (the days
    of ``occupied_days``). Two queries; their rows are read without Django's converters (no UUID
    and date objects per stay: ``directory.search.raw_rows``)."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from mantelzorg.directory.search import raw_rows

    width = (last - first).days + 1
    rows = {pk: bytearray(width) for pk in unit_ids}
    if not rows:
        return rows
    by_text = {}
    for pk, row in rows.items():  # the unit id as the database gives it as text (PostgreSQL: with dashes)
        by_text[str(pk)] = by_text[pk.hex] = row
    end = last + dt.timedelta(days=1)
    stays = (
        Stay.objects.filter(unit_id__in=list(rows), state__in=OCCUPYING, departure__gt=first, arrival__lt=end)
        .filter(Q(state=Stay.State.CONFIRMED) | Q(hold_until__gt=now))
        .order_by()
        .values_list(
            Cast("unit_id", TextField()), Cast("arrival", TextField()), Cast("departure", TextField())
        )
    )
    closures = (
        Closure.objects.filter(unit_id__in=list(rows), last_day__gte=first, first_day__lte=last)
        .order_by()
        .values_list(
            Cast("unit_id", TextField()), Cast("first_day", TextField()), Cast("last_day", TextField())
        )
    )
    mark_spans(by_text, raw_rows(stays), first, width, after=0)
    mark_spans(by_text, raw_rows(closures), first, width, after=1)
    return rows


def mark_spans(by_text: dict, spans, first: dt.date, width: int, *, after: int) -> None:
    """Mark busy, in the byte row of its unit (``by_text``: the unit id as the database gives it
    as text), the days of each (unit id, first day, last day) of ``spans`` (dates as ISO text)
    that fall in the ``width`` days from ``first``: up to the last day itself with ``after=1``
    (a closure), up to the day before with ``after=0`` (a stay's departure). Rows of other units
    are passed over."""
    ones, day, base = b"\x01" * width, _fromisoformat, first.toordinal()
    for unit_id, begin, stop in spans:
        row = by_text.get(unit_id)
        if row is None:
            continue
        a = day(begin).toordinal() - base
        b = day(stop).toordinal() - base + after
        if a < 0:
            a = 0
        if b > width:
            b = width
        if a < b:
            row[a:b] = ones[a:b]


_fromisoformat = dt.date.fromisoformat


def _nearest_free(units, search: Search, busy, first: dt.date, last: dt.date, count: int):
    """``nearest_free`` over the byte rows: the arrivals at which some unit has ``nights`` free
    days in a row, allows that length and takes arrivals that weekday."""
    nights = search.nights
    span = (last - first).days - nights + 1  # arrivals first … first + span - 1, as nearest_free
    wished = (search.arrival - first).days
    weekday0 = first.isoweekday() - 1
    starts: set[int] = set()
    for unit in units:
        if not unit["min_nights"] <= nights <= unit["max_nights"]:
            continue
        days = unit["admission_days"]
        for stretch in _FREE_STRETCH.finditer(busy[unit["id"]]):
            for offset in range(stretch.start(), min(stretch.end() - nights + 1, span)):
                if not days or (weekday0 + offset) % 7 + 1 in days:
                    starts.add(offset)
    starts.discard(wished)
    order = sorted((abs(offset - wished) * 2 - (offset > wished), offset) for offset in starts)
    length = dt.timedelta(days=nights)
    return [(first + dt.timedelta(days=o), first + dt.timedelta(days=o) + length) for _, o in order[:count]]


def free_units(unit_ids, arrival: dt.date, departure: dt.date, *, now=None) -> list:
    """Of ``unit_ids`` (in that order), those that can take this stay now: the check a request
    makes inside its transaction before it inserts."""
    rows = {u["id"]: u for u in Unit.objects.filter(pk__in=unit_ids, active=True).values(*UNIT_FIELDS)}
    taken = occupied_days(list(rows), arrival, departure - dt.timedelta(days=1), now=now)
    return [
        pk for pk in unit_ids if pk in rows and fits_stay(rows[pk], arrival, departure, taken.get(pk, set()))
    ]


def capacity_by_day(unit_ids, first: dt.date, days: int, *, now=None) -> list[dict]:
    """Per day from ``first``: units in use (``maximum``), nights ``booked`` (confirmed),
    ``held`` (offered or held and not yet lapsed), ``closed`` and ``available``."""
    now = now or timezone.now()
    last = first + dt.timedelta(days=days - 1)
    active = list(Unit.objects.filter(pk__in=unit_ids, active=True).values_list("pk", flat=True))
    booked = [0] * days
    held = [0] * days
    closed = [0] * days
    stays = Stay.objects.filter(
        unit_id__in=active, state__in=OCCUPYING, departure__gt=first, arrival__lte=last
    ).filter(Q(state=Stay.State.CONFIRMED) | Q(hold_until__gt=now))
    for arrival, departure, state in stays.values_list("arrival", "departure", "state"):
        target = booked if state == Stay.State.CONFIRMED else held
        for n in range(max(0, (arrival - first).days), min(days, (departure - first).days)):
            target[n] += 1
    closures = Closure.objects.filter(unit_id__in=active, last_day__gte=first, first_day__lte=last)
    for first_day, last_day in closures.values_list("first_day", "last_day"):
        for n in range(max(0, (first_day - first).days), min(days, (last_day - first).days + 1)):
            closed[n] += 1
    result = []
    for n in range(days):
        maximum = len(active)
        result.append(
            {
                "date": first + dt.timedelta(days=n),
                "maximum": maximum,
                "booked": booked[n],
                "held": held[n],
                "closed": min(closed[n], maximum - booked[n] - held[n]),
                "available": max(0, maximum - booked[n] - held[n] - closed[n]),
            }
        )
    return result


def capacity_by_region(codes, first: dt.date, days: int, *, now=None) -> dict[tuple[str, str], list[dict]]:
    """``capacity_by_day`` for every (gemeente, kind) of the units in use in the gemeenten
    ``codes`` at once: three queries whatever the number of gemeenten, kinds, units and stays
    (the units counted per group, the stays and the closures that overlap the window, each joined
    to its unit's gemeente and kind). A unit closed twice on one day counts once."""
    from django.db.models import Count

    now = now or timezone.now()
    last = first + dt.timedelta(days=days - 1)
    maximum = {
        (row["municipality_id"], row["kind"]): row["n"]
        for row in Unit.objects.filter(municipality_id__in=codes, active=True)
        .values("municipality_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    }
    booked = {key: [0] * days for key in maximum}
    held = {key: [0] * days for key in maximum}
    closed: dict[tuple[str, str], list[set]] = {key: [set() for _ in range(days)] for key in maximum}
    stays = Stay.objects.filter(
        unit__municipality_id__in=codes,
        unit__active=True,
        state__in=OCCUPYING,
        departure__gt=first,
        arrival__lte=last,
    ).filter(Q(state=Stay.State.CONFIRMED) | Q(hold_until__gt=now))
    for code, kind, arrival, departure, state in stays.values_list(
        "unit__municipality_id", "unit__kind", "arrival", "departure", "state"
    ):
        target = (booked if state == Stay.State.CONFIRMED else held)[(code, kind)]
        for n in range(max(0, (arrival - first).days), min(days, (departure - first).days)):
            target[n] += 1
    closures = Closure.objects.filter(
        unit__municipality_id__in=codes, unit__active=True, last_day__gte=first, first_day__lte=last
    )
    for code, kind, unit_id, first_day, last_day in closures.values_list(
        "unit__municipality_id", "unit__kind", "unit_id", "first_day", "last_day"
    ):
        for n in range(max(0, (first_day - first).days), min(days, (last_day - first).days + 1)):
            closed[(code, kind)][n].add(unit_id)
    result = {}
    for key, units in maximum.items():
        rows = []
        for n in range(days):
            taken = booked[key][n] + held[key][n]
            shut = min(len(closed[key][n]), max(0, units - taken))
            rows.append(
                {
                    "date": first + dt.timedelta(days=n),
                    "maximum": units,
                    "booked": booked[key][n],
                    "held": held[key][n],
                    "closed": shut,
                    "available": max(0, units - taken - shut),
                }
            )
        result[key] = rows
    return result


def unit_days(unit_ids, first: dt.date, days: int, *, now=None) -> dict[object, list[str]]:
    """Per unit, what each day from ``first`` is: ``booked`` (a confirmed stay), ``held`` (offered
    or held, not yet lapsed), ``closed`` or ``free``; two queries for any number of units."""
    now = now or timezone.now()
    last = first + dt.timedelta(days=days - 1)
    result = {pk: ["free"] * days for pk in unit_ids}
    closures = Closure.objects.filter(unit_id__in=unit_ids, last_day__gte=first, first_day__lte=last)
    for unit_id, first_day, last_day in closures.values_list("unit_id", "first_day", "last_day"):
        for n in range(max(0, (first_day - first).days), min(days, (last_day - first).days + 1)):
            result[unit_id][n] = "closed"
    stays = Stay.objects.filter(
        unit_id__in=unit_ids, state__in=OCCUPYING, departure__gt=first, arrival__lte=last
    ).filter(Q(state=Stay.State.CONFIRMED) | Q(hold_until__gt=now))
    for unit_id, arrival, departure, state in stays.values_list("unit_id", "arrival", "departure", "state"):
        word = "booked" if state == Stay.State.CONFIRMED else "held"
        for n in range(max(0, (arrival - first).days), min(days, (departure - first).days)):
            result[unit_id][n] = word
    return result
