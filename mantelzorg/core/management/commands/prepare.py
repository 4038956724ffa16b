"""Everything `make run` does with the database before the server starts, in one process (so it
is quick). The static files are collected by the Makefile, only when they changed."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load reference and demo data, print the demo logins."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_reference_data", verbosity=1)
        if settings.DEMO_DATA:
            self._demo_keyring()  # before the demo data: its declarations' codes are signed
        call_command("load_demo_data")
        if settings.DEMO_DATA:
            call_command("demo_logins")

    def _demo_keyring(self):
        """A demo installation gets MZ1 signing keys of its own at once (var/declaration_keys.json),
        so the verifier works; a real one makes them itself (docs/declaration/verifier.md)."""
        from mantelzorg.declaration import keys
        from mantelzorg.declaration.selectors import default_keyring_path

        configured = os.environ.get(keys.ENV_FILE) or os.environ.get(keys.ENV_INLINE)
        if not configured and not default_keyring_path().exists():
            call_command("declaration_keys", "generate")
