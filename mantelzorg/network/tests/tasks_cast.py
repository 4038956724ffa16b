"""A network for the task tests: the cast's caregiver coordinates, the other caregiver is a
caregiver, the network member a member, the professional a professional; ``outsider`` is not in it."""

from __future__ import annotations

import datetime as dt
import types

from django.test import RequestFactory

from mantelzorg.network import services
from mantelzorg.network.models import Membership, Relation, Role, Task, TaskKind
from mantelzorg.network.recurrence import TZ
from mantelzorg.network.selectors import Access


def request_for(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def make_network(cast):
    coordinator = services.network_create(
        request=request_for(cast.caregiver),
        user=cast.caregiver,
        recipient_name="Truus",
        relation=Relation.CHILD,
    )
    network = coordinator.network

    def member(user, role, relation=Relation.FRIEND):
        membership = Membership.objects.create(network=network, user=user, role=role, relation=relation)
        return Access(network=network, membership=membership)

    return types.SimpleNamespace(
        network=network,
        coordinator=coordinator,
        caregiver=member(cast.other_caregiver, Role.CAREGIVER, Relation.PARTNER),
        member=member(cast.network_member, Role.MEMBER),
        professional=member(cast.professional, Role.PROFESSIONAL, Relation.PROFESSIONAL),
        users={
            "coordinator": cast.caregiver,
            "caregiver": cast.other_caregiver,
            "member": cast.network_member,
            "professional": cast.professional,
        },
    )


def local(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def make_task(net, *, starts_at=None, hours=2, title="Boodschappen", all_day=False, **fields) -> Task:
    starts_at = starts_at or (dt.datetime.now(TZ).replace(microsecond=0) + dt.timedelta(days=5))
    return Task.objects.create(
        network=net.network,
        kind=fields.pop("kind", TaskKind.SHOPPING),
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours if not all_day else 24),
        all_day=all_day,
        duration_minutes=int(hours * 60),
        created_by=net.coordinator.membership,
        **fields,
    )
