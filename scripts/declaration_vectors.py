"""Write the MZ1 test vectors: mantelzorg/declaration/testdata/ (docs/declaration/verifier.md).

    .venv/bin/python scripts/declaration_vectors.py [--out DIR]

TEST ONLY. The keys below are derived from fixed, published seeds: anyone can sign with them.
They must never be in a production key set; they exist so that every verifier (the web page, the
API, scripts/mz1_verify.py and other people's) can be checked against the same cases.

Times are fixed (the vectors' "now" is 2026-12-02T12:00:00Z), so the outcomes never change. The
signatures do change on every run (ECDSA signs with a fresh random nonce), so a run rewrites the
codes; the tests check the committed file, and that a fresh run gives the same outcomes and claims.

Writes: vectors.json (the cases), keyset.json (JWKS) and keyset.cbor (COSE_KeySet) with the
published test key, status_list.cwt (a signed Status List Token, list 1 of the site
https://mantelzorg.example, in which the "revoked" case's bit is set) and organisaties.json (the
confirming organisations, as /verklaring/organisaties.json publishes them).
"""

import argparse
import hashlib
import json
import sys
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import base45
import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mantelzorg.declaration import codec, keys, status_list  # noqa: E402

# P-256 group order: a seed's hash reduced below it is a valid private scalar.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
SEEDS = {
    "published": b"MZ1 TEST ONLY signing key 1 -- never use in production",
    "unpublished": b"MZ1 TEST ONLY signing key 2 (not in the key set) -- never use in production",
}
BASE = "https://mantelzorg.example"
STATUS_LIST_ID = 1
STATUS_URI = codec.status_list_uri(BASE, STATUS_LIST_ID)
ORGANISATION = {
    "id": 17,
    "name": "Steunpunt Mantelzorg Voorbeeld",
    "kind": "support_centre",
    "gemeenten": ["GM0344"],
}
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
ISSUED = datetime(2026, 12, 1, tzinfo=UTC)
VALIDITY = timedelta(days=28)
STATUS_LIST_SIZE = 2**12
INDICES = {"valid_parking": 1187, "valid_employer": 3021, "expired": 45, "revoked": 2718}

PARKING = {
    "purpose": "parking",
    "level": "confirmed",
    "confirmed_by": ORGANISATION["id"],
    "hours_band": 8,
    "care_since": "2025-03",
    "pc4": "3511",
    "gemeente": "GM0344",
    "holder": {"initials": "JV", "birth_day": 14},
}
EMPLOYER = {
    "purpose": "employer",
    "level": "self_declared",
    "relation": "parent",
    "care_since": "2024-09",
    "valid_until": "2027-11-30",
    "holder": {"initials": "AB", "birth_month": 7},
}


def test_key(name: str) -> keys.SigningKey:
    d = int.from_bytes(hashlib.sha256(SEEDS[name]).digest(), "big") % P256_ORDER
    private = ec.derive_private_key(d, ec.SECP256R1())
    created = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    return keys.SigningKey(keys.kid_for(private.public_key()), keys.ACTIVE, created, None, private)


def with_status(claims: dict, name: str) -> dict:
    return {**claims, "status": {"list": STATUS_LIST_ID, "idx": INDICES[name]}}


def cose_of(code: str) -> bytes:
    return zlib.decompress(base45.b45decode(code[len(codec.PREFIX) :]))


def mz1_of(cose: bytes) -> str:
    return codec.PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def tampered(code: str) -> str:
    """The same signature over a payload whose holder initials were changed (JV -> JW)."""
    message = cbor2.loads(cose_of(code))
    payload = message.value[2]
    assert payload.count(b"bJV") == 1
    message.value[2] = payload.replace(b"bJV", b"bJW")
    return mz1_of(cbor2.dumps(message))


def signed_by_other_key_under_kid(claims: dict, kid: bytes, other: keys.SigningKey) -> str:
    return codec.encode(claims, other.cose_key(), kid, ISSUED, ISSUED + VALIDITY)


def build() -> tuple[list[dict], keys.SigningKey, bytes]:
    signer, stranger = test_key("published"), test_key("unpublished")
    key, kid = signer.cose_key(), signer.kid

    def sign(claims: dict, issued: datetime = ISSUED) -> str:
        return codec.encode(claims, key, kid, issued, issued + VALIDITY)

    valid = sign(with_status(PARKING, "valid_parking"))
    cases = [
        ("valid_parking", valid, "A confirmed parking attestation, 28 days valid", True),
        (
            "valid_employer",
            sign(with_status(EMPLOYER, "valid_employer")),
            "A self-declared employer attestation (relation and period)",
            True,
        ),
        (
            "expired",
            sign(with_status(PARKING, "expired"), ISSUED - timedelta(days=60)),
            "Issued 60 days before, expired 32 days before now",
            True,
        ),
        (
            "revoked",
            sign(with_status(PARKING, "revoked")),
            "Its bit is set in status_list.cwt (without that list it verifies as valid)",
            True,
        ),
        (
            "wrong_key",
            codec.encode(
                with_status(PARKING, "valid_parking"),
                stranger.cose_key(),
                stranger.kid,
                ISSUED,
                ISSUED + VALIDITY,
            ),
            "Signed by a key whose kid is not in the key set",
            True,
        ),
        (
            "wrong_key_same_kid",
            signed_by_other_key_under_kid(with_status(PARKING, "valid_parking"), kid, stranger),
            "Signed by another key under the published kid: the signature does not verify",
            True,
        ),
        (
            "exp_too_far",
            sign(with_status(PARKING, "valid_parking"), NOW + timedelta(days=2)),
            "Issued for 28 days from 2 days after now: exp is 30 days ahead, more than 28",
            True,
        ),
        ("tampered", tampered(valid), "valid_parking with one byte of the signed payload changed", True),
        ("wrong_prefix", "HC1:" + valid[len(codec.PREFIX) :], "valid_parking under the prefix HC1:", True),
        ("truncated", valid[:-20], "valid_parking without its last 20 characters", True),
    ]
    lst = status_list.new_list(STATUS_LIST_SIZE)
    status_list.set_status(lst, INDICES["revoked"], status_list.INVALID)
    token = status_list.encode_token(
        lst,
        uri=STATUS_URI,
        key=key,
        kid=kid,
        issued_at=NOW - timedelta(hours=1),
        expires_at=NOW + timedelta(days=1),
        ttl=3600,
    )
    status = status_list.verify_token(token, [signer.public_cose_key()], NOW, STATUS_URI)
    keyset = [signer.public_cose_key()]
    vectors = []
    for name, code, description, use_status in cases:
        result = codec.decode(code, keyset, NOW, status if use_status else None)
        vector = {
            "name": name,
            "description": description,
            "code": code,
            "now": int(NOW.timestamp()),
            "now_iso": NOW.isoformat(),
            "use_status_list": use_status,
            "expected": {"status": result.status},
        }
        if result.valid:
            vector["expected"]["claims"] = result.claims
        vectors.append(vector)
    expected = {
        "valid_parking": "valid",
        "valid_employer": "valid",
        "expired": "expired",
        "revoked": "revoked",
        "wrong_key": "not_genuine",
        "wrong_key_same_kid": "not_genuine",
        "exp_too_far": "malformed",
        "tampered": "not_genuine",
        "wrong_prefix": "malformed",
        "truncated": "malformed",
    }
    got = {vector["name"]: vector["expected"]["status"] for vector in vectors}
    if got != expected:
        raise SystemExit(f"unexpected outcomes: {got}")
    return vectors, signer, token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "mantelzorg" / "declaration" / "testdata")
    out = parser.parse_args().out
    vectors, signer, token = build()
    out.mkdir(parents=True, exist_ok=True)
    note = (
        "TEST ONLY: MZ1 test vectors (scripts/declaration_vectors.py); never trust these keys in production"
    )
    document = {
        "note": note,
        "keys": "keyset.json (JWKS) or keyset.cbor (COSE_KeySet)",
        "base": BASE,
        "status_list": "status_list.cwt",
        "organisations": "organisaties.json",
        "vectors": vectors,
    }
    (out / "vectors.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    jwks = {"mz_note": note, **keys.public_jwks([signer])}
    (out / "keyset.json").write_text(json.dumps(jwks, indent=2) + "\n")
    (out / "keyset.cbor").write_bytes(keys.public_cose_key_set([signer]))
    (out / "status_list.cwt").write_bytes(token)
    organisations = {"organisations": [ORGANISATION], "updated_at": NOW.isoformat().replace("+00:00", "Z")}
    (out / "organisaties.json").write_text(json.dumps(organisations, indent=2, ensure_ascii=False) + "\n")
    print(f"{len(vectors)} vectors written to {out}")


if __name__ == "__main__":
    main()
