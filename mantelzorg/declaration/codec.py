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

Exactly two, nothing else (a verifier refuses any other key as malformed):

=========  =======  ==========================================================================
key        name     value
=========  =======  ==========================================================================
4          exp      uint: expiry, seconds since 1970 (UTC); at most 28 days after the moment
                    the code is checked (see "Outcomes"), and at encode at most 28 days after
                    the moment it was issued
-65537     mz       our own claims, in one map (below). -65537 is the first private-use claim
                    key of RFC 8392 section 9.1 (keys below -65536), as the DCC keeps its
                    certificate under -260 in one map
=========  =======  ==========================================================================

No iss (1): the issuer is implied by the ``MZ1:`` prefix and the pinned key set. No iat (6): the
28-day rule is checked against exp alone. No status claim 65535: see key 11 below.

Our own claims (the map under -65537), small integer keys to keep the QR code small
====================================================================================

=====  ============  ===============================================================================
key    name          value
=====  ============  ===============================================================================
1      purpose       uint, ``PURPOSES``: 1 parking, 2 employer, 3 housing, 4 uwv, 5 education,
                     6 appreciation, 7 general
2      level         uint, ``LEVELS``: 1 self_declared ("zelfverklaard"), 2 confirmed
3      confirmed_by  uint >= 1: the id of the organisation that confirmed it (only with level
                     confirmed); names at ``/verklaring/organisaties.json``
4      hours_band    uint: lower bound of the care hours per week (8 means "at least 8 h/week")
5      care_since    uint YYYYMM: the month care began (202503 = March 2025), never a day
6      pc4           uint: the naaste's four-digit postcode (1000-9999)
7      gemeente      uint: the naaste's CBS gemeentecode without "GM" (344 = GM0344 Utrecht)
8      relation      text: relation category (Wazo 5:1 lid 2, as in the care network)
9      valid_until   uint YYYYMMDD: end of the underlying declaration (12 months)
10     holder        map: holder binding as CoronaCheck does it (initials plus birth day *or*
                     birth month, checked against an ID): {1: initials text, 2: birth day 1-31}
                     or {1: initials text, 3: birth month 1-12}; never the BSN
11     status        array [list id uint >= 1, idx uint]: the entry of the code in the Token Status
                     List at ``<base>/verklaring/status/<list id>`` (see below)
=====  ============  ===============================================================================

The status reference deviates from draft-ietf-oauth-status-list ("Referenced Token in COSE": claim
65535, ``{"status_list": {"idx": uint, "uri": text}}``): its text keys and an absolute uri alone
take an attestation past QR version 10. The uri is derived instead: ``<base>`` is the site the
keys were fetched from (``settings.SITE_URL`` on the server). The Status List Token itself stays
as the draft has it, with that uri as its ``sub``; ``status_list_id`` reads the list id back from it.

In the dict that ``encode`` takes and ``decode`` returns these are readable: ``purpose="parking"``,
``level="confirmed"``, ``confirmed_by=17``, ``care_since="2025-03"``, ``pc4="3511"``,
``gemeente="GM0344"``, ``valid_until="2027-12-03"``, ``holder={"initials": "JV", "birth_day": 14}``,
``status={"list": 1, "idx": 4242}``.

Outcomes of ``decode``
======================

``valid``, ``expired``, ``revoked``, ``not_genuine`` or ``malformed``; never an exception, whatever
the input. In this order (the status list draft, "Validation Rules": the token's own checks come
before its status):

1. not text, no ``MZ1:`` prefix, not base45, not zlib, not a COSE_Sign1 with a protected header
   that names ES256 and a kid: **malformed**;
2. no published key with that kid, or no key with that kid verifies the signature:
   **not_genuine** (every key with the kid is tried, as DCC verifiers do);
3. a signed payload that is not a CWT of this profile: **malformed**; so is one whose ``exp`` is
   more than 28 days (``MAX_VALIDITY_SECONDS``) after ``now``: without iat this is how a code is
   never valid for longer than 28 days from the moment it is checked (exactly 28 days is allowed);
4. ``now >= exp``: **expired**. RFC 8392 section 3.1.4 (as RFC 7519 for JWT) defines exp as the time
   "on or after which the CWT MUST NOT be accepted for processing": at exp itself the code is
   expired, one second before it is valid. No leeway: expiry is exact;
5. a status list was given whose uri names the code's list id (``status_list_id``) and its bit at
   ``idx`` is set: **revoked**; an index outside that list is **malformed** (the draft: the token
   "MUST be rejected"). A list for another id, or no list, leaves the status unchecked
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

CLAIM_EXP = 4
CLAIM_MZ = -65537
# Where a status list lives below the site of the keys: <base>/verklaring/status/<list id>.
STATUS_PATH = "/verklaring/status/"

# Each QR is valid for at most 28 days, from issue and from any moment it is checked (issue 14; CoronaCheck issues strips at most 28 days ahead).
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
KEY_STATUS = 11
HOLDER_INITIALS = 1
HOLDER_BIRTH_DAY = 2
HOLDER_BIRTH_MONTH = 3

UINT32 = 2**32 - 1

# Every readable claim name that ``encode`` accepts.
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
    "status",
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
    ``uri`` is read-only). The list id is read from the uri (``status_list_id``)."""

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


def _status_to_wire(value: Any) -> list[int]:
    if not isinstance(value, Mapping) or set(value) != {"list", "idx"}:
        raise ClaimError('status is {"list": status list id, "idx": index}')
    return [_uint(value["list"], "status list", 1, UINT32), _uint(value["idx"], "status idx", 0, UINT32)]


def _status_from_wire(value: Any) -> dict[str, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise ClaimError("status is an array of the list id and the index")
    return {
        "list": _uint(value[0], "status list", 1, UINT32),
        "idx": _uint(value[1], "status idx", 0, UINT32),
    }


def status_list_uri(base: str, list_id: int) -> str:
    """The uri of status list ``list_id`` of the site at ``base`` (the ``sub`` of its token)."""
    return f"{base.rstrip('/')}{STATUS_PATH}{list_id}"


def status_list_id(uri: Any) -> int | None:
    """The list id at the end of a status list uri (``.../verklaring/status/<id>``), else None."""
    if not isinstance(uri, str) or STATUS_PATH not in uri:
        return None
    rest = uri.rsplit(STATUS_PATH, 1)[1]
    if not (rest.isascii() and rest.isdigit()) or len(rest) > 10 or rest.startswith("0"):
        return None
    return int(rest) if int(rest) <= UINT32 else None


def claims_to_wire(claims: Mapping[str, Any]) -> dict[int, Any]:
    """The readable claims as the -65537 map."""
    unknown = set(claims) - set(CLAIM_NAMES)
    if unknown:
        raise ClaimError(f"unknown claims: {', '.join(sorted(unknown))}")
    mz: dict[int, Any] = {}
    if "purpose" not in claims or "level" not in claims:
        raise ClaimError("purpose and level are required")
    mz[KEY_PURPOSE] = _enum_to_wire(claims["purpose"], "purpose", PURPOSES)
    mz[KEY_LEVEL] = _enum_to_wire(claims["level"], "level", LEVELS)
    if "confirmed_by" in claims:
        if claims["level"] != "confirmed":
            raise ClaimError("confirmed_by goes only with level confirmed")
        mz[KEY_CONFIRMED_BY] = _uint(claims["confirmed_by"], "confirmed_by", 1, UINT32)
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
    if "status" in claims:
        mz[KEY_STATUS] = _status_to_wire(claims["status"])
    return mz


def claims_from_wire(payload: dict[Any, Any]) -> dict[str, Any]:
    """The readable claims of a verified CWT payload (raises ClaimError outside this profile)."""
    if set(payload) != {CLAIM_EXP, CLAIM_MZ}:
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
        KEY_STATUS,
    }
    if set(mz) - known:
        raise ClaimError("unknown MZ1 claim")
    claims: dict[str, Any] = {}
    claims["purpose"] = _enum_from_wire(mz.get(KEY_PURPOSE), "purpose", PURPOSES)
    claims["level"] = _enum_from_wire(mz.get(KEY_LEVEL), "level", LEVELS)
    if KEY_CONFIRMED_BY in mz:
        claims["confirmed_by"] = _uint(mz[KEY_CONFIRMED_BY], "confirmed_by", 1, UINT32)
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
    if KEY_STATUS in mz:
        claims["status"] = _status_from_wire(mz[KEY_STATUS])
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
    """The ``MZ1:`` text of ``claims`` (readable names, see the module docstring), signed with ``key``.

    ``issued_at`` is not written into the code (no iat); it only bounds the validity: ``expires_at``
    must be more than 0 seconds and at most 28 days after it."""
    iat, exp = timestamp(issued_at), timestamp(expires_at)
    if not 0 < exp - iat <= MAX_VALIDITY_SECONDS:
        raise ClaimError("an MZ1 code is valid for more than 0 seconds and at most 28 days")
    payload = {CLAIM_EXP: exp, CLAIM_MZ: claims_to_wire(claims)}
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
    try:
        exp = _uint(payload.get(CLAIM_EXP), "exp", 0, 2**40)
        claims = claims_from_wire(payload)
    except ClaimError as error:
        return Verification(MALFORMED, reason=str(error), kid=kid)
    except Exception as error:  # a signed payload of an unforeseen shape: still an answer
        return Verification(MALFORMED, reason=f"unreadable claims ({type(error).__name__})", kid=kid)
    if exp - current > MAX_VALIDITY_SECONDS:
        return Verification(MALFORMED, reason="exp is more than 28 days ahead", kid=kid)
    if current >= exp:
        return Verification(EXPIRED, "now is at or after exp", kid=kid, expires_at=exp)
    status_checked = False
    reference = claims.get("status")
    if status_list is not None and reference and status_list_id(status_list.uri) == reference["list"]:
        try:
            bit = status_list.status(reference["idx"])
        except IndexError:
            reason = "status index outside the status list"
            return Verification(MALFORMED, reason, kid=kid, expires_at=exp)
        if bit != 0:
            reason = "status list bit set"
            return Verification(REVOKED, reason, kid=kid, expires_at=exp, status_checked=True)
        status_checked = True
    return Verification(VALID, claims=claims, kid=kid, expires_at=exp, status_checked=status_checked)
