"""HSDS export: every service fully nested (JSON) or one CSV file per table (a directory or a zip)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from ..models import KeptRecord, Service
from .fields import KEPT_TABLES, OFFICIAL, TABLES, out_value
from .shapes import full_queryset, service_full, with_kept


def export_json() -> list[dict]:
    """Every service (drafts too, with the ``publication`` extension), fully nested, by id, with
    the rows kept as given nested again."""
    qs = full_queryset(Service.objects.order_by("id"), internal=True)
    out: list[dict] = []
    chunk: list[dict] = []
    for service in qs.iterator(chunk_size=500):
        chunk.append(service_full(service, internal=True))
        if len(chunk) == 500:
            out += with_kept(chunk, "services")
            chunk = []
    return out + with_kept(chunk, "services")


def _csv_text(value) -> str:
    if isinstance(value, dt.time):  # the tabular schema's time: HH:MM:SS (the offset is in timezone)
        return value.strftime("%H:%M:%S")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, float):  # 35 and 52.09, as the official examples write them
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def export_tables() -> dict[str, list[dict]]:
    """Every official table (``TABLES`` and the kept ones) as a list of {column: text} rows, by id."""
    out = {}
    for name, table in TABLES.items():
        qs = table.model.objects.order_by("id")
        if name == "organizations":
            qs = qs.prefetch_related("municipalities")
        rows = []
        for obj in qs.iterator(chunk_size=2000):
            row = {c: _csv_text(obj.hsds_extra.get(c)) for c in table.official.columns}
            for f in table.fields:
                row[f.name] = _csv_text(getattr(obj, f.attr) if f.kind == "time" else out_value(obj, f))
                if row[f.name] == "" and f.name in obj.hsds_extra:
                    row[f.name] = _csv_text(obj.hsds_extra[f.name])  # an unresolved reference
            rows.append(row)
        out[name] = rows
    for name in OFFICIAL:
        out.setdefault(name, [])
    placed = {name: {row["id"] for row in rows} for name, rows in out.items()}
    for record in KeptRecord.objects.order_by("table", "hsds_id", "parent_table", "parent_id").iterator():
        rows = out[record.table]
        if str(record.hsds_id) in placed.get(record.table, ()):
            continue  # a row we could not place, of which the directory has its own version
        if record.parent_table in placed and record.parent_id not in placed[record.parent_table]:
            continue  # its parent was deleted since (the kept row goes with it)
        row = {c: _csv_text(record.data.get(c)) for c in OFFICIAL[record.table].columns}
        for column, parent_table, _key in KEPT_TABLES.get(record.table, ()):
            if record.parent_id and (record.parent_table == parent_table or record.table == "metadata"):
                row[column] = row[column] or record.parent_id
                if record.table == "metadata":
                    row["resource_type"] = row["resource_type"] or OFFICIAL[record.parent_table].object
        if rows and rows[-1]["id"] == row["id"] and record.table in KEPT_TABLES:  # one row, two parents
            rows[-1].update({k: v for k, v in row.items() if v})
            continue
        rows.append(row)
    for name in out:
        out[name].sort(key=lambda r: r["id"])
    return out


def columns(name: str) -> tuple[str, ...]:
    """A table's CSV columns: the official ones in the official order, then our extensions."""
    return TABLES[name].columns if name in TABLES else OFFICIAL[name].columns


def export_csv(target) -> list[str]:
    """Write the CSV tables into directory ``target`` or, if it ends in .zip, into a zip file."""
    tables = export_tables()
    files = {}
    for name, rows in tables.items():
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns(name), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        files[OFFICIAL[name].filename] = buffer.getvalue()
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
