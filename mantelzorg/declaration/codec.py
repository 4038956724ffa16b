"""MZ1: the text and QR form of a purpose-bound caregiver attestation (issue 14, C6).

The pattern is the EU Digital COVID Certificate's (hcert_spec.md): the claims are a CWT (RFC 8392,
a CBOR map), signed as a COSE_Sign1 (RFC 9052, tag 18) with ES256 under a key id (``kid``) in the
protected header, compressed with zlib (RFC 1950), encoded in base45 (RFC 9285) and prefixed with
``MZ1:``. The QR code uses error correction Q (see ``qr_code``).

    claims --CBOR--> CWT --COSE_Sign1/ES256--> bytes --zlib--> bytes --base45--> "MZ1:..."

Pure Python (no Django): the reference verifier for relying parties (scripts/mz1_verify.py) follows
the same steps with the same libraries, and the tests hold both to the same outcome.

CWT claims (top level)
======================

=========  =======  ==========================================================================
key        name     value
=========  =======  ==========================================================================
1          iss      text: who signed (this installation), e.g. "NL-MZ"
4          exp      uint: expiry, seconds since 1970 (UTC); never more than 28 days after iat
6          iat      uint: issued at, seconds since 1970 (UTC)
65535      status   the Token Status List reference (draft-ietf-oauth-status-list, section
                    "Referenced Token in COSE"): ``{"status_list": {"idx": uint, "uri": text}}``
-65537     mz       our own claims, in one map (below). -65537 is the first private-use claim
                    key of RFC 8392 section 9.1 (keys below -65536), as the DCC keeps its
                    certificate under -260 in one map
=========  =======  ==========================================================================

Our own claims (the map under -65537), small integer keys to keep the QR code small
====================================================================================

=====  ============  ===============================================================================
key    name          value
=====  ============  ===============================================================================
1      purpose       uint, ``PURPOSES``: 1 parking, 2 employer, 3 housing, 4 uwv, 5 education,
                     6 appreciation, 7 general
2      level         uint, ``LEVELS``: 1 self_declared ("zelfverklaard"), 2 confirmed
3      confirmed_by  text: the organisation that confirmed it (only with level confirmed)
4      hours_band    uint: lower bound of the care hours per week (8 means "at least 8 h/week")
5      care_since    uint YYYYMM: the month care began (202503 = March 2025), never a day
6      pc4           uint: the naaste's four-digit postcode (1000-9999)
7      gemeente      uint: the naaste's CBS gemeentecode without "GM" (344 = GM0344 Utrecht)
8      relation      text: relation category (Wazo 5:1 lid 2, as in the care network)
9      valid_until   uint YYYYMMDD: end of the underlying declaration (12 months)
10     holder        map: holder binding as CoronaCheck does it (initials plus birth day *or*
                     birth month, checked against an ID): {1: initials text, 2: birth day 1-31}
                     or {1: initials text, 3: birth month 1-12}; never the BSN
=====  ============  ===============================================================================

In the dict that ``encode`` takes and ``decode`` returns these are readable: ``purpose="parking"``,
``level="confirmed"``, ``care_since="2025-03"``, ``pc4="3511"``, ``gemeente="GM0344"``,
``valid_until="2027-12-03"``, ``holder={"initials": "JV", "birth_day": 14}``.

Outcomes of ``decode``
======================

``valid``, ``expired``, ``revoked``, ``not_genuine`` or ``malformed``; never an exception, whatever
the input. In this order (the status list draft, "Validation Rules": the token's own checks come
before its status):

1. not text, no ``MZ1:`` prefix, not base45, not zlib, not a COSE_Sign1 with a protected header
   that names ES256 and a kid: **malformed**;
2. no published key with that kid, or no key with that kid verifies the signature:
   **not_genuine** (every key with the kid is tried, as DCC verifiers do);
3. a signed payload that is not a CWT of this profile: **malformed**;
4. ``now >= exp``: **expired**. RFC 8392 section 3.1.4 (as RFC 7519 for JWT) defines exp as the time
   "on or after which the CWT MUST NOT be accepted for processing": at exp itself the code is
   expired, one second before it is valid. No leeway: expiry is exact;
5. a status list was given for the code's status ``uri`` and its bit at ``idx`` is set:
   **revoked**; an index outside that list is **malformed** (the draft: the token "MUST be
   rejected"). A list for another uri, or no list, leaves the status unchecked
   (``status_checked=False``): offline verifiers say how old their list is;
6. otherwise **valid**, with the claims.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import base45
import cbor2
from cwt import COSE
from cwt.cose_key_interface import COSEKeyInterface

PREFIX = "MZ1:"
ES256 = -7
HEADER_ALG = 1
HEADER_KID = 4

CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_STATUS = 65535
CLAIM_MZ = -65537

# Each QR is valid for at most 28 days (issue 14; CoronaCheck issues strips at most 28 days ahead).
MAX_VALIDITY_SECONDS = 28 * 24 * 3600
# Longest text we look at: a version 40 QR code holds 4,296 alphanumeric characters.
MAX_CODE_LENGTH = 4296
# Largest payload we decompress (a QR code holds at most 2,953 bytes; zlib bombs stop here).
MAX_PAYLOAD_BYTES = 8192

VALID = "valid"
EXPIRED = "expired"
REVOKED = "revoked"
NOT_GENUINE = "not_genuine"
MALFORMED = "malformed"
OUTCOMES = (VALID, EXPIRED, REVOKED, NOT_GENUINE, MALFORMED)

PURPOSES = {
    "parking": 1,
    "employer": 2,
    "housing": 3,
    "uwv": 4,
    "education": 5,
    "appreciation": 6,
    "general": 7,
}
LEVELS = {"self_declared": 1, "confirmed": 2}

KEY_PURPOSE = 1
KEY_LEVEL = 2
KEY_CONFIRMED_BY = 3
KEY_HOURS_BAND = 4
KEY_CARE_SINCE = 5
KEY_PC4 = 6
KEY_GEMEENTE = 7
KEY_RELATION = 8
KEY_VALID_UNTIL = 9
KEY_HOLDER = 10
HOLDER_INITIALS = 1
HOLDER_BIRTH_DAY = 2
HOLDER_BIRTH_MONTH = 3

# Every readable claim name that ``encode`` accepts, besides "iss" and "status".
CLAIM_NAMES = (
    "purpose",
    "level",
    "confirmed_by",
    "hours_band",
    "care_since",
    "pc4",
    "gemeente",
    "relation",
    "valid_until",
    "holder",
)

_MONTH = re.compile(r"(\d{4})-(\d{2})\Z")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
_GEMEENTE = re.compile(r"GM(\d{4})\Z")
_PC4 = re.compile(r"[1-9]\d{3}\Z")
_INITIALS = re.compile(r"[A-Z]{1,4}\Z")


class ClaimError(ValueError):
    """A claim that this profile does not allow (at encode, or inside a signed code at decode)."""


class MalformedCode(Exception):
    """The input is not an MZ1 code of this profile (outcome ``malformed``)."""


class NotGenuine(Exception):
    """No published key verifies the signature (outcome ``not_genuine``)."""


class StatusSource(Protocol):
    """What ``decode`` needs of a verified status list (status_list.StatusList, a frozen dataclass:
    ``uri`` is read-only)."""

    @property
    def uri(self) -> str: ...

    def status(self, idx: int) -> int: ...


@dataclass(frozen=True)
class Verification:
    """The outcome of ``decode``: ``status`` is one of ``OUTCOMES``; ``claims`` only when valid."""

    status: str
    reason: str = ""
    claims: dict[str, Any] | None = None
    kid: bytes | None = None
    issued_at: int | None = None
    expires_at: int | None = None
    status_checked: bool = False

    @property
    def valid(self) -> bool:
        return self.status == VALID


# --- time ---------------------------------------------------------------------------------------


def timestamp(value: datetime | int) -> int:
    """Seconds since 1970 (UTC) from an aware datetime or an int."""
    if isinstance(value, bool):
        raise TypeError("a time is a datetime or an int")
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a naive datetime has no time zone; pass an aware one")
        return int(value.timestamp())
    raise TypeError("a time is a datetime or an int")


# --- claims: readable <-> wire ------------------------------------------------------------------


def _text(value: Any, name: str, max_length: int) -> str:
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise ClaimError(f"{name} must be text of 1 to {max_length} characters")
    return value


def _uint(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ClaimError(f"{name} must be a whole number from {low} to {high}")
    return value


def _month_to_wire(value: Any) -> int:
    match = _MONTH.match(value) if isinstance(value, str) else None
    if not match or not 1 <= int(match[2]) <= 12:
        raise ClaimError("care_since must be a month, YYYY-MM")
    return int(match[1]) * 100 + int(match[2])


def _month_from_wire(value: Any) -> str:
    value = _uint(value, "care_since", 190001, 999912)
    if not 1 <= value % 100 <= 12:
        raise ClaimError("care_since must be a month, YYYYMM")
    return f"{value // 100:04d}-{value % 100:02d}"


def _date_to_wire(value: Any) -> int:
    match = _DATE.match(value) if isinstance(value, str) else None
    if not match:
        raise ClaimError("valid_until must be a date, YYYY-MM-DD")
    try:
        datetime(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as error:
        raise ClaimError("valid_until must be a date, YYYY-MM-DD") from error
    return int(match[1]) * 10000 + int(match[2]) * 100 + int(match[3])


def _date_from_wire(value: Any) -> str:
    value = _uint(value, "valid_until", 19000101, 99991231)
    text = f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"
    _date_to_wire(text)
    return text


def _holder_to_wire(value: Any) -> dict[int, Any]:
    if not isinstance(value, Mapping) or set(value) - {"initials", "birth_day", "birth_month"}:
        raise ClaimError("holder has initials and a birth day or a birth month")
    initials = value.get("initials")
    if not isinstance(initials, str) or not _INITIALS.match(initials):
        raise ClaimError("holder initials are 1 to 4 capital letters")
    wire: dict[int, Any] = {HOLDER_INITIALS: initials}
    if ("birth_day" in value) == ("birth_month" in value):
        raise ClaimError("holder has a birth day or a birth month, not both and not neither")
    if "birth_day" in value:
        wire[HOLDER_BIRTH_DAY] = _uint(value["birth_day"], "birth_day", 1, 31)
    else:
        wire[HOLDER_BIRTH_MONTH] = _uint(value["birth_month"], "birth_month", 1, 12)
    return wire


def _holder_from_wire(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {HOLDER_INITIALS, HOLDER_BIRTH_DAY, HOLDER_BIRTH_MONTH}:
        raise ClaimError("holder is a map of initials and a birth day or month")
    readable: dict[str, Any] = {"initials": value.get(HOLDER_INITIALS)}
    if HOLDER_BIRTH_DAY in value:
        readable["birth_day"] = value[HOLDER_BIRTH_DAY]
    if HOLDER_BIRTH_MONTH in value:
        readable["birth_month"] = value[HOLDER_BIRTH_MONTH]
    _holder_to_wire(readable)
    return readable


def _enum_to_wire(value: Any, name: str, table: dict[str, int]) -> int:
    if value not in table:
        raise ClaimError(f"{name} must be one of {', '.join(table)}")
    return table[value]


def _enum_from_wire(value: Any, name: str, table: dict[str, int]) -> str:
    for readable, code in table.items():
        if value == code and not isinstance(value, bool):
            return readable
    raise ClaimError(f"unknown {name} code")


def _status_to_wire(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping) or set(value) != {"idx", "uri"}:
        raise ClaimError('status is {"idx": index, "uri": status list uri}')
    return {
        "status_list": {
            "idx": _uint(value["idx"], "status idx", 0, 2**32 - 1),
            "uri": _text(value["uri"], "status uri", 200),
        }
    }


def _status_from_wire(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("status_list"), dict):
        raise ClaimError("status has no status_list")
    reference = value["status_list"]
    return {
        "idx": _uint(reference.get("idx"), "status idx", 0, 2**32 - 1),
        "uri": _text(reference.get("uri"), "status uri", 200),
    }


def claims_to_wire(claims: Mapping[str, Any]) -> tuple[dict[int, Any], dict[int, Any]]:
    """The readable claims as (top-level CWT claims without times, the -65537 map)."""
    unknown = set(claims) - set(CLAIM_NAMES) - {"iss", "status"}
    if unknown:
        raise ClaimError(f"unknown claims: {', '.join(sorted(unknown))}")
    top: dict[int, Any] = {}
    if "iss" in claims:
        top[CLAIM_ISS] = _text(claims["iss"], "iss", 100)
    if "status" in claims:
        top[CLAIM_STATUS] = _status_to_wire(claims["status"])
    mz: dict[int, Any] = {}
    if "purpose" not in claims or "level" not in claims:
        raise ClaimError("purpose and level are required")
    mz[KEY_PURPOSE] = _enum_to_wire(claims["purpose"], "purpose", PURPOSES)
    mz[KEY_LEVEL] = _enum_to_wire(claims["level"], "level", LEVELS)
    if "confirmed_by" in claims:
        if claims["level"] != "confirmed":
            raise ClaimError("confirmed_by goes only with level confirmed")
        mz[KEY_CONFIRMED_BY] = _text(claims["confirmed_by"], "confirmed_by", 80)
    if "hours_band" in claims:
        mz[KEY_HOURS_BAND] = _uint(claims["hours_band"], "hours_band", 0, 168)
    if "care_since" in claims:
        mz[KEY_CARE_SINCE] = _month_to_wire(claims["care_since"])
    if "pc4" in claims:
        if not isinstance(claims["pc4"], str) or not _PC4.match(claims["pc4"]):
            raise ClaimError("pc4 is a four-digit postcode, 1000 to 9999")
        mz[KEY_PC4] = int(claims["pc4"])
    if "gemeente" in claims:
        match = _GEMEENTE.match(claims["gemeente"]) if isinstance(claims["gemeente"], str) else None
        if not match:
            raise ClaimError("gemeente is a CBS code, GM followed by four digits")
        mz[KEY_GEMEENTE] = int(match[1])
    if "relation" in claims:
        mz[KEY_RELATION] = _text(claims["relation"], "relation", 40)
    if "valid_until" in claims:
        mz[KEY_VALID_UNTIL] = _date_to_wire(claims["valid_until"])
    if "holder" in claims:
        mz[KEY_HOLDER] = _holder_to_wire(claims["holder"])
    return top, mz


def claims_from_wire(payload: dict[Any, Any]) -> dict[str, Any]:
    """The readable claims of a verified CWT payload (raises ClaimError outside this profile)."""
    allowed = {CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_STATUS, CLAIM_MZ}
    if set(payload) - allowed:
        raise ClaimError("claims outside the MZ1 profile")
    mz = payload.get(CLAIM_MZ)
    if not isinstance(mz, dict):
        raise ClaimError("no MZ1 claims map")
    known = {
        KEY_PURPOSE,
        KEY_LEVEL,
        KEY_CONFIRMED_BY,
        KEY_HOURS_BAND,
        KEY_CARE_SINCE,
        KEY_PC4,
        KEY_GEMEENTE,
        KEY_RELATION,
        KEY_VALID_UNTIL,
        KEY_HOLDER,
    }
    if set(mz) - known:
        raise ClaimError("unknown MZ1 claim")
    claims: dict[str, Any] = {}
    if CLAIM_ISS in payload:
        claims["iss"] = _text(payload[CLAIM_ISS], "iss", 100)
    if CLAIM_STATUS in payload:
        claims["status"] = _status_from_wire(payload[CLAIM_STATUS])
    claims["purpose"] = _enum_from_wire(mz.get(KEY_PURPOSE), "purpose", PURPOSES)
    claims["level"] = _enum_from_wire(mz.get(KEY_LEVEL), "level", LEVELS)
    if KEY_CONFIRMED_BY in mz:
        claims["confirmed_by"] = _text(mz[KEY_CONFIRMED_BY], "confirmed_by", 80)
    if KEY_HOURS_BAND in mz:
        claims["hours_band"] = _uint(mz[KEY_HOURS_BAND], "hours_band", 0, 168)
    if KEY_CARE_SINCE in mz:
        claims["care_since"] = _month_from_wire(mz[KEY_CARE_SINCE])
    if KEY_PC4 in mz:
        claims["pc4"] = str(_uint(mz[KEY_PC4], "pc4", 1000, 9999))
    if KEY_GEMEENTE in mz:
        claims["gemeente"] = f"GM{_uint(mz[KEY_GEMEENTE], 'gemeente', 1, 9999):04d}"
    if KEY_RELATION in mz:
        claims["relation"] = _text(mz[KEY_RELATION], "relation", 40)
    if KEY_VALID_UNTIL in mz:
        claims["valid_until"] = _date_from_wire(mz[KEY_VALID_UNTIL])
    if KEY_HOLDER in mz:
        claims["holder"] = _holder_from_wire(mz[KEY_HOLDER])
    # the same rules as at encode (e.g. confirmed_by only with level confirmed)
    claims_to_wire(claims)
    return claims


# --- COSE_Sign1 (shared with status_list.py) ----------------------------------------------------


def sign(payload: Mapping[int, Any], key: COSEKeyInterface, kid: bytes, extra_protected=None) -> bytes:
    """A tagged COSE_Sign1 over the CBOR of ``payload``: ES256, kid in the protected header."""
    if not isinstance(kid, bytes) or not kid:
        raise ValueError("kid must be non-empty bytes")
    if key.alg not in (None, ES256):
        raise ValueError("MZ1 signs with ES256 only")
    protected: dict[int, Any] = {HEADER_ALG: ES256, HEADER_KID: kid}
    protected.update(extra_protected or {})
    encoded = COSE.new().encode_and_sign(cbor2.dumps(dict(payload)), key, protected=protected, unprotected={})
    assert isinstance(encoded, bytes)
    return encoded


def _strict_cbor(data: bytes) -> Any:
    """CBOR with nothing after the first item (cbor2.loads ignores trailing bytes)."""
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except Exception as error:  # cbor2 raises several types on bad input
        raise MalformedCode("not CBOR") from error
    if stream.tell() != len(data):
        raise MalformedCode("bytes after the CBOR item")
    return item


def verify_sign1(
    data: bytes,
    keyset: Iterable[COSEKeyInterface],
    *,
    expected_protected: Mapping[int, Any] | None = None,
    allow_unprotected_kid: bool = False,
) -> tuple[bytes, dict[Any, Any]]:
    """Verify a tagged COSE_Sign1; returns (kid, payload map).

    Raises MalformedCode for anything that is not a COSE_Sign1 naming ES256 and a kid in its
    protected header, NotGenuine when no key with that kid verifies it. Only keys whose kid matches
    are tried, each of them (DCC: "try every key matching the kid"). MZ1 codes carry the kid in the
    protected header only; ``allow_unprotected_kid`` accepts it unprotected too, as in the status
    list draft's examples (the kid only selects keys: the signature decides).
    """
    message = _strict_cbor(data)
    if not isinstance(message, cbor2.CBORTag) or message.tag != 18:
        raise MalformedCode("not a tagged COSE_Sign1")
    value = message.value
    if not isinstance(value, list) or len(value) != 4:
        raise MalformedCode("COSE_Sign1 is an array of four")
    protected_bytes, unprotected, payload_bytes, signature = value
    if not isinstance(protected_bytes, bytes) or not isinstance(unprotected, dict):
        raise MalformedCode("bad COSE headers")
    if not isinstance(payload_bytes, bytes) or not isinstance(signature, bytes):
        raise MalformedCode("bad COSE payload or signature")
    protected = _strict_cbor(protected_bytes) if protected_bytes else {}
    if not isinstance(protected, dict) or protected.get(HEADER_ALG) != ES256:
        raise MalformedCode("the protected header must name ES256")
    for label, expected in (expected_protected or {}).items():
        if protected.get(label) != expected:
            raise MalformedCode(f"protected header {label} is not {expected!r}")
    if HEADER_ALG in unprotected:
        raise MalformedCode("alg belongs in the protected header")
    kid = protected.get(HEADER_KID)
    if kid is None and allow_unprotected_kid:
        kid = unprotected.get(HEADER_KID)
    elif HEADER_KID in unprotected:
        raise MalformedCode("the kid belongs in the protected header only")
    if not isinstance(kid, bytes) or not kid:
        raise MalformedCode("no kid in the protected header")
    candidates = [key for key in keyset if key.kid == kid]
    if not candidates:
        raise NotGenuine("no published key has this kid")
    if len(signature) != 64:
        raise NotGenuine("an ES256 signature has 64 bytes")
    try:
        payload = COSE.new().decode(message, candidates)
    except Exception as error:  # cwt raises VerifyError, or ValueError for a bad signature
        raise NotGenuine("the signature does not verify") from error
    claims = _strict_cbor(payload)
    if not isinstance(claims, dict):
        raise MalformedCode("the signed payload is not a CWT claims map")
    return kid, claims


# --- MZ1 text -----------------------------------------------------------------------------------


def encode(
    claims: Mapping[str, Any],
    key: COSEKeyInterface,
    kid: bytes,
    issued_at: datetime | int,
    expires_at: datetime | int,
) -> str:
    """The ``MZ1:`` text of ``claims`` (readable names, see the module docstring), signed with ``key``."""
    iat, exp = timestamp(issued_at), timestamp(expires_at)
    if not 0 < exp - iat <= MAX_VALIDITY_SECONDS:
        raise ClaimError("an MZ1 code is valid for more than 0 seconds and at most 28 days")
    top, mz = claims_to_wire(claims)
    payload = {**top, CLAIM_IAT: iat, CLAIM_EXP: exp, CLAIM_MZ: mz}
    signed = sign(payload, key, kid)
    return PREFIX + base45.b45encode(zlib.compress(signed, 9)).decode("ascii")


def unwrap(code: Any) -> bytes:
    """The COSE bytes inside an ``MZ1:`` text (raises MalformedCode)."""
    if not isinstance(code, str):
        raise MalformedCode("a code is text")
    code = code.strip()
    if len(code) > MAX_CODE_LENGTH:
        raise MalformedCode("too long for a QR code")
    if not code.startswith(PREFIX):
        raise MalformedCode("no MZ1: prefix")
    try:
        compressed = base45.b45decode(code[len(PREFIX) :])
    except (ValueError, TypeError) as error:
        raise MalformedCode("not base45") from error
    try:
        return inflate(compressed, MAX_PAYLOAD_BYTES)
    except ValueError as error:
        raise MalformedCode(str(error)) from error


def inflate(data: bytes, max_bytes: int) -> bytes:
    """One whole zlib stream of at most ``max_bytes`` (no zip bomb), nothing after it; else
    ``ValueError``. The codes' payload and the status lists' bit arrays."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max_bytes)
    except zlib.error as error:
        raise ValueError("not zlib") from error
    if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
        raise ValueError("zlib stream incomplete, too large or followed by other bytes")
    return out


def decode(
    code: Any,
    keyset: Iterable[COSEKeyInterface],
    now: datetime | int,
    status_list: StatusSource | None = None,
) -> Verification:
    """Verify an ``MZ1:`` text against the published keys at time ``now``; never raises.

    ``keyset``: public COSE keys (keys.keyset_from_jwks / keyset_from_cose_key_set).
    ``status_list``: a verified status list (status_list.verify_token), or None when offline
    without one. The order of the checks and what each outcome means: the module docstring.
    """
    try:
        current = timestamp(now)
        keys = list(keyset)
    except (TypeError, ValueError) as error:
        raise TypeError("now is a datetime or int, keyset an iterable of COSE keys") from error
    try:
        kid, payload = verify_sign1(unwrap(code), keys)
    except MalformedCode as error:
        return Verification(MALFORMED, reason=str(error))
    except NotGenuine as error:
        return Verification(NOT_GENUINE, reason=str(error))
    except Exception as error:  # the promise: an answer, never an exception
        return Verification(MALFORMED, reason=f"unreadable ({type(error).__name__})")
    iat, exp = payload.get(CLAIM_IAT), payload.get(CLAIM_EXP)
    try:
        iat = _uint(iat, "iat", 0, 2**40)
        exp = _uint(exp, "exp", 0, 2**40)
        claims = claims_from_wire(payload)
    except ClaimError as error:
        return Verification(MALFORMED, reason=str(error), kid=kid)
    except Exception as error:  # a signed payload of an unforeseen shape: still an answer
        return Verification(MALFORMED, reason=f"unreadable claims ({type(error).__name__})", kid=kid)
    if not 0 < exp - iat <= MAX_VALIDITY_SECONDS:
        return Verification(MALFORMED, reason="validity longer than 28 days", kid=kid)
    if current >= exp:
        return Verification(EXPIRED, "now is at or after exp", kid=kid, issued_at=iat, expires_at=exp)
    status_checked = False
    reference = claims.get("status")
    if status_list is not None and reference and reference["uri"] == status_list.uri:
        try:
            bit = status_list.status(reference["idx"])
        except IndexError:
            reason = "status index outside the status list"
            return Verification(MALFORMED, reason, kid=kid, issued_at=iat, expires_at=exp)
        if bit != 0:
            reason = "status list bit set"
            return Verification(REVOKED, reason, kid=kid, issued_at=iat, expires_at=exp, status_checked=True)
        status_checked = True
    return Verification(
        VALID, claims=claims, kid=kid, issued_at=iat, expires_at=exp, status_checked=status_checked
    )
