"""The regional occupancy overview: counts per gemeente and kind per day for 8 weeks, the requests
waiting by age; gemeente staff see counts only, coordinators also the waiting requests (no guest);
a fixed number of queries whatever the number of (gemeente, kind) groups."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mantelzorg.accounts.models import Organisation
from mantelzorg.core.models import LogEntry

from .. import selectors
from ..models import Closure, Guest, Kind, Stay
from .factories import days, make_house
from .overview_world import stay, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/logeerzorg/regio/"


def test_the_counts_per_day(world):
    data = selectors.occupancy(world.coordinator)
    (row,) = data["rows"]
    assert (row["municipality"], row["kind"]) == ("GM0344", Kind.LOGEERZORG_WMO)
    assert len(row["days"]) == 56 and row["days"][0]["date"] == days(0)
    day = {n: row["days"][n] for n in (0, 1, 2, 3, 10, 13)}
    assert (day[0]["available"], day[0]["maximum"]) == (2, 2)
    assert (day[1]["held"], day[1]["available"]) == (1, 1)
    assert (day[2]["held"], day[2]["booked"], day[2]["available"]) == (1, 1, 0)
    assert (day[3]["booked"], day[3]["available"]) == (1, 1)
    assert (day[10]["closed"], day[10]["available"]) == (1, 1)
    assert day[13]["available"] == 2
    assert data["waiting"] == {"under_4h": 0, "under_24h": 0, "over_24h": 1}


def test_a_unit_closed_twice_on_a_day_counts_once(world):
    Closure.objects.create(unit=world.unit, first_day=days(11), last_day=days(11))
    row = selectors.occupancy(world.staff)["rows"][0]
    assert row["days"][11]["closed"] == 1 and row["days"][11]["available"] == 1


def test_the_same_figures_as_capacity_by_day(world):
    from .. import availability

    now = timezone.now()
    row = selectors.occupancy(world.coordinator, now=now)["rows"][0]
    assert row["days"] == availability.capacity_by_day([u.pk for u in world.units], days(0), 56, now=now)


def test_gemeente_staff_see_counts_only(world, login_as):
    guest = Guest.objects.create(
        owner=world.cast.caregiver, name="Mien Jansen", pc4="3511", municipality_id="GM0344"
    )
    Stay.objects.filter(pk=world.held.pk).update(
        guest=guest, needs="Mien slaapt slecht", contact_phone="0612345678"
    )
    before = LogEntry.objects.count()
    response = login_as(world.staff).get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Utrecht" in text and "Logeerzorg (Wmo)" in text
    assert "Vrije plaatsen per dag" in text and "Langer dan 24 uur" in text
    for personal in ("Mien", "0612345678", world.cast.caregiver.email, "alice", "De Linde"):
        assert personal not in text
    assert "Alleen aantallen" in text
    assert LogEntry.objects.count() == before  # nothing personal read: no audit row
    assert "Amsterdam" not in text.split("<main", 1)[1].split("</main>")[0]


def test_coordinators_see_the_waiting_requests_without_the_guest(world, login_as):
    guest = Guest.objects.create(
        owner=world.cast.caregiver, name="Mien Jansen", pc4="3511", municipality_id="GM0344"
    )
    Stay.objects.filter(pk=world.held.pk).update(guest=guest)
    response = login_as(world.coordinator).get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Wachtend in je regio" in text and "Voorbeeld Logeerhuis De Linde" in text
    assert "Binnen een week" in text and "wacht 30 uur" in text
    assert "Mien" not in text and world.cast.caregiver.email not in text
    rows = LogEntry.objects.filter(action="respite.region.read")
    assert rows.count() == 1 and rows.get().object_id.startswith(str(world.held.pk)[:8])


def test_the_other_region_sees_its_own(world, login_as):
    text = login_as(world.other_coordinator).get(URL).content.decode()
    assert "Amsterdam" in text and "De Linde" not in text and "Er wacht geen aanvraag" in text


def test_without_units_the_page_says_so(world, login_as, cast):
    from mantelzorg.respite.models import Unit

    Unit.objects.filter(municipality_id="GM0363").update(active=False)
    text = login_as(world.other_staff).get(URL).content.decode()
    assert "nog geen bedden of plaatsen in gebruik" in text


def test_the_page_is_a_fixed_number_of_queries(world, login_as):
    """1 group, then 20 (gemeenten × kinds) with stays and closures: the same number of queries."""
    org = Organisation.objects.create(name="Coördinatie Midden", kind=Organisation.Kind.WELFARE)
    client = login_as(world.coordinator)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        response = client.get(URL)
    assert response.content.decode().count('class="mz-table mz-calendar"') == 1
    postcodes = ["3511", "1012", "2511", "3011", "6511"]  # Utrecht, Amsterdam, Den Haag, Rotterdam, Nijmegen
    kinds = [Kind.LOGEERZORG_WMO, Kind.ELV_LOW, Kind.ELV_HIGH, Kind.WLZ_CRISIS]
    codes = set()
    for postcode in postcodes:
        for kind in kinds:
            _, units = make_house(f"Voorbeeld {postcode} {kind}", postcode=postcode, kind=kind, units=2)
            codes.add(units[0].municipality_id)
            stay(units[0], 3, 4)
            stay(units[1], 5, 2, Stay.State.HELD)
            Closure.objects.create(unit=units[1], first_day=days(20), last_day=days(22))
    org.municipalities.set(codes)
    world.coordinator.organisations.add(org)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(URL)
    assert response.content.decode().count('class="mz-table mz-calendar"') == 20
    assert len(twenty) == len(one), [q["sql"][:120] for q in twenty.captured_queries]
    assert len(one) <= 16, [q["sql"][:120] for q in one.captured_queries]


def test_weeks_start_on_monday(world):
    from ..overview import _weeks

    first = dt.date(2026, 12, 4)  # a Friday
    rows = [{"date": first + dt.timedelta(days=n), "available": 1} for n in range(56)]
    weeks = _weeks(rows)
    assert weeks[0].monday == dt.date(2026, 11, 30) and weeks[0].cells[:4] == [None] * 4
    assert len(weeks) == 9 and sum(len(w.days) for w in weeks) == 56
