"""Every operation of the committed OpenAPI document (docs/api/openapi.yaml), called for real, answers
with a body that validates against the schema it declares for that status and content type.

The schema is read strictly: an object with declared properties allows no others (so a field the
code adds but the declaration lacks fails, as a field declared but never sent fails when required),
``nullable`` is honoured and every ``$ref`` is followed. Each operation is called for each status
it declares (200 and its errors); a new operation or status without a sample here fails the test
list itself. The HSDS and FHIR bodies are declared as objects here; their full shapes are checked
against the official schemas in mantelzorg/directory/tests/test_hsds_schemas.py and
mantelzorg/assessment/tests/test_api.py.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import login
from mantelzorg.assessment.tests import factories as check_factories
from mantelzorg.core.models import IdempotencyKey
from mantelzorg.directory.models import Taxonomy, TaxonomyTerm
from mantelzorg.directory.tests.factories import make_org, make_service
from mantelzorg.network.models import Membership, Network, Relation, Role, Task

pytestmark = pytest.mark.django_db

OPENAPI = yaml.safe_load((Path(__file__).resolve().parents[1] / "docs" / "api" / "openapi.yaml").read_text())
UNKNOWN = "00000000-0000-4000-8000-000000000000"
_NOT_KEYWORDS = {"nullable", "example", "examples", "description", "readOnly", "writeOnly", "deprecated"}


def json_schema(node, components=OPENAPI["components"]["schemas"]):
    """OpenAPI 3.0 schema → JSON Schema: refs inlined, nullable as null, closed objects."""
    if isinstance(node, list):
        return [json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    out = {}
    for key, value in node.items():
        if key in _NOT_KEYWORDS:
            continue
        if key == "properties":
            out[key] = {name: json_schema(schema, components) for name, schema in value.items()}
        else:
            out[key] = json_schema(value, components)
    if "properties" in node and "additionalProperties" not in node:
        out["additionalProperties"] = False
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def declared():
    for path, operations in OPENAPI["paths"].items():
        for method, operation in operations.items():
            for status in operation.get("responses", {}):
                yield method.upper(), path, int(status)


@pytest.fixture
def world(cast):
    org = make_org("Voorbeeld Steunpunt", kind="support_centre", municipalities=["GM0363"])
    service = make_service("Voorbeeld Respijt", org=org, domains=("respite",), respite=("day_care",))
    check = check_factories.SavedCheckFactory(owner=cast.caregiver, answers=check_factories.overloaded())
    taxonomy = Taxonomy.objects.first()
    network = Network.objects.create(recipient_name="Mien", recipient_birth_date="1941-04-02")
    Membership.objects.create(
        network=network, user=cast.caregiver, role=Role.COORDINATOR, relation=Relation.CHILD
    )
    helper = Membership.objects.create(
        network=network, user=cast.network_member, role=Role.MEMBER, relation="friend"
    )
    Membership.objects.create(
        network=network, user=cast.professional, role=Role.PROFESSIONAL, relation=Relation.PROFESSIONAL
    )
    start = network.created_at
    task = dict(network=network, kind="shopping", title="Boodschappen", starts_at=start, ends_at=start)
    open_task = Task.objects.create(**task)
    taken = Task.objects.create(**task, status=Task.Status.CLAIMED, claimed_by=helper, claimed_at=start)
    return {
        "network": str(network.id),
        "task": str(open_task.id),
        "taken": str(taken.id),
        "caregiver": cast.caregiver.pk,
        "org": str(org.id),
        "service": str(service.id),
        "location": str(service.service_at_locations.get().id),
        "taxonomy": str(taxonomy.id),
        "term": str(TaxonomyTerm.objects.filter(taxonomy=taxonomy).first().id),
        "check": str(check.id),
    }


def _check_body(answers) -> dict:
    return {"instrument": "balanscheck", "postcode": "1012", "answers": answers}


# (method, path template, status) → how to make that answer: (path, query, body, content type, who)
SAMPLES = {
    ("GET", "/api/fhir/Questionnaire", 200): lambda w: ("/api/fhir/Questionnaire", {}),
    ("GET", "/api/fhir/Questionnaire/{questionnaire_id}", 200): lambda w: (
        "/api/fhir/Questionnaire/balanscheck",
        {},
    ),
    ("GET", "/api/fhir/Questionnaire/{questionnaire_id}", 404): lambda w: (
        "/api/fhir/Questionnaire/nope",
        {},
    ),
    ("GET", "/api/hsds/3.0/", 200): lambda w: ("/api/hsds/3.0/", {}),
    ("GET", "/api/hsds/3.0/profile/", 200): lambda w: ("/api/hsds/3.0/profile/", {}),
    ("POST", "/api/v1/checks/", 200): lambda w: (
        "/api/v1/checks/",
        {"body": _check_body(check_factories.overloaded())},
    ),
    ("POST", "/api/v1/checks/", 400): lambda w: ("/api/v1/checks/", {"body": _check_body({"nope": 1})}),
    ("POST", "/api/v1/checks/", 415): lambda w: (
        "/api/v1/checks/",
        {"raw": "answers", "content_type": "text/plain"},
    ),
    ("GET", "/api/v1/checks/{check_id}/fhir", 200): lambda w: (
        f"/api/v1/checks/{w['check']}/fhir",
        {"who": "caregiver"},
    ),
    ("GET", "/api/v1/checks/{check_id}/fhir", 404): lambda w: (
        f"/api/v1/checks/{w['check']}/fhir",
        {"who": "other_caregiver"},
    ),
    ("GET", "/api/v1/municipalities/", 200): lambda w: ("/api/v1/municipalities/", {}),
    ("GET", "/api/v1/postcodes/{postcode}/", 200): lambda w: ("/api/v1/postcodes/1012AB/", {}),
    ("GET", "/api/v1/postcodes/{postcode}/", 400): lambda w: ("/api/v1/postcodes/0123/", {}),
    ("GET", "/api/v1/postcodes/{postcode}/", 404): lambda w: ("/api/v1/postcodes/1000/", {}),
}
for plural, key in [
    ("organizations", "org"),
    ("services", "service"),
    ("service_at_locations", "location"),
    ("taxonomies", "taxonomy"),
    ("taxonomy_terms", "term"),
]:
    base = f"/api/hsds/3.0/{plural}"
    SAMPLES[("GET", base, 200)] = lambda w, base=base: (base, {"query": {"per_page": 5}})
    SAMPLES[("GET", base, 400)] = lambda w, base=base: (base, {"query": {"page": "first"}})
    SAMPLES[("GET", base + "/{id}", 200)] = lambda w, base=base, key=key: (f"{base}/{w[key]}", {})
    SAMPLES[("GET", base + "/{id}", 404)] = lambda w, base=base: (f"{base}/{UNKNOWN}", {})
# The care network API (mantelzorg/network/api.py) and its FHIR CareTeam.
NETWORK = "/api/v1/networks/{network_id}"
SAMPLES.update(
    {
        ("GET", "/api/v1/networks/", 200): lambda w: ("/api/v1/networks/", {"who": "caregiver"}),
        ("GET", "/api/v1/networks/", 400): lambda w: (
            "/api/v1/networks/",
            {"who": "caregiver", "query": {"page": "first"}},
        ),
        ("GET", "/api/v1/networks/", 403): lambda w: ("/api/v1/networks/", {}),
        ("GET", NETWORK + "/appointments/", 200): lambda w: (
            f"/api/v1/networks/{w['network']}/appointments/",
            {"who": "network_member"},
        ),
        ("GET", NETWORK + "/appointments/", 400): lambda w: (
            f"/api/v1/networks/{w['network']}/appointments/",
            {"who": "caregiver", "query": {"from": "2026-01-01", "to": "2027-06-01"}},
        ),
        ("GET", NETWORK + "/appointments/", 404): lambda w: (
            f"/api/v1/networks/{w['network']}/appointments/",
            {"who": "other_caregiver"},
        ),
        ("GET", NETWORK + "/tasks/", 200): lambda w: (
            f"/api/v1/networks/{w['network']}/tasks/",
            {"who": "professional"},
        ),
        ("GET", NETWORK + "/tasks/", 400): lambda w: (
            f"/api/v1/networks/{w['network']}/tasks/",
            {"who": "caregiver", "query": {"status": "busy"}},
        ),
        ("GET", NETWORK + "/tasks/", 404): lambda w: (f"/api/v1/networks/{w['network']}/tasks/", {}),
        ("POST", "/api/v1/tasks/{task_id}/claim/", 200): lambda w: (
            f"/api/v1/tasks/{w['task']}/claim/",
            {"who": "caregiver", "raw": ""},
        ),
        ("POST", "/api/v1/tasks/{task_id}/claim/", 400): lambda w: (
            f"/api/v1/tasks/{w['task']}/claim/",
            {"who": "caregiver", "raw": "", "headers": {"Idempotency-Key": "short"}},
        ),
        ("POST", "/api/v1/tasks/{task_id}/claim/", 403): lambda w: (
            f"/api/v1/tasks/{w['task']}/claim/",
            {"who": "professional", "raw": ""},
        ),
        ("POST", "/api/v1/tasks/{task_id}/claim/", 404): lambda w: (
            f"/api/v1/tasks/{w['task']}/claim/",
            {"who": "other_caregiver", "raw": ""},
        ),
        ("POST", "/api/v1/tasks/{task_id}/claim/", 409): lambda w: (
            f"/api/v1/tasks/{w['taken']}/claim/",
            {"who": "caregiver", "raw": ""},
        ),
        # The same Idempotency-Key as an earlier, other request of the same person.
        ("POST", "/api/v1/tasks/{task_id}/claim/", 422): lambda w: (
            f"/api/v1/tasks/{w['task']}/claim/",
            {"who": "caregiver", "raw": "", "headers": {"Idempotency-Key": _used_key(w, "/api/v1/checks/")}},
        ),
        ("GET", "/api/fhir/CareTeam/{network_id}", 200): lambda w: (
            f"/api/fhir/CareTeam/{w['network']}",
            {"who": "network_member"},
        ),
        ("GET", "/api/fhir/CareTeam/{network_id}", 404): lambda w: (
            f"/api/fhir/CareTeam/{w['network']}",
            {"who": "other_caregiver"},
        ),
    }
)


def _used_key(w, path: str) -> str:
    from django.utils import timezone

    key = "used-key-0123456789abcdef"
    IdempotencyKey.objects.create(
        owner=f"user:{w['caregiver']}",
        key=key,
        fingerprint="0" * 64,
        path=path,
        created_at=timezone.now(),
        status_code=200,
        content_type="application/json",
        body=b"{}",
    )
    return key


def _verify_with_keys(monkeypatch, settings):
    """The TEST ONLY keys and clock of the MZ1 vectors (mantelzorg/declaration/testdata)."""
    from mantelzorg.declaration import keys, selectors
    from mantelzorg.declaration.tests.helpers import vectors_keyring

    monkeypatch.setenv(keys.ENV_INLINE, vectors_keyring().to_json())
    monkeypatch.setattr(selectors, "now", lambda: MZ1_VECTOR["now"])


def _verify_without_keys(monkeypatch, settings):
    from mantelzorg.declaration import keys, selectors

    monkeypatch.delenv(keys.ENV_FILE, raising=False)
    monkeypatch.delenv(keys.ENV_INLINE, raising=False)
    monkeypatch.setattr(selectors, "default_keyring_path", lambda: Path("/nonexistent/declaration_keys.json"))


def _verify_over_the_limit(monkeypatch, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "declaration_verify": {"ip": (0, 3600)}}


MZ1_VECTOR = json.loads(
    (
        Path(__file__).resolve().parents[1] / "mantelzorg" / "declaration" / "testdata" / "vectors.json"
    ).read_text()
)["vectors"][0]
VERIFY = "/api/v1/declarations/verify/"
SAMPLES.update(
    {
        ("POST", VERIFY, 200): lambda w: (
            VERIFY,
            {"body": {"code": MZ1_VECTOR["code"]}, "setup": _verify_with_keys},
        ),
        ("POST", VERIFY, 400): lambda w: (VERIFY, {"body": {"kode": "MZ1:"}}),
        ("POST", VERIFY, 415): lambda w: (VERIFY, {"raw": "MZ1:", "content_type": "text/plain"}),
        ("POST", VERIFY, 429): lambda w: (
            VERIFY,
            {"body": {"code": "MZ1:"}, "setup": _verify_over_the_limit},
        ),
        ("POST", VERIFY, 503): lambda w: (VERIFY, {"body": {"code": "MZ1:"}, "setup": _verify_without_keys}),
    }
)

# The respite API (mantelzorg/respite/api.py): a house in Utrecht whose provider staff is the
# cast's professional; the caregiver requested its stays.
RESPITE = "/api/v1/respite"
RESPITE_STAY = RESPITE + "/stays/{stay_id}/"


def _respite_house(monkeypatch=None, settings=None):
    from mantelzorg.accounts.models import User
    from mantelzorg.respite.tests.factories import make_house

    service, _ = make_house(units=2)
    User.objects.get(email="dewi@example.org").organisations.add(service.organization.account_organisation)
    return service


def _respite_window(**extra) -> dict:
    from mantelzorg.respite.tests.factories import days

    return {"postcode": "3511", "from": days(10).isoformat(), "to": days(12).isoformat(), **extra}


def _respite_stay(w, state="held") -> str:
    """A stay of the caregiver in a new house, in ``state`` (the path's id)."""
    from django.utils import timezone

    from mantelzorg.accounts.models import User
    from mantelzorg.respite import services
    from mantelzorg.respite.models import Funding, Stay
    from mantelzorg.respite.tests.factories import days, request_for

    stay = services.stay_request(
        request=request_for(User.objects.get(pk=w["caregiver"])),
        service=_respite_house(),
        arrival=days(10),
        departure=days(12),
        guest=None,
        funding=Funding.WMO,
    )
    if state == "offered":
        Stay.objects.filter(pk=stay.pk).update(
            state=state, hold_until=timezone.now() + dt.timedelta(hours=24)
        )
    elif state != "held":
        Stay.objects.filter(pk=stay.pk).update(state=state)
    return str(stay.pk)


def _respite_request(w, **extra) -> dict:
    from mantelzorg.respite.tests.factories import days

    service = _respite_house()
    body = {"service": str(service.pk), "arrival": str(days(3)), "departure": str(days(5)), "funding": "wmo"}
    return {**body, "guest": {"name": "Mien", "postcode": "3511"}, **extra}


def _respite_gone(w) -> dict:
    """A request for nights both beds of the house already hold."""
    from mantelzorg.accounts.models import User
    from mantelzorg.directory.models import Service
    from mantelzorg.respite import services
    from mantelzorg.respite.models import Funding
    from mantelzorg.respite.tests.factories import request_for

    body = _respite_request(w)
    for _ in range(2):
        services.stay_request(
            request=request_for(User.objects.get(pk=w["caregiver"])),
            service=Service.objects.get(pk=body["service"]),
            arrival=dt.date.fromisoformat(body["arrival"]),
            departure=dt.date.fromisoformat(body["departure"]),
            guest=None,
            funding=Funding.WMO,
        )
    return body


def _respite_used_key(w, who_email: str) -> str:
    from django.utils import timezone

    from mantelzorg.accounts.models import User

    key = "used-respite-key-0123456789"
    IdempotencyKey.objects.create(
        owner=f"user:{User.objects.get(email=who_email).pk}",
        key=key,
        fingerprint="0" * 64,
        path="/api/v1/checks/",
        created_at=timezone.now(),
        status_code=200,
        content_type="application/json",
        body=b"{}",
    )
    return key


SAMPLES.update(
    {
        ("GET", RESPITE + "/availability/", 200): lambda w: (
            RESPITE + "/availability/",
            {"setup": _respite_house, "query": _respite_window()},
        ),
        ("GET", RESPITE + "/availability/", 400): lambda w: (
            RESPITE + "/availability/",
            {"query": _respite_window(radius_km="500")},
        ),
        ("POST", RESPITE + "/stays/", 201): lambda w: (
            RESPITE + "/stays/",
            {"who": "caregiver", "body": _respite_request(w)},
        ),
        ("POST", RESPITE + "/stays/", 400): lambda w: (
            RESPITE + "/stays/",
            {"who": "caregiver", "body": _respite_request(w, funding="cash")},
        ),
        ("POST", RESPITE + "/stays/", 403): lambda w: (RESPITE + "/stays/", {"body": _respite_request(w)}),
        ("POST", RESPITE + "/stays/", 409): lambda w: (
            RESPITE + "/stays/",
            {"who": "other_caregiver", "body": _respite_gone(w)},
        ),
        ("POST", RESPITE + "/stays/", 415): lambda w: (
            RESPITE + "/stays/",
            {"who": "caregiver", "raw": "x", "content_type": "text/plain"},
        ),
        ("POST", RESPITE + "/stays/", 422): lambda w: (
            RESPITE + "/stays/",
            {
                "who": "caregiver",
                "body": _respite_request(w),
                "headers": {"Idempotency-Key": _respite_used_key(w, "alice@example.org")},
            },
        ),
        ("GET", RESPITE_STAY, 200): lambda w: (f"{RESPITE}/stays/{_respite_stay(w)}/", {"who": "caregiver"}),
        ("GET", RESPITE_STAY, 404): lambda w: (
            f"{RESPITE}/stays/{_respite_stay(w)}/",
            {"who": "other_caregiver"},
        ),
    }
)
# The four transitions: who does it, the state it starts from, the state that makes it a 409.
for _name, (_who, _email, _state, _body) in {
    "confirm": ("professional", "dewi@example.org", "held", {}),
    "decline": ("professional", "dewi@example.org", "held", {"reason": "Vol"}),
    "cancel": ("caregiver", "alice@example.org", "held", {}),
    "accept": ("caregiver", "alice@example.org", "offered", {}),
}.items():
    _path = RESPITE_STAY + _name + "/"
    SAMPLES.update(
        {
            ("POST", _path, 200): lambda w, n=_name, who=_who, st=_state, b=_body: (
                f"{RESPITE}/stays/{_respite_stay(w, st)}/{n}/",
                {"who": who, "body": b},
            ),
            ("POST", _path, 400): lambda w, n=_name, who=_who, st=_state: (
                f"{RESPITE}/stays/{_respite_stay(w, st)}/{n}/",
                {"who": who, "body": {"nope": 1}},
            ),
            ("POST", _path, 404): lambda w, n=_name: (
                f"{RESPITE}/stays/{_respite_stay(w)}/{n}/",
                {"who": "other_caregiver", "body": {}},
            ),
            ("POST", _path, 409): lambda w, n=_name, who=_who, b=_body: (
                f"{RESPITE}/stays/{_respite_stay(w, 'expired')}/{n}/",
                {"who": who, "body": b},
            ),
            ("POST", _path, 415): lambda w, n=_name, who=_who, st=_state: (
                f"{RESPITE}/stays/{_respite_stay(w, st)}/{n}/",
                {"who": who, "raw": "x", "content_type": "text/plain"},
            ),
            ("POST", _path, 422): lambda w, n=_name, who=_who, st=_state, b=_body, e=_email: (
                f"{RESPITE}/stays/{_respite_stay(w, st)}/{n}/",
                {"who": who, "body": b, "headers": {"Idempotency-Key": _respite_used_key(w, e)}},
            ),
        }
    )

SAMPLES[("GET", "/api/hsds/3.0/organizations/{id}", 400)] = lambda w: (
    f"/api/hsds/3.0/organizations/{w['org']}",
    {"query": {"full_service": "perhaps"}},
)


def test_every_declared_answer_has_a_sample_and_every_sample_is_declared():
    assert set(declared()) == set(SAMPLES)


@pytest.mark.parametrize(("method", "path", "status"), sorted(declared()), ids=lambda v: str(v))
def test_a_real_answer_validates_against_its_declared_schema(
    client, cast, world, method, path, status, monkeypatch, settings
):
    url, how = SAMPLES[(method, path, status)](world)
    if how.get("setup"):
        how["setup"](monkeypatch, settings)
    if how.get("who"):
        login(client, getattr(cast, how["who"]))
    if method == "POST":
        content_type = how.get("content_type", "application/json")
        data = how["raw"] if "raw" in how else json.dumps(how["body"])
        response = client.post(url, data, content_type=content_type, headers=how.get("headers"))
    else:
        response = client.get(url, how.get("query", {}), headers=how.get("headers"))
    assert response.status_code == status, response.content[:500]
    content = OPENAPI["paths"][path][method.lower()]["responses"][str(status)]["content"]
    media_type = response["Content-Type"].split(";")[0].strip()
    assert media_type in content, f"{media_type} is not declared for {status}: {list(content)}"
    schema = json_schema(content[media_type]["schema"])
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        response.json()
    )


def test_the_strict_reading_catches_an_undeclared_field():
    """The comparison itself can fail: an answer with one field more than declared is refused."""
    schema = json_schema({"$ref": "#/components/schemas/Place"})
    place = {
        "pc4": "1012",
        "postcode": "1012",
        "lat": 52.37,
        "lon": 4.89,
        "municipality": {
            "code": "GM0363",
            "name": "Amsterdam",
            "name_everyday": "Amsterdam",
            "province_code": "PV27",
            "province_name": "Noord-Holland",
            "population": 1,
            "lat": 52.37,
            "lon": 4.89,
        },
    }
    jsonschema.validate(place, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**place, "secret": 1}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({k: v for k, v in place.items() if k != "pc4"}, schema)
