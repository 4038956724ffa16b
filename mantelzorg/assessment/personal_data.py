"""The Balanscheck's part of a person's data: saved checks (in the account, and those saved by
e-mail under the account's address) and the reminder setting (core.personal_data)."""

from __future__ import annotations

from django.db.models import Q

from mantelzorg.core import personal_data


def _checks(user):
    from .models import SavedCheck
    from .services import email_hash

    return SavedCheck.objects.filter(
        Q(owner=user) | Q(owner__isnull=True, owner_email_hash=email_hash(user.email))
    )


def export(user) -> dict:
    from .models import ReminderSetting

    reminder = ReminderSetting.objects.filter(user=user).first()
    return {
        "saved_checks": [
            {
                "id": str(c.id),
                "saved": "account" if c.owner_id else "e-mail link",
                "created_at": c.created_at.isoformat(),
                "questionnaire": c.instrument_canonical,
                "answers": c.answers,
                "scores": c.scores,
                "level": c.level,
                "postcode_area": c.pc4,
                "municipality": c.municipality_id,
            }
            for c in _checks(user).order_by("created_at")
        ],
        "reminder": {"every_months": reminder.interval_months} if reminder else None,
    }


def erase(user, request) -> None:
    """The checks (account and e-mail link), the reminder, and the browser sessions that opened an
    e-mail link of this address (they hold the address's keyed hash). A check in progress in a
    browser that never signed in or opened a link is not linked to the person; it ends with its
    session (SESSION_COOKIE_AGE)."""
    from django.contrib.sessions.models import Session

    from .models import ReminderSetting
    from .selectors import MAGIC_SESSION_KEY
    from .services import email_hash

    _checks(user).delete()
    ReminderSetting.objects.filter(user=user).delete()
    address = email_hash(user.email)
    linked = [s.pk for s in Session.objects.all() if address in s.get_decoded().get(MAGIC_SESSION_KEY, ())]
    Session.objects.filter(pk__in=linked).delete()


PROVIDER = personal_data.Provider(
    app="assessment",
    export=export,
    erase=erase,
    models=("assessment.SavedCheck", "assessment.ReminderSetting"),
)
