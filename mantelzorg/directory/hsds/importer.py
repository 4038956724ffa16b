"""HSDS import, the reading and checking half: JSON (an array of fully nested services, an HSDS
Page, or one service) or the CSV tables (a directory or a zip) become a ``Dataset``, and
``validate`` checks every row against our models (types, required fields, choices, lengths,
e-mail/URL syntax, references), reporting *every* bad row and field. The write (all or nothing,
audited, reindexed) is the service ``directory.services.hsds_import``."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import re
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from mantelzorg.core.models import Municipality

from .. import phones
from ..models import Schedule
from .fields import KEPT_TABLES, OFFICIAL, ORDER, TABLE_OF_OBJECT, TABLES, F
from .schemas import extra_problems, kept_problems


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
    # What the import kept or changed without failing: references to records outside the file
    # (kept as ids), rows it keeps but does not use, fields and files that are not HSDS.
    warnings: list[RowError] = field(default_factory=list)
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
    data: dict  # HSDS name → raw value (only fields given); "hsds_extra": official fields we keep


@dataclass
class Kept:
    """A row for ``KeptRecord``: an official table we do not model, or an unplaceable row."""

    table: str
    hsds_id: str
    parent_table: str
    parent_id: str
    data: dict
    file: str
    where: str


class Dataset:
    """Rows per table, merged by id, with the place each came from."""

    def __init__(self):
        self.rows: dict[str, dict[str, _Row]] = {name: {} for name in TABLES}
        self.errors: list[RowError] = []
        # (parent table, parent id, child table): the file lists this parent's children of that
        # table, so the ones it does not list are removed. CSV: a table's file lists them all.
        self.listed: set[tuple[str, str, str]] = set()
        self.csv_tables: set[str] = set()
        self.kept: dict[tuple[str, str, str, str], Kept] = {}
        self.set_aside: dict[str, set[str]] = defaultdict(set)  # rows kept as given (not placed)
        self.warnings: list[RowError] = []
        self._unknown_fields: set[tuple[str, str]] = set()

    def keep(self, table: str, file: str, where: str, data, parent: tuple[str, str] = ("", "")) -> None:
        """Keep a row of an official table we do not model (or could not place), as given."""
        if not isinstance(data, dict):
            self.errors.append(RowError(file, where, "", "Expected an object."))
            return
        raw_id = data.get("id")
        try:
            key = str(uuid.UUID(str(raw_id)))
        except ValueError:
            self.errors.append(RowError(file, where, "id", f"“{raw_id}” is not a valid UUID."))
            return
        problems = kept_problems(table, data)
        for name, message in problems:
            self.errors.append(RowError(file, where, name, message))
        if not problems:
            self.kept[(table, key, *parent)] = Kept(table, key, *parent, data, file, where)

    def unknown_field(self, file: str, where: str, table: str, name: str) -> None:
        """A field that is neither HSDS nor one of our extensions: not kept (one warning each)."""
        if (table, name) not in self._unknown_fields:
            self._unknown_fields.add((table, name))
            self.warnings.append(
                RowError(
                    file, where, name, f"Not an HSDS 3.0 field of {table}: not kept (and not reported again)."
                )
            )

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
            if name == "hsds_extra":
                existing.data["hsds_extra"] = {**value, **existing.data.get("hsds_extra", {})}
            elif name not in existing.data or existing.data[name] in (None, ""):
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


@cache
def _json_fields(table: str) -> tuple[frozenset, frozenset, dict, frozenset]:
    """For a nested JSON object of ``table``: our fields, the official fields we keep in
    ``hsds_extra``, the official nested fields we keep as rows (KeptRecord), and every known key."""
    spec = TABLES[table]
    ours = frozenset(f.name for f in spec.fields)
    children, parents = CHILDREN.get(table, {}), PARENTS.get(table, {})
    kept_nested = {k: v for k, v in spec.official.nested.items() if k not in children and k not in parents}
    known = ours | frozenset(spec.extras) | frozenset(children) | frozenset(parents) | frozenset(kept_nested)
    return ours, frozenset(spec.extras), kept_nested, known


def _walk(ds: Dataset, table: str, obj, file: str, path: str, inherited: dict) -> None:
    if not isinstance(obj, dict):
        ds.errors.append(RowError(file, path, "", "Expected an object."))
        return
    ours, extras, kept_nested, known = _json_fields(table)
    children, parents = CHILDREN.get(table, {}), PARENTS.get(table, {})
    data = {k: v for k, v in obj.items() if k in ours}
    extra = {k: v for k, v in obj.items() if k in extras and v not in (None, "")}
    for name in obj.keys() - known:
        ds.unknown_field(file, path, table, name)
    own_id = obj.get("id")
    for key, (hsds_object, is_list) in kept_nested.items():
        nested = obj.get(key)
        if nested is None:
            continue
        parent = (table, _uuid_text(own_id)) if own_id else ("", "")
        kept_table = TABLE_OF_OBJECT[hsds_object]
        if is_list and not isinstance(nested, list):
            ds.errors.append(RowError(file, f"{path}.{key}", key, "Expected a list."))
            continue
        items = nested if is_list else [nested] if nested else []
        for i, item in enumerate(items):
            ds.keep(kept_table, file, f"{path}.{key}" + (f"[{i}]" if is_list else ""), item, parent)
        if own_id:
            ds.listed.add((table, parent[1], kept_table))
        if key == "program" and isinstance(nested, dict) and nested.get("id") and "program_id" not in obj:
            extra["program_id"] = nested["id"]  # services.csv names the service's program here
    if extra:
        data["hsds_extra"] = extra
    for name, value in inherited.items():
        data.setdefault(name, value)
    for key, (_parent_table, pointer) in parents.items():
        nested = obj.get(key)
        if isinstance(nested, dict) and nested.get("id"):
            data.setdefault(pointer, nested["id"])
    ds.add(table, file, path, data)
    for key, (child_table, pointer) in children.items():
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
    for key, (parent_table, _pointer) in parents.items():
        nested = obj.get(key)
        if isinstance(nested, dict):
            _walk(ds, parent_table, nested, file, f"{path}.{key}", {})


# The documents an import reads on their own: the top-level table of each.
DOCUMENTS = ("services", "organizations", "service_at_locations", "locations", "taxonomy_terms", "taxonomies")


def document_table(item, hint: str = "") -> str:
    """Which HSDS object a top-level document is. ``hint`` decides when it names one: a table
    name, or a file name such as ``organization_full.json`` or ``service_list.json``. Otherwise
    the smallest official object whose properties hold every key and whose required fields are
    there."""
    if hint in DOCUMENTS:
        return hint
    stem = Path(hint).stem.removesuffix("_full").removesuffix("_list")
    for table in DOCUMENTS:
        if stem in (OFFICIAL[table].object, table):
            return table
    keys = set(item) if isinstance(item, dict) else set()
    fits = []
    for table in DOCUMENTS:
        allowed = (
            set(OFFICIAL[table].properties)
            | {f.name for f in TABLES[table].fields}
            | set(PARENTS.get(table, {}))
        )
        allowed |= set(CHILDREN.get(table, {}))
        if keys <= allowed and set(OFFICIAL[table].required) <= keys:
            fits.append((len(allowed), table))
    return min(fits)[1] if fits else "services"


def dataset_from_json(data, file: str = "services.json", kind: str = "") -> Dataset:
    """An HSDS document: a service, organization, service_at_location, location, taxonomy or
    taxonomy term, fully nested, alone, in a list or in an HSDS Page ({"contents": [...]}).
    ``kind`` (a table name) says which; otherwise the file name or the keys tell."""
    ds = Dataset()
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items = data["contents"]
    elif isinstance(data, dict):
        items = [data]
    elif isinstance(data, list):
        items = data
    else:
        ds.errors.append(RowError(file, "", "", "Expected an HSDS document, a list of them or an HSDS page."))
        return ds
    for i, item in enumerate(items):
        _walk(ds, document_table(item, kind or file), item, file, f"[{i}]", {})
    return ds


def _csv_extra(spec, record: dict) -> dict:
    """The official columns we do not model, typed as the official JSON schema wants them."""
    out = {}
    for name in spec.extras:
        text = record.get(name)
        if text in (None, ""):
            continue
        out[name] = typed(spec.official.scalars[name], text)
    return out


def typed(json_type: str, text: str):
    """A CSV text as the JSON type of the official schema (left as text if it does not parse)."""
    try:
        if json_type == "integer":
            return int(text)
        if json_type == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if json_type == "boolean" and text.strip().lower() in TRUE | FALSE:
            return text.strip().lower() in TRUE
    except ValueError:
        pass
    return text


# File names we also read: what our export wrote before it used the official names.
LEGACY_FILES = {"service_at_locations.csv": "service_at_locations"}


def dataset_from_csv_files(files: dict[str, str]) -> Dataset:
    """``files``: file name → CSV text, the official tables (``datapackage.json``). Files that are
    not HSDS tables are skipped with a warning; missing tables are empty."""
    ds = Dataset()
    by_file = {o.filename: name for name, o in OFFICIAL.items()} | LEGACY_FILES
    for filename, content in sorted(files.items()):
        table = by_file.get(Path(filename).name)
        if table is None:
            if filename.endswith(".csv"):
                ds.warnings.append(RowError(filename, "", "", "Not an HSDS 3.0 table: skipped."))
            continue
        reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
        columns = list(reader.fieldnames or ())
        if "id" not in columns:
            ds.errors.append(RowError(filename, "1", "id", "The file has no id column."))
            continue
        if table in KEPT_TABLES:
            _read_kept_csv(ds, table, filename, reader, columns)
            continue
        spec = TABLES[table]
        known = {f.name for f in spec.fields}
        for name in columns:
            if name not in known and name not in spec.extras:
                ds.unknown_field(filename, "1", table, name)
        ds.csv_tables.add(table)
        for number, record in enumerate(reader, start=2):
            data = {k: v for k, v in record.items() if k in known and v not in (None, "")}
            extra = _csv_extra(spec, record)
            if extra:
                data["hsds_extra"] = extra
            ds.add(table, filename, str(number), data)
    return ds


def _read_kept_csv(ds: Dataset, table: str, filename: str, reader, columns) -> None:
    official = OFFICIAL[table]
    for name in columns:
        if name not in official.scalars:
            ds.unknown_field(filename, "1", table, name)
    ds.csv_tables.add(table)
    for number, record in enumerate(reader, start=2):
        data = {
            k: typed(official.scalars[k], v)
            for k, v in record.items()
            if k in official.scalars and v not in (None, "")
        }
        parents = []
        for column, parent_table, _key in KEPT_TABLES[table]:
            if data.get(column):
                if table == "metadata":
                    parent_table = TABLE_OF_OBJECT.get(str(data.get("resource_type", "")), "")
                parents.append((parent_table, _uuid_text(data[column])))
        for parent in parents or [("", "")]:
            ds.keep(table, filename, str(number), data, parent)


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
class Clean:
    values: dict  # attr → value (for every field of the table)
    m2m: dict
    row: _Row


def _clean_row(r: _Row, from_csv: bool, errors: list[RowError], warnings: list[RowError]) -> Clean | None:
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
    # HSDS taxonomies have no code and terms may lack one: ours is then made from the name
    # (before the model's checks, which require it).
    if r.table in ("taxonomies", "taxonomy_terms") and not values.get("code"):
        values["code"] = slugify(values.get("name") or "")[:50] or str(values["id"])[:8]
    extra = given.get("hsds_extra") or {}
    for name, message in extra_problems(r.table, extra):
        errors.append(RowError(r.file, r.where, name, message))
        bad = True
    values["hsds_extra"] = dict(extra)
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
        warnings.append(
            RowError(
                r.file,
                r.where,
                "municipality_code",
                "This service area names no gemeente (municipality_code, such as GM0363) and is not national: "
                "it is kept, but nobody finds the service by postcode through it.",
            )
        )
    if r.table == "phones" and values.get("number") and "number" not in _failed(errors, r):
        try:
            values["number"] = phones.import_number(values["number"])
        except ValueError as error:
            errors.append(RowError(r.file, r.where, "number", str(error)))
            bad = True
    if r.table == "schedules" and not given.get("timezone_name") and not given.get("timezone"):
        values["timezone"] = "Europe/Amsterdam"
    return None if bad else Clean(values, m2m, r)


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


def validate(ds: Dataset, *, from_csv: bool) -> dict[str, list[Clean]]:
    """Check every row; fills ``ds.errors`` and ``ds.warnings``; returns the cleaned rows per table.

    A reference to a record that is neither in the file nor in the directory does not fail the
    import: an optional one (``parent_organization_id``, a contact's ``organization_id``) is kept
    as an unresolved id in ``hsds_extra``; a row whose *required* reference is missing (an
    attribute whose ``link_id`` names an unknown service) is kept as given (``KeptRecord``), and
    so is every row that needs such a row. Unknown gemeente codes (our extension) are errors."""
    cleaned: dict[str, list[Clean]] = {}
    for name in ORDER:
        cleaned[name] = [
            c for r in ds.rows[name].values() if (c := _clean_row(r, from_csv, ds.errors, ds.warnings))
        ]
    in_db = _referenced_in_db(ds, cleaned)
    for name in ORDER:
        for f in TABLES[name].fields:
            if f.to != "municipalities":
                continue
            for c in cleaned[name]:
                value = c.m2m.get(f.attr) if f.kind == "codes" else c.values.get(f.attr)
                for v in value if isinstance(value, list) else [value]:
                    if v not in (None, "") and str(v) not in in_db["municipalities"]:
                        ds.errors.append(
                            RowError(c.row.file, c.row.where, f.name, f"Unknown gemeente code: “{v}”.")
                        )
    while _place(ds, cleaned, in_db, from_csv):
        pass
    _drop_derived_taxonomy_names(cleaned)
    _unparent_kept(ds)
    _check_unique(ds, cleaned)
    return cleaned


def _unparent_kept(ds: Dataset) -> None:
    """A kept row whose parent is neither in the file nor in the directory is kept without a
    parent (its own pointer columns, e.g. ``resource_id``, still name it), with a note."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for k in ds.kept.values():
        if k.parent_table in TABLES and k.parent_id not in ds.rows[k.parent_table]:
            wanted[k.parent_table].add(k.parent_id)
    found = {
        table: {
            str(v) for v in TABLES[table].model.objects.filter(id__in=list(ids)).values_list("id", flat=True)
        }
        for table, ids in wanted.items()
    }
    for key, k in list(ds.kept.items()):
        missing = k.parent_table in TABLES and (
            k.parent_id in ds.set_aside[k.parent_table]
            or (k.parent_id not in ds.rows[k.parent_table] and k.parent_id not in found[k.parent_table])
        )
        if missing:
            del ds.kept[key]
            ds.warnings.append(
                RowError(
                    k.file,
                    k.where,
                    "",
                    f"Belongs to {_what(k.parent_table)} “{k.parent_id}”, which is neither in the file nor in the "
                    "directory: kept as it is and exported again, but not used.",
                )
            )
            ds.kept[(k.table, k.hsds_id, "", "")] = Kept(k.table, k.hsds_id, "", "", k.data, k.file, k.where)


def _drop_derived_taxonomy_names(cleaned) -> None:
    """A term's ``taxonomy`` (the taxonomy's name) is kept only where it differs from the name of
    the taxonomy it points at: our own export writes that name, which is not worth keeping."""
    names = {c.values["id"]: c.values["name"] for c in cleaned["taxonomies"]}
    wanted = {c.values["taxonomy_id"] for c in cleaned["taxonomy_terms"]} - set(names)
    names |= dict(TABLES["taxonomies"].model.objects.filter(id__in=wanted).values_list("id", "name"))
    for c in cleaned["taxonomy_terms"]:
        if c.values["hsds_extra"].get("taxonomy") == names.get(c.values["taxonomy_id"]):
            c.values["hsds_extra"].pop("taxonomy", None)


def _what(table: str) -> str:
    return OFFICIAL[table].object.replace("_", " ")


def _referenced_in_db(ds: Dataset, cleaned) -> dict[str, set[str]]:
    """Of the ids (and gemeente codes) the rows point at outside the file, those in the database."""
    wanted: dict[str, set] = defaultdict(set)
    for name in ORDER:
        for f in TABLES[name].fields:
            if f.kind not in ("fk", "code", "codes"):
                continue
            for c in cleaned[name]:
                value = c.m2m.get(f.attr) if f.kind == "codes" else c.values.get(f.attr)
                for v in value if isinstance(value, list) else [value]:
                    if v not in (None, "") and (f.to == "municipalities" or str(v) not in ds.rows[f.to]):
                        wanted[f.to].add(v)
    found: dict[str, set[str]] = defaultdict(set)
    for target, ids in wanted.items():
        model = Municipality if target == "municipalities" else TABLES[target].model
        key = "code" if target == "municipalities" else "id"
        ids = list(ids)
        for i in range(0, len(ids), 500):
            found[target] |= {
                str(v)
                for v in model.objects.filter(**{f"{key}__in": ids[i : i + 500]}).values_list(key, flat=True)
            }
    return found


def _place(ds: Dataset, cleaned, in_db, from_csv: bool) -> bool:
    """One pass over the references to records outside the file (see ``validate``). True when a
    row was set aside (so the rows pointing at it need another pass)."""
    # In the file: every row of it (one with errors too: the import fails on those anyway) but
    # those set aside.
    placed = {name: set(ds.rows[name]) - ds.set_aside[name] for name in TABLES}
    set_aside = False
    for name in ORDER:
        model = TABLES[name].model
        keep = []
        for c in cleaned[name]:
            missing = None
            for f in TABLES[name].fields:
                value = c.values.get(f.attr) if f.kind == "fk" else None
                if value in (None, "") or str(value) in placed[f.to] or str(value) in in_db[f.to]:
                    continue
                if _model_field(model, f.attr).null:
                    c.values[f.attr] = None
                    c.values["hsds_extra"][f.name] = str(value)
                    ds.warnings.append(
                        RowError(
                            c.row.file,
                            c.row.where,
                            f.name,
                            f"Points at {_what(f.to)} “{value}”, which is neither in the file nor in the "
                            "directory: kept as an unresolved id.",
                        )
                    )
                else:
                    missing = (f, value)
                    break
            if missing is None:
                keep.append(c)
                continue
            f, value = missing
            set_aside = True
            ds.set_aside[name].add(str(c.values["id"]))
            ds.warnings.append(
                RowError(
                    c.row.file,
                    c.row.where,
                    f.name,
                    f"Needs {_what(f.to)} “{value}”, which is neither in the file nor in the directory: the "
                    "row is kept as it is and exported again, but not used.",
                )
            )
            ds.keep(name, c.row.file, c.row.where, _as_given(name, c.row.data, from_csv))
        cleaned[name] = keep
    return set_aside


def _as_given(table: str, data: dict, from_csv: bool) -> dict:
    """A row's fields as HSDS gives them (CSV texts typed as the official schema wants)."""
    out = {k: v for k, v in data.items() if k != "hsds_extra"} | data.get("hsds_extra", {})
    if from_csv:
        scalars = OFFICIAL[table].scalars
        out = {k: typed(scalars[k], v) if k in scalars and isinstance(v, str) else v for k, v in out.items()}
    return out


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


def sorted_errors(errors: list[RowError]) -> list[RowError]:
    """By file, then row (numbers in order, JSON paths after them), then field."""
    return sorted(errors, key=lambda e: (e.file, _row_key(e.row), e.field))


def _row_key(where: str):
    return (0, int(where), "") if where.isdigit() else (1, 0, where)


# --- reading: what hsds_import is given, as a Dataset -----------------------------------------


@dataclass
class Source:
    """What an import reads: its rows, whether they came from CSV, and the text its audit row's
    object id is a digest of."""

    dataset: Dataset
    from_csv: bool
    text: str


def from_json(data, name: str = "services.json", kind: str = "") -> Source:
    text = json.dumps(data, sort_keys=True, default=str) if data is not None else ""
    return Source(dataset_from_json(data, name, kind), False, name + ":" + text[:100000])


def from_csv_files(files: dict[str, str]) -> Source:
    text = "".join(f"{k}:{v[:20000]}" for k, v in sorted(files.items()))
    return Source(dataset_from_csv_files(files), True, text)


def failed(name: str, message: str) -> Source:
    """A file that could not be read at all: one error, nothing to check."""
    ds = Dataset()
    ds.errors.append(RowError(name, "", "", message))
    return Source(ds, False, name)


def from_path(path, fmt: str = "", kind: str = "") -> Source:
    """A file path: .json, .zip or a directory of CSV files (``fmt`` json|csv overrides)."""
    path = Path(path)
    fmt = fmt or ("json" if path.suffix.lower() == ".json" else "csv")
    if fmt == "json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as error:
            return failed(path.name, f"Not valid JSON: {error}")
        return from_json(data, path.name, kind)
    try:
        files = read_csv_source(path)
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError) as error:
        return failed(path.name, f"Cannot read the CSV files: {error}")
    return from_csv_files(files)


def from_upload(upload) -> Source:
    """An uploaded file (the admin page): .json, else a zip of CSV files."""
    content = upload.read()
    if upload.name.lower().endswith(".json"):
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            data = None
        if data is None:
            return failed(upload.name, gettext("This is not a valid JSON file."))
        return from_json(data, upload.name)
    try:
        files = read_csv_source(io.BytesIO(content))
    except (zipfile.BadZipFile, UnicodeDecodeError):
        return failed(upload.name, gettext("This is not a readable zip file with CSV files."))
    return from_csv_files(files)
