"""Writes to the sociale kaart, each one audited, and the search index upkeep (no signals)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from mantelzorg.core import audit
from mantelzorg.core.cache import bump_version
from mantelzorg.core.models import Municipality

from . import schedules as schedules_mod
from . import taxonomy, text
from .hsds import fields as hsds_fields
from .hsds import importer as hsds_importer
from .models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    KeptRecord,
    Language,
    Location,
    Phone,
    RespiteMenu,
    RespiteMenuItem,
    Schedule,
    SearchEntry,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)

SEARCHABLE_STATUSES = (Service.Status.ACTIVE, Service.Status.TEMPORARILY_CLOSED)


# --- search index ---------------------------------------------------------------


CONTENT = "directory"  # ContentVersion name of the sociale kaart (core/cache.py)


def build_card(*, service, organization_name, cost=None, address=None, schedules=()) -> str:
    """What a search result shows of one entry, as JSON text (``SearchEntry.card``), so that a
    result page needs one query and no model instances (``search.hits_for``).

    ``cost``: the service's first CostOption (or None); ``address``: the location's first Address
    (or None); ``schedules``: the Schedules that say when this entry is open.
    """
    card = {
        "n": service.name,
        "o": organization_name,
        "i": bool(service.needs_indication),
        "s": service.status,
        "c": service.cost_kind,
    }
    if cost is not None and cost.amount is not None:
        card["a"] = str(cost.amount)
        card["ad"] = cost.amount_description or ""
    if address is not None:
        card["l"] = ", ".join(p for p in (address.address_1, address.city) if p)
    hours = [schedules_mod.to_data(s) for s in schedules if s.opens_at is not None or s.closes_at is not None]
    if hours:
        card["h"] = hours
    return json.dumps(card, ensure_ascii=False, separators=(",", ":"))


def build_entries(
    *,
    service,
    term_keys,
    term_names,
    organization_name,
    locations,
    area_codes,
    national,
    cost=None,
    addresses=None,
    schedules=None,
):
    """The SearchEntry rows of one service (unsaved). Pure: the generator calls it too.

    ``locations``: iterable of (location_id, service_at_location_id, lat, lon, municipality_code, city).
    ``term_keys``: "<taxonomy>:<code>" of the service's terms; ``term_names``: their Dutch names.
    For the result card (``build_card``): ``cost`` (first CostOption or None), ``addresses``
    ({location_id: first Address}) and ``schedules`` ({service or service_at_location id:
    [Schedule]}; a service-at-location's own schedules win over the service's).
    """
    addresses = addresses or {}
    schedules = schedules or {}

    def card(location_id=None, sal_id=None):
        return build_card(
            service=service,
            organization_name=organization_name,
            cost=cost,
            address=addresses.get(location_id),
            schedules=schedules.get(sal_id) or schedules.get(service.id) or (),
        )

    if not service.is_published or service.status not in SEARCHABLE_STATUSES:
        return []
    bits = 0
    for key in term_keys:
        bits |= 1 << taxonomy.TERM_BITS[key]
    cities = " ".join(sorted({loc[5] for loc in locations if loc[5]}))
    stemmed = text.index_text(
        service.name,
        service.alternate_name,
        organization_name,
        service.description,
        service.eligibility_description,
        " ".join(term_names),
        cities,
    )
    common = {
        "service_id": service.id,
        "sort_name": text.fold(service.name)[:200],
        "term_bits": bits,
        "free": service.cost_kind == Service.CostKind.FREE,
        "text": stemmed,
    }
    rows = [
        SearchEntry(
            kind=SearchEntry.KIND_LOCATED,
            location_id=loc_id,
            service_at_location_id=sal_id,
            lat=lat,
            lon=lon,
            municipality_code=code or "",
            card=card(loc_id, sal_id),
            **common,
        )
        for loc_id, sal_id, lat, lon, code, _city in locations
        if lat is not None and lon is not None
    ]
    if not rows and not national:
        shared = card()
        rows += [
            SearchEntry(kind=SearchEntry.KIND_AREA, municipality_code=code, card=shared, **common)
            for code in area_codes
        ]
    for row in rows:  # located or area rows: the national search shows the service once
        row.places = min(len(rows), 32767)
    if rows:
        rows[0].first = True
    if national:
        rows.append(SearchEntry(kind=SearchEntry.KIND_NATIONAL, municipality_code="", card=card(), **common))
    return rows


def reindex_services(service_ids) -> int:
    """Rebuild the search rows of these services (constant number of queries)."""
    service_ids = list(service_ids)
    if not service_ids:
        return 0
    services = Service.objects.filter(id__in=service_ids).select_related("organization")
    terms = defaultdict(list)
    for service_id, tax_code, code, name in Attribute.objects.filter(service_id__in=service_ids).values_list(
        "service_id", "taxonomy_term__taxonomy__code", "taxonomy_term__code", "taxonomy_term__name"
    ):
        terms[service_id].append((f"{tax_code}:{code}", name))
    locations = defaultdict(list)
    for row in ServiceAtLocation.objects.filter(
        service_id__in=service_ids, location__location_type=Location.LocationType.PHYSICAL
    ).values_list(
        "service_id",
        "location_id",
        "id",
        "location__latitude",
        "location__longitude",
        "location__municipality_id",
        "location__municipality__name_everyday",
    ):
        locations[row[0]].append(row[1:])
    areas, national = defaultdict(list), set()
    for service_id, code, is_national in ServiceArea.objects.filter(service_id__in=service_ids).values_list(
        "service_id", "municipality_id", "is_national"
    ):
        if is_national:
            national.add(service_id)
        elif code:
            areas[service_id].append(code)
    costs: dict = {}
    for cost in CostOption.objects.filter(service_id__in=service_ids).order_by("id"):
        costs.setdefault(cost.service_id, cost)
    location_ids = [loc[0] for found in locations.values() for loc in found]
    addresses: dict = {}
    for address in Address.objects.filter(location_id__in=location_ids).order_by("id"):
        addresses.setdefault(address.location_id, address)
    sal_ids = [loc[1] for found in locations.values() for loc in found]
    found = {s.id: s for s in Schedule.objects.filter(service_id__in=service_ids)}
    if sal_ids:  # two queries, not one OR: each uses its own index
        found.update((s.id, s) for s in Schedule.objects.filter(service_at_location_id__in=sal_ids))
    schedules = defaultdict(list)
    for schedule_id in sorted(found):
        schedule = found[schedule_id]
        schedules[schedule.service_at_location_id or schedule.service_id].append(schedule)
    rows = []
    for service in services:
        rows += build_entries(
            service=service,
            term_keys=[k for k, _ in terms[service.id]],
            term_names=[n for _, n in terms[service.id]],
            organization_name=service.organization.name,
            locations=locations[service.id],
            area_codes=areas[service.id],
            national=service.id in national,
            cost=costs.get(service.id),
            addresses=addresses,
            schedules=schedules,
        )
    with transaction.atomic():
        SearchEntry.objects.filter(service_id__in=service_ids).delete()
        SearchEntry.objects.bulk_create(rows, batch_size=1000)
        bump_version(CONTENT)  # cached public pages show the change on the next request
    return len(rows)


def reindex_all(batch: int = 2000) -> int:
    ids = list(Service.objects.values_list("id", flat=True))
    SearchEntry.objects.all().delete()
    return sum(reindex_services(ids[i : i + batch]) for i in range(0, len(ids), batch))


# --- editing --------------------------------------------------------------------


def _term_ids(data) -> list:
    ids = []
    for field, tax in (
        ("support_domains", taxonomy.SUPPORT_DOMAINS),
        ("ladder_steps", taxonomy.CARE_LADDER),
        ("respite_forms", taxonomy.RESPITE_FORMS),
        ("target_groups", taxonomy.TARGET_GROUPS),
    ):
        ids += [taxonomy.term_id(tax, code) for code in data.get(field) or ()]
    return ids


def save_related(service, data, *, place) -> None:
    """Save the form's related data: terms, areas and languages are replaced; the one location,
    address, phone, schedule and cost it shows are edited in place (``_edit_first``)."""
    Attribute.objects.filter(service=service).delete()
    valid = set(TaxonomyTerm.objects.filter(id__in=_term_ids(data)).values_list("id", flat=True))
    Attribute.objects.bulk_create(
        [Attribute(service=service, taxonomy_term_id=tid, link_type="classification") for tid in valid]
    )
    ServiceArea.objects.filter(service=service).delete()
    if data.get("is_national"):
        ServiceArea.objects.create(service=service, name="Nederland", is_national=True)
    else:
        ServiceArea.objects.bulk_create(
            [
                ServiceArea(service=service, name=m.name_everyday, municipality=m)
                for m in data.get("areas") or ()
            ]
        )
    cost = data.get("cost_amount")
    _edit_first(
        CostOption.objects.filter(service=service),
        {"amount": cost, "amount_description": data.get("cost_per", "")} if cost is not None else None,
        service=service,
    )
    _edit_first(
        Phone.objects.filter(service=service),
        {"number": data["phone"]} if data.get("phone") else None,
        service=service,
    )
    Language.objects.filter(service=service).delete()
    Language.objects.bulk_create(
        [Language(service=service, code=code, name=code) for code in data.get("languages") or ()]
    )
    weekly = None
    if data.get("opening_days") and data.get("opens_at"):
        weekly = {
            **WEEKLY_RESET,
            "byday": ",".join(data["opening_days"]),
            "opens_at": data["opens_at"],
            "closes_at": data.get("closes_at"),
            "description": data.get("schedule_description", ""),
        }
    _edit_first(Schedule.objects.filter(service=service), weekly, service=service)
    sal = service.service_at_locations.select_related("location").first()
    if place is None:
        if sal:
            sal.location.delete()
        return
    location = sal.location if sal else Location(organization=service.organization)
    location.name = data.get("location_name") or service.organization.name
    location.latitude, location.longitude = place.lat, place.lon
    location.municipality = place.municipality
    location.save()
    if not sal:
        ServiceAtLocation.objects.create(service=service, location=location)
    _edit_first(
        Address.objects.filter(location=location),
        {
            "address_1": data["address_1"],
            "city": data["city"],
            "postal_code": place.postcode,
            "state_province": place.municipality.province_name,
        },
        location=location,
    )
    _edit_first(
        Accessibility.objects.filter(location=location),
        {"description": data["accessibility"]} if data.get("accessibility") else None,
        location=location,
    )


# The form edits a weekly schedule: these reset what it does not show.
WEEKLY_RESET = {
    "freq": "WEEKLY",
    "interval": 1,
    "count": None,
    "until": None,
    "bymonthday": "",
    "byyearday": "",
    "byweekno": "",
}


def _edit_first(queryset, values: dict | None, **owner) -> None:
    """The form shows one row of a kind (the first by pk, ``ServiceForm.initial_for``): update
    that row in place (``values``), delete it (``None``) or create it. Rows it does not show
    (a second phone or opening time from an HSDS import) are kept, never silently dropped."""
    first = queryset.order_by("pk").first()
    if values is None:
        if first is not None:
            first.delete()
        return
    if first is None:
        queryset.model.objects.create(**owner, **values)
        return
    for name, value in values.items():
        setattr(first, name, value)
    first.save()


@transaction.atomic
def service_create(*, request, data: dict, place=None) -> Service:
    """Create a service from cleaned form data (``forms.ServiceForm``) and index it."""
    fields = {name: data[name] for name in SERVICE_FIELDS if name in data}
    service = Service.objects.create(**fields)
    if data.get("verified_now"):
        service.assured_date = timezone.localdate()
        service.save(update_fields=["assured_date"])
    bump_version(CONTENT)
    save_related(service, data, place=place)
    reindex_services([service.id])
    audit.log(
        request=request, action="directory.service.created", obj=service, purpose="directory maintenance"
    )
    return service


@transaction.atomic
def service_update(*, request, service: Service, data: dict, place=None) -> Service:
    for name in SERVICE_FIELDS:
        if name in data:
            setattr(service, name, data[name])
    service.updated_at = timezone.now()
    if data.get("verified_now"):
        service.assured_date = timezone.localdate()
    service.save()
    save_related(service, data, place=place)
    reindex_services([service.id])
    audit.log(
        request=request, action="directory.service.updated", obj=service, purpose="directory maintenance"
    )
    return service


@transaction.atomic
def service_verify(*, request, service: Service) -> Service:
    """Mark the information as checked today."""
    service.assured_date = timezone.localdate()
    service.save(update_fields=["assured_date"])
    bump_version(CONTENT)
    audit.log(
        request=request, action="directory.service.verified", obj=service, purpose="directory maintenance"
    )
    return service


@transaction.atomic
def service_withdraw(*, request, service: Service) -> Service:
    """Take an offer off the sociale kaart (the "verwijderen" page). A soft delete:

    * ``publication`` becomes "withdrawn" (not "draft": it was public and is now gone on
      purpose) and ``status`` becomes HSDS "defunct", so that HSDS exports tell other
      systems the offer no longer exists. The public HSDS API, like the detail page and the
      search, shows published services only: it answers 404 for this id from now on;
    * its search index rows go (``reindex_services`` keeps none for an unpublished service),
      which also bumps the content version, so cached pages and cached Balanscheck offers drop
      it on the next request;
    * it leaves every gemeente's menukaart ordering (``RespiteMenuItem``);
    * audited as ``directory.service.withdrawn``.

    The row itself stays (no hard delete): audit rows, earlier exports and what people saved
    may refer to its id, and an editor can publish it again through the edit form.
    Withdrawing a withdrawn offer changes nothing and writes no audit row.
    """
    if service.publication == Service.Publication.WITHDRAWN:
        return service
    with transaction.atomic():
        service.publication = Service.Publication.WITHDRAWN
        service.status = Service.Status.DEFUNCT
        service.updated_at = timezone.now()
        service.save(update_fields=["publication", "status", "updated_at"])
        RespiteMenuItem.objects.filter(service=service).delete()
        reindex_services([service.id])
        audit.log(
            request=request,
            action="directory.service.withdrawn",
            obj=service,
            purpose="directory maintenance",
        )
    return service


SERVICE_FIELDS = [
    "organization",
    "name",
    "description",
    "application_process",
    "what_to_expect",
    "eligibility_description",
    "cost_kind",
    "fees_description",
    "needs_indication",
    "needs_referral",
    "law",
    "url",
    "email",
    "status",
    "publication",
]


@transaction.atomic
def respite_menu_update(*, request, municipality: Municipality, intro: str, positions: dict) -> RespiteMenu:
    """Save the intro and the ordering (service id → position) of a gemeente's menukaart."""
    menu, _ = RespiteMenu.objects.get_or_create(municipality=municipality)
    menu.intro = intro
    menu.updated_at = timezone.now()
    menu.updated_by = request.user if request and request.user.is_authenticated else None
    menu.save()
    RespiteMenuItem.objects.filter(menu=menu).delete()
    RespiteMenuItem.objects.bulk_create(
        [RespiteMenuItem(menu=menu, service_id=sid, position=pos) for sid, pos in positions.items()]
    )
    audit.log(
        request=request, action="directory.respite_menu.updated", obj=menu, purpose="directory maintenance"
    )
    return menu


# --- HSDS import ----------------------------------------------------------------


def hsds_import(
    *,
    request=None,
    actor=None,
    upload=None,
    path=None,
    fmt: str = "",
    data=None,
    files=None,
    name="services.json",
    kind: str = "",
) -> hsds_importer.ImportResult:
    """Import HSDS 3.0 data; all or nothing. Give one of: ``upload`` (an uploaded .json file or zip
    of CSV tables: the admin page), ``path`` (a .json file, a .zip or a directory of CSV files;
    ``fmt`` json|csv overrides the suffix: the ``hsds_import`` command), ``files`` (CSV file name →
    text) or ``data`` (parsed JSON: an HSDS document — service, organization,
    service_at_location, location, taxonomy or term, fully nested — alone, in a list or an HSDS
    Page; ``name`` is the file the errors name). ``kind`` (a table name) says which document it
    is; otherwise the file name or its fields tell.

    Every row is checked (``hsds.importer.validate``) and *every* problem reported; nothing is
    saved unless everything is valid (one transaction). Official fields and tables we do not
    model are kept (``hsds_extra``, ``KeptRecord``) and exported again; references to records
    outside the file are kept as ids; both are reported in ``result.warnings``. Rows are matched on their HSDS ``id``
    (importing the same data twice changes nothing); for each service, organization and location
    in the file, its children that the file no longer lists are removed. The services read are
    reindexed. Audited as directory.import.completed / .failed (object id: a digest of the data).
    """
    if upload is not None:
        source = hsds_importer.from_upload(upload)
    elif path is not None:
        source = hsds_importer.from_path(path, fmt, kind)
    elif files is not None:
        source = hsds_importer.from_csv_files(files)
    else:
        source = hsds_importer.from_json(data, name, kind)
    ds, text = source.dataset, source.text
    result = hsds_importer.ImportResult()
    cleaned = hsds_importer.validate(ds, from_csv=source.from_csv) if not ds.errors or ds.count() else {}
    if not ds.errors:
        try:
            with transaction.atomic():
                service_ids = _hsds_apply(cleaned, result, listed=ds.listed, listed_tables=ds.csv_tables)
                _hsds_keep(ds, cleaned, result)
                reindex_services(service_ids)
                result.services = len(service_ids)
        except IntegrityError as error:
            ds.errors.append(
                hsds_importer.RowError(text or "-", "-", "", f"The database refused the data: {error}")
            )
    result.errors = hsds_importer.sorted_errors(ds.errors)
    result.warnings = hsds_importer.sorted_errors(ds.warnings)
    if result.errors:
        result.created.clear()
        result.updated.clear()
        result.deleted.clear()
    digest = hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""
    audit.log(
        request=request,
        actor=actor,
        role="" if (request or actor) else "system",
        action="directory.import.completed" if result.ok else "directory.import.failed",
        object_type="directory.hsds_import",
        object_id=digest,
        purpose="directory maintenance",
        outcome=audit.OUTCOME_SUCCESS if result.ok else audit.OUTCOME_FAILURE,
    )
    return result


def _hsds_keep(ds, cleaned, result: hsds_importer.ImportResult) -> None:
    """Write the rows kept as given (``KeptRecord``), inside the caller's transaction: upsert them,
    remove the kept rows that a parent in the file (or a table's CSV file) no longer lists, and
    forget kept rows of a modelled table that this import could place."""
    kept = ds.kept.values()
    keys = {(k.table, k.hsds_id, k.parent_table, k.parent_id) for k in kept}
    listed: dict[tuple[str, str], set[str]] = defaultdict(set)  # (table, parent table) → parent ids
    for parent_table, parent_id, table in ds.listed:
        listed[(table, parent_table)].add(parent_id)
    stale = [KeptRecord.objects.filter(table=table) for table in ds.csv_tables & set(hsds_fields.KEPT_TABLES)]
    for (table, parent_table), parent_ids in listed.items():
        ids = sorted(parent_ids)
        for i in range(0, len(ids), 500):
            stale.append(
                KeptRecord.objects.filter(
                    table=table, parent_table=parent_table, parent_id__in=ids[i : i + 500]
                )
            )
    for name, rows in cleaned.items():  # rows we could not place before and now could
        ids = [c.values["id"] for c in rows]
        for i in range(0, len(ids), 500):
            stale.append(KeptRecord.objects.filter(table=name, parent_table="", hsds_id__in=ids[i : i + 500]))
    gone = [
        pk
        for qs in stale
        for pk, *key in qs.values_list("pk", "table", "hsds_id", "parent_table", "parent_id")
        if (key[0], str(key[1]), key[2], key[3]) not in keys
    ]
    if gone:
        result.deleted["kept rows"] += KeptRecord.objects.filter(pk__in=gone).delete()[0]
    existing = {(r.table, str(r.hsds_id), r.parent_table, r.parent_id): r for r in _kept_in_db(keys)}
    creates, updates = [], []
    for k in kept:
        record = existing.get((k.table, k.hsds_id, k.parent_table, k.parent_id))
        if record is None:
            creates.append(
                KeptRecord(
                    table=k.table,
                    hsds_id=k.hsds_id,
                    parent_table=k.parent_table,
                    parent_id=k.parent_id,
                    data=k.data,
                )
            )
        elif record.data != k.data:
            record.data = k.data
            record.updated_at = timezone.now()
            updates.append(record)
    KeptRecord.objects.bulk_create(creates, batch_size=500)
    KeptRecord.objects.bulk_update(updates, ["data", "updated_at"], batch_size=500)
    result.created["kept rows"] += len(creates)
    result.updated["kept rows"] += len(updates)


def _kept_in_db(keys) -> list:
    ids = sorted({k[1] for k in keys})
    out: list[KeptRecord] = []
    for i in range(0, len(ids), 500):
        out += KeptRecord.objects.filter(hsds_id__in=ids[i : i + 500])
    return out


def _hsds_apply(
    cleaned: dict[str, list[hsds_importer.Clean]],
    result: hsds_importer.ImportResult,
    *,
    listed: set,
    listed_tables: set,
) -> list:
    """Write the cleaned rows (inside the caller's transaction); returns the service ids."""
    ids = {name: {c.values["id"] for c in rows} for name, rows in cleaned.items()}
    # 1. Children that a parent in the file no longer lists.
    for parent, children in hsds_importer.OWNED.items():
        for child, pointer in children:
            parent_ids = [
                pid for pid in ids[parent] if child in listed_tables or (parent, str(pid), child) in listed
            ]
            if not parent_ids:
                continue
            model = hsds_fields.TABLES[child].model
            attr = hsds_fields.attr_of(child, pointer)
            for i in range(0, len(parent_ids), 500):
                stale = model._default_manager.filter(**{f"{attr}__in": parent_ids[i : i + 500]}).exclude(
                    id__in=ids[child]
                )
                count = stale.delete()[1].get(model._meta.label, 0)
                if count:
                    result.deleted[child] += count
    # 2. Upserts, table by table (foreign keys are checked at commit).
    for name in hsds_fields.ORDER:
        rows = cleaned[name]
        if not rows:
            continue
        model = hsds_fields.TABLES[name].model
        existing = {}
        row_ids = [c.values["id"] for c in rows]
        for i in range(0, len(row_ids), 500):
            existing.update(model._default_manager.in_bulk(row_ids[i : i + 500]))
        creates, updates, changed_fields = [], [], set()
        for c in rows:
            values = dict(c.values)
            obj = existing.get(values["id"])
            if obj is None:
                creates.append(model(**values))
                continue
            diff = [a for a, v in values.items() if a != "id" and getattr(obj, a) != v]
            if name == "services" and "last_modified" not in c.row.data:
                diff = [a for a in diff if a != "updated_at"]
                if diff:
                    values["updated_at"] = timezone.now()
                    diff.append("updated_at")
            m2m_changed = any(
                sorted(getattr(obj, a).values_list("pk", flat=True)) != v for a, v in c.m2m.items()
            )
            if diff:
                for a in diff:
                    setattr(obj, a, values[a])
                if hasattr(obj, "updated_at") and name != "services":
                    obj.updated_at = timezone.now()
                    diff.append("updated_at")
                updates.append(obj)
                changed_fields |= set(diff)
            elif m2m_changed:
                result.updated[name] += 1
        model._default_manager.bulk_create(creates, batch_size=500)
        if updates:
            model._default_manager.bulk_update(updates, sorted(changed_fields), batch_size=500)
        result.created[name] += len(creates)
        result.updated[name] += len(updates)
        for c in rows:
            for attr, codes in c.m2m.items():
                obj = model(id=c.values["id"])
                current = sorted(getattr(obj, attr).values_list("pk", flat=True))
                if current != codes:
                    getattr(obj, attr).set(codes)
    return list(ids["services"])
