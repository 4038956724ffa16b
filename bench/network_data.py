#!/usr/bin/env python3
"""Build the care-network benchmark data (issue 13) in the database the environment names, and
print what ``run.py`` needs: a signed-in session cookie of a member, the paths of the month views
(a mix of months), the week and list views, and the member's calendar feed.

The network: 20 members, 3 years of series (daily, weekly on one and on two days, every two
weeks, monthly) — about 2,300 occurrences — with 30 single appointments, 40 single occurrences
moved, cancelled or removed, and 468 tasks (3 a week for 3 years) claimed in turn by the members.

    export SQLITE_PATH=var/bench-network.sqlite3 DJANGO_SECRET_KEY=bench-network-secret-key-...
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python manage.py load_reference_data -v0
    .venv/bin/python bench/network_data.py --out var/bench-network.json

Run ``run.py`` with the same ``DJANGO_SECRET_KEY``: the session is signed with it. Not part of the
test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from mantelzorg.accounts.models import Role as UserRole  # noqa: E402
from mantelzorg.accounts.models import User  # noqa: E402
from mantelzorg.network.models import (  # noqa: E402
    Appointment,
    Kind,
    Membership,
    Network,
    OccurrenceChange,
    Relation,
    Role,
    Task,
    TaskKind,
)
from mantelzorg.network.recurrence import TZ, occurrences, starts  # noqa: E402

SERIES = [  # (kind, title, weekday offset, hour, minutes, rule)
    (Kind.PROFESSIONAL_VISIT, "Wijkverpleging ochtend", 0, 8, 30, "FREQ=DAILY"),
    (Kind.PROFESSIONAL_VISIT, "Dagbesteding", 1, 10, 330, "FREQ=WEEKLY;BYDAY=TU,TH"),
    (Kind.APPOINTMENT, "Fysiotherapie", 0, 15, 45, "FREQ=WEEKLY;BYDAY=MO,WE"),
    (Kind.TIME_OFF, "Vrije middag", 4, 13, 240, "FREQ=WEEKLY;BYDAY=FR"),
    (Kind.APPOINTMENT, "Kerkdienst", 6, 10, 90, "FREQ=WEEKLY;BYDAY=SU"),
    (Kind.RESPITE, "Logeerweekend", 5, 0, 2 * 24 * 60, "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA"),
    (Kind.APPOINTMENT, "Controle huisarts", 2, 9, 20, "FREQ=MONTHLY;BYMONTHDAY=15"),
    (Kind.APPOINTMENT, "Pedicure", 3, 11, 45, "FREQ=MONTHLY;BYDAY=1TH"),
]


def build() -> dict:
    today = timezone.localdate(timezone=TZ)
    first = today - dt.timedelta(days=548)  # 1.5 years back, 1.5 years ahead
    first -= dt.timedelta(days=first.weekday())
    last = first + dt.timedelta(days=3 * 365)
    until = dt.datetime.combine(last, dt.time(23, 59), tzinfo=TZ).astimezone(dt.UTC)
    with transaction.atomic():
        network = Network.objects.create(recipient_name="Bench Mien", feed_notes=True)
        members = []
        for i in range(20):
            user, _ = User.objects.get_or_create(
                email=f"bench-member-{i}@example.org",
                defaults={"name": f"Bench lid {i}", "role": UserRole.CAREGIVER},
            )
            members.append(
                Membership.objects.create(
                    network=network,
                    user=user,
                    role=Role.COORDINATOR if i == 0 else Role.CAREGIVER if i < 3 else Role.MEMBER,
                    relation=Relation.CHILD if i < 3 else Relation.FRIEND,
                    sees_private=True,
                    feed_token=f"bench-feed-token-{network.pk.hex}-{i}",
                )
            )
        series = []
        for kind, title, offset, hour, minutes, rule in SERIES:
            start = dt.datetime.combine(first + dt.timedelta(days=offset), dt.time(hour), tzinfo=TZ)
            appointment = Appointment.objects.create(
                network=network,
                kind=kind,
                title=title,
                place="Thuis",
                note="Sleutel ligt bij de buren.",
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=minutes),
                all_day=kind == Kind.RESPITE,
                rrule=f"{rule};UNTIL={until:%Y%m%dT%H%M%SZ}"
                if kind != Kind.RESPITE
                else f"{rule};UNTIL={last:%Y%m%d}",
                created_by=members[0],
            )
            appointment.goers.set(members[(offset % 5) : (offset % 5) + 2])
            series.append(appointment)
        for i in range(30):
            start = dt.datetime.combine(first + dt.timedelta(days=36 * i + 3), dt.time(14), tzinfo=TZ)
            Appointment.objects.create(
                network=network, title=f"Afspraak {i}", starts_at=start, ends_at=start + dt.timedelta(hours=1)
            )
        changes = []
        daily = series[0]
        window = (daily.starts_at, daily.starts_at + dt.timedelta(days=3 * 365))
        for i, original in enumerate(starts(daily.rrule, daily.starts_at, *window)[::27][:40]):
            state = ("changed", "cancelled", "removed")[i % 3]
            changes.append(
                OccurrenceChange(
                    appointment=daily,
                    original_start=original,
                    state=state,
                    starts_at=original + dt.timedelta(hours=1) if state == "changed" else None,
                    ends_at=original + dt.timedelta(hours=1, minutes=30) if state == "changed" else None,
                )
            )
        OccurrenceChange.objects.bulk_create(changes)
        first_task = dt.datetime.combine(first, dt.time(16), tzinfo=TZ)
        task_starts = starts("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=468", first_task, first_task, until)
        Task.objects.bulk_create(
            Task(
                network=network,
                kind=TaskKind.SHOPPING,
                title="Boodschappen",
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
                status=Task.Status.CLAIMED if i % 4 else Task.Status.OPEN,
                claimed_by=members[i % 20] if i % 4 else None,
                claimed_at=timezone.now() if i % 4 else None,
            )
            for i, start in enumerate(task_starts)
        )
    total = len(
        occurrences(
            network.appointments.prefetch_related("changes"),
            *[dt.datetime.combine(d, dt.time(), tzinfo=TZ) for d in (first, last + dt.timedelta(days=2))],
        )
    )
    viewer = members[1].user
    session = SessionStore()
    session[SESSION_KEY] = str(viewer.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = viewer.get_session_auth_hash()
    session.set_expiry(7 * 24 * 3600)
    session.create()
    months = []
    day = first.replace(day=1)
    while day <= last:
        months.append(f"/netwerk/{network.pk}/agenda/?weergave=maand&datum={day:%Y-%m-%d}")
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return {
        "network": str(network.pk),
        "occurrences": total,
        "members": len(members),
        "tasks": len(task_starts),
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
        "month_now": f"/netwerk/{network.pk}/agenda/?weergave=maand&datum={today:%Y-%m-01}",
        "months": months,
        "week_now": f"/netwerk/{network.pk}/agenda/?weergave=week&datum={today:%Y-%m-%d}",
        "list_now": f"/netwerk/{network.pk}/agenda/",
        "feed": f"/netwerk/agenda/{members[1].feed_token}.ics",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", default="var/bench-network.json", help="write the paths and cookie here (JSON)"
    )
    args = parser.parse_args()
    data = build()
    Path(args.out).write_text(json.dumps(data, indent=2))
    month_mix = Path(args.out).with_suffix(".months.txt")
    month_mix.write_text("\n".join(data["months"]) + "\n")
    print(
        f"network {data['network']}: {data['members']} members, {data['occurrences']} occurrences over 3 years, "
        f"{data['tasks']} tasks; paths in {args.out}, month mix ({len(data['months'])} months) in {month_mix}"
    )


if __name__ == "__main__":
    main()
