"""The one error body of the API: ``{"errors": [{"field", "code", "message"}, ...]}`` (plus
``linkId`` for answers of a questionnaire), for every status, from every endpoint.

    from mantelzorg.api import errors
    return errors.response([errors.error("malformed", "…", field="postcode")], status=400)
    raise errors.BadRequest("postcode", "malformed", "…")   # inside a DRF view

DRF's own errors (validation, 404, 405, 415, throttling) come out in the same shape through
``exception_handler`` (settings.REST_FRAMEWORK), and Django's 404 / 405 / 500 under ``/api/`` too
(``api.middleware.JsonErrorsMiddleware``): an API client never gets HTML.
"""

from __future__ import annotations

from django.http import JsonResponse
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


def error(code: str, message: str, *, field: str | None = None, link_id: str | None = None) -> dict:
    """One error: a machine-readable ``code``, a message for people, and where (field or linkId)."""
    item = {"field": field, "code": code, "message": str(message)}
    if link_id is not None:
        item["linkId"] = link_id
    return item


def body(errors: list[dict]) -> dict:
    return {"errors": list(errors)}


def response(errors: list[dict], status: int = 400) -> Response:
    """A DRF response with the error body."""
    return Response(body(errors), status=status)


def json_response(errors: list[dict], status: int) -> JsonResponse:
    """The same body outside DRF (Django's own 404, 405 and 500 under /api/)."""
    return JsonResponse(body(errors), status=status)


# The declared error body (OpenAPI): the response of every 4xx in ``extend_schema``, everywhere.
class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The request field or parameter the error is about, if any"
    )
    code = serializers.CharField(help_text="Machine-readable: malformed, not_found, required, ...")
    message = serializers.CharField(help_text="For people, in the language of the request")
    linkId = serializers.CharField(  # noqa: N815 - the FHIR name
        required=False, help_text="The item of the questionnaire, when the error is about an answer"
    )


class ErrorsSerializer(serializers.Serializer):
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]  # a field, not Serializer.errors


class BadRequest(APIException):
    """Raise inside a DRF view: answered 400 with one error for ``field``."""

    status_code = 400

    def __init__(self, field: str | None, code: str, message: str):
        super().__init__(message, code)
        self.field, self.code, self.message = field, code, message


def exception_handler(exc, context):
    """DRF's handler, with every error body in the one shape."""
    if isinstance(exc, BadRequest):
        return response([error(exc.code, exc.message, field=exc.field)], status=exc.status_code)
    result = drf_exception_handler(exc, context)
    if result is None:
        return None
    data = result.data
    if isinstance(data, dict) and "errors" not in data:
        if "detail" in data and len(data) == 1:
            code = getattr(data["detail"], "code", "error")
            result.data = body([error(code, data["detail"])])
        else:
            items = []
            for field, messages in data.items():
                for message in messages if isinstance(messages, list) else [messages]:
                    items.append(error(getattr(message, "code", "invalid"), message, field=field))
            result.data = body(items)
    return result


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)
