"""Free the nights of respite requests and waiting-list offers whose time ran out, and offer them
to the waiting list (``services.holds_expire``). Idempotent: a second run finds nothing to do.
Run it every 5 minutes (docs/operations.md); requests, confirms and searches already treat a
lapsed hold as free, so the command only tidies up and hands the nights on. It also prunes the
availability index's change log (``index.prune``). Prints counts only, never a person."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from mantelzorg.respite import index, services
from mantelzorg.respite.models import Stay


class Command(BaseCommand):
    help = "Expire lapsed respite holds and offers, and offer the freed nights to the waiting list."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="the moment to act as now, ISO 8601 with an offset (default: now)")

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            try:
                moment = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(
                    "--now must be an ISO 8601 date and time, like 2027-03-14T07:00+01:00"
                ) from None
            if moment.tzinfo is None:
                raise CommandError("--now needs an offset, like 2027-03-14T07:00+01:00")
        lapsed, offers = services.holds_expire_counted(now=moment)
        held = sum(1 for s in lapsed if s.state == Stay.State.HELD)
        pruned = index.prune()
        self.stdout.write(
            f"Respite holds expired: {held} requests, {len(lapsed) - held} waiting-list offers; "
            f"new offers made: {len(offers)}; changes pruned: {pruned}"
        )
