"""Delete accounts whose sign-up link was never used and has expired (run daily; idempotent)."""

from django.core.management.base import BaseCommand

from mantelzorg.accounts import services


class Command(BaseCommand):
    help = "Delete the accounts whose sign-up link was never used and has expired."

    def handle(self, *args, **options):
        self.stdout.write(f"Unconfirmed sign-ups deleted: {services.signups_unconfirmed_delete()}")
