from django.db import models
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """A gemeente of the CBS 2025 indeling (valid 2026). Source: CBS, CC BY 4.0."""

    code = models.CharField(_("CBS code"), max_length=6, primary_key=True)  # GM0363
    name = models.CharField(_("official name"), max_length=100)
    name_everyday = models.CharField(_("name"), max_length=100)
    province_code = models.CharField(max_length=4)
    province_name = models.CharField(_("province"), max_length=50)
    population = models.PositiveIntegerField(_("inhabitants (1 January 2024)"))
    lat = models.FloatField()
    lon = models.FloatField()

    class Meta:
        ordering = ["name_everyday"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name_everyday


class PostcodeArea(models.Model):
    """A 4-digit postcode area (PC4) with its centroid. Source: GeoNames (CC BY 4.0), BAG (CC0)."""

    pc4 = models.CharField(_("postcode"), max_length=4, primary_key=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="postcode_areas")
    lat = models.FloatField()
    lon = models.FloatField()
    places = models.CharField(max_length=200, blank=True)
    other_municipality_codes = models.CharField(max_length=100, blank=True)
    certainty = models.CharField(max_length=30)

    class Meta:
        ordering = ["pc4"]
        verbose_name = _("postcode area")
        verbose_name_plural = _("postcode areas")

    def __str__(self):
        return self.pc4


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit log entries cannot be changed")

    def bulk_create(self, objs, *args, **kwargs):
        # ``update_conflicts`` would overwrite an existing row, ``ignore_conflicts`` silently drop
        # a new one: neither belongs in an append-only trail.
        if kwargs.get("update_conflicts") or kwargs.get("ignore_conflicts"):
            raise PermissionError("audit log entries are only ever inserted")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("audit log entries cannot be changed")

    def update_or_create(self, *args, **kwargs):
        raise PermissionError("audit log entries cannot be changed")

    def delete(self):
        raise PermissionError("audit log entries cannot be deleted")


class LogEntry(models.Model):
    """One NEN 7513 audit row (``core.audit``). Append-only at three levels: the ORM only ever
    inserts (``save`` forces an INSERT, so an existing primary key fails instead of overwriting;
    updates, deletes and upserts raise), and the database refuses UPDATE, DELETE and TRUNCATE by
    triggers on SQLite and PostgreSQL (migrations 0002 and 0005, ``core.db.append_only``).
    In production the app's database role has no TRUNCATE privilege either
    (docs/audit-trail.md)."""

    uuid = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField(db_index=True)  # UTC
    actor_id = models.CharField(max_length=64, blank=True, db_index=True)
    actor_role = models.CharField(max_length=32, blank=True)
    on_behalf_of = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    purpose = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=16)
    source_ip = models.CharField(max_length=45, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log entries")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%dT%H:%M:%SZ} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise PermissionError("audit log entries cannot be changed")
        kwargs["force_insert"] = True  # with an existing pk: an IntegrityError, never an UPDATE
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit log entries cannot be deleted")


class ContentVersion(models.Model):
    """A counter per kind of public content (e.g. "directory"), raised by every service that
    changes it. Cached public pages carry it in their key, so a change is visible on the next
    request in every server process (a per-process cache cannot be cleared across processes)."""

    name = models.CharField(max_length=50, primary_key=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} v{self.version}"


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` a client sent with a POST that stores something, and the response
    it got (core/idempotency.py). The same key again gets this response instead of a second
    object; rows older than 24 hours are deleted."""

    owner = models.CharField(max_length=80)  # "user:<id>", "session:<hash>" or "anonymous"
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=2000, blank=True)
    body = models.BinaryField(blank=True, default=b"")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_per_owner")]

    def __str__(self):
        return f"{self.owner} {self.path}"
