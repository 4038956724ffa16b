"""Tijdelijk verblijf en logeerzorg (issue 15, C7): beds and places of respite providers, the
stays requested in them, the waiting list and the nights a gemeente grants a year.

A ``Unit`` is one bed or place that belongs to a service of the sociale kaart (C2), so it is found
there. A ``Stay`` occupies a unit for the nights ``arrival`` … ``departure - 1`` while it is
*offered* (a waiting-list offer), *held* (requested, the provider decides) or *confirmed* (a
booking). No two such stays of one unit overlap: the database refuses it (docs/respite-booking.md:
an exclusion constraint on PostgreSQL, a trigger on SQLite, both added in migration 0002)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The forms of temporary stay (domain-facts §2.3; anchors §1d: the coördinatiefuncties
    handle ELV, GRZ, Wlz-crisis and Wmo-spoed)."""

    LOGEERZORG_WMO = "logeerzorg_wmo", _("Respite stay (Wmo)")
    LOGEERZORG_WLZ = "logeerzorg_wlz", _("Respite stay (Wlz)")
    ELV_LOW = "elv_low", _("ELV, low complexity")
    ELV_HIGH = "elv_high", _("ELV, high complexity")
    WLZ_CRISIS = "wlz_crisis", _("Wlz crisis stay")
    GRZ = "grz", _("Geriatric rehabilitation (GRZ)")
    WMO_URGENT = "wmo_urgent", _("Urgent stay (Wmo)")


# The kinds a caregiver plans and requests themself; the others are requested by professionals.
PLANNED_KINDS = frozenset({Kind.LOGEERZORG_WMO, Kind.LOGEERZORG_WLZ})
PROFESSIONAL_KINDS = frozenset(set(Kind) - PLANNED_KINDS)


class TargetGroup(models.TextChoices):
    DEMENTIA = "dementia", _("Dementia")
    INTELLECTUAL = "intellectual", _("Intellectual disability")
    BRAIN_INJURY = "brain_injury", _("Acquired brain injury (NAH)")
    PSYCHIATRIC = "psychiatric", _("Psychiatric condition")
    CHILDREN = "children", _("Children")
    OLDER = "older", _("Older people")


class Funding(models.TextChoices):
    WMO = "wmo", _("Wmo (municipality, with an indication)")
    WLZ = "wlz", _("Wlz (long-term care)")
    ZVW = "zvw", _("Zvw (health insurance)")
    PRIVATE = "private", _("Paid yourself")


class Unit(models.Model):
    """One bed or place. ``latitude``/``longitude``/``municipality`` are copied from its location
    when saved through ``services.unit_save`` (the availability search filters on them)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        "directory.Service", on_delete=models.CASCADE, related_name="respite_units", verbose_name=_("service")
    )
    location = models.ForeignKey(
        "directory.Location",
        on_delete=models.PROTECT,
        related_name="respite_units",
        verbose_name=_("location"),
    )
    name = models.CharField(
        _("name"), max_length=80, help_text=_("For example: Room 3, or Bed by the garden.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    target_groups = models.JSONField(_("for whom"), default=list, blank=True)  # TargetGroup values
    wheelchair = models.BooleanField(_("wheelchair accessible"), default=False)
    night_care = models.BooleanField(_("care at night"), default=False)
    behaviour = models.BooleanField(_("room for behaviour that needs extra attention"), default=False)
    min_nights = models.PositiveSmallIntegerField(_("shortest stay (nights)"), default=1)
    max_nights = models.PositiveSmallIntegerField(_("longest stay (nights)"), default=14)
    # ISO weekdays (1 = Monday) on which a stay may begin; empty: every day.
    admission_days = models.JSONField(_("arrival days"), default=list, blank=True)
    funding = models.JSONField(_("funding"), default=list)  # Funding values
    price_per_night = models.DecimalField(
        _("price per night (euros)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(_("in use"), default=True)
    latitude = models.FloatField(editable=False)
    longitude = models.FloatField(editable=False)
    municipality = models.ForeignKey(
        "core.Municipality", on_delete=models.PROTECT, related_name="respite_units", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["service", "name"]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="respite_unit_position"),
            models.Index(fields=["municipality", "kind"], name="respite_unit_region"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_nights__gte=models.F("min_nights")) & Q(min_nights__gte=1),
                name="respite_unit_stay_bounds",
            )
        ]
        verbose_name = _("bed or place")
        verbose_name_plural = _("beds and places")

    def __str__(self):
        return f"{self.service} – {self.name}"


class Closure(models.Model):
    """Days a unit cannot be booked: ``first_day`` … ``last_day`` (both included)."""

    class Reason(models.TextChoices):
        CLOSED = "closed", _("Closed")
        MAINTENANCE = "maintenance", _("Maintenance")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="closures")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, default=Reason.CLOSED)

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="respite_closure_in_order"
            )
        ]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self):
        return f"{self.unit_id} {self.first_day}–{self.last_day} {self.reason}"


class Guest(models.Model):
    """The naaste who stays, as the caregiver (or a professional) describes them: no BSN, no name
    beyond what the provider needs to greet them. The gemeente (from the postcode) decides the
    yearly nights (``Allowance``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="respite_guests"
    )
    name = models.CharField(_("name of the person who stays"), max_length=80)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    pc4 = models.CharField(max_length=4)
    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    target_groups = models.JSONField(default=list, blank=True)
    wheelchair = models.BooleanField(default=False)
    night_care = models.BooleanField(default=False)
    behaviour = models.BooleanField(default=False)
    # The care network (C3) around this person, where the stay appears in the agenda.
    network = models.ForeignKey(
        "network.Network", null=True, blank=True, on_delete=models.SET_NULL, related_name="respite_guests"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("guest")
        verbose_name_plural = _("guests")

    def __str__(self):
        return self.name


class Allowance(models.Model):
    """Nights of Wmo-funded respite a gemeente grants per naaste per calendar year (e.g.
    Goeree-Overflakkee: up to 18 days a year; capabilities §C7)."""

    municipality = models.ForeignKey("core.Municipality", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    nights = models.PositiveSmallIntegerField(_("nights a year"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="respite_allowance_once")
        ]
        verbose_name = _("respite allowance")
        verbose_name_plural = _("respite allowances")

    def __str__(self):
        return f"{self.municipality_id} {self.year}: {self.nights}"


class Urgency(models.TextChoices):
    PLANNED = "planned", _("Planned")
    THIS_WEEK = "this_week", _("Within a week")
    TODAY = "today", _("Today or tomorrow")


class Stay(models.Model):
    """A request for a unit's nights and what became of it (the state machine is in
    ``services``: offered → held → confirmed; held → declined | expired | cancelled; confirmed →
    cancelled). Erasure of the requester anonymises the row (``anonymised_at``): the provider keeps
    dates and unit, not the person."""

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered from the waiting list")
        HELD = "held", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="stays")
    arrival = models.DateField(_("arrival"))
    departure = models.DateField(_("departure"))
    state = models.CharField(max_length=10, choices=State.choices, db_index=True)
    # Until when an offered or held stay keeps its nights (then ``services.holds_expire`` frees them).
    hold_until = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="respite_stays",
    )
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.SET_NULL, related_name="stays")
    funding = models.CharField(_("funding"), max_length=8, choices=Funding.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.PLANNED)
    needs = models.TextField(_("what the provider should know"), max_length=2000, blank=True)
    contact_phone = models.CharField(_("phone number"), max_length=20, blank=True)
    indication = models.CharField(_("indication"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=1000, blank=True)
    waiting = models.ForeignKey(
        "WaitingEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="offers"
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["arrival", "pk"]
        indexes = [
            # The availability search reads the stays of its units that end after the window
            # begins; all it needs is in this index (a covering index: no table lookups per stay,
            # BENCHMARKS.md 2026-12-04). It replaces the (unit, departure) index of 0001.
            models.Index(
                fields=["unit", "departure", "arrival", "state", "hold_until"],
                name="respite_stay_unit_window",
            ),
            models.Index(fields=["state", "hold_until"], name="respite_stay_holds"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(departure__gt=models.F("arrival")), name="respite_stay_nights"
            ),
        ]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")

    def __str__(self):
        return f"{self.unit_id} {self.arrival}–{self.departure} {self.state}"

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days

    def night_dates(self) -> list[dt.date]:
        return [self.arrival + dt.timedelta(days=n) for n in range(self.nights)]


# The states in which a stay occupies its unit's nights (the constraint's condition).
OCCUPYING = (Stay.State.OFFERED, Stay.State.HELD, Stay.State.CONFIRMED)


class WaitingEntry(models.Model):
    """A place on the waiting list: for these dates and needs near this postcode. When nights
    free up, the first matching entry gets an offer (a stay in state *offered*) valid for
    ``OFFER_HOURS``; unanswered, the next one does (pretix's waiting list, capabilities §C7)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a place")
        ACCEPTED = "accepted", _("Accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        LAPSED = "lapsed", _("Past its dates")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="respite_waiting"
    )
    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="waiting")
    pc4 = models.CharField(max_length=4)
    radius_km = models.PositiveSmallIntegerField(default=25)
    arrival = models.DateField()
    departure = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    funding = models.CharField(max_length=8, choices=Funding.choices)
    needs = models.JSONField(
        default=dict
    )  # the profile filter: target_group, wheelchair, night_care, behaviour
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(departure__gt=models.F("arrival")), name="respite_waiting_nights"
            ),
        ]
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")

    def __str__(self):
        return f"{self.kind} {self.arrival}–{self.departure} {self.state}"


class Generation(models.Model):
    """One row: how many changes the units, stays and closures have seen (``value``), and up to
    which change the log was pruned (``pruned_through``). Written only by the database triggers of
    migration 0004, inside the transaction of each change: the row is locked until that
    transaction commits, so changes commit in the order of their numbers (index.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)
    pruned_through = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "respite change counter"

    def __str__(self):
        return f"{self.value} (pruned through {self.pruned_through})"


class Change(models.Model):
    """A change to one unit's nights or profile (a stay, closure or the unit itself was inserted,
    updated or deleted), numbered by ``Generation.value`` (PostgreSQL numbers a statement once,
    whatever its rows); written by the triggers of migration 0004, read by the availability index
    of every process (index.py), pruned by ``index.prune``."""

    id = models.BigAutoField(primary_key=True)
    version = models.BigIntegerField(db_index=True)
    unit_id = models.UUIDField()

    class Meta:
        verbose_name = "respite change"

    def __str__(self):
        return f"{self.version}: {self.unit_id}"
