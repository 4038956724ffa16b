"""Load a licensed instrument (FHIR R4 Questionnaire JSON) for the Balanscheck.

manage.py load_instrument path/to/ediz-plus.json
manage.py load_instrument --builtin        # (re)store the shipped instruments
"""

import json

from django.core.management.base import BaseCommand, CommandError

from mantelzorg.assessment import engine, services


class Command(BaseCommand):
    help = "Validate a FHIR Questionnaire with the scoring engine and store it as an active instrument."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Questionnaire JSON files")
        parser.add_argument("--builtin", action="store_true", help="store the shipped instruments")
        parser.add_argument("--inactive", action="store_true", help="store without activating")

    def handle(self, *args, paths, builtin, inactive, **options):
        if not paths and not builtin:
            raise CommandError("give one or more JSON files, or --builtin")
        if builtin:
            changed = services.instruments_sync_builtin()
            self.stdout.write(f"Shipped instruments: {changed} stored or updated.")
        for path in paths:
            try:
                with open(path, encoding="utf-8") as fh:
                    data = json.load(fh)
            except (OSError, ValueError) as error:
                raise CommandError(f"{path}: cannot read JSON ({error})") from None
            try:
                row = services.instrument_load(data=data, activate=not inactive)
            except engine.DefinitionError as error:
                raise CommandError(f"{path}: not loaded:\n  - " + "\n  - ".join(error.problems)) from None
            state = "active" if row.active else "inactive"
            self.stdout.write(self.style.SUCCESS(f"Loaded {row.questionnaire_id} {row.version} ({state})."))
