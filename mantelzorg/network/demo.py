"""Demo data: the demo caregiver (Anna) coordinates a network around her mother, with three family
members, a wijkverpleegkundige, a year of recurring appointments and tasks in every state.
Generated, names start with "Voorbeeld"; loaded once (idempotent), relative to the day it is
loaded (12 weeks of past help for the load overview, a year ahead in the agenda)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from mantelzorg.accounts.demo import DEMO_PASSWORD
from mantelzorg.accounts.models import Role as UserRole
from mantelzorg.accounts.models import User

from .models import (
    Activity,
    Appointment,
    DiaryEntry,
    Kind,
    Membership,
    Network,
    OccurrenceChange,
    Relation,
    Role,
    Task,
    TaskKind,
)
from .recurrence import TZ, starts

RECIPIENT = "Voorbeeld Mien"

# (e-mail, name if the account is made here, role in the network, relation, sees diary and contacts)
PEOPLE = [
    ("mantelzorger@example.nl", None, Role.COORDINATOR, Relation.CHILD, True),
    ("mantelzorger2@example.nl", None, Role.CAREGIVER, Relation.CHILD, True),
    ("netwerklid@example.nl", None, Role.MEMBER, Relation.OTHER_FAMILY, True),
    ("kleinkind@example.nl", "Voorbeeld Kleinkind Fleur", Role.MEMBER, Relation.OTHER_FAMILY, False),
    ("wijkverpleegkundige@example.nl", None, Role.PROFESSIONAL, Relation.PROFESSIONAL, False),
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def load(stdout=None) -> int:
    if Network.objects.filter(recipient_name=RECIPIENT).exists():
        return 0
    users = {u.email: u for u in User.objects.filter(email__in=[p[0] for p in PEOPLE])}
    if "mantelzorger@example.nl" not in users:  # the accounts' demo did not run
        return 0
    today = timezone.localdate(timezone=TZ)
    monday = today - dt.timedelta(days=today.weekday())
    with transaction.atomic():
        from mantelzorg.core.models import Municipality

        network = Network.objects.create(
            recipient_name=RECIPIENT,
            recipient_birth_date=dt.date(1941, 5, 12),
            recipient_pc4="1053",
            municipality=Municipality.objects.filter(code="GM0363").first(),
        )
        members: dict[str, Membership] = {}
        for email, name, role, relation, private in PEOPLE:
            user = users.get(email)
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, name=name, role=UserRole.NETWORK_MEMBER
                )
            members[email] = Membership.objects.create(
                network=network,
                user=user,
                role=role,
                relation=relation,
                sees_private=private,
                phone="06 1234 5678" if role == Role.COORDINATOR else "",
                joined_at=timezone.now() - dt.timedelta(days=120),
            )
        anna, bram, chris, fleur, dewi = (members[p[0]] for p in PEOPLE)
        year_end = today + dt.timedelta(days=365)
        until = f"UNTIL={_at(year_end, 23, 59).astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"

        def series(kind, title, day, hour, minute, minutes, rrule, by, **fields):
            start = _at(day, hour, minute)
            return Appointment.objects.create(
                network=network,
                kind=kind,
                title=title,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=minutes),
                rrule=rrule,
                created_by=by,
                **fields,
            )

        visit = series(
            Kind.PROFESSIONAL_VISIT,
            "Wijkverpleging: ochtendzorg",
            monday - dt.timedelta(weeks=12),
            8,
            0,
            30,
            f"FREQ=DAILY;{until}",
            dewi,
            place="Thuis",
        )
        daycare = series(
            Kind.PROFESSIONAL_VISIT,
            "Dagbesteding De Linde",
            monday - dt.timedelta(weeks=12),
            10,
            0,
            330,
            f"FREQ=WEEKLY;BYDAY=TU,TH;{until}",
            anna,
            place="Lindelaan 4",
        )
        series(
            Kind.APPOINTMENT,
            "Controle geriater",
            monday + dt.timedelta(days=9),
            14,
            30,
            60,
            "FREQ=MONTHLY;INTERVAL=3;COUNT=4",
            anna,
            place="OLVG, polikliniek geriatrie",
        ).goers.set([anna])
        series(
            Kind.TIME_OFF,
            "Vrije middag Anna",
            monday + dt.timedelta(days=4),
            13,
            0,
            240,
            f"FREQ=WEEKLY;BYDAY=FR;{until}",
            anna,
        )
        respite = Appointment.objects.create(
            network=network,
            kind=Kind.RESPITE,
            title="Logeerweekend",
            starts_at=_at(monday + dt.timedelta(days=19), 0, 0),
            ends_at=_at(monday + dt.timedelta(days=21), 0, 0),
            all_day=True,
            rrule="FREQ=MONTHLY;INTERVAL=2;COUNT=6",
            place="Logeerhuis De Boei",
            created_by=anna,
        )
        series(Kind.APPOINTMENT, "Kapper", monday + dt.timedelta(days=2), 11, 0, 45, "", bram).goers.set(
            [bram]
        )
        # One occurrence moved, one cancelled.
        moved = starts(
            daycare.rrule, daycare.starts_at, _at(monday + dt.timedelta(days=7), 0), _at(year_end, 0)
        )[0]
        OccurrenceChange.objects.create(
            appointment=daycare,
            original_start=moved,
            starts_at=moved + dt.timedelta(hours=1),
            ends_at=moved + dt.timedelta(hours=1, minutes=330),
            sequence=1,
        )
        cancelled = starts(
            visit.rrule, visit.starts_at, _at(today + dt.timedelta(days=3), 0), _at(year_end, 0)
        )[0]
        OccurrenceChange.objects.create(
            appointment=visit, original_start=cancelled, state="cancelled", sequence=1
        )
        del respite

        # Tasks: 12 weeks of help done, and what is coming.
        def activity(kind, title, first, hour, minutes, rrule, claimers):
            act = Activity.objects.create(
                network=network,
                kind=kind,
                title=title,
                starts_at=_at(first, hour),
                duration_minutes=minutes,
                rrule=rrule,
                created_by=anna,
            )
            rows = []
            for i, start in enumerate(starts(rrule, act.starts_at, act.starts_at, _at(year_end, 0))):
                claimer = claimers[i % len(claimers)] if claimers else None
                past = start < timezone.now()
                if not past and start.date() > today + dt.timedelta(days=10):
                    claimer = None  # further ahead nobody has said yes yet
                rows.append(
                    Task(
                        network=network,
                        activity=act,
                        kind=kind,
                        title=title,
                        starts_at=start,
                        ends_at=start + dt.timedelta(minutes=minutes),
                        duration_minutes=minutes,
                        status=(
                            Task.Status.DONE
                            if past and claimer
                            else Task.Status.CLAIMED
                            if claimer
                            else Task.Status.OPEN
                        ),
                        claimed_by=claimer,
                        claimed_at=start - dt.timedelta(days=5) if claimer else None,
                        done_at=start + dt.timedelta(minutes=minutes) if past and claimer else None,
                        created_by=anna,
                    )
                )
            Task.objects.bulk_create(rows)

        activity(
            TaskKind.SHOPPING,
            "Boodschappen doen",
            monday - dt.timedelta(weeks=12),
            16,
            60,
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=54",
            [anna, anna, chris],
        )
        activity(
            TaskKind.COOKING,
            "Samen koken",
            monday - dt.timedelta(weeks=12),
            17,
            90,
            "FREQ=WEEKLY;BYDAY=SU;COUNT=30",
            [bram, fleur],
        )
        activity(
            TaskKind.COMPANY,
            "Wandelen en koffie",
            monday - dt.timedelta(weeks=8),
            14,
            60,
            "FREQ=WEEKLY;BYDAY=SA;COUNT=20",
            [fleur],
        )
        soon = _at(today + dt.timedelta(days=2), 9)
        Task.objects.create(
            network=network,
            kind=TaskKind.DRIVING,
            title="Rijden naar de controle bij de geriater",
            starts_at=soon,
            ends_at=soon + dt.timedelta(hours=3),
            duration_minutes=180,
            created_by=anna,
        )  # open and due within 72 hours: flagged to the coordinators
        night = _at(today + dt.timedelta(days=12), 0)
        Task.objects.create(
            network=network,
            kind=TaskKind.NIGHT_WATCH,
            title="Nachtwacht na de operatie",
            all_day=True,
            starts_at=night,
            ends_at=night + dt.timedelta(days=3),
            duration_minutes=3 * 8 * 60,
            created_by=anna,
        )
        paperwork = _at(today + dt.timedelta(days=5), 19)
        Task.objects.create(
            network=network,
            kind=TaskKind.ADMINISTRATION,
            title="Formulier Wmo-aanvraag invullen",
            starts_at=paperwork,
            ends_at=paperwork + dt.timedelta(hours=1),
            duration_minutes=60,
            status=Task.Status.CLAIMED,
            claimed_by=bram,
            claimed_at=timezone.now(),
            standin_requested_at=timezone.now(),
            created_by=anna,
        )  # Bram asked for a stand-in
        for days_ago, author, text in [
            (1, anna, "Moeder was vandaag vrolijk. De dagbesteding vond ze gezellig."),
            (3, bram, "Het formulier van de gemeente ligt op de keukentafel."),
            (6, chris, "Boodschappen gedaan, de koelkast is weer vol."),
            (9, anna, "Gesprek met de wijkverpleegkundige gehad over de ochtendzorg."),
        ]:
            DiaryEntry.objects.create(
                network=network,
                author=author,
                text=text,
                created_at=timezone.now() - dt.timedelta(days=days_ago),
            )
    if stdout:
        stdout.write(
            f"Demo care network around {RECIPIENT}: {Task.objects.filter(network=network).count()} tasks."
        )
    return 1
