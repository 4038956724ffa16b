"""GET /api/v1/respite/availability/: public, counts and dates only, 400 naming the parameter,
a fixed number of queries whatever the number of units and stays."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from mantelzorg.accounts.models import Role
from mantelzorg.directory.models import Phone
from mantelzorg.respite import services
from mantelzorg.respite.models import Funding, Kind

from .factories import days, make_house, request_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/respite/availability/"


def search(client, **params):
    query = {"postcode": "3511", "from": days(10).isoformat(), "to": days(12).isoformat(), **params}
    return client.get(URL, query)


def book(service, arrival, departure):
    user = make_user(f"booker{uuid.uuid4().hex[:8]}@example.org", Role.CAREGIVER)
    return services.stay_request(
        request=request_for(user),
        service=service,
        arrival=arrival,
        departure=departure,
        guest=None,
        funding=Funding.PRIVATE,
    )


def test_the_nearest_houses_with_their_free_units_per_night_and_phone(client):
    near, _ = make_house("Voorbeeld Logeerhuis Utrecht", units=2)
    Phone.objects.create(service=near, number="030 123 45 67")
    far, _ = make_house("Voorbeeld Logeerhuis Zeist", postcode="3701", units=1)
    book(near, days(11), days(12))
    response = search(client)
    assert response.status_code == 200, response.content
    assert "no-store" not in response.get("Cache-Control", "")
    body = response.json()
    assert body["total_items"] == 2
    first, second = body["contents"]
    assert first["service"]["name"] == "Voorbeeld Logeerhuis Utrecht"
    assert first["distance_km"] <= second["distance_km"]
    assert first["free_units"] == 1 and first["available"] is True
    assert [n["free"] for n in first["free_per_night"]] == [2, 1]
    assert first["free_per_night"][0]["date"] == days(10).isoformat()
    assert first["phone"] == "030 123 45 67"
    assert first["location"]["place"] == "Test"
    assert first["organization"]["name"].startswith("Voorbeeld Logeerhuis Utrecht")
    assert second["nearest_free"] == []
    # Each house's link is what reverse() gives for it (api.houses_data fills in one pattern).
    for house, service in ((first, near), (second, far)):
        assert house["url"] == "http://testserver" + reverse("directory:service_detail", args=[service.pk])


def test_a_full_house_shows_the_nearest_free_dates(client):
    service, _ = make_house(units=1)
    book(service, days(10), days(12))
    (house,) = search(client).json()["contents"]
    assert house["available"] is False and house["free_units"] == 0
    assert house["nearest_free"][0] == {"arrival": days(12).isoformat(), "departure": days(14).isoformat()}


def test_filters_kind_funding_and_profile(client):
    make_house("Voorbeeld ELV", units=1, kind=Kind.ELV_HIGH, funding=(Funding.ZVW,))
    make_house("Voorbeeld Logeerhuis", units=1, wheelchair=False)
    assert [h["service"]["name"] for h in search(client).json()["contents"]] == ["Voorbeeld Logeerhuis"]
    names = lambda **p: [h["service"]["name"] for h in search(client, **p).json()["contents"]]  # noqa: E731
    assert names(kind="elv_high,elv_low") == ["Voorbeeld ELV"]
    assert sorted(names(kind=["elv_high", "logeerzorg_wmo"])) == ["Voorbeeld ELV", "Voorbeeld Logeerhuis"]
    assert names(wheelchair="true") == []
    assert names(funding="zvw") == []
    assert names(target_group="children") == []
    assert names(target_group="dementia") == ["Voorbeeld Logeerhuis"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"to": days(9).isoformat()}, "to"),
        ({"to": days(10).isoformat()}, "to"),
        ({"postcode": "0999"}, "postcode"),
        ({"postcode": "abc"}, "postcode"),
        ({"postcode": ""}, "postcode"),
        ({"radius_km": "101"}, "radius_km"),
        ({"radius_km": "0"}, "radius_km"),
        ({"to": days(53).isoformat()}, "to"),
        ({"from": "2026-13-01"}, "from"),
        ({"from": days(-1).isoformat()}, "from"),
        ({"kind": "hotel"}, "kind"),
        ({"funding": "cash"}, "funding"),
        ({"wheelchair": "yes"}, "wheelchair"),
        ({"target_group": "cats"}, "target_group"),
        ({"per_page": "51"}, "per_page"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, params, field):
    response = search(client, **params)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field


def test_42_nights_is_allowed(client):
    make_house(units=1, max_nights=42)
    assert search(client, to=days(52).isoformat()).json()["total_items"] == 1


def _count(client):
    search(client)  # brings this process's availability index up to date (index.py: fixed queries too)
    with CaptureQueriesContext(connection) as queries:
        assert search(client).status_code == 200
    return len(queries)


def test_a_fixed_number_of_queries_whatever_the_units_and_stays(client, steady_versions):
    service, _ = make_house(units=1)
    Phone.objects.create(service=service, number="030 1")
    book(service, days(10), days(11))
    few = _count(client)
    for n in range(4):
        other, _ = make_house(f"Voorbeeld {n}", units=3)
        Phone.objects.create(service=other, number=f"030 {n}")
        for m in range(3):
            book(other, days(10 + m), days(11 + m))
    assert _count(client) == few <= 9


def test_a_house_taken_off_the_sociale_kaart_is_not_found(client):
    shown, _ = make_house("Voorbeeld Zichtbaar", units=1)
    hidden, _ = make_house("Voorbeeld Ingetrokken", units=1)
    hidden.publication = hidden.Publication.WITHDRAWN
    hidden.save(update_fields=["publication"])
    names = [h["service"]["name"] for h in search(client).json()["contents"]]
    assert names == ["Voorbeeld Zichtbaar"]
