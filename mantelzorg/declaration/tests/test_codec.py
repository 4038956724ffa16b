"""The MZ1 codec (mantelzorg/declaration/codec.py): what every outcome means, and that no input,
however broken, gets anything but an answer."""

import zlib

import base45
import cbor2
import pytest

from mantelzorg.declaration import codec, status_list

from .helpers import EXPIRES, ISSUED, PARKING, STATUS_URI, assemble, cose_of, mz1_of, new_key, parts_of, sign


def test_a_signed_parking_attestation_decodes_to_the_same_claims():
    code, key = sign()
    assert code.startswith("MZ1:")
    assert set(code[4:]) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")  # QR alphanumeric
    result = codec.decode(code, [key.public_cose_key()], ISSUED + 60)
    assert result.status == codec.VALID
    assert result.claims == PARKING
    assert (result.kid, result.expires_at) == (key.kid, EXPIRES)
    assert len(result.kid) == 4
    assert result.status_checked is False


def test_the_cose_message_is_a_tagged_sign1_with_es256_and_the_kid_protected():
    code, key = sign()
    message = cbor2.loads(cose_of(code))
    assert message.tag == 18
    protected = cbor2.loads(message.value[0])
    assert protected == {1: -7, 4: key.kid}
    assert message.value[1] == {}
    payload = cbor2.loads(message.value[2])
    # exactly exp and the MZ1 map: no iss, no iat, no 65535 status claim
    assert set(payload) == {4, -65537} and payload[4] == EXPIRES
    mz = payload[-65537]
    assert mz[1] == codec.PURPOSES["parking"]
    assert mz[3] == 17  # confirmed_by: an organisation id, not its name
    assert mz[11] == [1, 4242]  # status: [list id, idx]
    assert len(message.value[3]) == 64


@pytest.mark.parametrize(
    ("now", "status"),
    [(EXPIRES - 1, codec.VALID), (EXPIRES, codec.EXPIRED), (EXPIRES + 1, codec.EXPIRED)],
    ids=["one second before exp", "at exp", "one second after exp"],
)
def test_expiry_is_exact_and_exp_itself_counts_as_expired(now, status):
    # RFC 8392 3.1.4: exp is the time "on or after which the CWT MUST NOT be accepted".
    code, key = sign()
    assert codec.decode(code, [key.public_cose_key()], now).status == status


@pytest.mark.parametrize(
    ("ahead", "status"),
    [
        (codec.MAX_VALIDITY_SECONDS, codec.VALID),
        (codec.MAX_VALIDITY_SECONDS + 1, codec.MALFORMED),
        (365 * 86400, codec.MALFORMED),
    ],
    ids=["exp exactly 28 days ahead", "exp 28 days and a second ahead", "exp a year ahead"],
)
def test_a_code_whose_exp_is_more_than_28_days_ahead_is_malformed(ahead, status):
    # Without iat the 28-day rule holds from the moment of checking: exp - now <= 28 days.
    code, key = sign()
    result = codec.decode(code, [key.public_cose_key()], EXPIRES - ahead)
    assert result.status == status
    assert (result.claims is None) == (status != codec.VALID)


def test_a_code_issued_for_28_days_from_later_is_malformed_until_28_days_before_its_exp():
    later = ISSUED + 10 * 86400
    code, key = sign(issued=later, expires=later + codec.MAX_VALIDITY_SECONDS)
    keyset = [key.public_cose_key()]
    assert codec.decode(code, keyset, ISSUED).status == codec.MALFORMED
    assert codec.decode(code, keyset, later - 1).status == codec.MALFORMED
    assert codec.decode(code, keyset, later).status == codec.VALID


@pytest.mark.parametrize("seconds", [1, codec.MAX_VALIDITY_SECONDS])
def test_encode_takes_a_validity_from_one_second_to_exactly_28_days(seconds):
    code, key = sign(expires=ISSUED + seconds)
    assert codec.decode(code, [key.public_cose_key()], ISSUED).expires_at == ISSUED + seconds


def test_an_expired_code_shows_no_claims():
    code, key = sign()
    result = codec.decode(code, [key.public_cose_key()], EXPIRES)
    assert result.claims is None and result.expires_at == EXPIRES


@pytest.mark.parametrize("seconds", [0, -1, codec.MAX_VALIDITY_SECONDS + 1])
def test_encode_refuses_a_validity_of_nothing_or_over_28_days(seconds):
    key = new_key()
    with pytest.raises(codec.ClaimError):
        codec.encode(PARKING, key.cose_key(), key.kid, ISSUED, ISSUED + seconds)


@pytest.mark.parametrize(
    "change",
    [
        {"diagnosis": "dementia"},
        {"purpose": "pizza"},
        {"level": "official"},
        {"pc4": "0123"},
        {"pc4": 3511},
        {"gemeente": "0344"},
        {"care_since": "2025-13"},
        {"care_since": "2025-03-01"},
        {"valid_until": "2027-02-30"},
        {"hours_band": 200},
        {"hours_band": True},
        {"holder": {"initials": "JV"}},
        {"holder": {"initials": "JV", "birth_day": 14, "birth_month": 3}},
        {"holder": {"initials": "jv", "birth_day": 14}},
        {"holder": {"initials": "JV", "birth_day": 32}},
        {"holder": {"initials": "JV", "birth_day": 14, "bsn": "123456782"}},
        {"status": {"list": 1, "idx": -1}},
        {"status": {"list": 0, "idx": 1}},
        {"status": {"list": 2**32, "idx": 1}},
        {"status": {"idx": 1}},
        {"status": {"idx": 1, "uri": STATUS_URI}},
        {"status": [1, 1]},
        {"iss": "NL-MZ"},
        {"confirmed_by": "Steunpunt Mantelzorg Utrecht"},
        {"confirmed_by": 0},
        {"confirmed_by": True},
        {"level": "self_declared", "confirmed_by": 17},
    ],
)
def test_encode_refuses_claims_outside_the_profile(change):
    key = new_key()
    with pytest.raises(codec.ClaimError):
        codec.encode({**PARKING, **change}, key.cose_key(), key.kid, ISSUED, EXPIRES)


def test_purpose_and_level_are_required():
    key = new_key()
    claims = {name: value for name, value in PARKING.items() if name != "level"}
    with pytest.raises(codec.ClaimError):
        codec.encode(claims, key.cose_key(), key.kid, ISSUED, EXPIRES)


def test_every_claim_of_the_vocabulary_survives_the_round_trip():
    claims = {
        "status": {"list": 2**32 - 1, "idx": 2**32 - 1},
        "purpose": "employer",
        "level": "confirmed",
        "confirmed_by": 2**32 - 1,
        "hours_band": 0,
        "care_since": "1999-12",
        "pc4": "9999",
        "gemeente": "GM0344",
        "relation": "parent",
        "valid_until": "2028-02-29",
        "holder": {"initials": "ABCD", "birth_month": 12},
    }
    assert set(claims) == set(codec.CLAIM_NAMES)
    code, key = sign(claims)
    assert codec.decode(code, [key.public_cose_key()], ISSUED).claims == claims


# --- keys ---------------------------------------------------------------------------------------


def test_a_code_whose_kid_is_not_published_is_not_genuine():
    code, _ = sign()
    other = new_key()
    result = codec.decode(code, [other.public_cose_key()], ISSUED)
    assert (result.status, result.reason) == (codec.NOT_GENUINE, "no published key has this kid")


def test_a_code_signed_by_another_key_under_a_published_kid_is_not_genuine():
    published, impostor = new_key(), new_key()
    code = codec.encode(PARKING, impostor.cose_key(), published.kid, ISSUED, EXPIRES)
    result = codec.decode(code, [published.public_cose_key()], ISSUED)
    assert (result.status, result.reason) == (codec.NOT_GENUINE, "the signature does not verify")


def test_every_key_with_the_kid_is_tried():
    # Two published keys share a kid (a collision, or a re-issued key): the right one still verifies.
    signer, other = new_key(), new_key()
    code = codec.encode(PARKING, signer.cose_key(), b"shared", ISSUED, EXPIRES)
    from cwt import COSEKey

    def under_shared_kid(key):
        params = key.public_cose_key().to_dict()
        params[2] = b"shared"
        return COSEKey.new(params)

    keyset = [under_shared_kid(other), under_shared_kid(signer)]
    assert codec.decode(code, keyset, ISSUED).status == codec.VALID
    assert codec.decode(code, keyset[:1], ISSUED).status == codec.NOT_GENUINE


def test_an_empty_key_set_verifies_nothing():
    code, _ = sign()
    assert codec.decode(code, [], ISSUED).status == codec.NOT_GENUINE


# --- broken input: an answer, never an exception ------------------------------------------------


def test_a_flipped_byte_anywhere_in_the_cose_message_is_never_valid_and_never_raises():
    code, key = sign()
    keyset = [key.public_cose_key()]
    cose = cose_of(code)
    protected, _, payload, signature = parts_of(code)
    payload_start = cose.index(payload)
    seen = set()
    for position in range(len(cose)):
        for mask in (0x01, 0x80, 0xFF):
            broken = bytearray(cose)
            broken[position] ^= mask
            result = codec.decode(mz1_of(bytes(broken)), keyset, ISSUED)
            assert result.status in (codec.NOT_GENUINE, codec.MALFORMED), (position, mask)
            seen.add(result.status)
            if payload_start <= position < payload_start + len(payload):
                # inside the signed payload the signature decides (and it never verifies)
                assert result.status == codec.NOT_GENUINE, (position, mask, result.reason)
    assert seen == {codec.NOT_GENUINE, codec.MALFORMED}


def test_a_changed_character_anywhere_in_the_text_is_never_valid_and_never_raises():
    code, key = sign()
    keyset = [key.public_cose_key()]
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    for position in range(len(code)):
        replacement = (
            alphabet[(alphabet.index(code[position]) + 1) % 45] if code[position] in alphabet else "A"
        )
        result = codec.decode(code[:position] + replacement + code[position + 1 :], keyset, ISSUED)
        assert result.status in (codec.NOT_GENUINE, codec.MALFORMED), position


def test_every_cut_of_the_text_is_malformed():
    code, key = sign()
    for length in range(len(code)):
        assert codec.decode(code[:length], [key.public_cose_key()], ISSUED).status == codec.MALFORMED


@pytest.mark.parametrize(
    "code",
    [None, 42, b"MZ1:ABC", "", "MZ1:", "HC1:6BFOXN", "mz1:6BF", "MZ1:abc", "MZ1:" + "A" * 5000, "MZ1:ÄÖ"],
)
def test_input_that_is_no_mz1_text_is_malformed(code):
    assert codec.decode(code, [], ISSUED).status == codec.MALFORMED


def test_the_wrong_prefix_is_malformed_even_with_a_genuine_body():
    code, key = sign()
    assert codec.decode("HC1:" + code[4:], [key.public_cose_key()], ISSUED).status == codec.MALFORMED


def test_surrounding_whitespace_is_forgiven():
    code, key = sign()
    assert codec.decode(f"  {code}\n", [key.public_cose_key()], ISSUED).status == codec.VALID


def test_a_zlib_bomb_stops_at_the_size_limit():
    bomb = codec.PREFIX + base45.b45encode(zlib.compress(b"\0" * 1_000_000, 9)).decode()
    result = codec.decode(bomb, [], ISSUED)
    assert result.status == codec.MALFORMED and "too large" in result.reason


def test_bytes_after_the_zlib_stream_or_the_cbor_item_are_malformed():
    code, key = sign()
    cose = cose_of(code)
    after_zlib = codec.PREFIX + base45.b45encode(zlib.compress(cose, 9) + b"\0").decode()
    assert codec.decode(after_zlib, [key.public_cose_key()], ISSUED).status == codec.MALFORMED
    assert codec.decode(mz1_of(cose + b"\0"), [key.public_cose_key()], ISSUED).status == codec.MALFORMED


def test_uncompressed_cose_is_malformed():
    code, key = sign()
    raw = codec.PREFIX + base45.b45encode(cose_of(code)).decode()
    assert codec.decode(raw, [key.public_cose_key()], ISSUED).status == codec.MALFORMED


def test_a_kid_outside_the_protected_header_is_malformed():
    code, key = sign()
    protected, _, payload, signature = parts_of(code)
    moved = assemble(protected, {4: key.kid}, payload, signature)
    assert codec.decode(moved, [key.public_cose_key()], ISSUED).status == codec.MALFORMED


@pytest.mark.parametrize("protected", [{1: -35, 4: b"k"}, {4: b"k"}, {1: -7}, {1: -7, 4: b""}])
def test_a_protected_header_without_es256_and_a_kid_is_malformed(protected):
    code, key = sign()
    _, _, payload, signature = parts_of(code)
    result = codec.decode(
        assemble(cbor2.dumps(protected), {}, payload, signature), [key.public_cose_key()], ISSUED
    )
    assert result.status == codec.MALFORMED


def test_other_cose_structures_are_malformed():
    code, key = sign()
    protected, unprotected, payload, signature = parts_of(code)
    for message in (
        cbor2.CBORTag(17, [protected, unprotected, payload, signature]),  # MAC0
        cbor2.CBORTag(61, cbor2.CBORTag(18, [protected, unprotected, payload, signature])),  # CWT tag
        [protected, unprotected, payload, signature],  # untagged
        cbor2.CBORTag(18, [protected, unprotected, payload]),
        cbor2.CBORTag(18, [protected, unprotected, None, signature]),  # detached payload
    ):
        assert (
            codec.decode(mz1_of(cbor2.dumps(message)), [key.public_cose_key()], ISSUED).status
            == codec.MALFORMED
        )


@pytest.mark.parametrize(
    "payload",
    [
        {4: EXPIRES},  # no MZ1 claims
        {4: EXPIRES, -65537: {1: 1, 2: 1}, 7: b"cti"},  # a claim outside the profile
        {4: EXPIRES, -65537: {1: 1, 2: 1}, 1: "NL-MZ"},  # iss: no longer part of the profile
        {4: EXPIRES, -65537: {1: 1, 2: 1}, 6: ISSUED},  # iat: no longer part of the profile
        {4: EXPIRES, -65537: {1: 1, 2: 1}, 65535: {"status_list": {"idx": 0, "uri": STATUS_URI}}},
        {4: EXPIRES, -65537: {1: 1, 2: 1, 99: "x"}},  # unknown MZ1 claim
        {4: EXPIRES, -65537: {1: 9, 2: 1}},  # unknown purpose
        {4: EXPIRES, -65537: {1: 1, 2: 1, 3: 17}},  # confirmed_by when self-declared
        {4: EXPIRES, -65537: {1: 1, 2: 2, 3: "Org"}},  # confirmed_by as text
        {4: EXPIRES, -65537: {1: 1, 2: 2, 3: 0}},  # organisation ids start at 1
        {4: EXPIRES, -65537: {1: 1, 2: 1, 11: [0, 1]}},  # list ids start at 1
        {4: EXPIRES, -65537: {1: 1, 2: 1, 11: [1]}},
        {4: EXPIRES, -65537: {1: 1, 2: 1, 11: {"idx": 1, "uri": STATUS_URI}}},
        {4: ISSUED + codec.MAX_VALIDITY_SECONDS + 1, -65537: {1: 1, 2: 1}},  # over 28 days ahead
        {-65537: {1: 1, 2: 1}},  # no exp
        {4: "tomorrow", -65537: {1: 1, 2: 1}},
        {4: EXPIRES, -65537: {1: 1, 2: 1, 5: 202513}},  # month 13
    ],
)
def test_a_genuine_signature_over_claims_outside_the_profile_is_malformed(payload):
    key = new_key()
    code = mz1_of(codec.sign(payload, key.cose_key(), key.kid))
    result = codec.decode(code, [key.public_cose_key()], ISSUED)
    assert result.status == codec.MALFORMED, result


def test_a_genuine_signature_over_something_that_is_not_a_map_is_malformed():
    key = new_key()
    from cwt import COSE

    message = COSE.new().encode_and_sign(
        cbor2.dumps([1, 2, 3]), key.cose_key(), protected={1: -7, 4: key.kid}, unprotected={}
    )
    assert codec.decode(mz1_of(message), [key.public_cose_key()], ISSUED).status == codec.MALFORMED


# --- revocation ---------------------------------------------------------------------------------


def verified_list(revoked=(), uri=STATUS_URI, size=2**13):
    key = new_key()
    lst = status_list.new_list(size)
    for idx in revoked:
        status_list.set_status(lst, idx, status_list.INVALID)
    token = status_list.encode_token(
        lst, uri=uri, key=key.cose_key(), kid=key.kid, issued_at=ISSUED, expires_at=ISSUED + 86400, ttl=3600
    )
    return status_list.verify_token(token, [key.public_cose_key()], ISSUED)


def test_a_set_status_bit_means_revoked():
    code, key = sign()
    result = codec.decode(code, [key.public_cose_key()], ISSUED, verified_list(revoked=[4242]))
    assert (result.status, result.status_checked, result.claims) == (codec.REVOKED, True, None)


def test_a_clear_status_bit_is_valid_and_says_it_was_checked():
    code, key = sign()
    result = codec.decode(code, [key.public_cose_key()], ISSUED, verified_list(revoked=[4241, 4243]))
    assert (result.status, result.status_checked) == (codec.VALID, True)


@pytest.mark.parametrize(
    "uri",
    ["https://mantelzorg.example/verklaring/status/2", "https://example.com/statuslists/1"],
    ids=["another list id", "not a status list uri of ours"],
)
def test_a_list_for_another_id_leaves_the_status_unchecked(uri):
    code, key = sign()
    other = verified_list(revoked=[4242], uri=uri)
    result = codec.decode(code, [key.public_cose_key()], ISSUED, other)
    assert (result.status, result.status_checked) == (codec.VALID, False)


def test_a_code_without_a_status_reference_is_valid_unchecked():
    claims = {name: value for name, value in PARKING.items() if name != "status"}
    code, key = sign(claims)
    result = codec.decode(code, [key.public_cose_key()], ISSUED, verified_list(revoked=[4242]))
    assert (result.status, result.status_checked) == (codec.VALID, False)


def test_an_index_outside_the_list_is_malformed():
    code, key = sign()
    result = codec.decode(code, [key.public_cose_key()], ISSUED, verified_list(size=4096))
    assert result.status == codec.MALFORMED


def test_expiry_comes_before_revocation():
    # draft-ietf-oauth-status-list, "Validation Rules": the token's own checks precede its status.
    code, key = sign()
    result = codec.decode(code, [key.public_cose_key()], EXPIRES, verified_list(revoked=[4242]))
    assert result.status == codec.EXPIRED


def test_decode_takes_aware_datetimes_and_refuses_naive_ones():
    from datetime import UTC, datetime

    code, key = sign()
    assert codec.decode(code, [key.public_cose_key()], datetime.fromtimestamp(ISSUED, UTC)).valid
    with pytest.raises(TypeError):
        codec.decode(code, [key.public_cose_key()], datetime(2026, 12, 1))


@pytest.mark.parametrize("depth", [10, 1000, 5000])
def test_deeply_nested_cbor_is_malformed_not_a_crash(depth):
    assert codec.decode(mz1_of(b"\x81" * depth + b"\x00"), [], ISSUED).status == codec.MALFORMED
    signed_looking = b"\xd2\x84\x41\xa0\xa0" + b"\x81" * depth + b"\x00" + b"\x40"
    assert codec.decode(mz1_of(signed_looking), [], ISSUED).status == codec.MALFORMED


def test_random_input_always_gets_an_answer():
    import random

    rng = random.Random(14)  # fixed seed: the same inputs every run
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    key = new_key()
    keyset = [key.public_cose_key()]
    for _ in range(300):
        text = codec.PREFIX + "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 400)))
        blob = mz1_of(bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300))))
        for code in (text, blob):
            assert codec.decode(code, keyset, ISSUED).status == codec.MALFORMED
