"""Import HSDS 3.0 data: JSON (services, fully nested, or an HSDS page) or CSV tables (dir or .zip).

All or nothing: every bad row is reported (file, row, field, message) and nothing is saved.
Idempotent by id.
"""

from django.core.management.base import BaseCommand, CommandError

from mantelzorg.directory.services import hsds_import


class Command(BaseCommand):
    help = "Import HSDS 3.0 JSON or CSV (a directory or a .zip file); all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--format", choices=["json", "csv"], default="", help="Default: json for *.json, csv otherwise."
        )

    def handle(self, *args, path, format, **options):
        result = hsds_import(path=path, fmt=format)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Import failed: {len(result.errors)} problems; nothing was saved.")
        self.stdout.write(f"Imported {result.services} services ({result.summary()}).")
