"""The trust material of MZ1 codes: private signing keys in, public key sets out (issue 14, C6).

Private keys never come from the database. They come from (first found wins):

1. ``MZ_DECLARATION_KEYS_FILE``: the path of a keyring file;
2. ``MZ_DECLARATION_KEYS``: the keyring itself, as text (for platforms that inject secrets as
   environment variables);
3. the ``default_path`` the caller names (``manage.py declaration_keys`` uses var/declaration_keys.json).

A keyring is a private JWK Set (RFC 7517: EC P-256 keys with ``d``) whose keys carry three members
of ours: ``mz_state`` ("active" or "retired"), ``mz_created`` and ``mz_retired`` (seconds since 1970).
A single PEM private key (PKCS#8 or SEC1) is a keyring of one active key.

Rotation: one key is active and signs; ``rotate`` makes a new active key and retires the old one.
A retired key signs nothing more but stays in the published set (verify-only) until everything it
signed has expired: at most ``codec.MAX_VALIDITY_SECONDS`` (28 days) after it was retired. Then it
drops out of the set, and what it signed is refused as not genuine.

The kid of a key is the first 4 bytes of the SHA-256 of its public key (SubjectPublicKeyInfo, DER),
as the DCC derives its kid (8 bytes there) from the signer's certificate; 4 bytes keep the QR code
small, and a kid only selects keys: verifiers try every published key with it, the signature
decides. In JSON it is written base64url.

Nothing here logs; no object's repr shows key material.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cwt import COSEKey
from cwt.cose_key_interface import COSEKeyInterface

from . import codec

ENV_FILE = "MZ_DECLARATION_KEYS_FILE"
ENV_INLINE = "MZ_DECLARATION_KEYS"
ACTIVE = "active"
RETIRED = "retired"
KID_BYTES = 4
# A retired key stays published this long: the longest anything it signed can live.
RETIRED_KEY_KEPT_SECONDS = codec.MAX_VALIDITY_SECONDS


class KeyringError(Exception):
    """A keyring that is missing, unreadable or not usable (the message never holds key material)."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def kid_for(public_key: ec.EllipticCurvePublicKey) -> bytes:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()[:KID_BYTES]


def _public_numbers_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


@dataclass(frozen=True, repr=False)
class SigningKey:
    """One key of the keyring. ``repr`` shows the kid and state, never the key."""

    kid: bytes
    state: str
    created: int
    retired: int | None
    _private: ec.EllipticCurvePrivateKey = field(compare=False)

    def __repr__(self) -> str:
        return f"SigningKey(kid={b64url(self.kid)!r}, state={self.state!r})"

    __str__ = __repr__

    @property
    def kid_text(self) -> str:
        return b64url(self.kid)

    def cose_key(self) -> COSEKeyInterface:
        """The private COSE key, for codec.encode (ES256, kid set)."""
        if self.state != ACTIVE:
            raise KeyringError(f"key {self.kid_text} is retired: it verifies, it does not sign")
        d = self._private.private_numbers().private_value.to_bytes(32, "big")
        return COSEKey.new({**_cose_map(self._private.public_key(), self.kid), 4: [1], -4: d})

    def _jwk_parts(self) -> dict[str, Any]:
        return {**_public_numbers_jwk(self._private.public_key()), "kid": self.kid_text, "alg": "ES256"}

    def public_jwk(self) -> dict[str, Any]:
        """The public JWK (RFC 7517; ``use`` sig, as JWKS publish it)."""
        return {**self._jwk_parts(), "use": "sig"}

    def public_cose_key(self) -> COSEKeyInterface:
        """The public COSE key (verify only). Built once per key object: a key is immutable, and
        building it costs more than a signature check (BENCHMARKS.md, declaration verification)."""
        return self._public_cose_key

    @cached_property
    def _public_cose_key(self) -> COSEKeyInterface:
        return COSEKey.new(_cose_map(self._private.public_key(), self.kid))

    def private_jwk(self) -> dict[str, Any]:
        """For writing the keyring file only."""
        numbers = self._private.private_numbers()
        jwk = self._jwk_parts()
        jwk["d"] = b64url(numbers.private_value.to_bytes(32, "big"))
        jwk.update({"mz_state": self.state, "mz_created": self.created, "mz_retired": self.retired})
        return jwk

    def published_at(self, now: int) -> bool:
        if self.state == ACTIVE:
            return True
        return self.retired is not None and now < self.retired + RETIRED_KEY_KEPT_SECONDS


def generate_key(now: int | None = None) -> SigningKey:
    private = ec.generate_private_key(ec.SECP256R1())
    return SigningKey(
        kid_for(private.public_key()), ACTIVE, int(now if now is not None else time.time()), None, private
    )


@dataclass(frozen=True, repr=False)
class Keyring:
    keys: tuple[SigningKey, ...]

    def __repr__(self) -> str:
        return f"Keyring({list(self.keys)!r})"

    def active(self) -> SigningKey:
        active = [key for key in self.keys if key.state == ACTIVE]
        if len(active) != 1:
            raise KeyringError(f"a keyring has exactly one active key, this one has {len(active)}")
        return active[0]

    def published(self, now: int) -> list[SigningKey]:
        return [key for key in self.keys if key.published_at(now)]

    def public_keyset(self, now: int) -> list[COSEKeyInterface]:
        return [key.public_cose_key() for key in self.published(now)]

    def jwks(self, now: int) -> dict[str, Any]:
        return public_jwks(self.published(now))

    def cose_key_set(self, now: int) -> bytes:
        return public_cose_key_set(self.published(now))

    def rotated(self, now: int) -> Keyring:
        """A new active key; the old one retired at ``now``; keys retired long enough dropped."""
        kept = []
        for key in self.keys:
            if key.state == ACTIVE:
                key = SigningKey(key.kid, RETIRED, key.created, now, key._private)
            if key.published_at(now):
                kept.append(key)
        return Keyring((generate_key(now), *kept))

    def to_json(self) -> str:
        return json.dumps({"keys": [key.private_jwk() for key in self.keys]}, indent=2) + "\n"


def public_jwks(keys: Iterable[SigningKey]) -> dict[str, Any]:
    """The public JWK Set (RFC 7517) of ``keys``."""
    return {"keys": [key.public_jwk() for key in keys]}


def public_cose_key_set(keys: Iterable[SigningKey]) -> bytes:
    """The public COSE_KeySet (RFC 9052 section 7: a CBOR array of COSE_Key maps) of ``keys``."""
    return cbor2.dumps([_cose_map(key._private.public_key(), key.kid) for key in keys])


def _cose_map(public_key: ec.EllipticCurvePublicKey, kid: bytes) -> dict[int, Any]:
    """A public COSE_Key (RFC 9053): kty EC2, kid, alg ES256, key_ops [verify], crv P-256, x, y."""
    numbers = public_key.public_numbers()
    return {
        1: 2,
        2: kid,
        3: codec.ES256,
        4: [2],
        -1: 1,
        -2: numbers.x.to_bytes(32, "big"),
        -3: numbers.y.to_bytes(32, "big"),
    }


def keyset_from_jwks(jwks: Mapping[str, Any] | str | bytes) -> list[COSEKeyInterface]:
    """Public COSE keys (for codec.decode) from a JWK Set; private members are ignored."""
    data = json.loads(jwks) if isinstance(jwks, str | bytes) else jwks
    keys = []
    for jwk in data.get("keys", []):
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or jwk.get("alg", "ES256") != "ES256":
            continue
        # the JWK kid is the base64url of the COSE kid bytes
        public = {1: 2, 2: b64url_decode(jwk["kid"]), 3: codec.ES256, 4: [2], -1: 1}
        public.update({-2: b64url_decode(jwk["x"]), -3: b64url_decode(jwk["y"])})
        keys.append(COSEKey.new(public))
    return keys


def keyset_from_cose_key_set(data: bytes) -> list[COSEKeyInterface]:
    """Public COSE keys from a COSE_KeySet (CBOR array of COSE_Key maps); private parts dropped."""
    keys = []
    for params in cbor2.loads(data):
        if params.get(1) != 2 or params.get(-1) != 1 or params.get(3, codec.ES256) != codec.ES256:
            continue
        public = {label: params[label] for label in (1, 2, -1, -2, -3)}
        keys.append(COSEKey.new({**public, 3: codec.ES256, 4: [2]}))
    return keys


# --- loading the keyring ------------------------------------------------------------------------


def parse_keyring(text: str) -> Keyring:
    """A keyring from its text: a private JWK Set (with our mz_* members) or one PEM private key."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            private = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        except (ValueError, TypeError) as error:
            raise KeyringError("the PEM text is not an unencrypted private key") from error
        if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
            raise KeyringError("MZ1 signs with ES256: the key must be EC P-256")
        return Keyring((SigningKey(kid_for(private.public_key()), ACTIVE, 0, None, private),))
    try:
        data = json.loads(text)
        entries = data["keys"]
        keys = tuple(_key_from_private_jwk(entry) for entry in entries)
    except (ValueError, KeyError, TypeError) as error:
        raise KeyringError("the keyring is neither a private JWK Set nor a PEM private key") from error
    keyring = Keyring(keys)
    keyring.active()
    return keyring


def _key_from_private_jwk(jwk: Mapping[str, Any]) -> SigningKey:
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" not in jwk:
        raise ValueError("keyring keys are private EC P-256 JWKs")
    d = int.from_bytes(b64url_decode(jwk["d"]), "big")
    private = ec.derive_private_key(d, ec.SECP256R1())
    if _public_numbers_jwk(private.public_key()) != {k: jwk[k] for k in ("kty", "crv", "x", "y")}:
        raise ValueError("x and y do not belong to d")
    kid = kid_for(private.public_key())
    if jwk.get("kid", b64url(kid)) != b64url(kid):
        raise ValueError("the kid is not the one derived from the key")
    state = jwk.get("mz_state", ACTIVE)
    if state not in (ACTIVE, RETIRED):
        raise ValueError("mz_state is active or retired")
    retired = jwk.get("mz_retired")
    if state == RETIRED and not isinstance(retired, int):
        raise ValueError("a retired key has mz_retired")
    return SigningKey(kid, state, int(jwk.get("mz_created", 0)), retired, private)


# Parsed keyrings of this process by the SHA-256 of their text (a keyring is immutable). Parsing
# derives every key from its private number and checks it: a quarter of a millisecond per key, more
# than the signature check it serves (BENCHMARKS.md, "declaration verification"). Keyed by the text
# itself, so a rotated file or a changed variable is parsed again on the next call; a few entries,
# so a test or a rotation cannot make it grow.
_PARSED: dict[bytes, Keyring] = {}
_PARSED_MAX = 4


def parse_keyring_cached(text: str) -> Keyring:
    """``parse_keyring(text)``, parsed once per process for the same text (errors are not kept)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    keyring = _PARSED.get(digest)
    if keyring is None:
        keyring = parse_keyring(text)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[digest] = keyring
    return keyring


def keyring_source(environ: Mapping[str, str] | None = None, default_path: Path | None = None) -> str:
    """Where the keyring comes from, for messages: a path or the variable's name (never its value)."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_FILE):
        return environ[ENV_FILE]
    if environ.get(ENV_INLINE):
        return f"${ENV_INLINE}"
    return str(default_path) if default_path else "(none)"


def load_keyring(
    environ: Mapping[str, str] | None = None, default_path: Path | None = None, *, cached: bool = True
) -> Keyring:
    """The keyring from the environment or ``default_path`` (see the module docstring). The file is
    read on every call; its text is parsed once per process (``parse_keyring_cached``) unless
    ``cached`` is off, so a rotation (a new file) counts from the next call."""
    environ = os.environ if environ is None else environ
    parse = parse_keyring_cached if cached else parse_keyring
    if environ.get(ENV_FILE):
        path = Path(environ[ENV_FILE])
    elif environ.get(ENV_INLINE):
        return parse(environ[ENV_INLINE])
    elif default_path is not None:
        path = default_path
    else:
        raise KeyringError(f"no signing keys: set {ENV_FILE} or {ENV_INLINE}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KeyringError(f"cannot read the keyring {path}") from error
    return parse(text)


def write_keyring(keyring: Keyring, path: Path) -> None:
    """Write the keyring readable by its owner only (0600), replacing the file in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(keyring.to_json())
    os.replace(tmp, path)
