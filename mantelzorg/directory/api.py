"""The HSDS 3.0 API of the sociale kaart (read-only, anonymous): ``/api/hsds/3.0/``.

Only published services are visible; an organization is visible when it offers at least one
published service. List endpoints answer an HSDS Page; unknown ids give a 404 with a JSON
``errors`` body; bad parameters a 400 with ``errors`` [{field, code, message}].
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from mantelzorg.api import errors, pagination
from mantelzorg.api.renderers import JSONRenderer
from mantelzorg.core import geo

from . import search, taxonomy, text
from .hsds import capacity, shapes
from .hsds import fields as hsds_fields
from .hsds.extensions import EXTENSIONS
from .models import (
    Organization,
    SearchEntry,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PROXIMITY_M = 250_000
TAG = ["HSDS 3.0"]


# --- parameters -----------------------------------------------------------------------------


# Every parameter is read as the schema declares it (docs/api/openapi.yaml): a value of another
# form, the empty string included, is a 400 naming the parameter; leaving it out is the default.
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", re.ASCII)


def _bool_param(request, name):
    raw = request.query_params.get(name)
    if raw is None:
        return False
    if raw in ("true", "false"):
        return raw == "true"
    raise errors.BadRequest(name, "invalid", f"{name} must be true or false.")


def _uuid_param(request, name):
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not _UUID.fullmatch(raw):
        raise errors.BadRequest(name, "invalid", f"{name} must be a UUID.")
    return uuid.UUID(raw)


def _datetime_param(request, name):
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        # In UTC here, where 0001-01-01T00:00+23:59 or 9999-12-31T23:59-23:59 cannot be (OverflowError).
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise errors.BadRequest(name, "invalid", f"{name} must be an ISO 8601 date or date-time.") from None


def _text_param(request, name):
    """A free-text parameter without NUL characters (PostgreSQL refuses them in a query)."""
    return (request.query_params.get(name) or "").replace("\x00", "").strip()


def _paging(request):
    """(page, per_page) as every API list pages, and HSDS's ``format`` (only json)."""
    page, per_page = pagination.params(request, default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    if request.query_params.get("format", "json") != "json":
        raise errors.BadRequest("format", "unsupported", "Only format=json is supported.")
    return page, per_page


def _place(request):
    """(place, radius_km) from postcode and proximity (metres), or (None, None)."""
    raw = request.query_params.get("postcode")
    proximity = pagination.int_param(request, "proximity", None, maximum=MAX_PROXIMITY_M)
    if raw is None:
        return None, None  # proximity is measured from a postcode: without one it is ignored
    try:
        place = geo.resolve_postcode(raw)
    except geo.PostcodeError as error:
        raise errors.BadRequest("postcode", error.code, error.message) from None
    return place, (proximity / 1000 if proximity else None)


def _not_found(what: str):
    raise NotFound(f"No {what} with this id.")


def _get_id(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class HsdsView(APIView):
    """Public, read-only: no session lookup, no CSRF."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # Always JSON; HSDS's own ``format`` parameter is checked by ``_paging``.
        renderer = JSONRenderer()
        return renderer, renderer.media_type


PAGE_PARAMS = [
    *pagination.schema_params(default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE),
    OpenApiParameter("format", {"type": "string", "enum": ["json"]}, description="Only json."),
]
SEARCH = OpenApiParameter("search", str, description="Words to search for (Dutch stemming).")
FULL = OpenApiParameter("full", bool, description="true: fully nested items.")
FILTERS = [
    OpenApiParameter("taxonomy_term_id", OpenApiTypes.UUID, description="Only services with this term."),
    OpenApiParameter(
        "taxonomy_id", OpenApiTypes.UUID, description="Only services with a term of this taxonomy."
    ),
    OpenApiParameter("organization_id", OpenApiTypes.UUID, description="Only services of this organization."),
    OpenApiParameter(
        "modified_after",
        OpenApiTypes.DATETIME,
        description="Only services changed at or after; also lists services withdrawn since "
        "(status defunct), so that a synchronising client can remove them.",
    ),
    OpenApiParameter(
        "postcode",
        {"type": "string", "pattern": geo.POSTCODE_RE.pattern},
        description="Dutch postcode (1234 or 1234 AB). Without proximity: "
        "services in or serving its gemeente. A malformed postcode gives 400.",
    ),
    OpenApiParameter(
        "proximity",
        {"type": "integer", "minimum": 1, "maximum": MAX_PROXIMITY_M},
        description="Metres from the postcode's centroid; nearest first. Ignored without a postcode.",
    ),
]
PAGE_RESPONSE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="HSDS Page: total_items, total_pages, "
    "page_number, size, first_page, last_page, empty, contents.",
)
ERRORS = OpenApiResponse(errors.ErrorsSerializer, description="The error body of the whole API (api.errors)")


# --- meta -----------------------------------------------------------------------------------


class MetaView(HsdsView):
    @extend_schema(
        operation_id="hsds_getAPIMetaInformation",
        tags=TAG,
        summary="HSDS API information",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(
            {
                "version": hsds_fields.HSDS_VERSION,
                "profile": request.build_absolute_uri(reverse("api:hsds-profile")),
                # HSDS: "URL of the openapi JSON file which defines this API" (our whole document).
                "openapi_url": request.build_absolute_uri(reverse("api:schema-json")),
                "publisher": {"name": "Mantelzorg — sociale kaart", "url": request.build_absolute_uri("/")},
            }
        )


class ProfileView(HsdsView):
    @extend_schema(
        operation_id="hsds_getProfile",
        tags=TAG,
        summary="Our HSDS profile: taxonomies and extensions",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(profile_document(request))


def profile_document(request) -> dict:
    taxonomies = [
        {
            "id": str(taxonomy.taxonomy_id(code)),
            "code": code,
            "name": name,
            "name_en": name_en,
            "uri": taxonomy.TAXONOMY_URI + code,
            "terms": [
                {"id": str(taxonomy.term_id(code, t)), "code": t, "name": n, "name_en": ne}
                for t, n, ne, _ in taxonomy.TERMS[code]
            ],
        }
        for code, (name, name_en, _description) in taxonomy.TAXONOMIES.items()
    ]
    return {
        "name": "Mantelzorg HSDS 3.0 profile (Netherlands)",
        "hsds_version": hsds_fields.HSDS_VERSION,
        "url": request.build_absolute_uri(reverse("api:hsds-profile")),
        "description": "Open Referral HSDS 3.0 for Dutch support for informal carers (mantelzorgers). "
        "Extra fields below are extensions; every other field is HSDS 3.0. "
        "Texts are Dutch unless a field ends in _en.",
        "conventions": {
            "ids": "UUID. Taxonomy and term ids are UUIDv5 of their codes: the same on every installation.",
            "classification": "attributes (link_entity 'service') → taxonomy_term.",
            "schedules": "RFC 5545: freq WEEKLY or MONTHLY (DAILY/YEARLY in extension rrule_freq); opens_at "
            "and closes_at are Europe/Amsterdam wall-clock times with the standard offset "
            "(09:00:00+01:00; in CSV 09:00:00, the offset in timezone); closes_at not after opens_at = "
            "open past midnight.",
            "service_area": "one gemeente (municipality_code, CBS code such as GM0363) or is_national; an "
            "imported area with neither is kept and given back, but serves no gemeente.",
            "kept": "official HSDS fields and tables the sociale kaart does not use (funding, programs, "
            "required_documents, metadata, ...) are kept as imported and given back; references to records "
            "outside the imported file are kept as ids (docs/api/hsds-round-trip.md).",
            "visibility": "only published services; organizations that offer at least one.",
        },
        "parameters": {
            "postcode": "Dutch postcode (1234 or 1234 AB); without proximity: services in or serving its "
            "gemeente, plus national services. Malformed or unknown → 400.",
            "proximity": "metres from the postcode's centroid (needs postcode): services with a location "
            "within it, nearest first, after services without a location that serve the gemeente.",
            "search": "Dutch words, Snowball-stemmed; each must start a word of the service.",
            "per_page": f"default {DEFAULT_PER_PAGE}, at most {MAX_PER_PAGE}.",
        },
        "extensions": EXTENSIONS,
        "taxonomies": taxonomies,
    }


# --- services -------------------------------------------------------------------------------


def _service_filters(request, qs):
    """Filters shared by /services and /service_at_locations (qs: published services)."""
    term = _uuid_param(request, "taxonomy_term_id")
    tax = _uuid_param(request, "taxonomy_id")
    org = _uuid_param(request, "organization_id")
    after = _datetime_param(request, "modified_after")
    if term:
        qs = qs.filter(attributes__taxonomy_term_id=term)
    if tax:
        qs = qs.filter(
            Exists(TaxonomyTerm.objects.filter(taxonomy_id=tax, attributes__service=OuterRef("pk")))
        )
    if org:
        qs = qs.filter(organization_id=org)
    if after:
        qs = qs.filter(updated_at__gte=after)
    return qs, bool(term or tax or org or after)


def _text_entries(request):
    query = _text_param(request, "search")
    entries = search.text_filter(SearchEntry.objects.all(), query)  # the sociale kaart's own rules
    return entries, bool(text.query_terms(query))


def _service_items(services, full: bool, minimal: bool) -> list[dict]:
    if minimal:
        return [
            {
                "id": str(s.id),
                "name": s.name,
                "status": s.status,
                "last_modified": s.updated_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            }
            for s in services
        ]
    if full:
        return capacity.add_to(shapes.with_kept([shapes.service_full(s) for s in services], "services"))
    return capacity.add_to([shapes.service_list_item(s) for s in services])


class ServiceListView(HsdsView):
    @extend_schema(
        operation_id="hsds_getPaginatedListOfServices",
        tags=TAG,
        summary="Services (HSDS Page of service_list items; full=true: fully nested)",
        parameters=[
            SEARCH,
            *PAGE_PARAMS,
            *FILTERS,
            FULL,
            OpenApiParameter("minimal", bool, description="Only id, name, status, last_modified."),
        ],
        responses={200: PAGE_RESPONSE, 400: ERRORS},
    )
    def get(self, request):
        page, per_page = _paging(request)
        full, minimal = _bool_param(request, "full"), _bool_param(request, "minimal")
        place, radius_km = _place(request)
        syncing = bool(request.query_params.get("modified_after"))  # withdrawn ones too: "defunct"
        qs, filtered = _service_filters(request, Service.objects.published(withdrawn=syncing))
        entries, searching = _text_entries(request)
        start = (page - 1) * per_page
        if place is not None:
            if filtered:
                entries = entries.filter(service_id__in=qs.values("id"))
            ranked = search.ranked_near(place, radius_km, entries)
            window = [(search.as_uuid(sid), d) for sid, d in ranked[start : start + per_page]]
            base = (
                shapes.full_queryset(Service.objects.all())
                if full
                else Service.objects.select_related("organization")
            )
            found = base.in_bulk([sid for sid, _ in window])
            services = [found[sid] for sid, _ in window if sid in found]
            contents = _service_items(services, full, minimal)
            distances = {str(sid): d for sid, d in window}
            for item in contents:
                d = distances.get(item["id"])
                if d is not None:
                    item["distance"] = int(round(d * 1000))
            return Response(pagination.page(len(ranked), page, per_page, contents))
        if searching:
            qs = qs.filter(id__in=entries.values("service_id"))
        if filtered:  # joins can repeat a service
            qs = qs.distinct()
        total = qs.count()
        services = []
        if start < total:
            qs = shapes.full_queryset(qs) if full else qs.select_related("organization")
            services = list(qs.order_by("name", "id")[start : start + per_page])
        return Response(pagination.page(total, page, per_page, _service_items(services, full, minimal)))


class ServiceDetailView(HsdsView):
    @extend_schema(
        operation_id="hsds_getFullyNestedServiceById",
        tags=TAG,
        summary="One service, fully nested (compiled HSDS service)",
        responses={200: OpenApiTypes.OBJECT, 404: ERRORS},
    )
    def get(self, request, id):
        service = (
            shapes.full_queryset(Service.objects.published(withdrawn=True)).filter(id=_get_id(id)).first()
            if _get_id(id)
            else None
        )
        if service is None:
            _not_found("service")
        return Response(capacity.add_to(shapes.with_kept([shapes.service_full(service)], "services"))[0])


# --- taxonomies -----------------------------------------------------------------------------


class TaxonomyListView(HsdsView):
    @extend_schema(
        operation_id="hsds_getPaginatedListOfTaxonomies",
        tags=TAG,
        summary="Taxonomies",
        parameters=[SEARCH, *PAGE_PARAMS],
        responses={200: PAGE_RESPONSE, 400: ERRORS},
    )
    def get(self, request):
        page, per_page = _paging(request)
        qs = Taxonomy.objects.order_by("code")
        query = _text_param(request, "search")
        if query:
            qs = qs.filter(
                Q(name__icontains=query) | Q(name_en__icontains=query) | Q(description__icontains=query)
            )
        total, start = qs.count(), (page - 1) * per_page
        items = [shapes.taxonomy_item(t) for t in qs[start : start + per_page]] if start < total else []
        shapes.with_kept(items, "taxonomies")
        return Response(pagination.page(total, page, per_page, items))


class TaxonomyDetailView(HsdsView):
    @extend_schema(
        operation_id="hsds_getTaxonomyById",
        tags=TAG,
        summary="One taxonomy",
        responses={200: OpenApiTypes.OBJECT, 404: ERRORS},
    )
    def get(self, request, id):
        item = Taxonomy.objects.filter(id=_get_id(id)).first() if _get_id(id) else None
        if item is None:
            _not_found("taxonomy")
        return Response(shapes.with_kept([shapes.taxonomy_item(item)], "taxonomies")[0])


class TaxonomyTermListView(HsdsView):
    @extend_schema(
        operation_id="hsds_getPaginatedListOfTaxonomyTerms",
        tags=TAG,
        summary="Taxonomy terms",
        parameters=[
            SEARCH,
            *PAGE_PARAMS,
            OpenApiParameter("taxonomy_id", OpenApiTypes.UUID, description="Terms of this taxonomy."),
            OpenApiParameter("parent_id", OpenApiTypes.UUID, description="Terms under this term."),
            OpenApiParameter("top_only", bool, description="Only terms without a parent."),
        ],
        responses={200: PAGE_RESPONSE, 400: ERRORS},
    )
    def get(self, request):
        page, per_page = _paging(request)
        qs = TaxonomyTerm.objects.select_related("taxonomy").order_by("taxonomy__code", "position", "id")
        tax, parent = _uuid_param(request, "taxonomy_id"), _uuid_param(request, "parent_id")
        if tax:
            qs = qs.filter(taxonomy_id=tax)
        if parent:
            qs = qs.filter(parent_id=parent)
        if _bool_param(request, "top_only"):
            qs = qs.filter(parent__isnull=True)
        query = _text_param(request, "search")
        if query:
            qs = qs.filter(Q(name__icontains=query) | Q(name_en__icontains=query) | Q(code__icontains=query))
        total, start = qs.count(), (page - 1) * per_page
        items = [shapes.term_item(t) for t in qs[start : start + per_page]] if start < total else []
        shapes.with_kept(items, "taxonomy_terms")
        return Response(pagination.page(total, page, per_page, items))


class TaxonomyTermDetailView(HsdsView):
    @extend_schema(
        operation_id="hsds_getTaxonomyTermById",
        tags=TAG,
        summary="One taxonomy term",
        responses={200: OpenApiTypes.OBJECT, 404: ERRORS},
    )
    def get(self, request, id):
        item = (
            TaxonomyTerm.objects.select_related("taxonomy").filter(id=_get_id(id)).first()
            if _get_id(id)
            else None
        )
        if item is None:
            _not_found("taxonomy term")
        return Response(shapes.with_kept([shapes.term_item(item)], "taxonomy_terms")[0])


# --- organizations --------------------------------------------------------------------------


def _organization_full(org, *, full_service: bool) -> dict:
    out = shapes.organization_full(org, locations=org.locations.all())
    services = Service.objects.published().filter(organization=org).order_by("name", "id")
    if full_service:
        out["services"] = [shapes.service_full(s) for s in shapes.full_queryset(services)]
    else:
        out["services"] = [shapes.service_list_item(s) for s in services.select_related("organization")]
    return out


def _organization_queryset(qs):
    location = "locations__"
    return qs.prefetch_related(
        "municipalities",
        "phones__languages",
        "contacts__phones__languages",
        f"{location}addresses",
        f"{location}accessibility",
        f"{location}languages",
        f"{location}schedules",
        f"{location}phones__languages",
        f"{location}contacts__phones__languages",
    )


class OrganizationListView(HsdsView):
    @extend_schema(
        operation_id="hsds_getPaginatedListOfOrganizations",
        tags=TAG,
        summary="Organizations (organization_list items; full=true: fully nested)",
        parameters=[
            SEARCH,
            *PAGE_PARAMS,
            FULL,
            OpenApiParameter("full_service", bool, description="With full=true: services fully nested."),
        ],
        responses={200: PAGE_RESPONSE, 400: ERRORS},
    )
    def get(self, request):
        page, per_page = _paging(request)
        full, full_service = _bool_param(request, "full"), _bool_param(request, "full_service")
        qs = Organization.objects.published().order_by("name", "id")
        query = _text_param(request, "search")
        if query:
            qs = qs.filter(Q(name__icontains=query) | Q(alternate_name__icontains=query))
        total, start = qs.count(), (page - 1) * per_page
        orgs = []
        if start < total:
            orgs = list((_organization_queryset(qs) if full else qs)[start : start + per_page])
        if full:
            items = shapes.with_kept(
                [_organization_full(o, full_service=full_service) for o in orgs], "organizations"
            )
        else:
            items = [shapes.organization_brief(o) for o in orgs]
        return Response(pagination.page(total, page, per_page, items))


class OrganizationDetailView(HsdsView):
    @extend_schema(
        operation_id="hsds_getOrganizationById",
        tags=TAG,
        summary="One organization, fully nested, with its services",
        parameters=[OpenApiParameter("full_service", bool, description="Services fully nested.")],
        responses={200: OpenApiTypes.OBJECT, 400: ERRORS, 404: ERRORS},
    )
    def get(self, request, id):
        full_service = _bool_param(request, "full_service")
        org = (
            _organization_queryset(Organization.objects.published()).filter(id=_get_id(id)).first()
            if _get_id(id)
            else None
        )
        if org is None:
            _not_found("organization")
        return Response(
            shapes.with_kept([_organization_full(org, full_service=full_service)], "organizations")[0]
        )


# --- service at location ----------------------------------------------------------------------


def _sal_item(sal, full: bool) -> dict:
    if full:
        out = shapes.service_at_location_full(sal)
    else:
        out = shapes.row(sal, "service_at_locations")
        out["location"] = shapes.row(sal.location, "locations")
    out["service"] = shapes.service_list_item(sal.service)
    return out


def _sal_queryset(qs, full: bool):
    qs = qs.select_related("location", "service__organization")
    if full:
        loc = "location__"
        qs = qs.prefetch_related(
            "schedules",
            "phones__languages",
            "contacts__phones__languages",
            f"{loc}addresses",
            f"{loc}accessibility",
            f"{loc}languages",
            f"{loc}schedules",
            f"{loc}phones__languages",
            f"{loc}contacts__phones__languages",
        )
    return qs


class ServiceAtLocationListView(HsdsView):
    @extend_schema(
        operation_id="hsds_getPaginatedListOfServiceAtLocation",
        tags=TAG,
        summary="Services at locations (service_at_location_list items; full=true: nested)",
        parameters=[SEARCH, *PAGE_PARAMS, *FILTERS, FULL],
        responses={200: PAGE_RESPONSE, 400: ERRORS},
    )
    def get(self, request):
        page, per_page = _paging(request)
        full = _bool_param(request, "full")
        place, radius_km = _place(request)
        services, _filtered = _service_filters(request, Service.objects.published())
        entries, searching = _text_entries(request)
        if searching:
            services = services.filter(id__in=entries.values("service_id"))
        qs = ServiceAtLocation.objects.filter(service__in=services.values("id"))
        start = (page - 1) * per_page
        if place is not None and radius_km:
            min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.lat, place.lon, radius_km)
            located = SearchEntry.KIND_LOCATED
            near = search.rank(  # each service at a location is its own "service" here: one row each
                [
                    (sal_id, located, lat, lon)
                    for sal_id, lat, lon in qs.filter(
                        location__latitude__range=(min_lat, max_lat),
                        location__longitude__range=(min_lon, max_lon),
                    ).values_list("id", "location__latitude", "location__longitude")
                ],
                place.lat,
                place.lon,
                radius_km=radius_km,
            )
            window = near[start : start + per_page]
            found = _sal_queryset(ServiceAtLocation.objects.all(), full).in_bulk([s for s, _, _ in window])
            items = []
            for sal_id, d, _row in window:
                item = _sal_item(found[sal_id], full)
                item["distance"] = int(round(d * 1000))
                items.append(item)
            if full:
                shapes.with_kept(items, "service_at_locations")
            return Response(pagination.page(len(near), page, per_page, items))
        if place is not None:
            qs = qs.filter(location__municipality_id=place.municipality.code)
        total = qs.count()
        sals = (
            list(_sal_queryset(qs, full).order_by("service__name", "id")[start : start + per_page])
            if (start < total)
            else []
        )
        items = [_sal_item(s, full) for s in sals]
        if full:
            shapes.with_kept(items, "service_at_locations")
        return Response(pagination.page(total, page, per_page, items))


class ServiceAtLocationDetailView(HsdsView):
    @extend_schema(
        operation_id="hsds_getServiceAtLocationWithNestedDataById",
        tags=TAG,
        summary="One service at a location, fully nested",
        responses={200: OpenApiTypes.OBJECT, 404: ERRORS},
    )
    def get(self, request, id):
        qs = _sal_queryset(ServiceAtLocation.objects.filter(service__in=Service.objects.published()), True)
        sal = qs.filter(id=_get_id(id)).first() if _get_id(id) else None
        if sal is None:
            _not_found("service at location")
        return Response(shapes.with_kept([_sal_item(sal, True)], "service_at_locations")[0])
