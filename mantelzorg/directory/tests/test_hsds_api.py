"""The HSDS 3.0 API: every endpoint validates against the official HSDS schemas
(vendored in mantelzorg/directory/standards/hsds-3.0)."""

import json
import urllib.parse

import pytest
import yaml
from django.test import Client
from drf_spectacular.validation import validate_schema

from mantelzorg.directory import taxonomy
from mantelzorg.directory.generator import generate

from .test_hsds_support import assert_page, assert_valid, build_directory, ensure_taxonomies, make_many

BASE = "/api/hsds/3.0"
pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return build_directory()


@pytest.fixture
def api():
    return Client()


def ids(body):
    return [item["id"] for item in body["contents"]]


def test_meta_names_version_profile_and_openapi(api):
    body = api.get(f"{BASE}/").json()
    assert body["version"] == "3.0"
    assert body["profile"].endswith("/api/hsds/3.0/profile/")
    assert body["openapi_url"].startswith("http")
    assert body["publisher"]["name"]
    profile = api.get(f"{BASE}/profile/").json()
    codes = [t["code"] for t in profile["taxonomies"]]
    assert taxonomy.SUPPORT_DOMAINS in codes
    assert len(profile["taxonomies"][0]["terms"]) == 8
    assert "cost_kind" in profile["extensions"]["service"]


def test_openapi_url_answers_the_openapi_document_in_json(api):
    """HSDS base object: openapi_url is "URL of the openapi JSON file which defines this API"."""
    url = api.get(f"{BASE}/").json()["openapi_url"]
    assert url == "http://testserver/api/v1/schema.json"
    response = api.get(urllib.parse.urlsplit(url).path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    validate_schema(document)  # the OpenAPI 3 JSON Schema (drf-spectacular's, as `make openapi`)
    assert document["openapi"].startswith("3.")
    assert {f"{BASE}/", f"{BASE}/services", f"{BASE}/services/{{id}}"} <= set(document["paths"])
    # The same document as the YAML rendering at /api/v1/schema/ and docs/api/openapi.yaml.
    assert document == yaml.safe_load(api.get("/api/v1/schema/").content)


def test_service_list_is_a_page_of_published_service_list_items(api, data):
    body = api.get(f"{BASE}/services").json()
    assert_page(body, "compiled/service_list.json")
    assert str(data["near"].id) in ids(body)
    assert str(data["draft"].id) not in ids(body)
    assert body["total_items"] == 6 and body["first_page"] and body["last_page"]
    item = next(i for i in body["contents"] if i["id"] == str(data["near"].id))
    assert item["organization"]["name"] == "Steunpunt Mantelzorg Utrecht"
    assert "phones" not in item and "publication" not in item


def test_full_list_items_are_compiled_services(api, data):
    body = api.get(f"{BASE}/services", {"full": "true", "per_page": 3}).json()
    assert_page(body, "compiled/service.json")
    assert body["size"] == 3 and body["total_pages"] == 2
    assert all("service_at_locations" in item for item in body["contents"])


def test_service_detail_is_fully_nested_with_located_service_at_locations(api, data):
    body = api.get(f"{BASE}/services/{data['near'].id}").json()
    assert_valid(body, "compiled/service.json")
    (sal,) = body["service_at_locations"]
    assert sal["location"]["latitude"] and sal["location"]["addresses"][0]["postal_code"] == "3511 AB"
    assert sal["location"]["accessibility"][0]["description"] == "Rolstoeltoegankelijk."
    assert {s.get("freq") for s in body["schedules"]} == {None, "WEEKLY"}
    assert {s.get("rrule_freq") for s in body["schedules"]} == {"DAILY", None}
    assert body["schedules"][0]["opens_at"].endswith("+01:00")
    assert {a["taxonomy_term"]["code"] for a in body["attributes"]} == {"emotional_support", "day_care"}
    assert body["cost_options"][0]["amount"] == 12.5
    assert body["organization"]["municipalities"] == ["GM0344"]


@pytest.mark.parametrize("which", ["draft", "unknown", "malformed"])
def test_hidden_or_unknown_service_is_a_json_404(api, data, which):
    target = {
        "draft": str(data["draft"].id),
        "unknown": "00000000-0000-4000-8000-000000000000",
        "malformed": "not-a-uuid",
    }[which]
    response = api.get(f"{BASE}/services/{target}")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_empty_page_and_page_beyond_the_last_validate(api, data):
    empty = api.get(f"{BASE}/services", {"search": "zzzqqqxxx"}).json()
    assert_page(empty, "compiled/service_list.json")
    assert empty["empty"] and empty["total_items"] == 0 and empty["contents"] == []
    beyond = api.get(f"{BASE}/services", {"page": 9, "per_page": 2}).json()
    assert_page(beyond, "compiled/service_list.json")
    assert beyond["empty"] and beyond["page_number"] == 9 and beyond["total_items"] == 6
    assert beyond["last_page"] and not beyond["first_page"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "many"}, "per_page"),
        ({"page": "-1"}, "page"),
        ({"postcode": "35"}, "postcode"),
        ({"postcode": "A511"}, "postcode"),
        ({"postcode": "1000"}, "postcode"),
        ({"proximity": "far"}, "proximity"),
        ({"postcode": "3511", "proximity": "far"}, "proximity"),
        ({"postcode": "3511", "proximity": "0"}, "proximity"),
        ({"taxonomy_term_id": "x"}, "taxonomy_term_id"),
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"full": "perhaps"}, "full"),
        ({"format": "ndjson"}, "format"),
    ],
)
def test_bad_parameters_give_400_with_machine_readable_errors(api, data, params, field):
    response = api.get(f"{BASE}/services", params)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == field and error["code"] and error["message"]


def test_malformed_postcode_says_malformed(api):
    error = api.get(f"{BASE}/services", {"postcode": "12345"}).json()["errors"][0]
    assert error == {"field": "postcode", "code": "malformed", "message": error["message"]}


def test_per_page_above_the_maximum_is_a_400_not_cut(api, data):
    """The schema declares maximum 100; a larger per_page is refused, not silently cut."""
    error = api.get(f"{BASE}/services", {"per_page": 5000}).json()["errors"][0]
    assert error["field"] == "per_page" and error["code"] == "invalid"
    body = api.get(f"{BASE}/services", {"per_page": 100}).json()
    assert body["size"] == 6 and body["total_pages"] == 1


def test_postcode_and_proximity_give_nearest_first(api, data):
    body = api.get(f"{BASE}/services", {"postcode": "3511", "proximity": 10000}).json()
    assert_page(body, "compiled/service_list.json")
    found = ids(body)
    # the location-less service serving Utrecht comes first, then by distance
    assert found == [str(data["areal"].id), str(data["near"].id), str(data["farther"].id)]
    distances = [i["distance"] for i in body["contents"][1:]]
    assert distances == sorted(distances) and distances[-1] <= 10000
    assert "distance" not in body["contents"][0]
    assert str(data["far"].id) not in found and str(data["inactive"].id) not in found


def test_postcode_without_proximity_gives_its_gemeente_and_national_services(api, data):
    found = ids(api.get(f"{BASE}/services", {"postcode": "3511 AB"}).json())
    assert set(found) == {str(data[k].id) for k in ("areal", "near", "farther", "national")}


def test_filters_by_term_taxonomy_organization_and_modified_after(api, data):
    day_care = taxonomy.term_id(taxonomy.RESPITE_FORMS, "day_care")
    assert ids(api.get(f"{BASE}/services", {"taxonomy_term_id": day_care}).json()) == [str(data["near"].id)]
    respite = taxonomy.taxonomy_id(taxonomy.RESPITE_FORMS)
    assert ids(api.get(f"{BASE}/services", {"taxonomy_id": respite}).json()) == [str(data["near"].id)]
    by_org = ids(api.get(f"{BASE}/services", {"organization_id": data["amsterdam"].id}).json())
    assert set(by_org) == {str(data["far"].id), str(data["national"].id)}
    assert api.get(f"{BASE}/services", {"modified_after": "2999-01-01"}).json()["total_items"] == 0
    assert api.get(f"{BASE}/services", {"modified_after": "2000-01-01T00:00:00Z"}).json()["total_items"] == 6
    near = api.get(f"{BASE}/services", {"postcode": "3511", "proximity": 10000, "taxonomy_term_id": day_care})
    assert ids(near.json()) == [str(data["near"].id)]


def test_search_uses_dutch_stemming(api, data):
    assert str(data["near"].id) in ids(api.get(f"{BASE}/services", {"search": "ONTMOETINGSCENTRUM"}).json())


def test_taxonomies_and_terms_validate(api, data):
    body = api.get(f"{BASE}/taxonomies").json()
    assert_page(body, "taxonomy.json")
    assert body["total_items"] == 4
    one = api.get(f"{BASE}/taxonomies/{taxonomy.taxonomy_id(taxonomy.CARE_LADDER)}").json()
    assert_valid(one, "taxonomy.json")
    terms = api.get(
        f"{BASE}/taxonomy_terms", {"taxonomy_id": taxonomy.taxonomy_id(taxonomy.CARE_LADDER)}
    ).json()
    assert_page(terms, "taxonomy_term.json")
    assert terms["total_items"] == 5
    top = api.get(f"{BASE}/taxonomy_terms", {"top_only": "true", "per_page": 100}).json()
    assert top["total_items"] == 24
    term = api.get(f"{BASE}/taxonomy_terms/{taxonomy.term_id(taxonomy.RESPITE_FORMS, 'holiday')}").json()
    assert_valid(term, "taxonomy_term.json")
    assert term["taxonomy_detail"]["name"] == "Vormen van respijtzorg"
    assert (
        api.get(f"{BASE}/taxonomies/{taxonomy.term_id(taxonomy.RESPITE_FORMS, 'holiday')}").status_code == 404
    )
    assert api.get(f"{BASE}/taxonomy_terms/nope").status_code == 404


def test_organizations_validate_and_hide_those_without_published_services(api, data):
    body = api.get(f"{BASE}/organizations").json()
    assert_page(body, "compiled/organization_list.json")
    assert {i["name"] for i in body["contents"]} == {"Steunpunt Mantelzorg Utrecht", "Steunpunt Amsterdam"}
    full = api.get(f"{BASE}/organizations", {"full": "true", "full_service": "true"}).json()
    assert_page(full, "compiled/organization.json")
    detail = api.get(f"{BASE}/organizations/{data['utrecht'].id}").json()
    assert_valid(detail, "compiled/organization.json")
    assert {s["name"] for s in detail["services"]} >= {"Ontmoetingscentrum Utrecht"}
    assert any(loc["name"] == "Magazijn" for loc in detail["locations"])
    assert api.get(f"{BASE}/organizations/{data['hidden'].id}").status_code == 404
    assert api.get(f"{BASE}/organizations/{data['near'].id}").status_code == 404


def test_service_at_locations_validate(api, data):
    body = api.get(f"{BASE}/service_at_locations").json()
    assert_page(body, "compiled/service_at_location_list.json")
    assert body["total_items"] == 4  # near, farther, far, inactive (not the draft)
    full = api.get(f"{BASE}/service_at_locations", {"full": "true"}).json()
    assert_page(full, "compiled/service_at_location.json")
    near = api.get(f"{BASE}/service_at_locations", {"postcode": "3511", "proximity": 3000}).json()
    assert_page(near, "compiled/service_at_location_list.json")
    assert [i["service"]["id"] for i in near["contents"]] == [str(data["near"].id), str(data["inactive"].id)]
    sal = data["near"].service_at_locations.get()
    detail = api.get(f"{BASE}/service_at_locations/{sal.id}").json()
    assert_valid(detail, "compiled/service_at_location.json")
    assert detail["schedules"][0]["freq"] == "MONTHLY" and detail["schedules"][0]["byday"] == "-1FR"
    draft_sal = data["draft"].service_at_locations.get()
    assert api.get(f"{BASE}/service_at_locations/{draft_sal.id}").status_code == 404


def test_api_is_anonymous_and_read_only(api, data):
    assert api.post(f"{BASE}/services", {}).status_code == 405
    assert api.delete(f"{BASE}/services/{data['near'].id}").status_code == 405


@pytest.mark.parametrize("count", [1, 10, 100])
@pytest.mark.parametrize(
    "params, budget",
    [  # + 1 query: the directory's content version (key of the public-response cache)
        # + 1 query: the page's respite beds (service_capacity; 2 more when it has any:
        # directory/tests/test_hsds_capacity.py)
        ({}, 4),
        ({"full": "true", "per_page": 100}, 42),
        ({"postcode": "3511", "proximity": 10000}, 5),
        ({"postcode": "3511", "proximity": 10000, "full": "true", "per_page": 100}, 42),
    ],
)
def test_list_query_count_does_not_grow(api, django_assert_max_num_queries, count, params, budget):
    make_many(count)
    with django_assert_max_num_queries(budget):
        body = api.get(f"{BASE}/services", params).json()
    assert body["total_items"] == count


@pytest.mark.parametrize("count", [1, 10, 100])
@pytest.mark.parametrize(
    "path",
    [
        "organizations",
        "service_at_locations",
        "taxonomy_terms",
        "organizations?full=true",
        "service_at_locations?full=true",
    ],
)
def test_other_lists_query_count_does_not_grow(api, django_assert_max_num_queries, count, path):
    make_many(count)
    with django_assert_max_num_queries(25):
        assert api.get(f"{BASE}/{path}").status_code == 200


def test_generated_directory_validates(api):
    ensure_taxonomies()
    generate(services=1, seed=3)
    body = api.get(f"{BASE}/services", {"postcode": "3511", "proximity": 10000, "full": "true"}).json()
    assert body["total_items"] > 0
    assert_page(body, "compiled/service.json")
    assert_page(api.get(f"{BASE}/services", {"per_page": 100}).json(), "compiled/service_list.json")
    assert_page(
        api.get(f"{BASE}/organizations", {"per_page": 20, "full": "true"}).json(),
        "compiled/organization.json",
    )
