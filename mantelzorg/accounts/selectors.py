from django.utils import timezone

from .models import ConsentRecord, Role


def consent_is_active(*, grantor, grantee, scope: str) -> bool:
    """The one check whether ``grantee`` may see ``grantor``'s data of ``scope`` right now."""
    return ConsentRecord.objects.filter(
        grantor=grantor, grantee=grantee, scope=scope, revoked_at__isnull=True, granted_at__lte=timezone.now()
    ).exists()


def user_municipality_codes(user) -> set[str]:
    if not user.is_authenticated or user.role != Role.MUNICIPAL_STAFF:
        return set()
    return set(user.municipalities.values_list("code", flat=True))
