"""Test data for the care network: a network with its people, made directly with the models."""

from __future__ import annotations

import datetime as dt

from mantelzorg.network.models import (
    Appointment,
    DiaryEntry,
    Invitation,
    Kind,
    Membership,
    Network,
    Relation,
    Role,
    Task,
    TaskKind,
)
from mantelzorg.network.recurrence import TZ
from mantelzorg.network.selectors import token_hash


def network(coordinator, *, name="Mien", **fields) -> Network:
    net = Network.objects.create(recipient_name=name, **fields)
    Membership.objects.create(
        network=net, user=coordinator, role=Role.COORDINATOR, relation=Relation.CHILD, sees_private=True
    )
    return net


def member(net, user, role=Role.MEMBER, relation=Relation.FRIEND, **fields) -> Membership:
    return Membership.objects.create(network=net, user=user, role=role, relation=relation, **fields)


def membership(net, user) -> Membership:
    return Membership.objects.get(network=net, user=user, ended_at__isnull=True)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def appointment(net, *, start=None, minutes=60, rrule="", kind=Kind.APPOINTMENT, title="Huisarts", **fields):
    start = start or at(dt.date.today() + dt.timedelta(days=1))
    return Appointment.objects.create(
        network=net,
        kind=kind,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        rrule=rrule,
        **fields,
    )


def task(net, *, start=None, minutes=60, title="Boodschappen", kind=TaskKind.SHOPPING, **fields) -> Task:
    start = start or at(dt.date.today() + dt.timedelta(days=2), 14)
    return Task.objects.create(
        network=net,
        kind=kind,
        title=title,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        duration_minutes=minutes,
        **fields,
    )


def diary(net, author, text="Mien had een goede dag.") -> DiaryEntry:
    return DiaryEntry.objects.create(network=net, author=author, text=text)


def invitation(net, email="nieuw@example.org", token="invitation-token-1", **fields) -> Invitation:
    from django.utils import timezone

    return Invitation.objects.create(
        network=net,
        email=email,
        role=fields.pop("role", Role.MEMBER),
        relation=fields.pop("relation", Relation.FRIEND),
        token_hash=token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=14),
        **fields,
    )
