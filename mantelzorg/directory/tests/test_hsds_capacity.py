"""``service_capacity`` on the HSDS services with respite beds (issue 15): beds free tonight, valid
against the HSDS service_capacity and unit objects, strict with the documented extensions, and a
fixed number of queries for a page of services whatever the number of beds and stays.

The schema below is the HSDS 3.1 ``service_capacity`` object with its ``unit`` (Open Referral,
``schema/service_capacity.json`` and ``schema/unit.json``: the fields, their types and which are
required), written out here: the official files are not part of the HSDS 3.0 copy in
``mantelzorg/directory/standards/hsds-3.0/`` (3.0 has no capacity object)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from conftest import make_user
from mantelzorg.accounts.models import Role
from mantelzorg.respite import services
from mantelzorg.respite.models import Closure, Funding
from mantelzorg.respite.tests.factories import days, make_house, request_for

from .test_hsds_support import assert_strict, format_checker

pytestmark = pytest.mark.django_db
HSDS = "/api/hsds/3.0"

UNIT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "name": {"type": "string"},
        "scheme": {"type": "string"},
        "identifier": {"type": "string"},
        "uri": {"type": "string", "format": "uri"},
        "attributes": {"type": "array"},
        "metadata": {"type": "array"},
    },
    "required": ["id", "name"],
    "additionalProperties": False,
}
SERVICE_CAPACITY = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "service_id": {"type": "string", "format": "uuid"},
        "unit": UNIT,
        "unit_id": {"type": "string", "format": "uuid"},
        "available": {"type": "number"},
        "maximum": {"type": "number"},
        "description": {"type": "string"},
        "updated": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "unit", "available", "updated"],
    "additionalProperties": False,
}


def assert_capacity(value) -> None:
    assert isinstance(value, list) and value
    validator = Draft202012Validator(SERVICE_CAPACITY, format_checker=format_checker)
    for item in value:
        errors = list(validator.iter_errors(item))
        assert not errors, [e.message for e in errors]


def tonight(service):
    user = make_user(f"guest-{uuid.uuid4().hex[:12]}@example.org", Role.CAREGIVER)
    return services.stay_request(
        request=request_for(user), service=service, arrival=days(0), departure=days(1), guest=None,
        funding=Funding.PRIVATE,
    )  # fmt: skip


def test_a_service_with_beds_publishes_how_many_are_free_tonight(client):
    service, units = make_house(units=3)
    tonight(service)
    Closure.objects.create(unit=units[2], first_day=days(0), last_day=days(2))
    body = client.get(f"{HSDS}/services/{service.pk}").json()
    assert_capacity(body["service_capacity"])
    (capacity,) = body["service_capacity"]
    assert (capacity["available"], capacity["maximum"], capacity["unit"]["name"]) == (1, 3, "Bed")
    assert_strict(body, "compiled/service.json")
    # The same in the lists (brief and full items), and a stable id.
    listed = {s["id"]: s for s in client.get(f"{HSDS}/services").json()["contents"]}
    assert listed[str(service.pk)]["service_capacity"][0]["id"] == capacity["id"]
    full = {s["id"]: s for s in client.get(f"{HSDS}/services", {"full": "true"}).json()["contents"]}
    assert full[str(service.pk)]["service_capacity"][0]["available"] == 1


def test_a_service_without_beds_has_no_capacity(client):
    from mantelzorg.directory.tests.factories import make_service

    service = make_service("Voorbeeld Mantelzorgcafé")
    assert "service_capacity" not in client.get(f"{HSDS}/services/{service.pk}").json()


def _count(client):
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"{HSDS}/services", {"per_page": 50}).json()
    for item in body["contents"]:
        assert_capacity(item["service_capacity"])
    return len(queries), body["total_items"]


def test_a_page_of_services_costs_the_same_queries_whatever_the_beds(client):
    service, _ = make_house("Voorbeeld Logeerhuis 0", units=1)
    tonight(service)
    few, total = _count(client)
    assert total == 1
    for n in range(1, 6):
        service, _ = make_house(f"Voorbeeld Logeerhuis {n}", units=4)
        tonight(service)
        tonight(service)
    many, total = _count(client)
    assert total == 6 and many == few
