"""The personal calendar feed (``feeds.py``, ``/netwerk/agenda/<token>.ics``): valid RFC 5545 as
read by two independent parsers, the same occurrences as the agenda, only this member's tasks, no
notes unless the network allows them, and a revoked token answers 404 at once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import recurring_ical_events
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from conftest import login
from mantelzorg.core.models import LogEntry
from mantelzorg.network import feeds
from mantelzorg.network.models import Appointment, Membership, Network, OccurrenceChange, Role, Task
from mantelzorg.network.recurrence import TZ, occurrences

pytestmark = pytest.mark.django_db

TITLE = "Fysiotherapie bij Zoë in Café ’t Hoekje — even naar de ‘Ruïne’ 🚗🏥 ëïéèç"
TOKEN = "t0k3n-Abcdefghijklmnopqrstuvwxyz0123456789_-"


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def net(cast):
    network = Network.objects.create(recipient_name="Mien")
    me = Membership.objects.create(
        network=network, user=cast.caregiver, role=Role.COORDINATOR, relation="child", feed_token=TOKEN
    )
    other = Membership.objects.create(
        network=network,
        user=cast.network_member,
        role=Role.MEMBER,
        relation="neighbour",
        feed_token="other-token",
    )
    return network, me, other


def appointment(network, start, minutes=60, **fields) -> Appointment:
    fields.setdefault("title", "Huisarts")
    return Appointment.objects.create(
        network=network, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), **fields
    )


def all_day(network, first: dt.date, days=1, **fields) -> Appointment:
    fields.setdefault("title", "Logeerweekend")
    start = dt.datetime.combine(first, dt.time(), tzinfo=TZ)
    end = dt.datetime.combine(first + dt.timedelta(days=days), dt.time(), tzinfo=TZ)
    return Appointment.objects.create(network=network, starts_at=start, ends_at=end, all_day=True, **fields)


def task(network, start, claimed_by=None, status=Task.Status.CLAIMED, **fields) -> Task:
    fields.setdefault("title", "Boodschappen")
    return Task.objects.create(
        network=network,
        kind="shopping",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        status=status,
        claimed_by=claimed_by,
        claimed_at=timezone.now() if claimed_by else None,
        **fields,
    )


def fetch(client, token=TOKEN, **params):
    return client.get(reverse("network:feed_ics", kwargs={"token": token}), params)


def check(body: bytes) -> Calendar:
    """Fail unless ``body`` is well-formed iCalendar for both parsers; return icalendar's reading."""
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    assert not any(b"\n" in line or b"\r" in line for line in lines), "a line end that is not CRLF"
    for line in lines:
        assert len(line) <= 75, (len(line), line)
        assert line.startswith(b" ") or re.match(rb"[A-Z][A-Z0-9-]*[;:]", line), line  # folded or a property
        line.decode("utf-8")  # folding never splits a UTF-8 sequence
    cal = Calendar.from_ical(body)
    IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))  # the independent parser
    for name in ("PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME"):
        assert name in cal, name
    for component in cal.walk("VEVENT"):
        assert component.get("UID") and component.get("DTSTAMP"), component
        assert component.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
    used = set(re.findall(rb"TZID=([^:;]+)", body))
    declared = [str(tz["TZID"]).encode() for tz in cal.walk("VTIMEZONE")]
    assert sorted(declared) == sorted(used), (declared, used)  # exactly one VTIMEZONE per TZID used
    return cal


def events(cal, uid=None):
    return [e for e in cal.walk("VEVENT") if uid is None or str(e["UID"]) == uid]


# --- Format --------------------------------------------------------------------------------


def test_a_feed_with_every_kind_of_item_is_valid_for_both_parsers(client, net):
    network, me, _other = net
    appointment(network, local(2027, 2, 3, 10), title=TITLE, place="Dorpsstraat 1, Ærøskøbing", note="n")
    appointment(network, local(2027, 2, 4, 10), title="Afgezegd", status=Appointment.Status.CANCELLED)
    series = appointment(network, local(2027, 1, 5, 9, 30), rrule="FREQ=WEEKLY;BYDAY=TU", title=TITLE)
    OccurrenceChange.objects.create(
        appointment=series,
        original_start=local(2027, 1, 12, 9, 30),
        starts_at=local(2027, 1, 13, 14),
        ends_at=local(2027, 1, 13, 15),
        place="Elders",
    )
    OccurrenceChange.objects.create(
        appointment=series, original_start=local(2027, 1, 19, 9, 30), state=OccurrenceChange.State.CANCELLED
    )
    OccurrenceChange.objects.create(
        appointment=series, original_start=local(2027, 1, 26, 9, 30), state=OccurrenceChange.State.REMOVED
    )
    all_day(network, dt.date(2027, 3, 6), days=2, rrule="FREQ=MONTHLY;COUNT=3")
    task(network, local(2027, 2, 1, 18), claimed_by=me, title=TITLE)
    response = fetch(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("inline; filename=")
    body = response.content
    assert re.search(rb"\r\nSUMMARY:[^\r]{60,}\r\n [^\r]", body), "the long title was folded"
    cal = check(body)
    with override("nl"):
        assert str(cal["X-WR-CALNAME"]) == gettext("Care for %(name)s") % {"name": "Mien"}
        task_title = gettext("Task: %(title)s")
    assert [str(c["METHOD"]) for c in [cal]] == ["PUBLISH"]
    summaries = {str(e["SUMMARY"]) for e in events(cal)}
    assert TITLE in summaries and task_title % {"title": TITLE} in summaries
    assert len(cal.walk("VTIMEZONE")) == 1
    tz = cal.walk("VTIMEZONE")[0]
    assert tz.walk("DAYLIGHT") and tz.walk("STANDARD")


def test_the_mapping_of_a_series_with_a_move_a_cancellation_and_a_removal(client, net):
    network, _me, _other = net
    series = appointment(network, local(2027, 1, 5, 9, 30), rrule="FREQ=WEEKLY;BYDAY=TU", sequence=2)
    moved = OccurrenceChange.objects.create(
        appointment=series,
        original_start=local(2027, 1, 12, 9, 30),
        starts_at=local(2027, 1, 13, 14),
        ends_at=local(2027, 1, 13, 15),
        sequence=1,
    )
    OccurrenceChange.objects.create(
        appointment=series, original_start=local(2027, 1, 19, 9, 30), state=OccurrenceChange.State.CANCELLED
    )
    OccurrenceChange.objects.create(
        appointment=series, original_start=local(2027, 1, 26, 9, 30), state=OccurrenceChange.State.REMOVED
    )
    body = fetch(client).content
    cal = check(body)
    master, *instances = sorted(events(cal, series.uid), key=lambda e: "RECURRENCE-ID" in e)
    assert b"DTSTART;TZID=Europe/Amsterdam:20270105T093000" in body
    assert b"RRULE:FREQ=WEEKLY;BYDAY=TU" in body
    assert b"EXDATE;TZID=Europe/Amsterdam:20270126T093000" in body
    assert master["STATUS"] == "CONFIRMED" and master["SEQUENCE"] == 2
    by_id = {e.decoded("RECURRENCE-ID"): e for e in instances}
    assert set(by_id) == {moved.original_start, local(2027, 1, 19, 9, 30)}
    assert by_id[moved.original_start].decoded("DTSTART") == local(2027, 1, 13, 14)
    assert by_id[moved.original_start]["STATUS"] == "CONFIRMED"
    assert by_id[moved.original_start]["SEQUENCE"] == 3  # the series' plus its own
    assert by_id[local(2027, 1, 19, 9, 30)]["STATUS"] == "CANCELLED"


def test_all_day_items_use_dates_with_an_exclusive_end(client, net):
    network, _me, _other = net
    weekend = all_day(network, dt.date(2027, 3, 27), days=2)  # over the change to summer time
    series = all_day(network, dt.date(2027, 1, 2), rrule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20270227")
    OccurrenceChange.objects.create(
        appointment=series,
        original_start=dt.datetime(2027, 1, 9, tzinfo=TZ),
        state=OccurrenceChange.State.REMOVED,
    )
    body = fetch(client).content
    cal = check(body)
    (event,) = events(cal, weekend.uid)
    assert event.decoded("DTSTART") == dt.date(2027, 3, 27)
    assert event.decoded("DTEND") == dt.date(2027, 3, 29)
    assert b"EXDATE;VALUE=DATE:20270109" in body
    assert b"UNTIL=20270227;" in body or b"UNTIL=20270227\r\n" in body
    assert not cal.walk("VTIMEZONE"), "no TZID used, so no VTIMEZONE"


def test_a_cancelled_single_item_and_a_cancelled_series(client, net):
    network, _me, _other = net
    once = appointment(network, local(2027, 2, 4, 10), status=Appointment.Status.CANCELLED)
    series = appointment(
        network, local(2027, 1, 4, 10), rrule="FREQ=DAILY;COUNT=5", status=Appointment.Status.CANCELLED
    )
    cal = check(fetch(client).content)
    assert [e["STATUS"] for e in events(cal, once.uid)] == ["CANCELLED"]
    assert [e["STATUS"] for e in events(cal, series.uid)] == ["CANCELLED"]


def test_a_floating_until_of_a_timed_series_is_written_in_utc(client, net):
    network, _me, _other = net
    appointment(network, local(2027, 6, 1, 10), rrule="FREQ=DAILY;UNTIL=20270605T100000")
    body = fetch(client).content
    check(body)
    assert b"UNTIL=20270605T080000Z" in body  # 10:00 summer time


# --- What the feed holds ---------------------------------------------------------------------


def test_notes_only_when_the_network_allows_them(client, net):
    network, me, _other = net
    appointment(network, local(2027, 2, 3, 10), note="Pasje meenemen")
    task(network, local(2027, 2, 1, 18), claimed_by=me, note="Lijstje op de koelkast")
    body = fetch(client).content
    assert b"DESCRIPTION" not in body.replace(b"\r\n ", b"").split(b"BEGIN:VALARM")[0]
    assert b"Pasje" not in body and b"koelkast" not in body
    network.feed_notes = True
    network.save()
    body = fetch(client).content.replace(b"\r\n ", b"")
    check(fetch(client).content)
    assert b"DESCRIPTION:Pasje meenemen" in body and b"DESCRIPTION:Lijstje op de koelkast" in body


def test_only_the_tasks_this_member_claimed_and_not_cancelled(client, net):
    network, me, other = net
    mine = task(network, local(2027, 2, 1, 18), claimed_by=me, title="Mijn taak")
    done = task(network, local(2027, 2, 2, 18), claimed_by=me, status=Task.Status.DONE, title="Gedaan")
    task(network, local(2027, 2, 3, 18), claimed_by=other, title="Van een ander")
    task(network, local(2027, 2, 4, 18), title="Nog open", status=Task.Status.OPEN)
    cancelled = task(network, local(2027, 2, 5, 18), claimed_by=me, title="Vervallen")
    Task.objects.filter(pk=cancelled.pk).update(status=Task.Status.CANCELLED)
    cal = check(fetch(client).content)
    assert {str(e["UID"]) for e in events(cal)} == {mine.uid, done.uid}
    with override("nl"):
        title = gettext("Task: %(title)s")
    assert {str(e["SUMMARY"]) for e in events(cal)} == {title % {"title": t} for t in ("Mijn taak", "Gedaan")}
    other_cal = check(fetch(client, "other-token").content)
    assert {str(e["SUMMARY"]) for e in events(other_cal)} == {title % {"title": "Van een ander"}}


def test_another_networks_items_are_not_in_the_feed(client, net):
    network, _me, _other = net
    elsewhere = Network.objects.create(recipient_name="Kees")
    appointment(elsewhere, local(2027, 2, 3, 10), title="Van Kees")
    appointment(network, local(2027, 2, 3, 10), title="Van Mien")
    cal = check(fetch(client).content)
    assert [str(e["SUMMARY"]) for e in events(cal)] == ["Van Mien"]


def test_items_that_ended_over_a_year_ago_are_left_out_but_series_stay(client, net):
    network, _me, _other = net
    now = timezone.now()
    appointment(network, now - dt.timedelta(days=400), title="Lang geleden")
    appointment(network, now - dt.timedelta(days=300), title="Vorig jaar")
    appointment(network, now - dt.timedelta(days=800), title="Serie", rrule="FREQ=WEEKLY")
    cal = check(fetch(client).content)
    assert {str(e["SUMMARY"]) for e in events(cal)} == {"Vorig jaar", "Serie"}


def test_an_empty_feed_is_valid(client, net):
    cal = check(fetch(client).content)
    assert events(cal) == [] and not cal.walk("VTIMEZONE")


# --- Stable between fetches, raised on change -----------------------------------------------


def test_dtstamp_is_stable_and_sequence_rises_after_an_edit(client, net):
    network, _me, _other = net
    item = appointment(network, local(2027, 2, 3, 10), updated_at=local(2026, 11, 1, 12))
    first = fetch(client).content
    assert fetch(client).content == first, "the same feed twice: nothing looks changed to a client"
    (event,) = events(check(first), item.uid)
    assert event.decoded("DTSTAMP") == local(2026, 11, 1, 12)
    assert event["SEQUENCE"] == 0
    Appointment.objects.filter(pk=item.pk).update(
        title="Huisarts (verzet)", sequence=1, updated_at=local(2026, 11, 2, 9)
    )
    (event,) = events(check(fetch(client).content), item.uid)
    assert event["SEQUENCE"] == 1 and event.decoded("DTSTAMP") == local(2026, 11, 2, 9)


# --- Alarm -------------------------------------------------------------------------------------


def test_an_alarm_on_every_event_that_is_not_cancelled(client, net):
    network, me, _other = net
    appointment(network, local(2027, 2, 3, 10))
    appointment(network, local(2027, 2, 4, 10), status=Appointment.Status.CANCELLED)
    task(network, local(2027, 2, 1, 18), claimed_by=me)
    assert b"VALARM" not in fetch(client).content
    cal = check(fetch(client, alarm="30").content)
    for event in events(cal):
        alarms = event.walk("VALARM")
        if event["STATUS"] == "CANCELLED":
            assert alarms == []
        else:
            (alarm,) = alarms
            assert alarm["ACTION"] == "DISPLAY" and alarm.decoded("TRIGGER") == -dt.timedelta(minutes=30)
            assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])
    cal = check(fetch(client, alarm="1440").content)
    assert events(cal)[0].walk("VALARM")[0].decoded("TRIGGER") == -dt.timedelta(days=1)


@pytest.mark.parametrize("value", ["-5", "abc", "10081", "1e3", "٣٠", " 30"])
def test_a_wrong_alarm_is_a_400_with_a_short_message(client, net, value):
    response = fetch(client, alarm=value)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"10080" in response.content


@pytest.mark.parametrize("value", ["0", "10080", ""])
def test_alarm_limits(client, net, value):
    assert fetch(client, alarm=value).status_code == 200


# --- The token ---------------------------------------------------------------------------------


def test_a_revoked_or_renewed_token_is_404_at_once(client, cast, net):
    network, me, _other = net
    assert fetch(client).status_code == 200
    login(client, cast.caregiver)
    page = reverse("network:feed", kwargs={"network_id": network.pk})
    client.post(reverse("network:feed_renew", kwargs={"network_id": network.pk}))
    new = Membership.objects.get(pk=me.pk).feed_token
    assert new and new != TOKEN and len(new) >= 40
    client.logout()
    assert fetch(client).status_code == 404
    assert fetch(client, new).status_code == 200
    login(client, cast.caregiver)
    assert new in client.get(page).content.decode()
    client.post(reverse("network:feed_revoke", kwargs={"network_id": network.pk}))
    assert Membership.objects.get(pk=me.pk).feed_token is None
    client.logout()
    assert fetch(client, new).status_code == 404


def test_an_ended_membership_or_unknown_token_is_404(client, net):
    network, me, other = net
    Membership.objects.filter(pk=other.pk).update(ended_at=timezone.now())  # the token kept, still 404
    assert fetch(client, "other-token").status_code == 404
    assert fetch(client, "no-such-token").status_code == 404
    assert client.get("/netwerk/agenda/.ics").status_code == 404


def test_each_read_is_audited_with_the_tokens_user(client, cast, net):
    network, me, _other = net
    fetch(client)
    (row,) = LogEntry.objects.filter(action="network.feed.read")
    assert row.actor_id == str(cast.caregiver.pk) and row.purpose == "calendar feed"
    assert row.subject_id == f"network:{network.pk}" and row.actor_role == Role.COORDINATOR
    fetch(client, "no-such-token")
    assert LogEntry.objects.filter(action="network.feed.read").count() == 1


# --- Queries -------------------------------------------------------------------------------------


def _series(network, count):
    base = local(2026, 1, 5, 9)
    for i in range(count):
        series = appointment(network, base + dt.timedelta(hours=i % 8), rrule="FREQ=WEEKLY", title=f"S{i}")
        OccurrenceChange.objects.create(
            appointment=series,
            original_start=series.starts_at + dt.timedelta(weeks=2),
            state=OccurrenceChange.State.REMOVED,
        )
        OccurrenceChange.objects.create(
            appointment=series,
            original_start=series.starts_at + dt.timedelta(weeks=3),
            starts_at=series.starts_at + dt.timedelta(weeks=3, hours=1),
        )


@pytest.mark.parametrize("count", [1, 10, 100])
def test_a_fixed_number_of_queries_whatever_the_number_of_series(net, count, django_assert_max_num_queries):
    network, me, _other = net
    _series(network, count)
    for i in range(count):
        task(network, local(2027, 1, 1, 9) + dt.timedelta(days=i), claimed_by=me)
    with django_assert_max_num_queries(3):
        appointments, tasks = feeds.feed_rows(me)
        body = feeds.feed_bytes(me, appointments, tasks, alarm=30)
    cal = check(body)
    assert len(events(cal)) == 2 * count + count


@pytest.mark.parametrize("count", [1, 100])
def test_the_view_makes_a_fixed_number_of_queries(client, net, count, django_assert_num_queries):
    network, _me, _other = net
    _series(network, count)
    # the membership, the audit row, appointments, their changes, the tasks
    with django_assert_num_queries(5):
        assert fetch(client).status_code == 200


# --- The same occurrences as the agenda ---------------------------------------------------------


def _dates(start, end, all_day):
    return (start.astimezone(TZ).date(), end.astimezone(TZ).date()) if all_day else (start, end)


def test_the_feed_gives_the_same_occurrences_as_the_agenda(client, net):
    network, me, _other = net
    weekly = appointment(network, local(2027, 1, 4, 10), rrule="FREQ=WEEKLY;BYDAY=MO,TH", title="Weekly")
    OccurrenceChange.objects.create(  # moved to another day and time, and back across a week
        appointment=weekly,
        original_start=local(2027, 1, 11, 10),
        starts_at=local(2027, 1, 9, 16),
        ends_at=local(2027, 1, 9, 17, 30),
        title="Weekly (moved)",
    )
    OccurrenceChange.objects.create(
        appointment=weekly, original_start=local(2027, 1, 14, 10), state=OccurrenceChange.State.CANCELLED
    )
    daily = appointment(
        network,
        local(2027, 3, 20, 8, 15),
        minutes=30,
        rrule="FREQ=DAILY;UNTIL=20270410T061500Z",
        title="Daily",
    )  # over the change to summer time on 28 March: stays 08:15 local
    OccurrenceChange.objects.create(
        appointment=daily, original_start=local(2027, 3, 28, 8, 15), state=OccurrenceChange.State.REMOVED
    )
    OccurrenceChange.objects.create(
        appointment=daily, original_start=local(2027, 3, 30, 8, 15), state=OccurrenceChange.State.REMOVED
    )
    appointment(network, local(2027, 1, 31, 19), rrule="FREQ=MONTHLY;BYMONTHDAY=31", title="On the 31st")
    all_day(network, dt.date(2027, 10, 29), days=3, rrule="FREQ=WEEKLY;COUNT=4", title="All-day series")
    appointment(  # over the change back to winter time on 31 October
        network, local(2027, 10, 20, 2, 30), rrule="FREQ=WEEKLY;COUNT=3", title="Night"
    )
    appointment(network, local(2027, 3, 28, 2, 30), rrule="FREQ=YEARLY;COUNT=2", title="In the gap")
    appointment(network, local(2027, 5, 5, 12), title="Once")
    # UNTIL in the "wrong" form for its DTSTART: the feed writes the right form, same last occurrence
    appointment(network, local(2027, 2, 1, 9), rrule="FREQ=DAILY;UNTIL=20270205", title="Until a date")
    appointment(network, local(2027, 2, 1, 9), rrule="FREQ=DAILY;UNTIL=20270205T090000", title="Until local")
    all_day(
        network, dt.date(2027, 2, 1), rrule="FREQ=DAILY;UNTIL=20270204T230000Z", title="All-day until UTC"
    )
    all_day(
        network, dt.date(2027, 2, 1), rrule="FREQ=DAILY;UNTIL=20270205T120000", title="All-day until local"
    )
    appointment(network, local(2027, 5, 6, 12), title="Once, cancelled", status=Appointment.Status.CANCELLED)
    all_day(network, dt.date(2027, 6, 1), title="One day")
    task(network, local(2027, 5, 7, 12), claimed_by=me)
    start, end = local(2027, 1, 1), local(2028, 1, 1)

    expected = {
        (o.title, *_dates(o.starts_at, o.ends_at, o.all_day), o.cancelled)
        for o in occurrences(Appointment.objects.prefetch_related("changes"), start, end)
    }
    cal = check(fetch(client).content)
    found = set()
    for event in recurring_ical_events.of(cal).between(start, end):
        if str(event["UID"]).startswith("task-"):
            continue
        first, last = event.decoded("DTSTART"), event.decoded("DTEND")
        if not isinstance(first, dt.datetime):
            first = dt.datetime.combine(first, dt.time(), tzinfo=TZ)
            last = dt.datetime.combine(last, dt.time(), tzinfo=TZ)
        span = _dates(first, last, not isinstance(event.decoded("DTSTART"), dt.datetime))
        found.add((str(event["SUMMARY"]), *span, event.get("STATUS") == "CANCELLED"))
    assert found == expected
    # and the independent ical package's own expansion
    stream = IcsCalendarStream.calendar_from_ics(fetch(client).content.decode())
    found_ical = set()
    for event in stream.timeline_tz(TZ).overlapping(start, end):
        if event.uid.startswith("task-"):
            continue
        first, last = event.dtstart, event.dtend
        if not isinstance(first, dt.datetime):
            first = dt.datetime.combine(first, dt.time(), tzinfo=TZ)
            last = dt.datetime.combine(last, dt.time(), tzinfo=TZ)
        span = _dates(first, last, not isinstance(event.dtstart, dt.datetime))
        found_ical.add((event.summary, *span, getattr(event.status, "value", event.status) == "CANCELLED"))
    assert found_ical == expected, sorted(found_ical ^ expected, key=str)[:6]
    assert len(expected) > 100
    assert ("Weekly (moved)", local(2027, 1, 9, 16), local(2027, 1, 9, 17, 30), False) in found
    assert ("Weekly", local(2027, 1, 14, 10), local(2027, 1, 14, 11), True) in found
    assert ("Daily", local(2027, 3, 29, 8, 15), local(2027, 3, 29, 8, 45), False) in found


# --- The subscribe page --------------------------------------------------------------------------


def test_the_page_shows_the_link_webcal_and_reminder_choice(client, cast, net):
    network, _me, _other = net
    login(client, cast.caregiver)
    url = reverse("network:feed", kwargs={"network_id": network.pk})
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert f"http://testserver/netwerk/agenda/{TOKEN}.ics" in html
    assert f'href="webcal://testserver/netwerk/agenda/{TOKEN}.ics"' in html
    assert "readonly" in html and 'for="feed-url"' in html
    html = client.get(url, {"alarm": "60"}).content.decode()
    assert f"/netwerk/agenda/{TOKEN}.ics?alarm=60" in html
    assert 'value="60" checked' in html
    html = client.get(url, {"alarm": "999"}).content.decode()  # not a choice: no reminder
    assert f"/netwerk/agenda/{TOKEN}.ics?" not in html


def test_without_a_link_the_page_offers_to_make_one(client, cast, net):
    network, me, _other = net
    Membership.objects.filter(pk=me.pk).update(feed_token=None)
    login(client, cast.caregiver)
    url = reverse("network:feed", kwargs={"network_id": network.pk})
    html = client.get(url).content.decode()
    assert "/netwerk/agenda/" not in html
    assert reverse("network:feed_renew", kwargs={"network_id": network.pk}) in html
    response = client.post(reverse("network:feed_renew", kwargs={"network_id": network.pk}))
    assert response.status_code == 302
    token = Membership.objects.get(pk=me.pk).feed_token
    assert token and token in client.get(url).content.decode()
    assert LogEntry.objects.filter(action="network.feed.renewed").count() == 1


@pytest.mark.parametrize("who", ["other_caregiver", "anonymous"])
def test_outsiders_do_not_reach_the_page(client, cast, net, who):
    network, _me, _other = net
    login(client, getattr(cast, who))
    for name in ("feed", "feed_renew", "feed_revoke"):
        url = reverse(f"network:{name}", kwargs={"network_id": network.pk})
        response = client.post(url) if name != "feed" else client.get(url)
        assert response.status_code in (404, 302), (name, response.status_code)
        if who != "anonymous":
            assert response.status_code == 404
    assert Membership.objects.get(feed_token=TOKEN)


def test_recurrence_all_day_end_across_dst(net):
    """Not the feed's: an all-day series whose first occurrence spans the change to winter time
    (73 real hours) ends each later occurrence at 01:00 instead of midnight in the agenda. The
    feed writes dates (DTEND;VALUE=DATE), so calendar apps show it right."""
    network, _me, _other = net
    all_day(network, dt.date(2027, 10, 29), days=3, rrule="FREQ=WEEKLY;COUNT=2")
    found = occurrences(
        Appointment.objects.prefetch_related("changes"), local(2027, 10, 1), local(2027, 12, 1)
    )
    assert [o.ends_at for o in found] == [local(2027, 11, 1), local(2027, 11, 8)]


def test_the_vtimezone_rules_give_the_same_offsets_as_tzdata():
    """Calendar apps that know the TZID (and our parsers) ignore the VTIMEZONE; Outlook reads it.
    So its rules are compared with tzdata here, hour by hour over every change from 1996 to 2060."""
    from zoneinfo import ZoneInfo

    written = Calendar.from_ical(feeds.amsterdam().to_ical()).walk("VTIMEZONE")[0]
    rules = written.to_tz(lookup_tzid=False)  # from the component's own rules, not by name
    assert not isinstance(rules, ZoneInfo)
    checked = 0
    for year in range(1996, 2061):
        for month in (1, 3, 7, 10):
            first = dt.datetime(year, month, 24, tzinfo=dt.UTC)
            for hour in range(8 * 24):
                moment = first + dt.timedelta(hours=hour)
                assert moment.astimezone(rules).utcoffset() == moment.astimezone(TZ).utcoffset(), moment
                checked += 1
    assert checked == 65 * 4 * 8 * 24
