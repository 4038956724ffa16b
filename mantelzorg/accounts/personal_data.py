"""The account's part of a person's data: the account itself, second factors, consents, login
attempts, sessions and what the audit trail says was done with their data (core.personal_data)."""

from __future__ import annotations

from django.contrib.sessions.models import Session

from mantelzorg.core import personal_data


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mantelzorg.core.models import LogEntry

    from .models import ConsentRecord

    def consent(record, other):
        return {
            "with": {"name": other.name, "role": other.role},
            "scope": record.scope,
            "purpose": record.purpose,
            "granted_at": _iso(record.granted_at),
            "valid_until": _iso(record.valid_until),
            "revoked_at": _iso(record.revoked_at),
        }

    own_id = str(user.pk)
    return {
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "municipalities": sorted(user.municipalities.values_list("code", flat=True)),
            "organisations": sorted(user.organisations.values_list("name", flat=True)),
        },
        "second_factors": [
            {"kind": "totp", "name": d.name, "confirmed": d.confirmed}
            for d in TOTPDevice.objects.filter(user=user)
        ],
        "consents_given": [
            consent(r, r.grantee)
            for r in ConsentRecord.objects.filter(grantor=user).select_related("grantee")
        ],
        "consents_received": [
            consent(r, r.grantor)
            for r in ConsentRecord.objects.filter(grantee=user).select_related("grantor")
        ],
        # NEN 7513 / GDPR art. 15: who did what with this person's data, and what they did themselves.
        "audit_trail": [
            {
                "at": _iso(row.created_at),
                "action": row.action,
                "by": "you" if row.actor_id == own_id else row.actor_role,
                "purpose": row.purpose,
                "outcome": row.outcome,
            }
            for row in LogEntry.objects.filter(subject_id=own_id) | LogEntry.objects.filter(actor_id=own_id)
        ],
    }


def erase(user, request) -> None:
    """Sessions, login attempts and admin history about the account go; then the account, which
    takes its consents and second factors with it. Audit rows keep only the numeric id."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry as AdminLogEntry
    from django.contrib.contenttypes.models import ContentType

    from .selectors import session_keys_of

    own_id = str(user.pk)
    Session.objects.filter(pk__in=session_keys_of(user)).delete()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    AdminLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=own_id
    ).update(object_repr="(verwijderd account)", change_message="")
    user.delete()


PROVIDER = personal_data.Provider(
    app="accounts",
    export=export,
    erase=erase,
    models=("accounts.ConsentRecord", "otp_totp.TOTPDevice", "admin.LogEntry"),
    order=1000,  # the account itself goes last
)
