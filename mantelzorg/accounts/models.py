from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CAREGIVER = "caregiver", _("Caregiver")
    NETWORK_MEMBER = "network_member", _("Network member")
    PROFESSIONAL = "professional", _("Professional")
    DIRECTORY_EDITOR = "directory_editor", _("Directory editor")
    MUNICIPAL_STAFF = "municipal_staff", _("Municipal staff")
    COORDINATOR = "coordinator", _("Regional coordinator")
    ADMIN = "admin", _("Platform administrator")


# Roles that may only get a session after a second factor (TOTP).
MFA_ROLES = frozenset({Role.PROFESSIONAL, Role.MUNICIPAL_STAFF, Role.COORDINATOR, Role.ADMIN})


class Organisation(models.Model):
    class Kind(models.TextChoices):
        SUPPORT_CENTRE = "support_centre", _("Support centre for caregivers")
        WELFARE = "welfare", _("Welfare organisation")
        CARE_PROVIDER = "care_provider", _("Care provider")
        MUNICIPALITY = "municipality", _("Municipality")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipalities = models.ManyToManyField("core.Municipality", blank=True, related_name="organisations")

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("users need an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CAREGIVER)
    # The language of the e-mails the platform sends on its own (reminders): the one the person
    # last used the site in (set at each sign-in and by the language switch).
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    municipalities = models.ManyToManyField(
        "core.Municipality", blank=True, related_name="staff", verbose_name=_("municipalities")
    )
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="members", verbose_name=_("organisations")
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # may open the Django admin
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.name or self.email

    @property
    def requires_mfa(self) -> bool:
        # Whoever may open the admin (/beheer/) needs the second factor too, whatever the role.
        return self.role in MFA_ROLES or self.is_staff or self.is_superuser


class ConsentRecord(models.Model):
    """A caregiver's explicit, revocable permission for one person to see one kind of data, for one
    purpose, until it is revoked or ends. Scopes and purposes are registered by the app that uses
    them (``accounts.consent``); read only through ``selectors.consent_is_active``, written only by
    ``services.consent_grant`` / ``consent_revoke``."""

    grantor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents_given")
    grantee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents_received")
    scope = models.CharField(max_length=64)
    purpose = models.CharField(max_length=64, blank=True)
    granted_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateTimeField(null=True, blank=True)  # ends by itself then
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["grantee", "grantor", "scope"])]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self):
        return f"{self.grantor_id}→{self.grantee_id} {self.scope}"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None
            and self.granted_at <= now
            and (self.valid_until is None or self.valid_until > now)
        )


class RateLimitCounter(models.Model):
    """How often one key (rule, kind and value, e.g. "password_reset, address, x@y.nl") was used in
    one window. In the database so that every gunicorn worker counts on the same row
    (``accounts.ratelimit``); the key is a keyed hash, so no address or IP address is stored."""

    key = models.CharField(max_length=64, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate limit counter")
        verbose_name_plural = _("rate limit counters")

    def __str__(self):
        return f"{self.key[:12]}… {self.count}"
