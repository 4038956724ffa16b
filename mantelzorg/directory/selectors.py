"""Reads of the sociale kaart: search (a selector other apps call), detail, menukaart, access.

Search uses the denormalised ``SearchEntry`` table; see docs/directory-search.md.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from mantelzorg.accounts.models import Role
from mantelzorg.core.geo import bounding_box, distance_km

from . import schedules, taxonomy, text
from .models import (
    Location,
    Organization,
    Schedule,
    SearchEntry,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

STALE_AFTER_DAYS = 365
PUBLISHED = Service.Publication.PUBLISHED


def stale_cutoff(today: dt.date | None = None) -> dt.date:
    """Entries last verified before this date are stale (not verified for 12 months)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


@dataclass
class Hit:
    service: Service
    location: Location | None
    distance_km: float | None  # None: no location (serves the gemeente) or whole-gemeente search
    open_now: bool | None  # None: no opening hours known


@dataclass
class SearchResult:
    items: list[Hit]
    total: int
    page: int
    pages: int
    per_page: int = 20
    national: list[Service] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _filtered_entries(*, support_domains, ladder_steps, respite_forms, target_groups, free_only, text_query):
    qs = SearchEntry.objects.all()
    for i, (tax, selected) in enumerate(
        (
            (taxonomy.SUPPORT_DOMAINS, support_domains),
            (taxonomy.CARE_LADDER, ladder_steps),
            (taxonomy.RESPITE_FORMS, respite_forms),
            (taxonomy.TARGET_GROUPS, target_groups),
        )
    ):
        bits = taxonomy.mask(tax, selected)
        if bits:
            qs = qs.alias(**{f"m{i}": F("term_bits").bitand(bits)}).filter(**{f"m{i}__gt": 0})
    if free_only:
        qs = qs.filter(free=True)
    for stem in text.stems(text_query)[:8]:
        qs = qs.filter(text__contains=" " + stem)
    return qs


def service_search(
    *,
    place=None,
    municipality=None,
    radius_km: float | None = None,
    support_domains=(),
    ladder_steps=(),
    respite_forms=(),
    target_groups=(),
    free_only: bool = False,
    text: str = "",
    page: int = 1,
    per_page: int = 20,
    now: dt.datetime | None = None,
) -> SearchResult:
    """Search published services; the one search other apps (e.g. the Balanscheck) call.

    Where:
      * ``place`` (``core.geo.Place`` from ``resolve_postcode``) and ``radius_km`` (e.g. 5, 10, 25):
        services with a location within that distance, nearest first, plus location-less services
        that serve the place's gemeente (distance ``None``, listed first: they are "here").
      * ``place`` without ``radius_km``, or ``municipality`` (``core.Municipality``): the whole
        gemeente — located in it or serving it; ordered by distance from the place (or the
        gemeente's centre, then ``distance_km`` is ``None``).
      * neither: everywhere, by name.
    National services (ServiceArea national) are not in ``items``; ask ``national_services``.

    Filters (codes from ``taxonomy.TERMS``): within one list any code matches (OR); between
    lists all must match (AND). ``free_only``: cost_kind "free". ``text``: Dutch words; each
    word's Snowball stem must start a word of the entry (see docs/directory-search.md).

    Returns ``SearchResult(items=[Hit(service, location, distance_km, open_now)], total, page,
    pages)``; one hit per service (its nearest location). ``open_now`` is evaluated at ``now``
    (default: now) in Europe/Amsterdam. Constant number of queries (about 6).
    """
    per_page = max(1, min(int(per_page), 100))
    qs = _filtered_entries(
        support_domains=support_domains,
        ladder_steps=ladder_steps,
        respite_forms=respite_forms,
        target_groups=target_groups,
        free_only=free_only,
        text_query=text,
    )
    if place is not None:
        municipality = place.municipality
    origin = (
        (place.lat, place.lon)
        if place is not None
        else ((municipality.lat, municipality.lon) if municipality is not None else None)
    )
    code = municipality.code if municipality is not None else None
    local = Q(kind=SearchEntry.KIND_AREA, municipality_code=code)
    if place is not None and radius_km:
        min_lat, max_lat, min_lon, max_lon = bounding_box(place.lat, place.lon, radius_km)
        qs = qs.filter(Q(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon) | local)
    elif code is not None:
        qs = qs.filter(Q(kind=SearchEntry.KIND_LOCATED, municipality_code=code) | local)
    else:
        qs = qs.filter(kind__in=(SearchEntry.KIND_LOCATED, SearchEntry.KIND_AREA))
    rows = _raw_rows(qs.values_list("service_id", "location_id", "service_at_location_id", "lat", "lon"))

    best: dict = {}  # raw service id → (sort key, distance shown, raw location id, raw sal id)
    if origin is None:
        for service_id, location_id, sal_id, _lat, _lon in rows:
            best.setdefault(service_id, (0.0, None, location_id, sal_id))
        ordered = sorted(best.items(), key=lambda kv: str(kv[0]))
    else:
        lat0, lon0 = origin
        show = place is not None
        for service_id, location_id, sal_id, lat, lon in rows:
            if lat is None:  # no visiting address, serves the gemeente: "comes to you"
                key, shown = -1.0, None
            else:
                key = distance_km(lat0, lon0, lat, lon)
                if radius_km and place is not None and key > radius_km:
                    continue
                shown = round(key, 1) if show else None
            current = best.get(service_id)
            if current is None or key < current[0]:
                best[service_id] = (key, shown, location_id, sal_id)
        ordered = sorted(best.items(), key=lambda kv: (kv[1][0], str(kv[0])))
    total = len(ordered)
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(int(page), pages))
    window = ordered[(page - 1) * per_page : page * per_page]
    items = _hits(window, now=now)
    return SearchResult(items=items, total=total, page=page, pages=pages, per_page=per_page)


def _raw_rows(queryset) -> list[tuple]:
    """Run a values_list query without Django's per-value converters (no UUID objects for the
    hundreds of candidates; only the page's rows are converted)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _uuid(value):
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _hits(window, *, now=None) -> list[Hit]:
    window = [(_uuid(sid), (v[0], v[1], _uuid(v[2]), _uuid(v[3]))) for sid, v in window]
    if not window:
        return []
    service_ids = [sid for sid, _ in window]
    location_ids = [v[2] for _, v in window if v[2]]
    sal_ids = [v[3] for _, v in window if v[3]]
    services = (
        Service.objects.select_related("organization").prefetch_related("cost_options").in_bulk(service_ids)
    )
    locations = Location.objects.prefetch_related("addresses").in_bulk(location_ids)
    by_owner = defaultdict(list)
    # UNION, not OR: each half uses its index (an OR made SQLite scan the whole table).
    found = Schedule.objects.filter(service_id__in=service_ids)
    if sal_ids and Schedule.objects.filter(service_at_location__isnull=False).exists():
        found = found.union(Schedule.objects.filter(service_at_location_id__in=sal_ids))
    for sch in found:
        by_owner[sch.service_at_location_id or sch.service_id].append(sch)
    moment = now or timezone.now()
    hits = []
    for service_id, (_key, shown, location_id, sal_id) in window:
        own = by_owner.get(sal_id) or by_owner.get(service_id) or []
        hits.append(
            Hit(
                service=services[service_id],
                location=locations.get(location_id),
                distance_km=shown,
                open_now=schedules.is_open(own, moment),
            )
        )
    return hits


def national_services(
    *, support_domains=(), respite_forms=(), target_groups=(), limit: int = 10
) -> list[Service]:
    """Published services available in the whole country (ServiceArea national), by name."""
    qs = _filtered_entries(
        support_domains=support_domains,
        ladder_steps=(),
        respite_forms=respite_forms,
        target_groups=target_groups,
        free_only=False,
        text_query="",
    )
    ids = qs.filter(kind=SearchEntry.KIND_NATIONAL).values_list("service_id", flat=True)
    return list(Service.objects.filter(id__in=ids).select_related("organization").order_by("name")[:limit])


def support_centres_for(municipality) -> list[Organization]:
    """The steunpunt(en) mantelzorg that work in this gemeente (Organization.kind support_centre)."""
    return list(
        Organization.objects.filter(kind=Organization.Kind.SUPPORT_CENTRE, municipalities=municipality)
        .prefetch_related("phones")
        .order_by("name")
    )


def support_centre_overview(query: str = ""):
    """Every gemeente with its steunpunten (constant queries): list of (municipality, [orgs])."""
    from mantelzorg.core.geo import PostcodeError, normalise_postcode
    from mantelzorg.core.models import Municipality, PostcodeArea

    municipalities = Municipality.objects.all()
    query = (query or "").strip()
    if query:
        try:
            pc4, _ = normalise_postcode(query)
            municipalities = municipalities.filter(
                code__in=PostcodeArea.objects.filter(pc4=pc4).values("municipality_id")
            )
        except PostcodeError:
            municipalities = municipalities.filter(
                Q(name__icontains=query) | Q(name_everyday__icontains=query)
            )
    centres = Organization.objects.filter(kind=Organization.Kind.SUPPORT_CENTRE).prefetch_related("phones")
    municipalities = municipalities.prefetch_related(
        Prefetch("directory_organizations", queryset=centres.order_by("name"), to_attr="support_centres")
    )
    return list(municipalities)


def service_detail(service_id) -> Service:
    """A published service with everything for its page, or 404."""
    qs = (
        Service.objects.filter(publication=PUBLISHED)
        .select_related("organization")
        .prefetch_related(
            "phones",
            "contacts",
            "cost_options",
            "languages",
            "schedules",
            Prefetch("service_areas", queryset=ServiceArea.objects.select_related("municipality")),
            Prefetch("attributes__taxonomy_term", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "location__addresses", "location__accessibility", "location__phones", "schedules"
                ),
            ),
            "organization__phones",
        )
    )
    service = qs.filter(id=service_id).first()
    if service is None:
        raise Http404
    return service


# --- menukaart respijtzorg ---------------------------------------------------------


def respite_menu(municipality) -> dict:
    """The menukaart of a gemeente: intro and groups [(term, [service, ...])] by respite form.

    An offer is on it when it is published, has a respite form, and is located in the gemeente,
    serves it (ServiceArea) or is national. Ordering: the staff's positions first, then by name.
    """
    from .models import RespiteMenu

    respite_mask = taxonomy.mask(taxonomy.RESPITE_FORMS, taxonomy.codes(taxonomy.RESPITE_FORMS))
    ids = set(
        SearchEntry.objects.alias(r=F("term_bits").bitand(respite_mask))
        .filter(r__gt=0)
        .filter(Q(municipality_code=municipality.code) | Q(kind=SearchEntry.KIND_NATIONAL))
        .values_list("service_id", flat=True)
    )
    menu = RespiteMenu.objects.filter(municipality=municipality).first()
    positions = dict(menu.items.values_list("service_id", "position")) if menu else {}
    services = list(
        Service.objects.filter(id__in=ids)
        .select_related("organization")
        .prefetch_related("cost_options", "phones", "attributes__taxonomy_term__taxonomy")
    )
    services.sort(key=lambda s: (positions.get(s.id, 10_000), s.name.lower()))
    terms = list(TaxonomyTerm.objects.filter(taxonomy__code=taxonomy.RESPITE_FORMS).order_by("position"))
    groups = []
    for term in terms:
        members = [s for s in services if any(a.taxonomy_term_id == term.id for a in s.attributes.all())]
        groups.append((term, members))
    return {
        "menu": menu,
        "intro": menu.intro if menu else "",
        "groups": groups,
        "services": services,
        "positions": positions,
    }


# --- access for editing --------------------------------------------------------------


def services_editable_by(user):
    """Services ``user`` may edit: editors their organisation's, staff what serves their gemeente."""
    if not user.is_authenticated:
        return Service.objects.none()
    if user.role == Role.ADMIN or user.is_superuser:
        return Service.objects.all()
    if user.role == Role.DIRECTORY_EDITOR:
        return Service.objects.filter(organization__account_organisation__in=user.organisations.all())
    if user.role == Role.MUNICIPAL_STAFF:
        codes = list(user.municipalities.values_list("code", flat=True))
        served = ServiceArea.objects.filter(municipality_id__in=codes).values("service_id")
        located = ServiceAtLocation.objects.filter(location__municipality_id__in=codes).values("service_id")
        return Service.objects.filter(Q(id__in=served) | Q(id__in=located))
    return Service.objects.none()


def service_get_for_editing(user, service_id) -> Service:
    service = services_editable_by(user).filter(id=service_id).select_related("organization").first()
    if service is None:
        raise Http404
    return service


def organizations_for_user(user):
    """Organisations under which ``user`` may add a service."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.role == Role.ADMIN or user.is_superuser:
        return Organization.objects.all()
    if user.role == Role.DIRECTORY_EDITOR:
        return Organization.objects.filter(account_organisation__in=user.organisations.all())
    if user.role == Role.MUNICIPAL_STAFF:
        return Organization.objects.filter(municipalities__in=user.municipalities.all()).distinct()
    return Organization.objects.none()


def can_edit_menu(user, municipality) -> bool:
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    return user.role == Role.MUNICIPAL_STAFF and user.municipalities.filter(code=municipality.code).exists()


def stale_services(today: dt.date | None = None):
    """Published services not verified for 12 months, with their editors' organisation."""
    cutoff = stale_cutoff(today)
    return (
        Service.objects.filter(publication=PUBLISHED)
        .filter(Q(assured_date__lt=cutoff) | Q(assured_date__isnull=True))
        .select_related("organization", "organization__account_organisation")
        .order_by("organization__name", "name")
    )
