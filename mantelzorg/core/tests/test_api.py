from pathlib import Path

import pytest
import yaml
from django.conf import settings


def test_postcode_lookup(client, db):
    response = client.get("/api/v1/postcodes/5211 ab/")
    assert response.status_code == 200
    body = response.json()
    assert body["pc4"] == "5211" and body["postcode"] == "5211 AB"
    assert body["municipality"]["code"] == "GM0796"


def test_malformed_postcode_is_a_400_with_a_machine_readable_body(client, db):
    response = client.get("/api/v1/postcodes/abcd/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "malformed"


def test_unknown_postcode_is_a_404(client, db):
    response = client.get("/api/v1/postcodes/1000/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "unknown"


def test_municipalities_lists_all_342(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/municipalities/")
    assert response.status_code == 200
    assert len(response.json()) == 342


def test_schema_is_served_and_matches_the_committed_file(client, db):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    committed = yaml.safe_load((Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml").read_text())
    assert served["paths"].keys() == committed["paths"].keys()
    assert "/api/v1/postcodes/{postcode}/" in served["paths"]


def test_api_docs_page_lists_the_operations(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert "/api/v1/postcodes/{postcode}/" in response.content.decode()


def test_api_json_renderer_writes_what_drf_writes():
    """The orjson renderer (mantelzorg.api.renderers) is a drop-in: same bytes as DRF's."""
    import datetime as dt
    import uuid
    from decimal import Decimal

    from django.utils.translation import gettext_lazy
    from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

    from mantelzorg.api.renderers import JSONRenderer

    data = {
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "when": dt.datetime(2026, 11, 23, 10, 30, 15, 123456, tzinfo=dt.UTC),
        "day": dt.date(2026, 11, 23),
        "at": dt.time(9, 30, 0, 250000),
        "amount": Decimal("12.50"),
        "lazy": gettext_lazy("Free"),
        "text": "Zorg voor je naaste – ‘één’ \u2028 regel",
        "numbers": [1, 0.1 + 0.2, -3, 1e16, None, True],
        "nested": [{"a": {"b": []}}],
    }
    assert JSONRenderer().render(data) == DRFJSONRenderer().render(data)
    assert JSONRenderer().render(None) == b""
    # Only the spelling of tiny exponents differs ("1e-7" vs "1e-07"): the same number.
    import json

    assert json.loads(JSONRenderer().render([1e-7])) == json.loads(DRFJSONRenderer().render([1e-7]))
    pretty = JSONRenderer().render(data, "application/json; indent=2", {})
    assert pretty == DRFJSONRenderer().render(data, "application/json; indent=2", {})


@pytest.mark.parametrize(
    "body",
    [
        b'{"answers": {"overall_burden": 8, "about.work_hours": 24.5}, "postcode": "5211 AB"}',
        b'{"a": 1, "a": 2}',  # duplicate member: the last wins in both
        b'{"big": 123456789012345678901234567890}',  # exact int (orjson would make it a float)
        b'{"neg": -9223372036854775809, "e": 1e400, "tiny": 5e-324}',
        '{"text": "Zorg – ‘één’ \\u2028 \\ud83d\\ude00"}'.encode(),
        b' [1, 2.0, true, null, "x"] ',
        b'"\\ud800"',  # a lone surrogate: the standard library takes it, orjson does not
    ],
)
def test_api_json_parser_reads_what_drf_reads(body):
    """The orjson parser (mantelzorg.api.parsers) gives DRF's result, types included."""
    import io

    from rest_framework.parsers import JSONParser as DRFJSONParser

    from mantelzorg.api.parsers import JSONParser

    ours = JSONParser().parse(io.BytesIO(body))
    theirs = DRFJSONParser().parse(io.BytesIO(body))
    assert ours == theirs
    assert repr(ours) == repr(theirs)  # 1 stays 1, 2.0 stays 2.0, big ints stay ints


@pytest.mark.parametrize("body", [b"{", b"[1,]", b'{"x": NaN}', b"\xef\xbb\xbf{}", b"\xff"])
def test_api_json_parser_refuses_what_drf_refuses(body):
    import io

    from rest_framework.exceptions import ParseError
    from rest_framework.parsers import JSONParser as DRFJSONParser

    from mantelzorg.api.parsers import JSONParser

    with pytest.raises(ParseError) as ours:
        JSONParser().parse(io.BytesIO(body))
    with pytest.raises(ParseError) as theirs:
        DRFJSONParser().parse(io.BytesIO(body))
    assert str(ours.value.detail) == str(theirs.value.detail)


def test_api_json_parser_reads_other_charsets_as_drf_does():
    import io

    from mantelzorg.api.parsers import JSONParser

    body = '{"naam": "Zoë"}'.encode("latin-1")
    assert JSONParser().parse(io.BytesIO(body), parser_context={"encoding": "latin-1"}) == {"naam": "Zoë"}


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "text/html", "application/*", "*/*; q=0.5", ""]
)
@pytest.mark.parametrize("query", ["", "format=json", "format=fhir", "postcode=5211"])
@pytest.mark.parametrize("suffix", [None, "json"])
def test_api_content_negotiation_chooses_as_drf_does(rf, accept, query, suffix):
    """The negotiation's shortcut (no Accept or */*) picks what DRF's negotiation picks; every
    other request goes to DRF, so the results (renderer, media type, or the error) are the same."""
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.renderers import BrowsableAPIRenderer
    from rest_framework.request import Request

    from mantelzorg.api.negotiation import ContentNegotiation
    from mantelzorg.api.renderers import JSONRenderer
    from mantelzorg.assessment.api import FHIRJSONRenderer

    class AnyRenderer(JSONRenderer):
        media_type = "*/*"

    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    for renderers in (
        [JSONRenderer()],
        [FHIRJSONRenderer(), JSONRenderer()],
        [AnyRenderer(), JSONRenderer()],
        [BrowsableAPIRenderer(), JSONRenderer()],
    ):
        results = []
        for negotiation in (ContentNegotiation(), DefaultContentNegotiation()):
            request = Request(rf.get(f"/api/x?{query}", **headers))
            try:
                renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
                results.append((type(renderer), media_type))
            except Exception as error:  # NotAcceptable or Http404, compared by type
                results.append(type(error))
        assert results[0] == results[1], (accept, query, suffix, renderers)
