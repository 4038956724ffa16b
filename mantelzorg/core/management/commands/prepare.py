"""Everything `make run` does before the server starts, in one process (so it is quick)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load reference and demo data, collect static files, print the demo logins."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_reference_data", verbosity=1)
        call_command("load_demo_data")
        call_command("collectstatic", interactive=False, verbosity=0)
        if settings.DEMO_DATA:
            call_command("demo_logins")
