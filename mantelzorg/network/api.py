"""Care network API: the caller's networks, a network's agenda (occurrences in a window) and tasks,
claiming a task, and the network as a FHIR R4 CareTeam. ``docs/api/network.md`` describes it.

Signed in with the site's session (DRF ``SessionAuthentication``: a POST needs the CSRF token,
as every form of the site). Access is the network's own rule, ``selectors.network_access``: a
person who is not an active member of the network, signed in or not, gets 404 (audited as
denied), in the API's one error body (``mantelzorg.api.errors``) under /api/v1/ and as a FHIR
OperationOutcome under /api/fhir/. Every read of the agenda, the tasks or the members is audited
(one row per request). Every answer is personal: ``Cache-Control: no-store``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from mantelzorg.api import errors as api_errors
from mantelzorg.api import pagination
from mantelzorg.api.errors import BadRequest, ErrorsSerializer
from mantelzorg.api.fhir import FHIR_JSON, FHIRJSONRenderer, operation_outcome
from mantelzorg.core import audit
from mantelzorg.core.http import personal

from . import fhir_r4, selectors, services
from .models import Kind, Role, Task, TaskKind
from .recurrence import TZ
from .selectors import Access

DEFAULT_DAYS = 30  # the window when ``to`` is not given: from .. from + 30 days
MAX_DAYS = 366  # the widest window of the agenda
TASKS_PER_PAGE, TASKS_MAX_PER_PAGE = 50, 200
TAG = ["network"]
# The agenda's years, in Europe/Amsterdam: from local midnight of 1 January 1900 to that of 3000.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=TZ)
LATEST = dt.datetime(3000, 1, 1, tzinfo=TZ)
FIRST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)  # a filter's bound before the calendar's first day
LAST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


# ------------------------------------------------------------------------------ serializers (schema)


class MunicipalityRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="CBS code, e.g. GM0363")
    name = serializers.CharField()


class NetworkLinksSerializer(serializers.Serializer):
    appointments = serializers.CharField(help_text="this network's agenda in the API")
    tasks = serializers.CharField()
    care_team = serializers.CharField(help_text="the network as a FHIR R4 CareTeam")
    web = serializers.CharField(help_text="the network's page on the site")


class NetworkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    recipient_name = serializers.CharField(help_text="the naaste: the person cared for")
    role = serializers.ChoiceField(choices=Role.values, help_text="the caller's role in this network")
    municipality = MunicipalityRefSerializer(allow_null=True)
    links = NetworkLinksSerializer()


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the membership id in this network")
    name = serializers.CharField()


class OccurrenceSerializer(serializers.Serializer):
    appointment = serializers.UUIDField(help_text="the agenda item (a series has many occurrences)")
    uid = serializers.CharField(help_text="iCalendar UID of the item, as in the calendar feed")
    original_start = serializers.DateTimeField(
        help_text="the start the series gives this occurrence (iCalendar RECURRENCE-ID)"
    )
    starts_at = serializers.DateTimeField(
        help_text="RFC 3339 with the offset of Europe/Amsterdam (before 1937, when that offset had "
        "seconds, in UTC)"
    )
    ends_at = serializers.DateTimeField()
    all_day = serializers.BooleanField(help_text="all day: starts and ends at local midnight")
    kind = serializers.ChoiceField(choices=Kind.values)
    title = serializers.CharField()
    place = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    cancelled = serializers.BooleanField()
    changed = serializers.BooleanField(help_text="this occurrence differs from its series")
    recurring = serializers.BooleanField()
    rrule = serializers.CharField(allow_blank=True, help_text="RFC 5545 RRULE value, empty when once")
    goers = PersonRefSerializer(many=True, help_text="who goes")


class AgendaSerializer(serializers.Serializer):
    network = serializers.UUIDField()
    start = serializers.DateTimeField(help_text="the window's start (inclusive)")
    end = serializers.DateTimeField(help_text="the window's end (exclusive)")
    occurrences = OccurrenceSerializer(many=True, help_text="every occurrence overlapping the window")


class TaskItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=TaskKind.values)
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    all_day = serializers.BooleanField(help_text="any time that day (or over a period of days)")
    status = serializers.ChoiceField(choices=Task.Status.values)
    claimed_by = PersonRefSerializer(allow_null=True, help_text="who does it; null when nobody does")
    standin_requested = serializers.BooleanField(help_text="the claimer asks someone to take it over")


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


ERRORS = OpenApiResponse(ErrorsSerializer, description="The error body of the whole API (api.errors)")
WINDOW_PARAMS = [
    OpenApiParameter(
        "from",
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]},
        description="Start of the window: a date (that day, Europe/Amsterdam) or an ISO 8601 date-time "
        "(without an offset: Europe/Amsterdam).",
    ),
    OpenApiParameter(
        "to",
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]},
        description="End of the window: a date (up to and including that day) or a date-time (exclusive).",
    ),
]


# ------------------------------------------------------------------------------ helpers


def _when(request, name: str, *, end: bool, strict: bool) -> dt.datetime | None:
    """The query parameter ``name`` as an aware time: a date is its local midnight (for an end:
    the midnight after it), a date-time without an offset is local time; 400 when it is neither.
    ``strict`` (the agenda): years 1900-2999 only, else 400; otherwise (a filter) a time past the
    ends of the calendar counts as its first or last day."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    message = _("%(name)s must be a date (2026-12-31) or a date-time (2026-12-31T10:00:00+01:00).") % {
        "name": name
    }
    try:
        day = parse_date(raw) if len(raw) == 10 else None
        moment = parse_datetime(raw) if day is None else None
    except ValueError:
        raise BadRequest(name, "invalid", message) from None
    if day is None and moment is None:
        raise BadRequest(name, "invalid", message)
    try:
        if day is not None:
            value = dt.datetime.combine(day, dt.time(), tzinfo=TZ)
            value = value + dt.timedelta(days=1) if end else value
        else:
            assert moment is not None
            value = (moment.replace(tzinfo=TZ) if timezone.is_naive(moment) else moment).astimezone(dt.UTC)
    except OverflowError:  # at the ends of the calendar (year 1 or 9999)
        if strict:
            raise BadRequest(name, "out_of_range", _range_message(name)) from None
        year = day.year if day is not None else moment.year if moment is not None else 1
        return FIRST if year < 5000 else LAST
    # The expansion of a series steps hours and lengths around the window: no year 1 or 9999. A
    # start lies before 3000, an end after the start of 1900.
    if strict and not (EARLIEST < value <= LATEST if end else EARLIEST <= value < LATEST):
        raise BadRequest(name, "out_of_range", _range_message(name))
    return value


def _range_message(name: str) -> str:
    return _("%(name)s must be in the years 1900 to 2999.") % {"name": name}


def window(request, *, required: bool) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(start, end) of ``from`` and ``to``. For the agenda (``required``): from defaults to today,
    to to from + 30 days; to after from, at most 366 days, else 400. For a filter both may be
    open, and an empty window matches nothing."""
    start = _when(request, "from", end=False, strict=required)
    end = _when(request, "to", end=True, strict=required)
    if not required:
        return start, end
    if start is None:
        start = dt.datetime.combine(timezone.localdate(timezone=TZ), dt.time(), tzinfo=TZ)
    if end is None:
        end = start + dt.timedelta(days=DEFAULT_DAYS)
    if end <= start:
        raise BadRequest("to", "invalid", _("to must be after from."))
    if end - start > dt.timedelta(days=MAX_DAYS):
        raise BadRequest("to", "invalid", _("The window can be at most %(days)s days.") % {"days": MAX_DAYS})
    return start, end


def _iso(value: dt.datetime) -> str:
    """ISO 8601 with the offset of Europe/Amsterdam; RFC 3339 (OpenAPI's ``date-time``) has no
    seconds in an offset, so before 1937 (Amsterdam time, +00:19:32) the instant is given in UTC."""
    local = value.astimezone(TZ)
    offset = local.utcoffset()
    if offset is not None and offset.seconds % 60:
        return value.astimezone(dt.UTC).isoformat()
    return local.isoformat()


def _person(membership) -> dict | None:
    if membership is None:
        return None
    return {"id": membership.pk, "name": membership.display_name}


def network_data(request, access: Access) -> dict:
    network = access.network
    municipality = network.municipality
    ids = {"network_id": network.pk}
    return {
        "id": str(network.pk),
        "recipient_name": network.recipient_name,
        "role": access.role,
        "municipality": {"code": municipality.code, "name": municipality.name_everyday}
        if municipality
        else None,
        "links": {
            "appointments": request.build_absolute_uri(reverse("api:network-appointments", kwargs=ids)),
            "tasks": request.build_absolute_uri(reverse("api:network-tasks", kwargs=ids)),
            "care_team": request.build_absolute_uri(reverse("api:fhir-careteam", kwargs=ids)),
            "web": request.build_absolute_uri(reverse("network:home", kwargs=ids)),
        },
    }


def occurrence_data(o) -> dict:
    a = o.appointment
    return {
        "appointment": str(a.pk),
        "uid": a.uid,
        "original_start": _iso(o.original_start),
        "starts_at": _iso(o.starts_at),
        "ends_at": _iso(o.ends_at),
        "all_day": o.all_day,
        "kind": o.kind,
        "title": o.title,
        "place": o.place,
        "note": o.note,
        "cancelled": o.cancelled,
        "changed": o.changed,
        "recurring": o.recurring,
        "rrule": a.rrule,
        "goers": [_person(m) for m in a.goers.all()],
    }


def task_data(task: Task) -> dict:
    return {
        "id": str(task.pk),
        "kind": task.kind,
        "title": task.title,
        "starts_at": _iso(task.starts_at),
        "ends_at": _iso(task.ends_at),
        "all_day": task.all_day,
        "status": task.status,
        "claimed_by": _person(task.claimed_by),
        "standin_requested": task.standin_requested_at is not None,
    }


# ------------------------------------------------------------------------------ reads (audited)
# API-only reads; the shared selectors have none of these yet.


def task_page(request, access: Access, *, status, start, end, page: int, per_page: int):
    """(total, tasks of one page) of the network, soonest first, with their claimer (audited)."""
    rows = Task.objects.filter(network=access.network)
    if status:
        rows = rows.filter(status=status)
    if start is not None:
        rows = rows.filter(ends_at__gt=start)
    if end is not None:
        rows = rows.filter(starts_at__lt=end)
    total, first = rows.count(), (page - 1) * per_page
    items = (
        list(rows.select_related("claimed_by__user").order_by("starts_at", "pk")[first : first + per_page])
        if first < total
        else []
    )
    selectors.log_read(request, access, action="network.task.listed")
    return total, items


def task_for_claim(request, task_id) -> tuple[Access, Task]:
    """The task and the caller's access to its network; 404 (audited) for a task that does not
    exist or is in a network the caller is not in."""
    task = Task.objects.select_related("claimed_by__user").filter(pk=task_id).first()
    if task is None:
        audit.denied(
            request=request,
            action="network.task.claimed",
            object_type="network.task",
            object_id=str(task_id),
            purpose="no such task",
        )
        raise Http404
    access = selectors.network_access(request, task.network_id, action="network.task.claimed")
    return access, task


# ------------------------------------------------------------------------------ views


class NetworkListView(APIView):
    """The networks the signed-in person is an active member of, with their role in each.

    Not signed in: 403 ``not_authenticated``, raised in the view rather than by a permission
    class, so that the schema declares the session as optional as for every other operation (the
    fuzzer then sends no request "without the required cookie" that still carries it)."""

    @extend_schema(
        operation_id="networks_list",
        tags=TAG,
        summary="My care networks (signed in)",
        description="The networks you are an active member of, with your role in each, by the name of "
        "the person cared for. Not signed in: 403.",
        parameters=pagination.schema_params(),
        responses={200: _page_serializer("NetworkPage", NetworkSerializer), 400: ERRORS, 403: ERRORS},
    )
    @method_decorator(personal)
    def get(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated
        page, per_page = pagination.params(request)
        rows = selectors.network_list(request)
        first = (page - 1) * per_page
        contents = [network_data(request, a) for a in rows[first : first + per_page]]
        return Response(pagination.page(len(rows), page, per_page, contents))


class NetworkAppointmentsView(APIView):
    """The agenda of one network: every occurrence in a window, series expanded."""

    @extend_schema(
        operation_id="networks_appointments_list",
        tags=TAG,
        summary="A network's agenda: occurrences in a window (members)",
        description=f"`from` defaults to today, `to` to {DEFAULT_DAYS} days after `from`; the window is "
        f"at most {MAX_DAYS} days. Repeating items are expanded in Europe/Amsterdam (a weekly 10:00 stays "
        "10:00 across summer time); an occurrence that was moved, changed or cancelled says so; a removed "
        "one is left out. Not a member: 404.",
        parameters=WINDOW_PARAMS,
        responses={200: AgendaSerializer, 400: ERRORS, 404: ERRORS},
    )
    @method_decorator(personal)
    def get(self, request, network_id):
        access = selectors.network_access(request, network_id, action="network.agenda.viewed")
        start, end = window(request, required=True)
        assert start is not None and end is not None
        occurrences = selectors.agenda(request, access, start, end)
        return Response(
            {
                "network": str(access.network.pk),
                "start": _iso(start),
                "end": _iso(end),
                "occurrences": [occurrence_data(o) for o in occurrences],
            }
        )


class NetworkTasksView(APIView):
    """The tasks of one network, soonest first, paged."""

    @extend_schema(
        operation_id="networks_tasks_list",
        tags=TAG,
        summary="A network's tasks (members)",
        description="Filter by `status` and by a window (`from`, `to`: tasks that overlap it). Not a member: 404.",
        parameters=[
            OpenApiParameter("status", {"type": "string", "enum": Task.Status.values}),
            *WINDOW_PARAMS,
            *pagination.schema_params(default=TASKS_PER_PAGE, maximum=TASKS_MAX_PER_PAGE),
        ],
        responses={200: _page_serializer("TaskPage", TaskItemSerializer), 400: ERRORS, 404: ERRORS},
    )
    @method_decorator(personal)
    def get(self, request, network_id):
        access = selectors.network_access(request, network_id, action="network.task.listed")
        status = request.query_params.get("status")
        if status is not None and status not in Task.Status.values:
            raise BadRequest(
                "status",
                "invalid",
                _("status must be one of %(values)s.") % {"values": ", ".join(Task.Status.values)},
            )
        start, end = window(request, required=False)
        page, per_page = pagination.params(request, default=TASKS_PER_PAGE, maximum=TASKS_MAX_PER_PAGE)
        total, tasks = task_page(
            request, access, status=status, start=start, end=end, page=page, per_page=per_page
        )
        return Response(pagination.page(total, page, per_page, [task_data(t) for t in tasks]))


class TaskClaimView(APIView):
    """Claim a task: one conditional UPDATE decides who has it (``services.task_claim``)."""

    @extend_schema(
        operation_id="tasks_claim",
        tags=TAG,
        summary="Claim a task (members who help)",
        description="200 with the task, now yours (claiming a task you already have changes nothing); "
        "a task whose claimer asked for a stand-in is taken over. 409 when someone else has it (the "
        "message names them), it is done or it was cancelled. 403 for a role that does not take on tasks "
        "(a professional, the person cared for): they see the task list, so the task is no secret to them. "
        "404 for a task in a network you are not in. Send the CSRF token (X-CSRFToken) with the session; "
        "an `Idempotency-Key` header makes a retry safe (core/idempotency.py).",
        request=None,
        responses={200: TaskItemSerializer, 400: ERRORS, 403: ERRORS, 404: ERRORS, 409: ERRORS, 422: ERRORS},
    )
    @method_decorator(personal)
    def post(self, request, task_id):
        access, task = task_for_claim(request, task_id)
        if not access.claims_tasks:
            audit.denied(
                request=request,
                action="network.task.claimed",
                obj=task,
                purpose="membership lacks claims_tasks",
            )
            return api_errors.response(
                [
                    api_errors.error(
                        "not_allowed", _("In your role in this network you do not take on tasks.")
                    )
                ],
                403,
            )
        try:
            task = services.task_claim(request=request, access=access, task=task)
        except services.TaskTaken as taken:
            return api_errors.response([_taken_error(task, taken.holder)], 409)
        except (PermissionError, ValidationError) as refused:
            return api_errors.response([api_errors.error("not_allowed", str(refused))], 403)
        return Response(task_data(task))


def _taken_error(task: Task, holder) -> dict:
    current = Task.objects.filter(pk=task.pk).values_list("status", flat=True).first()
    if holder is None or current == Task.Status.CANCELLED:
        return api_errors.error("cancelled", _("This task was cancelled."))
    if current == Task.Status.DONE:
        return api_errors.error("done", _("This task is already done."))
    return api_errors.error("taken", _("%(name)s already does this.") % {"name": holder.display_name})


class CareTeamView(APIView):
    """The network as a FHIR R4 CareTeam (``fhir_r4.care_team``)."""

    renderer_classes = [FHIRJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="fhir_careteam_read",
        tags=["fhir"],
        summary="FHIR: a care network as CareTeam (members)",
        description="A FHIR R4 CareTeam: the person cared for as `subject` (a contained Patient), every "
        "member as a `participant` with a contained RelatedPerson or Practitioner (Koppeltaal 2.0 role "
        "codes, SNOMED CT). E-mail and phone only for members who may see contact details. Not a member: "
        "404 OperationOutcome.",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="FHIR R4 CareTeam"),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="FHIR OperationOutcome"),
        },
    )
    @method_decorator(personal)
    def get(self, request, network_id):
        try:
            access = selectors.network_access(request, network_id, action="network.member.listed")
        except Http404:
            return operation_outcome("not-found", f"CareTeam/{network_id} is not known", 404)
        members = selectors.member_list(request, access)
        resource = fhir_r4.care_team(access.network, members, contacts=access.sees_contacts)
        return Response(resource, content_type=FHIR_JSON)
