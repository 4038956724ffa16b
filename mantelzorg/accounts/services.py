from django.db import transaction
from django.utils import timezone

from mantelzorg.core import audit

from . import consent
from .models import ConsentRecord, Role, User


def user_register_caregiver(*, request, email: str, password: str, name: str = "") -> User:
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, name=name, role=Role.CAREGIVER)
        audit.log(
            request=request,
            actor=user,
            action="accounts.user.registered",
            obj=user,
            subject=user,
            purpose="account",
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
