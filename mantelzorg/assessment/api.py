"""Balanscheck API: score a check (our JSON or a FHIR QuestionnaireResponse), read a saved check as a
FHIR QuestionnaireResponse, and publish the instruments as FHIR Questionnaires.

``POST /api/v1/checks/`` stores nothing. Errors are the API's one body (``mantelzorg.api.errors``):
400 with ``errors: [{field, code, message}]``, plus ``linkId`` when an error is about an answer
(its ``field`` is then the linkId too).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from mantelzorg.api import errors as api_errors
from mantelzorg.api.closed import closed
from mantelzorg.api.errors import ErrorsSerializer
from mantelzorg.api.fhir import FHIR_JSON, FHIRJSONParser, FHIRJSONRenderer, operation_outcome
from mantelzorg.api.parsers import JSONParser
from mantelzorg.core import geo
from mantelzorg.core.http import personal

from . import demo, engine, evaluation, local_offers, registry, selectors

# ------------------------------------------------------------------------------ serializers (schema)


class LabelSerializer(serializers.Serializer):
    nl = serializers.CharField()
    en = serializers.CharField()


# What core.geo accepts (5211, 5211AB, '5211 ab'); the schema carries it as ``pattern``.
POSTCODE_PATTERN = geo.POSTCODE_RE.pattern


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"oneOf": [{"type": "boolean"}, {"type": "number"}, {"type": "string"}]},
    }
)
class AnswersField(serializers.DictField):
    """``{linkId: value}``; a value is a boolean, a number, text or the option code."""


# Schema only: CheckCreateView._from_json checks the body (and refuses any other member).
@closed
class CheckRequestSerializer(serializers.Serializer):
    instrument = serializers.CharField(
        default=registry.BALANSCHECK, help_text="Questionnaire id, e.g. balanscheck"
    )
    postcode = serializers.CharField(
        required=False,
        validators=[RegexValidator(geo.POSTCODE_RE)],
        help_text="Dutch postcode, e.g. 5211 or 5211 AB; leave it out for no local offers",
    )
    answers = AnswersField(help_text="Answers keyed by linkId: booleans, numbers, text or the option code")


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField()
    level = serializers.CharField(allow_null=True, help_text="the level a self_report rule sets")
    kind = serializers.ChoiceField(
        choices=["self_report", "raised", "risk", "protective", "urgent", "default"],
        help_text="self_report: what the caregiver said (sets the base level); risk / protective: context "
        "that weighs or helps; raised: context raised the level one step; urgent: a crisis signal",
    )
    text = LabelSerializer()
    source = serializers.CharField()


class TaskSerializer(serializers.Serializer):
    task = serializers.CharField()
    label = LabelSerializer()
    hours = serializers.IntegerField(allow_null=True)


class AdviceSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = LabelSerializer()
    text = LabelSerializer()
    support_domain = serializers.CharField(
        help_text="Vraaggebied: information, guidance, emotional_support, education, "
        "practical_help, respite, financial_help or material_help"
    )
    ladder_step = serializers.IntegerField(help_text="Zorgladder step 1-5")
    urgent = serializers.BooleanField()
    contact = serializers.CharField(allow_null=True)


class OfferSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    organization = serializers.CharField()
    distance_km = serializers.FloatField(allow_null=True)
    support_domains = serializers.ListField(child=serializers.CharField())
    address = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True)


class NextStepSerializer(serializers.Serializer):
    advice = serializers.CharField(help_text="code of the advice card")
    offer = serializers.UUIDField(allow_null=True, help_text="the local offer (an id in `local`)")
    support_centre = serializers.UUIDField(
        allow_null=True, help_text="the steunpunt (an id in `support_centres`)"
    )
    national = serializers.UUIDField(allow_null=True, help_text="a national option (an id in `national`)")


class OffersSerializer(serializers.Serializer):
    postcode = serializers.CharField(allow_null=True)
    municipality = serializers.CharField(allow_null=True)
    radius_km = serializers.IntegerField(allow_null=True)
    support_centres = inline_serializer(
        "SupportCentre", {"id": serializers.UUIDField(), "name": serializers.CharField()}, many=True
    )
    local = OfferSerializer(many=True)
    missing_support_domains = serializers.ListField(
        child=serializers.CharField(), help_text="advised vraaggebieden with no local offer within radius_km"
    )
    national = OfferSerializer(many=True)
    next_steps = NextStepSerializer(
        many=True, help_text="at most three next steps, each tied to one offer, steunpunt or national option"
    )


class CheckResultSerializer(serializers.Serializer):
    instrument = serializers.CharField()
    questionnaire = serializers.CharField(help_text="canonical url|version")
    scores = serializers.DictField(child=serializers.FloatField())
    bands = serializers.DictField(child=serializers.CharField())
    level = inline_serializer(
        "Level",
        {
            "code": serializers.CharField(),
            "label": LabelSerializer(),
            "description": LabelSerializer(),
            "base": serializers.CharField(
                help_text="the level of the caregiver's own answers, before context"
            ),
        },
        allow_null=True,
    )
    urgent = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)
    urgent_reasons = ReasonSerializer(many=True)
    pressure_points = TaskSerializer(many=True)
    energy_sources = TaskSerializer(many=True)
    transferable_tasks = TaskSerializer(many=True)
    advice = AdviceSerializer(many=True)
    offers = OffersSerializer(allow_null=True)


# ------------------------------------------------------------------------------ helpers


def _answer_errors(items: list[dict]) -> list[dict]:
    """The engine's answer errors (``{linkId, code, message}``, ``path`` for a place in a FHIR
    body) in the API's error body: the linkId is also the ``field``; else the path ("status",
    "item[0].answer[0].valueFoo"), else "answers" (the answers as a whole)."""
    return [
        api_errors.error(
            e["code"],
            e["message"],
            field=e.get("linkId") or e.get("path") or "answers",
            link_id=e.get("linkId"),
        )
        for e in items
    ]


def _reason(r) -> dict:
    return {"rule": r.rule, "level": r.level, "kind": r.kind, "text": r.text.as_json, "source": r.source}


def _task(t) -> dict:
    return {"task": t.task, "label": t.label.as_json, "hours": t.hours}


def result_data(outcome: evaluation.Outcome, offers: local_offers.Offers | None) -> dict:
    level = outcome.level
    data = {
        "instrument": outcome.instrument.id,
        "questionnaire": outcome.instrument.canonical,
        "scores": outcome.result.scores,
        "bands": {k: b.code for k, b in outcome.result.bands.items()},
        "level": {
            "code": level.code,
            "label": level.label.as_json,
            "description": level.description.as_json,
            "base": level.base,
        }
        if level
        else None,
        "urgent": bool(level and level.urgent),
        "reasons": [_reason(r) for r in level.reasons] if level else [],
        "urgent_reasons": [_reason(r) for r in level.urgent_reasons] if level else [],
        "pressure_points": [_task(t) for t in level.pressure_points] if level else [],
        "energy_sources": [_task(t) for t in level.energy_sources] if level else [],
        "transferable_tasks": [_task(t) for t in level.transferable_tasks] if level else [],
        "advice": [c.as_json for c in outcome.advice],
        "offers": None,
    }
    if offers is not None:
        data["offers"] = {**offers.as_json, "postcode": offers.place.postcode if offers.place else None}
    return data


# ------------------------------------------------------------------------------ views


class CheckCreateView(APIView):
    """Score one check and return level, reasons, advice and local offers. Stores nothing.

    Every answer is personal (health scores, or errors about the answers): ``Cache-Control:
    no-store`` through ``core.http.personal``."""

    authentication_classes: list = []  # anonymous by design: nothing is stored, nobody is identified
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FHIRJSONParser]

    @extend_schema(
        operation_id="checks_create",
        summary="Score a balance check (nothing is stored)",
        description=(
            "Send either our JSON (`instrument`, `postcode`, `answers` keyed by linkId) with "
            "`Content-Type: application/json`, or a FHIR R4 QuestionnaireResponse with "
            "`Content-Type: application/fhir+json` whose `questionnaire` names the instrument "
            "(postcode as query parameter `?postcode=5211`). Advice carries the vraaggebied "
            "(`support_domain`) and the Zorgladder step; offers come from the sociale kaart, nearest first.\n\n"
            "A QuestionnaireResponse is read strictly (400, every problem at once, each naming the "
            "linkId or path and the rule): FHIR JSON (no null, empty object or array; ele-1), no "
            "unknown element (R4 JSON schema), `status` 1..1 from in-progress|completed|amended|"
            "entered-in-error|stopped, qrs-1, qrs-2, no modifierExtension, each item in the group where "
            "the Questionnaire has it (nothing moved or flattened), the value[x] of the item's type, no "
            "answer to an item its enableWhen disables. Extra standard R4 elements (meta, text, "
            "identifier, subject, author, authored, ...), a `questionnaire` with or without its "
            "matching `|version` and codings without display are accepted."
        ),
        parameters=[
            OpenApiParameter(
                "postcode",
                str,
                required=False,
                pattern=POSTCODE_PATTERN,
                description="Postcode for local offers (with a FHIR QuestionnaireResponse)",
            )
        ],
        request={"application/json": CheckRequestSerializer, FHIR_JSON: OpenApiTypes.OBJECT},
        responses={200: CheckResultSerializer, 400: ErrorsSerializer, 415: ErrorsSerializer},
        examples=[
            OpenApiExample(
                "A refused QuestionnaireResponse",
                response_only=True,
                status_codes=["400"],
                value={
                    "errors": [
                        {
                            "field": "status",
                            "code": "invalid_code",
                            "message": "status must be one of in-progress|completed|amended|entered-in-error|"
                            "stopped (R4 value set questionnaire-answers-status), got 'done'",
                        },
                        {
                            "field": "task.meals.hours",
                            "code": "disabled_item",
                            "message": "'task.meals.hours' is answered, but its enableWhen (task.meals.does = "
                            "true) disables it for these answers: leave the answer out (R4: a "
                            "QuestionnaireResponse carries no answers for disabled items)",
                            "linkId": "task.meals.hours",
                        },
                    ]
                },
            ),
            OpenApiExample(
                "Balanscheck",
                request_only=True,
                # A complete check (the demo's "balanced" caregiver): the example is accepted (200).
                value={"instrument": "balanscheck", "postcode": "5211", "answers": demo.balanced()},
            ),
        ],
    )
    @method_decorator(personal)
    def post(self, request):
        if "postcode" in request.query_params:  # declared for every body: checked for every body
            try:
                geo.resolve_postcode(request.query_params["postcode"])
            except geo.PostcodeError as error:
                return api_errors.response([api_errors.error(error.code, error.message, field="postcode")])
        try:
            data = request.data
        except UnsupportedMediaType:
            return api_errors.response(
                [
                    api_errors.error(
                        "unsupported_media_type", "send application/json or application/fhir+json"
                    )
                ],
                415,
            )
        except ParseError as error:
            return api_errors.response([api_errors.error("invalid_json", str(error.detail))])
        if not isinstance(data, dict):
            return api_errors.response([api_errors.error("invalid_type", "the body must be a JSON object")])
        is_fhir = (
            request.content_type.startswith(FHIR_JSON) or data.get("resourceType") == "QuestionnaireResponse"
        )
        (instrument, answers, postcode), problems = (
            self._from_fhir(request, data) if is_fhir else self._from_json(data)
        )
        if problems:
            return api_errors.response(problems)
        place = None
        if postcode:
            try:
                place = geo.resolve_postcode(postcode)
            except geo.PostcodeError as error:
                return api_errors.response([api_errors.error(error.code, error.message, field="postcode")])
        try:
            outcome = evaluation.evaluate(instrument, answers, place=place)
        except engine.ResponseValidationError as error:
            return api_errors.response(_answer_errors(error.errors))
        offers = local_offers.offers_for(place, outcome.advice) if outcome.level else None
        return Response(result_data(outcome, offers))

    @staticmethod
    def _from_fhir(request, data):
        """((instrument, answers, postcode), errors) of a FHIR QuestionnaireResponse body."""
        nothing = (None, None, "")
        instrument = registry.instrument_by_reference(str(data.get("questionnaire") or ""))
        if instrument is None:
            message = "'questionnaire' must name a published Questionnaire"
            return nothing, [api_errors.error("unknown_questionnaire", message, field="questionnaire")]
        try:
            answers = engine.questionnaire_response_to_answers(instrument, data)
        except engine.ResponseValidationError as error:
            return nothing, _answer_errors(error.errors)
        return (instrument, answers, request.query_params.get("postcode", "")), []

    @staticmethod
    def _from_json(data):
        """((instrument, answers, postcode), every error at once) of our JSON body."""
        errors = []
        instrument_id = data.get("instrument", registry.BALANSCHECK)
        answers = data.get("answers")
        postcode = data.get("postcode") or ""
        unknown = sorted(set(data) - {"instrument", "answers", "postcode"})
        for name in unknown:
            errors.append(
                api_errors.error("unknown_field", f"{name!r} is not a field of this request", field=name)
            )
        if not isinstance(instrument_id, str):
            errors.append(
                api_errors.error("invalid_type", "expected the id of a Questionnaire", field="instrument")
            )
        if not isinstance(answers, dict):
            errors.append(
                api_errors.error("invalid_type", "expected an object keyed by linkId", field="answers")
            )
        if not isinstance(postcode, str):
            errors.append(api_errors.error("invalid_type", "expected a postcode as text", field="postcode"))
        instrument = registry.instruments().get(instrument_id) if isinstance(instrument_id, str) else None
        if isinstance(instrument_id, str) and instrument is None:
            errors.append(
                api_errors.error(
                    "unknown_questionnaire", f"no Questionnaire {instrument_id!r}", field="instrument"
                )
            )
        return (instrument, answers, postcode), errors


class CheckFHIRView(APIView):
    """A saved check of the signed-in owner as a FHIR QuestionnaireResponse with computed scores."""

    renderer_classes = [FHIRJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="checks_fhir_retrieve",
        summary="A saved check as FHIR QuestionnaireResponse (owner only)",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="FHIR R4 QuestionnaireResponse"),
            404: ErrorsSerializer,
        },
    )
    @method_decorator(personal)
    def get(self, request, check_id):
        check = selectors.check_export_for_owner(request, check_id)
        outcome = selectors.check_outcome(check)
        if outcome is None:
            return api_errors.response(
                [api_errors.error("not_found", "the questionnaire of this check is no longer available")], 404
            )
        qr = engine.answers_to_questionnaire_response(
            outcome.instrument, outcome.answers, outcome.result, authored=check.created_at.isoformat()
        )
        qr = {
            "resourceType": "QuestionnaireResponse",
            "id": str(check.id),
            **{k: v for k, v in qr.items() if k != "resourceType"},
        }
        return Response(qr, content_type=FHIR_JSON)


class QuestionnaireListView(APIView):
    """Every instrument as a FHIR searchset Bundle."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [FHIRJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="fhir_questionnaire_search",
        summary="FHIR: search Questionnaires (all instruments)",
        parameters=[
            OpenApiParameter("url", str, required=False, description="canonical url of the Questionnaire")
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="FHIR R4 Bundle (searchset)")},
    )
    def get(self, request):
        wanted = request.query_params.get("url")
        resources = [r for r in registry.instrument_resources() if not wanted or r.get("url") == wanted]
        base = request.build_absolute_uri("/api/fhir/Questionnaire/")
        bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(resources),
            "link": [{"relation": "self", "url": request.build_absolute_uri()}],
            "entry": [
                {"fullUrl": base + r["id"], "resource": r, "search": {"mode": "match"}} for r in resources
            ],
        }
        return Response(bundle, content_type=FHIR_JSON)


class QuestionnaireDetailView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [FHIRJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="fhir_questionnaire_read",
        summary="FHIR: read one Questionnaire",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="FHIR R4 Questionnaire"),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="FHIR OperationOutcome"),
        },
    )
    def get(self, request, questionnaire_id):
        instrument = registry.instruments().get(questionnaire_id)
        if instrument is None:
            return operation_outcome("not-found", f"Questionnaire/{questionnaire_id} is not known", 404)
        return Response(instrument.resource, content_type=FHIR_JSON)
