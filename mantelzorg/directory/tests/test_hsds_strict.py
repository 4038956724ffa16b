"""Strict JSON Schema validation of every HSDS endpoint (docs/api/hsds.md): each answer against the
official schema with every object closed, except our extension fields where the profile
(``directory.hsds.extensions.EXTENSIONS``) documents them."""

import copy
import json

import pytest
from django.test import Client

from mantelzorg.directory import taxonomy
from mantelzorg.directory.generator import generate
from mantelzorg.directory.hsds.extensions import EXTENSIONS
from mantelzorg.directory.models import Service, ServiceAtLocation
from mantelzorg.directory.services import hsds_import
from mantelzorg.respite.tests.factories import make_house

from .test_hsds_support import (
    SCHEMAS,
    assert_strict,
    base_schema,
    build_directory,
    count_objects,
    strict_errors,
    strict_page_schema,
)

BASE = "/api/hsds/3.0"
pytestmark = pytest.mark.django_db

# (path, query, schema): a name ending in ``_list.json`` or given as ``page:`` is a Page of it.
CASES = {
    "meta": ("/", {}, "base"),
    "services": ("/services", {"per_page": 100}, "page:compiled/service_list.json"),
    "services minimal": ("/services", {"minimal": "true"}, "page:compiled/service_list.json"),
    "services near": (
        "/services",
        {"postcode": "3511", "proximity": 10000},
        "page:compiled/service_list.json",
    ),
    "services gemeente": ("/services", {"postcode": "3511 AB"}, "page:compiled/service_list.json"),
    "services synchronising": (
        "/services",
        {"modified_after": "2000-01-01T00:00:00Z"},
        "page:compiled/service_list.json",
    ),
    "services full": ("/services", {"full": "true", "per_page": 100}, "page:compiled/service.json"),
    "services full near": (
        "/services",
        {"full": "true", "postcode": "3511", "proximity": 10000},
        "page:compiled/service.json",
    ),
    "service": ("/services/{service}", {}, "compiled/service.json"),
    "service withdrawn": ("/services/{withdrawn}", {}, "compiled/service.json"),
    "service imported": ("/services/{example_service}", {}, "compiled/service.json"),
    "organizations": ("/organizations", {}, "page:compiled/organization_list.json"),
    "organizations full": ("/organizations", {"full": "true"}, "page:compiled/organization.json"),
    "organizations full_service": (
        "/organizations",
        {"full": "true", "full_service": "true"},
        "page:compiled/organization.json",
    ),
    "organization": ("/organizations/{organization}", {}, "compiled/organization.json"),
    "organization imported": ("/organizations/{example_organization}", {}, "compiled/organization.json"),
    "organization full_service": (
        "/organizations/{organization}",
        {"full_service": "true"},
        "compiled/organization.json",
    ),
    "service_at_locations": (
        "/service_at_locations",
        {"per_page": 100},
        "page:compiled/service_at_location_list.json",
    ),
    "service_at_locations near": (
        "/service_at_locations",
        {"postcode": "3511", "proximity": 10000},
        "page:compiled/service_at_location_list.json",
    ),
    "service_at_locations full": (
        "/service_at_locations",
        {"full": "true", "per_page": 100},
        "page:compiled/service_at_location.json",
    ),
    # openapi.json (v3.0) declares this answer as compiled/service.json: an upstream bug.
    "service_at_location": ("/service_at_locations/{sal}", {}, "compiled/service_at_location.json"),
    "service_at_location imported": (
        "/service_at_locations/{example_sal}",
        {},
        "compiled/service_at_location.json",
    ),
    "taxonomies": ("/taxonomies", {}, "page:taxonomy.json"),
    "taxonomy": ("/taxonomies/{taxonomy}", {}, "taxonomy.json"),
    "taxonomy_terms": ("/taxonomy_terms", {"per_page": 100}, "page:taxonomy_term.json"),
    "taxonomy_terms of a taxonomy": (
        "/taxonomy_terms",
        {"taxonomy_id": "{taxonomy}"},
        "page:taxonomy_term.json",
    ),
    "taxonomy_term": ("/taxonomy_terms/{term}", {}, "taxonomy_term.json"),
}


def schema_for(name):
    if name == "base":
        return base_schema()
    if name.startswith("page:"):
        return strict_page_schema(name.removeprefix("page:"))
    return name


@pytest.fixture
def ids():
    """A varied directory: the hand-made one (rich and bare services, drafts, national, withdrawn),
    a generated one, a logeerhuis with beds, and the official example service imported (with the
    official fields we keep but do not model)."""
    data = build_directory()
    generate(services=1, seed=3)
    example = json.loads((SCHEMAS / "examples" / "service_full.json").read_text())
    assert hsds_import(data=example, name="service_full.json").ok
    Service.objects.filter(id=example["id"]).update(
        publication=Service.Publication.PUBLISHED
    )  # imports are drafts
    make_house("Voorbeeld Logeerhuis", units=2)  # respite beds: service_capacity
    withdrawn = data["farther"]
    withdrawn.publication = withdrawn.Publication.WITHDRAWN
    withdrawn.status = "defunct"
    withdrawn.save()
    return {
        "service": data["near"].id,
        "withdrawn": withdrawn.id,
        "organization": data["utrecht"].id,
        "sal": ServiceAtLocation.objects.get(service=data["near"]).id,
        "taxonomy": taxonomy.taxonomy_id(taxonomy.RESPITE_FORMS),
        "term": taxonomy.term_id(taxonomy.RESPITE_FORMS, "day_care"),
        "example_service": example["id"],
        "example_organization": example["organization"]["id"],
        "example_sal": example["service_at_locations"][0]["id"],
    }


def answer(path, query, ids):
    query = {k: str(v).format(**ids) for k, v in query.items()}
    response = Client().get(BASE + path.format(**ids), query)
    assert response.status_code == 200, (path, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize("case", CASES)
def test_every_endpoint_validates_strictly(ids, case):
    path, query, name = CASES[case]
    body = answer(path, query, ids)
    if name.startswith("page:"):
        assert body["contents"], "an empty page proves nothing"
    assert_strict(body, schema_for(name))


def test_extension_fields_are_exercised(ids):
    """Every documented extension of the API's objects occurs in some answer (so the allowance is
    needed), except publication, which only the export carries."""
    seen = set()

    def walk(node):
        if isinstance(node, dict):
            seen.update(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path, query, _name in CASES.values():
        walk(answer(path, query, ids))
    documented = {field for fields in EXTENSIONS.values() for field in fields}
    assert documented - seen == {"publication"}


@pytest.mark.parametrize(
    "place, schema",
    [
        (["services", "contents", 0], "page:compiled/service_list.json"),
        (["service", "service_at_locations", 0, "location", "addresses", 0], "compiled/service.json"),
        (["service", "organization", "phones", 0], "compiled/service.json"),
        (["sal", "location"], "compiled/service_at_location.json"),
        (["term", "taxonomy_detail"], "taxonomy_term.json"),
        (["meta"], "base"),
    ],
)
def test_strict_mode_reports_an_undocumented_field(ids, place, schema):
    """The same answer with one undocumented field added fails, and names the field; the official
    (lenient) schema would accept it."""
    which, *path = place
    case = {
        "services": "services",
        "service": "service",
        "sal": "service_at_location",
        "term": "taxonomy_term",
    }
    body = answer(*CASES[case.get(which, which)][:2], ids)
    assert not strict_errors(body, schema_for(schema))
    spoiled = copy.deepcopy(body)
    target = spoiled
    for step in path:
        target = target[step]
    target["undocumented_field"] = 1
    errors = strict_errors(spoiled, schema_for(schema))
    assert len(errors) == 1 and "'undocumented_field' was unexpected" in errors[0], errors
    assert errors[0].startswith("/".join(str(p) for p in path) or "(top)")


def test_an_extension_on_the_wrong_object_is_refused(ids):
    """An extension is allowed where it is documented only: ``kind`` (organization) on a service fails."""
    body = answer("/services/{service}", {}, ids)
    body["kind"] = "welfare"
    assert strict_errors(body, "compiled/service.json") == [
        "(top): Additional properties are not allowed ('kind' was unexpected)"
    ]


def test_the_official_examples_validate_strictly():
    """The official example documents carry only official fields: strict mode accepts them (a check
    of the strict schemas themselves)."""
    examples = {
        "base.json": base_schema(),
        "service_full.json": "compiled/service.json",
        "organization_full.json": "compiled/organization.json",
        "service_at_location_full.json": "compiled/service_at_location.json",
        "taxonomy.json": "taxonomy.json",
        "taxonomy_term.json": "taxonomy_term.json",
    }
    checked = 0
    for example, name in examples.items():
        document = json.loads((SCHEMAS / "examples" / example).read_text())
        assert not strict_errors(document, name), example
        checked += count_objects(document)
    assert checked > 50
