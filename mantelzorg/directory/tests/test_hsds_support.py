"""Helpers for the HSDS tests: validators for the official HSDS 3.0 schemas (vendored in
``mantelzorg/directory/standards/hsds-3.0``, with their source and licence) and a small, varied
directory built by hand. No tests live here."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import urllib.parse
import uuid
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry

from mantelzorg.core.models import Municipality, PostcodeArea
from mantelzorg.directory import services as directory_services
from mantelzorg.directory import taxonomy
from mantelzorg.directory.hsds import schemas
from mantelzorg.directory.hsds.extensions import EXTENSIONS
from mantelzorg.directory.models import (
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
)

SCHEMAS = Path(settings.BASE_DIR) / "mantelzorg" / "directory" / "standards" / "hsds-3.0"
REMOTE = schemas.REMOTE

format_checker = FormatChecker()


@format_checker.checks("uri", raises=ValueError)
def _is_uri(value):
    if not isinstance(value, str):
        return True
    parts = urllib.parse.urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path)) and " " not in value


@format_checker.checks("date-time", raises=ValueError)
def _is_datetime(value):
    if not isinstance(value, str):
        return True
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.tzinfo is not None and "T" in value


@cache
def registry() -> Registry:
    """Every schema file under its own path and its upstream URL, for $ref resolution."""
    return schemas.registry()


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), registry=registry(), format_checker=format_checker)


def assert_valid(instance, name: str) -> None:
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:20])


# --- strict validation ------------------------------------------------------------------------
# The official schemas leave every object open (no additionalProperties). The strict variant of a
# schema closes every object schema (``additionalProperties: false``) and adds, to an object schema
# whose ``name`` is an HSDS object, the extension fields documented for that object in
# ``directory.hsds.extensions.EXTENSIONS`` (the list the profile page shows). So a field that is
# neither official nor documented fails. docs/api/hsds.md


def strict(node, extensions=None):
    """A copy of the schema ``node`` with every object schema closed, documented extensions open."""
    extensions = EXTENSIONS if extensions is None else extensions
    if isinstance(node, list):
        return [strict(item, extensions) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strict(value, extensions) for key, value in node.items()}
    if out.get("type") == "object" and isinstance(out.get("properties"), dict):
        for field in extensions.get(out.get("name"), {}):
            out["properties"].setdefault(field, {})  # any value: the profile describes it
        out["additionalProperties"] = False
    return out


def openapi() -> dict:
    return json.loads((SCHEMAS / "openapi.json").read_text())


def base_schema() -> dict:
    """The answer of ``GET /`` (openapi.json ``paths./``), named ``base`` as examples/base.json."""
    answer = openapi()["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return {"name": "base", **answer, "required": ["version", "profile", "openapi_url"]}


@cache
def strict_registry() -> Registry:
    """The strict variant of every vendored schema, under the same URIs as ``registry()``."""
    return schemas.registry(strict)


def strict_page_schema(item_schema: str) -> dict:
    """The HSDS Page (openapi ``components.schemas.Page`` with the ``contents`` of a list path),
    closed, every field required, each item a strict ``item_schema``."""
    page = copy.deepcopy(openapi()["components"]["schemas"]["Page"])
    page["properties"]["contents"] = {"type": "array", "items": {"$ref": REMOTE + item_schema}}
    page["required"] = sorted(page["properties"])
    return strict(page)


def strict_errors(instance, schema_or_name) -> list[str]:
    """Every error of ``instance`` against the strict variant of a vendored schema (a name such as
    ``compiled/service.json``) or of a schema given as a dict; empty when it is valid."""
    if isinstance(schema_or_name, str):
        schema_or_name = {"$ref": REMOTE + schema_or_name}
    checker = Draft202012Validator(
        strict(schema_or_name), registry=strict_registry(), format_checker=format_checker
    )
    errors = sorted(checker.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}" for e in errors]


def count_objects(instance) -> int:
    """How many JSON objects ``instance`` holds (itself included): what one strict check covers."""
    if isinstance(instance, dict):
        return 1 + sum(count_objects(v) for v in instance.values())
    if isinstance(instance, list):
        return sum(count_objects(v) for v in instance)
    return 0


def assert_strict(instance, schema_or_name) -> int:
    """Strict validation (see ``strict``); returns the number of objects checked."""
    errors = strict_errors(instance, schema_or_name)
    assert not errors, "\n".join(errors[:30])
    return count_objects(instance)


def page_schema() -> dict:
    return json.loads((SCHEMAS / "openapi.json").read_text())["components"]["schemas"]["Page"]


def assert_page(body: dict, item_schema: str) -> None:
    """Validate the HSDS Page wrapper (openapi components.schemas.Page) and every item."""
    errors = list(Draft202012Validator(page_schema(), format_checker=format_checker).iter_errors(body))
    assert not errors, [e.message for e in errors]
    for key in (
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    ):
        assert key in body, key
    assert body["size"] == len(body["contents"])
    assert body["empty"] == (not body["contents"])
    for item in body["contents"]:
        assert_valid(item, item_schema)


# --- CSV: Frictionless --------------------------------------------------------------------------


def datapackage_for(directory, extensions=None) -> dict:
    """The official ``datapackage.json`` restricted, as the spec's ``examples/make_datapackages.py``
    does, to the CSV files in ``directory``: only their resources, and only foreign keys to
    those. A resource's schema then gets the documented extension columns (``EXTENSIONS`` of its
    object, any type) that its file has after the official ones; any other column (undocumented,
    or an extension before an official column) stays a Frictionless label error."""
    directory = Path(directory)
    extensions = EXTENSIONS if extensions is None else extensions
    package = json.loads((SCHEMAS / "datapackage.json").read_text())
    present = {path.name for path in directory.glob("*.csv")}
    package["resources"] = [r for r in package["resources"] if r["path"] in present]
    names = {r["name"] for r in package["resources"]}
    for resource in package["resources"]:
        table = resource["schema"]
        keys = [k for k in table.get("foreignKeys", []) if k["reference"]["resource"] in names]
        if keys:
            table["foreignKeys"] = keys
        else:
            table.pop("foreignKeys", None)
        with (directory / resource["path"]).open(newline="", encoding="utf-8") as file:
            header = next(csv.reader(file), [])
        documented = extensions.get(resource["name"], {})
        after = header[len(table["fields"]) :]
        table["fields"] += [{"name": column, "type": "any"} for column in after if column in documented]
    return package


def frictionless_report(directory, extensions=None) -> list[dict]:
    """Every error Frictionless finds in the CSV files of ``directory`` against the official data
    package (``datapackage_for``): one dict per error with resource, type, row, fields, cells and
    Frictionless's note. Empty when the files are valid. For our export: ``frictionless_report(
    directory_written_by_export_csv)`` allows exactly the extension columns the profile documents."""
    from frictionless import Package

    report = Package(datapackage_for(directory, extensions), basepath=str(directory)).validate()
    found = [{"resource": None, "type": e.type, "note": e.note} for e in report.errors]
    for task in report.tasks:
        for error in task.errors:
            fields = getattr(error, "field_names", None) or [getattr(error, "field_name", None)]
            cells = getattr(error, "field_cells", None) or [getattr(error, "cell", None)]
            label = getattr(error, "label", None) or None
            found.append(
                {
                    "resource": task.name,
                    "type": error.type,
                    "row": getattr(error, "row_number", None),
                    "fields": tuple(f for f in fields if f),
                    "cells": tuple(c for c in cells if c is not None),
                    "label": label,
                    "note": error.note,
                }
            )
    return found


def term(tax: str, code: str) -> uuid.UUID:
    return taxonomy.term_id(tax, code)


def make_service(
    org,
    municipality_code="GM0344",
    pc4="3511",
    *,
    name="Mantelzorgcafé",
    published=True,
    located=True,
    rich=False,
    offset=0.0,
    status="active",
) -> Service:
    """One service of ``org``; ``located``: at the PC4 centroid (+offset degrees north); ``rich``:
    with every kind of child row (contacts, languages, schedules incl. DAILY, costs, ...)."""
    municipality = Municipality.objects.get(code=municipality_code)
    service = Service.objects.create(
        organization=org,
        name=name,
        description="Samen koffie drinken en ervaringen delen.",
        status=status,
        publication=Service.Publication.PUBLISHED if published else Service.Publication.DRAFT,
        url="https://example.org/cafe",
        email="cafe@example.org",
        cost_kind="own_contribution",
        needs_indication=rich,
        law="wmo" if rich else "none",
        assured_date=dt.date(2025, 3, 1),
        minimum_age=18 if rich else None,
        what_to_expect="Een kop koffie." if rich else "",
    )
    Attribute.objects.create(
        service=service,
        taxonomy_term_id=term(taxonomy.SUPPORT_DOMAINS, "emotional_support"),
        link_type="classification",
    )
    ServiceArea.objects.create(service=service, name=municipality.name_everyday, municipality=municipality)
    Phone.objects.create(service=service, number="030-1234567", type="voice")
    if located:
        area = PostcodeArea.objects.get(pc4=pc4)
        location = Location.objects.create(
            organization=org,
            name=f"{name} locatie",
            latitude=area.lat + offset,
            longitude=area.lon,
            municipality=municipality,
        )
        Address.objects.create(
            location=location,
            address_1="Domplein 1",
            city=municipality.name_everyday,
            state_province=municipality.province_name,
            postal_code=f"{pc4} AB",
        )
        sal = ServiceAtLocation.objects.create(service=service, location=location)
        if rich:
            Accessibility.objects.create(
                location=location, description="Rolstoeltoegankelijk.", url="https://example.org/toegankelijk"
            )
            Schedule.objects.create(
                service_at_location=sal,
                freq="MONTHLY",
                byday="-1FR",
                opens_at=dt.time(19),
                closes_at=dt.time(21, 30),
                description="Laatste vrijdag",
            )
            contact = Contact.objects.create(location=location, name="Balie", email="balie@example.org")
            Phone.objects.create(contact=contact, number="030-7654321", extension=12)
    if rich:
        Attribute.objects.create(service=service, taxonomy_term_id=term(taxonomy.RESPITE_FORMS, "day_care"))
        Schedule.objects.create(
            service=service,
            freq="DAILY",
            opens_at=dt.time(9),
            closes_at=dt.time(17),
            valid_from=dt.date(2025, 1, 1),
            dtstart=dt.date(2025, 1, 1),
        )
        Schedule.objects.create(
            service=service,
            freq="WEEKLY",
            byday="MO,WE",
            interval=2,
            opens_at=dt.time(9, 30),
            closes_at=dt.time(12),
            count=10,
        )
        CostOption.objects.create(
            service=service,
            amount=Decimal("12.50"),
            amount_description="per dagdeel",
            valid_from=dt.date(2025, 1, 1),
        )
        phone = Phone.objects.create(
            service=service, number="06-12345678", type="cell", description="App ons"
        )
        Language.objects.create(phone=phone, name="Engels", code="en")
        Language.objects.create(service=service, name="Turks", code="tr", note="Op dinsdag")
        contact = Contact.objects.create(
            service=service, name="Fatima", title="Consulent", email="f@example.org"
        )
        Phone.objects.create(contact=contact, number="030-1112223")
    return service


def make_organization(name="Steunpunt Mantelzorg Utrecht", *, codes=("GM0344",)) -> Organization:
    org = Organization.objects.create(
        name=name,
        description="Steunpunt voor mantelzorgers.",
        kind=Organization.Kind.SUPPORT_CENTRE,
        website="https://example.org",
        email="info@example.org",
    )
    org.municipalities.set(codes)
    Phone.objects.create(organization=org, number="030-0000000")
    Contact.objects.create(organization=org, name="Receptie", department="Front office")
    return org


def ensure_taxonomies() -> None:
    """The taxonomies come from a data migration; load them too when tests run without migrations."""
    from mantelzorg.directory.models import Taxonomy, TaxonomyTerm

    if not TaxonomyTerm.objects.exists():
        taxonomy.load_taxonomies(Taxonomy, TaxonomyTerm)


def build_directory() -> dict:
    """A small varied directory: Utrecht (located, rich), Amsterdam, a national service, a
    location-less service, a draft, an inactive one, and an organization with only a draft."""
    ensure_taxonomies()
    utrecht = make_organization()
    amsterdam = make_organization("Steunpunt Amsterdam", codes=("GM0363",))
    hidden = make_organization("Alleen concept")
    near = make_service(utrecht, rich=True, name="Ontmoetingscentrum Utrecht")
    farther = make_service(utrecht, name="Respijtzorg Zeist", offset=0.05)
    far = make_service(amsterdam, "GM0363", "1012", name="Mantelzorgcafé Amsterdam")
    areal = make_service(utrecht, located=False, name="Thuishulp aan huis Utrecht")
    national = make_service(amsterdam, located=False, name="Mantelzorglijn")
    national.service_areas.all().delete()
    ServiceArea.objects.create(service=national, name="Nederland", is_national=True)
    inactive = make_service(utrecht, name="Gestopte groep", status="inactive", offset=0.01)
    draft = make_service(hidden, name="Concept dienst", published=False)
    # An organization location that no service uses.
    Location.objects.create(organization=utrecht, name="Magazijn", location_type="postal")
    directory_services.reindex_services(Service.objects.values_list("id", flat=True))
    return {
        "utrecht": utrecht,
        "amsterdam": amsterdam,
        "hidden": hidden,
        "near": near,
        "farther": farther,
        "far": far,
        "areal": areal,
        "national": national,
        "inactive": inactive,
        "draft": draft,
    }


def make_many(count: int, org=None) -> list[Service]:
    ensure_taxonomies()
    org = org or make_organization(f"Organisatie {uuid.uuid4().hex[:6]}")
    made = [make_service(org, name=f"Dienst {i:03d}", rich=True, offset=i * 0.0005) for i in range(count)]
    directory_services.reindex_services([s.id for s in made])
    return made


def wipe_directory(*, taxonomies: bool = False) -> None:
    Service.objects.all().delete()
    Location.objects.all().delete()
    for model in (Phone, Contact, Organization):
        model.objects.all().delete()
    if taxonomies:
        from mantelzorg.directory.models import Taxonomy

        Taxonomy.objects.all().delete()
