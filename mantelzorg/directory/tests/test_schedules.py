import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from mantelzorg.directory.schedules import describe, is_open, occurs_on

AMS = ZoneInfo("Europe/Amsterdam")


def sched(**kw):
    base = dict(
        valid_from=None,
        valid_to=None,
        until=None,
        dtstart=None,
        count=None,
        wkst="",
        freq="WEEKLY",
        interval=1,
        byday="",
        bymonthday="",
        byyearday="",
        byweekno="",
        opens_at=None,
        closes_at=None,
        description="",
    )
    base.update(kw)
    return SimpleNamespace(**base)


def at(y, m, d, hh, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=AMS)


WEEKDAYS_9_17 = sched(byday="MO,TU,WE,TH,FR", opens_at=dt.time(9), closes_at=dt.time(17))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 3, 2, 9, 0), True),  # Monday opening minute
        (at(2026, 3, 2, 16, 59), True),
        (at(2026, 3, 2, 17, 0), False),  # closing time is exclusive
        (at(2026, 3, 2, 8, 59), False),
        (at(2026, 3, 7, 12), False),  # Saturday
    ],
)
def test_weekly_opening_hours(moment, expected):
    assert is_open([WEEKDAYS_9_17], moment) is expected


def test_utc_moment_is_evaluated_in_amsterdam():
    # 08:30 UTC on a summer Monday is 10:30 in Amsterdam (CEST)
    assert is_open([WEEKDAYS_9_17], dt.datetime(2026, 7, 6, 8, 30, tzinfo=dt.UTC)) is True
    # 16:30 UTC is 18:30 local: closed
    assert is_open([WEEKDAYS_9_17], dt.datetime(2026, 7, 6, 16, 30, tzinfo=dt.UTC)) is False


def test_dst_change_day():
    sunday = sched(byday="SU", opens_at=dt.time(1), closes_at=dt.time(4))
    assert is_open([sunday], at(2026, 3, 29, 3, 30)) is True  # 29 March 2026: clocks go 02:00 → 03:00


def test_overnight_opening():
    night = sched(byday="FR", opens_at=dt.time(22), closes_at=dt.time(6))
    assert is_open([night], at(2026, 3, 6, 23)) is True  # Friday night
    assert is_open([night], at(2026, 3, 7, 5)) is True  # early Saturday, from Friday
    assert is_open([night], at(2026, 3, 7, 7)) is False
    assert is_open([night], at(2026, 3, 5, 23)) is False  # Thursday


def test_fortnightly_with_dtstart_and_monthly_last_friday():
    fortnight = sched(
        byday="WE", interval=2, dtstart=dt.date(2026, 3, 4), opens_at=dt.time(10), closes_at=dt.time(12)
    )
    assert occurs_on(fortnight, dt.date(2026, 3, 4)) and occurs_on(fortnight, dt.date(2026, 3, 18))
    assert not occurs_on(fortnight, dt.date(2026, 3, 11))
    monthly = sched(freq="MONTHLY", byday="-1FR", opens_at=dt.time(10), closes_at=dt.time(12))
    assert occurs_on(monthly, dt.date(2026, 3, 27)) and not occurs_on(monthly, dt.date(2026, 3, 20))


def test_validity_window_and_until():
    limited = sched(
        byday="MO",
        opens_at=dt.time(9),
        closes_at=dt.time(17),
        valid_from=dt.date(2026, 3, 1),
        valid_to=dt.date(2026, 3, 31),
    )
    assert is_open([limited], at(2026, 3, 2, 10)) is True
    assert is_open([limited], at(2026, 4, 6, 10)) is False
    assert (
        is_open(
            [sched(byday="MO", opens_at=dt.time(9), closes_at=dt.time(17), until=dt.date(2026, 3, 1))],
            at(2026, 3, 2, 10),
        )
        is False
    )


def test_no_hours_is_unknown_and_describe():
    assert is_open([], at(2026, 3, 2, 10)) is None
    assert is_open([sched(description="Op afspraak")], at(2026, 3, 2, 10)) is None
    text = describe(sched(byday="MO,WE", opens_at=dt.time(9), closes_at=dt.time(17)))
    assert "09:00–17:00" in text
