"""Revocation of MZ1 codes: a Token Status List (draft-ietf-oauth-status-list, issue 14, C6).

Implemented from the draft's text and examples (oauth-wg/draft-ietf-oauth-status-list, version of
2026-04-20), not from the alpha PyPI package (which follows draft 6):

* the Status List is a byte array; entry ``idx`` takes ``bits`` bits (1, 2, 4 or 8) of byte
  ``idx * bits // 8``, counted from the least significant bit; compressed with DEFLATE in the ZLIB
  format at the highest level. The draft's example: statuses 1,0,0,1,1,1,0,1,1,1,0,0,0,1,0,1 are
  the bytes b9 a3, compressed 78dadbb918000217015d;
* in CBOR it is the map ``{"bits": 1, "lst": <compressed bytes>}``;
* the Status List Token is a CWT in a tagged COSE_Sign1 (not tagged as CWT) with ``16`` (typ)
  ``application/statuslist+cwt`` in the protected header and the claims ``2`` (sub: the list's
  uri, ``<base>/verklaring/status/<list id>``; a code names only the list id, see codec.py), ``6`` (iat), ``4`` (exp), ``65534``
  (ttl: seconds a verifier may cache it before fetching a fresh copy) and ``65533`` (the list).

MZ1 uses 1 bit per attestation: 0 valid, 1 revoked ("INVALID" in the draft). Every attestation
gets an index drawn at random from the free ones (``random_index``), so neighbouring indices say
nothing about who was issued when (the draft's herd privacy).
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cwt.cose_key_interface import COSEKeyInterface

from . import codec

TYP = "application/statuslist+cwt"
HEADER_TYP = 16
CLAIM_SUB = 2
CLAIM_IAT = 6
CLAIM_EXP = 4
CLAIM_TTL = 65534
CLAIM_STATUS_LIST = 65533
# The draft's status claim in a Referenced Token (MZ1 codes do not use it: codec.py, key 11).
DRAFT_CLAIM_STATUS = 65535

VALID = 0
INVALID = 1
BITS = (1, 2, 4, 8)
# 2**17 entries at 1 bit: 16 KiB before compression, a few hundred bytes while few are set.
DEFAULT_SIZE = 2**17
# Refuse lists that inflate beyond this (2**23 entries at 1 bit).
MAX_LIST_BYTES = 2**20


class StatusListError(Exception):
    """A Status List Token that is not genuine, not of this profile, or expired."""


# --- the byte array -----------------------------------------------------------------------------


def new_list(size: int = DEFAULT_SIZE, bits: int = 1) -> bytearray:
    """An all-valid list for ``size`` entries."""
    if bits not in BITS or size <= 0 or size * bits % 8:
        raise ValueError("size * bits must be a positive multiple of 8; bits is 1, 2, 4 or 8")
    return bytearray(size * bits // 8)


def _position(idx: int, bits: int, length: int) -> tuple[int, int]:
    if bits not in BITS:
        raise ValueError("bits is 1, 2, 4 or 8")
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0 or idx * bits >= length * 8:
        raise IndexError("index outside the status list")
    return idx * bits // 8, idx * bits % 8


def get_status(lst: bytes | bytearray, idx: int, bits: int = 1) -> int:
    byte, shift = _position(idx, bits, len(lst))
    return (lst[byte] >> shift) & ((1 << bits) - 1)


def set_status(lst: bytearray, idx: int, value: int, bits: int = 1) -> None:
    byte, shift = _position(idx, bits, len(lst))
    mask = (1 << bits) - 1
    if not 0 <= value <= mask:
        raise ValueError(f"a {bits}-bit status is 0 to {mask}")
    lst[byte] = (lst[byte] & ~(mask << shift) & 0xFF) | (value << shift)


def compress(lst: bytes | bytearray) -> bytes:
    return zlib.compress(bytes(lst), 9)


def decompress(data: bytes, max_bytes: int = MAX_LIST_BYTES) -> bytes:
    try:
        return codec.inflate(data, max_bytes)
    except ValueError as error:
        raise StatusListError(f"lst: {error}") from error


def random_index(size: int, taken: Iterable[int] = ()) -> int:
    """A free index drawn uniformly at random (CSPRNG) from 0..size-1."""
    used = set(taken)
    if len(used) >= size:
        raise ValueError("the status list is full")
    while True:
        idx = secrets.randbelow(size)
        if idx not in used:
            return idx


def cbor_status_list(lst: bytes | bytearray, bits: int = 1) -> dict[str, Any]:
    """The draft's CBOR StatusList map: {"bits": bits, "lst": compressed}."""
    return {"bits": bits, "lst": compress(lst)}


# --- the signed token ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusList:
    """A verified Status List Token."""

    uri: str
    issued_at: int
    expires_at: int | None
    ttl: int | None
    bits: int
    lst: bytes
    kid: bytes

    def status(self, idx: int) -> int:
        """The status at ``idx`` (0 valid); IndexError outside the list."""
        return get_status(self.lst, idx, self.bits)

    @property
    def size(self) -> int:
        return len(self.lst) * 8 // self.bits

    def fetch_again_after(self) -> int | None:
        """When a cached copy should be fetched again (iat + ttl), as the draft's caching rule."""
        return None if self.ttl is None else self.issued_at + self.ttl


def encode_token(
    lst: bytes | bytearray,
    *,
    uri: str,
    key: COSEKeyInterface,
    kid: bytes,
    issued_at: datetime | int,
    expires_at: datetime | int,
    ttl: int,
    bits: int = 1,
) -> bytes:
    """The signed Status List Token (CBOR bytes) for ``lst``."""
    iat, exp = codec.timestamp(issued_at), codec.timestamp(expires_at)
    if exp <= iat or ttl <= 0:
        raise ValueError("exp must follow iat and ttl must be positive")
    claims = {
        CLAIM_SUB: uri,
        CLAIM_IAT: iat,
        CLAIM_EXP: exp,
        CLAIM_TTL: ttl,
        CLAIM_STATUS_LIST: cbor_status_list(lst, bits),
    }
    return codec.sign(claims, key, kid, extra_protected={HEADER_TYP: TYP})


def verify_token(
    token: bytes,
    keyset: Iterable[COSEKeyInterface],
    now: datetime | int,
    expected_uri: str | None = None,
) -> StatusList:
    """Verify a Status List Token (signature, typ, required claims, exp) and return its list.

    Raises StatusListError. A kid in the unprotected header is accepted here, as in the draft's
    example token.
    """
    current = codec.timestamp(now)
    try:
        kid, claims = codec.verify_sign1(
            token, keyset, expected_protected={HEADER_TYP: TYP}, allow_unprotected_kid=True
        )
    except (codec.MalformedCode, codec.NotGenuine) as error:
        raise StatusListError(str(error)) from error
    except Exception as error:  # anything else a broken token makes a library raise
        raise StatusListError(f"unreadable status list token ({type(error).__name__})") from error
    uri, iat, exp, ttl = (claims.get(k) for k in (CLAIM_SUB, CLAIM_IAT, CLAIM_EXP, CLAIM_TTL))
    status_list = claims.get(CLAIM_STATUS_LIST)
    if not isinstance(uri, str) or not isinstance(iat, int) or not _is_uint(iat):
        raise StatusListError("sub and iat are required")
    if exp is not None and not _is_uint(exp):
        raise StatusListError("exp is a time")
    if ttl is not None and (not _is_uint(ttl) or ttl <= 0):
        raise StatusListError("ttl is a positive number of seconds")
    if not isinstance(status_list, dict) or status_list.get("bits") not in BITS:
        raise StatusListError("the status list claim needs bits 1, 2, 4 or 8")
    if not isinstance(status_list.get("lst"), bytes):
        raise StatusListError("lst is a byte string")
    if expected_uri is not None and uri != expected_uri:
        raise StatusListError("sub is not the expected status list uri")
    if exp is not None and current >= exp:
        raise StatusListError("the status list token has expired")
    return StatusList(uri, iat, exp, ttl, status_list["bits"], decompress(status_list["lst"]), kid)


def _is_uint(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def reference_of(claims: dict[Any, Any]) -> tuple[int, str]:
    """(idx, uri) of the draft's Referenced Token status claim (65535) in a CWT claims map: for
    tokens of others that follow the draft. MZ1 codes carry a shorter reference instead (codec.py,
    key 11 of the MZ1 map: [list id, idx])."""
    status = claims.get(DRAFT_CLAIM_STATUS)
    if not isinstance(status, dict) or not isinstance(status.get("status_list"), dict):
        raise StatusListError("no status_list reference")
    reference = status["status_list"]
    idx, uri = reference.get("idx"), reference.get("uri")
    if not _is_uint(idx) or not isinstance(uri, str):
        raise StatusListError("status_list needs idx and uri")
    return idx, uri
