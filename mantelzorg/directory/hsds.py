"""Open Referral HSDS 3.0: our models as HSDS objects (API and export) and back (import).

One field table (``TABLES``) drives all three directions:

* **API / JSON export** — ``service_list_item`` (the one-to-one ``service_list`` shape),
  ``service_full`` (the compiled ``service`` shape, fully nested), and the organization,
  location, service_at_location and taxonomy shapes. Empty values are left out (HSDS types
  are not nullable).
* **CSV export** — one file per table, the columns of ``simple/schema.csv`` that our models
  hold, plus our extensions (documented at ``/api/hsds/3.0/profile/``).
* **Import** — JSON (an array of fully nested services, an HSDS Page, or one service) or the
  CSV tables (a directory or a zip). Every row is checked against our models (types, required
  fields, choices, lengths, e-mail/URL syntax, references); *every* bad row and field is
  reported; nothing is saved unless everything is valid (one transaction). Rows are matched
  on their HSDS ``id`` (idempotent: importing the same data twice changes nothing). For each
  service, organization and location in the file, its children that the file no longer
  lists are removed (the file is the truth for what it contains).

Schedules: HSDS allows only ``freq`` WEEKLY/MONTHLY; our DAILY/YEARLY schedules travel in the
extension ``rrule_freq``. Times are Europe/Amsterdam wall-clock times; on export they get the
zone's standard offset (``09:00+01:00``) and ``timezone`` 1, with ``timezone_name`` as extension.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify

from mantelzorg.core import audit
from mantelzorg.core.models import Municipality

from . import phones
from .models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

HSDS_VERSION = "3.0"
HSDS_FREQS = ("WEEKLY", "MONTHLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class F:
    """One HSDS field: its name in JSON/CSV, the model attribute, and how to convert it."""

    name: str
    attr: str
    kind: str = "str"  # str|int|float|decimal|date|datetime|time|bool|fk|code|codes|tz|tzname|freq|rrule_freq
    to: str = ""  # for fk/code: the table (or "municipalities") it points at
    export_only: bool = False  # computed on export, ignored on import
    internal: bool = False  # only in exports, never in the public API


@dataclass(frozen=True)
class Table:
    name: str  # HSDS table (CSV file name without .csv)
    model: type
    fields: tuple[F, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _fk(name, to):
    return F(name, name, "fk", to)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "taxonomies",
            Taxonomy,
            (
                F("id", "id", "uuid"),
                F("name", "name"),
                F("description", "description"),
                F("uri", "uri"),
                F("version", "version"),
                F("code", "code"),
                F("name_en", "name_en"),
            ),
        ),
        Table(
            "taxonomy_terms",
            TaxonomyTerm,
            (
                F("id", "id", "uuid"),
                F("code", "code"),
                F("name", "name"),
                F("description", "description"),
                _fk("parent_id", "taxonomy_terms"),
                _fk("taxonomy_id", "taxonomies"),
                F("language", "language"),
                F("term_uri", "term_uri"),
                F("name_en", "name_en"),
                F("position", "position", "int"),
            ),
        ),
        Table(
            "organizations",
            Organization,
            (
                F("id", "id", "uuid"),
                F("name", "name"),
                F("alternate_name", "alternate_name"),
                F("description", "description"),
                F("email", "email"),
                F("website", "website"),
                F("legal_status", "legal_status"),
                F("uri", "uri"),
                F("parent_organization_id", "parent_organization_id", "fk", "organizations"),
                F("kind", "kind"),
                F("municipalities", "municipalities", "codes", "municipalities"),
            ),
        ),
        Table(
            "services",
            Service,
            (
                F("id", "id", "uuid"),
                _fk("organization_id", "organizations"),
                F("name", "name"),
                F("alternate_name", "alternate_name"),
                F("description", "description"),
                F("url", "url"),
                F("email", "email"),
                F("status", "status"),
                F("interpretation_services", "interpretation_services"),
                F("application_process", "application_process"),
                F("fees_description", "fees_description"),
                F("accreditations", "accreditations"),
                F("eligibility_description", "eligibility_description"),
                F("minimum_age", "minimum_age", "int"),
                F("maximum_age", "maximum_age", "int"),
                F("assured_date", "assured_date", "date"),
                F("assurer_email", "assurer_email"),
                F("alert", "alert"),
                F("last_modified", "updated_at", "datetime"),
                # extensions
                F("what_to_expect", "what_to_expect"),
                F("cost_kind", "cost_kind"),
                F("needs_indication", "needs_indication", "bool"),
                F("needs_referral", "needs_referral", "bool"),
                F("law", "law"),
                F("publication", "publication", internal=True),
            ),
        ),
        Table(
            "locations",
            Location,
            (
                F("id", "id", "uuid"),
                F("location_type", "location_type"),
                F("url", "url"),
                _fk("organization_id", "organizations"),
                F("name", "name"),
                F("alternate_name", "alternate_name"),
                F("description", "description"),
                F("transportation", "transportation"),
                F("latitude", "latitude", "float"),
                F("longitude", "longitude", "float"),
                F("external_identifier", "external_identifier"),
                F("external_identifier_type", "external_identifier_type"),
                F("municipality_code", "municipality_id", "code", "municipalities"),
            ),
        ),
        Table(
            "addresses",
            Address,
            (
                F("id", "id", "uuid"),
                _fk("location_id", "locations"),
                F("attention", "attention"),
                F("address_1", "address_1"),
                F("address_2", "address_2"),
                F("city", "city"),
                F("region", "region"),
                F("state_province", "state_province"),
                F("postal_code", "postal_code"),
                F("country", "country"),
                F("address_type", "address_type"),
            ),
        ),
        Table(
            "service_at_locations",
            ServiceAtLocation,
            (
                F("id", "id", "uuid"),
                _fk("service_id", "services"),
                _fk("location_id", "locations"),
                F("description", "description"),
            ),
        ),
        Table(
            "contacts",
            Contact,
            (
                F("id", "id", "uuid"),
                _fk("organization_id", "organizations"),
                _fk("service_id", "services"),
                _fk("service_at_location_id", "service_at_locations"),
                _fk("location_id", "locations"),
                F("name", "name"),
                F("title", "title"),
                F("department", "department"),
                F("email", "email"),
            ),
        ),
        Table(
            "phones",
            Phone,
            (
                F("id", "id", "uuid"),
                _fk("location_id", "locations"),
                _fk("service_id", "services"),
                _fk("organization_id", "organizations"),
                _fk("contact_id", "contacts"),
                _fk("service_at_location_id", "service_at_locations"),
                F("number", "number"),
                F("extension", "extension", "int"),
                F("type", "type"),
                F("description", "description"),
            ),
        ),
        Table(
            "schedules",
            Schedule,
            (
                F("id", "id", "uuid"),
                _fk("service_id", "services"),
                _fk("location_id", "locations"),
                _fk("service_at_location_id", "service_at_locations"),
                F("valid_from", "valid_from", "date"),
                F("valid_to", "valid_to", "date"),
                F("dtstart", "dtstart", "date"),
                F("timezone", "timezone", "tz"),
                F("until", "until", "date"),
                F("count", "count", "int"),
                F("wkst", "wkst"),
                F("freq", "freq", "freq"),
                F("interval", "interval", "int"),
                F("byday", "byday"),
                F("byweekno", "byweekno"),
                F("bymonthday", "bymonthday"),
                F("byyearday", "byyearday"),
                F("description", "description"),
                F("opens_at", "opens_at", "time"),
                F("closes_at", "closes_at", "time"),
                F("schedule_link", "schedule_link"),
                F("attending_type", "attending_type"),
                F("notes", "notes"),
                # extensions
                F("timezone_name", "timezone", "tzname"),
                F("rrule_freq", "freq", "rrule_freq"),
            ),
        ),
        Table(
            "service_areas",
            ServiceArea,
            (
                F("id", "id", "uuid"),
                _fk("service_id", "services"),
                F("name", "name"),
                F("description", "description"),
                F("extent", "extent"),
                F("extent_type", "extent_type"),
                F("uri", "uri"),
                F("municipality_code", "municipality_id", "code", "municipalities"),
                F("is_national", "is_national", "bool"),
            ),
        ),
        Table(
            "attributes",
            Attribute,
            (
                F("id", "id", "uuid"),
                F("link_id", "service_id", "fk", "services"),
                _fk("taxonomy_term_id", "taxonomy_terms"),
                F("link_type", "link_type"),
                F("link_entity", "link_entity"),
                F("value", "value"),
            ),
        ),
        Table(
            "cost_options",
            CostOption,
            (
                F("id", "id", "uuid"),
                _fk("service_id", "services"),
                F("valid_from", "valid_from", "date"),
                F("valid_to", "valid_to", "date"),
                F("option", "option"),
                F("currency", "currency"),
                F("amount", "amount", "decimal"),
                F("amount_description", "amount_description"),
            ),
        ),
        Table(
            "languages",
            Language,
            (
                F("id", "id", "uuid"),
                _fk("service_id", "services"),
                _fk("location_id", "locations"),
                _fk("phone_id", "phones"),
                F("name", "name"),
                F("code", "code"),
                F("note", "note"),
            ),
        ),
        Table(
            "accessibility",
            Accessibility,
            (
                F("id", "id", "uuid"),
                _fk("location_id", "locations"),
                F("description", "description"),
                F("details", "details"),
                F("url", "url"),
            ),
        ),
    )
}
# Fields HSDS requires even when empty (so we never leave them out).
REQUIRED = {
    "taxonomies": {"name", "description"},
    "taxonomy_terms": {"name", "description"},
    "organizations": {"name", "description"},
    "services": {"name", "status"},
    "locations": {"location_type"},
    "addresses": {"address_1", "city", "state_province", "postal_code", "country", "address_type"},
    "phones": {"number"},
}


# --- values ---------------------------------------------------------------------------------


def zone_offset_hours(name: str) -> float:
    """The standard (winter) UTC offset of a time zone, in hours."""
    try:
        zone = ZoneInfo(name or "Europe/Amsterdam")
    except (KeyError, ValueError):
        return 0
    offset = dt.datetime(2025, 1, 15, 12, tzinfo=zone).utcoffset() or dt.timedelta()
    hours = offset.total_seconds() / 3600
    return int(hours) if hours == int(hours) else hours


def _offset_text(hours: float) -> str:
    if not hours:
        return "Z"
    minutes = int(round(abs(hours) * 60))
    return f"{'+' if hours > 0 else '-'}{minutes // 60:02d}:{minutes % 60:02d}"


def _time_text(value: dt.time, zone_name: str) -> str:
    base = value.strftime("%H:%M" if not value.second else "%H:%M:%S")
    return base + _offset_text(zone_offset_hours(zone_name))


def out_value(obj, f: F):
    """The HSDS (JSON) value of one field of a model object, or None for "leave it out"."""
    if f.kind == "codes":
        codes = sorted(m.code for m in getattr(obj, f.attr).all())
        return codes or None
    value = getattr(obj, f.attr)
    if value is None or value == "":
        return None
    kind = f.kind
    if kind in ("uuid", "fk"):
        return str(value)
    if kind == "date":
        return value.isoformat()
    if kind == "datetime":
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if kind == "time":
        return _time_text(value, obj.timezone)
    if kind == "decimal":
        return float(value)
    if kind == "tz":
        return zone_offset_hours(value)
    if kind == "freq":
        return value if value in HSDS_FREQS else None
    if kind == "rrule_freq":
        return None if value in HSDS_FREQS else value
    return value


def row(obj, table: str, *, internal: bool = False) -> dict:
    """The one-to-one fields of ``obj`` as an HSDS object (empty values left out)."""
    out = {}
    required = REQUIRED.get(table, ())
    for f in TABLES[table].fields:
        if f.internal and not internal:
            continue
        value = out_value(obj, f)
        if value is None:
            if f.name in required:
                out[f.name] = ""
            continue
        out[f.name] = value
    return out


def _sorted(objs):
    return sorted(objs, key=lambda o: o.id)


# --- API / JSON shapes ----------------------------------------------------------------------


def organization_brief(org: Organization) -> dict:
    """Organization one-to-one fields (``organization_list`` shape) without the M2M extension."""
    out = {"id": str(org.id), "name": org.name, "description": org.description}
    for name in ("alternate_name", "email", "website", "legal_status", "uri"):
        value = getattr(org, name)
        if value:
            out[name] = value
    if org.parent_organization_id:
        out["parent_organization_id"] = str(org.parent_organization_id)
    out["kind"] = org.kind
    return out


def service_list_item(service: Service, *, internal: bool = False) -> dict:
    """The ``service_list`` shape: one-to-one fields and the organization (select_related)."""
    out = row(service, "services", internal=internal)
    out["organization"] = organization_brief(service.organization)
    return out


def phone_full(phone) -> dict:
    out = row(phone, "phones")
    out["languages"] = [row(x, "languages") for x in _sorted(phone.languages.all())]
    return out


def contact_full(contact) -> dict:
    out = row(contact, "contacts")
    out["phones"] = [phone_full(p) for p in _sorted(contact.phones.all())]
    return out


def taxonomy_item(taxonomy: Taxonomy) -> dict:
    return row(taxonomy, "taxonomies")


def term_item(term: TaxonomyTerm) -> dict:
    out = row(term, "taxonomy_terms")
    out["taxonomy"] = term.taxonomy.name
    out["taxonomy_detail"] = taxonomy_item(term.taxonomy)
    return out


def attribute_full(attribute) -> dict:
    out = row(attribute, "attributes")
    out["taxonomy_term"] = term_item(attribute.taxonomy_term)
    return out


def location_full(location) -> dict:
    out = row(location, "locations")
    out["addresses"] = [row(x, "addresses") for x in _sorted(location.addresses.all())]
    out["accessibility"] = [row(x, "accessibility") for x in _sorted(location.accessibility.all())]
    out["languages"] = [row(x, "languages") for x in _sorted(location.languages.all())]
    out["phones"] = [phone_full(x) for x in _sorted(location.phones.all())]
    out["schedules"] = [row(x, "schedules") for x in _sorted(location.schedules.all())]
    out["contacts"] = [contact_full(x) for x in _sorted(location.contacts.all())]
    return out


def service_at_location_full(sal) -> dict:
    out = row(sal, "service_at_locations")
    out["contacts"] = [contact_full(x) for x in _sorted(sal.contacts.all())]
    out["phones"] = [phone_full(x) for x in _sorted(sal.phones.all())]
    out["schedules"] = [row(x, "schedules") for x in _sorted(sal.schedules.all())]
    out["location"] = location_full(sal.location)
    return out


def organization_full(org, *, locations=None) -> dict:
    out = row(org, "organizations")
    out["contacts"] = [contact_full(x) for x in _sorted(org.contacts.all())]
    out["phones"] = [phone_full(x) for x in _sorted(org.phones.all())]
    if locations is not None:
        out["locations"] = [location_full(x) for x in _sorted(locations)]
    return out


def service_full(service: Service, *, internal: bool = False) -> dict:
    """The compiled ``service`` shape, fully nested (prefetch with ``full_queryset``)."""
    out = row(service, "services", internal=internal)
    org = service.organization
    # Locations of the organization that no service uses travel with the organization.
    orphans = [loc for loc in org.locations.all() if not loc.service_at_locations.all()] if internal else None
    out["organization"] = organization_full(org, locations=orphans)
    out["phones"] = [phone_full(x) for x in _sorted(service.phones.all())]
    out["schedules"] = [row(x, "schedules") for x in _sorted(service.schedules.all())]
    out["service_areas"] = [row(x, "service_areas") for x in _sorted(service.service_areas.all())]
    out["service_at_locations"] = [
        service_at_location_full(x) for x in _sorted(service.service_at_locations.all())
    ]
    out["languages"] = [row(x, "languages") for x in _sorted(service.languages.all())]
    out["cost_options"] = [row(x, "cost_options") for x in _sorted(service.cost_options.all())]
    out["contacts"] = [contact_full(x) for x in _sorted(service.contacts.all())]
    out["attributes"] = [attribute_full(x) for x in _sorted(service.attributes.all())]
    return out


def _phones(prefix):
    return [f"{prefix}phones__languages"]


def _contacts(prefix):
    return [f"{prefix}contacts__phones__languages"]


def _location(prefix):
    return [
        f"{prefix}addresses",
        f"{prefix}accessibility",
        f"{prefix}languages",
        f"{prefix}schedules",
        *_phones(prefix),
        *_contacts(prefix),
    ]


def full_queryset(qs, *, internal: bool = False):
    """Prefetch everything ``service_full`` reads (a constant number of queries)."""
    lookups = [
        "organization__municipalities",
        *_phones(""),
        "schedules",
        "service_areas",
        "languages",
        "cost_options",
        *_contacts(""),
        Prefetch("attributes", queryset=Attribute.objects.select_related("taxonomy_term__taxonomy")),
        Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location")),
        "service_at_locations__schedules",
        *_phones("service_at_locations__"),
        *_contacts("service_at_locations__"),
        *_location("service_at_locations__location__"),
        *_phones("organization__"),
        *_contacts("organization__"),
    ]
    if internal:
        lookups += ["organization__locations__service_at_locations", *_location("organization__locations__")]
    return qs.select_related("organization").prefetch_related(*lookups)


# --- export -----------------------------------------------------------------------------------


def export_json() -> list[dict]:
    """Every service (drafts too, with the ``publication`` extension), fully nested, by id."""
    qs = full_queryset(Service.objects.order_by("id"), internal=True)
    return [service_full(s, internal=True) for s in qs.iterator(chunk_size=500)]


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def export_tables() -> dict[str, list[dict]]:
    """Every table as a list of {column: text} rows, ordered by id."""
    out = {}
    for name, table in TABLES.items():
        qs = table.model.objects.order_by("id")
        if name == "organizations":
            qs = qs.prefetch_related("municipalities")
        rows = []
        for obj in qs.iterator(chunk_size=2000):
            rows.append({f.name: _csv_text(out_value(obj, f)) for f in table.fields})
        out[name] = rows
    return out


def export_csv(target) -> list[str]:
    """Write the CSV tables into directory ``target`` or, if it ends in .zip, into a zip file."""
    tables = export_tables()
    files = {}
    for name, rows in tables.items():
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[f.name for f in TABLES[name].fields], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        files[TABLES[name].filename] = buffer.getvalue()
    target = Path(target) if not hasattr(target, "write") else target
    if hasattr(target, "write") or str(target).endswith(".zip"):
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for filename, content in files.items():
                archive.writestr(filename, content)
    else:
        target.mkdir(parents=True, exist_ok=True)
        for filename, content in files.items():
            (target / filename).write_text(content, encoding="utf-8")
    return list(files)


# --- import -----------------------------------------------------------------------------------


@dataclass
class RowError:
    file: str
    row: str
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "field": self.field, "message": self.message}

    def __str__(self):
        return f"{self.file} row {self.row}, {self.field or '-'}: {self.message}"


@dataclass
class ImportResult:
    created: dict = field(default_factory=lambda: defaultdict(int))
    updated: dict = field(default_factory=lambda: defaultdict(int))
    deleted: dict = field(default_factory=lambda: defaultdict(int))
    errors: list[RowError] = field(default_factory=list)
    services: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())

    def summary(self) -> str:
        parts = []
        for label, counts in (
            ("created", self.created),
            ("updated", self.updated),
            ("deleted", self.deleted),
        ):
            text = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()) if n)
            parts.append(f"{label}: {text or 'nothing'}")
        return "; ".join(parts)


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class _Row:
    table: str
    file: str
    where: str  # row number (CSV) or JSON path
    data: dict  # HSDS name → raw value (only fields given)


class Dataset:
    """Rows per table, merged by id, with the place each came from."""

    def __init__(self):
        self.rows: dict[str, dict[str, _Row]] = {name: {} for name in TABLES}
        self.errors: list[RowError] = []
        # (parent table, parent id, child table): the file lists this parent's children of that
        # table, so the ones it does not list are removed. CSV: a table's file lists them all.
        self.listed: set[tuple[str, str, str]] = set()
        self.csv_tables: set[str] = set()

    def add(self, table: str, file: str, where: str, data: dict) -> None:
        raw_id = data.get("id")
        if raw_id in (None, ""):
            self.errors.append(RowError(file, where, "id", "This field is required."))
            return
        try:
            key = str(uuid.UUID(str(raw_id)))
        except ValueError:
            self.errors.append(RowError(file, where, "id", f"“{raw_id}” is not a valid UUID."))
            return
        data = {**data, "id": key}
        existing = self.rows[table].get(key)
        if existing is None:
            self.rows[table][key] = _Row(table, file, where, data)
            return
        for name, value in data.items():
            if name not in existing.data or existing.data[name] in (None, ""):
                existing.data[name] = value
            elif value not in (None, "") and _norm(existing.data[name]) != _norm(value):
                self.errors.append(
                    RowError(file, where, name, f"Differs from the same {table} id at {existing.where}.")
                )

    def count(self) -> int:
        return sum(len(r) for r in self.rows.values())


def _norm(value):
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    return str(value).strip().lower()


# Nested JSON: key → (child table, the child's field that points at the parent)
CHILDREN = {
    "services": {
        "phones": ("phones", "service_id"),
        "schedules": ("schedules", "service_id"),
        "service_areas": ("service_areas", "service_id"),
        "languages": ("languages", "service_id"),
        "cost_options": ("cost_options", "service_id"),
        "contacts": ("contacts", "service_id"),
        "attributes": ("attributes", "link_id"),
        "service_at_locations": ("service_at_locations", "service_id"),
    },
    "organizations": {
        "phones": ("phones", "organization_id"),
        "contacts": ("contacts", "organization_id"),
        "locations": ("locations", "organization_id"),
        "services": ("services", "organization_id"),
    },
    "service_at_locations": {
        "contacts": ("contacts", "service_at_location_id"),
        "phones": ("phones", "service_at_location_id"),
        "schedules": ("schedules", "service_at_location_id"),
    },
    "locations": {
        "addresses": ("addresses", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "languages": ("languages", "location_id"),
        "phones": ("phones", "location_id"),
        "schedules": ("schedules", "location_id"),
        "contacts": ("contacts", "location_id"),
    },
    "contacts": {"phones": ("phones", "contact_id")},
    "phones": {"languages": ("languages", "phone_id")},
}
# Nested JSON: key → (parent table, the field of *this* object that points at it)
PARENTS = {
    "services": {"organization": ("organizations", "organization_id")},
    "service_at_locations": {"location": ("locations", "location_id"), "service": ("services", "service_id")},
    "attributes": {"taxonomy_term": ("taxonomy_terms", "taxonomy_term_id")},
    "taxonomy_terms": {"taxonomy_detail": ("taxonomies", "taxonomy_id")},
}


def _uuid_text(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(value)


def _walk(ds: Dataset, table: str, obj, file: str, path: str, inherited: dict) -> None:
    if not isinstance(obj, dict):
        ds.errors.append(RowError(file, path, "", "Expected an object."))
        return
    known = {f.name for f in TABLES[table].fields}
    data = {k: v for k, v in obj.items() if k in known}
    for name, value in inherited.items():
        data.setdefault(name, value)
    for key, (_parent_table, pointer) in PARENTS.get(table, {}).items():
        nested = obj.get(key)
        if isinstance(nested, dict) and nested.get("id"):
            data.setdefault(pointer, nested["id"])
    ds.add(table, file, path, data)
    own_id = obj.get("id")
    for key, (child_table, pointer) in CHILDREN.get(table, {}).items():
        nested = obj.get(key)
        if nested is None:
            continue
        if not isinstance(nested, list):
            ds.errors.append(RowError(file, f"{path}.{key}", key, "Expected a list."))
            continue
        if own_id:
            ds.listed.add((table, _uuid_text(own_id), child_table))
        for i, child in enumerate(nested):
            _walk(ds, child_table, child, file, f"{path}.{key}[{i}]", {pointer: own_id} if own_id else {})
    for key, (parent_table, _pointer) in PARENTS.get(table, {}).items():
        nested = obj.get(key)
        if isinstance(nested, dict):
            _walk(ds, parent_table, nested, file, f"{path}.{key}", {})


def dataset_from_json(data, file: str = "services.json") -> Dataset:
    """A fully nested service array, an HSDS Page ({"contents": [...]}) or a single service."""
    ds = Dataset()
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items = data["contents"]
    elif isinstance(data, dict):
        items = [data]
    elif isinstance(data, list):
        items = data
    else:
        ds.errors.append(RowError(file, "", "", "Expected a list of services or an HSDS page."))
        return ds
    for i, item in enumerate(items):
        _walk(ds, "services", item, file, f"[{i}]", {})
    return ds


def dataset_from_csv_files(files: dict[str, str]) -> Dataset:
    """``files``: file name → CSV text. Unknown files are reported; missing ones are empty tables."""
    ds = Dataset()
    by_file = {t.filename: t for t in TABLES.values()}
    for filename, content in sorted(files.items()):
        table = by_file.get(Path(filename).name)
        if table is None:
            if filename.endswith(".csv"):
                ds.errors.append(RowError(filename, "", "", "Unknown file: not an HSDS table we import."))
            continue
        reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
        columns = set(reader.fieldnames or ())
        if "id" not in columns:
            ds.errors.append(RowError(filename, "1", "id", "The file has no id column."))
            continue
        known = {f.name for f in table.fields}
        ds.csv_tables.add(table.name)
        for number, record in enumerate(reader, start=2):
            data = {k: v for k, v in record.items() if k in known and v not in (None, "")}
            ds.add(table.name, filename, str(number), data)
    return ds


def read_csv_source(path) -> dict[str, str]:
    """CSV files from a directory, a zip file path or a file-like zip."""
    if hasattr(path, "read") or zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return {
                Path(n).name: archive.read(n).decode("utf-8-sig")
                for n in archive.namelist()
                if n.endswith(".csv") and not n.startswith("__MACOSX")
            }
    path = Path(path)
    return {p.name: p.read_text(encoding="utf-8-sig") for p in sorted(path.glob("*.csv"))}


TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
TRUE, FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f"}


def _parse(f: F, value, *, from_csv: bool):
    """Raw HSDS value → Python value for the model; raises ValueError with a message."""
    kind = f.kind
    if kind == "str":
        if isinstance(value, (dict, list, bool)):
            raise ValueError("Expected text.")
        return str(value)
    if kind in ("uuid", "fk", "code", "tzname", "freq", "rrule_freq"):
        if not isinstance(value, str):
            raise ValueError("Expected text.")
        text = value.strip()
        if kind in ("uuid", "fk"):
            try:
                return uuid.UUID(text)
            except ValueError:
                raise ValueError(f"“{text}” is not a valid UUID.") from None
        if kind in ("freq", "rrule_freq"):
            text = text.upper()
            if text not in Schedule.Freq.values:
                raise ValueError(f"“{text}” is not one of {', '.join(Schedule.Freq.values)}.")
        if kind == "code":
            text = text.upper()
        return text
    if kind == "codes":
        items = value if isinstance(value, list) else re.split(r"[\s,;]+", str(value).strip())
        return sorted({str(v).strip().upper() for v in items if str(v).strip()})
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValueError("Expected true or false.")
    if kind == "int":
        if isinstance(value, bool):
            raise ValueError("Expected a whole number.")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        if from_csv and re.fullmatch(r"-?\d+(\.0+)?", str(value).strip()):
            return int(float(value))
        raise ValueError("Expected a whole number.")
    if kind in ("float", "tz"):
        if isinstance(value, bool) or (not from_csv and not isinstance(value, (int, float))):
            raise ValueError("Expected a number.")
        try:
            number = float(value)
        except ValueError:
            raise ValueError("Expected a number.") from None
        if kind == "float":
            return number
        if number in (1, 2):  # CET / CEST
            return "Europe/Amsterdam"
        if number == 0:
            return "UTC"
        if number != int(number):
            raise ValueError("Expected a whole number of hours.")
        return f"Etc/GMT{-int(number):+d}"
    if kind == "decimal":
        if isinstance(value, bool) or (not from_csv and not isinstance(value, (int, float))):
            raise ValueError("Expected a number.")
        try:
            return decimal.Decimal(str(value)).quantize(decimal.Decimal("0.01"))
        except (decimal.InvalidOperation, ValueError):
            raise ValueError("Expected a number.") from None
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise ValueError("Expected a date as YYYY-MM-DD.") from None
    if kind == "datetime":
        try:
            moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("Expected a date and time (ISO 8601).") from None
        return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)
    if kind == "time":
        match = TIME_RE.match(str(value).strip())
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError("Expected a time as HH:MM with an offset, such as 09:00+01:00.")
        return dt.time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    raise ValueError(f"unknown kind {kind}")  # pragma: no cover


def _model_field(model, attr):
    try:
        return model._meta.get_field(attr)
    except Exception:  # noqa: BLE001 - attname such as organization_id
        for f in model._meta.concrete_fields:
            if f.attname == attr:
                return f
    return None


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


@dataclass
class _Clean:
    values: dict  # attr → value (for every field of the table)
    m2m: dict
    row: _Row


def _clean_row(r: _Row, from_csv: bool, errors: list[RowError]) -> _Clean | None:
    table = TABLES[r.table]
    model = table.model
    values: dict = {}
    m2m: dict = {}
    bad = False
    given = r.data
    # Defaults for what the row does not give, so that an update replaces the whole row.
    for f in table.fields:
        if f.kind in ("rrule_freq", "tzname"):
            continue
        if f.kind == "codes":
            m2m[f.attr] = []
            continue
        mf = _model_field(model, f.attr)
        if f.name == "id":
            continue
        if mf is not None:
            values[f.attr] = mf.get_default() if mf.has_default() else (None if mf.null else "")
    for f in table.fields:
        if f.name not in given or given[f.name] in (None, ""):
            continue
        try:
            value = _parse(f, given[f.name], from_csv=from_csv)
        except ValueError as error:
            errors.append(RowError(r.file, r.where, f.name, str(error)))
            bad = True
            continue
        if f.kind == "codes":
            m2m[f.attr] = value
        else:
            values[f.attr] = value
    values["id"] = uuid.UUID(r.data["id"])
    # Model rules: required, choices, lengths, e-mail and URL syntax, number ranges.
    for f in table.fields:
        if f.kind in ("fk", "codes", "uuid", "code", "tz", "tzname", "rrule_freq", "freq"):
            continue
        mf = _model_field(model, f.attr)
        if mf is None or f.name in _failed(errors, r):
            continue
        try:
            values[f.attr] = mf.clean(values.get(f.attr), None)
        except ValidationError as error:
            errors.append(RowError(r.file, r.where, f.name, _message(error)))
            bad = True
    for f in table.fields:  # required references
        if f.kind in ("fk", "code") and values.get(f.attr) in (None, ""):
            mf = _model_field(model, f.attr)
            if mf is not None and not mf.null:
                errors.append(RowError(r.file, r.where, f.name, "This field is required."))
                bad = True
    if r.table == "service_areas" and not values.get("is_national") and not values.get("municipality_id"):
        errors.append(
            RowError(
                r.file,
                r.where,
                "municipality_code",
                "A service area needs a gemeente code (such as GM0363) or is_national true.",
            )
        )
        bad = True
    if r.table == "phones" and values.get("number") and "number" not in _failed(errors, r):
        try:
            values["number"] = phones.import_number(values["number"])
        except ValueError as error:
            errors.append(RowError(r.file, r.where, "number", str(error)))
            bad = True
    if r.table == "taxonomies" and not values.get("code"):
        values["code"] = slugify(values.get("name") or "")[:50] or str(values["id"])[:8]
    if r.table == "taxonomy_terms" and not values.get("code"):
        values["code"] = slugify(values.get("name") or "")[:50] or str(values["id"])[:8]
    if r.table == "schedules" and not given.get("timezone_name") and not given.get("timezone"):
        values["timezone"] = "Europe/Amsterdam"
    return None if bad else _Clean(values, m2m, r)


def _failed(errors, r) -> set:
    return {e.field for e in errors if e.file == r.file and e.row == r.where}


# Child tables whose rows belong to a parent: (child table, pointer) per parent table.
OWNED = {
    parent: [
        (child, pointer)
        for key, (child, pointer) in children.items()
        if child not in ("locations", "services")
    ]
    for parent, children in CHILDREN.items()
}
ORDER = list(TABLES)


def _attr_of(table: str, name: str) -> str:
    return next(f.attr for f in TABLES[table].fields if f.name == name)


def validate(ds: Dataset, *, from_csv: bool) -> dict[str, list[_Clean]]:
    """Check every row; fills ``ds.errors``; returns the cleaned rows per table."""
    cleaned: dict[str, list[_Clean]] = {}
    for name in ORDER:
        cleaned[name] = [c for r in ds.rows[name].values() if (c := _clean_row(r, from_csv, ds.errors))]
    # References: to a row in the file or in the database.
    known = {name: set(ds.rows[name]) for name in TABLES}
    wanted: dict[str, set] = defaultdict(set)
    for name in ORDER:
        for f in TABLES[name].fields:
            if f.kind in ("fk", "code", "codes"):
                for c in cleaned[name]:
                    value = c.m2m.get(f.attr) if f.kind == "codes" else c.values.get(f.attr)
                    for v in value if isinstance(value, list) else [value]:
                        if v not in (None, "") and str(v) not in known.get(f.to, ()):
                            wanted[f.to].add(v)
    in_db: dict[str, set] = {}
    for target, ids in wanted.items():
        model = Municipality if target == "municipalities" else TABLES[target].model
        key = "code" if target == "municipalities" else "id"
        found = set()
        ids = list(ids)
        for i in range(0, len(ids), 500):
            found |= {
                str(v)
                for v in model.objects.filter(**{f"{key}__in": ids[i : i + 500]}).values_list(key, flat=True)
            }
        in_db[target] = found
    for name in ORDER:
        for f in TABLES[name].fields:
            if f.kind not in ("fk", "code", "codes"):
                continue
            for c in cleaned[name]:
                value = c.m2m.get(f.attr) if f.kind == "codes" else c.values.get(f.attr)
                for v in value if isinstance(value, list) else [value]:
                    if v in (None, "") or str(v) in known.get(f.to, ()) or str(v) in in_db.get(f.to, ()):
                        continue
                    what = "gemeente code" if f.to == "municipalities" else f.to.rstrip("s").replace("_", " ")
                    ds.errors.append(RowError(c.row.file, c.row.where, f.name, f"Unknown {what}: “{v}”."))
    _check_unique(ds, cleaned)
    return cleaned


def _check_unique(ds: Dataset, cleaned) -> None:
    rules = {
        "taxonomies": ("code",),
        "taxonomy_terms": ("taxonomy_id", "code"),
        "attributes": ("service_id", "taxonomy_term_id"),
        "service_at_locations": ("service_id", "location_id"),
    }
    for name, attrs in rules.items():
        seen = {}
        for c in cleaned[name]:
            key = tuple(str(c.values.get(a)) for a in attrs)
            if key in seen:
                ds.errors.append(
                    RowError(
                        c.row.file,
                        c.row.where,
                        attrs[-1].removesuffix("_id"),
                        f"Same {' and '.join(attrs)} as the row at {seen[key]}.",
                    )
                )
            seen[key] = c.row.where
    for name, attrs in (("taxonomies", ("code",)), ("taxonomy_terms", ("taxonomy_id", "code"))):
        model = TABLES[name].model
        file_ids = {c.values["id"] for c in cleaned[name]}
        for c in cleaned[name]:
            clash = model.objects.filter(**{a: c.values.get(a) for a in attrs}).exclude(id=c.values["id"])
            if clash.exclude(id__in=file_ids).exists():
                ds.errors.append(
                    RowError(
                        c.row.file,
                        c.row.where,
                        "code",
                        f"Another {name.rstrip('s').replace('_', ' ')} already has this code.",
                    )
                )


def _apply(
    cleaned: dict[str, list[_Clean]], result: ImportResult, *, listed: set, listed_tables: set
) -> list:
    """Write the cleaned rows (inside the caller's transaction); returns the service ids."""
    ids = {name: {c.values["id"] for c in rows} for name, rows in cleaned.items()}
    # 1. Children that a parent in the file no longer lists.
    for parent, children in OWNED.items():
        for child, pointer in children:
            parent_ids = [
                pid for pid in ids[parent] if child in listed_tables or (parent, str(pid), child) in listed
            ]
            if not parent_ids:
                continue
            model = TABLES[child].model
            attr = _attr_of(child, pointer)
            for i in range(0, len(parent_ids), 500):
                stale = model.objects.filter(**{f"{attr}__in": parent_ids[i : i + 500]}).exclude(
                    id__in=ids[child]
                )
                count = stale.delete()[1].get(model._meta.label, 0)
                if count:
                    result.deleted[child] += count
    # 2. Upserts, table by table (foreign keys are checked at commit).
    for name in ORDER:
        rows = cleaned[name]
        if not rows:
            continue
        model = TABLES[name].model
        existing = {}
        row_ids = [c.values["id"] for c in rows]
        for i in range(0, len(row_ids), 500):
            existing.update(model.objects.in_bulk(row_ids[i : i + 500]))
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
        model.objects.bulk_create(creates, batch_size=500)
        if updates:
            model.objects.bulk_update(updates, sorted(changed_fields), batch_size=500)
        result.created[name] += len(creates)
        result.updated[name] += len(updates)
        for c in rows:
            for attr, codes in c.m2m.items():
                obj = model(id=c.values["id"])
                current = sorted(getattr(obj, attr).values_list("pk", flat=True))
                if current != codes:
                    getattr(obj, attr).set(codes)
    return list(ids["services"])


def import_dataset(
    ds: Dataset, *, from_csv: bool, request=None, actor=None, source: str = ""
) -> ImportResult:
    """Validate and write; all or nothing. Audited as directory.import.completed / .failed."""
    from . import services as directory_services

    result = ImportResult()
    cleaned = validate(ds, from_csv=from_csv) if not ds.errors or ds.count() else {}
    if not ds.errors:
        try:
            with transaction.atomic():
                service_ids = _apply(cleaned, result, listed=ds.listed, listed_tables=ds.csv_tables)
                directory_services.reindex_services(service_ids)
                result.services = len(service_ids)
        except IntegrityError as error:
            ds.errors.append(RowError(source or "-", "-", "", f"The database refused the data: {error}"))
    result.errors = sorted(ds.errors, key=lambda e: (e.file, _row_key(e.row), e.field))
    if result.errors:
        result.created.clear()
        result.updated.clear()
        result.deleted.clear()
    digest = hashlib.sha256(source.encode()).hexdigest()[:16] if source else ""
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


def _row_key(where: str):
    return (0, int(where), "") if where.isdigit() else (1, 0, where)


def import_json(data, *, file: str = "services.json", request=None, actor=None) -> ImportResult:
    source = json.dumps(data, sort_keys=True, default=str) if data is not None else ""
    return import_dataset(
        dataset_from_json(data, file),
        from_csv=False,
        request=request,
        actor=actor,
        source=file + ":" + source[:100000],
    )


def import_csv(files: dict[str, str], *, request=None, actor=None) -> ImportResult:
    source = "".join(f"{k}:{v[:20000]}" for k, v in sorted(files.items()))
    return import_dataset(
        dataset_from_csv_files(files), from_csv=True, request=request, actor=actor, source=source
    )


def import_path(path, fmt: str = "", *, request=None, actor=None) -> ImportResult:
    """Import from a file path: .json, .zip or a directory of CSV files (``fmt`` json|csv overrides)."""
    path = Path(path)
    fmt = fmt or ("json" if path.suffix.lower() == ".json" else "csv")
    if fmt == "json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as error:
            return _failed_parse(path.name, f"Not valid JSON: {error}", request, actor)
        return import_json(data, file=path.name, request=request, actor=actor)
    try:
        files = read_csv_source(path)
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError) as error:
        return _failed_parse(path.name, f"Cannot read the CSV files: {error}", request, actor)
    return import_csv(files, request=request, actor=actor)


def _failed_parse(name, message, request, actor) -> ImportResult:
    ds = Dataset()
    ds.errors.append(RowError(name, "", "", message))
    return import_dataset(ds, from_csv=False, request=request, actor=actor, source=name)
