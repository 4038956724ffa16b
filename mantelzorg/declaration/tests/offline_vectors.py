"""The vectors the offline verifier is held to: the shipped ones (testdata/vectors.json) once they
are of the revised wire format (notes: mz1-spec.md: {4: exp, -65537: {..., 11: [list, idx]}}, a
confirmed_by organisation id); until then the same cases in that format, signed here with the
shipped TEST ONLY key, at the vectors' now, with the shipped status list's indices."""

from __future__ import annotations

import importlib.util
import zlib
from pathlib import Path

import base45
import cbor2

from mantelzorg.declaration import codec

from .conftest import NOW, VECTORS
from .helpers import vectors_keyring

DAY = 24 * 3600
# Indices as in scripts/declaration_vectors.py: the revoked one is set in testdata/status_list.cwt.
INDICES = {"valid_parking": 1187, "valid_employer": 3021, "expired": 45, "revoked": 2718}
PARKING = {1: 1, 2: 2, 3: 17, 4: 8, 5: 202503, 6: 3511, 10: {1: "JV", 2: 14}}
EMPLOYER = {1: 2, 2: 1, 5: 202409, 8: "parent", 9: 20271130, 10: {1: "AB", 3: 7}}


def shipped_are_revised() -> bool:
    claims = VECTORS[0]["expected"].get("claims") or {}
    return "iss" not in claims and "list" in (claims.get("status") or {})


def _mz1(cose: bytes) -> str:
    return codec.PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def _generated() -> list[dict]:
    signer = vectors_keyring().active()
    script = Path(__file__).resolve().parents[3] / "scripts" / "declaration_vectors.py"
    spec = importlib.util.spec_from_file_location("declaration_vectors", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stranger = module.test_key("unpublished")

    def sign(mz: dict, name: str, exp: int, key=signer, kid=None) -> str:
        payload = {4: exp, -65537: {**mz, 11: [1, INDICES.get(name, INDICES["valid_parking"])]}}
        return _mz1(codec.sign(payload, key.cose_key(), kid or key.kid))

    exp = NOW - DAY + 27 * DAY
    valid = sign(PARKING, "valid_parking", exp)
    message = cbor2.loads(zlib.decompress(base45.b45decode(valid[4:])))
    message.value[2] = message.value[2].replace(b"bJV", b"bJW")
    cases = {
        "valid_parking": (valid, "valid"),
        "valid_employer": (sign(EMPLOYER, "valid_employer", exp), "valid"),
        "expired": (sign(PARKING, "expired", NOW - 32 * DAY), "expired"),
        "revoked": (sign(PARKING, "revoked", exp), "revoked"),
        "wrong_key": (sign(PARKING, "valid_parking", exp, key=stranger), "not_genuine"),
        "wrong_key_same_kid": (
            sign(PARKING, "valid_parking", exp, key=stranger, kid=signer.kid),
            "not_genuine",
        ),
        "tampered": (_mz1(cbor2.dumps(message)), "not_genuine"),
        "wrong_prefix": ("HC1:" + valid[4:], "malformed"),
        "truncated": (valid[:-20], "malformed"),
        "valid_too_long": (sign(PARKING, "valid_parking", NOW + 29 * DAY), "malformed"),
    }
    return [
        {"name": name, "code": code, "expected": {"status": status}} for name, (code, status) in cases.items()
    ]


_CACHE: list[list[dict]] = []


def spec_vectors() -> list[dict]:
    if not _CACHE:
        _CACHE.append(VECTORS if shipped_are_revised() else _generated())
    return _CACHE[0]
