"""E-mail the care networks' due reminders (idempotent: run it as often as you like, e.g. hourly).

To the claimer of a task the day before (and a week before when they asked for it); to each
coordinator a daily overview of the open tasks of the next 7 days. ``--now`` fixes the moment
(ISO 8601) for tests and for catching up."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mantelzorg.network import services
from mantelzorg.network.recurrence import TZ


class Command(BaseCommand):
    help = "Send the care network reminders that are due (each at most once)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the moment to act as now, ISO 8601 (default: now)")

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError("--now must be an ISO 8601 date and time, like 2027-03-14T07:00") from None
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=TZ)
        counts = services.reminders_send(now=moment)
        self.stdout.write(
            "Reminders sent: {day_before} a day before, {week_before} a week before, "
            "{digest} daily overviews".format(**counts)
        )
