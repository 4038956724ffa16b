"""Signing keys and published key sets (mantelzorg/declaration/keys.py, manage.py declaration_keys)."""

import io
import json
import stat

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import CommandError, call_command

from mantelzorg.declaration import codec, keys

from .helpers import ISSUED, PARKING, new_key

DAY = 86400


def private_texts(key: keys.SigningKey) -> list[str]:
    """The private scalar as it would appear in a JWK, in hex and in decimal."""
    d = key.private_jwk()["d"]
    value = int.from_bytes(keys.b64url_decode(d), "big")
    return [d, f"{value:x}", str(value)]


def test_no_repr_or_str_shows_the_private_key():
    key = new_key()
    keyring = keys.Keyring((key,))
    for text in (repr(key), str(key), repr(keyring), str(keyring), f"{key}", f"{keyring!r}"):
        assert key.kid_text in text
        assert not any(secret in text for secret in private_texts(key))


def test_the_kid_is_the_first_4_bytes_of_the_sha256_of_the_public_key():
    import hashlib

    key = new_key()
    der = key._private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert key.kid == hashlib.sha256(der).digest()[:4] == keys.kid_for(key._private.public_key())
    assert key.public_jwk()["kid"] == keys.b64url(key.kid)


def test_published_sets_hold_only_public_parts_and_verify_codes():
    key = new_key()
    keyring = keys.Keyring((key,))
    code = codec.encode(PARKING, key.cose_key(), key.kid, ISSUED, ISSUED + DAY)
    jwks = keyring.jwks(ISSUED)
    assert [set(jwk) for jwk in jwks["keys"]] == [{"kty", "crv", "x", "y", "kid", "alg", "use"}]
    cose_set = cbor2.loads(keyring.cose_key_set(ISSUED))
    assert [sorted(entry) for entry in cose_set] == [[-3, -2, -1, 1, 2, 3, 4]]
    assert cose_set[0][4] == [2]  # key_ops: verify
    for keyset in (
        keys.keyset_from_jwks(jwks),
        keys.keyset_from_jwks(json.dumps(jwks)),
        keys.keyset_from_cose_key_set(keyring.cose_key_set(ISSUED)),
        keyring.public_keyset(ISSUED),
    ):
        assert codec.decode(code, keyset, ISSUED).status == codec.VALID


def test_a_key_set_from_a_private_jwks_drops_the_private_part():
    key = new_key()
    keyset = keys.keyset_from_jwks({"keys": [key.private_jwk()]})
    assert -4 not in keyset[0].to_dict()
    with pytest.raises(ValueError):
        keyset[0].sign(b"anything")


def test_a_retired_key_verifies_what_it_signed_until_it_expires_and_then_drops_out():
    old = new_key()
    keyring = keys.Keyring((old,))
    code = codec.encode(PARKING, old.cose_key(), old.kid, ISSUED, ISSUED + codec.MAX_VALIDITY_SECONDS)
    rotated_at = ISSUED + DAY
    keyring = keyring.rotated(rotated_at)
    new = keyring.active()
    assert new.kid != old.kid
    retired = [key for key in keyring.keys if key.kid == old.kid][0]
    assert retired.state == keys.RETIRED and retired.retired == rotated_at
    with pytest.raises(keys.KeyringError):
        retired.cose_key()  # verify-only
    # published until everything it signed has expired (28 days after retirement at most)
    last_second = rotated_at + keys.RETIRED_KEY_KEPT_SECONDS - 1
    assert {k.kid for k in keyring.published(last_second)} == {old.kid, new.kid}
    assert codec.decode(code, keyring.public_keyset(last_second), ISSUED + 2 * DAY).status == codec.VALID
    gone = rotated_at + keys.RETIRED_KEY_KEPT_SECONDS
    assert {k.kid for k in keyring.published(gone)} == {new.kid}
    assert codec.decode(code, keyring.public_keyset(gone), ISSUED + 2 * DAY).status == codec.NOT_GENUINE
    # the next rotation after that drops it from the keyring itself
    assert old.kid not in {k.kid for k in keyring.rotated(gone).keys}


def test_a_rotated_out_key_is_refused_even_before_its_codes_would_expire():
    old = new_key()
    code = codec.encode(PARKING, old.cose_key(), old.kid, ISSUED, ISSUED + DAY)
    keyring = keys.Keyring((old,)).rotated(ISSUED).rotated(ISSUED + keys.RETIRED_KEY_KEPT_SECONDS)
    assert old.kid not in {key.kid for key in keyring.keys}
    assert codec.decode(code, keyring.public_keyset(ISSUED), ISSUED + 1).status == codec.NOT_GENUINE


def test_the_keyring_file_round_trips_and_is_written_for_its_owner_only(tmp_path):
    keyring = keys.Keyring((new_key(),)).rotated(ISSUED)
    path = tmp_path / "keys" / "ring.json"
    keys.write_keyring(keyring, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = keys.load_keyring({keys.ENV_FILE: str(path)})
    assert [(k.kid, k.state, k.retired) for k in loaded.keys] == [
        (k.kid, k.state, k.retired) for k in keyring.keys
    ]
    assert loaded.active().kid == keyring.active().kid


def test_the_keyring_comes_from_the_file_variable_then_the_text_variable_then_the_default(tmp_path):
    in_file, inline, default = (keys.Keyring((new_key(),)) for _ in range(3))
    file_path, default_path = tmp_path / "file.json", tmp_path / "default.json"
    keys.write_keyring(in_file, file_path)
    keys.write_keyring(default, default_path)
    environ = {keys.ENV_FILE: str(file_path), keys.ENV_INLINE: inline.to_json()}
    assert keys.load_keyring(environ, default_path).active().kid == in_file.active().kid
    del environ[keys.ENV_FILE]
    assert keys.load_keyring(environ, default_path).active().kid == inline.active().kid
    assert keys.load_keyring({}, default_path).active().kid == default.active().kid
    with pytest.raises(keys.KeyringError):
        keys.load_keyring({})
    assert keys.keyring_source(environ) == "$MZ_DECLARATION_KEYS"  # names the variable, not its value


def test_a_pem_private_key_is_a_keyring_of_one_active_key():
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    keyring = keys.parse_keyring(pem)
    key = keyring.active()
    assert key.kid == keys.kid_for(private.public_key())
    code = codec.encode(PARKING, key.cose_key(), key.kid, ISSUED, ISSUED + DAY)
    assert codec.decode(code, keyring.public_keyset(ISSUED), ISSUED).valid


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a key",
        '{"keys": []}',
        '{"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]}',  # no d
        ec.generate_private_key(ec.SECP384R1())
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode(),
    ],
    ids=["empty", "text", "no keys", "public only", "P-384"],
)
def test_a_keyring_that_cannot_sign_es256_is_refused(text):
    with pytest.raises(keys.KeyringError):
        keys.parse_keyring(text)


def test_a_keyring_with_a_mismatched_public_part_or_kid_or_two_active_keys_is_refused():
    a, b = new_key(), new_key()
    mixed = {**a.private_jwk(), "x": b.private_jwk()["x"]}
    wrong_kid = {**a.private_jwk(), "kid": b.kid_text}
    for entries in ([mixed], [wrong_kid], [a.private_jwk(), b.private_jwk()]):
        with pytest.raises(keys.KeyringError):
            keys.parse_keyring(json.dumps({"keys": entries}))


def test_a_keyring_error_message_holds_no_key_material():
    key = new_key()
    broken = json.dumps({"keys": [{**key.private_jwk(), "x": new_key().private_jwk()["x"]}]})
    with pytest.raises(keys.KeyringError) as raised:
        keys.parse_keyring(broken)
    assert not any(secret in str(raised.value) for secret in private_texts(key))


# --- manage.py declaration_keys -----------------------------------------------------------------


def run(*args):
    out = io.StringIO()
    call_command("declaration_keys", *args, stdout=out)
    return out.getvalue()


def test_generate_rotate_and_show(tmp_path, monkeypatch):
    path = tmp_path / "declaration_keys.json"
    monkeypatch.setenv(keys.ENV_FILE, str(path))
    monkeypatch.delenv(keys.ENV_INLINE, raising=False)
    output = run("generate")
    first = keys.load_keyring().active()
    assert first.kid_text in output and stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(CommandError, match="exists"):
        run("generate")
    output = run("rotate")
    keyring = keys.load_keyring()
    second = keyring.active()
    assert second.kid != first.kid
    assert f"{first.kid_text} (retired)" in output and f"{second.kid_text} (active)" in output
    shown = json.loads(run("show"))
    assert {jwk["kid"] for jwk in shown["keys"]} == {first.kid_text, second.kid_text}
    assert all("d" not in jwk for jwk in shown["keys"])
    cose_set = keys.keyset_from_cose_key_set(bytes.fromhex(run("show", "--format", "cose").strip()))
    assert {key.kid for key in cose_set} == {first.kid, second.kid}
    everything = output + json.dumps(shown)
    assert not any(secret in everything for key in keyring.keys for secret in private_texts(key))


def test_rotate_refuses_a_keyring_given_as_text(monkeypatch):
    monkeypatch.delenv(keys.ENV_FILE, raising=False)
    monkeypatch.setenv(keys.ENV_INLINE, keys.Keyring((new_key(),)).to_json())
    with pytest.raises(CommandError):
        run("rotate")
    assert json.loads(run("show"))["keys"]


def test_show_without_a_keyring_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(keys.ENV_FILE, str(tmp_path / "missing.json"))
    with pytest.raises(CommandError, match="cannot read"):
        run("show")


# --- the parsed keyring, kept per process (BENCHMARKS.md, "declaration verification") -----------


def same_keyring(a: keys.Keyring, b: keys.Keyring, at: int) -> bool:
    """Same keys, states and published key sets (private, JWKS and COSE_KeySet)."""
    return (
        a.to_json() == b.to_json()
        and a.jwks(at) == b.jwks(at)
        and a.cose_key_set(at) == b.cose_key_set(at)
        and [k.to_dict() for k in a.public_keyset(at)] == [k.to_dict() for k in b.public_keyset(at)]
    )


def test_a_cached_keyring_is_the_uncached_one_for_the_same_file_text_and_pem(tmp_path):
    ring = keys.Keyring((new_key(),)).rotated(ISSUED)
    path = tmp_path / "ring.json"
    keys.write_keyring(ring, path)
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    for environ in ({keys.ENV_FILE: str(path)}, {keys.ENV_INLINE: ring.to_json()}, {keys.ENV_INLINE: pem}):
        cached = keys.load_keyring(environ)
        assert keys.load_keyring(environ) is cached  # parsed once
        assert same_keyring(cached, keys.load_keyring(environ, cached=False), ISSUED)
    code = codec.encode(PARKING, ring.active().cose_key(), ring.active().kid, ISSUED, ISSUED + DAY)
    cached_result = codec.decode(
        code, keys.load_keyring({keys.ENV_FILE: str(path)}).public_keyset(ISSUED), ISSUED
    )
    plain = codec.decode(
        code, keys.load_keyring({keys.ENV_FILE: str(path)}, cached=False).public_keyset(ISSUED), ISSUED
    )
    assert cached_result == plain and cached_result.valid


def test_a_rotated_or_replaced_keyring_file_is_seen_at_the_next_call(tmp_path, monkeypatch):
    path = tmp_path / "declaration_keys.json"
    monkeypatch.setenv(keys.ENV_FILE, str(path))
    monkeypatch.delenv(keys.ENV_INLINE, raising=False)
    run("generate")
    first = keys.load_keyring()
    run("rotate")  # rewrites the file: same path, same size
    rotated = keys.load_keyring()
    assert rotated.active().kid != first.active().kid
    assert same_keyring(rotated, keys.load_keyring(cached=False), ISSUED)
    other = keys.Keyring((new_key(),))
    keys.write_keyring(other, path)
    assert keys.load_keyring().active().kid == other.active().kid
    path.write_text("not a keyring")  # a broken file is refused, not hidden by the cache
    with pytest.raises(keys.KeyringError):
        keys.load_keyring()


def test_the_changed_text_variable_is_seen_and_the_cache_stays_small():
    rings = [keys.Keyring((new_key(),)) for _ in range(keys._PARSED_MAX + 3)]
    for ring in rings:
        assert keys.load_keyring({keys.ENV_INLINE: ring.to_json()}).active().kid == ring.active().kid
    assert len(keys._PARSED) <= keys._PARSED_MAX


def test_a_public_cose_key_is_built_once_per_key_and_verifies_as_a_fresh_one():
    key = new_key()
    assert key.public_cose_key() is key.public_cose_key()
    fresh = keys.COSEKey.new(keys._cose_map(key._private.public_key(), key.kid))
    assert key.public_cose_key().to_dict() == fresh.to_dict()
    code = codec.encode(PARKING, key.cose_key(), key.kid, ISSUED, ISSUED + DAY)
    assert codec.decode(code, [key.public_cose_key()], ISSUED) == codec.decode(code, [fresh], ISSUED)
