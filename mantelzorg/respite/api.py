"""Respite API (issue 15, C7): the availability search (public) and stays: request, read,
confirm, decline, cancel and accept an offer (signed in). docs/respite-booking.md.

- ``GET /api/v1/respite/availability/`` is anonymous and holds no personal data: counts and dates
  of units, the house's name, place and phone. A fixed number of queries whatever the number of
  units or stays (``availability.search_houses`` reads three tables once; the houses of a page
  three more).
- The stay endpoints use the site's session (a POST needs the CSRF token) and the access rule of
  ``selectors.stay_get``: someone who may not see a stay gets 404, audited as denied. Every
  answer about a stay is personal (``Cache-Control: no-store``) and every request writes one
  audit row. ``Idempotency-Key`` is honoured on the request and the confirm (api_urls).
- When the nights are gone: 409 ``capacity_gone``; when another request moved the stay on first:
  409 ``state_changed`` (or ``hold_expired`` when its time ran out); other refusals of the
  services are a 400 with their ``code``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, ParseError, UnsupportedMediaType
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from mantelzorg.api import errors as api_errors
from mantelzorg.api import pagination
from mantelzorg.api.closed import closed
from mantelzorg.api.errors import BadRequest, ErrorsSerializer
from mantelzorg.api.parsers import JSONParser
from mantelzorg.core import geo
from mantelzorg.core.http import personal

from . import availability, presentation, selectors, services
from .models import PLANNED_KINDS, Funding, Guest, Kind, Stay, TargetGroup, Urgency

TAG = ["respite"]
DEFAULT_RADIUS_KM = 25
HOUSES_PER_PAGE, HOUSES_MAX_PER_PAGE = 20, 50
ERRORS = OpenApiResponse(ErrorsSerializer, description="The error body of the whole API (api.errors)")


# ------------------------------------------------------------------------------ parameters


def _date_param(request, name: str) -> dt.date:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        raise BadRequest(name, "required", _("%(name)s is required (a date: 2026-12-31).") % {"name": name})
    try:
        day = parse_date(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise BadRequest(name, "invalid", _("%(name)s must be a date (2026-12-31).") % {"name": name})
    return day


def _bool_param(request, name: str) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return False
    if raw in ("true", "false"):
        return raw == "true"
    raise BadRequest(name, "invalid", _("%(name)s must be true or false.") % {"name": name})


def _choice_param(request, name: str, choices) -> str:
    raw = request.query_params.get(name)
    if raw is None:
        return ""
    if raw not in choices:
        raise BadRequest(
            name,
            "invalid",
            _("%(name)s must be one of %(values)s.") % {"name": name, "values": ", ".join(choices)},
        )
    return raw


def _kinds_param(request) -> frozenset[str]:
    """``kind`` repeated or as a comma list; the planned logeerzorg kinds when absent."""
    values = [part for raw in request.query_params.getlist("kind") for part in raw.split(",")]
    if not values:
        return PLANNED_KINDS
    unknown = [v for v in values if v not in Kind.values]
    if unknown:
        raise BadRequest(
            "kind", "invalid", _("kind must be one of %(values)s.") % {"values": ", ".join(Kind.values)}
        )
    return frozenset(values)


def search_from(request) -> availability.Search:
    """The ``availability.Search`` of the query, or a 400 naming the parameter."""
    raw = request.query_params.get("postcode")
    if raw is None or raw == "":
        raise BadRequest("postcode", "required", _("postcode is required (1234 or 1234 AB)."))
    try:
        place = geo.resolve_postcode(raw)
    except geo.PostcodeError as error:
        raise BadRequest("postcode", error.code, error.message) from None
    arrival, departure = _date_param(request, "from"), _date_param(request, "to")
    if departure <= arrival:
        raise BadRequest("to", "dates_in_wrong_order", _("to (the day you leave) must be after from."))
    if arrival < timezone.localdate():
        raise BadRequest("from", "arrival_in_the_past", _("from cannot be in the past."))
    if (departure - arrival).days > availability.MAX_NIGHTS:
        raise BadRequest(
            "to",
            "stay_too_long",
            _("A stay lasts at most %(nights)s nights.") % {"nights": availability.MAX_NIGHTS},
        )
    radius = pagination.int_param(request, "radius_km", DEFAULT_RADIUS_KM, maximum=availability.MAX_RADIUS_KM)
    need = availability.Need(
        target_group=_choice_param(request, "target_group", TargetGroup.values),
        wheelchair=_bool_param(request, "wheelchair"),
        night_care=_bool_param(request, "night_care"),
        behaviour=_bool_param(request, "behaviour"),
    )
    return availability.Search(
        place=place,
        arrival=arrival,
        departure=departure,
        radius_km=radius,
        kinds=_kinds_param(request),
        funding=_choice_param(request, "funding", Funding.values),
        need=need,
    )


AVAILABILITY_PARAMS = [
    OpenApiParameter(
        "postcode",
        {"type": "string", "pattern": geo.POSTCODE_RE.pattern},
        required=True,
        description="The postcode where the person cared for lives (1234 or 1234 AB); unknown: 400.",
    ),
    OpenApiParameter(
        "from", {"type": "string", "format": "date"}, required=True, description="Arrival (today or later)."
    ),
    OpenApiParameter(
        "to",
        {"type": "string", "format": "date"},
        required=True,
        description=f"Departure: after `from`, at most {availability.MAX_NIGHTS} nights later.",
    ),
    OpenApiParameter(
        "radius_km",
        {"type": "integer", "minimum": 1, "maximum": availability.MAX_RADIUS_KM},
        description=f"Kilometres around the postcode (default {DEFAULT_RADIUS_KM}).",
    ),
    OpenApiParameter("target_group", {"type": "string", "enum": TargetGroup.values}),
    OpenApiParameter("wheelchair", bool, description="true: wheelchair accessible units only."),
    OpenApiParameter("night_care", bool, description="true: units with care at night only."),
    OpenApiParameter(
        "behaviour", bool, description="true: units with room for behaviour that needs attention."
    ),
    OpenApiParameter(
        "kind",
        {"type": "array", "items": {"type": "string", "enum": Kind.values}},
        explode=True,
        description="Kinds of stay (repeat, or a comma list); default the planned logeerzorg kinds.",
    ),
    OpenApiParameter("funding", {"type": "string", "enum": Funding.values}),
    *pagination.schema_params(default=HOUSES_PER_PAGE, maximum=HOUSES_MAX_PER_PAGE),
]


# ------------------------------------------------------------------------------ houses


class RespiteRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class RespiteLocationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(allow_blank=True)
    place = serializers.CharField(allow_blank=True, help_text="the town of the address")
    municipality = serializers.CharField(allow_null=True, help_text="CBS code, GM0344")


class RespiteNightSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="the night from this date to the next")
    free = serializers.IntegerField(help_text="matching units free that night")


class RespiteDatesSerializer(serializers.Serializer):
    arrival = serializers.DateField()
    departure = serializers.DateField()


class RespiteHouseSerializer(serializers.Serializer):
    service = RespiteRefSerializer()
    organization = RespiteRefSerializer()
    location = RespiteLocationSerializer()
    distance_km = serializers.FloatField()
    kinds = serializers.ListField(
        child=serializers.CharField(), help_text="kinds of its units: " + ", ".join(Kind.values)
    )
    units = serializers.IntegerField(help_text="matching units of the house")
    available = serializers.BooleanField(help_text="some unit is free for the whole stay")
    free_units = serializers.IntegerField(help_text="units free for the whole stay")
    free_per_night = RespiteNightSerializer(many=True)
    nearest_free = RespiteDatesSerializer(
        many=True, help_text="when full: the nearest stays of this length that are free"
    )
    phone = serializers.CharField(allow_null=True)
    url = serializers.CharField(help_text="the house on the sociale kaart")


def _page_serializer(name: str, item):
    return inline_serializer(
        name,
        {
            "total_items": serializers.IntegerField(),
            "total_pages": serializers.IntegerField(),
            "page_number": serializers.IntegerField(),
            "size": serializers.IntegerField(),
            "first_page": serializers.BooleanField(),
            "last_page": serializers.BooleanField(),
            "empty": serializers.BooleanField(),
            "contents": item(many=True),
        },
    )


_ANY_ID = uuid.UUID(int=0)


def houses_data(request, search: availability.Search, total: int, houses, page: int, per_page: int) -> dict:
    """A page of houses (the search finds published services only, and the nearest free dates
    of the full ones on the page) with their names, place and phone from the sociale kaart
    (``presentation.all_house_facts``, as the pages show them)."""
    facts = presentation.all_house_facts()
    dates = [(search.arrival + dt.timedelta(days=n)).isoformat() for n in range(search.nights)]
    # The house's page on the sociale kaart: made once for the page and filled in per house
    # (0.43 ms for 20 reverse() calls, 0.03 ms so; ADR 0004; test_api_availability compares).
    url = request.build_absolute_uri(reverse("directory:service_detail", args=[_ANY_ID]))
    contents = []
    for house in houses:
        known = facts.get((house.service_id, house.location_id))
        contents.append(
            {
                "service": {"id": str(house.service_id), "name": known.name if known else ""},
                "organization": {
                    "id": str(known.organization_id) if known else None,
                    "name": known.organization if known else "",
                },
                "location": {
                    "id": str(house.location_id),
                    "name": known.location_name if known else "",
                    "place": known.place if known else "",
                    "municipality": known.municipality if known else None,
                },
                "distance_km": house.distance_km,
                "kinds": sorted({u["kind"] for u in house.units}),
                "units": len(house.units),
                "available": house.available,
                "free_units": len(house.free_unit_ids),
                "free_per_night": [
                    {"date": day, "free": free} for day, free in zip(dates, house.free_per_night, strict=True)
                ],
                "nearest_free": [
                    {"arrival": a.isoformat(), "departure": d.isoformat()} for a, d in house.alternatives
                ],
                "phone": (known.phone or None) if known else None,
                "url": url.replace(str(_ANY_ID), str(house.service_id)),
            }
        )
    return pagination.page(total, page, per_page, contents)


class AvailabilityView(APIView):
    """Houses near a postcode with free nights for some dates (public, no personal data)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="respite_availability",
        tags=TAG,
        summary="Find respite houses with free nights near a postcode (public)",
        description="The houses (directory services) with units of the wished kinds, funding and care "
        "profile within `radius_km` of the postcode, nearest first; per house the units free for the "
        "whole stay (`from` to `to`), the free units per night and, when none is free for the whole "
        "stay, the nearest stays of the same length that are. A held request counts as taken until its "
        "hold lapses. 400 naming the parameter for a missing or unknown postcode, dates in the wrong "
        f"order or in the past, a stay over {availability.MAX_NIGHTS} nights, a radius over "
        f"{availability.MAX_RADIUS_KM} km. No personal data.",
        parameters=AVAILABILITY_PARAMS,
        responses={200: _page_serializer("RespiteHousePage", RespiteHouseSerializer), 400: ERRORS},
    )
    def get(self, request):
        search = search_from(request)
        page, per_page = pagination.params(request, default=HOUSES_PER_PAGE, maximum=HOUSES_MAX_PER_PAGE)
        first = (page - 1) * per_page
        total, houses = availability.houses_page(search, slice(first, first + per_page))
        return Response(houses_data(request, search, total, houses, page, per_page))


# ------------------------------------------------------------------------------ stays


STAY_PARAM = OpenApiParameter("stay_id", {"type": "string", "format": "uuid"}, OpenApiParameter.PATH)
GUEST_FIELDS = {"name", "birth_year", "postcode", "target_groups", "wheelchair", "night_care", "behaviour"}


@closed
class RespiteNewGuestSerializer(serializers.Serializer):
    """The person who stays, described for the provider (no BSN)."""

    name = serializers.CharField(max_length=80, help_text="how the provider greets them")
    birth_year = serializers.IntegerField(required=False, allow_null=True, min_value=1900, max_value=2100)
    postcode = serializers.RegexField(geo.POSTCODE_RE.pattern, help_text="where they live (their gemeente)")
    target_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetGroup.values), required=False, max_length=6
    )
    wheelchair = serializers.BooleanField(required=False, default=False)
    night_care = serializers.BooleanField(required=False, default=False)
    behaviour = serializers.BooleanField(required=False, default=False)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "uuid", "description": "the id of a guest of your own"},
            {
                "type": "object",
                "description": "a new guest: the person who stays, described for the provider (no BSN)",
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 80},
                    "birth_year": {"type": "integer", "minimum": 1900, "maximum": 2100, "nullable": True},
                    "postcode": {"type": "string", "pattern": geo.POSTCODE_RE.pattern},
                    "target_groups": {
                        "type": "array",
                        "items": {"type": "string", "enum": TargetGroup.values},
                        "maxItems": 6,
                    },
                    "wheelchair": {"type": "boolean"},
                    "night_care": {"type": "boolean"},
                    "behaviour": {"type": "boolean"},
                },
                "required": ["name", "postcode"],
                "additionalProperties": False,
            },
        ],
        "nullable": True,
    }
)
class GuestField(serializers.Field):
    """A guest of one's own by id, or the fields of a new one (validated by the view)."""

    def to_internal_value(self, data):
        return data


@closed
class RespiteStayRequestSerializer(serializers.Serializer):
    service = serializers.UUIDField(help_text="the house (a directory service with units)")
    arrival = serializers.DateField()
    departure = serializers.DateField(help_text="after arrival; at most 42 nights later")
    funding = serializers.ChoiceField(choices=Funding.values)
    guest = GuestField(required=False, allow_null=True, help_text="a guest id of your own, or a new guest")
    needs = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    urgency = serializers.ChoiceField(choices=Urgency.values, required=False, default=Urgency.PLANNED)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    indication = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


@closed
class RespiteReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class RespiteGuestSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    birth_year = serializers.IntegerField(allow_null=True)
    target_groups = serializers.ListField(child=serializers.CharField())
    wheelchair = serializers.BooleanField()
    night_care = serializers.BooleanField()
    behaviour = serializers.BooleanField()


class RespiteUnitRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=", ".join(Kind.values))


class RespiteStaySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    state = serializers.ChoiceField(choices=Stay.State.values)
    seen_as = serializers.ChoiceField(
        choices=["requester", "provider", "coordinator"], help_text="as whom you see this stay"
    )
    service = RespiteRefSerializer()
    unit = RespiteUnitRefSerializer()
    arrival = serializers.DateField()
    departure = serializers.DateField()
    nights = serializers.IntegerField()
    hold_until = serializers.DateTimeField(
        allow_null=True, help_text="offered or held: until when the nights are kept for it"
    )
    funding = serializers.ChoiceField(choices=Funding.values)
    urgency = serializers.ChoiceField(choices=Urgency.values)
    needs = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)
    indication = serializers.CharField(allow_blank=True)
    guest = RespiteGuestSerializer(allow_null=True)
    reason = serializers.CharField(allow_blank=True, help_text="why it was declined or cancelled")
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


def stay_data(stay: Stay, seen_as: str) -> dict:
    guest = stay.guest
    unit = stay.unit
    return {
        "id": str(stay.pk),
        "state": stay.state,
        "seen_as": seen_as,
        "service": {"id": str(unit.service_id), "name": unit.service.name},
        "unit": {"id": str(unit.pk), "name": unit.name, "kind": unit.kind},
        "arrival": stay.arrival.isoformat(),
        "departure": stay.departure.isoformat(),
        "nights": stay.nights,
        "hold_until": stay.hold_until.isoformat() if stay.hold_until else None,
        "funding": stay.funding,
        "urgency": stay.urgency,
        "needs": stay.needs,
        "contact_phone": stay.contact_phone,
        "indication": stay.indication,
        "guest": {
            "id": str(guest.pk),
            "name": guest.name,
            "birth_year": guest.birth_year,
            "target_groups": list(guest.target_groups),
            "wheelchair": guest.wheelchair,
            "night_care": guest.night_care,
            "behaviour": guest.behaviour,
        }
        if guest is not None
        else None,
        "reason": stay.reason,
        "decided_at": stay.decided_at.isoformat() if stay.decided_at else None,
        "created_at": stay.created_at.isoformat(),
    }


def _body(request, serializer_class):
    """The validated JSON body, or a 400/415 in the API's error body (unknown members too)."""
    try:
        data = request.data
    except UnsupportedMediaType:
        raise _Answer(
            api_errors.response([api_errors.error("unsupported_media_type", "send application/json")], 415)
        ) from None
    except ParseError as error:
        raise _Answer(api_errors.response([api_errors.error("invalid_json", str(error.detail))])) from None
    if data is None or (hasattr(data, "__len__") and not data and not isinstance(data, dict)):
        data = {}
    if not isinstance(data, dict):
        raise _Answer(
            api_errors.response([api_errors.error("invalid_type", "the body must be a JSON object")])
        )
    fields = set(serializer_class().fields)
    problems = [
        api_errors.error("unknown_field", f"{name!r} is not a field of this request", field=name)
        for name in sorted(set(data) - fields)
    ]
    if problems:
        raise _Answer(api_errors.response(problems))
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class _Answer(Exception):
    def __init__(self, response):
        self.response = response


def refusal(refused: services.Refused):
    """A service's refusal as an answer: 409 when the nights or the state moved on, else 400."""
    status = 409 if isinstance(refused, (services.NoCapacity, services.Conflict)) else 400
    return api_errors.response([api_errors.error(refused.code, refused.message)], status)


def _guest(request, value) -> Guest | None:
    """The guest of the request: one's own by id, or a new one from its fields; 400 otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        guest = selectors.guest_of(request.user, value) if _is_uuid(value) else None
        if guest is None:
            raise BadRequest("guest", "not_found", _("You have no guest with this id."))
        return guest
    if not isinstance(value, dict):
        raise BadRequest("guest", "invalid_type", _("guest must be a guest id or the fields of a new guest."))
    unknown = sorted(set(value) - GUEST_FIELDS)
    if unknown:
        raise BadRequest(f"guest.{unknown[0]}", "unknown_field", f"{unknown[0]!r} is not a field of a guest")
    serializer = RespiteNewGuestSerializer(data=value)
    if not serializer.is_valid():
        name, messages = next(iter(serializer.errors.items()))
        raise BadRequest(
            f"guest.{name}", "invalid", str(messages[0] if isinstance(messages, list) else messages)
        )
    fields = dict(serializer.validated_data)
    postcode = fields.pop("postcode")
    try:
        return services.guest_save(owner=request.user, postcode=postcode, **fields)
    except geo.PostcodeError as error:
        raise BadRequest("guest.postcode", error.code, error.message) from None
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise BadRequest(f"guest.{name}", "invalid", messages[0]) from None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class RespiteAPIView(APIView):
    parser_classes = [JSONParser]

    def handle_exception(self, exc):
        if isinstance(exc, _Answer):
            return exc.response
        return super().handle_exception(exc)


class StayRequestView(RespiteAPIView):
    """Request a stay: the nights are held while the provider decides."""

    @extend_schema(
        operation_id="respite_stays_create",
        tags=TAG,
        summary="Request a respite stay (signed in)",
        description="Holds the nights of one unit of the house that fits the guest's needs (wheelchair, "
        "care at night, behaviour) and the funding, for `RESPITE_HOLD_HOURS` (48) while the provider "
        "decides. 201 with the stay. 409 `capacity_gone` when the nights have been taken; 400 with the "
        "refusal's code (`dates_in_wrong_order`, `arrival_in_the_past`, `stay_too_long`, "
        "`no_matching_place`, `allowance_exceeded`) or naming the field. `guest`: the id of a guest of "
        "your own, or the fields of a new one. Send the CSRF token (X-CSRFToken) with the session; an "
        "`Idempotency-Key` header makes a retry safe (one stay, the same answer).",
        request=RespiteStayRequestSerializer,
        responses={
            201: RespiteStaySerializer,
            400: ERRORS,
            403: ERRORS,
            409: ERRORS,
            415: ERRORS,
            422: ERRORS,
        },
    )
    @method_decorator(personal)
    def post(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated
        data = _body(request, RespiteStayRequestSerializer)
        service = _service(data["service"])
        guest_value = data.get("guest")
        guest = _guest(request, guest_value)
        need = availability.Need(
            wheelchair=bool(guest and guest.wheelchair),
            night_care=bool(guest and guest.night_care),
            behaviour=bool(guest and guest.behaviour),
        )
        try:
            stay = services.stay_request(
                request=request,
                service=service,
                arrival=data["arrival"],
                departure=data["departure"],
                guest=guest,
                funding=data["funding"],
                need=need,
                urgency=data["urgency"],
                needs=data["needs"],
                contact_phone=data["contact_phone"],
                indication=data["indication"],
            )
        except services.Refused as refused:  # the service wrote the request's audit row
            if guest is not None and isinstance(guest_value, dict):
                guest.delete()  # a new guest is kept only with its stay
            return refusal(refused)
        stay = Stay.objects.select_related("unit__service", "guest").get(pk=stay.pk)
        response = Response(stay_data(stay, "requester"), status=201)
        response["Location"] = reverse("api:respite-stay", args=[stay.pk])
        return response


def _service(service_id):
    from mantelzorg.directory.models import Service

    service = Service.objects.published().filter(pk=service_id).first()
    if service is None:
        raise BadRequest("service", "not_found", _("There is no such house."))
    return service


class StayDetailView(RespiteAPIView):
    @extend_schema(
        operation_id="respite_stays_read",
        tags=TAG,
        summary="A respite stay (its requester, the provider, the regional coordinator)",
        description="`seen_as` says as whom you see it. Anyone else, signed in or not: 404 (audited).",
        parameters=[STAY_PARAM],
        responses={200: RespiteStaySerializer, 404: ERRORS},
    )
    @method_decorator(personal)
    def get(self, request, stay_id):
        seen = selectors.stay_get(request, stay_id, action="respite.stay.viewed")
        return Response(stay_data(seen.stay, seen.as_))


class _TransitionView(RespiteAPIView):
    """A POST that moves a stay on: who may (``as_``), the service, the answer."""

    action = ""
    as_: tuple[str, ...] = ()

    def change(self, request, seen, reason: str) -> Stay:
        raise NotImplementedError

    def post(self, request, stay_id):
        data = _body(request, RespiteReasonSerializer)
        seen = selectors.stay_get(request, stay_id, action=self.action, read=False, as_=self.as_)
        try:
            stay = self.change(request, seen, data["reason"])
        except services.Refused as refused:  # the service wrote the request's audit row
            return refusal(refused)
        stay = Stay.objects.select_related("unit__service", "guest").get(pk=stay.pk)
        return Response(stay_data(stay, seen.as_))


def _transition_schema(operation_id: str, summary: str, description: str, *, body: bool):
    return extend_schema(
        operation_id=operation_id,
        tags=TAG,
        summary=summary,
        description=description
        + " Not yours to do (or not a stay you see): 404 (audited). 409 `state_changed` when another "
        "request moved the stay on first, `hold_expired` when its time ran out. Send the CSRF token "
        "(X-CSRFToken) with the session; an `Idempotency-Key` header makes a retry safe.",
        parameters=[STAY_PARAM],
        request=RespiteReasonSerializer if body else None,
        responses={
            200: RespiteStaySerializer,
            400: ERRORS,
            404: ERRORS,
            409: ERRORS,
            415: ERRORS,
            422: ERRORS,
        },
    )


class StayConfirmView(_TransitionView):
    action, as_ = "respite.stay.confirmed", ("provider",)

    def change(self, request, seen, reason):
        return services.stay_confirm(request=request, stay=seen.stay)

    @_transition_schema(
        "respite_stays_confirm",
        "Confirm a requested stay (the provider)",
        "A held request becomes a booking while its hold runs; the nights were held by the request, so "
        "a confirm never takes more than there is. No body (or `{}`).",
        body=False,
    )
    @method_decorator(personal)
    def post(self, request, stay_id):
        return super().post(request, stay_id)


class StayDeclineView(_TransitionView):
    action, as_ = "respite.stay.declined", ("provider",)

    def change(self, request, seen, reason):
        return services.stay_decline(request=request, stay=seen.stay, reason=reason)

    @_transition_schema(
        "respite_stays_decline",
        "Decline a requested stay with a reason (the provider)",
        "`reason` is required (400 `reason_required`); the nights go to the waiting list.",
        body=True,
    )
    @method_decorator(personal)
    def post(self, request, stay_id):
        return super().post(request, stay_id)


class StayCancelView(_TransitionView):
    action, as_ = "respite.stay.cancelled", ("requester", "provider")

    def change(self, request, seen, reason):
        if seen.as_ == "provider":
            return services.stay_cancel(request=request, stay=seen.stay, by_provider=True, reason=reason)
        return services.stay_cancel(request=request, stay=seen.stay, reason=reason)

    @_transition_schema(
        "respite_stays_cancel",
        "Cancel a request or a booking (the requester; the provider with a reason)",
        "The nights go to the waiting list. The provider must give a `reason` (400 `reason_required`).",
        body=True,
    )
    @method_decorator(personal)
    def post(self, request, stay_id):
        return super().post(request, stay_id)


class StayAcceptView(_TransitionView):
    action, as_ = "respite.offer.accepted", ("requester",)

    def change(self, request, seen, reason):
        return services.offer_accept(request=request, stay=seen.stay)

    @_transition_schema(
        "respite_stays_accept",
        "Accept a waiting-list offer (the person it was offered to)",
        "The offer becomes a request the provider decides on (held for 48 hours); the yearly allowance "
        "is checked (400 `allowance_exceeded`). No body (or `{}`).",
        body=False,
    )
    @method_decorator(personal)
    def post(self, request, stay_id):
        return super().post(request, stay_id)
