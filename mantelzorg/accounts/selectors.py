"""Who a user is to the platform: the access helpers every app's selectors call (one place for
"admin or superuser" and "staff of this gemeente"), and consent."""

from __future__ import annotations

from django.utils import timezone

from .models import ConsentRecord, Role


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


def consent_is_active(*, grantor, grantee, scope: str) -> bool:
    """The one check whether ``grantee`` may see ``grantor``'s data of ``scope`` right now."""
    return ConsentRecord.objects.filter(
        grantor=grantor, grantee=grantee, scope=scope, revoked_at__isnull=True, granted_at__lte=timezone.now()
    ).exists()
