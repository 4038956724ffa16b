"""Writes of care networks: each in one transaction, with its audit row (``network.*``).

Callers pass the ``Access`` from ``selectors.network_access``: the services trust it for the
network and the role, and check only what depends on the object (a coordinator cannot remove the
last coordinator, a claim is one conditional UPDATE).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, override

from mantelzorg.core import audit, mail

from . import recurrence
from .models import (
    Appointment,
    DiaryEntry,
    Invitation,
    Kind,
    Membership,
    Network,
    OccurrenceChange,
    Relation,
    Role,
    Task,
)
from .selectors import PURPOSE, Access, _subject, token_hash

INVITATION_DAYS = 14


def _log(request, access: Access | None, action: str, obj, *, actor=None, purpose: str = PURPOSE) -> None:
    network = obj if isinstance(obj, Network) else obj.network
    audit.log(
        request=request,
        actor=actor,
        action=action,
        obj=obj,
        subject=_subject(network),
        role=access.role if access is not None else "",
        purpose=purpose,
    )


# --- The network and its members ----------------------------------------------------------


def network_create(
    *, request, user, recipient_name: str, relation: str, recipient_birth_date=None, place=None
) -> Access:
    """Open a network around a naaste; the person who opens it is its coordinator. ``place`` is
    the naaste's ``geo.Place`` (PC4 and gemeente) when a postcode was given."""
    with transaction.atomic():
        network = Network.objects.create(
            recipient_name=recipient_name,
            recipient_birth_date=recipient_birth_date,
            recipient_pc4=place.pc4 if place else "",
            municipality=place.municipality if place else None,
        )
        membership = Membership.objects.create(
            network=network, user=user, role=Role.COORDINATOR, relation=relation, sees_private=True
        )
        access = Access(network=network, membership=membership)
        _log(request, access, "network.network.created", network)
    return access


def network_update(*, request, access: Access, **fields) -> Network:
    """The coordinator's settings: the naaste's details, the diary switch, notes in feeds."""
    network = access.network
    allowed = {"recipient_name", "recipient_birth_date", "diary_for_members", "feed_notes"}
    with transaction.atomic():
        for name, value in fields.items():
            if name not in allowed:
                raise TypeError(name)
            setattr(network, name, value)
        network.save(update_fields=list(fields))
        _log(request, access, "network.network.changed", network)
    return network


def invitation_create(
    *, request, access: Access, email: str, name: str, role: str, relation: str, sees_private: bool
) -> Invitation:
    """Invite someone by e-mail. The link works once, for ``INVITATION_DAYS`` days, until revoked;
    only its keyed hash is stored. A new invitation to the same address replaces a pending one."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            network=access.network, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            network=access.network,
            email=email.strip().lower(),
            name=name,
            role=role,
            relation=relation,
            sees_private=sees_private,
            token_hash=token_hash(token),
            invited_by=access.membership,
            expires_at=now + dt.timedelta(days=INVITATION_DAYS),
        )
        _log(request, access, "network.member.invited", invitation)
    url = request.build_absolute_uri(reverse("network:invitation", kwargs={"token": token}))
    with override(request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else None):
        mail.send(
            to=invitation.email,
            subject=gettext("%(name)s invites you to help with the care for %(recipient)s")
            % {"name": access.membership.display_name, "recipient": access.network.recipient_name},
            template="network/email/invitation.txt",
            context={
                "url": url,
                "inviter": access.membership.display_name,
                "recipient": access.network.recipient_name,
                "days": INVITATION_DAYS,
            },
        )
    return invitation


def invitation_revoke(*, request, access: Access, invitation: Invitation) -> None:
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        _log(request, access, "network.invitation.revoked", invitation)


class InvitationUnusable(Exception):
    """Used, revoked or expired meanwhile."""


def invitation_accept(*, request, invitation: Invitation, user) -> Access:
    """The signed-in ``user`` joins with the invitation's role (once: a second use, or a use after
    revocation or expiry, raises ``InvitationUnusable``). A person already in the network keeps
    their membership."""
    now = timezone.now()
    with transaction.atomic():
        used = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(accepted_at=now, accepted_by=user)
        if not used:
            raise InvitationUnusable
        membership = Membership.objects.filter(
            network=invitation.network, user=user, ended_at__isnull=True
        ).first()
        if membership is None:
            membership = Membership.objects.create(
                network=invitation.network,
                user=user,
                role=invitation.role,
                relation=Relation.SELF if invitation.role == Role.RECIPIENT else invitation.relation,
                sees_private=invitation.sees_private,
            )
        access = Access(network=invitation.network, membership=membership)
        _log(request, access, "network.member.joined", membership, actor=user)
    return access


def _coordinators(network, *, excluding=None) -> int:
    rows = Membership.objects.filter(network=network, role=Role.COORDINATOR, ended_at__isnull=True)
    if excluding is not None:
        rows = rows.exclude(pk=excluding.pk)
    return rows.count()


def member_update(*, request, access: Access, member: Membership, **fields) -> Membership:
    """The coordinator changes a member's role (handing over or sharing coordination), relation or
    switch. The network always keeps at least one coordinator."""
    allowed = {"role", "relation", "sees_private"}
    with transaction.atomic():
        member = Membership.objects.select_for_update().get(pk=member.pk, ended_at__isnull=True)
        if (
            fields.get("role", member.role) != Role.COORDINATOR
            and member.role == Role.COORDINATOR
            and not _coordinators(member.network, excluding=member)
        ):
            raise ValidationError(
                gettext("A network needs a coordinator. Make someone else coordinator first.")
            )
        for name, value in fields.items():
            if name not in allowed:
                raise TypeError(name)
            setattr(member, name, value)
        member.save(update_fields=list(fields))
        _log(request, access, "network.member.changed", member)
    return member


def member_settings_update(*, request, access: Access, **fields) -> Membership:
    """A member's own settings: phone number and reminders."""
    allowed = {"phone", "reminders", "remind_week_before"}
    member = access.membership
    with transaction.atomic():
        for name, value in fields.items():
            if name not in allowed:
                raise TypeError(name)
            setattr(member, name, value)
        member.save(update_fields=list(fields))
        _log(request, access, "network.member.changed", member)
    return member


def _end(member: Membership, now) -> None:
    """End a membership: from the next request it opens nothing (feed included); open tasks it had
    claimed are open again."""
    Membership.objects.filter(pk=member.pk).update(ended_at=now, feed_token=None)
    Task.objects.filter(claimed_by=member, starts_at__gt=now, status=Task.Status.CLAIMED).update(
        claimed_by=None,
        claimed_at=None,
        standin_requested_at=None,
        status=Task.Status.OPEN,
        sequence=F("sequence") + 1,
        updated_at=now,
    )


def member_remove(*, request, access: Access, member: Membership) -> None:
    """The coordinator removes a member (not the last coordinator)."""
    with transaction.atomic():
        if member.role == Role.COORDINATOR and not _coordinators(member.network, excluding=member):
            raise ValidationError(
                gettext("A network needs a coordinator. Make someone else coordinator first.")
            )
        _end(member, timezone.now())
        _log(request, access, "network.member.removed", member)


def member_leave(*, request, access: Access) -> None:
    """A member leaves. The last coordinator can only leave after handing the role over, unless
    nobody else is left."""
    member = access.membership
    with transaction.atomic():
        others = Membership.objects.filter(network=member.network, ended_at__isnull=True).exclude(
            pk=member.pk
        )
        if (
            member.role == Role.COORDINATOR
            and others.exists()
            and not _coordinators(member.network, excluding=member)
        ):
            raise ValidationError(gettext("Make someone else coordinator before you leave."))
        _end(member, timezone.now())
        _log(request, access, "network.member.left", member)


def feed_token_renew(*, request, access: Access) -> str:
    """A new personal feed address; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Membership.objects.filter(pk=access.membership.pk).update(feed_token=token)
        access.membership.feed_token = token
        _log(request, access, "network.feed.renewed", access.membership)
    return token


def feed_token_revoke(*, request, access: Access) -> None:
    with transaction.atomic():
        Membership.objects.filter(pk=access.membership.pk).update(feed_token=None)
        access.membership.feed_token = None
        _log(request, access, "network.feed.revoked", access.membership)


# --- Agenda -------------------------------------------------------------------
#
# An item is one Appointment, once or repeating; one occurrence of a series differs by an
# OccurrenceChange (RECURRENCE-ID = ``original_start``). Every change raises ``sequence`` (RFC 5545
# SEQUENCE, for the feeds) and writes one audit row. A caller who may not add or change the item
# gets PermissionError (the view answers 404).

_APPOINTMENT_FIELDS = frozenset(
    {"kind", "title", "place", "note", "starts_at", "ends_at", "all_day", "rrule"}
)


def _agenda_allowed(access: Access, kind: str, appointment: Appointment | None = None) -> None:
    if kind not in access.agenda_kinds:
        raise PermissionError("this role does not add this kind")
    if appointment is not None and (
        appointment.network_id != access.network.pk or not access.may_edit(appointment)
    ):
        raise PermissionError("this member does not change this item")


def _agenda_fields(fields: dict) -> dict:
    unknown = set(fields) - _APPOINTMENT_FIELDS
    if unknown:
        raise TypeError(", ".join(sorted(unknown)))
    if "rrule" in fields:
        recurrence.rrule_validate(fields["rrule"])
    return fields


def _synchronised(appointment: Appointment) -> None:
    """The first start must be an occurrence of the rule (RFC 5545 leaves it undefined otherwise:
    dateutil leaves it out, recurring-ical-events and calendar apps add it)."""
    if appointment.rrule and not recurrence.is_start(
        appointment.rrule, appointment.starts_at, appointment.starts_at
    ):
        raise ValueError("the first start is not an occurrence of the rule")


def _goers(access: Access, goers) -> list[Membership]:
    ids = [g.pk if isinstance(g, Membership) else int(g) for g in goers]
    return list(Membership.objects.filter(network=access.network, ended_at__isnull=True, pk__in=ids))


def _log_occurrence(request, access: Access, action: str, change: OccurrenceChange) -> None:
    audit.log(
        request=request,
        action=action,
        obj=change,
        subject=_subject(access.network),
        role=access.role,
        purpose=PURPOSE,
    )


def _touch(appointment: Appointment, now) -> None:
    appointment.sequence += 1
    appointment.updated_at = now


def _carry_changes(changes, target: Appointment, delta: dt.timedelta) -> None:
    """Give the changes of single occurrences to ``target`` (the same series after a change of its
    time or rule, or the new series of "this and following"): each moves by ``delta`` on the wall
    clock; one whose occurrence the target does not have is dropped."""
    changes = list(changes)
    if not changes:
        return
    OccurrenceChange.objects.filter(pk__in=[c.pk for c in changes]).delete()
    kept = []
    for change in changes:
        original = recurrence.make_aware(recurrence.local(change.original_start).replace(tzinfo=None) + delta)
        if target.rrule and recurrence.is_start(target.rrule, target.starts_at, original):
            change.pk = None
            change.appointment = target
            change.original_start = original
            kept.append(change)
    OccurrenceChange.objects.bulk_create(kept)


def appointment_create(*, request, access: Access, goers=(), **fields) -> Appointment:
    """Add an item (once or a series) to the agenda."""
    fields = _agenda_fields(fields)
    _agenda_allowed(access, fields.get("kind", Kind.APPOINTMENT))
    with transaction.atomic():
        appointment = Appointment.objects.create(
            network=access.network, created_by=access.membership, **fields
        )
        appointment.goers.set(_goers(access, goers))
        _log(request, access, "network.appointment.created", appointment)
    return appointment


def appointment_update(
    *, request, access: Access, appointment: Appointment, goers=None, **fields
) -> Appointment:
    """Change a single item or a whole series. When the series' start or rule changes, changed
    occurrences move along with it (by the same time on the clock) or are dropped when the new
    series does not have them."""
    fields = _agenda_fields(fields)
    _agenda_allowed(access, fields.get("kind", appointment.kind), appointment)
    now = timezone.now()
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        old_start, old_rule = appointment.starts_at, appointment.rrule
        for name, value in fields.items():
            setattr(appointment, name, value)
        _synchronised(appointment)
        _touch(appointment, now)
        appointment.save()
        if goers is not None:
            appointment.goers.set(_goers(access, goers))
        if (appointment.starts_at, appointment.rrule) != (old_start, old_rule):
            delta = recurrence.wall_length(old_start, appointment.starts_at)
            _carry_changes(appointment.changes.all(), appointment, delta)
        _log(request, access, "network.appointment.changed", appointment)
    return appointment


def appointment_update_following(
    *, request, access: Access, appointment: Appointment, original_start: dt.datetime, goers=None, **fields
) -> Appointment:
    """ "This and following": the series ends before the occurrence that starts (in the series) at
    ``original_start`` (UNTIL: the day before, in UTC, or a DATE for an all-day series), and a new
    series (``split_from``) starts there with the new values. Without a new ``rrule`` the new
    series repeats as the old one, with the occurrences the old one had left (COUNT recomputed).
    Changed occurrences from there on go to the new series, or are dropped when it has no such
    occurrence. At the first occurrence this is a change of the whole series. Returns the new
    series."""
    fields = _agenda_fields(fields)
    _agenda_allowed(access, fields.get("kind", appointment.kind), appointment)
    if not appointment.rrule or not recurrence.is_start(
        appointment.rrule, appointment.starts_at, original_start
    ):
        raise ValueError("not an occurrence of this series")
    if original_start == appointment.starts_at:
        return appointment_update(
            request=request, access=access, appointment=appointment, goers=goers, **fields
        )
    now = timezone.now()
    with transaction.atomic():
        old = Appointment.objects.select_for_update().get(pk=appointment.pk)
        repeat = recurrence.rrule_parse(old.rrule)
        length = old.ends_at - old.starts_at
        if "rrule" not in fields:
            count = None
            if repeat.count is not None:
                count = repeat.count - recurrence.count_before(old.rrule, old.starts_at, original_start)
            fields["rrule"] = recurrence.rrule_with_end(
                old.rrule, until=repeat.until, count=count, all_day=fields.get("all_day", old.all_day)
            )
        starts_at = fields.pop("starts_at", original_start)
        values = {
            "kind": old.kind,
            "title": old.title,
            "place": old.place,
            "note": old.note,
            "all_day": old.all_day,
            "ends_at": starts_at + length,
            **fields,
        }
        new = Appointment(
            network=old.network,
            starts_at=starts_at,
            status=old.status,
            created_by=old.created_by,
            split_from=old,
            origin=old.origin,
            **values,
        )
        _synchronised(new)
        new.save()
        new.goers.set(_goers(access, goers) if goers is not None else list(old.goers.all()))
        last_day = recurrence.local(original_start).date() - dt.timedelta(days=1)
        old.rrule = recurrence.rrule_with_end(old.rrule, until=last_day, all_day=old.all_day)
        _touch(old, now)
        old.save(update_fields=["rrule", "sequence", "updated_at"])
        following = old.changes.filter(original_start__gte=original_start)
        _carry_changes(following, new, recurrence.wall_length(original_start, starts_at))
        _log(request, access, "network.appointment.changed", old)
    return new


def _occurrence_row(appointment: Appointment, original_start: dt.datetime) -> OccurrenceChange:
    if not appointment.rrule or not recurrence.is_start(
        appointment.rrule, appointment.starts_at, original_start
    ):
        raise ValueError("not an occurrence of this series")
    change, _ = OccurrenceChange.objects.select_for_update().get_or_create(
        appointment=appointment, original_start=original_start
    )
    return change


def _occurrence_done(appointment: Appointment, change: OccurrenceChange, now) -> None:
    change.sequence += 1
    change.updated_at = now
    change.save()
    # The series' SEQUENCE rises too: a calendar app sees the series changed.
    Appointment.objects.filter(pk=appointment.pk).update(sequence=F("sequence") + 1, updated_at=now)


def occurrence_change(
    *,
    request,
    access: Access,
    appointment: Appointment,
    original_start: dt.datetime,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    title: str = "",
    place: str = "",
    note: str = "",
) -> OccurrenceChange:
    """Move or change one occurrence of a series; the series stays as it is. A text equal to the
    series' is stored empty ("as the series"), so a later change of the series reaches it."""
    _agenda_allowed(access, appointment.kind, appointment)
    if ends_at < starts_at:
        raise ValueError("ends before it starts")
    now = timezone.now()
    with transaction.atomic():
        change = _occurrence_row(appointment, original_start)
        change.state = OccurrenceChange.State.CHANGED
        change.starts_at, change.ends_at = starts_at, ends_at
        change.title = "" if title == appointment.title else title
        change.place = "" if place == appointment.place else place
        change.note = "" if note == appointment.note else note
        _occurrence_done(appointment, change, now)
        _log_occurrence(request, access, "network.occurrence.changed", change)
    return change


def occurrence_cancel(
    *, request, access: Access, appointment: Appointment, original_start
) -> OccurrenceChange:
    """Cancel one occurrence: it stays in the agenda as cancelled (STATUS:CANCELLED in the feed)."""
    _agenda_allowed(access, appointment.kind, appointment)
    with transaction.atomic():
        change = _occurrence_row(appointment, original_start)
        change.state = OccurrenceChange.State.CANCELLED
        _occurrence_done(appointment, change, timezone.now())
        _log_occurrence(request, access, "network.occurrence.cancelled", change)
    return change


def occurrence_remove(
    *, request, access: Access, appointment: Appointment, original_start
) -> OccurrenceChange:
    """Remove one occurrence: it is gone from the agenda (EXDATE in the feed)."""
    _agenda_allowed(access, appointment.kind, appointment)
    with transaction.atomic():
        change = _occurrence_row(appointment, original_start)
        change.state = OccurrenceChange.State.REMOVED
        change.starts_at = change.ends_at = None
        _occurrence_done(appointment, change, timezone.now())
        _log_occurrence(request, access, "network.occurrence.removed", change)
    return change


def appointment_cancel(*, request, access: Access, appointment: Appointment) -> Appointment:
    """Cancel an item (a whole series too): it stays visible, marked as cancelled."""
    _agenda_allowed(access, appointment.kind, appointment)
    now = timezone.now()
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        appointment.status = Appointment.Status.CANCELLED
        _touch(appointment, now)
        appointment.save(update_fields=["status", "sequence", "updated_at"])
        _log(request, access, "network.appointment.cancelled", appointment)
    return appointment


def placed_item_put(
    *, network_id, origin: str, title: str, place: str, first_day: dt.date, day_after: dt.date
) -> Appointment:
    """An all-day item another app places in a network's agenda (``origin`` names it, e.g.
    "respite.stay:<id>"): created, or changed when it is there. The calling service writes the
    request's audit row (the respite app: confirming a stay)."""
    starts_at = recurrence.make_aware(dt.datetime.combine(first_day, dt.time()))
    ends_at = recurrence.make_aware(dt.datetime.combine(day_after, dt.time()))
    now = timezone.now()
    appointment = Appointment.objects.filter(network_id=network_id, origin=origin).first()
    if appointment is None:
        return Appointment.objects.create(
            network_id=network_id,
            origin=origin,
            kind=Kind.RESPITE,
            title=title[:120],
            place=place[:200],
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=True,
        )
    appointment.title, appointment.place = title[:120], place[:200]
    appointment.starts_at, appointment.ends_at = starts_at, ends_at
    appointment.status = Appointment.Status.CONFIRMED
    _touch(appointment, now)
    appointment.save()
    return appointment


def placed_item_cancel(*, origin: str) -> None:
    """Mark the item placed with ``origin`` cancelled (calendar apps then drop it: STATUS:CANCELLED)."""
    now = timezone.now()
    Appointment.objects.filter(origin=origin).exclude(status=Appointment.Status.CANCELLED).update(
        status=Appointment.Status.CANCELLED, sequence=F("sequence") + 1, updated_at=now
    )


def appointment_delete(*, request, access: Access, appointment: Appointment) -> None:
    """Delete an item or a whole series, with its changed occurrences."""
    _agenda_allowed(access, appointment.kind, appointment)
    with transaction.atomic():
        _log(request, access, "network.appointment.deleted", appointment)
        Appointment.objects.filter(pk=appointment.pk).delete()


# --- Diary ----------------------------------------------------------------------------------


def diary_add(*, request, access: Access, text: str) -> DiaryEntry:
    with transaction.atomic():
        entry = DiaryEntry.objects.create(network=access.network, author=access.membership, text=text)
        _log(request, access, "network.diary.written", entry)
    return entry


# --- Erasure (core.personal_data) -----------------------------------------------------------


def person_erase(*, user, request) -> None:
    """Remove ``user`` from every network (see ``personal_data``): memberships end and lose the
    account, phone and feed ("oud-lid"); networks left without a coordinator get one; networks
    with nobody left are removed."""
    now = timezone.now()
    memberships = list(Membership.objects.filter(user=user).select_related("network"))
    for member in memberships:
        network = member.network
        if member.ended_at is None:
            _end(member, now)
        if not _coordinators(network):
            heir = (
                Membership.objects.filter(network=network, ended_at__isnull=True, user__isnull=False)
                .exclude(role__in=[Role.PROFESSIONAL, Role.RECIPIENT])
                .order_by("role", "joined_at")  # caregivers ("caregiver" < "member"), then members
                .first()
            )
            if heir is None:
                heir = (
                    Membership.objects.filter(network=network, ended_at__isnull=True, user__isnull=False)
                    .order_by("joined_at")
                    .first()
                )
            if heir is not None:
                Membership.objects.filter(pk=heir.pk).update(role=Role.COORDINATOR)
    Membership.objects.filter(user=user).update(user=None, phone="", feed_token=None)
    Invitation.objects.filter(email__iexact=user.email).delete()
    Invitation.objects.filter(accepted_by=user).update(accepted_by=None)
    for network in {m.network for m in memberships}:
        if not Membership.objects.filter(network=network, ended_at__isnull=True).exists():
            network.delete()


# --- Tasks: claiming --------------------------------------------------------------------------


class TaskTaken(Exception):
    """Someone else has the task: ``holder`` is their membership (None when it was cancelled)."""

    def __init__(self, holder: Membership | None):
        super().__init__("task taken")
        self.holder = holder


def task_claim(*, request, access: Access, task: Task) -> Task:
    """Claim an open task, or take over a task whose claimer asked for a stand-in. One conditional
    UPDATE decides: of any number of members claiming at once exactly one wins; the others get
    ``TaskTaken`` with the winner."""
    if not access.claims_tasks:
        raise PermissionError("this role does not claim tasks")
    now = timezone.now()
    with transaction.atomic():
        won = Task.objects.filter(
            pk=task.pk, network=access.network, status=Task.Status.OPEN, claimed_by__isnull=True
        ).update(
            status=Task.Status.CLAIMED,
            claimed_by=access.membership,
            claimed_at=now,
            sequence=F("sequence") + 1,
            updated_at=now,
        )
        if not won:  # a stand-in: the first to take it over clears the request, so wins alone
            won = (
                Task.objects.filter(
                    pk=task.pk,
                    network=access.network,
                    status=Task.Status.CLAIMED,
                    standin_requested_at__isnull=False,
                )
                .exclude(claimed_by=access.membership)
                .update(
                    claimed_by=access.membership,
                    claimed_at=now,
                    standin_requested_at=None,
                    sequence=F("sequence") + 1,
                    updated_at=now,
                )
            )
        current = Task.objects.select_related("claimed_by__user").get(pk=task.pk, network=access.network)
        if won:
            _log(request, access, "network.task.claimed", current)
            return current
    if current.claimed_by_id == access.membership.pk and current.status == Task.Status.CLAIMED:
        return current  # already theirs: claiming twice changes nothing
    # The refusal's audit row outside the transaction above: nothing of it is rolled back.
    _log_refused(request, access, "network.task.claimed", current)
    raise TaskTaken(current.claimed_by if current.status != Task.Status.CANCELLED else None)


# --- Tasks --------------------------------------------------------------------
# A task is a date (all day: local midnight to the next), a time window, or a period of days (all
# day, midnight of the first day to midnight after the last). A repeating activity makes its tasks
# once, from its RRULE (``recurrence.starts``), at most ``ACTIVITY_MAX_TASKS`` of them.

ACTIVITY_MAX_TASKS = 400
ACTIVITY_MAX_DAYS = 2 * 366  # how far ahead a repeating activity makes tasks at most


def task_times(
    *, day: dt.date, start: dt.time | None, end_day: dt.date | None = None, duration_minutes: int = 60
) -> tuple[dt.datetime, dt.datetime, bool]:
    """(starts_at, ends_at, all_day) of a task on ``day``: from ``start`` for ``duration_minutes``,
    or all day (until local midnight after ``end_day``, or after ``day``) when ``start`` is None."""
    from .recurrence import make_aware

    if start is not None:
        begin = make_aware(dt.datetime.combine(day, start))
        return begin, begin + dt.timedelta(minutes=duration_minutes), False
    last = end_day or day
    return (
        make_aware(dt.datetime.combine(day, dt.time())),
        make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time())),
        True,
    )


def task_create(
    *,
    request,
    access: Access,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    all_day: bool = False,
    duration_minutes: int = 60,
    note: str = "",
) -> Task:
    """A one-off task (``task_times`` makes the times); only ``access.plans_tasks``."""
    if not access.plans_tasks:
        raise PermissionError("this role does not plan tasks")
    with transaction.atomic():
        task = Task.objects.create(
            network=access.network,
            kind=kind,
            title=title,
            note=note,
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=all_day,
            duration_minutes=duration_minutes,
            created_by=access.membership,
        )
        _log(request, access, "network.task.created", task)
    return task


def _activity_starts(activity, after: dt.datetime) -> list[dt.datetime]:
    from .recurrence import starts

    before = activity.starts_at + dt.timedelta(days=ACTIVITY_MAX_DAYS)
    return starts(activity.rrule, activity.starts_at, after, before)[:ACTIVITY_MAX_TASKS]


def _activity_task(activity, start: dt.datetime, access: Access) -> Task:
    if activity.all_day:
        _, end, _ = task_times(day=start.astimezone(_tz()).date(), start=None)
    else:
        end = start + dt.timedelta(minutes=activity.duration_minutes)
    return Task(
        network=activity.network,
        activity=activity,
        kind=activity.kind,
        title=activity.title,
        note=activity.note,
        starts_at=start,
        ends_at=end,
        all_day=activity.all_day,
        duration_minutes=activity.duration_minutes,
        created_by=access.membership,
    )


def _tz():
    from .recurrence import TZ

    return TZ


def activity_create(
    *,
    request,
    access: Access,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    rrule: str,
    all_day: bool = False,
    duration_minutes: int = 60,
    note: str = "",
):
    """A repeating activity and its tasks, one per occurrence of ``rrule`` from ``starts_at`` (at
    most ``ACTIVITY_MAX_TASKS``, within ``ACTIVITY_MAX_DAYS``)."""
    from .models import Activity

    if not access.plans_tasks:
        raise PermissionError("this role does not plan tasks")
    with transaction.atomic():
        activity = Activity.objects.create(
            network=access.network,
            kind=kind,
            title=title,
            note=note,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            all_day=all_day,
            rrule=rrule,
            created_by=access.membership,
        )
        Task.objects.bulk_create(
            [_activity_task(activity, start, access) for start in _activity_starts(activity, starts_at)]
        )
        _log(request, access, "network.activity.created", activity)
    return activity


def activity_update(*, request, access: Access, activity, **fields) -> list[Task]:
    """Change a repeating activity: its future open tasks are made again from the new plan;
    claimed ones are kept as they were (the task page tells their claimer the plan changed).
    Returns the kept claimed tasks."""
    allowed = {"kind", "title", "note", "starts_at", "rrule", "all_day", "duration_minutes"}
    if not access.plans_tasks:
        raise PermissionError("this role does not plan tasks")
    now = timezone.now()
    with transaction.atomic():
        for name, value in fields.items():
            if name not in allowed:
                raise TypeError(name)
            setattr(activity, name, value)
        activity.save(update_fields=list(fields))
        future = Task.objects.filter(activity=activity, starts_at__gt=now)
        future.filter(status=Task.Status.OPEN).delete()
        kept = list(future.filter(status__in=[Task.Status.CLAIMED, Task.Status.DONE]))
        taken = {t.starts_at for t in kept}
        Task.objects.bulk_create(
            [
                _activity_task(activity, start, access)
                for start in _activity_starts(activity, max(now, activity.starts_at))
                if start not in taken
            ]
        )
        _log(request, access, "network.activity.changed", activity)
    return kept


def activity_cancel(*, request, access: Access, activity) -> list[Task]:
    """Stop a repeating activity: its future open tasks are cancelled, claimed ones are kept (their
    claimer sees that the plan changed). The rule ends now. Returns the kept claimed tasks."""
    if not access.plans_tasks:
        raise PermissionError("this role does not plan tasks")
    now = timezone.now()
    with transaction.atomic():
        activity.rrule = stop_rule(activity.rrule, now)
        activity.save(update_fields=["rrule"])
        future = Task.objects.filter(activity=activity, starts_at__gt=now)
        future.filter(status=Task.Status.OPEN).update(
            status=Task.Status.CANCELLED, sequence=F("sequence") + 1, updated_at=now
        )
        kept = list(future.filter(status=Task.Status.CLAIMED))
        _log(request, access, "network.activity.cancelled", activity)
    return kept


def stop_rule(rrule: str, when: dt.datetime) -> str:
    """``rrule`` ending before ``when`` (an UNTIL in floating local time, no COUNT)."""
    parts = [p for p in rrule.split(";") if p and not p.upper().startswith(("UNTIL=", "COUNT="))]
    until = when.astimezone(_tz()) - dt.timedelta(seconds=1)
    return ";".join([*parts, f"UNTIL={until:%Y%m%dT%H%M%S}"])


def _claimer_change(
    request, access: Access, task: Task, action: str, *, allowed: dict, changes: dict
) -> Task:
    """One conditional UPDATE of a task in ``allowed`` state, audited; ``TaskTaken`` when it is not
    (any more) in that state."""
    now = timezone.now()
    with transaction.atomic():
        done = Task.objects.filter(pk=task.pk, network=access.network, **allowed).update(
            **changes, sequence=F("sequence") + 1, updated_at=now
        )
        current = Task.objects.select_related("claimed_by__user").get(pk=task.pk, network=access.network)
        if done:
            _log(request, access, action, current)
            return current
    # Not (any more) in that state: the refusal is the request's one row, as for a lost claim.
    _log_refused(request, access, action, current)
    raise TaskTaken(current.claimed_by if current.status != Task.Status.CANCELLED else None)


def _log_refused(request, access: Access, action: str, task: Task) -> None:
    audit.log(
        request=request,
        action=action,
        obj=task,
        subject=_subject(access.network),
        role=access.role,
        purpose=PURPOSE,
        outcome=audit.OUTCOME_FAILURE,
    )


def task_release(*, request, access: Access, task: Task) -> Task:
    """The claimer hands the task back: it is open again."""
    return _claimer_change(
        request,
        access,
        task,
        "network.task.released",
        allowed={"status": Task.Status.CLAIMED, "claimed_by": access.membership},
        changes={
            "status": Task.Status.OPEN,
            "claimed_by": None,
            "claimed_at": None,
            "standin_requested_at": None,
        },
    )


def task_request_standin(*, request, access: Access, task: Task) -> Task:
    """The claimer asks for a stand-in: others see "stand-in wanted" and can take it over
    (``task_claim``); until then it stays the claimer's."""
    return _claimer_change(
        request,
        access,
        task,
        "network.task.standin_requested",
        allowed={"status": Task.Status.CLAIMED, "claimed_by": access.membership},
        changes={"standin_requested_at": timezone.now()},
    )


def task_done(*, request, access: Access, task: Task) -> Task:
    """The claimer (or a coordinator or caregiver) marks a claimed task done."""
    allowed: dict = {"status": Task.Status.CLAIMED}
    if not access.plans_tasks:
        allowed["claimed_by"] = access.membership
    return _claimer_change(
        request,
        access,
        task,
        "network.task.done",
        allowed=allowed,
        changes={"status": Task.Status.DONE, "done_at": timezone.now(), "standin_requested_at": None},
    )


def task_cancel(*, request, access: Access, task: Task) -> Task:
    """A coordinator or caregiver cancels an open or claimed task (it stays, as cancelled)."""
    if not access.plans_tasks:
        raise PermissionError("this role does not plan tasks")
    return _claimer_change(
        request,
        access,
        task,
        "network.task.cancelled",
        allowed={"status__in": [Task.Status.OPEN, Task.Status.CLAIMED]},
        changes={"status": Task.Status.CANCELLED, "standin_requested_at": None},
    )


def task_update(*, request, access: Access, task: Task, **fields) -> Task:
    """A coordinator or caregiver changes what or when; a claimed task stays with its claimer (the
    task page and the next reminder show the new time)."""
    allowed = {"kind", "title", "note", "starts_at", "ends_at", "all_day", "duration_minutes"}
    if not access.plans_tasks:
        raise PermissionError("this role does not plan tasks")
    with transaction.atomic():
        for name, value in fields.items():
            if name not in allowed:
                raise TypeError(name)
            setattr(task, name, value)
        task.sequence += 1
        task.updated_at = timezone.now()
        task.save(update_fields=[*fields, "sequence", "updated_at"])
        _log(request, access, "network.task.changed", task)
    return task


# --- Tasks: reminders ---------------------------------------------------------


def _reminder_lang(member: Membership) -> str:
    """The language the member last used the site in (``User.language``)."""
    language = member.user.language if member.user is not None else ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _send_once(member: Membership, kind: str, key: str, *, subject, template: str, context: dict) -> bool:
    """Record the send and send in one transaction: a second run finds the row and skips (also
    when two runs race: the unique constraint lets one insert); a failed send leaves no row, so
    the next run tries again."""
    from django.db import IntegrityError

    from .models import ReminderSent

    if member.user is None:  # erased meanwhile
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(membership=member, kind=kind, key=key)
            with override(_reminder_lang(member)):
                mail.send(
                    to=member.user.email,
                    subject=str(subject()),
                    template=template,
                    context={**context, "name": member.display_name},
                )
    except IntegrityError:
        return False
    return True


def _day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from .recurrence import make_aware

    return make_aware(dt.datetime.combine(day, dt.time())), make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    )


def _task_url(task: Task) -> str:
    return settings.SITE_URL + reverse(
        "network:task", kwargs={"network_id": task.network_id, "task_id": task.pk}
    )


def reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """E-mail what is due (``send_network_reminders``), each at most once (``ReminderSent``):

    - to the claimer of a task that starts tomorrow (local date), and a week before when they
      asked for it;
    - to each coordinator, once a day, the open tasks of the next 7 days, those within 72 hours
      first (only when there are any).

    Nobody with reminders off, an ended membership or an erased account gets anything."""
    from .models import ReminderSent
    from .recurrence import TZ
    from .selectors import FLAG_HOURS

    now = now or timezone.now()
    today = timezone.localdate(now, timezone=TZ)
    counts = {"day_before": 0, "week_before": 0, "digest": 0}
    reachable = {"ended_at__isnull": True, "user__isnull": False, "user__is_active": True, "reminders": True}
    for kind, days, extra in (
        (ReminderSent.Kind.DAY_BEFORE, 1, {}),
        (ReminderSent.Kind.WEEK_BEFORE, 7, {"remind_week_before": True}),
    ):
        day = today + dt.timedelta(days=days)
        start, end = _day_window(day)
        rows = (
            Task.objects.filter(status=Task.Status.CLAIMED, starts_at__gte=start, starts_at__lt=end)
            .filter(**{f"claimed_by__{k}": v for k, v in {**reachable, **extra}.items()})
            .select_related("claimed_by__user", "network")
            .order_by("starts_at", "pk")
        )
        for task in rows:
            if task.claimed_by is None:
                continue
            sent = _send_once(
                task.claimed_by,
                kind,
                f"{task.pk}:{day:%Y%m%d}",
                subject=lambda task=task, days=days: (
                    (gettext("Tomorrow: %(title)s") if days == 1 else gettext("In a week: %(title)s"))
                    % {"title": task.title}
                ),
                template="network/email/reminder.txt",
                context={
                    "task": task,
                    "recipient": task.network.recipient_name,
                    "url": _task_url(task),
                    "week": days == 7,
                },
            )
            counts[kind] += sent
    horizon = _day_window(today + dt.timedelta(days=7))[1]
    open_rows = (
        Task.objects.filter(status=Task.Status.OPEN, ends_at__gt=now, starts_at__lt=horizon)
        .select_related("network")
        .order_by("starts_at", "pk")
    )
    by_network: dict = {}
    for task in open_rows:
        by_network.setdefault(task.network_id, []).append(task)
    soon = now + dt.timedelta(hours=FLAG_HOURS)
    coordinators = Membership.objects.filter(
        network_id__in=list(by_network), role=Role.COORDINATOR, **reachable
    ).select_related("user", "network")
    for member in coordinators.order_by("network_id", "pk"):
        rows = by_network[member.network_id]
        urgent = [t for t in rows if t.starts_at < soon]
        later = [t for t in rows if t.starts_at >= soon]
        sent = _send_once(
            member,
            ReminderSent.Kind.DIGEST,
            f"{today:%Y%m%d}",
            subject=lambda member=member, rows=rows: (
                ngettext(
                    "Help still needed for %(recipient)s: %(count)d task",
                    "Help still needed for %(recipient)s: %(count)d tasks",
                    len(rows),
                )
                % {"recipient": member.network.recipient_name, "count": len(rows)}
            ),
            template="network/email/digest.txt",
            context={
                "recipient": member.network.recipient_name,
                "urgent": urgent,
                "later": later,
                "url": settings.SITE_URL + reverse("network:tasks", kwargs={"network_id": member.network_id}),
            },
        )
        counts["digest"] += sent
    return counts
