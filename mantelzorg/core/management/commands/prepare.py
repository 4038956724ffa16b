"""Everything `make run` does with the database before the server starts, in one process (so it
is quick). The static files are collected by the Makefile, only when they changed."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, load reference and demo data, print the demo logins."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_reference_data", verbosity=1)
        call_command("load_demo_data")
        if settings.DEMO_DATA:
            call_command("demo_logins")
