"""What the declaration app keeps (issue 14, C6).

The relying party's side: the status lists it publishes and a count of verifications per purpose
and day; nothing of a code that is verified is stored. The caregiver's side: their declarations,
one attestation (QR code) per purpose, the organisations that confirm declarations (issuers) and
the organisations that check them (relying parties)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import codec, status_list


class StatusList(models.Model):
    """One published Token Status List: 1 bit per attestation (1 revoked), at a random index.

    ``bits`` is the uncompressed byte array (status_list.new_list); its token is built and signed
    when fetched (selectors.status_token), at ``/verklaring/status/<id>.cwt``."""

    bits = models.BinaryField(default=bytes)
    size = models.PositiveIntegerField(default=status_list.DEFAULT_SIZE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"status list {self.pk} ({self.size} entries)"


class VerificationCount(models.Model):
    """How many codes were checked on a day, per purpose and outcome (statistics only).

    ``purpose`` is the disclosed purpose of a valid code; other outcomes disclose no claims, so
    their purpose is empty."""

    OUTCOMES = [(outcome, outcome) for outcome in codec.OUTCOMES]

    purpose = models.CharField(max_length=20, blank=True)
    day = models.DateField()
    outcome = models.CharField(max_length=12, choices=OUTCOMES)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["purpose", "day", "outcome"], name="declaration_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.purpose or '-'} {self.outcome}: {self.count}"


# --- The caregiver's side -------------------------------------------------------------------------


class WazoRelation(models.TextChoices):
    """Who the person cared for is to the caregiver, in the circle of the Wet arbeid en zorg
    (art. 5:1 lid 2, a-g; the same circle for long care leave, art. 5:9): domain-facts.md 3.4,
    https://wetten.overheid.nl/BWBR0013008/2020-07-01/0/Hoofdstuk5/afdrukken. In-laws are not in
    (e) but can fall under (f) or (g)."""

    PARTNER = "partner", _("My partner (married, registered or living together)")
    CHILD = "child", _("My child")
    PARTNER_CHILD = "partner_child", _("A child of my partner")
    FOSTER_CHILD = "foster_child", _("My foster child, living with me")
    RELATIVE = "relative", _("A parent, grandparent, grandchild, brother or sister")
    HOUSEHOLD = "household", _("Someone else in my household")
    SOCIAL = "social", _("Someone else I am close to (family-in-law, friend, neighbour)")


class Indication(models.TextChoices):
    """An indication the person cared for has, as evidence for an issuer (never disclosed in a QR)."""

    WMO = "wmo", _("Wmo (support from the gemeente)")
    WLZ = "wlz", _("Wlz (long-term care, CIZ decision)")
    ZVW = "zvw", _("District nursing (Zvw wijkverpleging)")
    NONE = "none", _("None, or I do not know")


class Issuer(models.Model):
    """An organisation that confirms declarations: a steunpunt mantelzorg or a gemeente (an
    ``accounts.Organisation`` of kind support_centre or municipality), serving the gemeenten of
    its organisation. Its staff (users in that organisation) see the queue. Only organisations
    with an Issuer row are offered to caregivers: confirming is something an organisation opts
    into."""

    # The kinds selectors.confirming_organisations publishes for verifiers (organisaties.json).
    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="declaration_issuer",
        limit_choices_to={"kind__in": ["support_centre", "municipality"]},
    )
    validity_months = models.PositiveSmallIntegerField(
        _("months a confirmed declaration is valid"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    accepts_requests = models.BooleanField(_("accepts new requests"), default=True)

    class Meta:
        verbose_name = _("declaration issuer")
        verbose_name_plural = _("declaration issuers")

    def __str__(self) -> str:
        return str(self.organisation)


class Declaration(models.Model):
    """A caregiver's declaration (zelfverklaard at first; confirmable by an issuer). The state
    machine is in ``services``; ``state`` is computed from the dated fields:

    active (self-declared or confirmed) -> revoked (by the caregiver, or by the issuer that
    confirmed it) or replaced (by a renewal) or expired (``valid_until`` passed). Independently,
    a review by an issuer: none -> submitted -> (question -> submitted)* -> confirmed | refused;
    the caregiver may withdraw a submitted request."""

    class Review(models.TextChoices):
        NONE = "none", _("Not submitted")
        SUBMITTED = "submitted", _("Waiting for the organisation")
        QUESTION = "question", _("The organisation asked a question")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Not confirmed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    caregiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declarations"
    )
    relation = models.CharField(max_length=20, choices=WazoRelation.choices)
    # The postcode area (PC4) of the person cared for, and its gemeente: never the full address.
    pc4 = models.CharField(max_length=4)
    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    care_since = models.DateField()  # always the first day of a month
    hours_per_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    tasks = models.JSONField(default=list)  # task codes of the Balanscheck (assessment demo.TASKS)
    indications = models.JSONField(default=list)  # Indication values
    # Holder binding (CoronaCheck): initials plus birth day and month; never the BSN or the year.
    initials = models.CharField(max_length=4)
    birth_day = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(31)])
    birth_month = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)])
    valid_from = models.DateField()
    valid_until = models.DateField()  # the last day it is valid
    created_at = models.DateTimeField(default=timezone.now)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)  # when a renewal took its place
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_issuer = models.BooleanField(default=False)

    issuer = models.ForeignKey(
        Issuer, null=True, blank=True, on_delete=models.SET_NULL, related_name="declarations"
    )
    review = models.CharField(max_length=12, choices=Review.choices, default=Review.NONE)
    submitted_at = models.DateTimeField(null=True, blank=True)
    question = models.TextField(blank=True)  # the issuer's question to the caregiver
    answer = models.TextField(blank=True)  # the caregiver's answer
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["issuer", "review"], name="declaration_queue")]

    def __str__(self) -> str:
        return f"declaration {self.pk}"

    @property
    def confirmed(self) -> bool:
        return self.review == self.Review.CONFIRMED

    @property
    def level(self) -> str:
        return "confirmed" if self.confirmed else "self_declared"

    def state(self, today) -> str:
        if self.revoked_at:
            return "revoked"
        if self.replaced_at:
            return "replaced"
        if today > self.valid_until:
            return "expired"
        return "active"


class Attestation(models.Model):
    """One purpose of a declaration: the QR code a caregiver shows (one in force per purpose; a
    stopped one stays, revoked, and a new one can be made). ``status_idx`` is its random
    entry in a status list (revoking the attestation sets that bit, which revokes every code it
    had). ``code`` is the latest signed MZ1 text, valid until ``code_expires_at`` (at most 28 days,
    never past the declaration); a new one is signed when it runs out while the declaration holds."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="attestations")
    purpose = models.CharField(max_length=20)
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_idx = models.PositiveIntegerField()
    code = models.TextField(blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "purpose"],
                condition=models.Q(revoked_at__isnull=True),
                name="attestation_one_per_purpose",
            ),
            models.UniqueConstraint(fields=["status_list", "status_idx"], name="attestation_status_entry"),
        ]

    def __str__(self) -> str:
        return f"attestation {self.pk} ({self.purpose})"


class RelyingParty(models.Model):
    """An organisation that checks attestations for one purpose and says what it keeps and for
    how long (as NL Wallet's reader_auth). Shown to the caregiver before the QR of that purpose,
    once a platform administrator has approved the registration."""

    name = models.CharField(_("name of the organisation"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=20)
    municipality = models.ForeignKey(
        "core.Municipality",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("municipality (empty: the whole country)"),
    )
    keeps = models.CharField(_("what you keep of a checked code"), max_length=300)
    retention = models.CharField(_("how long you keep it"), max_length=200)
    contact = models.CharField(_("e-mail address or website for questions"), max_length=200)
    registered_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("relying party")
        verbose_name_plural = _("relying parties")

    def __str__(self) -> str:
        return f"{self.name} ({self.purpose})"
