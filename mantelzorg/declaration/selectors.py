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
