"""The one audit helper that services and selectors call (NEN 7513 fields).

    from mantelzorg.core import audit
    audit.log(request=request, action="directory.service.updated", obj=service,
              purpose="directory maintenance")

Every row has every field filled: who (``actor_id``, ``actor_role``), on behalf of whom
(``on_behalf_of``), about whom (``subject_id``), what (``object_type``, ``object_id``, ``action``),
why (``purpose``: the task or the consent that allows it), ``outcome``, when (``created_at``, UTC)
and from where (``source_ip``). A field that does not apply says so: ``NONE``.

On behalf of (NEN 7513 "namens"): unless the caller names it, it follows from the actor's
role: a caregiver acts for themself (``self``), a professional or coordinator for their
organisation(s) (``organisation:<ids>``), municipal staff for their gemeente(n)
(``municipality:<codes>``), an administrator for the platform operator (``platform``); an
anonymous request for nobody known (``none``).

Rows are append-only (``LogEntry``; triggers in migrations 0002 and 0005); a row written inside a
transaction that later rolls back is written again afterwards (``mantelzorg.core.db.replay``).
"""

from __future__ import annotations

import uuid

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.crypto import salted_hmac

OUTCOME_SUCCESS = "success"
OUTCOME_DENIED = "denied"
OUTCOME_FAILURE = "failure"

NONE = "none"  # a field that does not apply to this row, said explicitly
SELF = "self"
PLATFORM = "platform"

# The NEN 7513 fields of a row; ``tests/test_audit_trail.py`` requires each one filled.
FIELDS = (
    "created_at",
    "actor_id",
    "actor_role",
    "on_behalf_of",
    "subject_id",
    "object_type",
    "object_id",
    "action",
    "purpose",
    "outcome",
    "source_ip",
)


def client_ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")[:45]


def account_ref(identifier: str) -> str:
    """A keyed hash of a login name (an e-mail address), for rows about an account that may not
    exist (a failed login, a reset request): the same address gives the same value, so attempts can
    be counted per account, but the address itself is never in the trail."""
    digest = salted_hmac("mantelzorg.audit.account", identifier.strip().lower(), algorithm="sha256")
    return "account:" + digest.hexdigest()[:32]


def _ids(values) -> str:
    return ",".join(str(v) for v in sorted(values))[:50]


def acting_for(actor) -> str:
    """Whom ``actor`` acts on behalf of, from their role (see the module docstring)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return NONE
    from mantelzorg.accounts.models import Role
    from mantelzorg.accounts.selectors import is_platform_admin, staff_municipality_codes

    if is_platform_admin(actor):
        return PLATFORM
    if actor.role == Role.MUNICIPAL_STAFF:
        codes = staff_municipality_codes(actor)
        return "municipality:" + _ids(codes) if codes else SELF
    if actor.role in (Role.PROFESSIONAL, Role.COORDINATOR, Role.DIRECTORY_EDITOR):
        ids = getattr(actor, "_mz_organisation_ids", None)
        if ids is None:
            ids = frozenset(actor.organisations.values_list("pk", flat=True))
            actor._mz_organisation_ids = ids
        return "organisation:" + _ids(ids) if ids else SELF
    return SELF


def log(
    *,
    action: str,
    request=None,
    actor=None,
    role: str = "",
    on_behalf_of: str = "",
    subject=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    purpose: str = "",
    outcome: str = OUTCOME_SUCCESS,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Write one audit row. ``action`` is ``<app>.<entity>.<event>``; ``purpose`` is required.
    ``subject`` is the person the data is about (a user, their id, or a reference such as
    ``account_ref(...)``); ``obj`` the record read or changed (or ``object_type``/``object_id``)."""
    if action.count(".") < 2:
        raise ValueError("audit action must be <app>.<entity>.<event>")
    if not purpose:
        raise ValueError("audit rows name their purpose (the task or the consent that allows it)")
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    subject_id = str(getattr(subject, "pk", subject) or "")
    row = {
        "uuid": uuid.uuid4(),
        "created_at": timezone.now(),
        "actor_id": str(actor.pk) if is_user else NONE,
        "actor_role": role or (getattr(actor, "role", "") if is_user else "anonymous"),
        "on_behalf_of": on_behalf_of or acting_for(actor),
        "subject_id": subject_id or NONE,
        "object_type": object_type or NONE,
        "object_id": object_id or NONE,
        "action": action,
        "purpose": purpose[:200],
        "outcome": outcome,
        "source_ip": client_ip(request) or NONE,
    }
    from mantelzorg.core.models import LogEntry

    LogEntry.objects.using(using).bulk_create([LogEntry(**row)])
    connection = connections[using]
    if connection.in_atomic_block and hasattr(connection, "audit_remember"):
        connection.audit_remember(row)


def denied(*, action: str, request=None, purpose: str = "", **fields) -> None:
    """Write the audit row of a refused attempt (the caller then answers 404): ``log`` with
    ``outcome=denied``; ``purpose`` says why it was refused."""
    log(action=action, request=request, purpose=purpose, outcome=OUTCOME_DENIED, **fields)


def ensure_written(rows: list[dict], *, using: str) -> None:
    """Write again the rows a rollback took away (idempotent by uuid)."""
    from mantelzorg.core.models import LogEntry

    present = set(
        LogEntry.objects.using(using)
        .filter(uuid__in=[r["uuid"] for r in rows])
        .values_list("uuid", flat=True)
    )
    missing = [LogEntry(**r) for r in rows if r["uuid"] not in present]
    if missing:
        LogEntry.objects.using(using).bulk_create(missing)
