"""The one audit helper that services and selectors call (NEN 7513 fields).

    from mantelzorg.core import audit
    audit.log(request=request, action="directory.service.updated", obj=service,
              purpose="directory maintenance")

Rows are append-only (see ``LogEntry``); a row written inside a transaction that later
rolls back is written again afterwards (``mantelzorg.core.db.replay``).
"""

from __future__ import annotations

import uuid

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

OUTCOME_SUCCESS = "success"
OUTCOME_DENIED = "denied"
OUTCOME_FAILURE = "failure"


def client_ip(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")[:45]


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
    """Write one audit row. ``action`` is ``<app>.<entity>.<event>``."""
    if action.count(".") < 2:
        raise ValueError("audit action must be <app>.<entity>.<event>")
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    row = {
        "uuid": uuid.uuid4(),
        "created_at": timezone.now(),
        "actor_id": str(actor.pk) if is_user else "",
        "actor_role": role or (getattr(actor, "role", "") if is_user else "anonymous"),
        "on_behalf_of": on_behalf_of,
        "subject_id": str(getattr(subject, "pk", subject) or ""),
        "object_type": object_type,
        "object_id": object_id,
        "action": action,
        "purpose": purpose,
        "outcome": outcome,
        "source_ip": client_ip(request),
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
