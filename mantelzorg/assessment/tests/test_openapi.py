"""The OpenAPI document describes what the API accepts: postcode patterns, the check request body."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings

from mantelzorg.core import geo

pytestmark = pytest.mark.django_db

POSTCODE_PATTERN = geo.POSTCODE_RE.pattern
ACCEPTED = ["5211", "5211AB", "5211 ab", " 1012 AB ", "9999zz"]
REFUSED = ["0211", "521", "52111", "5211 A", "5211  AB", "5211-AB", "", "abcd"]


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def request_schema(schema) -> dict:
    body = schema["paths"]["/api/v1/checks/"]["post"]["requestBody"]["content"]["application/json"]
    ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
    return {**schema["components"]["schemas"][ref], "components": schema["components"]}


def test_the_pattern_is_the_one_the_server_uses():
    for raw in ACCEPTED:
        geo.normalise_postcode(raw)  # no PostcodeError
        assert re.search(POSTCODE_PATTERN, raw), raw
    for raw in REFUSED:
        with pytest.raises(geo.PostcodeError):
            geo.normalise_postcode(raw)
        assert not re.search(POSTCODE_PATTERN, raw), raw


def test_postcode_path_parameter_has_the_pattern(schema):
    (parameter,) = schema["paths"]["/api/v1/postcodes/{postcode}/"]["get"]["parameters"]
    assert parameter["in"] == "path" and parameter["name"] == "postcode" and parameter["required"]
    assert parameter["schema"] == {"type": "string", "pattern": POSTCODE_PATTERN}


def test_check_postcode_query_parameter_has_the_pattern(schema):
    parameters = schema["paths"]["/api/v1/checks/"]["post"]["parameters"]
    (postcode,) = [p for p in parameters if p["name"] == "postcode"]
    assert postcode["in"] == "query" and postcode["schema"]["pattern"] == POSTCODE_PATTERN


def test_check_request_body_is_typed_and_closed(schema):
    body = request_schema(schema)
    assert body["type"] == "object"
    assert body["additionalProperties"] is False
    assert body["required"] == ["answers"]
    properties = body["properties"]
    assert set(properties) == {"instrument", "postcode", "answers"}
    assert properties["instrument"]["type"] == "string"
    assert properties["postcode"]["type"] == "string"
    assert properties["postcode"]["pattern"] == POSTCODE_PATTERN
    answers = properties["answers"]
    assert answers["type"] == "object"
    assert answers["additionalProperties"] == {
        "oneOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string"}]
    }


@pytest.mark.parametrize(
    "body, valid",
    [
        ({"answers": {"overall_burden": 3}}, True),
        ({"instrument": "carerqol", "postcode": "5211 AB", "answers": {"a": True, "b": 1.5, "c": "x"}}, True),
        ({"answers": {"overall_burden": 3}, "extra": 1}, False),
        ({"answers": {"overall_burden": [3]}}, False),
        ({"answers": {"overall_burden": {"value": 3}}}, False),
        ({"answers": {}, "postcode": "52"}, False),
        ({"answers": {}, "instrument": 3}, False),
        ({"answers": []}, False),
        ({"instrument": "balanscheck"}, False),
    ],
)
def test_schema_and_view_agree_on_the_shape_of_a_body(client, schema, body, valid):
    """What the schema refuses, the view refuses too (a valid shape may still fail on content)."""
    assert jsonschema.Draft202012Validator(request_schema(schema)).is_valid(body) is valid
    response = client.post("/api/v1/checks/", json.dumps(body), content_type="application/json")
    if not valid:
        assert response.status_code == 400, response.content
    else:
        codes = {e["code"] for e in response.json().get("errors", [])}
        assert not codes & {"unknown_field", "invalid_type", "malformed"}, response.content


def test_committed_document_carries_the_patterns(schema):
    """``make openapi`` was run: the committed file has the same postcode and body schemas."""
    committed = yaml.safe_load((Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml").read_text())
    path = "/api/v1/postcodes/{postcode}/"
    assert committed["paths"][path]["get"]["parameters"] == schema["paths"][path]["get"]["parameters"]
    assert request_schema(committed) == request_schema(schema)
