"""Changing what the relying-party side keeps (issue 14, C6): a bit of a status list (revocation,
used by the caregiver's side in a later slice) and the count of verifications.

``verify`` checks a code and counts it. Nothing of the code is stored or logged: no audit row
(the verifier is anonymous and the code is not a record the platform holds about them), only
``VerificationCount`` (purpose, day, outcome, count), incremented in one UPDATE."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import codec, selectors, status_list
from .models import StatusList, VerificationCount


def create_status_list(size: int = status_list.DEFAULT_SIZE) -> StatusList:
    return StatusList.objects.create(bits=bytes(status_list.new_list(size)), size=size)


def set_status(list_id: int, idx: int, value: int = status_list.INVALID) -> None:
    """Set entry ``idx`` of list ``list_id`` (1 revoked); IndexError outside the list."""
    with transaction.atomic():
        row = StatusList.objects.select_for_update().get(pk=list_id)
        lst = bytearray(row.bits)
        status_list.set_status(lst, idx, value)
        row.bits = bytes(lst)
        row.save(update_fields=["bits", "updated_at"])


def count_verification(outcome: str, purpose: str = "", day: dt.date | None = None) -> None:
    """One more verification with ``outcome`` (and ``purpose`` when valid) on ``day``."""
    day = day or timezone.localdate()
    rows = VerificationCount.objects.filter(purpose=purpose, day=day, outcome=outcome)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            VerificationCount.objects.create(purpose=purpose, day=day, outcome=outcome, count=1)
    except IntegrityError:  # another request created it in the meantime
        rows.update(count=F("count") + 1)


def verify(code: object, at: int | None = None) -> codec.Verification:
    """Verify ``code`` against the published keys and, when it names one of our status lists (by
    its id), that list as it is in the database now; count the outcome. Never raises for any input (keys.KeyringError when no keys are
    configured)."""
    at = selectors.now() if at is None else at
    keyset = selectors.public_keyset(at)
    result = codec.decode(code, keyset, at)
    if result.valid:
        reference = (result.claims or {}).get("status") or {}
        source = selectors.status_source(reference.get("list"))
        if source is not None:
            result = codec.decode(code, keyset, at, source)
    purpose = (result.claims or {}).get("purpose", "") if result.valid else ""
    count_verification(result.status, purpose)
    return result
