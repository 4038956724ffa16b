"""``recurrence.advanced`` (moving a rule's first start forward before expanding a late window) is
a speed trick: it must give exactly the occurrences dateutil gives without it. Checked over 600
generated rules and windows: daily, weekly and monthly, intervals 1–4, with and without weekdays,
days of the month (29, 30, 31, -1), n-th weekdays, UNTIL as an instant or a date, first starts at
every hour (the skipped and the doubled hour of the clock changes included) and windows from
days to years after the first start."""

import datetime as dt
import random

import pytest

from mantelzorg.network import recurrence
from mantelzorg.network.recurrence import TZ

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def generated_rules(seed: int, n: int):
    rnd = random.Random(seed)
    for _ in range(n):
        freq = rnd.choice(["DAILY", "WEEKLY", "MONTHLY"])
        parts = [f"FREQ={freq}", f"INTERVAL={rnd.randint(1, 4)}"]
        if freq == "WEEKLY" and rnd.random() < 0.7:
            parts.append("BYDAY=" + ",".join(sorted(rnd.sample(DAYS, rnd.randint(1, 3)), key=DAYS.index)))
        if freq == "MONTHLY":
            variant = rnd.choice(["implicit", "monthday", "nth"])
            if variant == "monthday":
                parts.append(f"BYMONTHDAY={rnd.choice([1, 15, 29, 30, 31, -1])}")
            elif variant == "nth":
                parts.append(f"BYDAY={rnd.choice(['1', '2', '-1'])}{rnd.choice(DAYS)}")
        first_day = dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randint(0, 800))
        if freq == "MONTHLY" and rnd.random() < 0.3:
            first_day = (
                first_day.replace(day=rnd.choice([29, 30, 31]))
                if first_day.month not in (2, 4, 6, 9, 11)
                else first_day
            )
        hour = rnd.choice([0, 2, 3, 8, 10, 23])
        first = recurrence.make_aware(dt.datetime.combine(first_day, dt.time(hour, rnd.choice([0, 30]))))
        if rnd.random() < 0.5:
            end = first + dt.timedelta(days=rnd.randint(30, 1500))
            if rnd.random() < 0.5:
                parts.append(f"UNTIL={end.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
            else:
                parts.append(f"UNTIL={end:%Y%m%d}")
        after = first + dt.timedelta(days=rnd.randint(0, 1400), hours=rnd.randint(0, 23))
        before = after + dt.timedelta(days=rnd.choice([1, 7, 42, 400]))
        yield ";".join(parts), first, after, before


def plain(rrule, first, after, before):
    """The same expansion without the move: dateutil from the first start."""
    rule, floating = recurrence._rule(rrule, first)
    lo = recurrence.local(after) - dt.timedelta(hours=3)
    lo = lo.replace(tzinfo=None) if floating else lo
    result = []
    for value in rule.xafter(lo, count=recurrence.MAX_OCCURRENCES, inc=True):
        aware = recurrence.make_aware(value.replace(tzinfo=None))
        if aware >= before + dt.timedelta(hours=3):
            break
        if after <= aware < before:
            result.append(aware)
    return result


@pytest.mark.parametrize("seed", range(6))
def test_moving_the_first_start_changes_no_occurrence(seed):
    moved = 0
    for rrule, first, after, before in generated_rules(seed, 100):
        expected = plain(rrule, first, after, before)
        assert recurrence.starts(rrule, first, after, before) == expected, (rrule, first, after, before)
        rule, floating = recurrence._rule(rrule, first)
        lo = recurrence.local(after) - dt.timedelta(hours=3)
        moved += recurrence.advanced(rule, lo.replace(tzinfo=None) if floating else lo) is not rule
    assert moved > 30  # the trick was used, not skipped


def test_a_rule_with_count_is_never_moved():
    first = dt.datetime(2024, 1, 31, 10, tzinfo=TZ)
    rule, _ = recurrence._rule("FREQ=MONTHLY;COUNT=40", first)
    assert recurrence.advanced(rule, dt.datetime(2026, 6, 1, tzinfo=TZ)) is rule


def test_a_monthly_rule_on_the_31st_keeps_skipping_short_months_after_the_move():
    first = dt.datetime(2024, 1, 31, 10, tzinfo=TZ)
    got = recurrence.starts(
        "FREQ=MONTHLY", first, dt.datetime(2026, 1, 1, tzinfo=TZ), dt.datetime(2026, 6, 1, tzinfo=TZ)
    )
    assert [d.date() for d in got] == [dt.date(2026, 1, 31), dt.date(2026, 3, 31), dt.date(2026, 5, 31)]
