"""The booking rules of issue 15 through the services: holds, decisions, the database's refusal
of an overlap, expiry, the waiting list and the yearly allowance."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import make_user
from mantelzorg.accounts.models import Role
from mantelzorg.core.models import LogEntry
from mantelzorg.respite import availability, services
from mantelzorg.respite.models import Allowance, Funding, Stay, WaitingEntry

from .factories import days, make_house, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return make_user("alice@example.org", Role.CAREGIVER)


@pytest.fixture
def guest(alice):
    return services.guest_save(owner=alice, postcode="3511 AB", name="Mien", birth_year=1941)


def ask(user, service, arrival, departure, guest=None, funding=Funding.WMO, **kw):
    return services.stay_request(
        request=request_for(user),
        service=service,
        arrival=arrival,
        departure=departure,
        guest=guest,
        funding=funding,
        **kw,
    )


def test_a_request_holds_its_nights_for_48_hours_and_the_provider_confirms_it(alice, guest):
    service, units = make_house(units=1)
    stay = ask(alice, service, days(10), days(12), guest)
    assert stay.state == Stay.State.HELD and stay.unit == units[0] and stay.nights == 2
    assert abs((stay.hold_until - timezone.now()) - dt.timedelta(hours=48)) < dt.timedelta(minutes=1)
    provider = make_user("p@example.org", Role.PROFESSIONAL)
    stay = services.stay_confirm(request=request_for(provider), stay=stay)
    assert stay.state == Stay.State.CONFIRMED and stay.hold_until is None and stay.decided_by == provider
    assert LogEntry.objects.filter(action="respite.stay.confirmed", object_id=str(stay.pk)).count() == 1


def test_a_held_night_is_not_given_twice_and_the_second_unit_takes_the_next_request(alice, guest):
    service, units = make_house(units=2)
    first = ask(alice, service, days(5), days(7))
    second = ask(alice, service, days(6), days(8))
    assert {first.unit_id, second.unit_id} == {u.pk for u in units}
    with pytest.raises(services.NoCapacity):
        ask(alice, service, days(6), days(7))
    ask(alice, service, days(7), days(9), funding=Funding.PRIVATE)  # departure day is free again


def test_the_database_refuses_an_overlap_whatever_python_checked(alice):
    service, (unit,) = make_house(units=1)
    Stay.objects.create(
        unit=unit, arrival=days(3), departure=days(6), state=Stay.State.CONFIRMED, funding="wmo"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.create(
            unit=unit, arrival=days(5), departure=days(8), state=Stay.State.HELD, funding="wmo"
        )
    # A declined or cancelled row does not occupy: it may overlap.
    Stay.objects.create(
        unit=unit, arrival=days(4), departure=days(5), state=Stay.State.DECLINED, funding="wmo"
    )
    moved = Stay.objects.create(
        unit=unit, arrival=days(6), departure=days(9), state=Stay.State.HELD, funding="wmo"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Stay.objects.filter(pk=moved.pk).update(arrival=days(5))


def test_a_lapsed_hold_frees_its_nights_and_cannot_be_confirmed(alice):
    service, _ = make_house(units=1)
    stay = ask(alice, service, days(4), days(5))
    Stay.objects.filter(pk=stay.pk).update(hold_until=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(services.Conflict) as refused:
        services.stay_confirm(request=request_for(alice), stay=stay)
    assert refused.value.code == "hold_expired"
    other = ask(alice, service, days(4), days(5))  # the request expires the lapsed hold itself
    assert Stay.objects.get(pk=stay.pk).state == Stay.State.EXPIRED and other.state == Stay.State.HELD


def test_holds_expire_is_idempotent():
    user = make_user("x@example.org", Role.CAREGIVER)
    service, _ = make_house(units=1)
    stay = ask(user, service, days(4), days(5))
    later = timezone.now() + dt.timedelta(hours=49)
    assert [s.pk for s in services.holds_expire(now=later)] == [stay.pk]
    assert services.holds_expire(now=later) == []
    assert Stay.objects.get(pk=stay.pk).state == Stay.State.EXPIRED
    assert LogEntry.objects.filter(action="respite.hold.expired").count() == 1


def test_a_second_decision_on_one_request_is_a_conflict(alice):
    service, _ = make_house(units=1)
    stay = ask(alice, service, days(4), days(5))
    provider = make_user("p@example.org", Role.PROFESSIONAL)
    services.stay_decline(request=request_for(provider), stay=stay, reason="Vol met onderhoud")
    with pytest.raises(services.Conflict):
        services.stay_confirm(request=request_for(provider), stay=stay)
    with pytest.raises(services.Refused):
        services.stay_decline(request=request_for(provider), stay=stay, reason="  ")


@pytest.mark.parametrize(
    ("arrival", "departure", "code"),
    [
        (5, 5, "dates_in_wrong_order"),
        (6, 5, "dates_in_wrong_order"),
        (-1, 2, "arrival_in_the_past"),
        (1, 44, "stay_too_long"),
    ],
)
def test_bad_dates_are_refused_with_a_code(alice, arrival, departure, code):
    service, _ = make_house(units=1)
    with pytest.raises(services.Refused) as refused:
        ask(alice, service, days(arrival), days(departure))
    assert refused.value.code == code


def test_a_unit_keeps_its_own_rules_length_arrival_day_and_closures(alice):
    monday = days(7 - timezone.localdate().weekday() + 7)  # a Monday 8–14 days ahead
    service, (unit,) = make_house(units=1, min_nights=2, max_nights=3, admission_days=[5])  # Fridays
    friday = monday + dt.timedelta(days=4)
    with pytest.raises(services.NoCapacity):
        ask(alice, service, friday, friday + dt.timedelta(days=1))  # 1 night < 2
    with pytest.raises(services.NoCapacity):
        ask(alice, service, monday, monday + dt.timedelta(days=2))  # not a Friday
    services.closure_add(
        request=None,
        unit=unit,
        first_day=friday + dt.timedelta(days=1),
        last_day=friday + dt.timedelta(days=1),
        reason="maintenance",
    )
    with pytest.raises(services.NoCapacity):
        ask(alice, service, friday, friday + dt.timedelta(days=2))
    assert ask(alice, service, friday + dt.timedelta(days=7), friday + dt.timedelta(days=9)).unit == unit


def test_a_request_that_fits_no_unit_of_the_house_is_refused(alice):
    service, _ = make_house(units=1, wheelchair=False)
    with pytest.raises(services.Refused) as refused:
        ask(alice, service, days(3), days(4), need=availability.Need(wheelchair=True))
    assert refused.value.code == "no_matching_place"
    with pytest.raises(services.Refused):
        ask(alice, service, days(3), days(4), funding=Funding.ZVW)


def test_the_yearly_allowance_counts_taken_and_asked_nights_and_refuses_more(alice, guest):
    year = days(40).year
    Allowance.objects.create(municipality=guest.municipality, year=year, nights=5)
    start = dt.date(year, 1, 1) if dt.date(year, 1, 1) > days(2) else days(40)
    service, _ = make_house(units=3)
    ask(alice, service, start, start + dt.timedelta(days=3), guest)
    assert services.allowance_left(guest, year) == (2, 5)
    with pytest.raises(services.Refused) as refused:
        ask(alice, service, start + dt.timedelta(days=10), start + dt.timedelta(days=13), guest)
    assert refused.value.code == "allowance_exceeded"
    assert "2 of 5" in refused.value.message or "2 van de 5" in refused.value.message
    ask(
        alice,
        service,
        start + dt.timedelta(days=10),
        start + dt.timedelta(days=13),
        guest,
        funding=Funding.PRIVATE,
    )
    assert services.allowance_left(guest, year) == (2, 5)  # not Wmo-funded: not counted


def test_freed_nights_go_to_the_first_matching_entry_on_the_waiting_list_then_the_next(alice, guest):
    bob = make_user("bob@example.org", Role.CAREGIVER)
    carla = make_user("carla@example.org", Role.CAREGIVER)
    service, _ = make_house(units=1)
    taken = ask(alice, service, days(10), days(12))
    place = services.geo.resolve_postcode("3511")
    search = availability.Search(place=place, arrival=days(10), departure=days(12), funding=Funding.WMO)
    first = services.waiting_join(request=request_for(bob), search=search, guest=None, kind="logeerzorg_wmo")
    second = services.waiting_join(
        request=request_for(carla), search=search, guest=None, kind="logeerzorg_wmo"
    )
    services.stay_cancel(request=request_for(alice), stay=taken)
    offer = Stay.objects.get(state=Stay.State.OFFERED)
    assert offer.requested_by == bob and offer.waiting_id == first.pk
    assert abs((offer.hold_until - timezone.now()) - dt.timedelta(hours=24)) < dt.timedelta(minutes=1)
    assert WaitingEntry.objects.get(pk=first.pk).state == WaitingEntry.State.OFFERED
    # Bob does not answer within 24 hours: the offer lapses and Carla gets it.
    services.holds_expire(now=timezone.now() + dt.timedelta(hours=25))
    assert Stay.objects.get(pk=offer.pk).state == Stay.State.EXPIRED
    assert WaitingEntry.objects.get(pk=first.pk).state == WaitingEntry.State.WITHDRAWN
    offer2 = Stay.objects.get(state=Stay.State.OFFERED)
    assert offer2.requested_by == carla and offer2.waiting_id == second.pk


def test_accepting_an_offer_makes_it_a_request_for_the_provider(alice):
    bob = make_user("bob@example.org", Role.CAREGIVER)
    service, _ = make_house(units=1)
    taken = ask(alice, service, days(10), days(12))
    place = services.geo.resolve_postcode("3511")
    search = availability.Search(place=place, arrival=days(10), departure=days(12), funding=Funding.WMO)
    entry = services.waiting_join(request=request_for(bob), search=search, guest=None, kind="logeerzorg_wmo")
    provider = make_user("p@example.org", Role.PROFESSIONAL)
    services.stay_decline(request=request_for(provider), stay=taken, reason="Geen plek voor deze zorg")
    offer = Stay.objects.get(state=Stay.State.OFFERED)
    held = services.offer_accept(request=request_for(bob), stay=offer)
    assert (
        held.state == Stay.State.HELD
        and WaitingEntry.objects.get(pk=entry.pk).state == WaitingEntry.State.ACCEPTED
    )
    with pytest.raises(services.Conflict):
        services.offer_accept(request=request_for(bob), stay=offer)


def test_search_lists_free_houses_nearest_first_and_the_nearest_free_dates_of_full_ones(alice):
    near, _ = make_house("Voorbeeld Dichtbij", postcode="3511", units=1)
    far, _ = make_house("Voorbeeld Verder", postcode="3701", units=1)  # Zeist
    ask(alice, near, days(10), days(12))
    place = services.geo.resolve_postcode("3511")
    houses = availability.search_houses(
        availability.Search(place=place, arrival=days(10), departure=days(12))
    )
    assert [h.service_id for h in houses] == [near.pk, far.pk]
    assert [h.available for h in houses] == [False, True]
    assert houses[0].free_per_night == [0, 0]
    assert houses[0].alternatives[0] == (days(12), days(14))
    assert houses[0].alternatives[1] == (days(8), days(10))


def test_capacity_by_day_counts_booked_held_closed_and_available(alice):
    service, units = make_house(units=3)
    stay = ask(alice, service, days(1), days(3))
    services.stay_confirm(request=request_for(alice), stay=stay)
    ask(alice, service, days(2), days(3))
    services.closure_add(request=None, unit=units[2], first_day=days(2), last_day=days(2), reason="closed")
    rows = availability.capacity_by_day([u.pk for u in units], days(1), 3)
    assert [(r["booked"], r["held"], r["closed"], r["available"]) for r in rows] == [
        (1, 0, 0, 2),
        (1, 1, 1, 0),
        (0, 0, 0, 3),
    ]


def test_a_confirmed_stay_appears_in_the_care_networks_agenda_and_a_cancel_marks_it_cancelled(alice, guest):
    from mantelzorg.network.models import Appointment, Kind
    from mantelzorg.network.tests.factories import network

    guest.network = network(alice)
    guest.save()
    service, _ = make_house(units=1)
    stay = ask(alice, service, days(10), days(13), guest)
    assert not Appointment.objects.exists()  # a request is not yet in the agenda
    services.stay_confirm(request=request_for(alice), stay=stay)
    item = Appointment.objects.get()
    assert (item.kind, item.all_day, item.title, item.origin) == (
        Kind.RESPITE,
        True,
        service.name,
        f"respite.stay:{stay.pk}",
    )
    assert (timezone.localtime(item.starts_at).date(), timezone.localtime(item.ends_at).date()) == (
        days(10),
        days(14),  # all day through the departure day: ends at the midnight after it
    )
    assert "Mien" not in item.title + item.place + item.note  # no care details of the guest
    services.stay_cancel(request=request_for(alice), stay=stay)
    item.refresh_from_db()
    assert item.status == Appointment.Status.CANCELLED and item.sequence == 1


def test_a_refused_request_or_decision_still_leaves_one_audit_row_with_outcome_failure(alice):
    service, _ = make_house(units=1)
    stay = ask(alice, service, days(4), days(5))
    with pytest.raises(services.NoCapacity):
        ask(alice, service, days(4), days(6))
    row = LogEntry.objects.get(action="respite.stay.requested", outcome="failure")
    assert (row.object_type, row.object_id, row.subject_id) == (
        "directory.service",
        str(service.pk),
        str(alice.pk),
    )
    provider = make_user("p@example.org", Role.PROFESSIONAL)
    services.stay_confirm(request=request_for(provider), stay=stay)
    with pytest.raises(services.Conflict):
        services.stay_confirm(request=request_for(provider), stay=stay)
    assert list(
        LogEntry.objects.filter(action="respite.stay.confirmed")
        .values_list("outcome", flat=True)
        .order_by("created_at")
    ) == ["success", "failure"]


# --- the waiting list with a guest: the offer is checked against the allowance -----------------


def _allow(guest, nights, *dates):
    """The guest's gemeente grants ``nights`` in every calendar year the dates touch."""
    for year in {d.year for d in dates}:
        Allowance.objects.update_or_create(
            municipality=guest.municipality, year=year, defaults={"nights": nights}
        )


def _offered(guest, *, funding=Funding.WMO, arrival=10, departure=13):
    """Bob waits for ``guest`` (his own) while Alice holds the only place; Alice cancels, so the
    nights are offered to Bob."""
    alice = make_user("alice-w@example.org", Role.CAREGIVER)
    service, _ = make_house(units=1, funding=[Funding.WMO, Funding.PRIVATE])
    taken = ask(alice, service, days(arrival), days(departure), funding=funding)
    place = services.geo.resolve_postcode("3511")
    search = availability.Search(
        place=place, arrival=days(arrival), departure=days(departure), funding=funding
    )
    entry = services.waiting_join(
        request=request_for(guest.owner), search=search, guest=guest, kind="logeerzorg_wmo"
    )
    services.stay_cancel(request=request_for(alice), stay=taken)
    return entry, Stay.objects.get(state=Stay.State.OFFERED)


@pytest.fixture
def bob_guest(db):
    bob = make_user("bob@example.org", Role.CAREGIVER)
    return services.guest_save(owner=bob, postcode="3511 AB", name="Kees", birth_year=1938)


def test_joining_with_a_guest_keeps_the_guest_and_the_offer_carries_it(bob_guest):
    entry, offer = _offered(bob_guest)
    assert entry.guest == bob_guest
    assert offer.guest == bob_guest and offer.waiting_id == entry.pk and offer.funding == Funding.WMO


def test_an_offer_within_the_allowance_is_accepted(bob_guest):
    _allow(bob_guest, 3, days(10), days(12))
    _entry, offer = _offered(bob_guest)
    held = services.offer_accept(request=request_for(bob_guest.owner), stay=offer)
    assert held.state == Stay.State.HELD and held.guest == bob_guest


def test_an_offer_beyond_the_allowance_is_refused_and_audited(bob_guest):
    _allow(bob_guest, 3, days(10), days(12))
    entry, offer = _offered(bob_guest)
    _allow(bob_guest, 1, days(10), days(12))  # the gemeente lowers the nights after the offer
    with pytest.raises(services.Refused) as refused:
        services.offer_accept(request=request_for(bob_guest.owner), stay=offer)
    assert refused.value.code == "allowance_exceeded"
    assert "Kees" in refused.value.message and "1" in refused.value.message
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert offer.state == Stay.State.OFFERED and entry.state == WaitingEntry.State.OFFERED
    row = LogEntry.objects.get(action="respite.offer.accepted")
    assert row.outcome == "failure" and row.object_id == str(offer.pk)


def test_other_nights_of_the_guest_count_against_the_offer(bob_guest):
    service, _ = make_house("Voorbeeld Ander", units=1)
    _allow(bob_guest, 5, days(20), days(21), days(10), days(12))
    _entry, offer = _offered(bob_guest)  # 3 nights offered
    ask(bob_guest.owner, service, days(20), days(22), bob_guest)  # 2 Wmo nights held: 5 of 5 used
    _allow(bob_guest, 4, days(20), days(21), days(10), days(12))  # then the gemeente grants 4
    with pytest.raises(services.Refused):
        services.offer_accept(request=request_for(bob_guest.owner), stay=offer)


def test_a_privately_paid_offer_is_not_counted_against_the_allowance(bob_guest):
    _allow(bob_guest, 0, days(10), days(12))
    _entry, offer = _offered(bob_guest, funding=Funding.PRIVATE)
    held = services.offer_accept(request=request_for(bob_guest.owner), stay=offer)
    assert held.state == Stay.State.HELD
    assert services.allowance_left(bob_guest, days(10).year) == (0, 0)


def test_an_entry_whose_guest_has_no_nights_left_is_passed_over_for_the_next(bob_guest):
    carla = make_user("carla@example.org", Role.CAREGIVER)
    _allow(bob_guest, 1, days(10), days(12))  # Kees has 1 night; the stay needs 3
    alice = make_user("alice-p@example.org", Role.CAREGIVER)
    service, _ = make_house(units=1)
    taken = ask(alice, service, days(10), days(13))
    place = services.geo.resolve_postcode("3511")
    search = availability.Search(place=place, arrival=days(10), departure=days(13), funding=Funding.WMO)
    first = services.waiting_join(
        request=request_for(bob_guest.owner), search=search, guest=bob_guest, kind="logeerzorg_wmo"
    )
    second = services.waiting_join(
        request=request_for(carla), search=search, guest=None, kind="logeerzorg_wmo"
    )
    services.stay_cancel(request=request_for(alice), stay=taken)
    offer = Stay.objects.get(state=Stay.State.OFFERED)
    assert offer.waiting_id == second.pk and offer.requested_by == carla
    assert WaitingEntry.objects.get(pk=first.pk).state == WaitingEntry.State.WAITING  # still waiting
