"""HSDS export: every service fully nested (JSON) or one CSV file per table (a directory or a zip)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from ..models import Service
from .fields import TABLES, out_value
from .shapes import full_queryset, service_full


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
