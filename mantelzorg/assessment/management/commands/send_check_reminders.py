"""E-mail due reminders to repeat the Balanscheck (idempotent: run it as often as you like)."""

from django.core.management.base import BaseCommand

from mantelzorg.assessment import services


class Command(BaseCommand):
    help = "Send the reminders to repeat the balance check that are due (each at most once)."

    def handle(self, *args, **options):
        sent = services.reminders_send()
        self.stdout.write(f"Reminders sent: {sent}")
