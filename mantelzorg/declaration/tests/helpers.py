"""Shared test material: freshly generated keys for the codec tests; ``vectors_keyring`` (the shipped
TEST ONLY vectors' key) only for the relying party's side, which must publish the key that signed them."""

import importlib.util
import zlib
from pathlib import Path

import base45
import cbor2

from mantelzorg.declaration import codec, keys

ISSUED = 1796083200  # 2026-12-01T00:00:00Z
EXPIRES = ISSUED + codec.MAX_VALIDITY_SECONDS
STATUS_URI = "https://mantelzorg.example/verklaring/status/1"

PARKING = {
    "status": {"list": 1, "idx": 4242},
    "purpose": "parking",
    "level": "confirmed",
    "confirmed_by": 17,
    "hours_band": 8,
    "care_since": "2025-03",
    "pc4": "3511",
    "holder": {"initials": "JV", "birth_day": 14},
}


def new_key() -> keys.SigningKey:
    return keys.generate_key(ISSUED)


def sign(claims=None, key=None, issued=ISSUED, expires=EXPIRES):
    key = key or new_key()
    return codec.encode(PARKING if claims is None else claims, key.cose_key(), key.kid, issued, expires), key


def cose_of(code: str) -> bytes:
    return zlib.decompress(base45.b45decode(code[len(codec.PREFIX) :]))


def mz1_of(cose: bytes) -> str:
    return codec.PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def parts_of(code: str):
    """(protected bytes, unprotected map, payload bytes, signature) of a code's COSE_Sign1."""
    return cbor2.loads(cose_of(code)).value


def assemble(protected: bytes, unprotected: dict, payload: bytes, signature: bytes) -> str:
    return mz1_of(cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, payload, signature])))


def vectors_keyring() -> keys.Keyring:
    """The TEST ONLY keyring that signed testdata/vectors.json (derived from the seed published in
    scripts/declaration_vectors.py): for the relying party's side, which publishes its keys."""
    script = Path(__file__).resolve().parents[3] / "scripts" / "declaration_vectors.py"
    spec = importlib.util.spec_from_file_location("declaration_vectors", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return keys.Keyring((module.test_key("published"),))
