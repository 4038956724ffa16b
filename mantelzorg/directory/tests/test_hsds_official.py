"""The official HSDS 3.0 examples (Open Referral, tag v3.0, vendored in standards/hsds-3.0/examples,
CC BY-SA 4.0) against our import and export: every document and the official CSV set import, and
export → import → export loses nothing but the documented normalisation
(docs/api/hsds-round-trip.md). These are references we did not write."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from django.test import Client

from mantelzorg.directory.hsds.export import columns, export_csv, export_json, export_tables
from mantelzorg.directory.hsds.fields import OFFICIAL, TABLE_OF_OBJECT, TABLES
from mantelzorg.directory.hsds.importer import document_table, read_csv_source
from mantelzorg.directory.models import KeptRecord, Organization, Service, Taxonomy
from mantelzorg.directory.services import hsds_import

from .test_hsds_support import SCHEMAS, assert_valid, wipe_directory

pytestmark = pytest.mark.django_db

EXAMPLES = SCHEMAS / "examples"
CSV_SET = EXAMPLES / "csv"
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"

# document → (what it is, the warnings the import gives: (row, field))
DOCUMENTS = {
    "service_full.json": (
        "services",
        {
            ("[0].attributes[0].taxonomy_term", "parent_id"),
            ("[0].organization", "parent_organization_id"),
            ("[0].service_areas[0]", "municipality_code"),
        },
    ),
    "service_list.json": ("services", {("[0].organization", "parent_organization_id")}),
    "organization_full.json": (
        "organizations",
        {
            ("[0]", "parent_organization_id"),
            ("[0].services[0].attributes[0].taxonomy_term", "parent_id"),
            ("[0].services[0].service_areas[0]", "municipality_code"),
        },
    ),
    "organization_list.json": ("organizations", {("[0]", "parent_organization_id")}),
    "service_at_location_full.json": (
        "service_at_locations",
        {
            ("[0].service.attributes[0].taxonomy_term", "parent_id"),
            ("[0].service.organization", "parent_organization_id"),
            ("[0].service.service_areas[0]", "municipality_code"),
        },
    ),
    "service_at_location_list.json": (
        "service_at_locations",
        {("[0].service.organization", "parent_organization_id")},
    ),
    "location.json": ("locations", set()),
    "taxonomy.json": ("taxonomies", set()),
    "taxonomy_list.json": ("taxonomies", set()),
    "taxonomy_term.json": ("taxonomy_terms", {("[0]", "parent_id")}),
    "taxonomy_term_list.json": ("taxonomy_terms", {("[0]", "parent_id")}),
}

# The official CSV set refers to records it does not hold; each becomes a warning, not a failure.
CSV_WARNINGS = {
    ("attributes.csv", "link_id"),  # service f28dd44b…: the attribute is kept as given
    ("metadata.csv", ""),  # location 38960354…: kept as given
    ("contacts.csv", "organization_id"),
    ("contacts.csv", "service_at_location_id"),
    ("locations.csv", "organization_id"),
    ("organizations.csv", "parent_organization_id"),
    ("service_areas.csv", "municipality_code"),
    ("taxonomy_terms.csv", "parent_id"),
    ("taxonomy_terms.csv", "taxonomy_id"),  # taxonomy 07ff6aee…: the term is kept as given
}


def wipe():
    wipe_directory(taxonomies=True)
    KeptRecord.objects.all().delete()


def load(name: str):
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def official_csv() -> dict[str, str]:
    return read_csv_source(CSV_SET)


def exported_csv() -> dict[str, str]:
    buffer = io.BytesIO()
    export_csv(buffer)
    return read_csv_source(io.BytesIO(buffer.getvalue()))


# --- documented normalisation (docs/api/hsds-round-trip.md) ----------------------------------

# Pointer ids: we give them on every nested object (the official documents mostly leave them
# out); a service's program is also named by ``program_id``.
POINTERS_KEPT = ("parent_id", "parent_organization_id")


def normal(value, table: str, *, ours: bool):
    """The comparable form of an HSDS ``table`` object: lists in a fixed order, empty values left
    out, pointer ids left out, and on our side our extension fields and the offset of opening
    times left out."""
    if isinstance(value, list):
        items = [normal(v, table, ours=ours) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if not isinstance(value, dict):
        return value
    official = OFFICIAL[table]
    nested = official.nested | {"services": ("service", True), "service": ("service", False)}
    extensions = (
        {f.name for f in TABLES[table].fields if f.name not in official.properties}
        if table in TABLES
        else set()
    )
    out = {}
    for key, item in value.items():
        if key.endswith("_id") and key not in POINTERS_KEPT:
            continue
        if ours and key in extensions:
            continue
        if ours and key in ("opens_at", "closes_at") and isinstance(item, str):
            item = item[:8]
        if key in nested:
            item = normal(item, TABLE_OF_OBJECT[nested[key][0]], ours=ours)
        if item not in (None, "", [], {}):
            out[key] = item
    return out


# --- importing the official documents --------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_official_example_document_imports(name):
    table, warnings = DOCUMENTS[name]
    data = load(name)
    items = data["contents"] if "contents" in data else [data]
    assert document_table(items[0]) == table  # recognised by its keys alone
    assert document_table(items[0], name) == table
    result = hsds_import(data=data, name=name)
    assert result.ok, [str(e) for e in result.errors]
    assert {(w.row, w.field) for w in result.warnings} == warnings
    assert result.changes > 0
    again = hsds_import(data=data, name=name)
    assert again.ok and again.changes == 0, again.summary()  # idempotent


def test_the_official_csv_set_imports_with_warnings_for_what_it_does_not_hold():
    result = hsds_import(files=official_csv())
    assert result.ok, [str(e) for e in result.errors]
    assert {(w.file, w.field) for w in result.warnings} == CSV_WARNINGS
    assert Service.objects.filter(id=SERVICE_ID).exists()
    # the 6 tables we do not model (7 rows: funding names an organization and a service), and the
    # attribute and the taxonomy term that point at records the set does not hold
    kept = sorted((r.table, r.parent_table) for r in KeptRecord.objects.all())
    assert kept == [
        ("attributes", ""),
        ("funding", "organizations"),
        ("funding", "services"),
        ("meta_table_descriptions", ""),
        ("metadata", ""),  # its resource_id names a location the set does not hold
        ("organization_identifiers", "organizations"),
        ("programs", "organizations"),
        ("required_documents", "services"),
        ("taxonomy_terms", ""),
    ]
    assert hsds_import(files=official_csv()).changes == 0


def test_a_taxonomy_without_code_gets_one_and_the_term_keeps_its_taxonomy_text():
    hsds_import(data=load("taxonomy_term.json"), name="taxonomy_term.json")
    taxonomy = Taxonomy.objects.get(id="5c4d79d7-cc55-470e-9f1f-8cad074e4892")
    assert taxonomy.code == "name"  # from the name ("name" in the example)
    body = Client().get("/api/hsds/3.0/taxonomy_terms/3f7b145d-84af-42d7-8fae-eaca714b02b2").json()
    assert body["taxonomy"] == "taxonomy" and body["parent_id"] == "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2"
    assert body["code"] == "code"


# --- lossless round trips --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["service_full.json", "organization_full.json", "service_at_location_full.json"]
)
def test_every_official_field_of_the_example_comes_back(name):
    """Official → import → our fully nested service: the official document is contained in ours,
    apart from the documented normalisation."""
    hsds_import(data=load(name), name=name)
    Service.objects.update(publication=Service.Publication.PUBLISHED)
    service = Client().get(f"/api/hsds/3.0/services/{SERVICE_ID}").json()
    assert_valid(service, "compiled/service.json")
    official = load(name)
    ours = normal(service, "services", ours=True)
    if name == "organization_full.json":  # the service inside its organization
        official = official["services"][0]
        ours.pop("organization")
    elif name == "service_at_location_full.json":  # the service of one service_at_location
        official = official["service"]
        ours.pop("service_at_locations")
    expected = normal(official, "services", ours=False)
    # The organization's locations: we give them under the services that use them.
    if "organization" in expected:
        expected["organization"].pop("locations", None)
        ours["organization"].pop("locations", None)
    assert ours == expected


def test_the_organization_document_comes_back_with_its_programs_funding_and_identifiers():
    hsds_import(data=load("organization_full.json"), name="organization_full.json")
    Service.objects.update(publication=Service.Publication.PUBLISHED)
    org_id = load("organization_full.json")["id"]
    body = Client().get(f"/api/hsds/3.0/organizations/{org_id}").json()
    official = load("organization_full.json")
    for key in ("programs", "funding", "organization_identifiers", "tax_status", "year_incorporated", "logo"):
        ours, expected = (
            normal(body, "organizations", ours=True),
            normal(official, "organizations", ours=False),
        )
        assert ours[key] == expected[key], key


def test_export_import_export_of_the_official_examples_is_lossless():
    for name in ("service_full.json", "organization_full.json", "service_at_location_full.json"):
        hsds_import(data=load(name), name=name)
    hsds_import(files=official_csv())
    json_before, tables_before = export_json(), export_tables()
    files = exported_csv()
    wipe()
    assert hsds_import(data=copy.deepcopy(json_before)).ok
    assert export_json() == json_before
    wipe()
    result = hsds_import(files=files)
    assert result.ok, [str(e) for e in result.errors]
    assert export_tables() == tables_before


def test_the_csv_export_gives_the_official_files_columns_and_values():
    result = hsds_import(files=official_csv())
    assert result.ok
    ours = exported_csv()
    for name, official_table in OFFICIAL.items():
        text = ours[official_table.filename]  # service_at_location.csv, not service_at_locations.csv
        header = next(csv.reader(io.StringIO(text)))
        assert tuple(header[: len(official_table.columns)]) == official_table.columns, name
        assert header == list(columns(name))
        official_rows = {
            r["id"]: r for r in csv.DictReader(io.StringIO(official_csv()[official_table.filename]))
        }
        our_rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
        assert set(official_rows) <= set(our_rows), name  # ours: the reference taxonomies too
        for row_id, row in official_rows.items():
            assert {c: our_rows[row_id][c] for c in official_table.columns} == row, name


def test_opening_times_are_tabular_times_in_csv_and_rfc3339_in_json():
    hsds_import(data=load("service_full.json"), name="service_full.json")
    rows = list(csv.DictReader(io.StringIO(exported_csv()["schedules.csv"])))
    assert rows[0]["opens_at"] == "10:00:00" and rows[0]["closes_at"] == "18:00:00"
    assert rows[0]["timezone"] == "3"
    service = next(s for s in export_json() if s["id"] == SERVICE_ID)
    assert service["schedules"][0]["opens_at"] == "10:00:00+03:00"


def test_kept_rows_are_checked_against_the_official_schema():
    data = load("service_full.json")
    data["funding"][0]["source"] = 12  # funding.source is a string
    data["organization"]["year_incorporated"] = "long ago"  # a number
    result = hsds_import(data=data, name="bad.json")
    assert not result.ok
    assert {(e.row, e.field) for e in result.errors} == {
        ("[0].funding[0]", "source"),
        ("[0].organization", "year_incorporated"),
    }
    assert not Organization.objects.exists() and not KeptRecord.objects.exists()


def test_a_parent_that_no_longer_lists_a_kept_row_loses_it():
    data = load("service_full.json")
    hsds_import(data=data, name="service_full.json")
    assert KeptRecord.objects.filter(table="required_documents").count() == 1
    data["required_documents"] = []
    result = hsds_import(data=data, name="service_full.json")
    assert result.ok and result.deleted["kept rows"] == 1
    assert not KeptRecord.objects.filter(table="required_documents").exists()


def test_fields_that_are_not_hsds_are_reported_once_and_not_kept():
    data = load("service_full.json")
    data["colour"] = "blue"
    data["phones"][0]["colour"] = "red"
    result = hsds_import(data=data, name="extra.json")
    assert result.ok
    assert [(w.row, w.field) for w in result.warnings if w.field == "colour"] == [("[0]", "colour")] + [
        ("[0].phones[0]", "colour")
    ]
    assert "colour" not in json.dumps(export_json())


def test_kept_rows_of_a_deleted_service_are_not_exported():
    hsds_import(data=load("service_full.json"), name="service_full.json")
    assert "f6ad7e69-b9c8-42ce-92db-92cedb4c05c0" in exported_csv()["required_documents.csv"]
    Service.objects.filter(id=SERVICE_ID).delete()
    assert "f6ad7e69-b9c8-42ce-92db-92cedb4c05c0" not in exported_csv()["required_documents.csv"]
    assert "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610" in exported_csv()["funding.csv"]  # the organization's


def test_empty_kept_lists_on_many_objects_are_read_in_few_queries(django_assert_max_num_queries):
    """Other systems give "metadata": [] on every object: each is a parent that lists no kept
    rows, so the stale check runs per table in chunks, never one condition per parent."""
    from .test_hsds_support import make_many

    make_many(600)
    data = export_json()
    for service in data:
        service["metadata"] = []
        service["funding"] = []
        for phone in service["phones"]:
            phone["metadata"] = []
    with django_assert_max_num_queries(250):  # 197 when written
        result = hsds_import(data=data)
    assert result.ok and result.changes == 0, result.summary()
