"""Who reaches the respite API: every person of the cast, plus provider staff of this house and of
another house and a regional coordinator of this region and of another, on every operation.

The stay is held in a house in Utrecht (GM0344), requested by the caregiver (Alice). Its requester
reads it, cancels it and may accept it (an offer); the provider of the house reads, confirms,
declines and cancels it; the coordinator of Utrecht reads it only. Everyone else, gemeente staff of
Utrecht too (counts only, never a stay), gets 404 on everything, audited as denied, and nothing
changes. The availability search is public and holds no personal data.

Routes checked (for the route matrix): /api/v1/respite/availability/ /api/v1/respite/stays/
/api/v1/respite/stays/<id>/ /api/v1/respite/stays/<id>/confirm/ /api/v1/respite/stays/<id>/decline/
/api/v1/respite/stays/<id>/cancel/ /api/v1/respite/stays/<id>/accept/
"""

from __future__ import annotations

import json

import pytest

from conftest import CAST_NAMES, login
from mantelzorg.core.models import LogEntry
from mantelzorg.respite import services
from mantelzorg.respite.models import Funding, Stay

from .factories import days, make_coordinator, make_house, make_provider, request_for

pytestmark = pytest.mark.django_db

AVAILABILITY = "/api/v1/respite/availability/"
STAYS = "/api/v1/respite/stays/"
EXTRA = ["provider", "other_provider", "coordinator", "other_coordinator"]
# Who may do what on the stay (anything else: 404).
READS = {"caregiver": "requester", "provider": "provider", "coordinator": "coordinator"}
DOES = {
    "confirm": {"provider"},
    "decline": {"provider"},
    "cancel": {"caregiver", "provider"},
    "accept": {"caregiver"},
}


@pytest.fixture
def world(cast):
    service, _ = make_house("Voorbeeld Logeerhuis Utrecht", units=1)
    other_service, _ = make_house("Voorbeeld Logeerhuis Zeist", postcode="3701", units=1)
    stay = services.stay_request(
        request=request_for(cast.caregiver),
        service=service,
        arrival=days(10),
        departure=days(12),
        guest=services.guest_save(owner=cast.caregiver, postcode="3511", name="Mien"),
        funding=Funding.WMO,
    )
    people = {name: getattr(cast, name) for name in CAST_NAMES}
    people["provider"] = make_provider("provider@example.org", service)
    people["other_provider"] = make_provider("other-provider@example.org", other_service)
    people["coordinator"] = make_coordinator("coordinator@example.org", ["GM0344"])
    people["other_coordinator"] = make_coordinator("other-coordinator@example.org", ["GM0363"])
    return {"service": service, "stay": stay, "people": people}


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize("who", CAST_NAMES + EXTRA)
def test_the_availability_search_is_public_and_holds_no_personal_data(client, world, who):
    login(client, world["people"][who])
    response = client.get(AVAILABILITY, {"postcode": "3511", "from": days(3), "to": days(5)})
    assert response.status_code == 200
    house = response.json()["contents"][0]
    assert set(house) == {
        "service", "organization", "location", "distance_km", "kinds", "units", "available",
        "free_units", "free_per_night", "nearest_free", "phone", "url",
    }  # fmt: skip
    assert "Mien" not in response.content.decode()


@pytest.mark.parametrize("who", CAST_NAMES + EXTRA)
def test_who_reads_the_stay_and_everyone_else_gets_404_audited(client, world, who):
    stay = world["stay"]
    login(client, world["people"][who])
    response = client.get(f"{STAYS}{stay.pk}/")
    if who in READS:
        assert response.status_code == 200
        assert response.json()["seen_as"] == READS[who]
        assert LogEntry.objects.filter(action="respite.stay.viewed", outcome="success").count() == 1
    else:
        assert response.status_code == 404
        assert [e["code"] for e in response.json()["errors"]] == ["not_found"]
        assert LogEntry.objects.filter(action="respite.stay.viewed", outcome="denied").count() == 1


@pytest.mark.parametrize("operation", sorted(DOES))
@pytest.mark.parametrize("who", CAST_NAMES + EXTRA)
def test_who_moves_the_stay_on_and_everyone_else_gets_404_with_nothing_changed(client, world, who, operation):
    stay = world["stay"]
    login(client, world["people"][who])
    response = post(
        client,
        f"{STAYS}{stay.pk}/{operation}/",
        {"reason": "Lekkage"} if operation in ("decline", "cancel") else None,
    )
    stay.refresh_from_db()
    if who in DOES[operation]:
        # accept on a held stay (not an offer) is a 409: the access check let it through.
        assert response.status_code == (409 if operation == "accept" else 200), response.content
        assert (
            stay.state
            == {"confirm": "confirmed", "decline": "declined", "cancel": "cancelled", "accept": "held"}[
                operation
            ]
        )
    else:
        assert response.status_code == 404, response.content
        assert stay.state == Stay.State.HELD
        assert LogEntry.objects.filter(outcome="denied", object_id=str(stay.pk)).count() == 1


@pytest.mark.parametrize("who", CAST_NAMES + EXTRA)
def test_anyone_signed_in_may_request_a_stay_anonymous_not(client, world, who):
    login(client, world["people"][who])
    body = {
        "service": str(world["service"].pk),
        "arrival": str(days(20)),
        "departure": str(days(21)),
        "funding": "private",
    }
    response = post(client, STAYS, body)
    assert response.status_code == (403 if who == "anonymous" else 201), response.content
