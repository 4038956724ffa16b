"""C1 Balanscheck: instruments as data, saved checks, local thresholds, anonymous statistics.

Answers are stored only in ``SavedCheck`` and only when the caregiver asks to keep a check.
``AnonymousContribution`` has no link to a person or a check (and no finer time than a month).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InstrumentDefinition(models.Model):
    """A FHIR R4B Questionnaire (JSON) the engine can score: shipped, or loaded by an operator."""

    questionnaire_id = models.CharField(_("questionnaire id"), max_length=64, db_index=True)
    url = models.URLField(_("canonical URL"), max_length=255)
    version = models.CharField(_("version"), max_length=32)
    title = models.CharField(_("title"), max_length=255, blank=True)
    json = models.JSONField(_("Questionnaire (FHIR JSON)"))
    checksum = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(_("active"), default=True)
    builtin = models.BooleanField(_("shipped with the software"), default=False, editable=False)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["questionnaire_id", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["url", "version"], name="assessment_instrument_url_version")
        ]

    def __str__(self):
        return f"{self.title or self.questionnaire_id} ({self.version})"


class LocalThresholds(models.Model):
    """A gemeente's own thresholds for the balance level (local policy, no code)."""

    municipality = models.OneToOneField(
        "core.Municipality",
        on_delete=models.CASCADE,
        related_name="balance_thresholds",
        verbose_name=_("municipality"),
    )
    overrides = models.JSONField(
        _("threshold overrides"),
        default=dict,
        blank=True,
        help_text=_(
            "Names and values from rules/levels.json as a JSON object, for example care_hours_heavy with 16."
        ),
    )
    note = models.TextField(_("reason for the local policy"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("local thresholds")
        verbose_name_plural = _("local thresholds")

    def __str__(self):
        return str(self.municipality_id)


class SavedCheck(models.Model):
    """A completed check the caregiver chose to keep: in an account, or behind an e-mail link."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="saved_checks"
    )
    owner_email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    instrument_id = models.CharField(max_length=64)
    instrument_canonical = models.CharField(max_length=300)
    answers = models.JSONField()
    scores = models.JSONField(default=dict)
    bands = models.JSONField(default=dict)
    level = models.CharField(max_length=20, blank=True)
    thresholds = models.JSONField(default=dict, blank=True)
    rules_version = models.CharField(max_length=32, blank=True)
    # The postcode area (PC4) only, never the full postcode: enough to show local offers again.
    pc4 = models.CharField(max_length=4, blank=True)
    municipality = models.ForeignKey("core.Municipality", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(owner_email_hash=""),
                name="assessment_savedcheck_has_owner",
            )
        ]

    def __str__(self):
        return f"{self.instrument_id} {self.created_at:%Y-%m-%d}"


class ReminderSetting(models.Model):
    """Remind me to repeat the check every 1, 3 or 6 months after my latest saved check."""

    class Interval(models.IntegerChoices):
        ONE = 1, _("every month")
        THREE = 3, _("every 3 months")
        SIX = 6, _("every 6 months")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_reminder"
    )
    interval_months = models.PositiveSmallIntegerField(_("remind me"), choices=Interval.choices)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user_id} every {self.interval_months} months"


class AnonymousContribution(models.Model):
    """One opted-in result for the gemeente's statistics: no person, no check, month only.

    The key is random (no order of arrival); there are deliberately no timestamps.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey("core.Municipality", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=20)
    support_domains = models.JSONField(default=list)
    age_group = models.CharField(max_length=20, blank=True)
    month = models.DateField()  # always the first day of the month

    class Meta:
        indexes = [models.Index(fields=["municipality", "month"])]

    def __str__(self):
        return f"{self.municipality_id} {self.month:%Y-%m} {self.level}"
