"""The search machinery of the sociale kaart: the index rows (``SearchEntry``) filtered, ranked by
distance (``near`` and ``rank``, the one ranker), read raw (``raw_rows``) and shown as cards
(``ServiceCard``, ``Hit``). ``service_search``, ``national_services`` and ``nearest_offers`` are
the searches other apps call (through ``selectors``); the HSDS API ranks with ``ranked_near`` and
``rank``. See docs/directory-search.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from mantelzorg.core.cache import per_version
from mantelzorg.core.geo import bounding_box, distance_from

from . import schedules, taxonomy, text
from .models import SearchEntry, Service


@dataclass(frozen=True, slots=True)
class Named:
    name: str


@dataclass(slots=True)
class ServiceCard:
    """What a search result shows of a service (from ``SearchEntry.card``; no model instance)."""

    id: uuid.UUID
    name: str
    organization: Named
    needs_indication: bool
    status: str
    cost_kind: str
    cost_amount: Decimal | None = None
    cost_per: str = ""

    @property
    def url(self) -> str:
        """The service's page (``directory:service_detail``), without a URL reversal per card."""
        return _detail_url_pattern().format(self.id)


@functools.cache
def _detail_url_pattern() -> str:
    zero = uuid.UUID(int=0)
    return reverse("directory:service_detail", args=[zero]).replace(str(zero), "{}")


@dataclass
class Hit:
    service: ServiceCard
    location_id: uuid.UUID | None  # None: serves the gemeente without a visiting address
    address: str  # "Street 1, Place" of that location, or ""
    distance_km: float | None  # None: no location (serves the gemeente) or whole-gemeente search
    open_now: bool | None  # None: no opening hours known
    domains: list[str] = field(default_factory=list)  # filled by callers that need it
    phone: str = ""  # nearest_offers only: the service's (else location's, else organisation's) number
    summary: str = ""  # nearest_offers only: the first sentence of "what to expect" (else the description)
    municipality: str = ""  # national search only: the gemeente of this location or area
    more_places: int = 0  # national search only: how many other locations or gemeenten it has


@dataclass
class SearchResult:
    items: list[Hit]
    total: int
    page: int
    pages: int
    per_page: int = 20
    national: list[ServiceCard] = field(default_factory=list)
    more: bool = False  # national search: there are more than ``total`` (the count stopped)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def filtered_entries(*, support_domains, ladder_steps, respite_forms, target_groups, free_only, text_query):
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
    return text_filter(qs, text_query)


def text_filter(qs, query: str):
    """Index rows (``SearchEntry``) that match a Dutch text query (``text.query_terms``): every
    word, by its stem, a synonym or (the last word) as typed, starts a word of the entry."""
    for options in text.query_terms(query):
        condition = Q()
        for prefix in options:
            condition |= Q(text__contains=" " + prefix)
        qs = qs.filter(condition)
    return qs


# --- the one ranker ---------------------------------------------------------------------------

HERE = -1.0  # sort key of a row without a visiting address that serves the gemeente: listed first
ANYWHERE = math.inf  # sort key of a national row: after every place


def near(entries, *, code, place=None, radius_km=None, national: bool = False):
    """The index rows a search around a place ranks. With ``place`` and ``radius_km``: the rows in
    the bounding box of that radius (only located rows have lat/lon); otherwise the rows located in
    gemeente ``code`` and, with ``national``, the national rows. Always: the rows of services
    without a visiting address that serve ``code`` (they come to you)."""
    local = Q(kind=SearchEntry.KIND_AREA, municipality_code=code)
    if place is not None and radius_km:
        min_lat, max_lat, min_lon, max_lon = bounding_box(place.lat, place.lon, radius_km)
        # No kind= with the box, or SQLite scans the kind index instead of the (lat, lon, term_bits) one.
        return entries.filter(
            Q(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon) | local
        )
    where = Q(kind=SearchEntry.KIND_LOCATED, municipality_code=code) | local
    if national:
        where |= Q(kind=SearchEntry.KIND_NATIONAL)
    return entries.filter(where)


def rank(rows, lat: float, lon: float, *, radius_km: float | None = None) -> list[tuple]:
    """Per service its nearest row, nearest first (ties by service id): [(service id, sort key,
    row)]. ``rows`` start with (service id, kind, lat, lon); a row with a place sorts by its
    distance in km from (lat, lon) and is left out beyond ``radius_km`` (when given); a row
    without one sorts first (``HERE``: it serves the gemeente) or, national, last (``ANYWHERE``).
    The sociale kaart's search, the HSDS ``/services`` and ``/service_at_locations`` rank with it."""
    distance = distance_from(lat, lon)
    national = SearchEntry.KIND_NATIONAL
    best: dict = {}
    for row in rows:
        service_id, kind, row_lat, row_lon = row[:4]
        if row_lat is None:
            key = ANYWHERE if kind == national else HERE
        else:
            key = distance(row_lat, row_lon)
            if radius_km and key > radius_km:
                continue
        current = best.get(service_id)
        if current is None or key < current[0]:
            best[service_id] = (key, row)
    ranked = [(service_id, key, row) for service_id, (key, row) in best.items()]
    ranked.sort(key=lambda r: (r[1], r[0]))
    return ranked


def ranked_near(place, radius_km, entries) -> list[tuple]:
    """[(service_id, distance_km or None)] nearest first (the HSDS ``/services`` near a postcode):
    services without a location that serve the gemeente first, then located ones by distance,
    then (without radius) national ones. Raw ids (text on SQLite): only the ones a caller uses
    need converting (``as_uuid``)."""
    entries = near(entries, code=place.municipality.code, place=place, radius_km=radius_km, national=True)
    rows = raw_rows(entries.values_list(AS_TEXT["service_id"], "kind", "lat", "lon"))
    ranked = rank(rows, place.lat, place.lon, radius_km=radius_km)
    return [(service_id, key if 0 <= key < ANYWHERE else None) for service_id, key, _row in ranked]


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
      * neither: the whole country (every located and area service), by name, with each hit's
        gemeente in ``Hit.municipality`` and how many more places it has in ``Hit.more_places``;
        counted up to 1,000 (``SearchResult.more``); two queries (``_national_search``).
    National services (ServiceArea national) are not in ``items``; ask ``national_services``.

    Filters (codes from ``taxonomy.TERMS``): within one list any code matches (OR); between
    lists all must match (AND). ``free_only``: cost_kind "free". ``text``: Dutch words; each
    word's Snowball stem must start a word of the entry (see docs/directory-search.md).

    Returns ``SearchResult(items=[Hit(service, location_id, address, distance_km, open_now)],
    total, page, pages)``; one hit per service (its nearest location). ``Hit.service`` is a
    ``ServiceCard`` (id, name, organization.name, needs_indication, status, cost), read from the
    index; load the ``Service`` itself with ``service_detail``. ``open_now`` is evaluated at
    ``now`` (default: now) in Europe/Amsterdam. Two queries, whatever the number of results.
    """
    per_page = max(1, min(int(per_page), 100))
    qs = filtered_entries(
        support_domains=support_domains,
        ladder_steps=ladder_steps,
        respite_forms=respite_forms,
        target_groups=target_groups,
        free_only=free_only,
        text_query=text,
    )
    if place is not None:
        municipality = place.municipality
    if place is not None:
        origin = (place.lat, place.lon)
    elif municipality is not None:
        origin = (municipality.lat, municipality.lon)
    else:  # neither postcode nor gemeente: ``first`` rows are located or area rows
        return _national_search(qs, page=page, per_page=per_page, now=now)
    code = municipality.code if municipality is not None else None
    qs = near(qs, code=code, place=place, radius_km=radius_km)
    rows = raw_rows(qs.values_list(AS_TEXT["service_id"], "kind", "lat", "lon", AS_TEXT["location_id"], "id"))
    ranked = rank(rows, *origin, radius_km=radius_km if place is not None else None)
    total = len(ranked)
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(int(page), pages))
    window = [
        (service_id, round(key, 1) if place is not None and key >= 0 else None, row[4], row[5])
        for service_id, key, row in ranked[(page - 1) * per_page : page * per_page]
    ]
    items = hits_for(window, now=now)
    return SearchResult(items=items, total=total, page=page, pages=pages, per_page=per_page)


# Candidate ids as text: PostgreSQL's driver would build (and the ranking hash) a UUID object
# per candidate row; only the page's ids are converted (``as_uuid``).
AS_TEXT = {name: Cast(name, output_field=TextField()) for name in ("service_id", "location_id")}


def raw_rows(queryset) -> list[tuple]:
    """Run a values_list query without Django's per-value converters (no UUID objects for the
    hundreds of candidates; only the page's rows are converted)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_uuid(value):
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _service_card(service_id, card: dict) -> ServiceCard:
    amount = card.get("a")
    return ServiceCard(
        id=as_uuid(service_id),
        name=card.get("n", ""),
        organization=Named(card.get("o", "")),
        needs_indication=card.get("i", False),
        status=card.get("s", ""),
        cost_kind=card.get("c", ""),
        cost_amount=Decimal(amount) if amount is not None else None,
        cost_per=card.get("ad", ""),
    )


def hits_for(window, *, now=None) -> list[Hit]:
    """The page's hits from their index rows' cards: one query, whatever the page size."""
    if not window:
        return []
    entry_ids = [entry_id for _sid, _shown, _loc, entry_id in window]
    connection = connections[SearchEntry.objects.db]
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(entry_ids))
        # Only the quoted table name and "%s" placeholders are formatted in; the ids are parameters.
        cursor.execute(f"SELECT id, card FROM {table} WHERE id IN ({marks})", entry_ids)  # noqa: S608  # nosec B608
        cards = dict(cursor.fetchall())
    moment = now or timezone.now()
    return [
        hit_from_card(service_id, location_id, cards.get(entry_id), shown, moment)
        for service_id, shown, location_id, entry_id in window
    ]


def hit_from_card(service_id, location_id, card_json, distance_km, moment, **extra) -> Hit:
    card = json.loads(card_json or "{}")
    hours = [schedules.from_data(h) for h in card.get("h", ())]
    return Hit(
        service=_service_card(service_id, card),
        location_id=as_uuid(location_id),
        address=card.get("l", ""),
        distance_km=distance_km,
        open_now=schedules.is_open(hours, moment) if hours else None,
        **extra,
    )


NATIONAL_COUNT_CAP = 1000  # "more than 1,000": the national search counts no further


def _national_search(qs, *, page: int, per_page: int, now=None) -> SearchResult:
    """The whole country (no place given): one row per service (its ``first`` index row), in
    name order, ``per_page`` rows from the database (the partial index ``directory_search_national``
    gives the order, so a common word stops after the page), and a count that stops at
    ``NATIONAL_COUNT_CAP`` (``SearchResult.more``: there are more). Two queries; one when the
    first page is not full; one more when ``page`` is past the last page."""
    qs = qs.filter(first=True)
    page = max(1, int(page))
    rows = _national_page(qs, page, per_page)
    if page == 1 and len(rows) < per_page:
        total = len(rows)
    else:
        total = qs.values("id")[: NATIONAL_COUNT_CAP + 1].count()
    more = total > NATIONAL_COUNT_CAP
    pages = max(1, math.ceil(min(total, NATIONAL_COUNT_CAP) / per_page))
    if page > pages:  # past the end (or past the cap): the last page
        page = pages
        rows = _national_page(qs, page, per_page)
    names = _municipality_names()
    moment = now or timezone.now()
    items = [
        hit_from_card(
            service_id,
            location_id,
            card,
            None,
            moment,
            municipality=names.get(code, ""),
            more_places=places - 1,
        )
        for service_id, location_id, code, card, places in rows
    ]
    return SearchResult(
        items=items,
        total=min(total, NATIONAL_COUNT_CAP),
        page=page,
        pages=pages,
        per_page=per_page,
        more=more,
    )


def _national_page(qs, page: int, per_page: int) -> list[tuple]:
    start = (page - 1) * per_page
    return raw_rows(
        qs.order_by("sort_name", "service_id").values_list(
            AS_TEXT["service_id"], AS_TEXT["location_id"], "municipality_code", "card", "places"
        )[start : start + per_page]
    )


def _municipality_names() -> dict[str, str]:
    """CBS code → everyday name (342 rows), read once per process and reference-data version."""
    from mantelzorg.core.geo import REFERENCE
    from mantelzorg.core.models import Municipality

    return per_version(
        REFERENCE,
        "municipality-names",
        lambda: dict(Municipality.objects.values_list("code", "name_everyday")),
    )


def national_services(
    *, support_domains=(), respite_forms=(), target_groups=(), limit: int = 10
) -> list[ServiceCard]:
    """Published services available in the whole country (ServiceArea national), by name.

    One query on the index (its cards); few services are national. The list depends on the
    filters and the directory's content only, so each process keeps it per content version
    (``core.cache.per_version``): every search page and check shows it."""
    key = ("national", tuple(support_domains), tuple(respite_forms), tuple(target_groups), limit)
    found = per_version(
        "directory", key, lambda: _national_services(support_domains, respite_forms, target_groups, limit)
    )
    return list(found)  # the caller's own list


def _national_services(support_domains, respite_forms, target_groups, limit) -> list[ServiceCard]:
    qs = filtered_entries(
        support_domains=support_domains,
        ladder_steps=(),
        respite_forms=respite_forms,
        target_groups=target_groups,
        free_only=False,
        text_query="",
    )
    rows = raw_rows(qs.filter(kind=SearchEntry.KIND_NATIONAL).values_list("service_id", "card"))
    cards = [_service_card(service_id, json.loads(card or "{}")) for service_id, card in rows]
    cards.sort(key=lambda c: (c.name, str(c.id)))
    return cards[:limit]


@dataclass(frozen=True)
class OfferWanted:
    """One list ``nearest_offers`` fills: services with any of these vraaggebieden (empty: any),
    and any of these target groups, respite forms and Zorgladder steps when given (codes of
    ``taxonomy``)."""

    support_domains: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    respite_forms: tuple[str, ...] = ()
    ladder_steps: tuple[str, ...] = ()

    @functools.cached_property
    def masks(self) -> tuple[int, int, int, int]:
        return (
            taxonomy.mask(taxonomy.SUPPORT_DOMAINS, self.support_domains),
            taxonomy.mask(taxonomy.TARGET_GROUPS, self.target_groups),
            taxonomy.mask(taxonomy.RESPITE_FORMS, self.respite_forms),
            taxonomy.mask(taxonomy.CARE_LADDER, self.ladder_steps),
        )

    def matches(self, bits: int) -> bool:
        return all(not mask or bits & mask for mask in self.masks)


@dataclass
class NearestOffers:
    hits: list[Hit]
    radius_km: int  # the distance searched: radius_km, or wider_km when nothing was nearer


_SUMMARY_MAX = 160


def _summary(description: str) -> str:
    """The first sentence of a description, at most about 160 characters."""
    text = " ".join((description or "").split())
    end = next(
        (i + 1 for i, ch in enumerate(text) if ch in ".!?" and (i + 1 == len(text) or text[i + 1] == " ")),
        len(text),
    )
    sentence = text[:end]
    if len(sentence) > _SUMMARY_MAX:
        sentence = sentence[:_SUMMARY_MAX].rsplit(" ", 1)[0] + " …"
    return sentence


def nearest_offers(
    *, place, wanted: dict, per_key: int = 3, radius_km: int = 15, wider_km: int = 25, now=None
) -> dict:
    """For each key of ``wanted`` (``OfferWanted``): the nearest published services near
    ``place`` that match it, nearest first, at most ``per_key``; services without a visiting
    address that serve the place's gemeente come first (they come to you). A key with nothing
    within ``radius_km`` is searched again within ``wider_km``. Returns {key: NearestOffers};
    the hits carry their advised ``domains`` (the vraaggebieden of all wanted keys they serve),
    a phone number and a one-sentence summary (what to expect, else the description).

    Used by the Balanscheck: "find offers per advised vraaggebied (nearest first for each)".
    At most seven queries, whatever the number of keys or candidates.
    """
    wanted = dict(wanted)
    domain_mask = 0
    for want in wanted.values():
        domain_mask |= want.masks[0]
    found: dict = {key: ({}, radius_km) for key in wanted}  # key -> ({service: best}, radius)
    pending = list(wanted)
    for radius in (radius_km, wider_km):
        if not pending:
            break
        union = 0
        for key in pending:
            union |= functools.reduce(lambda a, b: a | b, wanted[key].masks)
        ranked = _by_distance(_candidates(place, radius, union), radius, place)
        for key in pending:
            found[key] = (_nearest(ranked, wanted[key], per_key), radius)
        pending = [key for key in pending if not found[key][0]]
    chosen = {v[2] for best, _r in found.values() for v in best.values()}
    details = _offer_details(chosen, now=now)
    domain_bits = [
        (code, taxonomy.mask(taxonomy.SUPPORT_DOMAINS, [code]) & domain_mask)
        for code in taxonomy.codes(taxonomy.SUPPORT_DOMAINS)
    ]
    result = {}
    for key, (best, radius) in found.items():
        hits = []
        for _key, shown, entry_id, bits in best.values():
            hit = details.get(entry_id)
            if hit is not None:
                domains = [code for code, bit in domain_bits if bits & bit]
                hits.append(dataclasses.replace(hit, distance_km=shown, domains=domains))
        result[key] = NearestOffers(hits=hits, radius_km=radius)
    return result


def _candidates(place, radius_km, union_mask) -> list[tuple]:
    """(service id, entry id, lat, lon, term bits) of the index rows near ``place`` with any of
    the bits, plus the rows of services without a location that serve its gemeente."""
    qs = SearchEntry.objects.all()
    if union_mask:
        qs = qs.alias(m=F("term_bits").bitand(union_mask)).filter(m__gt=0)
    qs = near(qs, code=place.municipality.code, place=place, radius_km=radius_km)
    return raw_rows(qs.values_list(AS_TEXT["service_id"], "id", "lat", "lon", "term_bits"))


def _by_distance(rows, radius_km, place) -> list[tuple]:
    """The candidate rows within ``radius_km`` as (sort key, distance shown, service id, entry id,
    bits), nearest first: rows without a visiting address (they come to you) first, ties by
    service id. Each distance is computed once, for every key of ``nearest_offers``."""
    distance = distance_from(place.lat, place.lon)
    ranked = []
    for service_id, entry_id, lat, lon, bits in rows:
        if lat is None:
            ranked.append((-1.0, None, service_id, entry_id, bits))
            continue
        km = distance(lat, lon)
        if km <= radius_km:
            ranked.append((km, round(km, 1), service_id, entry_id, bits))
    ranked.sort(key=lambda row: (row[0], row[2]))  # stable: equal places keep the query's order
    return ranked


def _nearest(ranked, want: OfferWanted, limit: int) -> dict:
    """{service id: (sort key, distance shown, entry id, bits)} of the ``limit`` nearest services
    matching ``want``, nearest first; a service's first row in ``ranked`` is its nearest place."""
    masks = [mask for mask in want.masks if mask]
    best: dict = {}
    for key, shown, service_id, entry_id, bits in ranked:
        if service_id in best or not all(bits & mask for mask in masks):
            continue
        best[service_id] = (key, shown, entry_id, bits)
        if len(best) == limit:
            break
    return best


def _offer_details(entry_ids, *, now=None) -> dict:
    """{entry id: Hit} with phone and summary for the chosen index rows: five queries."""
    from .models import Phone

    if not entry_ids:
        return {}
    rows = list(
        SearchEntry.objects.filter(id__in=list(entry_ids)).values_list(
            "id", "service_id", "location_id", "card"
        )
    )
    services, descriptions = {}, {}
    for service_id, organization_id, expect, description in Service.objects.filter(
        id__in={r[1] for r in rows}
    ).values_list("id", "organization_id", "what_to_expect", "description"):
        services[service_id], descriptions[service_id] = organization_id, expect or description
    locations = {r[2] for r in rows if r[2] is not None}
    # One query per owner (each on its own index): a single OR over the three columns made
    # SQLite read the whole phone table (35 ms at 50,000 offers; now about 1 ms).
    # The first number of an owner is the one with the lowest pk, chosen here: ORDER BY pk made
    # SQLite walk the primary key instead of the owner's index.
    firsts: dict = {}
    callable_ = Phone.objects.exclude(type__in=(Phone.Type.FAX, Phone.Type.PAGER))
    for kind, column, ids in (
        ("s", "service_id", list(services)),
        ("l", "location_id", list(locations)),
        ("o", "organization_id", list(set(services.values()))),
    ):
        for owner, pk, number in callable_.filter(**{f"{column}__in": ids}).values_list(
            column, "pk", "number"
        ):
            known = firsts.get((kind, owner))
            if known is None or str(pk) < known[0]:
                firsts[(kind, owner)] = (str(pk), number)
    phones = {owner: number for owner, (_pk, number) in firsts.items()}
    moment = now or timezone.now()
    hits = {}
    for entry_id, service_id, location_id, card_text in rows:
        card = json.loads(card_text or "{}")
        hours = [schedules.from_data(h) for h in card.get("h", ())]
        phone = (
            phones.get(("s", service_id))
            or phones.get(("l", location_id))
            or phones.get(("o", services.get(service_id)))
            or ""
        )
        hits[entry_id] = Hit(
            service=_service_card(service_id, card),
            location_id=location_id,
            address=card.get("l", ""),
            distance_km=None,
            open_now=schedules.is_open(hours, moment) if hours else None,
            phone=phone,
            summary=_summary(descriptions.get(service_id, "")),
        )
    return hits
