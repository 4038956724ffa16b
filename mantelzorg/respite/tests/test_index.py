"""The availability index (index.py) answers as the database does after every kind of change, by
the services or by any other writer; it is built anew when its log is gone or the counter went
back; a refresh costs the same queries for one changed unit as for many; and a search inside a
transaction that is rolled back leaves nothing behind (BENCHMARKS.md, 2026-12-04)."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from mantelzorg.accounts.models import Role
from mantelzorg.core import geo
from mantelzorg.directory import services as directory_services
from mantelzorg.respite import availability, index, services
from mantelzorg.respite.models import Change, Closure, Funding, Generation, Stay, Unit

from . import availability_reference as reference
from .factories import days, make_house, make_provider, request_for
from .test_availability_fast import answer

pytestmark = pytest.mark.django_db


def _search(**changes):
    values = {
        "place": geo.resolve_postcode("3511"),
        "arrival": days(3),
        "departure": days(6),
        "radius_km": 25,
    } | changes
    return availability.Search(**values)


SEARCHES = [
    {},
    {"arrival": days(0), "departure": days(1)},
    {"arrival": days(5), "departure": days(19)},
    {"need": availability.Need(wheelchair=True)},
    {"funding": Funding.PRIVATE},
]


def agrees(now=None) -> int:
    """Every search of SEARCHES gives the same houses, units, free nights and other dates from
    the index as from the database; returns how many houses were compared."""
    now = now or timezone.now()
    compared = 0
    for changes in SEARCHES:
        search = _search(**changes)
        fast = availability.search_houses(search, now=now)
        assert answer(fast) == answer(reference.search_houses(search, now=now)), changes
        compared += len(fast)
    return compared


def _request(caregiver, service):
    return services.stay_request(
        request=request_for(caregiver),
        service=service,
        arrival=days(3),
        departure=days(6),
        guest=None,
        funding=Funding.WMO,
    )


def test_the_index_follows_every_change_of_the_services():
    service, units = make_house(units=2)
    other, _ = make_house("Voorbeeld Tweede", units=1, postcode="3581", wheelchair=False)
    provider = make_provider("aanbieder@example.nl", service)
    caregiver = make_user("mantelzorger@example.nl", Role.CAREGIVER)
    assert agrees() == 9  # the second house has no wheelchair place
    built = index.current()

    held = _request(caregiver, service)
    assert agrees()
    assert index.current() is built  # brought up to date, not built anew
    services.stay_confirm(request=request_for(provider), stay=held)
    assert agrees()
    second = _request(caregiver, service)
    assert not availability.search_houses(_search())[0].available  # both beds taken
    assert agrees()
    services.stay_decline(request=request_for(provider), stay=second, reason="vol")
    assert availability.search_houses(_search())[0].available
    assert agrees()
    services.stay_cancel(request=request_for(caregiver), stay=held)
    assert agrees()

    closure = services.closure_add(
        request=request_for(provider), unit=units[0], first_day=days(4), last_day=days(8), reason="closed"
    )
    assert agrees()
    services.closure_remove(request=request_for(provider), closure=closure)
    assert agrees()

    services.unit_deactivate(request=request_for(provider), unit=units[1])
    assert agrees()
    services.unit_reactivate(request=request_for(provider), unit=units[1])
    units[0].wheelchair = False
    services.unit_save(request=request_for(provider), unit=units[0])
    assert agrees()
    assert index.current() is built

    directory_services.service_withdraw(
        request=request_for(make_user("r@example.nl", Role.ADMIN)), service=other
    )
    assert [h.service_id for h in availability.search_houses(_search())] == [service.pk]
    assert agrees()


def test_the_index_follows_writes_that_bypass_the_services():
    """The triggers log every writer: a bulk insert, an update of a queryset, a delete."""
    service, units = make_house(units=2)
    assert agrees() == 5
    Stay.objects.bulk_create(
        Stay(unit=unit, arrival=days(2), departure=days(9), state=Stay.State.CONFIRMED, funding=Funding.WMO)
        for unit in units
    )
    assert not availability.search_houses(_search())[0].available
    assert agrees()
    Stay.objects.filter(unit=units[0]).update(state=Stay.State.CANCELLED)
    assert agrees()
    Stay.objects.filter(unit=units[1]).update(
        state=Stay.State.HELD, hold_until=timezone.now() + dt.timedelta(hours=2)
    )
    assert agrees()
    assert agrees(now=timezone.now() + dt.timedelta(hours=3))  # the hold has lapsed by then
    Closure.objects.create(unit=units[0], first_day=days(1), last_day=days(30))
    assert agrees()
    Unit.objects.filter(pk=units[1].pk).update(night_care=False, min_nights=4)
    assert agrees()
    Stay.objects.all().delete()
    Closure.objects.all().delete()
    assert availability.search_houses(_search())[0].available
    assert agrees()
    Unit.objects.filter(pk=units[0].pk).delete()
    assert [len(h.units) for h in availability.search_houses(_search())] == [1]
    assert agrees()


def test_every_change_is_numbered_and_logged_with_its_unit():
    _service, units = make_house(units=1)
    start = Generation.objects.get().value
    stay = Stay.objects.create(
        unit=units[0], arrival=days(1), departure=days(2), state=Stay.State.CONFIRMED, funding=Funding.WMO
    )
    Stay.objects.filter(pk=stay.pk).update(state=Stay.State.CANCELLED)
    Closure.objects.create(unit=units[0], first_day=days(1), last_day=days(1))
    Stay.objects.filter(pk=stay.pk).delete()
    logged = list(
        Change.objects.filter(version__gt=start).order_by("version").values_list("version", "unit_id")
    )
    assert logged == [(start + n, units[0].pk) for n in range(1, 5)]
    assert Generation.objects.get().value == start + 4


def test_a_refresh_costs_the_same_queries_for_one_changed_unit_as_for_many(steady_versions):
    _service, units = make_house(units=1)
    many = [unit for n in range(6) for unit in make_house(f"Voorbeeld {n}", units=4)[1]]
    search = _search()

    def refresh_queries(changed) -> int:
        availability.search_houses(search)
        Stay.objects.bulk_create(
            Stay(
                unit=unit, arrival=days(4), departure=days(5), state=Stay.State.CONFIRMED, funding=Funding.WMO
            )
            for unit in changed
        )
        with CaptureQueriesContext(connection) as queries:
            index.current()
        return len(queries)

    assert refresh_queries(units) == refresh_queries(many) == 8  # counter, log, counter, 4 reads, publication
    with CaptureQueriesContext(connection) as queries:
        index.current()
    assert len(queries) == 1  # nothing changed: the counter only
    assert agrees()


def test_the_index_is_built_anew_when_its_log_was_pruned_or_the_counter_went_back():
    _service, units = make_house(units=1)
    first = index.current()
    for n in range(5):
        Stay.objects.create(
            unit=units[0],
            arrival=days(2 * n),
            departure=days(2 * n + 1),
            state=Stay.State.CONFIRMED,
            funding=Funding.WMO,
        )
    assert index.prune(keep=2) > 0  # the changes this index needs are gone
    assert Change.objects.count() == 2
    second = index.current()
    assert second is not first and agrees()
    assert index.current() is second
    Generation.objects.update(value=1)  # e.g. a restore of an older backup
    assert index.current() is not second
    assert agrees()


def test_a_prune_between_reading_the_counter_and_the_log_builds_the_index_anew(monkeypatch):
    """The counter said the log was whole; by the time the log was read, a prune had taken the
    rows this index needs: the second look at the counter sees it."""
    _service, units = make_house(units=1)
    first = index.current()
    before = index._counter()
    Stay.objects.create(
        unit=units[0], arrival=days(3), departure=days(6), state=Stay.State.CONFIRMED, funding=Funding.WMO
    )
    value = index._counter()[0]
    assert index.prune(keep=0) > 0
    reads = iter([(value, before[1])])  # the first read: before the prune committed
    real = index._counter
    monkeypatch.setattr(index, "_counter", lambda: next(reads, None) or real())
    second = index.current()
    assert second is not first
    assert not availability.search_houses(_search())[0].available
    assert agrees()


def test_the_counter_read_raw_is_the_counter_the_orm_reads():
    make_house(units=1)
    orm = Generation.objects.filter(pk=1).values_list("value", "pruned_through").first()
    assert index._counter() == orm and orm[0] > 0
    Generation.objects.all().delete()
    assert index._counter() == (0, 0)


def test_a_search_outside_the_index_days_asks_the_database():
    _service, units = make_house(units=1, max_nights=42)
    Stay.objects.create(
        unit=units[0],
        arrival=days(index.DAYS + 5),
        departure=days(index.DAYS + 15),
        state=Stay.State.CONFIRMED,
        funding=Funding.WMO,
    )
    index.current()
    far = _search(arrival=days(index.DAYS + 7), departure=days(index.DAYS + 10))
    assert index.current().busy([units[0].pk], far.arrival, far.departure, timezone.now()) is None
    assert not availability.search_houses(far)[0].available
    assert answer(availability.search_houses(far)) == answer(reference.search_houses(far))


def test_the_index_is_switched_off_by_its_setting(settings):
    make_house(units=1)
    settings.RESPITE_AVAILABILITY_INDEX = False
    assert index.current() is None
    assert agrees() == 5


@pytest.mark.django_db(transaction=True)
def test_a_search_inside_a_transaction_that_rolls_back_leaves_nothing_behind():
    """Inside a transaction the index sees that transaction's own writes; once they are rolled
    back, the next search outside builds it anew (it was provisional)."""
    _service, units = make_house(units=1)
    outside = index.current()
    assert not outside.provisional
    with pytest.raises(RuntimeError), transaction.atomic():
        Stay.objects.create(
            unit=units[0], arrival=days(3), departure=days(6), state=Stay.State.CONFIRMED, funding=Funding.WMO
        )
        assert not availability.search_houses(_search())[0].available  # its own write
        assert index.current().provisional
        raise RuntimeError("roll back")
    assert availability.search_houses(_search())[0].available
    assert not index.current().provisional
    # Another writer now takes the numbers the rolled-back one had: the index still agrees.
    Closure.objects.create(unit=units[0], first_day=days(4), last_day=days(4))
    assert not availability.search_houses(_search())[0].available
    assert agrees()
