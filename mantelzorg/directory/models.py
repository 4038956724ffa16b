"""The sociale kaart, shaped after Open Referral HSDS 3.0.

Every HSDS object has a UUID primary key named ``id`` and the HSDS field names, so that
the HSDS API and import/export (``hsds/``) map one-to-one. Our Dutch extensions are
marked "extension" below: ``Organization.kind`` / ``municipalities`` / ``account_organisation``,
``Service.cost_kind`` / ``needs_indication`` / ``needs_referral`` / ``law`` /
``what_to_expect`` / ``publication``, ``ServiceArea.municipality`` / ``is_national``,
``Location.municipality``.

``Service.assured_date`` is HSDS's "date that the information about the service was last
checked" — the *last verified* date (``Service.last_verified`` is an alias).

``SearchEntry`` is not HSDS: it is the denormalised search index (see
docs/directory-search.md), written only by ``services.reindex_services``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

STALE_AFTER_DAYS = 365


def stale_cutoff(today: dt.date | None = None) -> dt.date:
    """Entries last verified before this date are stale (not verified for 12 months)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


class HsdsObject(models.Model):
    """What every HSDS object here has besides its own fields: ``hsds_extra``, the official HSDS
    fields of this object that we do not model (e.g. a service's ``wait_time``, ``fees``,
    ``licenses``, ``program_id``; an organization's ``tax_status``, ``year_incorporated``,
    ``logo``) and references to records that were not in the imported file nor in the directory
    (kept as their id). The import stores them and the API and exports give them again, so a
    round trip loses nothing (docs/api/hsds-round-trip.md)."""

    hsds_extra = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        abstract = True


class KeptRecord(models.Model):
    """A row of an official HSDS table that the directory keeps but does not use: the tables we
    do not model (funding, programs, required_documents, metadata, organization_identifiers,
    meta_table_descriptions) and rows of a modelled table whose required parent was neither in
    the file nor in the directory (e.g. an attribute whose ``link_id`` names an unknown
    service). Kept as given, exported again (JSON: nested under its parent; CSV: in its table).
    Written only by the import (``services.hsds_import``)."""

    table = models.CharField(max_length=40)  # our table name (CSV file name without .csv)
    hsds_id = models.UUIDField()
    parent_table = models.CharField(max_length=40, blank=True)
    parent_id = models.CharField(max_length=40, blank=True)  # "": no parent (or not placed)
    data = models.JSONField(default=dict)  # the row's fields as given (HSDS names, JSON values)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # One row can be kept under two parents (a funding row names an organization and a service).
        constraints = [
            models.UniqueConstraint(
                fields=["table", "hsds_id", "parent_table", "parent_id"], name="directory_kept_unique"
            )
        ]
        indexes = [models.Index(fields=["parent_table", "parent_id"])]

    def __str__(self):
        return f"{self.table} {self.hsds_id}"


class Taxonomy(HsdsObject):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(_("description"))
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The name in the page's language (``name_en`` on English pages)."""
        return self.name_en if (get_language() or "nl")[:2] == "en" and self.name_en else self.name

    @property
    def description_label(self) -> str:
        if (get_language() or "nl")[:2] != "en":
            return self.description
        from . import taxonomy

        return taxonomy.DESCRIPTIONS_EN.get(self.code, "")


class TaxonomyTerm(HsdsObject):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.SlugField(max_length=50)
    name = models.CharField(_("name"), max_length=200)  # Dutch
    name_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(_("description"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    language = models.CharField(max_length=8, default="nl")
    term_uri = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["taxonomy__code", "position"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="directory_term_unique_code")
        ]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        lang = (get_language() or "nl")[:2]
        return self.name_en if lang == "en" and self.name_en else self.name

    @property
    def description_label(self) -> str:
        """The description in the page's language: English from ``taxonomy.DESCRIPTIONS_EN``
        (none for an imported term without one: no Dutch on an English page)."""
        if (get_language() or "nl")[:2] != "en" or self.language == "en":
            return self.description
        from . import taxonomy

        return taxonomy.term_description_en(self.id)


class OrganizationQuerySet(models.QuerySet):
    def published(self):
        """Organizations the public sees: those that offer at least one published service."""
        return self.filter(
            models.Exists(Service.objects.published().filter(organization=models.OuterRef("pk")))
        )


class Organization(HsdsObject):
    class Kind(models.TextChoices):
        SUPPORT_CENTRE = "support_centre", _("Support centre for caregivers")
        WELFARE = "welfare", _("Welfare organisation")
        CARE_PROVIDER = "care_provider", _("Care provider")
        VOLUNTEER = "volunteer", _("Volunteer organisation")
        MUNICIPALITY = "municipality", _("Municipality")
        NATIONAL = "national", _("National organisation")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    email = models.EmailField(_("e-mail address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    legal_status = models.CharField(max_length=100, blank=True)
    uri = models.URLField(blank=True)
    parent_organization = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    # extensions
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER, db_index=True)
    municipalities = models.ManyToManyField(
        "core.Municipality", blank=True, related_name="directory_organizations", verbose_name=_("works in")
    )
    account_organisation = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_organizations",
        help_text=_("Directory editors of this organisation may edit its services."),
    )
    is_generated = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class Location(HsdsObject):
    class LocationType(models.TextChoices):
        PHYSICAL = "physical", _("Visiting address")
        POSTAL = "postal", _("Postal address")
        VIRTUAL = "virtual", _("Online")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="locations"
    )
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    url = models.URLField(blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(_("getting there"), blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = models.CharField(max_length=100, blank=True)
    external_identifier_type = models.CharField(max_length=50, blank=True)
    # extension: the gemeente the location lies in (derived from the postcode)
    municipality = models.ForeignKey(
        "core.Municipality",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_locations",
    )

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self):
        return self.name or str(self.id)


class Address(HsdsObject):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(_("street and number"), max_length=200)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(_("place"), max_length=100)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(_("province"), max_length=100)
    postal_code = models.CharField(_("postcode"), max_length=20)
    country = models.CharField(max_length=2, default="NL")
    address_type = models.CharField(max_length=10, choices=Location.LocationType.choices, default="physical")

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self):
        return f"{self.address_1}, {self.postal_code} {self.city}"


class ServiceQuerySet(models.QuerySet):
    def published(self, *, withdrawn: bool = False):
        """The one visibility rule: what the public sees (pages, search, the HSDS API). With
        ``withdrawn`` also the services an editor took off the map (HSDS status "defunct"), so that
        a client that synchronises with ``modified_after`` learns that an offer is gone. Drafts never."""
        if withdrawn:
            return self.filter(publication__in=(Service.Publication.PUBLISHED, Service.Publication.WITHDRAWN))
        return self.filter(publication=Service.Publication.PUBLISHED)


class Service(HsdsObject):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        DEFUNCT = "defunct", _("Stopped")
        TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")

    class Publication(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        # Taken off the sociale kaart by an editor (``services.service_withdraw``); the row stays.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class CostKind(models.TextChoices):
        FREE = "free", _("Free")
        OWN_CONTRIBUTION = "own_contribution", _("Own contribution")
        PAID = "paid", _("Paid")

    class Law(models.TextChoices):
        NONE = "none", _("No law: you can go there yourself")
        WMO = "wmo", _("Wmo (municipality)")
        WLZ = "wlz", _("Wlz (long-term care)")
        ZVW = "zvw", _("Zvw (health insurance)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    alternate_name = models.CharField(_("other name"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    url = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    interpretation_services = models.TextField(_("interpreters"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees_description = models.TextField(_("costs explained"), blank=True)
    accreditations = models.TextField(blank=True)
    eligibility_description = models.TextField(_("who it is for"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    assured_date = models.DateField(_("last checked on"), null=True, blank=True, db_index=True)
    assurer_email = models.EmailField(blank=True)
    alert = models.TextField(_("notice"), blank=True)
    # extensions
    what_to_expect = models.TextField(_("what to expect"), blank=True)
    cost_kind = models.CharField(_("costs"), max_length=20, choices=CostKind.choices, default=CostKind.FREE)
    needs_indication = models.BooleanField(_("needs an indication"), default=False)
    needs_referral = models.BooleanField(_("needs a referral"), default=False)
    law = models.CharField(_("law"), max_length=4, choices=Law.choices, default=Law.NONE)
    publication = models.CharField(
        _("publication"), max_length=10, choices=Publication.choices, default=Publication.DRAFT, db_index=True
    )
    is_generated = models.BooleanField(default=False, editable=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    terms = models.ManyToManyField(TaxonomyTerm, through="Attribute", related_name="services", blank=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return self.name

    @property
    def last_verified(self):
        return self.assured_date

    @property
    def is_published(self) -> bool:
        return self.publication == self.Publication.PUBLISHED

    def is_stale(self, today=None) -> bool:
        """Not verified for 12 months (or never)."""
        return self.assured_date is None or self.assured_date < stale_cutoff(today)


class Attribute(HsdsObject):
    """HSDS attribute: links a taxonomy term to a service (link_entity "service")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")  # link_id
    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="attributes")
    link_type = models.CharField(max_length=50, blank=True)
    link_entity = models.CharField(max_length=50, default="service")
    value = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "taxonomy_term"], name="directory_attr_unique")
        ]

    def __str__(self):
        return f"{self.service_id} → {self.taxonomy_term_id}"


class ServiceAtLocation(HsdsObject):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="directory_sal_unique")]

    def __str__(self):
        return f"{self.service_id} @ {self.location_id}"


class Contact(HsdsObject):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)

    def __str__(self):
        return self.name or str(self.id)


class Phone(HsdsObject):
    class Type(models.TextChoices):
        VOICE = "voice", _("Phone")
        TEXT = "text", _("Text message")
        FAX = "fax", _("Fax")
        CELL = "cell", _("Mobile")
        VIDEO = "video", _("Video call")
        PAGER = "pager", _("Pager")
        TEXTPHONE = "textphone", _("Text phone")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("phone number"), max_length=30)
    extension = models.PositiveIntegerField(null=True, blank=True)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.VOICE)
    description = models.TextField(blank=True)

    def __str__(self):
        return self.number


class Schedule(HsdsObject):
    """HSDS schedule: an RFC 5545 recurrence (freq/byday/...) plus opening hours.

    Times (opens_at/closes_at) are local Europe/Amsterdam wall-clock times (HSDS wants an
    offset on export; ``hsds/fields.py`` adds it). ``closes_at`` <= ``opens_at`` means the opening
    runs past midnight (00:00–00:00 is the whole day).
    """

    class Freq(models.TextChoices):
        DAILY = "DAILY", _("Every day")
        WEEKLY = "WEEKLY", _("Every week")
        MONTHLY = "MONTHLY", _("Every month")
        YEARLY = "YEARLY", _("Every year")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = models.CharField(max_length=40, default="Europe/Amsterdam")
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=7, choices=Freq.choices, default=Freq.WEEKLY)
    interval = models.PositiveSmallIntegerField(default=1)
    byday = models.CharField(max_length=40, blank=True)  # "MO,TU" or "1MO,-1FR" for MONTHLY
    byweekno = models.CharField(max_length=100, blank=True)
    bymonthday = models.CharField(max_length=100, blank=True)
    byyearday = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = models.URLField(blank=True)
    attending_type = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True)

    def __str__(self):
        return self.description or f"{self.freq} {self.byday} {self.opens_at}-{self.closes_at}"


class ServiceArea(HsdsObject):
    """Where a service is available: one gemeente (``municipality``) or the whole country
    (``is_national``). An imported area with neither (HSDS data from elsewhere describes areas
    by ``extent`` or by name) is kept and exported, but makes the service findable nowhere;
    the import warns about it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=10, blank=True)
    uri = models.URLField(blank=True)
    # extensions
    municipality = models.ForeignKey(
        "core.Municipality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="directory_service_areas",
    )
    is_national = models.BooleanField(default=False)

    def __str__(self):
        return self.name


class CostOption(HsdsObject):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    option = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(_("per"), max_length=200, blank=True)

    def __str__(self):
        return f"{self.amount} {self.currency}" if self.amount is not None else self.option


class Language(HsdsObject):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=3)  # ISO 639-1/3
    note = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return self.code


class Accessibility(HsdsObject):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField()
    details = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        verbose_name_plural = "accessibility"

    def __str__(self):
        return self.description[:50]


class RespiteMenu(models.Model):
    """The menukaart respijtzorg of a gemeente: a local intro and the staff's ordering."""

    municipality = models.OneToOneField(
        "core.Municipality", primary_key=True, on_delete=models.CASCADE, related_name="respite_menu"
    )
    intro = models.TextField(_("introduction"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"menukaart {self.municipality_id}"


class RespiteMenuItem(models.Model):
    menu = models.ForeignKey(RespiteMenu, on_delete=models.CASCADE, related_name="items")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["menu", "service"], name="directory_menu_item_unique")]

    def __str__(self):
        return f"{self.menu_id} #{self.position}"


class SearchEntry(models.Model):
    """Search index: one row per published service at a physical location (``kind`` "located"),
    one per gemeente a location-less service serves ("area"), one for a national service
    ("national"). Rebuilt by ``services.reindex_services``; never edited by hand."""

    KIND_LOCATED, KIND_AREA, KIND_NATIONAL = 1, 2, 3

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=True)
    location = models.ForeignKey(Location, null=True, on_delete=models.CASCADE, related_name="+")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.PositiveSmallIntegerField()
    lat = models.FloatField(null=True)
    lon = models.FloatField(null=True)
    municipality_code = models.CharField(max_length=6, blank=True)
    term_bits = models.BigIntegerField(default=0)
    free = models.BooleanField(default=False)
    text = models.TextField()  # " stem1 stem2 ... word1 ... " (leading and trailing space; text.index_text)
    card = models.TextField(default="")  # JSON: what a result shows (services.build_card)
    # The national search (no place): one row per service, in name order, through the partial
    # index below. ``first``: the service's first located or area row; ``places``: how many
    # located or area rows the service has; ``sort_name``: its folded name.
    first = models.BooleanField(default=False)
    places = models.PositiveSmallIntegerField(default=0)
    sort_name = models.CharField(max_length=200, default="")

    class Meta:
        indexes = [
            # term_bits in the index: the vraaggebied/step/form filters are checked before the
            # row is read (docs/directory-search.md).
            models.Index(fields=["lat", "lon", "term_bits"], name="directory_search_box"),
            models.Index(fields=["municipality_code", "kind"], name="directory_search_gemeente"),
            models.Index(fields=["kind"], name="directory_search_kind"),
            models.Index(
                fields=["sort_name", "service"], condition=Q(first=True), name="directory_search_national"
            ),
        ]

    def __str__(self):
        return f"{self.service_id} ({self.kind})"
