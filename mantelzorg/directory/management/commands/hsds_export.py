"""Export the sociale kaart as HSDS 3.0: JSON (fully nested services) or CSV tables (dir or .zip)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from mantelzorg.core import audit
from mantelzorg.directory.hsds import export


class Command(BaseCommand):
    help = "Export the directory as HSDS 3.0 JSON or CSV (a directory, or a .zip file)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", required=True, help="File (.json, .zip) or directory (CSV).")

    def handle(self, *args, format, output, **options):
        if format == "json":
            data = export.export_json()
            Path(output).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            count = f"{len(data)} services"
        else:
            files = export.export_csv(output)
            count = f"{len(files)} CSV files"
        audit.log(
            action="directory.export.completed",
            role="system",
            object_type="directory.hsds_export",
            object_id=format,
            purpose="directory maintenance",
        )
        self.stdout.write(f"Exported {count} to {output}")
