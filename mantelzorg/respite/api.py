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

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from mantelzorg.api import pagination
from mantelzorg.api.errors import BadRequest, ErrorsSerializer
from mantelzorg.core import geo

from . import availability
from .models import PLANNED_KINDS, Funding, Kind, TargetGroup

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
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=Kind.values))
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


def houses_data(request, search: availability.Search, houses, page: int, per_page: int) -> dict:
    """A page of houses (published services only) with their names, place and phone: three
    queries for the page, whatever its size."""
    from mantelzorg.directory.models import Address, Phone, Service

    published = {
        s.pk: s
        for s in Service.objects.published()
        .filter(pk__in=[h.service_id for h in houses])
        .select_related("organization")
    }
    houses = [h for h in houses if h.service_id in published]
    first = (page - 1) * per_page
    shown = houses[first : first + per_page]
    location_ids = {h.location_id for h in shown}
    places = {}
    for address in Address.objects.filter(location_id__in=location_ids).select_related("location"):
        places.setdefault(address.location_id, address)
    service_ids = [h.service_id for h in shown]
    org_ids = [published[pk].organization_id for pk in service_ids]
    phones: dict = {}
    for phone in Phone.objects.filter(
        Q(service_id__in=service_ids) | Q(location_id__in=location_ids) | Q(organization_id__in=org_ids)
    ).order_by("pk"):
        for key in (phone.service_id, phone.location_id, phone.organization_id):
            if key is not None:
                phones.setdefault(key, phone.number)
    contents = []
    for house in shown:
        service = published[house.service_id]
        address = places.get(house.location_id)
        location = address.location if address is not None else None
        contents.append(
            {
                "service": {"id": str(service.pk), "name": service.name},
                "organization": {"id": str(service.organization_id), "name": service.organization.name},
                "location": {
                    "id": str(house.location_id),
                    "name": location.name if location else "",
                    "place": address.city if address else "",
                    "municipality": location.municipality_id if location else None,
                },
                "distance_km": house.distance_km,
                "kinds": sorted({u["kind"] for u in house.units}),
                "units": len(house.units),
                "available": house.available,
                "free_units": len(house.free_unit_ids),
                "free_per_night": [
                    {"date": (search.arrival + dt.timedelta(days=n)).isoformat(), "free": free}
                    for n, free in enumerate(house.free_per_night)
                ],
                "nearest_free": [
                    {"arrival": a.isoformat(), "departure": d.isoformat()} for a, d in house.alternatives
                ],
                "phone": phones.get(service.pk)
                or phones.get(house.location_id)
                or phones.get(service.organization_id),
                "url": request.build_absolute_uri(reverse("directory:service_detail", args=[service.pk])),
            }
        )
    return pagination.page(len(houses), page, per_page, contents)


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
        houses = availability.search_houses(search)
        return Response(houses_data(request, search, houses, page, per_page))
