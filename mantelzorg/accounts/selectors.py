"""Who a user is to the platform: the access helpers every app's selectors call (one place for
"admin or superuser" and "staff of this gemeente"), and consent."""

from __future__ import annotations

from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from .models import ConsentRecord, Role, User


def is_platform_admin(user) -> bool:
    """A platform administrator: the admin role or a Django superuser."""
    return bool(user is not None and user.is_authenticated and (user.role == Role.ADMIN or user.is_superuser))


def staff_municipality_codes(user) -> frozenset[str]:
    """The CBS codes of the gemeenten a municipal staff member works for (empty for anyone else).
    Read once per user object (a request's ``request.user``)."""
    if user is None or not user.is_authenticated or user.role != Role.MUNICIPAL_STAFF:
        return frozenset()
    codes = getattr(user, "_mz_municipality_codes", None)
    if codes is None:
        codes = frozenset(user.municipalities.values_list("code", flat=True))
        user._mz_municipality_codes = codes
    return codes


def is_staff_of(user, municipality) -> bool:
    """Municipal staff of this gemeente (a ``Municipality`` or its CBS code)."""
    code = getattr(municipality, "code", municipality)
    return bool(code) and str(code).upper() in staff_municipality_codes(user)


def is_directory_editor(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role == Role.DIRECTORY_EDITOR)


def user_id_for_login(email: str) -> int | None:
    """The id of the account with this login name, or None (for the audit row of an attempt)."""
    return User.objects.filter(email__iexact=email.strip()).values_list("pk", flat=True).first()


def session_keys_of(user) -> list[str]:
    """The keys of the stored sessions in which ``user`` is signed in (every session is read: the
    database backend keeps the user id inside the encoded data only)."""
    from django.contrib.sessions.models import Session

    own_id = str(user.pk)
    return [s.pk for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == own_id]


def consent_is_active(*, grantor, grantee, scope: str, purpose: str | None = None) -> bool:
    """The one check whether ``grantee`` may see ``grantor``'s data of ``scope`` right now (for
    ``purpose``, when given). Read from the database on every call: a revocation counts from the
    next request, in every process."""
    now = timezone.now()
    qs = ConsentRecord.objects.filter(
        grantor=grantor, grantee=grantee, scope=scope, revoked_at__isnull=True, granted_at__lte=now
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    if purpose is not None:
        qs = qs.filter(purpose=purpose)
    return qs.exists()


def consent_list_for_grantor(user):
    """The consents a person gave (their own page): current ones first, then ended ones."""
    if user is None or not user.is_authenticated:
        return ConsentRecord.objects.none()
    return (
        ConsentRecord.objects.filter(grantor=user)
        .select_related("grantee")
        .order_by(F("revoked_at").desc(nulls_first=True), "-granted_at")
    )


def consent_get_for_grantor(user, consent_id) -> ConsentRecord:
    """One of the person's own consents, or 404 (another person's consent does not exist for them)."""
    consent = consent_list_for_grantor(user).filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    return consent
