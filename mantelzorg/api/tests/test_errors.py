"""Every error under /api/ is JSON in the one body of ``api.errors``, whoever raised it."""

import pytest
from django.test import Client

from mantelzorg.api import errors, pagination


def _is_error_body(response, status, code=None):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"errors"} and body["errors"], body
    for item in body["errors"]:
        assert {"field", "code", "message"} <= set(item) and item["message"]
    if code:
        assert body["errors"][0]["code"] == code
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/v1/no-such-thing/", "/api/no-such-thing/", "/api/v1/checks/00000000-0000-0000-0000-000000000000/"],
)
def test_a_missing_address_under_api_is_a_json_404(client, url):
    _is_error_body(client.get(url), 404)


@pytest.mark.django_db
def test_a_missing_address_outside_api_stays_an_html_page(client):
    response = client.get("/geen-pagina/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_plain_django_view_refusing_a_method_answers_json_405_with_allow(client):
    response = client.post("/api/v1/docs/")
    _is_error_body(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


@pytest.mark.django_db
def test_a_drf_view_refusing_a_method_answers_the_same_body(client):
    response = client.delete("/api/v1/municipalities/")
    _is_error_body(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


@pytest.mark.django_db
def test_a_crash_under_api_is_a_json_500_without_the_trace(settings):
    settings.ROOT_URLCONF = "mantelzorg.core.tests.urls_error"
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/api/_test/fout/")
    body = _is_error_body(response, 500, "server_error")
    assert "deliberate" not in str(body) and "Traceback" not in response.content.decode()


def test_bad_request_carries_field_and_code():
    exc = errors.BadRequest("page", "invalid", "page must be a whole number.")
    response = errors.exception_handler(exc, {})
    assert response.status_code == 400
    assert response.data == {
        "errors": [{"field": "page", "code": "invalid", "message": "page must be a whole number."}]
    }


class _Request:
    def __init__(self, **query):
        self.query_params = query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, (1, 50)),
        ({"page": "3"}, (3, 50)),
        ({"per_page": "10"}, (1, 10)),
        ({"per_page": "200"}, (1, 200)),
        ({"page": "1000000"}, (1_000_000, 50)),
    ],
)
def test_paging_parameters(query, expected):
    assert pagination.params(_Request(**query)) == expected


@pytest.mark.parametrize(
    "query",
    [
        {"page": "0"},
        {"page": "x"},
        {"per_page": "-1"},
        {"page": "1.5"},
        {"per_page": "201"},  # above the maximum: refused, not cut
        {"page": "1000001"},
        {"page": str(2**64)},
        {"page": "1_0"},
    ],
)
def test_bad_paging_parameters_are_a_400_naming_the_parameter(query):
    with pytest.raises(errors.BadRequest) as raised:
        pagination.params(_Request(**query))
    assert raised.value.field == next(iter(query))


@pytest.mark.parametrize(
    ("total", "number", "size", "expected"),
    [
        (0, 1, 10, {"total_pages": 0, "first_page": True, "last_page": True, "empty": True}),
        (25, 1, 10, {"total_pages": 3, "first_page": True, "last_page": False, "empty": False}),
        (25, 3, 10, {"total_pages": 3, "first_page": False, "last_page": True, "empty": False}),
        (25, 4, 10, {"total_pages": 3, "first_page": False, "last_page": True, "empty": True}),
    ],
)
def test_page_shape(total, number, size, expected):
    contents = list(range(min(size, max(0, total - (number - 1) * size))))
    result = pagination.page(total, number, size, contents)
    assert {key: result[key] for key in expected} == expected
    assert (
        result["total_items"] == total and result["size"] == len(contents) and result["page_number"] == number
    )
