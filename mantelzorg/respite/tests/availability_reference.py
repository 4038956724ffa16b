"""The availability search the plain way, as it was before the byte rows of
``availability.search_houses`` (BENCHMARKS.md, 2026-12-04): every night of every unit a date in a
set (``occupied_days``), every candidate arrival checked night by night (``fits_stay``). Kept
only to show that the fast search gives the same answer (``test_availability_fast.py``)."""

import datetime as dt

from django.utils import timezone

from mantelzorg.core import geo
from mantelzorg.respite.availability import (
    LOOKAHEAD_DAYS,
    UNIT_FIELDS,
    House,
    Search,
    fits_stay,
    occupied_days,
)
from mantelzorg.respite.models import Unit


def candidate_units(search: Search) -> list[tuple[float, dict]]:
    place = search.place
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.lat, place.lon, search.radius_km)
    rows = Unit.objects.filter(
        active=True,
        service__publication="published",
        kind__in=sorted(search.kinds),
        latitude__range=(min_lat, max_lat),
        longitude__range=(min_lon, max_lon),
    ).values(*UNIT_FIELDS)
    distance = geo.distance_from(place.lat, place.lon)
    found = []
    for unit in rows:
        if search.funding and search.funding not in unit["funding"]:
            continue
        if not search.need.fits(unit):
            continue
        km = distance(unit["latitude"], unit["longitude"])
        if km <= search.radius_km:
            found.append((km, unit))
    found.sort(key=lambda pair: (pair[0], str(pair[1]["service_id"]), str(pair[1]["id"])))
    return found


def search_houses(search: Search, *, now=None, alternatives: int = 3) -> list[House]:
    """The houses with matching units within the radius, nearest first, each with the units free
    for the whole wished stay, the free units per wished night and, when none is free for the
    whole stay, up to ``alternatives`` nearest stays of the same length that are free (from the
    wished arrival up to ``LOOKAHEAD_DAYS`` later, or earlier but not before today)."""
    today = timezone.localdate(now)
    units = candidate_units(search)
    first = max(today, search.arrival - dt.timedelta(days=14))
    last = search.departure + dt.timedelta(days=LOOKAHEAD_DAYS)
    taken = occupied_days([u["id"] for _, u in units], first, last, now=now)
    houses: dict[object, House] = {}
    for km, unit in units:
        house = houses.get(unit["service_id"])
        if house is None:
            house = houses[unit["service_id"]] = House(
                service_id=unit["service_id"],
                location_id=unit["location_id"],
                distance_km=round(km, 1),
                free_per_night=[0] * search.nights,
            )
        house.units.append(unit)
        unit_taken = taken.get(unit["id"], set())
        for n in range(search.nights):
            if search.arrival + dt.timedelta(days=n) not in unit_taken:
                house.free_per_night[n] += 1
        if fits_stay(unit, search.arrival, search.departure, unit_taken):
            house.free_unit_ids.append(unit["id"])
    for house in houses.values():
        if not house.available and alternatives:
            house.alternatives = nearest_free(house.units, search, taken, first, last, alternatives)
    return list(houses.values())


def nearest_free(units, search: Search, taken, first: dt.date, last: dt.date, count: int):
    """Stays of the wished length in any of ``units``, by how far their arrival lies from the
    wished arrival (later first on a tie), within ``first`` … ``last``."""
    length = dt.timedelta(days=search.nights)
    found: list[tuple[int, dt.date]] = []
    span = (last - first).days - search.nights + 1
    for offset in range(span):
        arrival = first + dt.timedelta(days=offset)
        if arrival == search.arrival:
            continue
        if any(fits_stay(u, arrival, arrival + length, taken.get(u["id"], set())) for u in units):
            found.append((abs((arrival - search.arrival).days) * 2 - (arrival > search.arrival), arrival))
    found.sort()
    return [(arrival, arrival + length) for _, arrival in found[:count]]
