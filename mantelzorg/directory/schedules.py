"""Opening hours: is a service open now (RFC 5545 RRULE via dateutil), and in words.

A schedule says *on which days* (freq/interval/byday/bymonthday/... from ``dtstart``, within
``valid_from``..``valid_to`` and ``until``/``count``) and *at what local time*
(``opens_at``..``closes_at``, Europe/Amsterdam wall clock). When ``closes_at`` is not after
``opens_at`` the opening runs past midnight into the next day (00:00–00:00 = whole day).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.utils import timezone
from django.utils.translation import gettext as _

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = {
    "MO": rrule.MO,
    "TU": rrule.TU,
    "WE": rrule.WE,
    "TH": rrule.TH,
    "FR": rrule.FR,
    "SA": rrule.SA,
    "SU": rrule.SU,
}
DAY_ORDER = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
FREQS = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY, "YEARLY": rrule.YEARLY}
ANCHOR = dt.date(2024, 1, 1)  # a Monday; used when a schedule has no dtstart


def _ints(raw: str) -> tuple[int, ...] | None:
    values = tuple(int(v) for v in (raw or "").replace(" ", "").split(",") if v)
    return values or None


def _weekdays(raw: str):
    days = []
    for token in (raw or "").replace(" ", "").upper().split(","):
        if not token:
            continue
        code, n = token[-2:], token[:-2]
        if code in WEEKDAYS:
            days.append(WEEKDAYS[code](int(n)) if n else WEEKDAYS[code])
    return days or None


def occurs_on(schedule, day: dt.date) -> bool:
    """Whether the schedule's recurrence has an occurrence on ``day``."""
    if schedule.valid_from and day < schedule.valid_from:
        return False
    if schedule.valid_to and day > schedule.valid_to:
        return False
    if schedule.until and day > schedule.until:
        return False
    start = schedule.dtstart or schedule.valid_from or ANCHOR
    if day < start:
        return False
    freq = FREQS.get((schedule.freq or "WEEKLY").upper(), rrule.WEEKLY)
    interval = schedule.interval or 1
    byweekday = _weekdays(schedule.byday)
    bymonthday = _ints(schedule.bymonthday)
    byyearday = _ints(schedule.byyearday)
    byweekno = _ints(schedule.byweekno)
    # Fast path (most schedules): weekly on some days, every week, no count.
    if (
        freq == rrule.WEEKLY
        and interval == 1
        and not schedule.count
        and byweekday
        and not (bymonthday or byyearday or byweekno)
        and all(getattr(d, "n", None) is None for d in byweekday)
    ):
        return any(d.weekday == day.weekday() for d in byweekday)
    if not schedule.count and interval == 1 and freq in (rrule.DAILY, rrule.WEEKLY):
        start = max(start, day - dt.timedelta(days=7))  # same result, far fewer iterations
    rule = rrule.rrule(
        freq,
        dtstart=dt.datetime.combine(start, dt.time()),
        interval=interval,
        count=schedule.count or None,
        until=dt.datetime.combine(schedule.until, dt.time(23, 59, 59)) if schedule.until else None,
        wkst=WEEKDAYS.get((schedule.wkst or "").upper()),
        byweekday=byweekday,
        bymonthday=bymonthday,
        byyearday=byyearday,
        byweekno=byweekno,
    )
    midnight = dt.datetime.combine(day, dt.time())
    following = rule.after(midnight, inc=True)
    return following is not None and following.date() == day


def schedule_open_at(schedule, moment: dt.datetime) -> bool:
    local = moment.astimezone(AMSTERDAM)
    day, now = local.date(), local.time()
    opens = schedule.opens_at or dt.time(0, 0)
    closes = schedule.closes_at or dt.time(0, 0)
    if closes > opens:
        return opens <= now < closes and occurs_on(schedule, day)
    # past midnight: open from ``opens`` today, or until ``closes`` after yesterday's start
    if now >= opens and occurs_on(schedule, day):
        return True
    return now < closes and occurs_on(schedule, day - dt.timedelta(days=1))


def is_open(schedules, moment: dt.datetime | None = None) -> bool | None:
    """True/False when the schedules say so; None when there are no opening hours."""
    schedules = [s for s in schedules if s.opens_at is not None or s.closes_at is not None]
    if not schedules:
        return None
    moment = moment or timezone.now()
    return any(schedule_open_at(s, moment) for s in schedules)


# --- compact form for the search index card (``SearchEntry.card``) ---------------------

_DATES = ("valid_from", "valid_to", "dtstart", "until")
_TIMES = ("opens_at", "closes_at")
_TEXTS = ("freq", "byday", "bymonthday", "byyearday", "byweekno", "wkst")


@dataclass(frozen=True, slots=True)
class ScheduleData:
    """The fields ``is_open`` reads, without a model instance."""

    freq: str = "WEEKLY"
    interval: int = 1
    count: int | None = None
    byday: str = ""
    bymonthday: str = ""
    byyearday: str = ""
    byweekno: str = ""
    wkst: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    dtstart: dt.date | None = None
    until: dt.date | None = None
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None


def to_data(schedule) -> dict:
    """A Schedule as a small JSON-able dict (empty fields left out)."""
    data: dict = {}
    for name in _TEXTS:
        value = getattr(schedule, name) or ""
        if value and not (name == "freq" and value == "WEEKLY"):
            data[name] = value
    if (schedule.interval or 1) != 1:
        data["interval"] = schedule.interval
    if schedule.count:
        data["count"] = schedule.count
    for name in _DATES + _TIMES:
        value = getattr(schedule, name)
        if value is not None:
            data[name] = value.isoformat()
    return data


def from_data(data: dict) -> ScheduleData:
    values = dict(data)
    for name in _DATES:
        if name in values:
            values[name] = dt.date.fromisoformat(values[name])
    for name in _TIMES:
        if name in values:
            values[name] = dt.time.fromisoformat(values[name])
    return ScheduleData(**values)


def day_names() -> dict[str, str]:
    return {
        "MO": _("Monday"),
        "TU": _("Tuesday"),
        "WE": _("Wednesday"),
        "TH": _("Thursday"),
        "FR": _("Friday"),
        "SA": _("Saturday"),
        "SU": _("Sunday"),
    }


def describe(schedule) -> str:
    """The schedule in words, e.g. "Monday, Wednesday: 09:00–17:00"."""
    if schedule.description and schedule.opens_at is None:
        return schedule.description
    names = day_names()
    freq = (schedule.freq or "WEEKLY").upper()
    days = [t.strip().upper() for t in (schedule.byday or "").split(",") if t.strip()]
    plain = [d for d in days if d in names]
    if freq == "DAILY" and not days:
        when = _("Every day")
    elif plain and len(plain) == len(days):
        when = ", ".join(names[d] for d in sorted(plain, key=DAY_ORDER.index))
        if (schedule.interval or 1) == 2:
            when = _("Every other week: %(days)s") % {"days": when}
        elif (schedule.interval or 1) > 2:
            when = _("Every %(n)s weeks: %(days)s") % {"n": schedule.interval, "days": when}
        if freq == "MONTHLY":
            when = _("Monthly: %(days)s") % {"days": when}
    elif freq == "MONTHLY" and days:
        parts = []
        for token in days:
            n, code = token[:-2], token[-2:]
            label = _("last") if n == "-1" else _("week %(n)s") % {"n": n}
            parts.append(f"{names.get(code, code)} ({label})")
        when = _("Monthly: %(days)s") % {"days": ", ".join(parts)}
    else:
        when = schedule.description or ""
    hours = ""
    if schedule.opens_at is not None:
        closes = schedule.closes_at.strftime("%H:%M") if schedule.closes_at else "24:00"
        hours = f"{schedule.opens_at:%H:%M}–{closes}"
    text = ": ".join(p for p in (when, hours) if p)
    if schedule.description and schedule.opens_at is not None:
        text = f"{text} ({schedule.description})"
    return text
