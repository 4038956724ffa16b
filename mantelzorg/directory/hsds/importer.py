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
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from mantelzorg.core.models import Municipality

from .. import phones
from ..models import Schedule
from .fields import ORDER, TABLES, F


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
class Clean:
    values: dict  # attr → value (for every field of the table)
    m2m: dict
    row: _Row


def _clean_row(r: _Row, from_csv: bool, errors: list[RowError]) -> Clean | None:
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
    """Check every row; fills ``ds.errors``; returns the cleaned rows per table."""
    cleaned: dict[str, list[Clean]] = {}
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


def from_json(data, name: str = "services.json") -> Source:
    text = json.dumps(data, sort_keys=True, default=str) if data is not None else ""
    return Source(dataset_from_json(data, name), False, name + ":" + text[:100000])


def from_csv_files(files: dict[str, str]) -> Source:
    text = "".join(f"{k}:{v[:20000]}" for k, v in sorted(files.items()))
    return Source(dataset_from_csv_files(files), True, text)


def failed(name: str, message: str) -> Source:
    """A file that could not be read at all: one error, nothing to check."""
    ds = Dataset()
    ds.errors.append(RowError(name, "", "", message))
    return Source(ds, False, name)


def from_path(path, fmt: str = "") -> Source:
    """A file path: .json, .zip or a directory of CSV files (``fmt`` json|csv overrides)."""
    path = Path(path)
    fmt = fmt or ("json" if path.suffix.lower() == ".json" else "csv")
    if fmt == "json":
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as error:
            return failed(path.name, f"Not valid JSON: {error}")
        return from_json(data, path.name)
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
