"""Changing what the declaration app keeps (issue 14, C6): the caregiver's declarations and their
attestations (issue, sign, submit, review, revoke, renew), a bit of a status list (revocation)
and the count of verifications.

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


# --- The caregiver's side -----------------------------------------------------------------------
#
# Every change is audited: issue, submit, withdraw, answer, confirm, refuse, ask, revoke, renew.

# A code is renewed when it has less than this left (a printed code lasts a few weeks), and never
# runs past the end of the declaration. Each code lasts at most codec.MAX_VALIDITY_SECONDS (28 d).
RENEW_BEFORE = dt.timedelta(days=7)
# A new status list is started when the current one is this full: random indices stay random.
LIST_FULL = 0.5


def _audit(request, declaration, action: str, purpose: str, obj=None) -> None:
    from mantelzorg.core import audit

    audit.log(
        request=request,
        action=action,
        obj=obj if obj is not None else declaration,
        subject=declaration.caregiver_id,
        purpose=purpose,
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the last day of a shorter month)."""
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def validity(start: dt.date, months: int = 12) -> dt.date:
    """The last valid day of a declaration that starts on ``start`` and runs ``months``."""
    return _add_months(start, months) - dt.timedelta(days=1)


def declaration_create(
    *, request, caregiver, data: dict, today: dt.date | None = None, replaces=None, log=True
):
    """A new self-declared declaration, valid 12 months from today (issued at once; audited
    unless ``log`` is off because the caller writes the request's one row)."""
    from .models import Declaration

    today = today or timezone.localdate()
    declaration = Declaration.objects.create(
        caregiver=caregiver,
        relation=data["relation"],
        pc4=data["place"].pc4,
        municipality=data["place"].municipality,
        care_since=data["care_since"],
        hours_per_week=data["hours_per_week"],
        tasks=list(data.get("tasks") or []),
        indications=list(data.get("indications") or []),
        initials=data["initials"],
        birth_day=data["birth_day"],
        birth_month=data["birth_month"],
        valid_from=today,
        valid_until=validity(today),
        replaces=replaces,
    )
    if log:
        _audit(request, declaration, "declaration.declaration.issued", "the caregiver's own declaration")
    return declaration


def _revoke_attestations(declaration, now) -> None:
    for attestation in declaration.attestations.filter(revoked_at__isnull=True):
        set_status(attestation.status_list_id, attestation.status_idx)
        attestation.revoked_at = now
        attestation.save(update_fields=["revoked_at"])


def declaration_revoke(*, request, declaration, by_issuer: bool = False) -> None:
    """Revoke a declaration and every code it had, at once (online verification sees it on the
    next check; offline verifiers when their cached status list expires)."""
    now = timezone.now()
    with transaction.atomic():
        declaration.revoked_at = now
        declaration.revoked_by_issuer = by_issuer
        declaration.save(update_fields=["revoked_at", "revoked_by_issuer"])
        _revoke_attestations(declaration, now)
        _audit(
            request,
            declaration,
            "declaration.declaration.revoked",
            "revoked by the issuer that confirmed it" if by_issuer else "revoked by the caregiver",
        )
    if by_issuer:
        _tell_caregiver(declaration)


def attestation_revoke(*, request, attestation) -> None:
    with transaction.atomic():
        set_status(attestation.status_list_id, attestation.status_idx)
        attestation.revoked_at = timezone.now()
        attestation.save(update_fields=["revoked_at"])
        _audit(
            request,
            attestation.declaration,
            "declaration.attestation.revoked",
            "revoked by the caregiver",
            obj=attestation,
        )


def _status_entry():
    """(list, random free index) for a new attestation; a new list when the current is half full.
    Free: no attestation has it, and its bit is not set (an entry whose attestation was erased
    stays revoked, so it is never handed out again)."""
    from .models import Attestation

    current = StatusList.objects.order_by("-pk").first()
    if current is None or Attestation.objects.filter(status_list=current).count() >= current.size * LIST_FULL:
        current = create_status_list()
    taken = set(Attestation.objects.filter(status_list=current).values_list("status_idx", flat=True))
    bits = bytes(current.bits)
    taken.update(
        8 * byte_index + bit
        for byte_index, byte in enumerate(bits)
        if byte
        for bit in range(8)
        if byte >> bit & 1
    )
    return current, status_list.random_index(current.size, taken)


def attestation_create(*, request, declaration, purpose: str):
    """The declaration's attestation in force for ``purpose`` (created once; the same one
    afterwards, until it is stopped)."""
    from .models import Attestation

    existing = declaration.attestations.filter(purpose=purpose, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        status, idx = _status_entry()
        try:
            with transaction.atomic():
                attestation = Attestation.objects.create(
                    declaration=declaration, purpose=purpose, status_list=status, status_idx=idx
                )
        except IntegrityError:  # a concurrent request took the index, or made the same purpose
            existing = declaration.attestations.filter(purpose=purpose, revoked_at__isnull=True).first()
            if existing is not None:
                return existing
            continue
        _audit(
            request,
            declaration,
            "declaration.attestation.issued",
            "the caregiver's own declaration",
            attestation,
        )
        return attestation
    raise RuntimeError("no free status list entry")


def attestation_code(*, request, attestation, now: dt.datetime | None = None) -> str:
    """The attestation's current MZ1 text: signed anew when there is none, when it has less than
    ``RENEW_BEFORE`` left, or when the declaration changed level since (the same attestation and
    claims, a new expiry: the page's read row is its audit row). Raises keys.KeyringError when no
    signing key is configured."""
    from . import codec, purposes

    now = now or timezone.now()
    declaration = attestation.declaration
    end_of_declaration = dt.datetime.combine(
        declaration.valid_until + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    fresh = (
        attestation.code
        and attestation.code_expires_at
        and attestation.code_expires_at - now >= min(RENEW_BEFORE, end_of_declaration - now)
    )
    if fresh:
        return attestation.code
    expires = min(now + dt.timedelta(seconds=codec.MAX_VALIDITY_SECONDS), end_of_declaration)
    purpose = purposes.get(attestation.purpose)
    if purpose is None:  # a purpose taken out of purposes.json: its codes are not signed again
        raise ValueError(f"unknown purpose {attestation.purpose}")
    claims = purposes.claims_for(
        declaration, purpose, status={"list": attestation.status_list_id, "idx": attestation.status_idx}
    )
    signer = selectors.keyring().active()
    attestation.code = codec.encode(claims, signer.cose_key(), signer.kid, now, expires)
    attestation.code_expires_at = expires
    attestation.save(update_fields=["code", "code_expires_at"])
    return attestation.code


def _clear_codes(declaration) -> None:
    """Codes are signed anew on their next view (after a change of level)."""
    declaration.attestations.update(code="", code_expires_at=None)


# --- Review by an issuer ------------------------------------------------------------------------
#
# Each step tells the other side by e-mail that something is waiting, never what: the page says
# it after signing in (the e-mail leaves the platform; what the declaration holds does not).


def _tell_caregiver(declaration) -> None:
    from django.utils import translation
    from django.utils.translation import gettext as _

    from mantelzorg.core import mail

    user = declaration.caregiver
    with translation.override(user.language):
        mail.send(
            to=user.email,
            subject=_("News about your caregiver declaration"),
            template="declaration/email/news.txt",
            context={
                "name": user.name,
                "organisation": declaration.issuer.organisation.name,
                "url": f"/verklaring/{declaration.pk}/",
            },
        )


def _tell_issuer(declaration) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import translation
    from django.utils.translation import gettext as _

    from mantelzorg.core import mail

    organisation = declaration.issuer.organisation
    staff = get_user_model().objects.filter(
        organisations=organisation, role__in=selectors.REVIEW_ROLES, is_active=True
    )
    for user in staff:
        with translation.override(user.language):
            mail.send(
                to=user.email,
                subject=_("A caregiver declaration is waiting for you"),
                template="declaration/email/waiting.txt",
                context={
                    "name": user.name,
                    "organisation": organisation.name,
                    "url": "/verklaring/beoordelen/",
                },
            )


def declaration_submit(*, request, declaration, issuer, log: bool = True) -> None:
    from .models import Declaration

    declaration.issuer = issuer
    declaration.review = Declaration.Review.SUBMITTED
    declaration.submitted_at = timezone.now()
    declaration.question = declaration.answer = declaration.refusal_reason = ""
    declaration.decided_at = None
    declaration.save(
        update_fields=[
            "issuer",
            "review",
            "submitted_at",
            "question",
            "answer",
            "refusal_reason",
            "decided_at",
        ]
    )
    if log:
        _audit(
            request, declaration, "declaration.declaration.submitted", "the caregiver asks for confirmation"
        )
    _tell_issuer(declaration)


def declaration_withdraw_request(*, request, declaration) -> None:
    """The caregiver takes a request back: the organisation no longer sees it (at once)."""
    from .models import Declaration

    declaration.issuer = None
    declaration.review = Declaration.Review.NONE
    declaration.submitted_at = None
    declaration.question = declaration.answer = ""
    declaration.save(update_fields=["issuer", "review", "submitted_at", "question", "answer"])
    _audit(request, declaration, "declaration.declaration.withdrawn", "the caregiver withdraws the request")


def declaration_answer(*, request, declaration, answer: str) -> None:
    from .models import Declaration

    declaration.answer = answer
    declaration.review = Declaration.Review.SUBMITTED
    declaration.save(update_fields=["answer", "review"])
    _audit(request, declaration, "declaration.declaration.answered", "the caregiver answers the organisation")
    _tell_issuer(declaration)


def review_ask(*, request, declaration, question: str) -> None:
    from .models import Declaration

    declaration.question = question
    declaration.answer = ""
    declaration.review = Declaration.Review.QUESTION
    declaration.save(update_fields=["question", "answer", "review"])
    _audit(request, declaration, "declaration.declaration.questioned", selectors.REVIEW_PURPOSE)
    _tell_caregiver(declaration)


def review_confirm(*, request, declaration, today: dt.date | None = None) -> None:
    """Confirmed by the issuer: valid for the issuer's period from today; codes say so from now."""
    from .models import Declaration

    today = today or timezone.localdate()
    with transaction.atomic():
        declaration.review = Declaration.Review.CONFIRMED
        declaration.decided_at = timezone.now()
        declaration.valid_until = validity(today, declaration.issuer.validity_months)
        declaration.save(update_fields=["review", "decided_at", "valid_until"])
        _clear_codes(declaration)
        _audit(request, declaration, "declaration.declaration.confirmed", selectors.REVIEW_PURPOSE)
    _tell_caregiver(declaration)


def review_refuse(*, request, declaration, reason: str) -> None:
    """Not confirmed: it stays a self-declaration; the caregiver sees the reason."""
    from .models import Declaration

    declaration.review = Declaration.Review.REFUSED
    declaration.decided_at = timezone.now()
    declaration.refusal_reason = reason
    declaration.save(update_fields=["review", "decided_at", "refusal_reason"])
    _audit(request, declaration, "declaration.declaration.refused", selectors.REVIEW_PURPOSE)
    _tell_caregiver(declaration)


def declaration_renew(*, request, declaration, data: dict, today: dt.date | None = None):
    """A new declaration with ``data`` in place of ``declaration`` (which ends, with its codes).
    A confirmed one goes back to its issuer for confirmation; until then it is self-declared."""
    now = timezone.now()
    with transaction.atomic():
        declaration.replaced_at = now
        declaration.save(update_fields=["replaced_at"])
        _revoke_attestations(declaration, now)
        renewed = declaration_create(
            request=request,
            caregiver=declaration.caregiver,
            data=data,
            today=today,
            replaces=declaration,
            log=False,
        )
        back_to_issuer = declaration.confirmed and declaration.issuer and declaration.issuer.accepts_requests
        if back_to_issuer:
            declaration_submit(request=request, declaration=renewed, issuer=declaration.issuer, log=False)
        _audit(
            request,
            renewed,
            "declaration.declaration.renewed",
            "renewal of the caregiver's declaration"
            + (", sent again to its issuer" if back_to_issuer else ""),
        )
    return renewed


def decode_own(code: str) -> codec.Verification:
    """Our own fresh code read back: the page shows what the QR code holds, not what we meant."""
    at = selectors.now()
    return codec.decode(code, selectors.public_keyset(at), at)


def relying_party_register(*, request, data: dict):
    """A registration waits for a platform administrator's approval (Django admin) before any
    caregiver sees it. An organisation's record, no person's: not in the audit trail."""
    from .models import RelyingParty

    return RelyingParty.objects.create(**data)


def person_erase(*, user, request) -> None:
    """Erasure (GDPR art. 17): revoke every code of the person first, then remove their
    declarations (attestations go with them)."""
    from .models import Declaration

    now = timezone.now()
    for declaration in Declaration.objects.filter(caregiver=user):
        _revoke_attestations(declaration, now)
    Declaration.objects.filter(caregiver=user).delete()
