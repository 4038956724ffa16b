"""Recurrence (``recurrence.py``): wall-clock repetition across the change of clock, monthly on
the 31st, single occurrences changed, cancelled or removed, "this and following", UNTIL and COUNT,
all-day series, the RRULE form helpers; and every expansion equal to ``recurring-ical-events``
over the same VEVENT."""

from __future__ import annotations

import datetime as dt
import itertools
import types

import icalendar
import pytest
import recurring_ical_events

from mantelzorg.network import recurrence
from mantelzorg.network.recurrence import TZ, Repeat, occurrences, rrule_build, rrule_parse, starts

_ids = itertools.count(1)


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def change(original, state="changed", starts_at=None, ends_at=None, title="", place="", note=""):
    return types.SimpleNamespace(
        original_start=original,
        state=state,
        starts_at=starts_at,
        ends_at=ends_at,
        title=title,
        place=place,
        note=note,
    )


def item(start, end=None, rrule="", changes=(), all_day=False, status="confirmed", title="Dagbesteding"):
    """An unsaved appointment as ``occurrences`` reads it (``changes.all()`` as if prefetched)."""
    return types.SimpleNamespace(
        pk=next(_ids),
        kind="appointment",
        title=title,
        place="",
        note="",
        starts_at=start,
        ends_at=end or start + dt.timedelta(hours=1),
        all_day=all_day,
        rrule=rrule,
        status=status,
        changes=types.SimpleNamespace(all=lambda: list(changes)),
    )


def wall(values):
    return [v.astimezone(TZ).strftime("%Y-%m-%d %H:%M%z") for v in values]


# --- The change of clock ----------------------------------------------------------------------


def test_weekly_at_ten_stays_at_ten_across_both_changes_of_clock():
    first = at(2027, 3, 14)  # Sundays: 28 March and 31 October 2027 are the changes
    got = starts("FREQ=WEEKLY", first, at(2027, 3, 1), at(2027, 4, 12))
    assert [v.astimezone(TZ).strftime("%H:%M") for v in got] == ["10:00"] * 5
    assert [v.utcoffset() for v in got] == [dt.timedelta(hours=h) for h in (1, 1, 2, 2, 2)]
    autumn = starts("FREQ=WEEKLY", first, at(2027, 10, 17), at(2027, 11, 8))
    assert wall(autumn) == ["2027-10-17 10:00+0200", "2027-10-24 10:00+0200", "2027-10-31 10:00+0100",
                            "2027-11-07 10:00+0100"]  # fmt: skip
    assert {(b - a) for a, b in itertools.pairwise(autumn)} == {dt.timedelta(days=7)}  # wall clock
    assert autumn[2].astimezone(dt.UTC) - autumn[1].astimezone(dt.UTC) == dt.timedelta(days=7, hours=1)


def test_daily_at_half_past_two_in_the_skipped_hour_moves_to_half_past_three():
    got = starts("FREQ=DAILY", at(2027, 3, 26, 2, 30), at(2027, 3, 26, 0), at(2027, 3, 30, 0))
    assert wall(got) == ["2027-03-26 02:30+0100", "2027-03-27 02:30+0100", "2027-03-28 03:30+0200",
                         "2027-03-29 02:30+0200"]  # fmt: skip
    shown = occurrences(
        [item(at(2027, 3, 26, 2, 30), rrule="FREQ=DAILY")], at(2027, 3, 28, 0), at(2027, 3, 29, 0)
    )
    assert len(shown) == 1 and shown[0].starts_at == at(2027, 3, 28, 3, 30)


def test_the_hour_that_happens_twice_is_the_first_of_the_two():
    got = starts("FREQ=DAILY;COUNT=3", at(2027, 10, 30, 2, 30), at(2027, 10, 1), at(2027, 11, 5))
    assert wall(got) == ["2027-10-30 02:30+0200", "2027-10-31 02:30+0200", "2027-11-01 02:30+0100"]


def test_a_night_across_the_change_ends_at_the_same_time_on_the_clock():
    night = item(at(2027, 10, 23, 22), at(2027, 10, 24, 8), rrule="FREQ=WEEKLY;COUNT=2")
    shown = occurrences([night], at(2027, 10, 20), at(2027, 11, 5))
    assert [o.ends_at.astimezone(TZ).strftime("%d %H:%M") for o in shown] == ["24 08:00", "31 08:00"]


def test_until_in_utc_is_an_instant():
    # 10:00 summer time on 31 October would be 09:00 UTC; after the change 10:00 is 09:00 UTC too.
    rule = "FREQ=DAILY;UNTIL=20271101T090000Z"
    got = starts(rule, at(2027, 10, 30), at(2027, 10, 1), at(2027, 12, 1))
    assert wall(got) == ["2027-10-30 10:00+0200", "2027-10-31 10:00+0100", "2027-11-01 10:00+0100"]
    assert (
        wall(starts("FREQ=DAILY;UNTIL=20271101T085959Z", at(2027, 10, 30), at(2027, 10, 1), at(2027, 12, 1)))[
            -1
        ]
        == "2027-10-31 10:00+0100"
    )


# --- Monthly on the 31st, all-day, UNTIL vs COUNT ---------------------------------------------


def test_monthly_on_the_31st_skips_months_without_a_31st():
    got = starts("FREQ=MONTHLY;COUNT=7", at(2027, 1, 31), at(2027, 1, 1), at(2029, 1, 1))
    assert [v.strftime("%Y-%m-%d") for v in got] == [
        "2027-01-31", "2027-03-31", "2027-05-31", "2027-07-31", "2027-08-31", "2027-10-31", "2027-12-31",
    ]  # fmt: skip


def test_until_and_count_give_the_same_set():
    first = at(2027, 3, 2, 9, 30)
    by_count = starts("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=12", first, at(2027, 1, 1), at(2028, 1, 1))
    last_day = by_count[-1].date()
    by_until = starts(
        rrule_build("WEEKLY", 1, ["TU", "TH"], until=last_day), first, at(2027, 1, 1), at(2028, 1, 1)
    )
    assert by_count == by_until and len(by_count) == 12
    assert wall(by_count)[9:] == ["2027-04-01 09:30+0200", "2027-04-06 09:30+0200", "2027-04-08 09:30+0200"]


def test_an_all_day_series_ends_at_midnight_and_until_is_a_date():
    first = dt.datetime(2027, 3, 27, tzinfo=TZ)
    rule = rrule_build("DAILY", until=dt.date(2027, 3, 29), all_day=True)
    assert rule == "FREQ=DAILY;UNTIL=20270329"
    shown = occurrences(
        [item(first, first + dt.timedelta(days=1), rrule=rule, all_day=True)], at(2027, 3, 1), at(2027, 5, 1)
    )
    assert [(o.starts_at.strftime("%d %H:%M"), o.ends_at.astimezone(TZ).strftime("%d %H:%M")) for o in shown] == [
        ("27 00:00", "28 00:00"), ("28 00:00", "29 00:00"), ("29 00:00", "30 00:00"),
    ]  # fmt: skip
    assert [o.last_day for o in shown] == [dt.date(2027, 3, d) for d in (27, 28, 29)]


def test_a_series_overlapping_the_window_from_before_it_is_found():
    multi = item(at(2027, 5, 3, 20), at(2027, 5, 4, 9), rrule="FREQ=WEEKLY")
    shown = occurrences([multi], at(2027, 5, 11, 0), at(2027, 5, 11, 12))
    assert [o.starts_at for o in shown] == [at(2027, 5, 10, 20)]


def test_a_rule_without_end_in_a_wide_window_stops_at_the_guard(monkeypatch):
    monkeypatch.setattr(recurrence, "MAX_OCCURRENCES", 50)
    assert len(starts("FREQ=DAILY", at(2027, 1, 1), at(2027, 1, 1), at(2100, 1, 1))) == 50


# --- Single occurrences -----------------------------------------------------------------------


def test_one_moved_one_cancelled_one_removed():
    first = at(2027, 6, 7)  # Mondays
    series = item(
        first,
        rrule="FREQ=WEEKLY;COUNT=5",
        changes=[
            change(
                at(2027, 6, 14), starts_at=at(2027, 6, 15, 14), ends_at=at(2027, 6, 15, 15), title="Later"
            ),
            change(at(2027, 6, 21), state="cancelled"),
            change(at(2027, 6, 28), state="removed"),
        ],
    )
    shown = occurrences([series], at(2027, 6, 1), at(2027, 8, 1))
    assert [(o.starts_at, o.title, o.cancelled, o.changed) for o in shown] == [
        (at(2027, 6, 7), "Dagbesteding", False, False),
        (at(2027, 6, 15, 14), "Later", False, True),
        (at(2027, 6, 21), "Dagbesteding", True, True),
        (at(2027, 7, 5), "Dagbesteding", False, False),
    ]
    assert shown[1].original_start == at(2027, 6, 14)


def test_a_moved_occurrence_comes_into_the_window_from_outside_it():
    moved = change(at(2027, 6, 14), starts_at=at(2027, 6, 22, 10), ends_at=at(2027, 6, 22, 11))
    series = item(at(2027, 6, 7), rrule="FREQ=WEEKLY;COUNT=5", changes=[moved])
    shown = occurrences([series], at(2027, 6, 22, 0), at(2027, 6, 23, 0))
    assert [o.starts_at for o in shown] == [at(2027, 6, 22)]
    # A change whose start the series no longer has (the series was changed) shows nothing.
    stale = change(at(2027, 6, 15), starts_at=at(2027, 6, 22, 10), ends_at=at(2027, 6, 22, 11))
    assert (
        occurrences(
            [item(at(2027, 6, 7), rrule="FREQ=WEEKLY", changes=[stale])], at(2027, 6, 22), at(2027, 6, 22, 9)
        )
        == []
    )


def test_this_and_following_ends_the_old_series_and_starts_a_new_one():
    first = at(2027, 3, 1, 9)  # Mondays, ten times
    split = at(2027, 3, 29, 9)  # the fifth, after the change of clock
    assert recurrence.count_before("FREQ=WEEKLY;COUNT=10", first, split) == 4
    old_rule = rrule_build("WEEKLY", until=(split - dt.timedelta(days=1)).date())
    new_rule = rrule_build("WEEKLY", count=6)
    old = item(first, rrule=old_rule)
    new = item(at(2027, 3, 29, 11), rrule=new_rule)
    together = occurrences([old, new], at(2027, 1, 1), at(2028, 1, 1))
    single = occurrences([item(first, rrule="FREQ=WEEKLY;COUNT=10")], at(2027, 1, 1), at(2028, 1, 1))
    assert len(together) == len(single) == 10
    assert [o.starts_at.date() for o in together] == [o.starts_at.date() for o in single]
    assert {o.starts_at.strftime("%H:%M") for o in together[4:]} == {"11:00"}


# --- The form helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "value"),
    [
        (("", 1, (), None, None), ""),
        (("DAILY", 1, (), None, None), "FREQ=DAILY"),
        (("WEEKLY", 2, ("TH", "MO"), None, 8), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=8"),
        (("MONTHLY", 1, (), dt.date(2027, 12, 31), None), "FREQ=MONTHLY;UNTIL=20271231T225959Z"),
        (("WEEKLY", 1, ("SU",), dt.date(2027, 7, 31), None), "FREQ=WEEKLY;BYDAY=SU;UNTIL=20270731T215959Z"),
    ],
)
def test_rrule_build_and_parse_are_each_others_inverse(fields, value):
    assert rrule_build(*fields) == value
    freq, interval, weekdays, until, count = fields
    assert rrule_parse(value) == Repeat(
        freq, interval, tuple(sorted(weekdays, key=recurrence.WEEKDAYS.index)), until, count
    )


@pytest.mark.parametrize(
    "value",
    [
        "FREQ=YEARLY",
        "FREQ=HOURLY",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;INTERVAL=53",
        "FREQ=DAILY;COUNT=3;UNTIL=20270101T000000Z",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;BYDAY=1MO",
        "FREQ=MONTHLY;BYSETPOS=-1",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;UNTIL=notadate",
        "BYDAY=MO",
    ],
)
def test_rrule_validate_refuses_what_the_agenda_does_not_make(value):
    with pytest.raises(ValueError):
        recurrence.rrule_validate(value)


def test_rrule_build_refuses_until_with_count():
    with pytest.raises(ValueError):
        rrule_build("DAILY", until=dt.date(2027, 1, 1), count=3)


# --- The same as recurring-ical-events --------------------------------------------------------

RULES = [
    ("FREQ=DAILY;COUNT=20", at(2027, 3, 20, 2, 30), 60),
    ("FREQ=DAILY;INTERVAL=3;UNTIL=20271115T230000Z", at(2027, 10, 1, 8), 45),
    ("FREQ=WEEKLY;COUNT=10", at(2027, 3, 14), 60),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", at(2027, 10, 18, 9), 30),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=15", at(2027, 2, 2, 14), 90),
    ("FREQ=WEEKLY;BYDAY=SU;UNTIL=20271231T225959Z", at(2027, 3, 21, 2, 15), 60),
    ("FREQ=WEEKLY;BYDAY=SA", at(2027, 10, 23, 22), 600),  # a night across the change
    ("FREQ=MONTHLY;COUNT=8", at(2027, 1, 31, 10), 60),
    ("FREQ=MONTHLY;INTERVAL=2", at(2027, 1, 29, 16), 120),
    ("FREQ=MONTHLY;UNTIL=20280101T000000Z", at(2027, 3, 28, 2, 30), 60),
    ("FREQ=DAILY;INTERVAL=7;COUNT=30", at(2027, 10, 31, 2, 30), 60),  # the double hour
    ("FREQ=WEEKLY;WKST=MO;BYDAY=MO,SU;INTERVAL=2", at(2027, 3, 1, 12), 60),
]


def _ical(rrule, first, minutes, exdate, override, all_day=False):
    cal = icalendar.Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "series@test")
    event.add("summary", "Series")
    event.add("dtstart", first.date() if all_day else first)
    event.add(
        "dtend", (first + dt.timedelta(days=1)).date() if all_day else first + dt.timedelta(minutes=minutes)
    )
    event.add("rrule", icalendar.vRecur.from_ical(rrule))
    if exdate is not None:
        event.add("exdate", exdate.date() if all_day else exdate)
    cal.add_component(event)
    if override is not None:
        original, new_start, new_end = override
        moved = icalendar.Event()
        moved.add("uid", "series@test")
        moved.add("summary", "Moved")
        moved.add("recurrence-id", original.date() if all_day else original)
        moved.add("dtstart", new_start)
        moved.add("dtend", new_end)
        cal.add_component(moved)
    return cal


def _as_aware(value):
    """An instant in UTC: two times in one zone compare on the wall clock in Python, so 02:30 in
    the skipped hour and 03:30 summer time (the same instant) would differ."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return (value if value.tzinfo else value.replace(tzinfo=TZ)).astimezone(dt.UTC)


@pytest.mark.parametrize(("rrule", "first", "minutes"), RULES, ids=[r[0] for r in RULES])
def test_the_expansion_equals_recurring_ical_events(rrule, first, minutes):
    # As the database gives it back: an instant. A first start in the skipped hour (02:30 on
    # 28 March) is then 03:30 summer time, and the series repeats at 03:30.
    first = first.astimezone(dt.UTC).astimezone(TZ)
    window = (at(2027, 1, 1, 0), at(2028, 3, 1, 0))
    plain = starts(rrule, first, *window)
    assert len(plain) >= 5
    removed, moved = plain[2], plain[3]
    new_start = moved + dt.timedelta(days=1, hours=2)
    new_end = new_start + dt.timedelta(minutes=30)
    ours = occurrences(
        [
            item(
                first,
                first + dt.timedelta(minutes=minutes),
                rrule=rrule,
                title="Series",
                changes=[
                    change(removed, state="removed"),
                    change(moved, starts_at=new_start, ends_at=new_end, title="Moved"),
                ],
            )
        ],
        *window,
    )
    theirs = recurring_ical_events.of(
        _ical(rrule, first, minutes, removed, (moved, new_start, new_end))
    ).between(*window)
    theirs = sorted(theirs, key=lambda e: _as_aware(e["DTSTART"].dt))
    assert [(_as_aware(o.starts_at), _as_aware(o.ends_at)) for o in ours] == [
        (_as_aware(e["DTSTART"].dt), _as_aware(e["DTEND"].dt)) for e in theirs
    ]
    assert [o.title for o in ours] == [str(e["SUMMARY"]) for e in theirs]


@pytest.mark.parametrize(
    "rrule", ["FREQ=DAILY;COUNT=10", "FREQ=WEEKLY;BYDAY=SA,SU;UNTIL=20271107", "FREQ=MONTHLY;COUNT=6"]
)
def test_an_all_day_expansion_equals_recurring_ical_events(rrule):
    first = dt.datetime(2027, 3, 27, tzinfo=TZ)
    window = (at(2027, 1, 1, 0), at(2028, 3, 1, 0))
    plain = starts(rrule, first, *window)
    ours = occurrences(
        [
            item(
                first,
                first + dt.timedelta(days=1),
                rrule=rrule,
                all_day=True,
                changes=[change(plain[1], state="removed")],
            )
        ],
        *window,
    )
    theirs = sorted(
        recurring_ical_events.of(_ical(rrule, first, 0, plain[1], None, all_day=True)).between(*window),
        key=lambda e: _as_aware(e["DTSTART"].dt),
    )
    assert [(_as_aware(o.starts_at), _as_aware(o.ends_at)) for o in ours] == [
        (_as_aware(e["DTSTART"].dt), _as_aware(e["DTEND"].dt)) for e in theirs
    ]


def test_a_first_date_outside_the_rule_is_where_the_libraries_differ():
    """RFC 5545 leaves a DTSTART that the rule does not give undefined: dateutil leaves it out,
    recurring-ical-events adds it (four for COUNT=3). The form and the services refuse such a
    series, so the agenda and the feed never disagree."""
    first = at(2027, 3, 1)  # a Monday
    ours = starts("FREQ=WEEKLY;BYDAY=WE;COUNT=3", first, at(2027, 1, 1), at(2028, 1, 1))
    cal = _ical("FREQ=WEEKLY;BYDAY=WE;COUNT=3", first, 60, None, None)
    theirs = recurring_ical_events.of(cal).between(at(2027, 1, 1), at(2028, 1, 1))
    assert [v.day for v in ours] == [3, 10, 17]
    assert sorted(_as_aware(e["DTSTART"].dt).astimezone(TZ).day for e in theirs) == [1, 3, 10, 17]
    assert not recurrence.is_start("FREQ=WEEKLY;BYDAY=WE;COUNT=3", first, first)
