"""HSDS import and export: round trips, idempotency, all-or-nothing with every error reported."""

import copy
import csv
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from mantelzorg.core.models import LogEntry
from mantelzorg.directory.generator import generate
from mantelzorg.directory.hsds.export import export_csv, export_json, export_tables
from mantelzorg.directory.hsds.fields import OFFICIAL
from mantelzorg.directory.hsds.importer import read_csv_source
from mantelzorg.directory.models import Language, Phone, SearchEntry, Service
from mantelzorg.directory.services import hsds_import

from .test_hsds_support import assert_valid, build_directory, ensure_taxonomies, schema, wipe_directory

pytestmark = pytest.mark.django_db


def csv_files() -> dict[str, str]:
    buffer = io.BytesIO()
    export_csv(buffer)
    return read_csv_source(io.BytesIO(buffer.getvalue()))


def test_json_export_is_compiled_services_and_round_trips_without_loss():
    build_directory()
    first = export_json()
    assert len(first) == 7  # drafts too, with the publication extension
    for item in first:
        assert_valid(item, "compiled/service.json")
    wipe_directory()
    assert Service.objects.count() == 0
    result = hsds_import(data=json.loads(json.dumps(first)))
    assert result.ok, result.errors
    assert export_json() == first
    assert SearchEntry.objects.exists()  # search index rebuilt


def test_csv_export_is_hsds_tabular_and_round_trips_without_loss():
    build_directory()
    files = csv_files()
    assert {
        "services.csv",
        "organizations.csv",
        "locations.csv",
        "service_at_location.csv",
        "addresses.csv",
        "phones.csv",
        "schedules.csv",
        "service_areas.csv",
        "taxonomies.csv",
        "taxonomy_terms.csv",
        "attributes.csv",
        "cost_options.csv",
        "languages.csv",
        "contacts.csv",
        "accessibility.csv",
    } <= set(files)
    tabular = schema("compiled/tabular.json")["properties"]
    object_of = {o.filename: o.object for o in OFFICIAL.values()}
    document = {}
    for name, content in files.items():
        key = object_of[name]
        properties = tabular[key]["items"]["properties"]
        rows = []
        for row in csv.DictReader(io.StringIO(content)):
            typed = {}
            for column, value in row.items():
                if value == "":
                    continue
                kind = properties.get(column, {}).get("type")
                typed[column] = float(value) if kind in ("number", "integer") else value
            rows.append(typed)
        document[key] = rows
    assert document["service"] and document["schedule"] and document["accessibility"]
    assert_valid(document, "compiled/tabular.json")
    before = export_tables()
    wipe_directory(taxonomies=True)
    result = hsds_import(files=files)
    assert result.ok, result.errors
    assert export_tables() == before


def test_generated_data_round_trips_in_both_forms(tmp_path):
    ensure_taxonomies()
    generate(services=1, seed=5)
    call_command("hsds_export", "--format", "json", "--output", str(tmp_path / "all.json"))
    call_command("hsds_export", "--format", "csv", "--output", str(tmp_path / "all.zip"))
    json_before, tables_before = export_json(), export_tables()
    wipe_directory()
    call_command("hsds_import", str(tmp_path / "all.json"))
    assert export_json() == json_before
    wipe_directory(taxonomies=True)
    call_command("hsds_import", str(tmp_path / "all.zip"), "--format", "csv")
    assert export_tables() == tables_before


def test_import_is_idempotent_and_an_updated_file_updates():
    build_directory()
    data = export_json()
    again = hsds_import(data=copy.deepcopy(data))
    assert again.ok and again.changes == 0, again.summary()
    assert export_json() == data
    # change a name, drop a phone from the rich service
    changed = copy.deepcopy(data)
    rich = next(s for s in changed if s["name"] == "Ontmoetingscentrum Utrecht")
    rich["name"] = "Ontmoetingscentrum Utrecht-Oost"
    dropped = rich["phones"].pop()
    result = hsds_import(data=changed)
    assert result.ok and result.updated["services"] == 1 and result.deleted["phones"] == 1
    assert Service.objects.filter(name="Ontmoetingscentrum Utrecht-Oost").exists()
    assert not Phone.objects.filter(id=dropped["id"]).exists()
    assert hsds_import(data=copy.deepcopy(changed)).changes == 0


def test_csv_import_is_idempotent():
    build_directory()
    files = csv_files()
    result = hsds_import(files=files)
    assert result.ok and result.changes == 0, result.summary()


def test_every_bad_json_row_is_reported_and_nothing_is_saved():
    build_directory()
    data = export_json()
    bad = copy.deepcopy(data)
    bad[0]["status"] = "open"  # not an HSDS status
    bad[1]["email"] = "not-an-email"
    del bad[2]["name"]
    bad[3]["organization_id"] = "8b0c7a4e-0000-4000-8000-000000000000"
    del bad[3]["organization"]
    phone_index = len(bad[4]["phones"])  # services have zero or more phones
    bad[4]["phones"].append({"id": "nope", "number": "1"})
    bad[5]["service_areas"] = [
        {"id": "2f1d6c1e-1111-4111-8111-111111111111", "name": "Ergens", "municipality_code": "GM9999"}
    ]
    bad[6]["minimum_age"] = "old"
    bad[0]["name"] = "Should not be saved"
    before = Service.objects.count()
    result = hsds_import(data=bad, name="upload.json")
    assert not result.ok
    problems = {(e.row, e.field) for e in result.errors}
    assert {
        ("[0]", "status"),
        ("[1]", "email"),
        ("[2]", "name"),
        (f"[4].phones[{phone_index}]", "id"),
        ("[5].service_areas[0]", "municipality_code"),
        ("[6]", "minimum_age"),
    } <= problems
    assert all(e.file == "upload.json" and e.message for e in result.errors)
    # A service whose organization is neither in the file nor in the directory is not an error:
    # it would be kept as given (KeptRecord), with a warning.
    assert ("[3]", "organization_id") not in problems
    assert ("[3]", "organization_id") in {(w.row, w.field) for w in result.warnings}
    assert Service.objects.count() == before
    assert not Service.objects.filter(name="Should not be saved").exists()
    assert LogEntry.objects.filter(action="directory.import.failed", outcome="failure").exists()


def test_every_bad_csv_row_is_reported_with_file_and_row_number():
    build_directory()
    files = csv_files()
    lines = files["services.csv"].splitlines()
    header = lines[0].split(",")
    rows = list(csv.DictReader(io.StringIO(files["services.csv"])))
    rows[0]["status"] = "gone"
    rows[2]["assured_date"] = "yesterday"
    rows[3]["law"] = "sharia"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    files["services.csv"] = buffer.getvalue()
    files["phones.csv"] += "not-a-uuid,,,,,,,,,\n"
    files["languages.csv"] += "5b8c2c1e-2222-4222-8222-222222222222,,,,Fries,fry-long,\n"
    names_before = set(Service.objects.values_list("name", flat=True))
    result = hsds_import(files=files)
    found = {(e.file, e.row, e.field) for e in result.errors}
    assert {
        ("services.csv", "2", "status"),
        ("services.csv", "4", "assured_date"),
        ("services.csv", "5", "law"),
        ("languages.csv", str(len(files["languages.csv"].splitlines())), "code"),
    } <= found
    assert any(e.file == "phones.csv" and e.field == "id" for e in result.errors)
    assert set(Service.objects.values_list("name", flat=True)) == names_before


def test_import_is_audited_as_completed():
    build_directory()
    hsds_import(data=export_json())
    entry = LogEntry.objects.filter(action="directory.import.completed").latest("created_at")
    assert entry.outcome == "success" and entry.actor_role == "system"


def test_import_accepts_an_hsds_page_and_a_single_service():
    build_directory()
    data = export_json()
    wipe_directory()
    page = {
        "total_items": 1,
        "total_pages": 1,
        "page_number": 1,
        "size": 1,
        "first_page": True,
        "last_page": True,
        "empty": False,
        "contents": data[:1],
    }
    assert hsds_import(data=page).ok
    assert hsds_import(data=data[1]).ok
    assert Service.objects.count() == 2


def test_import_command_fails_loudly_and_saves_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"id": "x", "name": "A"}, {"name": "B", "status": "active"}]))
    with pytest.raises(CommandError):
        call_command("hsds_import", str(path))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("hsds_import", str(broken))
    assert Service.objects.count() == 0


def test_csv_zip_with_a_table_that_is_not_hsds_warns_and_skips_it(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("widgets.csv", "id,name\n")
        archive.writestr("programs.csv", "id,organization_id,name,description\n")  # official: kept
    result = hsds_import(files=read_csv_source(io.BytesIO(buffer.getvalue())))
    assert result.ok
    assert [(w.file, w.message) for w in result.warnings] == [
        ("widgets.csv", "Not an HSDS 3.0 table: skipped.")
    ]


def test_languages_of_phones_survive_round_trip():
    build_directory()
    assert Language.objects.filter(phone__isnull=False).exists()
    data = export_json()
    wipe_directory()
    hsds_import(data=data)
    assert Language.objects.filter(phone__isnull=False).count() == 1
