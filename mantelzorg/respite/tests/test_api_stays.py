"""The stays of the respite API: request (201, 409 capacity_gone, 400 with the refusal's code),
read, confirm, decline, cancel, accept an offer; 409 when the state moved on; Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from conftest import login, make_user
from mantelzorg.accounts.models import Role
from mantelzorg.core.models import LogEntry
from mantelzorg.respite import availability, services
from mantelzorg.respite.models import Funding, Guest, Stay, WaitingEntry

from .factories import days, make_coordinator, make_house, make_provider, request_for

pytestmark = pytest.mark.django_db
STAYS = "/api/v1/respite/stays/"


@pytest.fixture
def house(db):
    return make_house(units=1)


@pytest.fixture
def alice(db):
    return make_user("alice@example.org", Role.CAREGIVER)


@pytest.fixture
def provider(house):
    return make_provider("p@example.org", house[0])


def post(client, url, body=None, **headers):
    return client.post(
        url, json.dumps(body) if body is not None else "", content_type="application/json", headers=headers
    )


def ask(client, house_service, arrival=None, departure=None, **extra):
    body = {
        "service": str(house_service.pk),
        "arrival": str(arrival or days(10)),
        "departure": str(departure or days(12)),
        "funding": "wmo",
        "guest": {"name": "Mien", "birth_year": 1941, "postcode": "3511 AB", "wheelchair": True},
        "needs": "Slaapt slecht",
        "contact_phone": "06 12345678",
        **extra,
    }
    return post(client, STAYS, body)


def test_a_request_holds_the_nights_and_answers_201_with_the_stay(client, alice, house):
    login(client, alice)
    response = ask(client, house[0])
    assert response.status_code == 201, response.content
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["state"] == "held" and body["seen_as"] == "requester" and body["nights"] == 2
    assert body["guest"]["name"] == "Mien" and body["unit"]["id"] == str(house[1][0].pk)
    assert response["Location"] == f"{STAYS}{body['id']}/"
    assert LogEntry.objects.filter(action="respite.stay.requested", outcome="success").count() == 1
    # An own guest by id.
    guest = Guest.objects.get()
    again = ask(client, house[0], days(20), days(21), guest=str(guest.pk))
    assert again.status_code == 201 and again.json()["guest"]["id"] == str(guest.pk)


def test_the_nights_gone_is_a_409_capacity_gone_and_keeps_no_new_guest(client, alice, house):
    login(client, alice)
    assert ask(client, house[0]).status_code == 201
    response = ask(client, house[0], days(11), days(13), guest={"name": "Kees", "postcode": "3511"})
    assert response.status_code == 409
    assert [e["code"] for e in response.json()["errors"]] == ["capacity_gone"]
    assert list(Guest.objects.values_list("name", flat=True)) == ["Mien"]
    assert LogEntry.objects.filter(action="respite.stay.requested", outcome="failure").count() == 1


@pytest.mark.parametrize(
    "extra, code, field",
    [
        ({"departure": days(9).isoformat()}, "dates_in_wrong_order", None),
        ({"arrival": days(-2).isoformat(), "departure": days(1).isoformat()}, "arrival_in_the_past", None),
        ({"departure": days(60).isoformat()}, "stay_too_long", None),
        ({"funding": "zvw"}, "no_matching_place", None),
        ({"funding": "cash"}, "invalid_choice", "funding"),
        ({"service": str(uuid.uuid4())}, "not_found", "service"),
        ({"guest": str(uuid.uuid4())}, "not_found", "guest"),
        ({"guest": {"name": "X", "postcode": "1000"}}, "unknown", "guest.postcode"),
        ({"guest": {"name": "X", "postcode": "3511", "bsn": "1"}}, "unknown_field", "guest.bsn"),
        ({"guest": 5}, "invalid_type", "guest"),
        ({"nope": 1}, "unknown_field", "nope"),
    ],
)
def test_refusals_are_a_400_with_their_code(client, alice, house, extra, code, field):
    login(client, alice)
    response = ask(client, house[0], **extra)
    assert response.status_code == 400, response.content
    (error,) = response.json()["errors"]
    assert (error["code"], error["field"]) == (code, field)
    assert not Stay.objects.exists() and not Guest.objects.exists()


def test_the_allowance_is_checked(client, alice, house):
    from mantelzorg.respite.models import Allowance

    Allowance.objects.create(municipality_id="GM0344", year=days(10).year, nights=1)
    login(client, alice)
    response = ask(client, house[0], days(10), days(10) + dt.timedelta(days=2))
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "allowance_exceeded"


def test_not_signed_in_is_a_403(client, house):
    assert ask(client, house[0]).status_code == 403


def test_the_same_idempotency_key_requests_once(client, alice, house):
    login(client, alice)
    body = {
        "service": str(house[0].pk),
        "arrival": days(3).isoformat(),
        "departure": days(4).isoformat(),
        "funding": "private",
    }
    first = post(client, STAYS, body, **{"Idempotency-Key": "key-0123456789abcdef"})
    second = post(client, STAYS, body, **{"Idempotency-Key": "key-0123456789abcdef"})
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true" and first.json()["id"] == second.json()["id"]
    assert Stay.objects.count() == 1


def test_read_confirm_and_the_requester_sees_it(client, alice, house, provider):
    login(client, alice)
    stay_id = ask(client, house[0]).json()["id"]
    assert client.get(f"{STAYS}{stay_id}/").json()["seen_as"] == "requester"
    assert post(client, f"{STAYS}{stay_id}/confirm/").status_code == 404  # not the provider
    login(client, provider)
    assert client.get(f"{STAYS}{stay_id}/").json()["seen_as"] == "provider"
    response = post(client, f"{STAYS}{stay_id}/confirm/", **{"Idempotency-Key": "confirm-0123456789ab"})
    assert response.status_code == 200 and response.json()["state"] == "confirmed"
    again = post(client, f"{STAYS}{stay_id}/confirm/", **{"Idempotency-Key": "confirm-0123456789ab"})
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    third = post(client, f"{STAYS}{stay_id}/confirm/")
    assert third.status_code == 409 and third.json()["errors"][0]["code"] == "state_changed"
    assert LogEntry.objects.filter(action="respite.stay.confirmed", outcome="success").count() == 1


def test_a_confirm_after_the_hold_lapsed_is_409_hold_expired(client, alice, house, provider):
    login(client, alice)
    stay_id = ask(client, house[0]).json()["id"]
    Stay.objects.filter(pk=stay_id).update(hold_until=timezone.now() - dt.timedelta(seconds=1))
    login(client, provider)
    response = post(client, f"{STAYS}{stay_id}/confirm/")
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "hold_expired"


def test_decline_needs_a_reason(client, alice, house, provider):
    login(client, alice)
    stay_id = ask(client, house[0]).json()["id"]
    login(client, provider)
    response = post(client, f"{STAYS}{stay_id}/decline/", {"reason": " "})
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "reason_required"
    response = post(client, f"{STAYS}{stay_id}/decline/", {"reason": "Geen nachtzorg die week"})
    assert response.status_code == 200 and response.json()["state"] == "declined"
    assert response.json()["reason"] == "Geen nachtzorg die week"


def test_the_requester_cancels_the_provider_only_with_a_reason(client, alice, house, provider):
    login(client, alice)
    first = ask(client, house[0]).json()["id"]
    second = ask(client, house[0], days(20), days(21)).json()["id"]
    response = post(client, f"{STAYS}{first}/cancel/")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    login(client, provider)
    assert post(client, f"{STAYS}{second}/cancel/").json()["errors"][0]["code"] == "reason_required"
    response = post(client, f"{STAYS}{second}/cancel/", {"reason": "Lekkage"})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_accept_an_offer_from_the_waiting_list(client, alice, house):
    bob = make_user("bob@example.org", Role.CAREGIVER)
    taken = services.stay_request(
        request=request_for(bob), service=house[0], arrival=days(10), departure=days(12), guest=None,
        funding=Funding.PRIVATE,
    )  # fmt: skip
    search = availability.Search(
        place=services.geo.resolve_postcode("3511"),
        arrival=days(10),
        departure=days(12),
        funding=Funding.PRIVATE,
    )
    services.waiting_join(request=request_for(alice), search=search, guest=None, kind=house[1][0].kind)
    services.stay_cancel(request=request_for(bob), stay=taken)
    offer = Stay.objects.get(state=Stay.State.OFFERED)
    login(client, alice)
    response = post(client, f"{STAYS}{offer.pk}/accept/")
    assert response.status_code == 200 and response.json()["state"] == "held"
    assert WaitingEntry.objects.get().state == WaitingEntry.State.ACCEPTED
    again = post(client, f"{STAYS}{offer.pk}/accept/")
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "state_changed"


def test_a_coordinator_of_the_region_reads_but_does_not_decide(client, alice, house):
    login(client, alice)
    stay_id = ask(client, house[0]).json()["id"]
    login(client, make_coordinator("coord@example.org"))
    assert client.get(f"{STAYS}{stay_id}/").json()["seen_as"] == "coordinator"
    assert post(client, f"{STAYS}{stay_id}/confirm/").status_code == 404
