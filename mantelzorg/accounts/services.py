import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import get_language, gettext

from mantelzorg.core import audit, mail

from . import consent
from .models import ConsentRecord, Role, User


def user_register_caregiver(
    *, request, email: str, password: str, name: str = "", is_active: bool = True
) -> User:
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, name=name, role=Role.CAREGIVER, is_active=is_active
        )
        audit.log(
            request=request,
            actor=user,
            action="accounts.user.registered",
            obj=user,
            subject=user,
            purpose="account",
        )
    return user


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """The link that finishes a sign-up: Django's token (expires after PASSWORD_RESET_TIMEOUT), and
    single use: it changes when the account becomes active, logs in or gets another password."""

    key_salt = "mantelzorg.accounts.signup"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


signup_token = SignupTokenGenerator()


def _is_pending(user: User) -> bool:
    """Signed up, link not used yet (an account switched off by an administrator has logged in)."""
    return not user.is_active and user.last_login is None


def signup_request(*, request, email: str, password: str, name: str = "", next_url: str = "") -> None:
    """A sign-up answers the same whether or not the address has an account: the e-mail says what
    happened. A new address (or one whose link was not used yet) gets an inactive account and a
    link that activates it; an existing account gets "someone tried to sign up with your address"."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not _is_pending(existing):
        make_password(password)  # the same work as for a new account, so the answer takes as long
        audit.log(
            request=request,
            action="accounts.user.signup_repeated",
            obj=existing,
            subject=existing,
            purpose="account (sign-up with an address that has an account)",
        )
        mail.send(
            to=existing.email,
            subject=gettext("Someone tried to create an account with your e-mail address"),
            template="accounts/email/signup_existing.txt",
            context={
                "login_url": request.build_absolute_uri(reverse("accounts:login")),
                "reset_url": request.build_absolute_uri(reverse("accounts:password_reset")),
            },
        )
        return
    if existing is None:
        try:
            user = user_register_caregiver(
                request=request, email=email, password=password, name=name, is_active=False
            )
        except IntegrityError:  # the same address signed up at the same moment: that one counts
            return
    else:  # a second sign-up before the link was used: the newest password counts, older links stop working
        user = existing
        user.set_password(password)
        user.name = name
        user.save(update_fields=["password", "name"])
        audit.log(
            request=request,
            actor=user,
            action="accounts.user.registered",
            obj=user,
            subject=user,
            purpose="account (sign-up repeated before the link was used)",
        )
    path = reverse(
        "accounts:signup_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": signup_token.make_token(user),
        },
    )
    if next_url:
        path += "?" + urlencode({"next": next_url})
    mail.send(
        to=user.email,
        subject=gettext("Finish creating your account"),
        template="accounts/email/signup_confirm.txt",
        context={"url": request.build_absolute_uri(path), "days": settings.PASSWORD_RESET_TIMEOUT // 86400},
    )


def signup_user_for_token(uidb64: str, token: str) -> User | None:
    """The pending account a valid, unused, unexpired sign-up link belongs to, or None."""
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None
    if not _is_pending(user) or not signup_token.check_token(user, token):
        return None
    return user


def signups_unconfirmed_delete(now=None) -> int:
    """Delete the accounts whose sign-up link was never used and has expired: nobody can use
    them, and we keep no e-mail address longer than needed (GDPR art. 5(1)(e)). Audited per
    account with its numeric id only. Run daily (``manage.py delete_unconfirmed_signups``)."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    deleted = 0
    for user in User.objects.filter(is_active=False, last_login__isnull=True, date_joined__lt=cutoff):
        with transaction.atomic():
            user_id = user.pk
            user.delete()
            audit.log(
                request=None,
                action="accounts.user.unconfirmed_deleted",
                object_type="accounts.user",
                object_id=str(user_id),
                purpose="sign-up link never used (storage limitation)",
            )
        deleted += 1
    return deleted


@transaction.atomic
def signup_confirm(*, request, user: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.log(
        request=request,
        actor=user,
        action="accounts.user.confirmed",
        obj=user,
        subject=user,
        purpose="account (e-mail address confirmed, then signed in)",
    )
    return user


class ConsentError(ValueError):
    """A consent that cannot be given: unknown scope or purpose, wrong grantee, end in the past."""


def consent_check(*, grantor, grantee, scope: str, purpose: str, valid_until=None) -> None:
    """Raise ``ConsentError`` when this consent cannot be given (also for forms, before saving)."""
    try:
        definition = consent.get(scope)
    except LookupError:
        raise ConsentError(f"unknown consent scope {scope!r}") from None
    if purpose not in definition.purposes:
        raise ConsentError(f"purpose {purpose!r} is not one of {definition.purposes}")
    if grantee.role not in definition.grantee_roles or grantee.pk == grantor.pk:
        raise ConsentError("this person cannot receive this consent")
    if valid_until is not None and valid_until <= timezone.now():
        raise ConsentError("the end lies in the past")


@transaction.atomic
def consent_grant(*, request, grantor, grantee, scope: str, purpose: str, valid_until=None) -> ConsentRecord:
    """``grantor`` lets ``grantee`` see their data of ``scope`` for ``purpose`` (until
    ``valid_until``, or until revoked). Audited; the scope must be registered and the grantee
    must have one of its roles."""
    consent_check(grantor=grantor, grantee=grantee, scope=scope, purpose=purpose, valid_until=valid_until)
    record = ConsentRecord.objects.create(
        grantor=grantor, grantee=grantee, scope=scope, purpose=purpose, valid_until=valid_until
    )
    audit.log(
        request=request,
        action="accounts.consent.granted",
        obj=record,
        subject=grantor,
        purpose=f"consent {scope} for {purpose}",
    )
    return record


@transaction.atomic
def consent_revoke(*, request, consent_record: ConsentRecord) -> ConsentRecord:
    """End a consent now: the next request of the grantee is refused. Revoking twice is harmless."""
    if consent_record.revoked_at is None:
        consent_record.revoked_at = timezone.now()
        consent_record.save(update_fields=["revoked_at"])
        audit.log(
            request=request,
            action="accounts.consent.revoked",
            obj=consent_record,
            subject=consent_record.grantor,
            purpose=f"consent {consent_record.scope} withdrawn",
        )
    return consent_record


def language_set(user, code: str) -> None:
    """Keep on the account the language a person uses the site in, for the e-mails sent without
    a request (reminders). Not audited: a display preference, no care data."""
    if user is None or not user.is_authenticated or code not in dict(settings.LANGUAGES):
        return
    if user.language != code:
        user.language = code
        User.objects.filter(pk=user.pk).update(language=code)


def language_remember(sender=None, *, request, user, **kwargs) -> None:
    """At each sign-in (``user_logged_in``): the language of the page they signed in on."""
    language_set(user, getattr(request, "LANGUAGE_CODE", "") or get_language())
