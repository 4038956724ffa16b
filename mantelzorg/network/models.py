"""C3 Zorgnetwerk: a network of people around one naaste, with a shared agenda, tasks that members
claim and a care diary.

Roles are per membership (``Membership.role``), never the global ``User.role``: one person can
coordinate the network around their mother and be a member of the one around a neighbour.

Times are stored aware (UTC in the database) and shown and repeated in Europe/Amsterdam: a weekly
appointment at 10:00 stays at 10:00 local time across the change to and from summer time
(``recurrence.py``). Recurrence is an RFC 5545 RRULE value (``FREQ=WEEKLY;BYDAY=TU``), expanded by
python-dateutil; the feed writes the same value (``feeds.py``).

Nothing medical is kept here: titles and notes are for "who does what when"; the forms say so.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTE_MAX = 1000
DIARY_MAX = 2000


class Role(models.TextChoices):
    """A member's role in one network (FHIR CareTeam.participant.role, see ``fhir_r4.py``)."""

    COORDINATOR = "coordinator", _("Coordinator")
    CAREGIVER = "caregiver", _("Caregiver")
    MEMBER = "member", _("Member")
    PROFESSIONAL = "professional", _("Professional")
    RECIPIENT = "recipient", _("The person cared for")


class Relation(models.TextChoices):
    """A member's relation to the naaste (FHIR RelatedPerson.relationship, v3 RoleCode)."""

    PARTNER = "partner", _("Partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    OTHER_FAMILY = "other_family", _("Other family")
    FRIEND = "friend", _("Friend")
    NEIGHBOUR = "neighbour", _("Neighbour")
    VOLUNTEER = "volunteer", _("Volunteer")
    PROFESSIONAL = "professional", _("Professional")
    REPRESENTATIVE = "representative", _("Legal representative")
    SELF = "self", _("The person cared for")


class Network(models.Model):
    """The network around one naaste. The naaste needs no account (they can be invited)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient_name = models.CharField(_("name of the person you care for"), max_length=150)
    recipient_birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # The postcode area (PC4) only, never the full postcode: enough for the gemeente and local help.
    recipient_pc4 = models.CharField(max_length=4, blank=True)
    municipality = models.ForeignKey("core.Municipality", null=True, blank=True, on_delete=models.SET_NULL)
    # The coordinator's switches: the diary for members (off: only coordinators and caregivers see
    # it), and whether appointment notes go into the calendar feeds (off: titles only).
    diary_for_members = models.BooleanField(_("members may see the diary"), default=True)
    feed_notes = models.BooleanField(_("show notes in the calendar feeds"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recipient_name", "created_at"]
        verbose_name = _("care network")
        verbose_name_plural = _("care networks")

    def __str__(self):
        return str(_("Network around %(name)s") % {"name": self.recipient_name})


class Membership(models.Model):
    """One person in one network, with their role there. A member who leaves or is removed keeps
    their row with ``ended_at`` (their done tasks stay in the load overview); access needs an
    active row. After erasure of the account ``user`` is empty: the row shows as "oud-lid"."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="network_memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    relation = models.CharField(
        _("relation to the person cared for"), max_length=20, choices=Relation.choices
    )
    # The coordinator's one switch per member: the diary and the members' contact details.
    sees_private = models.BooleanField(_("may see the diary and contact details"), default=False)
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    reminders = models.BooleanField(_("send me reminders by e-mail"), default=True)
    remind_week_before = models.BooleanField(_("also a week before"), default=False)
    # The personal calendar feed: an unguessable token, empty when there is none (revoked).
    feed_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    joined_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                condition=Q(ended_at__isnull=True),
                name="network_membership_one_active_per_person",
            )
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return self.display_name

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def display_name(self) -> str:
        if self.user_id is None:
            return str(_("former member"))
        return self.user.name or self.user.email.split("@")[0]


class Invitation(models.Model):
    """An e-mail invitation: single use, expiring, revocable. Only a keyed hash of the link's token
    is kept; the link itself is only in the e-mail."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    relation = models.CharField(
        _("relation to the person cared for"), max_length=20, choices=Relation.choices
    )
    sees_private = models.BooleanField(_("may see the diary and contact details"), default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.network_id}: {self.role}"

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class Kind(models.TextChoices):
    """What an agenda item is. Professional visits are shown distinctly (as in Caren)."""

    APPOINTMENT = "appointment", _("Appointment")
    PROFESSIONAL_VISIT = "professional_visit", _("Visit by a professional")
    RESPITE = "respite", _("Respite care")
    TIME_OFF = "time_off", _("Time off for the caregiver")


class Appointment(models.Model):
    """One agenda item, once or repeating (``rrule``). One occurrence can differ from its series
    (``OccurrenceChange``); "this and following" ends the series (UNTIL) and starts a new one
    (``split_from``)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Planned")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.APPOINTMENT)
    title = models.CharField(_("what"), max_length=120)
    place = models.CharField(_("where"), max_length=200, blank=True)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    # All-day: starts_at is local midnight of the first day, ends_at local midnight after the last.
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    all_day = models.BooleanField(_("all day"), default=False)
    rrule = models.CharField(_("repeats"), max_length=300, blank=True)  # RFC 5545 RRULE value
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    goers = models.ManyToManyField(
        Membership, blank=True, related_name="appointments", verbose_name=_("who goes")
    )
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    split_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Where an item placed by another app comes from ("respite.booking:<id>"), empty otherwise.
    origin = models.CharField(max_length=100, blank=True)
    sequence = models.PositiveIntegerField(default=0)  # RFC 5545 SEQUENCE, raised on every change
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["network", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="network_appointment_ends_after_start"
            )
        ]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self):
        return self.title

    @property
    def uid(self) -> str:
        return f"{self.id}@mantelzorg"


class OccurrenceChange(models.Model):
    """One occurrence of a series that differs from it: moved or changed, cancelled (it stays in
    the agenda and the feed as cancelled, STATUS:CANCELLED) or removed (gone, EXDATE)."""

    class State(models.TextChoices):
        CHANGED = "changed", _("Changed")
        CANCELLED = "cancelled", _("Cancelled")
        REMOVED = "removed", _("Removed")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    original_start = models.DateTimeField()  # RECURRENCE-ID: the start the series gives it
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHANGED)
    starts_at = models.DateTimeField(null=True, blank=True)  # empty: as the series
    ends_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=120, blank=True)  # empty: as the series
    place = models.CharField(max_length=200, blank=True)
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["original_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "original_start"], name="network_change_one_per_occurrence"
            )
        ]

    def __str__(self):
        return f"{self.appointment_id} {self.original_start:%Y-%m-%d %H:%M} {self.state}"


class TaskKind(models.TextChoices):
    """The kinds of help (Lotsa Helping Hands, CaringBridge: meals, rides, shopping, visits …)."""

    SHOPPING = "shopping", _("Shopping")
    DRIVING = "driving", _("Driving")
    COOKING = "cooking", _("Cooking")
    COMPANY = "company", _("Company")
    HOUSEHOLD = "household", _("Household")
    ADMINISTRATION = "administration", _("Administration")
    NIGHT_WATCH = "night_watch", _("Night watch")
    OTHER = "other", _("Other help")


class Activity(models.Model):
    """A repeating piece of help that makes task occurrences ("3 times a week for 6 weeks" = 18
    tasks, as Lotsa Helping Hands' Activity). Each task is claimed on its own."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind of help"), max_length=20, choices=TaskKind.choices)
    title = models.CharField(_("what"), max_length=120)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    starts_at = models.DateTimeField(_("first time"))
    duration_minutes = models.PositiveIntegerField(_("how long (minutes)"), default=60)
    all_day = models.BooleanField(_("any time that day"), default=False)
    rrule = models.CharField(_("repeats"), max_length=300)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("repeating help")
        verbose_name_plural = _("repeating help")

    def __str__(self):
        return self.title


class Task(models.Model):
    """One piece of help on a date or over a period, claimed by one member.

    A claim is one conditional UPDATE (``services.task_claim``): of two members claiming at once,
    exactly one wins and the other is told who has it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLAIMED = "claimed", _("Someone does it")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="tasks")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    kind = models.CharField(_("kind of help"), max_length=20, choices=TaskKind.choices)
    title = models.CharField(_("what"), max_length=120)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    # A date (all_day, ends_at the next local midnight), a time, or a period of days (all_day).
    starts_at = models.DateTimeField(_("when"))
    ends_at = models.DateTimeField(_("until"))
    all_day = models.BooleanField(_("any time that day"), default=False)
    duration_minutes = models.PositiveIntegerField(_("how long (minutes)"), default=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    claimed_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="claimed_tasks"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    standin_requested_at = models.DateTimeField(null=True, blank=True)  # the claimer asks for a stand-in
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["network", "starts_at"]),
            models.Index(fields=["claimed_by", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="network_task_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "cancelled"]) | Q(claimed_at__isnull=False),
                name="network_task_claimed_has_claimer",
            ),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self):
        return self.title

    @property
    def begun(self) -> bool:
        """Whether the help has started (only then is "It is done" the page's main button)."""
        return self.starts_at <= timezone.now()

    @property
    def uid(self) -> str:
        return f"task-{self.id}@mantelzorg"


class DiaryEntry(models.Model):
    """A short entry in the care diary (dagboek). No medical records: the form says so."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="diary")
    author = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("what happened"), max_length=DIARY_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["network", "-created_at"])]
        verbose_name = _("diary entry")
        verbose_name_plural = _("diary entries")

    def __str__(self):
        return f"{self.network_id} {self.created_at:%Y-%m-%d %H:%M}"


class ReminderSent(models.Model):
    """What ``send_network_reminders`` has sent, so that running it twice sends nothing twice:
    one row per member, kind and key (a task id, or the date of a digest)."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "day_before", _("A day before")
        WEEK_BEFORE = "week_before", _("A week before")
        DIGEST = "digest", _("Daily overview of open tasks")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=64)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind", "key"], name="network_reminder_once")
        ]

    def __str__(self):
        return f"{self.membership_id} {self.kind} {self.key}"
