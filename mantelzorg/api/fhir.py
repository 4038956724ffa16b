"""The FHIR R4 conventions of our API, once: the media type, its parser and renderer, and the
OperationOutcome every FHIR endpoint answers an error with (``/api/fhir/...``)."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from mantelzorg.api.parsers import JSONParser

FHIR_JSON = "application/fhir+json"


class FHIRJSONParser(JSONParser):
    media_type = FHIR_JSON


class FHIRJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"


def operation_outcome(code: str, text: str, status: int) -> Response:
    """A FHIR OperationOutcome with one error issue (``code`` from the FHIR IssueType value set)."""
    return Response(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": text}],
        },
        status=status,
        content_type=FHIR_JSON,
    )
