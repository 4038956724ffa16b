"""Occurrences of agenda items in a window: RFC 5545 RRULE expanded by python-dateutil, in local
time (Europe/Amsterdam), with single occurrences changed, cancelled or removed.

A series repeats in wall-clock time: a weekly item at 10:00 is at 10:00 before and after the change
to summer time (the last Sunday of March) and back (the last Sunday of October), as RFC 5545
expands a DTSTART with a TZID. So the rule is expanded over the naive local start and each
occurrence is then given its zone; an occurrence that falls in the hour skipped in March moves
forward by that hour (``zoneinfo`` fold 0), as RFC 5545 §3.3.5 says.

``tests/test_recurrence.py`` compares every expansion with ``recurring-ical-events`` over the same
RRULE.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

TZ = ZoneInfo("Europe/Amsterdam")
_FLOATING_UNTIL = re.compile(r"UNTIL=\d{8}(T\d{6})?(;|$)")
MAX_OCCURRENCES = 5000  # per series and window: a guard against a rule without end in a wide window


@dataclass(frozen=True)
class Occurrence:
    """One occurrence as shown: its own times and texts, and the start its series gives it
    (``original_start``, the RECURRENCE-ID) by which a change is found."""

    appointment: object  # models.Appointment
    original_start: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime
    title: str
    place: str
    note: str
    cancelled: bool
    changed: bool

    @property
    def kind(self) -> str:
        return self.appointment.kind

    @property
    def all_day(self) -> bool:
        return self.appointment.all_day

    @property
    def recurring(self) -> bool:
        return bool(self.appointment.rrule)


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(TZ)


def make_aware(naive: dt.datetime) -> dt.datetime:
    """A local wall-clock time as an aware time; a time skipped in March is moved forward."""
    aware = naive.replace(tzinfo=TZ)
    round_trip = aware.astimezone(dt.UTC).astimezone(TZ).replace(tzinfo=None)
    if round_trip != naive:  # in the gap: the same instant expressed after the change
        aware = aware.astimezone(dt.UTC).astimezone(TZ)
    return aware


def starts(rrule: str, first: dt.datetime, after: dt.datetime, before: dt.datetime) -> list[dt.datetime]:
    """The starts of a series (aware, Europe/Amsterdam) with ``after <= start < before``.

    dateutil repeats the wall-clock fields of an aware DTSTART and puts its zone on each result,
    so DST is kept; an UNTIL in UTC (RFC 5545 for a DTSTART with a zone) compares as an instant."""
    start = local(first)
    floating = _FLOATING_UNTIL.search(rrule) is not None  # UNTIL as a date or local time (all-day)
    rule = rrulestr(rrule, dtstart=start.replace(tzinfo=None) if floating else start)
    lo = local(after) - dt.timedelta(hours=3)
    result = []
    for value in rule.xafter(lo.replace(tzinfo=None) if floating else lo, count=MAX_OCCURRENCES, inc=True):
        aware = make_aware(value.replace(tzinfo=None))
        if aware >= before + dt.timedelta(hours=3):
            break
        if after <= aware < before:
            result.append(aware)
    return result


def occurrences(
    appointments: Iterable, window_start: dt.datetime, window_end: dt.datetime
) -> list[Occurrence]:
    """Every occurrence that overlaps ``[window_start, window_end)``, by start. Each appointment
    must come with its ``changes`` prefetched (one query for all)."""
    result: list[Occurrence] = []
    for appointment in appointments:
        length = appointment.ends_at - appointment.starts_at
        changes = {c.original_start: c for c in appointment.changes.all()}
        if appointment.rrule:
            # A series occurrence may overlap the window while starting before it: widen by its
            # length; a moved occurrence may come from outside the window: look its change up too.
            base = starts(appointment.rrule, appointment.starts_at, window_start - length, window_end)
            seen = set(base)
            base += [c.original_start for c in changes.values() if c.original_start not in seen]
        else:
            base = [appointment.starts_at]
        cancelled_series = appointment.status == "cancelled"
        for original in base:
            change = changes.get(original)
            if change is not None and change.state == "removed":
                continue
            start = change.starts_at if change is not None and change.starts_at else original
            end = change.ends_at if change is not None and change.ends_at else start + length
            if not (start < window_end and end > window_start):
                continue
            result.append(
                Occurrence(
                    appointment=appointment,
                    original_start=original,
                    starts_at=start,
                    ends_at=end,
                    title=(change.title if change is not None and change.title else appointment.title),
                    place=(change.place if change is not None and change.place else appointment.place),
                    note=(change.note if change is not None and change.note else appointment.note),
                    cancelled=cancelled_series or (change is not None and change.state == "cancelled"),
                    changed=change is not None,
                )
            )
    result.sort(key=lambda o: (o.starts_at, o.title, str(o.appointment.pk)))
    return result
