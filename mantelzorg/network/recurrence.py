"""Occurrences of agenda items in a window: RFC 5545 RRULE expanded by python-dateutil, in local
time (Europe/Amsterdam), with single occurrences changed, cancelled or removed.

A series repeats in wall-clock time: a weekly item at 10:00 is at 10:00 before and after the change
to summer time (the last Sunday of March) and back (the last Sunday of October), as RFC 5545
expands a DTSTART with a TZID. So the rule is expanded over the local start and each occurrence is
then given its zone:

- a start in the hour skipped in March (02:30) is read with the offset before the gap, so it is
  03:30 summer time (RFC 5545 §3.3.5); a start in the hour that happens twice in October is the
  first of the two (``fold=0``);
- an occurrence lasts as long on the wall clock as the first one (10:00–11:00 stays 10:00–11:00,
  a night 22:00–08:00 stays until 08:00, an all-day item ends at local midnight), as
  ``recurring-ical-events`` computes DTEND;
- UNTIL is an instant in UTC for a timed series (RFC 5545 for a DTSTART with a zone) and a DATE for
  an all-day series (floating, compared on the wall clock).

A month has no 31st? Then a monthly series on the 31st has no occurrence that month (RFC 5545:
invalid dates are skipped), as dateutil does.

``tests/test_recurrence.py`` compares every expansion with ``recurring-ical-events`` over the same
RRULE.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrulestr

TZ = ZoneInfo("Europe/Amsterdam")
_FLOATING_UNTIL = re.compile(r"UNTIL=\d{8}(T\d{6})?(;|$)")
MAX_OCCURRENCES = 5000  # per series and window: a guard against a rule without end in a wide window
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index = date.weekday()
INTERVAL_MAX = 52
_PARTS = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}


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

    @property
    def key(self) -> str:
        return occurrence_key(self.original_start)

    @property
    def last_day(self) -> dt.date:
        """The last local day it covers (an all-day item ends at midnight after its last day)."""
        end = local(self.ends_at)
        if self.all_day or (end.time() == dt.time() and end > self.starts_at):
            end -= dt.timedelta(days=1)
        return max(end.date(), local(self.starts_at).date())


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(TZ)


def make_aware(naive: dt.datetime) -> dt.datetime:
    """A local wall-clock time as an aware time in ``TZ``. A time in the hour skipped in March is
    read with the offset before the gap (02:30 → 03:30 summer time); a time in the hour that
    happens twice in October is the first of the two."""
    aware = naive.replace(tzinfo=TZ, fold=0)
    return aware.astimezone(dt.UTC).astimezone(TZ)


def _wall(value: dt.datetime) -> dt.datetime:
    return local(value).replace(tzinfo=None)


def wall_length(starts_at: dt.datetime, ends_at: dt.datetime) -> dt.timedelta:
    """How long an item lasts on the wall clock (a day of 23 hours in March is one day)."""
    return _wall(ends_at) - _wall(starts_at)


@functools.lru_cache(maxsize=1024)
def _rule(rrule: str, first: dt.datetime):
    """The dateutil rule and whether it runs on the wall clock (UNTIL as a DATE or local time)."""
    floating = _FLOATING_UNTIL.search(rrule) is not None
    start = local(first)
    return rrulestr(rrule, dtstart=start.replace(tzinfo=None) if floating else start), floating


def _wall_starts(
    rrule: str, first: dt.datetime, after: dt.datetime, before: dt.datetime
) -> list[tuple[dt.datetime, dt.datetime]]:
    """(wall-clock start, aware start) of each occurrence with ``after <= start < before``."""
    rule, floating = _rule(rrule, first)
    # Three hours of slack on both sides: the wall clock and the instant differ by at most that.
    lo = local(after) - dt.timedelta(hours=3)
    hi = before + dt.timedelta(hours=3)
    lo = lo.replace(tzinfo=None) if floating else lo
    result = []
    for value in advanced(rule, lo).xafter(lo, count=MAX_OCCURRENCES, inc=True):
        wall = value.replace(tzinfo=None)
        aware = make_aware(wall)
        if aware >= hi:
            break
        if after <= aware < before:
            result.append((wall, aware))
    return result


def advanced(rule, lo: dt.datetime):
    """The same rule with its first start moved forward on the rule's own grid to before ``lo``,
    so that dateutil does not walk every occurrence since a start years ago (a daily series of
    three years: about 1,100 steps for each month shown; 10 ms of the month view's 19 ms on the
    benchmark network). Only rules without COUNT (COUNT counts from the first start) and only
    daily, weekly and monthly ones: daily and weekly move by whole intervals of days (weekly with
    its weekdays made explicit), monthly by whole intervals of months with the day of the month
    made explicit (the first start's, as RFC 5545 derives it). dateutil never adds a moved start
    that the rule does not give. ``tests/test_recurrence_advance.py`` checks over generated rules
    and windows that the occurrences from ``lo`` on are exactly those without the move."""
    start = rule._dtstart
    if rule._count is not None or lo <= start:
        return rule
    given = {k for k, v in rule._original_rule.items() if v}
    if rule._freq in (DAILY, WEEKLY):
        step = rule._interval * (7 if rule._freq == WEEKLY else 1)
        n = ((lo.replace(tzinfo=None) - start.replace(tzinfo=None)).days // step) - 1
        if n <= 0:
            return rule
        extra = {"byweekday": (start.weekday(),)} if rule._freq == WEEKLY and not given & _BY_DAY else {}
        return rule.replace(dtstart=start + dt.timedelta(days=n * step), **extra)
    if rule._freq == MONTHLY:
        n = ((lo.year - start.year) * 12 + lo.month - start.month) // rule._interval - 1
        if n <= 0:
            return rule
        extra = {"bymonthday": (start.day,)} if not given & (_BY_DAY | {"bymonthday", "byyearday"}) else {}
        moved = start.replace(day=1) + relativedelta(months=n * rule._interval)
        return rule.replace(dtstart=moved, **extra)
    return rule


_BY_DAY = {"byweekday", "bynweekday"}


def starts(rrule: str, first: dt.datetime, after: dt.datetime, before: dt.datetime) -> list[dt.datetime]:
    """The starts of a series (aware, Europe/Amsterdam) with ``after <= start < before``."""
    return [aware for _, aware in _wall_starts(rrule, first, after, before)]


def is_start(rrule: str, first: dt.datetime, value: dt.datetime) -> bool:
    """Whether ``value`` is a start the series gives (a RECURRENCE-ID that still exists)."""
    if not rrule:
        return value == first
    return bool(starts(rrule, first, value, value + dt.timedelta(seconds=1)))


def count_before(rrule: str, first: dt.datetime, value: dt.datetime) -> int:
    """How many occurrences the series has before ``value`` (removed ones count, as for COUNT)."""
    rule, floating = _rule(rrule, first)
    n = 0
    for item in rule:
        if make_aware(item.replace(tzinfo=None)) >= value:
            break
        n += 1
        if n >= MAX_OCCURRENCES * 10:
            break
    return n


# --- RRULE values from form fields and back ---------------------------------------------------


@dataclass(frozen=True)
class Repeat:
    """An RRULE as the form shows it. ``until`` is the last local day (inclusive)."""

    freq: str = ""  # "" for "does not repeat"
    interval: int = 1
    weekdays: tuple[str, ...] = ()
    until: dt.date | None = None
    count: int | None = None


def rrule_build(
    freq: str,
    interval: int = 1,
    weekdays: Sequence[str] = (),
    until: dt.date | None = None,
    count: int | None = None,
    *,
    all_day: bool = False,
) -> str:
    """An RRULE value (``FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630T215959Z``) from the form's
    fields; "" for an item that does not repeat. ``until`` is the last day that may have an
    occurrence: for a timed series the end of that local day in UTC, for an all-day series a DATE.
    Raises ``ValueError`` on a value the form should not have let through."""
    if not freq:
        return ""
    freq = freq.upper()
    if freq not in FREQUENCIES:
        raise ValueError("freq")
    if not 1 <= int(interval) <= INTERVAL_MAX:
        raise ValueError("interval")
    if until is not None and count is not None:
        raise ValueError("until and count")
    parts = [f"FREQ={freq}"]
    if int(interval) != 1:
        parts.append(f"INTERVAL={int(interval)}")
    if weekdays and freq == "WEEKLY":
        days = sorted({d.upper() for d in weekdays}, key=WEEKDAYS.index)  # ValueError on a stranger
        parts.append("BYDAY=" + ",".join(days))
    if until is not None:
        if all_day:
            parts.append(f"UNTIL={until:%Y%m%d}")
        else:
            last = make_aware(dt.datetime.combine(until, dt.time(23, 59, 59)))
            parts.append(f"UNTIL={last.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
    if count is not None:
        if int(count) < 1:
            raise ValueError("count")
        parts.append(f"COUNT={int(count)}")
    value = ";".join(parts)
    rrule_validate(value)
    return value


def _parts(value: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in value.strip().removeprefix("RRULE:").split(";"):
        if not item:
            continue
        name, _, part = item.partition("=")
        parts[name.strip().upper()] = part.strip().upper()
    return parts


def rrule_validate(value: str) -> None:
    """Raise ``ValueError`` unless ``value`` is an RRULE this agenda makes: dateutil accepts it,
    FREQ is DAILY, WEEKLY or MONTHLY, INTERVAL 1..52, at most one of UNTIL and COUNT, BYDAY only
    plain weekdays."""
    if not value:
        return
    parts = _parts(value)
    if set(parts) - _PARTS:
        raise ValueError("unsupported part: " + ",".join(sorted(set(parts) - _PARTS)))
    if parts.get("FREQ") not in FREQUENCIES:
        raise ValueError("FREQ")
    if not parts.get("INTERVAL", "1").isdigit() or not 1 <= int(parts.get("INTERVAL", "1")) <= INTERVAL_MAX:
        raise ValueError("INTERVAL")
    if "UNTIL" in parts and "COUNT" in parts:
        raise ValueError("UNTIL and COUNT")
    if "COUNT" in parts and (not parts["COUNT"].isdigit() or int(parts["COUNT"]) < 1):
        raise ValueError("COUNT")
    if "BYDAY" in parts and any(d not in WEEKDAYS for d in parts["BYDAY"].split(",")):
        raise ValueError("BYDAY")
    try:
        rrulestr(value, dtstart=dt.datetime(2027, 1, 1, 10) if _FLOATING_UNTIL.search(value) else None)
    except (ValueError, TypeError) as error:
        raise ValueError(str(error)) from None


def rrule_parse(value: str) -> Repeat:
    """The form's view of an RRULE value (the inverse of ``rrule_build``)."""
    if not value:
        return Repeat()
    rrule_validate(value)
    parts = _parts(value)
    until = None
    if "UNTIL" in parts:
        raw = parts["UNTIL"]
        if raw.endswith("Z"):
            instant = dt.datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            until = local(instant).date()
        else:
            until = dt.datetime.strptime(raw[:8], "%Y%m%d").date()
    return Repeat(
        freq=parts["FREQ"],
        interval=int(parts.get("INTERVAL", "1")),
        weekdays=tuple(d for d in parts.get("BYDAY", "").split(",") if d),
        until=until,
        count=int(parts["COUNT"]) if "COUNT" in parts else None,
    )


def rrule_with_end(
    value: str, *, until: dt.date | None = None, count: int | None = None, all_day: bool
) -> str:
    """The same rule with another end (UNTIL or COUNT, or none)."""
    repeat = rrule_parse(value)
    return rrule_build(repeat.freq, repeat.interval, repeat.weekdays, until, count, all_day=all_day)


# --- Expansion ------------------------------------------------------------------------------


def _shown(appointment, wall: dt.datetime, original: dt.datetime, change, length) -> Occurrence | None:
    """One occurrence as the series and its change make it (None when removed)."""
    if change is not None and change.state == "removed":
        return None
    if change is not None and change.starts_at:
        start = local(change.starts_at)
        end = local(change.ends_at) if change.ends_at else make_aware(_wall(start) + length)
    elif change is not None and change.ends_at:
        start, end = original, local(change.ends_at)
    elif appointment.rrule:
        start, end = original, make_aware(wall + length)
    else:
        start, end = original, local(appointment.ends_at)
    return Occurrence(
        appointment=appointment,
        original_start=original,
        starts_at=start,
        ends_at=max(end, start),
        title=(change.title if change is not None and change.title else appointment.title),
        place=(change.place if change is not None and change.place else appointment.place),
        note=(change.note if change is not None and change.note else appointment.note),
        cancelled=appointment.status == "cancelled" or (change is not None and change.state == "cancelled"),
        changed=change is not None,
    )


def occurrences(
    appointments: Iterable, window_start: dt.datetime, window_end: dt.datetime
) -> list[Occurrence]:
    """Every occurrence that overlaps ``[window_start, window_end)``, by start. Each appointment
    must come with its ``changes`` prefetched (one query for all)."""
    result: list[Occurrence] = []
    for appointment in appointments:
        length = wall_length(appointment.starts_at, appointment.ends_at)
        absolute = appointment.ends_at - appointment.starts_at
        changes = {c.original_start: c for c in appointment.changes.all()}
        if appointment.rrule:
            # A series occurrence may overlap the window while starting before it: widen by its
            # length (plus an hour for a change of clock).
            widen = max(length, absolute) + dt.timedelta(hours=1)
            base = _wall_starts(appointment.rrule, appointment.starts_at, window_start - widen, window_end)
            seen = {aware for _, aware in base}
            # A moved occurrence may come from outside the window: its change brings it in, if the
            # series (still) has that start.
            for change in changes.values():
                if change.original_start in seen or change.state == "removed" or not change.starts_at:
                    continue
                end = change.ends_at or make_aware(_wall(change.starts_at) + length)
                if change.starts_at < window_end and end > window_start:
                    if is_start(appointment.rrule, appointment.starts_at, change.original_start):
                        base.append((_wall(change.original_start), local(change.original_start)))
        else:
            base = [(_wall(appointment.starts_at), local(appointment.starts_at))]
        for wall, original in base:
            shown = _shown(appointment, wall, original, changes.get(original), length)
            if shown is not None and shown.starts_at < window_end and shown.ends_at > window_start:
                result.append(shown)
    result.sort(key=lambda o: (o.starts_at, o.title, str(o.appointment.pk)))
    return result


def occurrence_at(appointment, original_start: dt.datetime) -> Occurrence | None:
    """The occurrence the series gives at ``original_start`` (changes prefetched), None when the
    series has no such start or it was removed."""
    if not is_start(appointment.rrule, appointment.starts_at, original_start):
        return None
    change = next((c for c in appointment.changes.all() if c.original_start == original_start), None)
    length = wall_length(appointment.starts_at, appointment.ends_at)
    return _shown(appointment, _wall(original_start), local(original_start), change, length)


def occurrence_key(value: dt.datetime) -> str:
    """An occurrence's series start in a link (``20270314T090000Z``, UTC: no "+" to escape)."""
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_key(key: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None
