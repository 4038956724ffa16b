#!/usr/bin/env python3
"""Reference verifier for MZ1 caregiver attestations (docs/declaration/verifier.md).

    python scripts/mz1_verify.py --keys keyset.json [--base URL] [--status status.cwt]
        [--organisations organisaties.json] [--now TIME] [--json] "MZ1:..."

One file, for relying parties who integrate verification: it needs only ``pip install cwt base45``
(cwt brings cbor2 and cryptography) and nothing of the Mantelzorg application. ``--keys`` is the
published key set, as JWKS (.json) or COSE_KeySet (.cbor); ``--base`` the site the keys were
fetched from (e.g. https://mantelzorg.nl): a code names its status list by id only, its uri is
``<base>/verklaring/status/<list id>``; ``--status`` a Status List Token
(draft-ietf-oauth-status-list, CWT) fetched from that uri (without --base its own ``sub`` says
which list it is); ``--organisations`` the list of confirming organisations
(``<base>/verklaring/organisaties.json``), to show the name of the one that confirmed a code;
``--now`` a time (seconds since 1970 or ISO 8601, default: the clock) for testing. A code of "-" is
read from standard input.

Prints the outcome (valid, expired, revoked, not_genuine or malformed) and, when valid, the
disclosed claims (``confirmed_by`` is an organisation id; with --organisations its name follows).
Exit status: 0 valid, 1 any other outcome, 2 the key set, status list or organisations list is unusable.
"""

import argparse
import base64
import io
import json
import sys
import time
import zlib
from datetime import datetime

import base45
import cbor2
from cwt import COSE, COSEKey

PREFIX = "MZ1:"
ES256 = -7
MAX_VALIDITY = 28 * 24 * 3600  # exp is never further ahead than this from the moment of checking
MAX_CODE_LENGTH = 4296
MAX_PAYLOAD = 8192
STATUS_TYP = "application/statuslist+cwt"
STATUS_PATH = "/verklaring/status/"
UINT32 = 2**32 - 1
PURPOSES = {
    1: "parking",
    2: "employer",
    3: "housing",
    4: "uwv",
    5: "education",
    6: "appreciation",
    7: "general",
}
LEVELS = {1: "self_declared", 2: "confirmed"}


def fail(message):
    """Exit with status 2: the key set or the status list cannot be used."""
    print(message, file=sys.stderr)
    raise SystemExit(2)


class Outcome(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status, self.reason = status, reason


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_keys(path):
    """Public ES256 keys from a JWKS (JSON) or COSE_KeySet (CBOR) file."""
    with open(path, "rb") as handle:
        data = handle.read()
    maps = []
    if data.lstrip()[:1] == b"{":
        for jwk in json.loads(data)["keys"]:
            if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256" and jwk.get("alg", "ES256") == "ES256":
                maps.append(
                    {2: b64url_decode(jwk["kid"]), -2: b64url_decode(jwk["x"]), -3: b64url_decode(jwk["y"])}
                )
    else:
        for params in cbor2.loads(data):
            if params.get(1) == 2 and params.get(-1) == 1 and params.get(3, ES256) == ES256:
                maps.append({2: params[2], -2: params[-2], -3: params[-3]})
    return [COSEKey.new({1: 2, 3: ES256, 4: [2], -1: 1, **m}) for m in maps]


def strict_cbor(data, status="malformed"):
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except Exception:
        raise Outcome(status, "not CBOR") from None
    if stream.tell() != len(data):
        raise Outcome(status, "bytes after the CBOR item")
    return item


def inflate(data, limit):
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit)
    except zlib.error:
        raise Outcome("malformed", "not zlib") from None
    if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
        raise Outcome("malformed", "zlib stream incomplete, too large or followed by other bytes")
    return out


def verify_sign1(data, keys, typ=None, unprotected_kid=False):
    """(kid, claims) of a tagged COSE_Sign1, ES256; only keys with the message's kid are tried."""
    message = strict_cbor(data)
    if not isinstance(message, cbor2.CBORTag) or message.tag != 18:
        raise Outcome("malformed", "not a tagged COSE_Sign1")
    if not isinstance(message.value, list) or len(message.value) != 4:
        raise Outcome("malformed", "COSE_Sign1 is an array of four")
    protected_bytes, unprotected, payload, signature = message.value
    if not (isinstance(protected_bytes, bytes) and isinstance(unprotected, dict)):
        raise Outcome("malformed", "bad COSE headers")
    if not (isinstance(payload, bytes) and isinstance(signature, bytes)):
        raise Outcome("malformed", "bad COSE payload or signature")
    protected = strict_cbor(protected_bytes) if protected_bytes else {}
    if not isinstance(protected, dict) or protected.get(1) != ES256 or 1 in unprotected:
        raise Outcome("malformed", "the protected header must name ES256")
    if typ is not None and protected.get(16) != typ:
        raise Outcome("malformed", f"typ is not {typ}")
    kid = protected.get(4)
    if kid is None and unprotected_kid:
        kid = unprotected.get(4)
    elif 4 in unprotected:
        raise Outcome("malformed", "the kid belongs in the protected header only")
    if not isinstance(kid, bytes) or not kid:
        raise Outcome("malformed", "no kid in the protected header")
    candidates = [key for key in keys if key.kid == kid]
    if not candidates:
        raise Outcome("not_genuine", "no published key has this kid")
    if len(signature) != 64:
        raise Outcome("not_genuine", "an ES256 signature has 64 bytes")
    try:
        verified = COSE.new().decode(message, candidates)
    except Exception:
        raise Outcome("not_genuine", "the signature does not verify") from None
    claims = strict_cbor(verified)
    if not isinstance(claims, dict):
        raise Outcome("malformed", "the signed payload is not a CWT claims map")
    return kid, claims


def load_status_list(path, keys, now):
    """(uri, bits, byte array) of a verified, unexpired Status List Token; SystemExit(2) otherwise."""
    try:
        with open(path, "rb") as handle:
            token = handle.read()
        _, claims = verify_sign1(token, keys, typ=STATUS_TYP, unprotected_kid=True)
        uri, exp, status_list = claims.get(2), claims.get(4), claims.get(65533)
        if not isinstance(uri, str) or not isinstance(claims.get(6), int):
            raise Outcome("malformed", "sub and iat are required")
        if exp is not None and (not isinstance(exp, int) or now >= exp):
            raise Outcome("expired", "the status list token has expired: fetch a fresh one")
        if not isinstance(status_list, dict) or status_list.get("bits") not in (1, 2, 4, 8):
            raise Outcome("malformed", "bad status_list claim")
        if not isinstance(status_list.get("lst"), bytes):
            raise Outcome("malformed", "lst is a byte string")
        return uri, status_list["bits"], inflate(status_list["lst"], 2**20)
    except OSError as error:
        fail(f"status list {path} unreadable: {error}")
    except Outcome as error:
        fail(f"status list {path} unusable ({error.status}): {error.reason}")


def text(value, limit):
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise Outcome("malformed", "a text claim is wrong")
    return value


def uint(value, low, high):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Outcome("malformed", "a number claim is out of range")
    return value


def readable(payload):
    """The disclosed claims with their readable names (mantelzorg/declaration/codec.py documents them)."""
    if set(payload) != {4, -65537} or not isinstance(payload[-65537], dict):
        raise Outcome("malformed", "not an MZ1 claims set: exactly exp (4) and the MZ1 map (-65537)")
    mz = payload[-65537]
    if set(mz) - set(range(1, 12)):
        raise Outcome("malformed", "unknown MZ1 claim")
    claims = {}
    if mz.get(1) not in PURPOSES or mz.get(2) not in LEVELS or isinstance(mz.get(1), bool):
        raise Outcome("malformed", "unknown purpose or level")
    claims["purpose"], claims["level"] = PURPOSES[mz[1]], LEVELS[mz[2]]
    if 3 in mz:
        if claims["level"] != "confirmed":
            raise Outcome("malformed", "confirmed_by goes only with level confirmed")
        claims["confirmed_by"] = uint(mz[3], 1, UINT32)
    if 4 in mz:
        claims["hours_band"] = uint(mz[4], 0, 168)
    if 5 in mz:
        month = uint(mz[5], 190001, 999912)
        claims["care_since"] = f"{month // 100:04d}-{uint(month % 100, 1, 12):02d}"
    if 6 in mz:
        claims["pc4"] = str(uint(mz[6], 1000, 9999))
    if 7 in mz:
        claims["gemeente"] = f"GM{uint(mz[7], 1, 9999):04d}"
    if 8 in mz:
        claims["relation"] = text(mz[8], 40)
    if 9 in mz:
        day = uint(mz[9], 19000101, 99991231)
        try:
            claims["valid_until"] = datetime(day // 10000, day // 100 % 100, day % 100).date().isoformat()
        except ValueError:
            raise Outcome("malformed", "valid_until is not a date") from None
    if 10 in mz:
        holder = mz[10]
        if not isinstance(holder, dict) or set(holder) - {1, 2, 3} or (2 in holder) == (3 in holder):
            raise Outcome("malformed", "holder has initials and a birth day or month")
        initials = text(holder.get(1), 4)
        if not (initials.isascii() and initials.isalpha() and initials.isupper()):
            raise Outcome("malformed", "holder initials are capital letters")
        claims["holder"] = {"initials": initials}
        if 2 in holder:
            claims["holder"]["birth_day"] = uint(holder[2], 1, 31)
        else:
            claims["holder"]["birth_month"] = uint(holder[3], 1, 12)
    if 11 in mz:
        reference = mz[11]
        if not isinstance(reference, list) or len(reference) != 2:
            raise Outcome("malformed", "status is [list id, idx]")
        claims["status"] = {"list": uint(reference[0], 1, UINT32), "idx": uint(reference[1], 0, UINT32)}
    return claims


def list_id_of(uri):
    """The list id at the end of a status list uri (.../verklaring/status/<id>), else None."""
    if not isinstance(uri, str) or STATUS_PATH not in uri:
        return None
    rest = uri.rsplit(STATUS_PATH, 1)[1]
    if not (rest.isascii() and rest.isdigit()) or len(rest) > 10 or rest.startswith("0"):
        return None
    return int(rest) if int(rest) <= UINT32 else None


def status_uri(base, list_id):
    return f"{base.rstrip('/')}{STATUS_PATH}{list_id}"


def load_organisations(path):
    """{id: name} from organisaties.json; SystemExit(2) when unusable."""
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read())
        return {int(entry["id"]): str(entry["name"]) for entry in data["organisations"]}
    except (OSError, ValueError, KeyError, TypeError) as error:
        fail(f"organisations list {path} unusable: {error}")


def verify(code, keys, now, status=None, base=None, organisations=None):
    """{"status", "reason", "claims"?, "status_checked", "status_uri"?} for an MZ1 text; never
    raises on a bad code. ``status``: (uri, bits, lst) of a verified list; it counts for the code
    when its uri names the code's list id (and, with ``base``, is that site's uri)."""
    try:
        if not isinstance(code, str) or len(code.strip()) > MAX_CODE_LENGTH:
            raise Outcome("malformed", "not a code")
        code = code.strip()
        if not code.startswith(PREFIX):
            raise Outcome("malformed", "no MZ1: prefix")
        try:
            compressed = base45.b45decode(code[len(PREFIX) :])
        except ValueError:
            raise Outcome("malformed", "not base45") from None
        _, payload = verify_sign1(inflate(compressed, MAX_PAYLOAD), keys)
        exp = uint(payload.get(4), 0, 2**40)
        claims = readable(payload)
        if exp - now > MAX_VALIDITY:  # no iat: a code is never valid for more than 28 days from now
            raise Outcome("malformed", "exp is more than 28 days ahead")
        if now >= exp:  # RFC 8392: exp is the time on or after which the code is not accepted
            raise Outcome("expired", "now is at or after exp")
        reference, checked, uri = claims.get("status"), False, None
        if reference and base is not None:
            uri = status_uri(base, reference["list"])
        if status is not None and reference and list_id_of(status[0]) == reference["list"]:
            if uri is None or status[0] == uri:
                uri, bits, lst = status
                idx = reference["idx"]
                if idx * bits >= len(lst) * 8:
                    raise Outcome("malformed", "status index outside the status list")
                if (lst[idx * bits // 8] >> (idx * bits % 8)) & ((1 << bits) - 1):
                    return {"status": "revoked", "reason": "status list bit set", "status_checked": True}
                checked = True
        if organisations is not None and claims.get("confirmed_by") in organisations:
            claims["confirmed_by_name"] = organisations[claims["confirmed_by"]]
        result = {"status": "valid", "reason": "", "claims": claims, "status_checked": checked}
        if uri is not None:
            result["status_uri"] = uri
        return result
    except Outcome as outcome:
        return {"status": outcome.status, "reason": outcome.reason, "status_checked": False}
    except Exception as error:  # an answer, never a crash
        return {
            "status": "malformed",
            "reason": f"unreadable ({type(error).__name__})",
            "status_checked": False,
        }


def parse_time(value):
    if value is None:
        return int(time.time())
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--now {value!r} is neither seconds since 1970 nor an ISO 8601 time")
    if moment.tzinfo is None:
        fail("--now needs a time zone, e.g. 2026-12-02T12:00:00Z")
    return int(moment.timestamp())


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify an MZ1 caregiver attestation.")
    parser.add_argument(
        "--keys", required=True, help="published key set: JWKS (.json) or COSE_KeySet (.cbor)"
    )
    parser.add_argument("--base", help="the site the keys come from, e.g. https://mantelzorg.nl")
    parser.add_argument("--status", help="Status List Token (CWT) from <base>/verklaring/status/<list id>")
    parser.add_argument("--organisations", help="the confirming organisations (organisaties.json)")
    parser.add_argument("--now", help="verify as at this time (seconds since 1970 or ISO 8601)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("code", help='the MZ1: text, or "-" to read it from standard input')
    args = parser.parse_args(argv)
    now = parse_time(args.now)
    try:
        keys = load_keys(args.keys)
    except (OSError, ValueError, KeyError, TypeError) as error:
        fail(f"key set {args.keys} unusable: {error}")
    status = load_status_list(args.status, keys, now) if args.status else None
    organisations = load_organisations(args.organisations) if args.organisations else None
    code = sys.stdin.read() if args.code == "-" else args.code
    result = verify(code, keys, now, status, args.base, organisations)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(result["status"] + (f" ({result['reason']})" if result["reason"] else ""))
        claims = result.get("claims", {})
        for name, value in claims.items():
            if name == "confirmed_by_name":
                continue
            if name == "confirmed_by":
                known = claims.get("confirmed_by_name")
                value = f"organisation {value}" + (f" ({known})" if known else "")
            print(f"  {name}: {json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value}")
        if "status_uri" in result:
            print(f"  status list: {result['status_uri']}")
        if result["status"] == "valid" and not result["status_checked"]:
            print("  (revocation not checked: pass --status with the token from the status list's uri)")
    return 0 if result["status"] == "valid" else 1


if __name__ == "__main__":
    sys.exit(main())
