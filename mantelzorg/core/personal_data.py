"""Personal data of one person, across every app: export (GDPR art. 15 and 20) and erasure (art. 17).

Each app that keeps data about a person registers one ``Provider`` when it loads
(``AppConfig.ready``)::

    from mantelzorg.core import personal_data
    personal_data.register(personal_data.Provider(
        app="assessment", export=export, erase=erase,
        models=("assessment.SavedCheck", "assessment.ReminderSetting")))

``export(user)`` returns JSON-ready data; ``erase(user, request)`` removes or anonymises it (the
account itself is removed last, by ``accounts``). ``models`` names every model of the app that
points at a user: a test fails when a model with a user foreign key is in no provider and not on
``NOT_PERSONAL`` below. ``/account/mijn-gegevens/`` offers both to a signed-in person.

What stays after erasure, on purpose (the allow-list of the erasure test): audit rows
(``core.LogEntry``, NEN 7513: who did what, with a numeric id that no longer leads to a person, and
the IP address the law asks to keep), anonymous contributions to a gemeente's figures (no person in
them), and e-mails already sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from mantelzorg.core import audit


@dataclass(frozen=True)
class Provider:
    app: str
    export: Callable  # (user) -> dict
    erase: Callable  # (user, request) -> None
    models: tuple[str, ...]  # labels of the app's models that point at a user
    order: int = 100  # erasure order; accounts (the account itself) goes last


# Models that point at a user but hold no data about that person, with the reason (none today).
NOT_PERSONAL: dict[str, str] = {}

_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    _PROVIDERS[provider.app] = provider
    return provider


def providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.app))


def covered_models() -> set[str]:
    return {label for p in _PROVIDERS.values() for label in p.models}


def export(user, *, request=None) -> dict:
    """Everything the platform keeps about ``user``, per app (audited)."""
    data = {
        "exported_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "format": "mantelzorg personal data export, version 1",
        "apps": {p.app: p.export(user) for p in providers()},
    }
    audit.log(
        request=request,
        action="core.personal_data.exported",
        object_type="accounts.user",
        object_id=str(user.pk),
        subject=user,
        purpose="the person's own data (GDPR art. 15, 20)",
    )
    return data


def erase(user, *, request=None) -> None:
    """Remove ``user`` and everything about them (in one transaction; audited with the numeric
    id only)."""
    gone = _Erased(pk=user.pk, role=user.role)  # the numeric id and role outlive the account
    by_self = request is not None and getattr(request, "user", None) is user
    with transaction.atomic():
        for provider in providers():
            provider.erase(user, request)
        audit.log(
            request=request,
            actor=gone if by_self else getattr(request, "user", None),
            on_behalf_of=audit.SELF if by_self else "",
            action="core.personal_data.erased",
            object_type="accounts.user",
            object_id=str(gone.pk),
            subject=gone,
            purpose="the person's request (GDPR art. 17)",
        )


@dataclass(frozen=True)
class _Erased:
    pk: int
    role: str
    is_authenticated: bool = True
