"""The respite demo (``manage.py load_demo_data``): generated houses of every kind across the
country, found through the sociale kaart, bookings that fill some dates, a few requests waiting,
the demo users' roles and guests; deterministic, idempotent and quick."""

import datetime as dt
import time
from collections import Counter

import pytest
from django.utils import timezone

from mantelzorg.accounts import demo as accounts_demo
from mantelzorg.accounts.models import User
from mantelzorg.directory import taxonomy
from mantelzorg.directory.models import Attribute, Organization, Phone, SearchEntry, Service
from mantelzorg.respite import availability, demo, selectors, services
from mantelzorg.respite.models import Allowance, Guest, Kind, Stay, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings):
    settings.DEMO_DATA = True
    accounts_demo.load()
    started = time.monotonic()
    units = demo.load()
    return units, time.monotonic() - started


def test_the_demo_makes_houses_of_every_kind_across_the_country_quickly(loaded):
    units, seconds = loaded
    assert units == Unit.objects.count() >= demo.DEMO_UNITS
    assert seconds < 20  # about 2 s on a quiet machine; generous for a busy one
    kinds = Counter(Unit.objects.values_list("kind", flat=True))
    assert set(kinds) == set(Kind)
    planned = kinds[Kind.LOGEERZORG_WMO] + kinds[Kind.LOGEERZORG_WLZ]
    assert planned > 0.6 * units  # mostly logeerzorg
    assert len(set(Unit.objects.values_list("municipality__province_code", flat=True))) >= 11
    groups = {g for row in Unit.objects.values_list("target_groups", flat=True) for g in row}
    assert {"dementia", "children", "intellectual", "brain_injury", "psychiatric", "older"} <= groups
    assert any(
        "children" in u.target_groups and u.admission_days == [5] for u in Unit.objects.all()
    )  # Friday arrivals for weekend stays
    assert Unit.objects.filter(behaviour=True).exists() and Unit.objects.filter(wheelchair=False).exists()


def test_every_house_is_a_care_provider_with_a_respite_stay_service_in_the_sociale_kaart(loaded):
    service_ids = set(Unit.objects.values_list("service_id", flat=True))
    services_ = Service.objects.filter(pk__in=service_ids).select_related("organization")
    assert len(services_) == len(service_ids)
    stay_term = taxonomy.term_id(taxonomy.RESPITE_FORMS, "respite_stay")
    with_term = set(
        Attribute.objects.filter(service_id__in=service_ids, taxonomy_term_id=stay_term).values_list(
            "service_id", flat=True
        )
    )
    assert with_term == service_ids
    assert set(
        SearchEntry.objects.filter(service_id__in=service_ids).values_list("service_id", flat=True)
    ) == (service_ids)
    assert set(Phone.objects.filter(service_id__in=service_ids).values_list("service_id", flat=True)) == (
        service_ids
    )
    for service in services_:
        assert service.name.startswith("Voorbeeld ") and service.organization.name.startswith("Voorbeeld ")
        assert service.organization.kind == Organization.Kind.CARE_PROVIDER
        assert service.is_published
    for unit in Unit.objects.select_related("location")[:50]:
        assert (unit.latitude, unit.longitude) == (unit.location.latitude, unit.location.longitude)


def test_bookings_fill_some_dates_and_a_few_requests_wait(loaded):
    today = timezone.localdate()
    confirmed = Stay.objects.filter(state=Stay.State.CONFIRMED)
    assert confirmed.count() > 3 * Unit.objects.count()
    assert confirmed.filter(arrival__gte=today + dt.timedelta(days=60)).exists()  # over the next months
    held = Stay.objects.filter(state=Stay.State.HELD)
    assert 3 <= held.count() <= 10 and all(s.hold_until > timezone.now() for s in held)
    # Some house is full on some night of the next weeks.
    by_service = {}
    for unit_id, service_id in Unit.objects.values_list("id", "service_id"):
        by_service.setdefault(service_id, []).append(unit_id)
    full = 0
    for unit_ids in list(by_service.values())[:40]:
        days = availability.capacity_by_day(unit_ids, today, 56)
        full += sum(1 for d in days if d["available"] == 0)
    assert full > 0


def test_the_demo_users_have_their_roles_guests_and_nights_left(loaded):
    provider = User.objects.get(email=demo.PROVIDER_EMAIL)
    linde = Service.objects.get(name=demo.PROVIDER_HOUSE)
    assert linde.id in selectors.provider_service_ids(provider)
    assert Unit.objects.get(service=linde, name="Kamer 1").location.municipality_id == "GM0344"
    assert Stay.objects.filter(unit__service=linde, state=Stay.State.HELD).exists()  # the inbox
    coordinator = User.objects.get(email=demo.COORDINATOR_EMAIL)
    assert {"GM0344", "GM0355", "GM0356"} <= selectors.region_codes(coordinator)
    assert Allowance.objects.filter(municipality_id="GM1924", nights=18).exists()
    mien = Guest.objects.get(owner__email="mantelzorger@example.nl")
    left, total = services.allowance_left(mien, timezone.localdate().year)
    assert total == 18 and left < total
    assert Stay.objects.filter(guest=mien, state=Stay.State.CONFIRMED).exists()


def test_a_second_run_changes_nothing(loaded):
    counts = (Unit.objects.count(), Stay.objects.count(), Service.objects.count(), Guest.objects.count())
    assert demo.load() == 0
    assert counts == (
        Unit.objects.count(),
        Stay.objects.count(),
        Service.objects.count(),
        Guest.objects.count(),
    )


def test_the_generator_is_deterministic_for_a_seed(db):
    def draw(seed):
        builder = demo._Builder(seed)
        builder.fill(300)
        builder.bookings(builder.units, dt.date(2027, 1, 1), 60, (0.6, 0.85), timezone.now())
        return (
            [(u.id, u.kind, u.latitude, u.admission_days) for u in builder.units],
            [(s.id, s.unit_id, s.arrival, s.departure) for s in builder.rows["stays"]],
            [s.name for s in builder.rows["services"]],
        )

    first = draw(7)
    assert first == draw(7)
    assert first != draw(8)


def test_generated_bookings_respect_the_units_rules_and_never_overlap(db):
    builder = demo._Builder(3)
    builder.fill(200)
    builder.bookings(builder.units, dt.date(2027, 1, 1), 365, (0.6, 0.85), timezone.now())
    units = {u.id: u for u in builder.units}
    nights = Counter()
    last = {}
    for stay in sorted(builder.rows["stays"], key=lambda s: (str(s.unit_id), s.arrival)):
        unit = units[stay.unit_id]
        assert unit.min_nights <= stay.nights <= unit.max_nights
        assert not unit.admission_days or stay.arrival.isoweekday() in unit.admission_days
        assert last.get(stay.unit_id, stay.arrival) <= stay.arrival
        last[stay.unit_id] = stay.departure
        nights[stay.unit_id] += stay.nights
    occupancy = sum(nights.values()) / (len(units) * 365)
    assert 0.55 <= occupancy <= 0.85
