"""Consent scopes: what a caregiver can let someone else see, registered by the app that uses it.

An app registers its scopes when it loads (``AppConfig.ready``)::

    from mantelzorg.accounts import consent
    consent.register(consent.Scope(
        code="balance_history", app="assessment", label=_("My saved balance checks"),
        description=_("Your saved checks and how they change over time."),
        purposes=("follow-up",), grantee_roles=(Role.PROFESSIONAL,)))

and reads through ``accounts.selectors.consent_is_active`` (the one check, every request: a
revocation counts from the next request). Writes go through ``accounts.services.consent_grant`` and
``consent_revoke`` (audited). GDPR art. 7: consent is specific (scope and purpose), informed (label and
description shown on the caregiver's page), can end (``valid_until``) and is withdrawn as easily as
given (one button on ``/account/toestemmingen/``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Scope:
    code: str  # stored in ConsentRecord.scope; stable
    app: str  # the app label that registers and reads it
    label: str  # what the caregiver sees: "Mijn bewaarde balanschecks" (lazy translation)
    description: str  # what the grantee then sees, in the caregiver's words
    purposes: tuple[str, ...]  # why a grantee may look: "follow-up", ...
    grantee_roles: tuple[str, ...]  # who may receive it: roles of accounts.models.Role


_SCOPES: dict[str, Scope] = {}


def register(scope: Scope) -> Scope:
    """Register a scope (idempotent for the same definition; a second app may not take a code)."""
    known = _SCOPES.get(scope.code)
    if known is not None and known != scope:
        raise ImproperlyConfigured(f"consent scope {scope.code!r} is registered twice, differently")
    if not scope.purposes:
        raise ImproperlyConfigured(f"consent scope {scope.code!r} needs at least one purpose")
    _SCOPES[scope.code] = scope
    return scope


def get(code: str) -> Scope:
    """The registered scope, or ``LookupError``."""
    try:
        return _SCOPES[code]
    except KeyError:
        raise LookupError(f"unknown consent scope {code!r}") from None


def scopes() -> tuple[Scope, ...]:
    return tuple(_SCOPES.values())
