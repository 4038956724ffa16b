"""Import HSDS 3.0 data: a JSON document (service, organization, service_at_location, location,
taxonomy or taxonomy term: alone, in a list or in an HSDS page) or the CSV tables (dir or .zip).

All or nothing: every bad row is reported (file, row, field, message) and nothing is saved.
Idempotent by id. What is kept but not used, and references to records outside the file, are
printed as notes.
"""

from django.core.management.base import BaseCommand, CommandError

from mantelzorg.directory.hsds.importer import DOCUMENTS
from mantelzorg.directory.services import hsds_import


class Command(BaseCommand):
    help = "Import HSDS 3.0 JSON or CSV (a directory or a .zip file); all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--format", choices=["json", "csv"], default="", help="Default: json for *.json, csv otherwise."
        )
        parser.add_argument(
            "--document",
            choices=DOCUMENTS,
            default="",
            help="What the JSON holds (default: told by the file name, else by its fields).",
        )

    def handle(self, *args, path, format, document, **options):
        result = hsds_import(path=path, fmt=format, kind=document)
        for warning in result.warnings:
            self.stderr.write(f"note: {warning}")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Import failed: {len(result.errors)} problems; nothing was saved.")
        self.stdout.write(f"Imported {result.services} services ({result.summary()}).")
