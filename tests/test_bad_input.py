"""Never a 500 on bad input (quality bar: "Bad input gets ... a 4xx with a machine-readable body"):
every case found by hand or by schemathesis (scripts/fuzz_api.py) stays here as a regression test.

API: a 4xx with the one error body (``api.errors``); pages: a translated page or form error."""

from __future__ import annotations

import json
import uuid

import pytest
import yaml

from mantelzorg.assessment import demo

from .test_api_responses import OPENAPI

pytestmark = pytest.mark.django_db

HSDS = "/api/hsds/3.0"
HSDS_LISTS = ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]
DATED_LISTS = ["services", "service_at_locations"]  # the lists with modified_after
HUGE = str(2**64)


def assert_errors(response, status=400, field=None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"errors"} and body["errors"], body
    for item in body["errors"]:
        assert {"field", "code", "message"} <= set(item)
    if field is not None:
        assert body["errors"][0]["field"] == field
    return body["errors"]


# --- paging ----------------------------------------------------------------------------------


@pytest.mark.parametrize("plural", HSDS_LISTS)
@pytest.mark.parametrize("name", ["page", "per_page"])
@pytest.mark.parametrize(
    "value", [HUGE, "-" + HUGE, "9" * 5000, "0", "-1", "1e3", "1_000", "٣", "1.0", "%00"]
)
def test_page_and_per_page_out_of_range_are_a_400_naming_the_parameter(client, plural, name, value):
    """page=2**64 was a 500 (OverflowError in the OFFSET); 0 and negatives were already 400."""
    assert_errors(client.get(f"{HSDS}/{plural}", {name: value}), field=name)


@pytest.mark.parametrize("plural", HSDS_LISTS)
def test_per_page_above_the_declared_maximum_is_refused_not_cut(client, plural):
    assert_errors(client.get(f"{HSDS}/{plural}", {"per_page": 101}), field="per_page")
    assert client.get(f"{HSDS}/{plural}", {"per_page": 100, "page": 1_000_000}).status_code == 200


def test_the_schema_declares_the_bounds_it_enforces():
    for plural in HSDS_LISTS:
        params = {p["name"]: p["schema"] for p in OPENAPI["paths"][f"{HSDS}/{plural}"]["get"]["parameters"]}
        assert params["page"] == {"type": "integer", "minimum": 1, "maximum": 1_000_000}
        assert params["per_page"] == {"type": "integer", "minimum": 1, "maximum": 100}


def test_proximity_beyond_any_integer_is_a_400(client):
    response = client.get(f"{HSDS}/services", {"postcode": "1012", "proximity": HUGE})
    assert_errors(response, field="proximity")


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("plural", DATED_LISTS)
@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+23:59",  # before year 1 in UTC: OverflowError, was a 500
        "9999-12-31T23:59:59-23:59",  # after year 9999 in UTC
        "0001-01-01",
        "9999-12-31T23:59:59.999999+00:00",
    ],
)
def test_modified_after_at_the_edges_of_time_never_overflows(client, plural, value):
    response = client.get(f"{HSDS}/{plural}", {"modified_after": value})
    if "+23:59" in value or "-23:59" in value:
        assert_errors(response, field="modified_after")
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("plural", DATED_LISTS)
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "\x00", "2026-01-01T25:00"])
def test_malformed_modified_after_is_a_400(client, plural, value):
    assert_errors(client.get(f"{HSDS}/{plural}", {"modified_after": value}), field="modified_after")


# --- JSON bodies -----------------------------------------------------------------------------


def _deep(depth: int, kind: str) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [1025, 5000, 100_000])
@pytest.mark.parametrize("kind", ["array", "object"])
@pytest.mark.parametrize("content_type", ["application/json", "application/fhir+json"])
def test_json_nested_at_any_depth_is_a_400(client, depth, kind, content_type):
    """1,025 levels was a 500 (RecursionError in the standard library's parser)."""
    response = client.post("/api/v1/checks/", _deep(depth, kind), content_type=content_type)
    assert assert_errors(response)[0]["code"] == "invalid_json"


def test_json_nested_deep_with_a_long_integer_is_a_400(client):
    """A 19-digit integer sends the body to the standard library's parser: the same 400."""
    body = "[" * 5000 + "1234567890123456789" + "]" * 5000
    assert assert_errors(client.post("/api/v1/checks/", body, content_type="application/json"))


@pytest.mark.parametrize(
    "body",
    [
        [],
        [{"answers": {}}],
        "text",
        None,
        {"answers": []},
        {"answers": {"overall_burden": [1]}},
        {"answers": {"overall_burden": {"a": 1}}},
        {"answers": {"overall_burden": 10**400}},
        {"answers": {"about.age_group": "\x00"}},
        {"instrument": ["balanscheck"], "answers": {}},
        {"postcode": ["1012"], "answers": {}},
        {"postcode": "\x00", "answers": {}},
        {"answers": {"\x00": 1}},
    ],
)
def test_a_json_body_of_the_wrong_shape_is_a_400(client, body):
    raw = json.dumps(body) if not (isinstance(body, dict) and "10**400" in str(body)) else None
    if raw is None:
        raw = '{"answers": {"overall_burden": 1' + "0" * 400 + "}}"
    assert_errors(client.post("/api/v1/checks/", raw, content_type="application/json"))


FHIR_QR = {
    "resourceType": "QuestionnaireResponse",
    "questionnaire": "https://mantelzorg.nl/fhir/Questionnaire/balanscheck",
}


@pytest.mark.parametrize(
    "items",
    [
        5,
        "text",
        {"linkId": "overall_burden"},
        [1, None, "x", []],
        [{"linkId": []}],  # was a 500: a list as linkId went into a set
        [{"linkId": {"a": 1}}],
        [{"linkId": "overall_burden", "answer": {"valueInteger": 3}}],
        [{"linkId": "overall_burden", "answer": [1]}],
        [{"linkId": "overall_burden", "answer": "x"}],
        [{"linkId": "overall_burden", "answer": [{"valueInteger": 10**30}]}],
        [{"linkId": "about", "item": 5}],
        [{"linkId": "about", "item": [{"linkId": None}]}],
    ],
)
def test_a_fhir_questionnaire_response_of_the_wrong_shape_is_a_400(client, items):
    body = json.dumps({**FHIR_QR, "item": items})
    assert_errors(client.post("/api/v1/checks/", body, content_type="application/fhir+json"))


@pytest.mark.parametrize("raw", [b"\xff\xfe{}", b'{"answers": "\xff"}', b"\x00", b"", b"{"])
def test_bytes_that_are_not_json_are_a_400(client, raw):
    assert_errors(client.post("/api/v1/checks/", raw, content_type="application/json"))


# --- character sets of request bodies --------------------------------------------------------

FORMS = [
    "/account/inloggen/",
    "/account/aanmelden/",
    "/account/wachtwoord-vergeten/",
    "/balanscheck/stap/1/",
    "/balanscheck/stap/2/",
]


@pytest.mark.parametrize("url", FORMS)
@pytest.mark.parametrize("charset", ["utf-7", "iso-8859-1", "bogus", "UTF-16"])
def test_a_form_in_another_character_set_gets_a_translated_page_not_a_500(client, url, charset):
    # generic(): client.post would encode the body in that charset itself (and fail on "bogus")
    response = client.generic(
        "POST", url, b"email=a%E9%00b&password=x", f"application/x-www-form-urlencoded; charset={charset}"
    )
    assert response.status_code == 415
    assert response["Content-Type"].startswith("text/html")
    assert "Het formulier kon niet worden gelezen" in response.content.decode()


@pytest.mark.parametrize("url", FORMS[:4])  # the forms a new visitor can open
@pytest.mark.parametrize("charset", ["utf-7", "iso-8859-1"])
def test_with_a_valid_csrf_token_too(url, charset):
    """The 500 of the issue: with a valid CSRF token Django's CSRF check reads the body and raises
    (under gunicorn a bare 500 page); the middleware answers before that."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.get(url).status_code == 200
    token = client.cookies["csrftoken"].value
    body = f"csrfmiddlewaretoken={token}&email=a%E9&password=x".encode()
    response = client.generic("POST", url, body, f"application/x-www-form-urlencoded; charset={charset}")
    assert response.status_code == 415
    assert "Het formulier kon niet worden gelezen" in response.content.decode()


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"'])
def test_a_form_in_utf8_is_read_as_before(client, charset):
    response = client.post(
        "/account/inloggen/",
        b"email=a%40example.org&password=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 200  # the login form again, with its error
    assert "mz-error-summary" in response.content.decode()


@pytest.mark.parametrize("charset", ["utf-7", "iso-8859-1", "bogus"])
@pytest.mark.parametrize("content_type", ["application/json", "application/fhir+json"])
def test_an_api_body_in_another_character_set_is_a_415_with_the_error_body(client, charset, content_type):
    body = json.dumps({"answers": demo.balanced()}).encode()
    response = client.generic("POST", "/api/v1/checks/", body, f"{content_type}; charset={charset}")
    assert assert_errors(response, 415)[0]["code"] == "unsupported_charset"


@pytest.mark.parametrize("url", ["/account/inloggen/", "/account/aanmelden/", "/balanscheck/stap/1/"])
def test_nul_and_invalid_utf8_in_form_fields_are_form_errors(client, url):
    response = client.post(
        url, b"email=%00%FF%FE&password=%00&postcode=%00%FF", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (200, 302), response.status_code  # the form again with its errors


def test_a_body_too_large_to_read_is_a_400_with_the_error_body(client, settings):
    """Over DATA_UPLOAD_MAX_MEMORY_SIZE: was Django's bare English HTML 400 under /api/ too."""
    body = json.dumps(
        {"answers": demo.balanced(), "postcode": "1" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    assert assert_errors(client.post("/api/v1/checks/", body, content_type="application/json"))[0][
        "code"
    ] == ("bad_request")


def test_a_form_too_large_to_read_gets_a_translated_page(client, settings):
    body = "email=" + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/account/inloggen/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Het formulier kon niet worden gelezen" in response.content.decode()


# --- every 404 under /api/ is the error body -------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/fhir/Questionnaire/%C3%84",
        "/api/v1/checks/null%2Cnull/fhir",
        "/api/v1/checks/%00/fhir",
        "/api/v1/postcodes/%2F/",
        "/api/v1/nothing-here",
        "/api/hsds/3.0/services/%FF",
        "/api/hsds/3.0/nope",
        "/api/",
    ],
)
def test_every_404_under_api_is_the_json_error_body(client, path):
    assert assert_errors(client.get(path), 404)[0]["code"] == "not_found"


def test_a_404_page_outside_the_api_stays_html(client):
    response = client.get("/bestaat-niet/%C3%84")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


# --- query strings: NUL, invalid UTF-8, very long values -------------------------------------


@pytest.mark.parametrize("plural", HSDS_LISTS)
@pytest.mark.parametrize(
    "value", ["\x00", "%FF", "a\x00b", "x" * 10_000, "\ud800".encode("utf-8", "surrogatepass")]
)
def test_search_with_nul_invalid_utf8_or_a_long_value_is_answered(client, plural, value):
    response = client.get(f"{HSDS}/{plural}", {"search": value})
    assert response.status_code == 200
    assert response.json()["total_items"] >= 0


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("taxonomy_term_id", "\x00"),
        ("organization_id", "%FF"),
        ("postcode", "\x00"),
        ("proximity", "\x00"),
        ("full", "\x00"),
        ("format", "\x00"),
    ],
)
def test_other_parameters_with_nul_are_a_400(client, param, value):
    assert_errors(client.get(f"{HSDS}/services", {param: value}), field=param)


# --- found by schemathesis (scripts/fuzz_api.py) ---------------------------------------------


@pytest.mark.parametrize("path", ["/api/fhir/Questionnaire", "/api/fhir/Questionnaire/balanscheck"])
@pytest.mark.parametrize("value", ["AAA", "", "json"])
def test_format_is_no_parameter_of_the_fhir_api(client, path, value):
    """?format=AAA was a 404 the schema did not declare, ?format= accepted against its enum: the
    answer's type follows Accept only (URL_FORMAT_OVERRIDE off), and the schema has no format."""
    assert client.get(path, {"format": value}).status_code == 200
    for declared_path, item in OPENAPI["paths"].items():
        if declared_path.startswith("/api/fhir/"):
            assert "format" not in {p["name"] for p in item["get"].get("parameters", [])}


@pytest.mark.parametrize("plural", DATED_LISTS)
def test_proximity_without_a_postcode_is_ignored_not_refused(client, plural):
    """The schema cannot say "proximity needs postcode": without one it has nothing to measure from."""
    assert client.get(f"{HSDS}/{plural}", {"proximity": 1000}).status_code == 200
    # an empty postcode is no postcode of the declared pattern: a 400, as every malformed one
    assert_errors(client.get(f"{HSDS}/{plural}", {"proximity": 1000, "postcode": ""}), field="postcode")


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("taxonomy_id", ""),  # the empty string is no UUID (was taken as "no filter")
        ("taxonomy_id", "{12345678-1234-5678-1234-567812345678}"),  # uuid.UUID() takes these forms
        ("taxonomy_id", "12345678123456781234567812345678"),
        ("modified_after", ""),
        ("full", ""),
        ("full", "1"),
        ("full", "yes"),
        ("page", ""),
        ("page", " 1"),
        ("page", "+1"),
        ("format", ""),
        ("format", "JSON"),
    ],
)
def test_a_value_not_of_the_declared_form_is_a_400(client, param, value):
    assert_errors(client.get(f"{HSDS}/services", {param: value}), field=param)


@pytest.mark.parametrize("value", ["", "12", "\x00", "1000"])
def test_the_declared_postcode_query_of_checks_create_is_checked_for_every_body(client, value):
    """?postcode= with our JSON body was accepted (and ignored) against its declared pattern."""
    body = json.dumps({"answers": demo.balanced()})
    response = client.post(f"/api/v1/checks/?postcode={value}", body, content_type="application/json")
    assert_errors(response, field="postcode")


# --- the API contract ------------------------------------------------------------------------


def test_the_committed_example_of_checks_create_is_accepted(client):
    """The example in docs/api/openapi.yaml was itself refused with 400 (answers missing)."""
    operation = OPENAPI["paths"]["/api/v1/checks/"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["examples"]["Balanscheck"]["value"]
    response = client.post("/api/v1/checks/", json.dumps(example), content_type="application/json")
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("status", [200, 400])
def test_health_scores_are_never_stored_by_a_cache(client, status):
    answers = demo.balanced() if status == 200 else {"overall_burden": 99}
    response = client.post(
        "/api/v1/checks/", json.dumps({"answers": answers}), content_type="application/json"
    )
    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]


def test_a_saved_check_as_fhir_is_never_stored_by_a_cache(client, cast):
    from conftest import login
    from mantelzorg.assessment.tests import factories

    check = factories.SavedCheckFactory(owner=cast.caregiver, answers=factories.overloaded())
    login(client, cast.caregiver)
    response = client.get(f"/api/v1/checks/{check.id}/fhir")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_committed_schema_is_yaml_we_can_read():
    assert yaml.safe_dump(OPENAPI)  # the module above parsed it; the fuzz script reads the same file


# --- pages: query strings with NUL, invalid UTF-8, huge numbers, long values -----------------


@pytest.mark.parametrize(
    "url",
    [
        "/sociale-kaart/?q=%00",
        "/sociale-kaart/?q=a%00b&postcode=1012",
        "/sociale-kaart/?postcode=%00",
        "/sociale-kaart/?postcode=%FF%FE",
        "/sociale-kaart/?pagina=18446744073709551616",
        "/sociale-kaart/?pagina=-18446744073709551616",
        "/sociale-kaart/?radius=18446744073709551616&postcode=1012",
        "/sociale-kaart/?q=" + "x" * 5000,
        "/sociale-kaart/aanbod/00000000-0000-4000-8000-000000000000/?terug=%00",
        "/steunpunten/?q=%00",
        "/steunpunten/?q=%FF",
        "/gemeenten/%00/respijtzorg/",
        "/gemeenten/GM0363%00/respijtzorg.pdf",
        "/account/inloggen/?next=%00",
        "/taal/en/?next=%00",
        "/balanscheck/vragenlijst/%00/",
        "/balanscheck/link/%00/",
    ],
)
def test_pages_answer_bad_query_strings_without_a_500(client, url):
    """On PostgreSQL /steunpunten/?q=%00 and /gemeenten/%00/respijtzorg/ were a 500 (NUL in a query)."""
    response = client.get(url)
    assert response.status_code < 500, response.status_code


@pytest.mark.parametrize(
    "path", ["/gemeenten/%00/respijtzorg/", "/sociale-kaart/aanbod/%00/", "/api/v1/postcodes/%00/", "/%00"]
)
def test_nul_in_the_path_is_a_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert_errors(response, 404)
    else:
        assert "Pagina niet gevonden" in response.content.decode()


# --- the Balanscheck steps: every field of every step with hand-made bad values ----------------

BAD_FORM_VALUES = ["", "\x00", "\xff", "x" * 20_000, str(2**64), "-" + str(2**64), "1e400", "NaN", "-0", "٣"]


@pytest.mark.parametrize("bad", BAD_FORM_VALUES, ids=lambda v: repr(v[:12]))
def test_every_balanscheck_field_with_a_bad_value_is_a_form_answer_not_a_500(client, bad):
    """Each step in turn (the steps before it filled in correctly): every field of that step gets
    the bad value, and twice (a list where one value is expected); the answer is the step again
    with its errors or the next step, never a 500, and the result page still renders."""
    from mantelzorg.assessment import engine
    from mantelzorg.assessment.forms import STEPS
    from mantelzorg.assessment.tests.factories import form_data

    instrument = engine.load_all_builtin()["balanscheck"]
    answers = demo.overloaded()
    for index in range(len(STEPS)):
        good = form_data(instrument, index, answers, postcode="1012")
        for repeat in (1, 2):
            data = {key: [bad] * repeat for key in good if key != "direction"}
            response = client.post(f"/balanscheck/stap/{index + 1}/", {**data, "direction": "next"})
            assert response.status_code in (200, 302), (index, repeat, response.status_code)
        assert client.post(f"/balanscheck/stap/{index + 1}/", good).status_code == 302
    assert client.get("/balanscheck/uitslag/").status_code == 200


# --- the other main forms: every field the page shows, with the same bad values ---------------

MAIN_FORMS = [  # (where the form is sent, the page that shows it, who)
    ("/account/inloggen/", None, None),
    ("/account/aanmelden/", None, None),
    ("/account/wachtwoord-vergeten/", None, None),
    ("/account/mijn-gegevens/verwijderen/", None, "caregiver"),
    ("/balanscheck/mijn/herinnering/", "/balanscheck/mijn/", "caregiver"),
    ("/sociale-kaart/beheer/aanbod/nieuw/", None, "editor"),
    ("/gemeenten/GM0363/respijtzorg/bewerken/", None, "staff"),
    ("/balanscheck/gemeente/GM0363/drempels/", None, "staff"),
]


@pytest.mark.parametrize(("url", "shown_at", "who"), MAIN_FORMS)
def test_every_field_of_the_main_forms_with_bad_values_is_a_form_answer_not_a_500(
    client, cast, url, shown_at, who
):
    import re

    from conftest import login
    from mantelzorg.directory.tests.factories import make_org

    # the editor's own organization, as in the directory's access tests
    make_org(
        "Voorbeeld Steunpunt Amsterdam", municipalities=["GM0363"], account_organisation=cast.organisation
    )
    login(client, getattr(cast, who) if who else None)
    page = client.get(shown_at or url)
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    names = sorted(set(re.findall(r'name="([^"]+)"', html)) - {"csrfmiddlewaretoken", "idempotency_key"})
    assert names, "the page shows no form fields"
    statuses = set()
    for bad in BAD_FORM_VALUES:
        for repeat in (1, 2):
            data = {name: [bad] * repeat for name in names}
            data["idempotency_key"] = str(uuid.uuid4())  # a fresh valid key: the form itself is reached
            response = client.post(url, data)
            assert response.status_code < 500, (bad[:12], repeat, response.status_code)
            statuses.add(response.status_code)
    assert statuses <= {200, 302, 400}, statuses
