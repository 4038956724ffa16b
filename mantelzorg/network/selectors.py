"""Reads of care networks, with the access rule, once: ``network_access``.

A person reaches a network only through their own active membership of it; anyone else, and a
member who left or was removed, gets 404 on everything of it (audited as denied). What a member
may do there follows from their role in that network (``Access``), never from ``User.role``.
Every read of the agenda, the tasks, the diary or the members is audited here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone

from mantelzorg.core import audit

from .models import DiaryEntry, Invitation, Kind, Membership, Network, Role

PURPOSE = "care network"  # the purpose of every read and change by a member of the network

# Who may add which kind of agenda item: coordinators and caregivers everything, a professional
# their visits, other members and the naaste ordinary appointments.
_KINDS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.COORDINATOR: frozenset(Kind.values),
    Role.CAREGIVER: frozenset(Kind.values),
    Role.PROFESSIONAL: frozenset({Kind.PROFESSIONAL_VISIT, Kind.APPOINTMENT}),
    Role.MEMBER: frozenset({Kind.APPOINTMENT}),
    Role.RECIPIENT: frozenset({Kind.APPOINTMENT}),
}


@dataclass(frozen=True)
class Access:
    """A person's active membership of a network and what it lets them do there."""

    network: Network
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def manages(self) -> bool:
        """Invite, remove, change roles and switches, settings: the coordinator(s)."""
        return self.role == Role.COORDINATOR

    @property
    def main_carer(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.CAREGIVER)

    @property
    def sees_contacts(self) -> bool:
        return self.main_carer or self.membership.sees_private

    @property
    def sees_diary(self) -> bool:
        return self.main_carer or (self.network.diary_for_members and self.membership.sees_private)

    @property
    def plans_tasks(self) -> bool:
        return self.main_carer

    @property
    def claims_tasks(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.CAREGIVER, Role.MEMBER)

    @property
    def agenda_kinds(self) -> frozenset[str]:
        return _KINDS_BY_ROLE.get(self.role, frozenset())

    def may_edit(self, appointment) -> bool:
        """Coordinators and caregivers change every item; others the kinds they may add."""
        return self.main_carer or (
            appointment.kind in self.agenda_kinds and appointment.created_by_id == self.membership.pk
        )


def _user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def network_list_for_user(user) -> list[Access]:
    """The networks ``user`` is an active member of, with their role in each."""
    if user is None or not user.is_authenticated:
        return []
    rows = (
        Membership.objects.filter(user=user, ended_at__isnull=True)
        .select_related("network", "network__municipality", "user")
        .order_by("network__recipient_name", "network__created_at")
    )
    return [Access(network=m.network, membership=m) for m in rows]


def network_list(request) -> list[Access]:
    """The signed-in caller's own networks (``network_list_for_user``), the read audited once:
    the subject is the caller (their memberships), each network is in the list."""
    user = _user(request)
    rows = network_list_for_user(user)
    audit.log(
        request=request,
        action="network.network.listed",
        object_type="network.membership",
        object_id=f"user:{user.pk}" if user is not None else audit.NONE,
        subject=user,
        purpose=PURPOSE,
    )
    return rows


def network_access(request, network_id, *, action: str, need: str = "") -> Access:
    """The caller's access to the network, or 404 (audited as denied).

    ``action`` names the audit action of what the caller tries (``network.agenda.viewed``);
    ``need`` an ``Access`` property that must hold (``"manages"``, ``"sees_diary"`` …): a member
    without it gets 404 too, as if the page did not exist."""
    user = _user(request)
    membership = None
    if user is not None:
        membership = (
            Membership.objects.select_related("network", "network__municipality", "user")
            .filter(network_id=network_id, user=user, ended_at__isnull=True)
            .first()
        )
    access = Access(network=membership.network, membership=membership) if membership else None
    if access is None or (need and not getattr(access, need)):
        # The refused attempt names whom the network is about when there is one (as a read would).
        exists = access is not None or Network.objects.filter(pk=network_id).exists()
        audit.denied(
            request=request,
            action=action,
            object_type="network.network",
            object_id=str(network_id),
            subject=f"network:{network_id}" if exists else audit.NONE,
            purpose="not a member of this network" if access is None else f"membership lacks {need}",
        )
        raise Http404
    return access


def log_read(request, access: Access, *, action: str, obj=None) -> None:
    """The audit row of one read of a network's data by a member (agenda, tasks, diary, members)."""
    audit.log(
        request=request,
        action=action,
        obj=obj if obj is not None else access.network,
        subject=_subject(access.network),
        role=access.role,
        purpose=PURPOSE,
    )


def reshown(request, access: Access, *, action: str, obj=None) -> None:
    """An edit form shown again after a POST that stored nothing (invalid, or refused by the
    service): the record it shows is read again, the request's one row. A GET has its row from
    the page's selector, so nothing here."""
    if request.method == "POST":
        log_read(request, access, action=action, obj=obj)


def _subject(network: Network) -> str:
    """Whom a network's data is about: the naaste, who may have no account (the network id)."""
    return f"network:{network.pk}"


def member_list(request, access: Access) -> list[Membership]:
    """The active members, coordinators first (audited). Contact details are the template's to
    hide: ``access.sees_contacts``."""
    order = {r: i for i, r in enumerate(Role.values)}
    rows = list(
        Membership.objects.filter(network=access.network, ended_at__isnull=True).select_related("user")
    )
    rows.sort(key=lambda m: (order[m.role], m.display_name.lower(), m.pk))
    log_read(request, access, action="network.member.listed")
    return rows


def member_get(request, access: Access, member_id, *, audited: bool = True) -> Membership:
    """One active member of the network, or 404 (audited as a read when ``audited``: a POST
    that changes the member has the service's row as its one row)."""
    member = (
        Membership.objects.select_related("user")
        .filter(pk=member_id, network=access.network, ended_at__isnull=True)
        .first()
    )
    if member is None:
        raise Http404
    if audited:
        log_read(request, access, action="network.member.viewed", obj=member)
    return member


def my_membership(request, access: Access, *, audited: bool = True) -> Membership:
    """The caller's own membership, for their settings page (audited when ``audited``)."""
    if audited:
        log_read(request, access, action="network.member.viewed", obj=access.membership)
    return access.membership


def network_get(request, access: Access, *, audited: bool = True) -> Network:
    """The network with the naaste's details, for its settings page (audited when ``audited``)."""
    if audited:
        log_read(request, access, action="network.network.viewed")
    return access.network


def invitation_list(request, access: Access) -> list[Invitation]:
    """The invitations still pending (only coordinators ask)."""
    now = timezone.now()
    return list(
        Invitation.objects.filter(
            network=access.network, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
    )


def diary_list(request, access: Access, *, limit: int = 50) -> list[DiaryEntry]:
    """The newest diary entries with their author (audited); only for ``access.sees_diary``."""
    if not access.sees_diary:
        audit.denied(
            request=request,
            action="network.diary.viewed",
            obj=access.network,
            subject=_subject(access.network),
            purpose="membership lacks sees_diary",
        )
        raise Http404
    rows = list(DiaryEntry.objects.filter(network=access.network).select_related("author__user")[:limit])
    log_read(request, access, action="network.diary.viewed")
    return rows


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation of an e-mail link, if it can still be used."""
    invitation = Invitation.objects.select_related("network").filter(token_hash=token_hash(token)).first()
    return invitation if invitation is not None and invitation.pending else None


def invitation_open(request, token: str, *, audited: bool = True) -> Invitation | None:
    """The invitation of an e-mail link (``invitation_by_token``), its read audited when
    ``audited`` (the page shows the naaste's and the inviter's name); an unusable link is audited
    as a refused attempt. Accepting it has the service's row as its one row (``audited=False``)."""
    invitation = invitation_by_token(token)
    if invitation is None:
        audit.denied(
            request=request,
            action="network.invitation.viewed",
            object_type="network.invitation",
            purpose="unknown, used, revoked or expired invitation link",
        )
        return None
    if audited:
        audit.log(
            request=request,
            action="network.invitation.viewed",
            obj=invitation,
            subject=_subject(invitation.network),
            purpose=PURPOSE,
        )
    return invitation


def membership_by_feed_token(token: str) -> Membership | None:
    """The active membership whose calendar feed this token opens (a revoked token: none)."""
    if not token:
        return None
    return (
        Membership.objects.select_related("network", "user")
        .filter(feed_token=token, ended_at__isnull=True, user__isnull=False)
        .first()
    )


# --- Agenda ---------------------------------------------------------------------------------


def _goers():
    """An item's goers with their accounts, in one query (their names are shown)."""
    from django.db.models import Prefetch

    return Prefetch("goers", Membership.objects.select_related("user"))


def appointments_in(network, start, end):
    """The appointments of ``network`` that can have an occurrence in ``[start, end)``, with their
    changes and goers (their accounts joined): three queries, whatever the number of series or
    occurrences."""
    from django.db.models import Q

    from .models import Appointment

    once = Q(rrule="", starts_at__lt=end, ends_at__gt=start)
    series = ~Q(rrule="") & Q(starts_at__lt=end)
    return (
        Appointment.objects.filter(network=network)
        .filter(once | series)
        .prefetch_related("changes", _goers())
    )


def agenda(request, access: Access, start, end, *, audited: bool = True) -> list:
    """The occurrences in ``[start, end)`` (``recurrence.Occurrence``), by start (audited, unless
    a page selector that writes the page's one row asks: ``overview``)."""
    from .recurrence import occurrences

    result = occurrences(appointments_in(access.network, start, end), start, end)
    if audited:
        log_read(request, access, action="network.agenda.viewed")
    return result


@dataclass(frozen=True)
class Overview:
    """What a network's home page shows: the coming week's occurrences and the open help."""

    start: object  # local midnight of today
    today: object
    occurrences: list
    open_tasks: list


OVERVIEW_DAYS = 7
OVERVIEW_TASKS = 5


def overview(request, access: Access) -> Overview:
    """The home page: the agenda of the coming week and the first open tasks, read as one
    (one audit row, ``network.overview.viewed``: one page, one read)."""
    import datetime as dt

    from .recurrence import TZ

    today = timezone.localdate(timezone=TZ)
    start = dt.datetime.combine(today, dt.time(), tzinfo=TZ)
    occurrences = agenda(request, access, start, start + dt.timedelta(days=OVERVIEW_DAYS), audited=False)
    tasks = task_list(request, access, which="open", limit=OVERVIEW_TASKS, audited=False)
    log_read(request, access, action="network.overview.viewed")
    return Overview(start=start, today=today, occurrences=occurrences, open_tasks=tasks)


# Agenda: one item and one occurrence.


def appointment_get(request, access: Access, appointment_id, *, audited: bool = True):
    """One item of the network with its changes and goers (audited as a read), or 404 (another
    network's item is not found either)."""
    from .models import Appointment

    appointment = (
        Appointment.objects.filter(network=access.network, pk=appointment_id)
        .prefetch_related("changes", _goers())
        .select_related("created_by__user")
        .first()
    )
    if appointment is None:
        raise Http404
    if audited:
        log_read(request, access, action="network.appointment.viewed", obj=appointment)
    return appointment


def agenda_goer_choices(access: Access, *, request=None) -> list[Membership]:
    """The active members someone can say goes along (names only, for the form's checkboxes).
    With ``request`` the read is audited (``network.member.listed``): the new-item form, whose
    GET reads nothing else; a page that already writes its row (an item's edit form) or a POST
    (the service's row) passes none."""
    rows = list(
        Membership.objects.filter(network=access.network, ended_at__isnull=True, user__isnull=False)
        .select_related("user")
        .order_by("joined_at", "pk")
    )
    if request is not None:
        log_read(request, access, action="network.member.listed")
    return rows


def remaining_count(appointment, original_start) -> int | None:
    """For a series that ends after a number of times: how many are left from ``original_start``
    on (the COUNT of "this and following")."""
    from .recurrence import count_before, rrule_parse

    repeat = rrule_parse(appointment.rrule)
    if repeat.count is None:
        return None
    return max(repeat.count - count_before(appointment.rrule, appointment.starts_at, original_start), 1)


def occurrence_get(appointment, key: str):
    """The occurrence of ``appointment`` named by ``key`` (its series start, ``Occurrence.key``),
    as shown (moved, changed, cancelled); for an item once, its only occurrence. 404 when the
    series has no such occurrence or it was removed."""
    from .recurrence import occurrence_at, parse_key

    original = parse_key(key) if key else appointment.starts_at
    found = occurrence_at(appointment, original) if original is not None else None
    if found is None:
        raise Http404
    return found


# --- Tasks --------------------------------------------------------------------

FLAG_HOURS = 72  # an open task starting within this many hours is flagged to the coordinators
TASK_LIST_LIMIT = 300
LOAD_WINDOWS = (28, 84)  # days: "the last 4 weeks" and "the last 12 weeks"


def _tasks(access: Access):
    from .models import Task

    return Task.objects.filter(network=access.network).select_related("claimed_by__user", "activity")


def _dressed(task):
    """``task.last_day``: the last local date of help over several days, else None."""
    import datetime as dt

    from .recurrence import TZ

    task.last_day = None
    if task.all_day:
        last = (task.ends_at.astimezone(TZ) - dt.timedelta(days=1)).date()
        if last > task.starts_at.astimezone(TZ).date():
            task.last_day = last
    return task


def task_list(
    request,
    access: Access,
    *,
    which: str = "open",
    start=None,
    end=None,
    limit: int | None = None,
    audited: bool = True,
) -> list:
    """The tasks of one tab, soonest first (audited): ``open`` (nobody has it yet, or its claimer
    asks for a stand-in), ``mine`` (claimed or done by me) or ``all`` (also cancelled ones). Tasks
    that overlap ``[start, end)``; ``start`` defaults to now for open and mine, to today's local
    midnight for all; ``end`` to no end. At most ``limit`` (default ``TASK_LIST_LIMIT``)."""
    import datetime as dt

    from django.db.models import Q

    from .models import Task
    from .recurrence import TZ

    now = timezone.now()
    if start is None:
        today = timezone.localdate(now, timezone=TZ)
        start = dt.datetime.combine(today, dt.time(), tzinfo=TZ) if which == "all" else now
    rows = _tasks(access).filter(ends_at__gt=start)
    if end is not None:
        rows = rows.filter(starts_at__lt=end)
    if which == "open":
        rows = rows.filter(
            Q(status=Task.Status.OPEN) | Q(status=Task.Status.CLAIMED, standin_requested_at__isnull=False)
        )
    elif which == "mine":
        rows = rows.filter(claimed_by=access.membership, status__in=[Task.Status.CLAIMED, Task.Status.DONE])
    elif which != "all":
        raise ValueError(which)
    result = [_dressed(t) for t in rows.order_by("starts_at", "pk")[: limit or TASK_LIST_LIMIT]]
    if audited:
        log_read(request, access, action="network.task.listed")
    return result


def task_get(request, access: Access, task_id, *, audited: bool = True):
    """One task of the network with its claimer, or 404 (audited when ``audited``: a POST that
    changes the task has the service's row as its one row)."""
    task = _tasks(access).filter(pk=task_id).first()
    if task is None:
        raise Http404
    if audited:
        log_read(request, access, action="network.task.viewed", obj=task)
    return _dressed(task)


TASK_BOARD_DAYS = 28  # the tasks page shows the coming 4 weeks unless asked for everything ahead


def task_board(
    request, access: Access, *, which: str = "open", everything: bool = False
) -> tuple[list, list]:
    """The tasks page: the tab's tasks of the coming ``TASK_BOARD_DAYS`` (or all ahead, at most
    ``TASK_LIST_LIMIT``) and, on the open tab, the flagged ones for coordinators (shown apart, so
    left out of the rows), read as one (one row, ``network.task.listed``)."""
    import datetime as dt

    end = None if everything else timezone.now() + dt.timedelta(days=TASK_BOARD_DAYS)
    rows = task_list(request, access, which=which, end=end, audited=False)
    flagged = flagged_tasks(request, access, audited=False) if which == "open" else []
    flagged_ids = {t.pk for t in flagged}
    log_read(request, access, action="network.task.listed")
    return [t for t in rows if t.pk not in flagged_ids], flagged


def activity_get(request, access: Access, activity_id, *, audited: bool = True):
    """One repeating activity of the network, or 404 (audited when ``audited``)."""
    activity = access.network.activities.filter(pk=activity_id).first()
    if activity is None:
        raise Http404
    if audited:
        log_read(request, access, action="network.activity.viewed", obj=activity)
    return activity


def flagged_tasks(request, access: Access, *, now=None, audited: bool = True) -> list:
    """Open tasks that start within ``FLAG_HOURS`` hours (or have started and not ended): only for
    coordinators, empty for everyone else (audited when shown)."""
    import datetime as dt

    from .models import Task

    if not access.manages:
        return []
    now = now or timezone.now()
    rows = [
        _dressed(t)
        for t in _tasks(access)
        .filter(status=Task.Status.OPEN, ends_at__gt=now, starts_at__lt=now + dt.timedelta(hours=FLAG_HOURS))
        .order_by("starts_at", "pk")
    ]
    if audited:
        log_read(request, access, action="network.task.listed")
    return rows


def plan_changed(task) -> bool:
    """Whether the repeating activity of a claimed ``task`` no longer makes it as it is (changed or
    stopped after it was claimed): the task stays, its page tells the claimer."""
    import datetime as dt

    from .recurrence import starts

    activity = task.activity
    if activity is None or task.status not in ("claimed", "done"):
        return False
    if (task.title, task.kind, task.duration_minutes, task.all_day) != (
        activity.title,
        activity.kind,
        activity.duration_minutes,
        activity.all_day,
    ):
        return True
    moment = task.starts_at
    return moment not in starts(activity.rrule, activity.starts_at, moment, moment + dt.timedelta(seconds=1))


def _done_filter(now):
    """The load rule: a task counts as done by its claimer when it is marked done, or when it is
    claimed and has ended (nobody marks every task done). Cancelled and open tasks never count."""
    from django.db.models import Q

    from .models import Task

    return Q(status=Task.Status.DONE) | Q(status=Task.Status.CLAIMED, ends_at__lte=now)


@dataclass(frozen=True)
class LoadRow:
    """One member's share: tasks done and hours in the last 28 and 84 days."""

    member: Membership
    tasks_4: int
    hours_4: float
    tasks_12: int
    hours_12: float

    @property
    def former(self) -> bool:
        return not self.member.active


def load_spread(request, access: Access, *, now=None) -> list[LoadRow]:
    """Per member, active or former, the tasks done and their hours in the last 28 and 84 days
    (``_done_filter``; a task counts on the day it starts, for its ``duration_minutes``). Active
    members who claim tasks are listed even with nothing done; former members only with something
    done. Most hours (12 weeks) first. Two queries (audited)."""
    import datetime as dt

    from django.db.models import Count, Q, Sum

    from .models import Task

    now = now or timezone.now()
    short, long = (now - dt.timedelta(days=days) for days in LOAD_WINDOWS)
    recent_short, recent_long = Q(starts_at__gte=short), Q(starts_at__gte=long)
    totals: dict[int, dict] = {
        row["claimed_by"]: dict(row)
        for row in Task.objects.filter(_done_filter(now), network=access.network, starts_at__gte=long)
        .filter(claimed_by__isnull=False, starts_at__lt=now)
        .values("claimed_by")
        .annotate(
            tasks_4=Count("pk", filter=recent_short),
            minutes_4=Sum("duration_minutes", filter=recent_short),
            tasks_12=Count("pk", filter=recent_long),
            minutes_12=Sum("duration_minutes", filter=recent_long),
        )
    }
    members = Membership.objects.filter(network=access.network).select_related("user")
    claimers = {Role.COORDINATOR, Role.CAREGIVER, Role.MEMBER}
    rows = []
    for member in members:
        total = totals.get(member.pk, {})
        if not total and not (member.active and member.role in claimers):
            continue
        rows.append(
            LoadRow(
                member=member,
                tasks_4=total.get("tasks_4") or 0,
                hours_4=round((total.get("minutes_4") or 0) / 60, 1),
                tasks_12=total.get("tasks_12") or 0,
                hours_12=round((total.get("minutes_12") or 0) / 60, 1),
            )
        )
    rows.sort(key=lambda r: (-r.hours_12, -r.hours_4, r.former, r.member.display_name.lower(), r.member.pk))
    log_read(request, access, action="network.load.viewed")
    return rows


def care_hours_per_week(user, *, now=None) -> int | None:
    """For the Balanscheck's question on hours of care per week: the hours of the tasks ``user``
    did in the last 4 weeks (``_done_filter``), divided by 4, in the networks where they are a
    coordinator or caregiver; None without any (no network, or nothing done). A suggestion the
    caregiver can change; the assessment calls it, the network never calls the assessment."""
    import datetime as dt

    from django.db.models import Sum

    from .models import Task

    if user is None or not user.is_authenticated:
        return None
    now = now or timezone.now()
    minutes = (
        Task.objects.filter(
            _done_filter(now),
            claimed_by__user=user,
            claimed_by__ended_at__isnull=True,
            claimed_by__role__in=[Role.COORDINATOR, Role.CAREGIVER],
            starts_at__gte=now - dt.timedelta(days=LOAD_WINDOWS[0]),
            starts_at__lt=now,
        ).aggregate(total=Sum("duration_minutes"))["total"]
        or 0
    )
    if not minutes:
        return None
    # Rounded half up (2.5 hours a week is 3); under half an hour a week is no suggestion: "about 1
    # hour a week" for 20 minutes would claim more than the person did.
    return int(minutes / 60 / 4 + 0.5) or None


# --- Calendar feed -------------------------------------------------------------


def my_feed_token(request, access: Access) -> str | None:
    """The caller's own calendar link token, for their feed page (audited: the link opens the
    network's agenda, ``network.feed.viewed``)."""
    log_read(request, access, action="network.feed.viewed", obj=access.membership)
    return access.membership.feed_token
