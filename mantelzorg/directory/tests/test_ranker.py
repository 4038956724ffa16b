"""The one ranker (``search.rank``) gives what each of the three loops it replaced gave: the
sociale kaart's search, the HSDS ``/services`` near a postcode and ``/service_at_locations``
within a radius. The three former loops are kept here as the reference."""

import math
import random

import pytest

from mantelzorg.core import geo
from mantelzorg.directory import search
from mantelzorg.directory.models import SearchEntry

LOCATED, AREA, NATIONAL = SearchEntry.KIND_LOCATED, SearchEntry.KIND_AREA, SearchEntry.KIND_NATIONAL
LAT, LON = 52.09, 5.12  # Utrecht


def _rows(rng, n=1500, national=True):
    """(service id, kind, lat, lon, location id, entry id): several places per service, services
    that serve the gemeente without a place, and (optionally) national ones."""
    rows = []
    for i in range(n):
        service = f"s{rng.randint(0, 400):04d}"
        roll = rng.random()
        if roll < 0.1:
            rows.append((service, AREA, None, None, None, i))
        elif national and roll < 0.15:
            rows.append((service, NATIONAL, None, None, None, i))
        else:
            lat, lon = LAT + rng.uniform(-0.3, 0.3), LON + rng.uniform(-0.4, 0.4)
            rows.append((service, LOCATED, lat, lon, f"l{i}", i))
    return rows


def _old_service_search(rows, origin, radius_km, show):
    best: dict = {}
    distance = geo.distance_from(*origin)
    for service_id, location_id, entry_id, lat, lon in rows:
        if lat is None:
            key, shown = -1.0, None
        else:
            key = distance(lat, lon)
            if radius_km and show and key > radius_km:
                continue
            shown = round(key, 1) if show else None
        current = best.get(service_id)
        if current is None or key < current[0]:
            best[service_id] = (key, shown, location_id, entry_id)
    return [(sid, v[1], v[2], v[3]) for sid, v in sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))]


def _old_ranked_near(rows, origin, radius_km):
    best: dict = {}
    distance = geo.distance_from(*origin)
    for service_id, kind, lat, lon in rows:
        if kind == LOCATED and lat is not None:
            key = distance(lat, lon)
            if radius_km and key > radius_km:
                continue
        else:
            key = -1.0 if kind == AREA else math.inf
        current = best.get(service_id)
        if current is None or key < current:
            best[service_id] = key
    ordered = sorted(best.items(), key=lambda kv: (kv[1], kv[0]))
    return [(sid, key if 0 <= key < math.inf else None) for sid, key in ordered]


def _old_service_at_locations(rows, origin, radius_km):
    near = []
    for sal_id, lat, lon in rows:
        d = geo.distance_km(*origin, lat, lon)
        if d <= radius_km:
            near.append((d, sal_id))
    near.sort()
    return near


@pytest.mark.parametrize("radius_km", [None, 1, 5, 15, 25])
@pytest.mark.parametrize("show", [True, False])  # a postcode (distances shown) or a gemeente
def test_rank_gives_what_the_search_loop_gave(radius_km, show):
    rng = random.Random(7)
    rows = _rows(rng, national=False)  # the search never reads national rows
    radius = radius_km if show else None
    ranked = search.rank(rows, LAT, LON, radius_km=radius)
    got = [(sid, round(key, 1) if show and key >= 0 else None, row[4], row[5]) for sid, key, row in ranked]
    old_rows = [(sid, loc, entry, lat, lon) for sid, _kind, lat, lon, loc, entry in rows]
    assert got == _old_service_search(old_rows, (LAT, LON), radius_km, show)


@pytest.mark.parametrize("radius_km", [None, 1, 5, 15, 25])
def test_rank_gives_what_the_hsds_services_loop_gave(radius_km):
    rows = [row[:4] for row in _rows(random.Random(11))]
    got = [
        (sid, key if 0 <= key < search.ANYWHERE else None)
        for sid, key, _row in search.rank(rows, LAT, LON, radius_km=radius_km)
    ]
    assert got == _old_ranked_near(rows, (LAT, LON), radius_km)


@pytest.mark.parametrize("radius_km", [1, 5, 15, 25])
def test_rank_gives_what_the_service_at_locations_loop_gave(radius_km):
    rng = random.Random(13)
    rows = [(f"sal{i:05d}", LAT + rng.uniform(-0.3, 0.3), LON + rng.uniform(-0.4, 0.4)) for i in range(1500)]
    got = search.rank([(sal, LOCATED, lat, lon) for sal, lat, lon in rows], LAT, LON, radius_km=radius_km)
    old = _old_service_at_locations(rows, (LAT, LON), radius_km)
    assert [sal for sal, _key, _row in got] == [sal for _d, sal in old]
    assert [key for _sal, key, _row in got] == pytest.approx([d for d, _sal in old], abs=1e-9)
