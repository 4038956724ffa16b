"""Reading the trust material of MZ1 (issue 14, C6): the keyring, the published key sets, the
status lists and their signed tokens, the organisations that confirm declarations and the names of
gemeenten. Nothing here writes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from mantelzorg.accounts.models import Organisation
from mantelzorg.core.models import Municipality

from . import codec, keys, status_list
from .models import StatusList

# A verifier may cache a status list token this long before fetching it again (the draft's ttl);
# the token itself expires a day after it was signed.
STATUS_TTL_SECONDS = 3600
STATUS_LIFETIME_SECONDS = 24 * 3600


def default_keyring_path() -> Path:
    return Path(settings.BASE_DIR) / "var" / "declaration_keys.json"


def keyring() -> keys.Keyring:
    """The signing keys (keys.load_keyring: MZ_DECLARATION_KEYS_FILE, MZ_DECLARATION_KEYS, else
    var/declaration_keys.json). Raises keys.KeyringError when none is configured."""
    return keys.load_keyring(default_path=default_keyring_path())


def now() -> int:
    return int(time.time())


def public_keyset(at: int):
    """The COSE keys codes are verified with: every published key of the keyring."""
    return keyring().public_keyset(at)


def status_list_uri(list_id: int) -> str:
    """The uri of our status list ``list_id`` (the ``sub`` of its token): SITE_URL plus
    /verklaring/status/<list_id>, as verifiers derive it from a code's list id."""
    return codec.status_list_uri(settings.SITE_URL, list_id)


def status_source(list_id: object) -> status_list.StatusList | None:
    """Our own status list ``list_id`` for codec.decode (read from the database, no signature
    needed: it is the current state, so a revocation counts at once), or None when there is none."""
    if isinstance(list_id, bool) or not isinstance(list_id, int) or not 1 <= list_id <= codec.UINT32:
        return None
    row = StatusList.objects.filter(pk=list_id).only("bits", "size").first()
    if row is None:
        return None
    return status_list.StatusList(
        uri=status_list_uri(list_id),
        issued_at=now(),
        expires_at=None,
        ttl=STATUS_TTL_SECONDS,
        bits=1,
        lst=bytes(row.bits),
        kid=b"",
    )


def status_list_ids() -> list[int]:
    """The ids of every status list, for the offline verifier to fetch and cache their tokens."""
    return list(StatusList.objects.order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class StatusToken:
    token: bytes
    ttl: int


def status_token(list_id: int, at: int | None = None) -> StatusToken | None:
    """The signed Status List Token of list ``list_id`` (None when there is no such list)."""
    row = StatusList.objects.filter(pk=list_id).first()
    if row is None:
        return None
    at = now() if at is None else at
    signer = keyring().active()
    token = status_list.encode_token(
        bytes(row.bits),
        uri=status_list_uri(row.pk),
        key=signer.cose_key(),
        kid=signer.kid,
        issued_at=at,
        expires_at=at + STATUS_LIFETIME_SECONDS,
        ttl=STATUS_TTL_SECONDS,
    )
    return StatusToken(token, STATUS_TTL_SECONDS)


# --- The caregiver's side: declarations and their attestations ----------------------------------
#
# Access in one place: a declaration is its caregiver's (``declaration_of_caregiver``); an issuer's
# staff see only what was submitted to their organisation (``declaration_for_review``). Everyone
# else gets 404, audited as denied. Every read is audited.

REVIEW_ROLES = ("professional", "municipal_staff", "coordinator")
OWN_PURPOSE = "the caregiver's own declaration"
REVIEW_PURPOSE = "review of a declaration submitted to the organisation"


def _signed_in(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _refuse(request, declaration_id, action: str, why: str):
    from django.http import Http404

    from mantelzorg.core import audit

    audit.denied(
        request=request,
        action=action,
        object_type="declaration.declaration",
        object_id=str(declaration_id),
        subject=audit.NONE,
        purpose=why,
    )
    raise Http404


def log_read(request, declaration, *, action: str, purpose: str = OWN_PURPOSE, obj=None) -> None:
    from mantelzorg.core import audit

    audit.log(
        request=request,
        action=action,
        obj=obj if obj is not None else declaration,
        subject=declaration.caregiver_id,
        purpose=purpose,
    )


def declarations_of(request):
    """The signed-in caregiver's declarations, newest first (audited as one list read)."""
    from mantelzorg.core import audit

    from .models import Declaration

    user = _signed_in(request)
    if user is None:
        return []
    rows = list(
        Declaration.objects.filter(caregiver=user)
        .select_related("municipality", "issuer__organisation")
        .prefetch_related("attestations")
    )
    if rows:
        audit.log(
            request=request,
            action="declaration.declaration.listed",
            object_type="declaration.declaration",
            object_id=",".join(str(d.pk)[:8] for d in rows)[:50],
            subject=user,
            purpose=OWN_PURPOSE,
        )
    return rows


def declaration_of_caregiver(request, declaration_id, *, action: str, read: bool = True):
    """The caller's own declaration, or 404 (audited either way). ``read=False`` for a request
    that changes it: the service writes that request's one audit row."""
    from .models import Declaration

    user = _signed_in(request)
    declaration = (
        Declaration.objects.select_related("municipality", "issuer__organisation", "caregiver")
        .filter(pk=declaration_id, caregiver=user)
        .first()
        if user is not None
        else None
    )
    if declaration is None:
        _refuse(request, declaration_id, action, "not the caregiver's own declaration")
    if read:
        log_read(request, declaration, action=action)
    return declaration


def reviewer_issuers(user):
    """The issuers whose queue ``user`` sees: organisations of theirs with an Issuer row, for
    professional, municipal or coordinating staff."""
    from .models import Issuer

    if user is None or not user.is_authenticated or user.role not in REVIEW_ROLES:
        return Issuer.objects.none()
    return Issuer.objects.filter(organisation__members=user).select_related("organisation")


def review_queue(request):
    """What is waiting for the caller's organisations: submitted requests first, oldest first;
    questions waiting for the caregiver below (audited as one read of the queue)."""
    from mantelzorg.core import audit

    from .models import Declaration

    issuers = list(reviewer_issuers(_signed_in(request)))
    rows = list(
        Declaration.objects.filter(
            issuer__in=issuers,
            review__in=[Declaration.Review.SUBMITTED, Declaration.Review.QUESTION],
            revoked_at__isnull=True,
            replaced_at__isnull=True,
        )
        .select_related("municipality", "issuer__organisation")
        .order_by("review", "submitted_at")
    )
    audit.log(
        request=request,
        action="declaration.queue.viewed",
        object_type="declaration.issuer",
        object_id=",".join(str(i.pk) for i in issuers)[:50] or audit.NONE,
        subject=audit.NONE,
        purpose=REVIEW_PURPOSE,
    )
    return issuers, rows


def declaration_for_review(request, declaration_id, *, action: str, read: bool = True):
    """A declaration submitted to one of the caller's organisations, or 404 (audited either way;
    ``read=False`` when the service writes the request's row). Submitted means: a review was
    asked for (any review state but none), and the caregiver did not withdraw it."""
    from .models import Declaration

    issuers = reviewer_issuers(_signed_in(request))
    declaration = (
        Declaration.objects.select_related("municipality", "issuer__organisation")
        .filter(pk=declaration_id, issuer__in=issuers)
        .exclude(review=Declaration.Review.NONE)
        .first()
    )
    if declaration is None:
        _refuse(request, declaration_id, action, "not submitted to an organisation of the caller")
    if read:
        log_read(request, declaration, action=action, purpose=REVIEW_PURPOSE)
    return declaration


def issuers_for(municipality):
    """The issuers that serve ``municipality`` and take requests."""
    from .models import Issuer

    return list(
        Issuer.objects.filter(accepts_requests=True, organisation__municipalities=municipality)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def relying_parties_for(purpose: str, municipality):
    """The approved relying parties of ``purpose``: national ones and those of the gemeente."""
    from django.db.models import Q

    from .models import RelyingParty

    return list(
        RelyingParty.objects.filter(purpose=purpose, approved_at__isnull=False).filter(
            Q(municipality__isnull=True) | Q(municipality=municipality)
        )
    )


def attestation_of(declaration, purpose: str):
    """The attestation in force for ``purpose`` (not stopped), or None."""
    return (
        declaration.attestations.filter(purpose=purpose, revoked_at__isnull=True)
        .select_related("status_list")
        .first()
    )


@dataclass(frozen=True)
class Prefill:
    """What a new declaration starts from, and where each suggestion comes from."""

    initial: dict
    from_check: bool
    check_date: object
    from_network: bool


# Balanscheck "Wie is je naaste voor jou?" -> the Wazo circle; the Balanscheck's other_family and
# friend_neighbour are not one category, so they are no suggestion.
_CHECK_RELATION = {"partner": "partner", "parent": "relative", "child": "child"}
_CHECK_SINCE_MONTHS = {"lt_3_months": 1, "3_12_months": 3, "1_5_years": 12, "gt_5_years": 60}


def prefill(request, today, *, log: bool = True) -> Prefill:
    """Suggestions from the latest saved Balanscheck (relation, how long, hours, tasks, postcode
    area) and from the care network (hours per week of done tasks, which win: they are measured).
    The caregiver can change every one. Audited by the assessment's selector, unless ``log`` is
    off because the request's one row names the check already (a renewal)."""
    from mantelzorg.assessment import selectors as assessment

    initial: dict = {}
    found = assessment.prefill_for(request, log=log, purpose="prefill the caregiver's declaration")
    check_date = None
    if found is not None:
        answers, pc4, check_date = found
        relation = _CHECK_RELATION.get(answers.get("about.relation", ""))
        if relation:
            initial["relation"] = relation
        hours = answers.get("about.care_hours")
        if isinstance(hours, int) and hours > 0:
            initial["hours_per_week"] = hours
        months = _CHECK_SINCE_MONTHS.get(answers.get("about.care_duration", ""))
        if months:
            since = check_date.date() if hasattr(check_date, "date") else today
            year, month = divmod(since.year * 12 + since.month - 1 - months, 12)
            initial["since_month"], initial["since_year"] = month + 1, year
        initial["tasks"] = [
            key.split(".")[1] for key, value in answers.items() if key.endswith(".does") and value is True
        ]
        if pc4:
            initial["postcode"] = pc4
    hours = assessment.network_care_hours(request)
    if hours:
        initial["hours_per_week"] = hours
    return Prefill(initial, found is not None, check_date, bool(hours))


# The organisations whose id a confirmed code may carry (codec key 3, confirmed_by).
CONFIRMING_KINDS = (Organisation.Kind.SUPPORT_CENTRE, Organisation.Kind.MUNICIPALITY)


def confirming_organisations() -> list[dict]:
    """The organisations published at /verklaring/organisaties.json: id, name, kind and the CBS
    codes of their gemeenten, ordered by id."""
    rows = (
        Organisation.objects.filter(kind__in=CONFIRMING_KINDS)
        .order_by("pk")
        .prefetch_related("municipalities")
    )
    return [
        {
            "id": row.pk,
            "name": row.name,
            "kind": row.kind,
            "gemeenten": sorted(municipality.code for municipality in row.municipalities.all()),
        }
        for row in rows
    ]


def confirming_organisation_name(organisation_id: object) -> str | None:
    """The name of a confirming organisation by its id (as in organisaties.json), else None."""
    if isinstance(organisation_id, bool) or not isinstance(organisation_id, int):
        return None
    row = Organisation.objects.filter(pk=organisation_id, kind__in=CONFIRMING_KINDS).only("name").first()
    return row.name if row else None


def municipality_name(code: object) -> str | None:
    """The everyday name of a gemeente by its CBS code (GM0344 -> Utrecht), else None."""
    if not isinstance(code, str):
        return None
    row = Municipality.objects.filter(pk=code).only("name_everyday").first()
    return row.name_everyday if row else None
