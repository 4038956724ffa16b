"""Load generated demo data once (idempotent). Names start with "Voorbeeld"."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand

# Each app that has demo data offers ``<app>.demo.load(stdout)``; the order matters.
DEMO_MODULES = [
    "mantelzorg.accounts.demo",
    "mantelzorg.directory.demo",
    "mantelzorg.assessment.demo",
    "mantelzorg.network.demo",
    "mantelzorg.declaration.demo",
    "mantelzorg.respite.demo",
]


class Command(BaseCommand):
    help = "Load the generated demo data (only when MANTELZORG_DEMO_DATA is on; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA:
            self.stdout.write("Demo data is off (MANTELZORG_DEMO_DATA=0); nothing loaded.")
            return
        for name in DEMO_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
                continue
            module.load(stdout=self.stdout)
