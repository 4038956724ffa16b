"""Frictionless on HSDS CSV: the official CSV examples against the official datapackage.json, the
two known contradictions of the official tabular schema (docs/api/hsds.md), the helper
``frictionless_report`` and our CSV export validated with it."""

import csv
import json
import shutil

import pytest

from mantelzorg.directory.generator import generate
from mantelzorg.directory.hsds.export import export_csv
from mantelzorg.directory.hsds.extensions import EXTENSIONS
from mantelzorg.directory.services import hsds_import

from .test_hsds_support import SCHEMAS, build_directory, datapackage_for, frictionless_report

EXAMPLES = SCHEMAS / "examples" / "csv"

# Contradiction 1 (docs/api/hsds.md): the `example` of four foreign-key columns in the official
# schema is not the `example` id of the table it references, and the official CSV examples are
# those values: datapackage.json's own foreignKeys reject them.
KNOWN_FAILURES = {
    ("location", "foreign-key", ("organization_id",), ("985e4a42-bd9f-4edc-911d-0243a4640aca",)),
    ("contact", "foreign-key", ("organization_id",), ("ae67a707-5893-4225-b0b1-320ab9cb596b",)),
    ("contact", "foreign-key", ("service_at_location_id",), ("93eaf18d-1cd2-4ec7-bffb-3c9172ee5070",)),
    ("taxonomy_term", "foreign-key", ("taxonomy_id",), ("07ff6aee-a219-438c-b694-d2fcb6c5373b",)),
}


def failures(errors):
    return [(e["resource"], e["type"], e.get("fields"), e.get("cells")) for e in errors]


def test_the_official_csv_examples_fail_only_on_the_known_contradiction():
    """All 21 files of the official CSV set, all 21 resources of datapackage.json: exactly the four
    known foreign-key errors, nothing else (a new failure fails here)."""
    package = datapackage_for(EXAMPLES)
    assert len(package["resources"]) == 21 == len(list(EXAMPLES.glob("*.csv")))
    found = failures(frictionless_report(EXAMPLES))
    assert sorted(found) == sorted(KNOWN_FAILURES) and len(found) == len(KNOWN_FAILURES)


def test_the_known_foreign_key_failures_come_from_the_schemas_own_examples():
    """Each failing value is the `example` the official schema gives for that column."""
    resources = {r["name"]: r for r in datapackage_for(EXAMPLES)["resources"]}
    for resource, _type, (field,), (value,) in KNOWN_FAILURES:
        (spec,) = [f for f in resources[resource]["schema"]["fields"] if f["name"] == field]
        assert spec["example"] == value


def copy_examples(tmp_path, *names):
    for name in names:
        shutil.copy(EXAMPLES / name, tmp_path / name)
    return tmp_path


def rewrite(path, change):
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    rows = change(rows)
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize(
    "opens_at, valid",
    [
        ("10:00:00", True),  # the official example
        ("09:00:00+01:00", True),  # HH:MM:SS with an offset: both readings accept it
        ("09:00-05:00", False),  # the description's own example ("HH:MM format", with an offset)
        ("10:00", False),  # examples/location.json's value
        ("09:00+01:00", False),  # HH:MM with an offset, as the description asks
    ],
)
def test_contradiction_2_opens_at_in_hh_mm_as_described_is_not_a_datapackage_time(tmp_path, opens_at, valid):
    """schedule.opens_at/closes_at: the description says HH:MM with a UTC offset (09:00-05:00);
    datapackage.json types them `time` (Table Schema default format: HH:MM:SS), which refuses HH:MM."""
    directory = copy_examples(tmp_path, "schedules.csv")
    column = "opens_at"

    def change(rows):
        index = rows[0].index(column)
        rows[1][index] = opens_at
        return rows

    rewrite(directory / "schedules.csv", change)
    found = failures(frictionless_report(directory))
    assert found == ([] if valid else [("schedule", "type-error", (column,), (opens_at,))])


def test_report_allows_documented_extension_columns_after_the_official_ones(tmp_path):
    directory = copy_examples(tmp_path, "services.csv", "organizations.csv")
    assert frictionless_report(directory) == []  # foreign keys only to the files present
    rewrite(directory / "services.csv", lambda rows: [rows[0] + ["cost_kind"], rows[1] + ["free"]])
    rewrite(directory / "organizations.csv", lambda rows: [rows[0] + ["kind"], rows[1] + ["welfare"]])
    assert frictionless_report(directory) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        # not documented for service (it is an organization extension)
        (lambda rows: [rows[0] + ["kind"], rows[1] + ["welfare"]], ("extra-label", "kind")),
        (lambda rows: [rows[0] + ["undocumented"], rows[1] + ["x"]], ("extra-label", "undocumented")),
        # a documented extension before an official column
        (lambda rows: [["cost_kind", *rows[0]], ["free", *rows[1]]], ("incorrect-label", "cost_kind")),
        # an official column left out
        (lambda rows: [rows[0][:-1], rows[1][:-1]], ("missing-label", None)),
    ],
    ids=["other object's extension", "undocumented", "extension first", "official column missing"],
)
def test_report_refuses_other_columns(tmp_path, change, expected):
    directory = copy_examples(tmp_path, "services.csv")
    rewrite(directory / "services.csv", change)
    found = frictionless_report(directory)
    assert expected in {(e["type"], e["label"]) for e in found}, found


@pytest.mark.django_db
@pytest.mark.parametrize("imported", [None, "service_full.json", "organization_full.json", "csv"])
def test_our_csv_export_validates_with_frictionless(tmp_path, imported):
    """``export_csv`` of a varied directory (hand-made, generated, and an official example imported
    with its official fields we do not model): the official file names and columns in the
    official order, then only documented extension columns. With the official CSV set imported,
    the export gives its unresolved references again as they were: the same known failures."""
    build_directory()
    generate(services=1, seed=3)
    if imported == "csv":
        assert hsds_import(path=str(EXAMPLES)).ok
    elif imported:
        document = json.loads((SCHEMAS / "examples" / imported).read_text())
        assert hsds_import(data=document, name=imported).ok
    written = export_csv(tmp_path)
    official = {r["name"]: r for r in json.loads((SCHEMAS / "datapackage.json").read_text())["resources"]}
    assert sorted(written) == sorted(r["path"] for r in official.values())
    found = failures(frictionless_report(tmp_path))
    assert sorted(found) == (sorted(KNOWN_FAILURES) if imported == "csv" else [])
    # The extension columns are there (so the allowance is used), after the official ones.
    columns = [f["name"] for f in official["service"]["schema"]["fields"]]
    with (tmp_path / "services.csv").open(newline="", encoding="utf-8") as file:
        header = next(csv.reader(file))
    assert header[: len(columns)] == columns
    assert "cost_kind" in header[len(columns) :] and set(header[len(columns) :]) <= set(EXTENSIONS["service"])
