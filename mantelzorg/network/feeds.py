"""A member's personal calendar feed (RFC 5545): the network's appointments and the tasks they
claimed, at ``/netwerk/agenda/<token>.ics`` for any calendar app to subscribe to.

The token in the address is the only key (calendar apps send no cookies), so it is a secret:
unguessable (``services.feed_token_renew``), revoked or renewed by the member, gone when the
membership ends, and redacted from the access log (``config/access_log.py``).

What the feed holds: titles, times and places; the notes only when the coordinator switched
``Network.feed_notes`` on; never anything medical (there is nothing medical in the agenda).

How items map onto iCalendar (decided with the lead):

- one appointment is one VEVENT, UID ``appointment.uid``; a cancelled one has STATUS:CANCELLED;
- a series is one master VEVENT with its RRULE and ``DTSTART;TZID=Europe/Amsterdam`` (one
  VTIMEZONE with the zone's changes to and from summer time, built from tzdata by icalendar);
  a *removed* occurrence is an EXDATE on the master; a *changed* occurrence a VEVENT with the
  same UID and a RECURRENCE-ID (the start the series gives it); a *cancelled* one the same with
  STATUS:CANCELLED. An override is a whole component (RFC 5545 §3.8.4.4), so it repeats the
  texts of the series where the change keeps them;
- all-day items use VALUE=DATE (end exclusive, as stored);
- a task the member claimed (claimed or done, not cancelled) is a VEVENT "Task: <title>", UID
  ``task.uid``. VEVENT, not VTODO: Google Calendar and Outlook show no VTODO from a subscribed
  feed, and a claimed task is a commitment at a time, which is what an event is.

DTSTAMP is the item's ``updated_at`` in UTC, not the time of the request: a client that fetches
the feed every hour then sees unchanged items as unchanged. SEQUENCE is the item's ``sequence``;
an override's is the series' plus its own, so it rises when either changes (an override repeats
the series' texts, so an edit of the series changes the override too).

Queries: ``feed_rows`` makes three (appointments, their changes, the claimed tasks) whatever the
number of items; ``feed_bytes`` makes none. Feeds are built on every request and never cached: a
cached feed would keep an erased or removed member's items in memory, and building one for the
benchmark network (2,204 occurrences, 20 members) takes 25–47 ms, within the 100 ms target.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, override
from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

from mantelzorg.core import audit

from .models import Appointment, Membership, OccurrenceChange, Task
from .recurrence import TZ, local, make_aware
from .selectors import _subject, membership_by_feed_token

PURPOSE = "calendar feed"
PRODID = "-//C3 Zorgnetwerk//Mantelzorg agenda//NL"
ALARM_MAX = 7 * 24 * 60  # minutes: an alarm at most a week before
PAST = dt.timedelta(days=365)  # single items and tasks that ended longer ago stay out of the feed


def feed_for_token(request, token: str) -> Membership | None:
    """The active membership whose feed ``token`` opens, its read audited (the actor is the
    token's user: a calendar app signs in with the address, not a session); ``None`` for an
    unknown, revoked or renewed token, or an ended membership (the caller answers 404)."""
    membership = membership_by_feed_token(token)
    if membership is None:
        return None
    audit.log(
        request=request,
        actor=membership.user,
        action="network.feed.read",
        obj=membership,
        subject=_subject(membership.network),
        role=membership.role,
        purpose=PURPOSE,
    )
    return membership


def feed_rows(membership: Membership, *, now: dt.datetime | None = None):
    """The rows of a member's feed: the network's appointments (with their changes) and the tasks
    the member claimed; three queries, whatever the number of items."""
    cutoff = (now or timezone.now()) - PAST
    appointments = list(
        Appointment.objects.filter(network_id=membership.network_id)
        .filter(~Q(rrule="") | Q(ends_at__gte=cutoff))
        .prefetch_related("changes")
        .order_by("starts_at", "pk")
    )
    tasks = list(
        Task.objects.filter(
            network_id=membership.network_id,
            claimed_by=membership,
            status__in=[Task.Status.CLAIMED, Task.Status.DONE],
            ends_at__gte=cutoff,
        ).order_by("starts_at", "pk")
    )
    return appointments, tasks


def feed(membership: Membership, *, alarm: int | None = None, language: str = "nl") -> bytes:
    """A member's feed: its rows read (three queries) and the bytes built."""
    appointments, tasks = feed_rows(membership)
    return feed_bytes(membership, appointments, tasks, alarm=alarm, language=language)


def feed_bytes(
    membership: Membership,
    appointments: Iterable[Appointment],
    tasks: Iterable[Task],
    *,
    alarm: int | None = None,
    language: str = "nl",
) -> bytes:
    """The iCalendar text of a member's feed from prefetched rows (no queries): ``alarm``
    minutes before each event a reminder (VALARM), none when ``None``."""
    network = membership.network
    with override(language):
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", gettext("Care for %(name)s") % {"name": network.recipient_name})
        # Hints for how often to fetch again (RFC 7986 and the older Apple/Outlook name).
        cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
        events: list[Event] = []
        timed = False  # any item with a TZID: then the VTIMEZONE
        for appointment in appointments:
            events.extend(_appointment_events(appointment, notes=network.feed_notes))
            timed = timed or not appointment.all_day
        task_title = gettext("Task: %(title)s")
        for task in tasks:
            events.append(_task_event(task, task_title % {"title": task.title}, notes=network.feed_notes))
            timed = timed or not task.all_day
        if alarm is not None:
            reminder = gettext("Reminder")
            for event in events:
                if event.get("status") != "CANCELLED":
                    event.add_component(_alarm(alarm, str(event.get("summary", reminder))))
        if timed:
            cal.add_component(amsterdam())
        for event in events:
            cal.add_component(event)
    return cal.to_ical()


@functools.cache
def amsterdam() -> Timezone:
    """The VTIMEZONE of Europe/Amsterdam as rules (RRULE), as Google Calendar writes it: summer
    time from the last Sunday of March 02:00 to the last Sunday of October 03:00 (EU rules since
    1996). Not ``Timezone.from_tzid``: that lists every change as RDATE up to a last date, and
    Outlook ignores a VTIMEZONE with RDATEs (it then shifts summer occurrences of a series by an
    hour). ``tests/test_feed.py`` checks every change from 1996 to 2060 against tzdata."""
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", dt.timedelta(hours=1))
    daylight.add("tzoffsetto", dt.timedelta(hours=2))
    daylight.add("dtstart", dt.datetime(1970, 3, 29, 2))
    daylight.add("rrule", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", dt.timedelta(hours=2))
    standard.add("tzoffsetto", dt.timedelta(hours=1))
    standard.add("dtstart", dt.datetime(1970, 10, 25, 3))
    standard.add("rrule", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    tz = Timezone()
    tz.add("tzid", str(TZ.key))
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def _when(value: dt.datetime, all_day: bool) -> dt.datetime | dt.date:
    """A stored time as the feed writes it: a local date (all day) or a local time with TZID."""
    return local(value).date() if all_day else local(value)


def _stamp(*values: dt.datetime) -> dt.datetime:
    return max(values).astimezone(dt.UTC)


def _rrule(value: str, all_day: bool) -> vRecur:
    """The stored RRULE value, with UNTIL in the form RFC 5545 asks for the kind of DTSTART: a
    date for an all-day series, UTC for a series with a TZID. The instant stays the one the
    agenda uses (``recurrence.starts``: a local UNTIL is local wall-clock time, a date its
    midnight), so the feed and the agenda end a series on the same occurrence."""
    rule = vRecur.from_ical(value)
    until = rule.get("UNTIL")
    if until:
        end = until[0]
        if all_day and isinstance(end, dt.datetime):
            rule["UNTIL"] = [local(end).date() if end.tzinfo else end.date()]
        elif not all_day and not isinstance(end, dt.datetime):
            rule["UNTIL"] = [make_aware(dt.datetime.combine(end, dt.time())).astimezone(dt.UTC)]
        elif not all_day and end.tzinfo is None:
            rule["UNTIL"] = [make_aware(end).astimezone(dt.UTC)]
    return rule


def _event(uid: str, *, summary: str, start, end, place: str, note: str, notes: bool) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    if place:
        event.add("location", place)
    if notes and note:
        event.add("description", note)
    return event


def _appointment_events(appointment: Appointment, *, notes: bool) -> list[Event]:
    all_day = appointment.all_day
    length = appointment.ends_at - appointment.starts_at
    cancelled_series = appointment.status == Appointment.Status.CANCELLED
    master = _event(
        appointment.uid,
        summary=appointment.title,
        start=_when(appointment.starts_at, all_day),
        end=_when(appointment.ends_at, all_day),
        place=appointment.place,
        note=appointment.note,
        notes=notes,
    )
    master.add("dtstamp", _stamp(appointment.updated_at))
    master.add("sequence", appointment.sequence)
    master.add("status", "CANCELLED" if cancelled_series else "CONFIRMED")
    result = [master]
    if not appointment.rrule:
        return result
    master.add("rrule", _rrule(appointment.rrule, all_day))
    changes: list[OccurrenceChange] = list(appointment.changes.all())
    removed = [_when(c.original_start, all_day) for c in changes if c.state == OccurrenceChange.State.REMOVED]
    if removed:
        master.add("exdate", removed)
    for change in changes:
        if change.state == OccurrenceChange.State.REMOVED:
            continue
        start = change.starts_at or change.original_start
        end = change.ends_at or start + length
        cancelled = cancelled_series or change.state == OccurrenceChange.State.CANCELLED
        instance = _event(
            appointment.uid,
            summary=change.title or appointment.title,
            start=_when(start, all_day),
            end=_when(end, all_day),
            place=change.place or appointment.place,
            note=change.note or appointment.note,
            notes=notes,
        )
        instance.add("recurrence-id", _when(change.original_start, all_day))
        instance.add("dtstamp", _stamp(appointment.updated_at, change.updated_at))
        instance.add("sequence", appointment.sequence + change.sequence)
        instance.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        result.append(instance)
    return result


def _task_event(task: Task, summary: str, *, notes: bool) -> Event:
    event = _event(
        task.uid,
        summary=summary,
        start=_when(task.starts_at, task.all_day),
        end=_when(task.ends_at, task.all_day),
        place="",
        note=task.note,
        notes=notes,
    )
    event.add("dtstamp", _stamp(task.updated_at))
    event.add("sequence", task.sequence)
    event.add("status", "CONFIRMED")
    return event


def _alarm(minutes: int, description: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -dt.timedelta(minutes=minutes))
    alarm.add("description", description)
    return alarm


def parse_alarm(value: str | None) -> int | None:
    """``?alarm=N``: minutes before (0 to a week); ``None`` when absent or empty.

    Raises ``ValueError`` for anything else: the view answers 400, so a typo in a subscribed
    address shows at once rather than a feed that silently has no reminders."""
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or int(value) > ALARM_MAX:
        raise ValueError(value)
    return int(value)
