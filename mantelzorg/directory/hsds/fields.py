"""The HSDS field table: per HSDS table its model and fields (``TABLES``), and the conversion of one
model value to its HSDS (JSON) value (``out_value``). Shapes, export and import all read it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import models

from ..models import (
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


# --- the official tables and objects (read from the vendored standard) -------------------------

STANDARD = Path(__file__).resolve().parents[1] / "standards" / "hsds-3.0"


@dataclass(frozen=True)
class Official:
    """One official HSDS table/object: its CSV file and columns in the official order (from the
    official ``datapackage.json``) and its JSON properties (from the object's JSON schema)."""

    table: str  # our name for it: the CSV file name without .csv, ``service_at_locations`` aside
    object: str  # the HSDS object name: ``service``, ``funding``, ``metadata`` ...
    filename: str
    columns: tuple[str, ...]
    properties: dict  # JSON schema properties
    required: tuple[str, ...]  # JSON schema required

    @cached_property
    def scalars(self) -> dict[str, str]:
        """The one-to-one fields: name → JSON type (string, number, integer, boolean)."""
        return {
            name: prop.get("type", "string")
            for name, prop in self.properties.items()
            if prop.get("type") not in ("array", "object") and "$ref" not in prop
        }

    @cached_property
    def nested(self) -> dict[str, tuple[str, bool]]:
        """The nested fields: name → (HSDS object, is a list)."""
        out = {}
        for name, prop in self.properties.items():
            ref = (prop.get("items") or {}).get("$ref") or prop.get("$ref")
            if ref:
                out[name] = (Path(ref).stem, prop.get("type") == "array")
        return out


def _load_official() -> dict[str, Official]:
    package = json.loads((STANDARD / "datapackage.json").read_text(encoding="utf-8"))
    out = {}
    for resource in package["resources"]:
        obj = resource["name"]
        table = Path(resource["path"]).stem
        table = "service_at_locations" if table == "service_at_location" else table
        schema = json.loads((STANDARD / f"{obj}.json").read_text(encoding="utf-8"))
        out[table] = Official(
            table,
            obj,
            resource["path"],
            tuple(f["name"] for f in resource["schema"]["fields"]),
            schema["properties"],
            tuple(schema.get("required", ())),
        )
    return out


OFFICIAL: dict[str, Official] = _load_official()
TABLE_OF_OBJECT = {o.object: name for name, o in OFFICIAL.items()}


@dataclass(frozen=True)
class Table:
    name: str  # our table name: the official CSV file name without .csv (but service_at_locations)
    model: type[models.Model]
    fields: tuple[F, ...]

    @property
    def official(self) -> Official:
        return OFFICIAL[self.name]

    @property
    def filename(self) -> str:
        """The official file name (``service_at_location.csv`` for our ``service_at_locations``)."""
        return self.official.filename

    @cached_property
    def extras(self) -> tuple[str, ...]:
        """Official one-to-one fields we do not model: kept in ``hsds_extra``."""
        ours = {f.name for f in self.fields}
        return tuple(name for name in self.official.scalars if name not in ours)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """CSV columns: the official ones in the official order, then our extensions."""
        official = self.official.columns
        return official + tuple(f.name for f in self.fields if f.name not in official)


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
REQUIRED = {name: set(OFFICIAL[name].required) - {"id"} for name in TABLES}


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
    base = value.strftime("%H:%M:%S")  # RFC 3339 full-time: seconds and an offset
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
        spec = (
            "seconds" if not value.microsecond else "milliseconds" if not value.microsecond % 1000 else "auto"
        )
        return value.astimezone(dt.UTC).isoformat(timespec=spec).replace("+00:00", "Z")
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


# Official tables we keep but do not model (``KeptRecord``): their CSV pointer columns, as
# (column, parent table, the parent's JSON field that lists them). ``metadata`` points at any
# object through ``resource_id`` and ``resource_type``.
KEPT_TABLES = {
    "programs": (("organization_id", "organizations", "programs"),),
    "funding": (("organization_id", "organizations", "funding"), ("service_id", "services", "funding")),
    "required_documents": (("service_id", "services", "required_documents"),),
    "organization_identifiers": (("organization_id", "organizations", "organization_identifiers"),),
    "metadata": (("resource_id", "", "metadata"),),
    "meta_table_descriptions": (),
}
assert set(KEPT_TABLES) | set(TABLES) == set(OFFICIAL), "every official table is modelled or kept"

ORDER = list(TABLES)  # the order rows are checked and written in (references first)


def attr_of(table: str, name: str) -> str:
    """The model attribute of the HSDS field ``name`` of ``table``."""
    return next(f.attr for f in TABLES[table].fields if f.name == name)
