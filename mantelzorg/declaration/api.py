"""MZ1 verification API (issue 14, C6): ``POST /api/v1/declarations/verify/``.

Anonymous (no authentication, so no CSRF: as ``POST /api/v1/checks/``), rate limited per IP
address (``settings.RATE_LIMITS["declaration_verify"]``). A code that cannot be read is an answer
(200, ``malformed``); only a body that is not ``{"code": "<text>"}`` is a 400 in the API's one
error body. Nothing of the code is stored or logged; the outcome is counted per purpose and day.
"""

from __future__ import annotations

import datetime as dt

from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from mantelzorg.accounts import ratelimit
from mantelzorg.api import errors as api_errors
from mantelzorg.api.closed import closed
from mantelzorg.api.errors import ErrorsSerializer
from mantelzorg.api.parsers import JSONParser
from mantelzorg.core.http import personal

from . import codec, keys, selectors, services
from .views import RATE_RULE


@closed
class VerifySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="The MZ1 text of the QR code (`MZ1:` followed by base45), as scanned or pasted; "
        "any text, an empty one too, is an answer (`malformed` when it cannot be read).",
        trim_whitespace=False,
        allow_blank=True,
    )


class HolderSerializer(serializers.Serializer):
    initials = serializers.CharField()
    birth_day = serializers.IntegerField(required=False, min_value=1, max_value=31)
    birth_month = serializers.IntegerField(required=False, min_value=1, max_value=12)


class StatusReferenceSerializer(serializers.Serializer):
    list = serializers.IntegerField(
        min_value=1, help_text="the status list's id: its token is at /verklaring/status/<list>"
    )
    idx = serializers.IntegerField(min_value=0)


class ClaimsSerializer(serializers.Serializer):
    """The disclosed claims (docs/declaration/verifier.md): only those the purpose discloses."""

    status = StatusReferenceSerializer(required=False)
    purpose = serializers.ChoiceField(choices=list(codec.PURPOSES))
    level = serializers.ChoiceField(choices=list(codec.LEVELS))
    confirmed_by = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="id of the organisation that confirmed it (level confirmed), as in /verklaring/organisaties.json",
    )
    confirmed_by_name = serializers.CharField(
        required=False, help_text="name of that organisation; absent when the id is not in our list"
    )
    hours_band = serializers.IntegerField(
        required=False, help_text="at least this many hours of care per week"
    )
    care_since = serializers.CharField(required=False, help_text="YYYY-MM")
    pc4 = serializers.CharField(required=False)
    gemeente = serializers.CharField(required=False, help_text="CBS gemeentecode, GM0344")
    relation = serializers.CharField(required=False)
    valid_until = serializers.DateField(required=False, help_text="end of the underlying declaration")
    holder = HolderSerializer(help_text="compare the initials and the birth day or month with an ID")


class VerificationSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=list(codec.OUTCOMES))
    claims = ClaimsSerializer(required=False, help_text="only when status is valid")
    checked_at = serializers.DateTimeField()
    status_checked = serializers.BooleanField(
        help_text="whether the code's status list (revocation) was checked; false when it names another list"
    )


def verification_data(result: codec.Verification, at: int) -> dict:
    data = {
        "status": result.status,
        "checked_at": dt.datetime.fromtimestamp(at, tz=dt.UTC).isoformat().replace("+00:00", "Z"),
        "status_checked": result.status_checked,
    }
    if result.valid:
        claims = dict(result.claims or {})
        name = selectors.confirming_organisation_name(claims.get("confirmed_by"))
        if name:
            claims["confirmed_by_name"] = name
        data["claims"] = claims
    return data


class VerifyView(APIView):
    """Verify one MZ1 code: signature (published keys), expiry and revocation (our status list)."""

    authentication_classes: list = []  # anonymous by design: nothing is stored, nobody is identified
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="declarations_verify",
        summary="Verify a caregiver declaration code (MZ1; nothing is stored)",
        description=(
            "Checks the signature against the published keys (`/verklaring/sleutels.json` as JWKS, `/verklaring/sleutels.cbor` as COSE_KeySet), the expiry "
            "and, for a code that names one of our status lists by its id (`/verklaring/status/<id>.cwt`, a signed Token Status List), its revocation bit. `confirmed_by` is an organisation id; its name (`confirmed_by_name`) is published at `/verklaring/organisaties.json`. The outcome is one "
            "of `valid`, `expired`, `revoked`, `not_genuine`, `malformed`; a code that cannot be read is "
            "`malformed` (200), not an error. `claims` only when valid. Nothing of the code is stored or "
            "logged; the outcome is counted per purpose and day. Rate limited per IP address (429)."
        ),
        request=VerifySerializer,
        responses={
            200: VerificationSerializer,
            400: ErrorsSerializer,
            415: ErrorsSerializer,
            429: ErrorsSerializer,
            503: ErrorsSerializer,
        },
        examples=[
            OpenApiExample("A code", request_only=True, value={"code": "MZ1:NCFOXN%TSMAHN-H2XS:3CYGQ"}),
            OpenApiExample(
                "Not readable",
                response_only=True,
                status_codes=["200"],
                value={"status": "malformed", "checked_at": "2026-12-02T12:00:00Z", "status_checked": False},
            ),
        ],
    )
    @method_decorator(personal)
    def post(self, request):
        try:
            data = request.data
        except UnsupportedMediaType:
            return api_errors.response(
                [api_errors.error("unsupported_media_type", "send application/json")], 415
            )
        except ParseError as error:
            return api_errors.response([api_errors.error("invalid_json", str(error.detail))])
        if not isinstance(data, dict):
            return api_errors.response([api_errors.error("invalid_type", "the body must be a JSON object")])
        problems = [
            api_errors.error("unknown_field", f"{name!r} is not a field of this request", field=name)
            for name in sorted(set(data) - {"code"})
        ]
        if "code" not in data:
            problems.append(
                api_errors.error("required", "the MZ1 text of the code is required", field="code")
            )
        elif not isinstance(data["code"], str):
            problems.append(api_errors.error("invalid_type", "expected the code as text", field="code"))
        if problems:
            return api_errors.response(problems)
        refusal = ratelimit.hit(request, RATE_RULE)
        if refusal:
            response = api_errors.response([api_errors.error("throttled", refusal.message)], 429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
        at = services.selectors.now()
        try:
            result = services.verify(data["code"], at)
        except keys.KeyringError:
            return api_errors.response(
                [api_errors.error("unavailable", "verification is not available: no keys are configured")],
                503,
            )
        return Response(verification_data(result, at))
