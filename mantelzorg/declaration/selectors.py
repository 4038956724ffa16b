"""Reading the trust material of MZ1 (issue 14, C6): the keyring, the published key sets, the
status lists and their signed tokens. Nothing here writes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from . import keys, status_list
from .models import StatusList

# A verifier may cache a status list token this long before fetching it again (the draft's ttl);
# the token itself expires a day after it was signed.
STATUS_TTL_SECONDS = 3600
STATUS_LIFETIME_SECONDS = 24 * 3600
STATUS_PATH = "/verklaring/status/"


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
    """The uri a code names for its status list (the ``sub`` of the list's token)."""
    return f"{settings.SITE_URL}{STATUS_PATH}{list_id}"


def list_id_of(uri: str) -> int | None:
    """The id of one of our status lists from a code's status uri, or None when it is not ours."""
    base = f"{settings.SITE_URL}{STATUS_PATH}"
    if not uri.startswith(base):
        return None
    rest = uri[len(base) :]
    return int(rest) if rest.isascii() and rest.isdigit() and len(rest) <= 9 else None


def status_source(uri: str) -> status_list.StatusList | None:
    """Our own status list behind ``uri`` for codec.decode (read from the database, no signature
    needed), or None when the uri is not one of ours."""
    list_id = list_id_of(uri)
    if list_id is None:
        return None
    row = StatusList.objects.filter(pk=list_id).only("bits", "size").first()
    if row is None:
        return None
    return status_list.StatusList(
        uri=uri,
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
