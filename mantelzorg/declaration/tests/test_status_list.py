"""The Token Status List (mantelzorg/declaration/status_list.py), held to the examples of
draft-ietf-oauth-status-list (oauth-wg/draft-ietf-oauth-status-list, examples/ as of 2026-04-20):
bytes and tokens we did not make."""

import zlib

import cbor2
import pytest
from cwt import COSEKey

from mantelzorg.declaration import codec, status_list

from .helpers import ISSUED, new_key

# The draft's example key (its src/util.py; public by design, like ours TEST ONLY): the public part.
DRAFT_KEY = COSEKey.from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "x": "I3HWm_0Ds1dPMI-IWmf4mBmH-YaeAVbPVu7vB27CxXo",
        "y": "6N_d5Elj9bs1htgV3okJKIdbHEpkgTmAluYKJemzn1M",
        "kid": "12",
        "alg": "ES256",
    }
)
# examples/status_list_cwt.md
DRAFT_STATUS_LIST_CWT = bytes.fromhex(
    "d2845820a2012610781a6170706c69636174696f6e2f7374617475736c6973742b63"
    "7774a1044231325850a502782168747470733a2f2f6578616d706c652e636f6d2f73"
    "74617475736c697374732f31061a648c5bea041a8898dfea19fffe19a8c019fffda2"
    "646269747301636c73744a78dadbb918000217015d584093fa4d01032b18c35e2fe1"
    "101b77fd6cc9440022caa4694450c4e4e9feab4e99d1fa6d9772ce2bf3a12e0323de"
    "d7c982c5e101a5e67f0cbc1e2b6f57ce99c279"
)
# examples/referenced_token_cwt.md
DRAFT_REFERENCED_TOKEN_CWT = bytes.fromhex(
    "d28443a10126a1044231325866a502653132333435017368747470733a2f2f657861"
    "6d706c652e636f6d061a648c5bea041a8898dfea19ffffa16b7374617475735f6c69"
    "7374a2636964780063757269782168747470733a2f2f6578616d706c652e636f6d2f"
    "7374617475736c697374732f315840340f7efea10f1a36dc4797636a17b4dd4848b6"
    "8997d1d10e8cceb3a38ff33b3dda72964a83989f6cf98560c2fc97a08bc8977cc6b0"
    "f84cfedab93d3e4481e938"
)
# examples/status_list_encoding1_long_cbor.md: 2**20 entries, these set (test vectors, 1 bit)
DRAFT_LONG_1BIT = bytes.fromhex(
    "a2646269747301636c737458bd78daeddc010dc0200c0041a88249400ad2903e0f4b"
    "ba00bd93f002beb7a2a2010000a91e09000000000000000000000000000000807296"
    "04000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000005c6f4800000000000000fc2c240000000000000000000000be1b12"
    "000000000000000000ecaa4b000000000000000000000000000000009b0b09000000"
    "00000000000038de9400000000000000002a30cc010000000080642f0bd8011b"
)
DRAFT_LONG_1BIT_SET = [0, 1993, 25460, 159495, 495669, 554353, 645645, 723232, 854545, 934534, 1000345]
DRAFT_1BIT_STATUSES = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
DRAFT_2BIT_STATUSES = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]


def test_the_drafts_1_bit_example_gives_its_bytes_and_compressed_bytes():
    lst = status_list.new_list(16)
    for idx, value in enumerate(DRAFT_1BIT_STATUSES):
        status_list.set_status(lst, idx, value)
    assert bytes(lst) == bytes([0xB9, 0xA3])
    assert status_list.compress(lst).hex() == "78dadbb918000217015d"
    assert (
        cbor2.dumps(status_list.cbor_status_list(lst)).hex() == "a2646269747301636c73744a78dadbb918000217015d"
    )


def test_the_drafts_2_bit_example_reads_back_its_statuses():
    lst = status_list.decompress(bytes.fromhex("78da3be9f2130003df0207"))
    assert lst == bytes([0xC9, 0x44, 0xF9])
    assert [status_list.get_status(lst, idx, bits=2) for idx in range(12)] == DRAFT_2BIT_STATUSES
    rebuilt = status_list.new_list(12, bits=2)
    for idx, value in enumerate(DRAFT_2BIT_STATUSES):
        status_list.set_status(rebuilt, idx, value, bits=2)
    assert bytes(rebuilt) == lst


def test_the_drafts_long_1_bit_vector_has_exactly_its_listed_entries_set():
    decoded = cbor2.loads(DRAFT_LONG_1BIT)
    assert decoded["bits"] == 1
    lst = status_list.decompress(decoded["lst"])
    assert len(lst) * 8 == 2**20
    candidates = [byte * 8 + bit for byte, value in enumerate(lst) if value for bit in range(8)]
    set_entries = [idx for idx in candidates if status_list.get_status(lst, idx)]
    assert set_entries == DRAFT_LONG_1BIT_SET


def test_the_drafts_status_list_token_verifies_with_the_drafts_key():
    verified = status_list.verify_token(DRAFT_STATUS_LIST_CWT, [DRAFT_KEY], 1686920170)
    assert verified.uri == "https://example.com/statuslists/1"
    assert (verified.issued_at, verified.expires_at, verified.ttl, verified.bits) == (
        1686920170,
        2291720170,
        43200,
        1,
    )
    assert [verified.status(idx) for idx in range(16)] == DRAFT_1BIT_STATUSES
    assert verified.fetch_again_after() == 1686920170 + 43200


def test_the_drafts_referenced_token_is_revoked_by_the_drafts_list():
    _, claims = codec.verify_sign1(DRAFT_REFERENCED_TOKEN_CWT, [DRAFT_KEY], allow_unprotected_kid=True)
    idx, uri = status_list.reference_of(claims)
    assert (idx, uri) == (0, "https://example.com/statuslists/1")
    verified = status_list.verify_token(DRAFT_STATUS_LIST_CWT, [DRAFT_KEY], 1686920170, expected_uri=uri)
    assert verified.status(idx) == status_list.INVALID


def test_our_codes_name_the_list_by_id_and_the_token_sub_is_the_uri_derived_from_it():
    # A deviation from the draft (codec.py): no 65535 {"status_list": {"idx", "uri"}} in a code,
    # but [list id, idx] in the MZ1 map; the list's token keeps the draft's sub, the derived uri.
    key = new_key()
    from .helpers import PARKING, cose_of

    code = codec.encode(
        {**PARKING, "status": {"list": 1, "idx": 0}}, key.cose_key(), key.kid, ISSUED, ISSUED + 3600
    )
    ours = cbor2.loads(cbor2.loads(cose_of(code)).value[2])
    assert status_list.DRAFT_CLAIM_STATUS not in ours
    assert ours[codec.CLAIM_MZ][codec.KEY_STATUS] == [1, 0]
    uri = codec.status_list_uri("https://mantelzorg.example/", 1)
    assert uri == "https://mantelzorg.example/verklaring/status/1"
    token, signer = make_token(status_list.new_list(64), uri=uri)
    verified = status_list.verify_token(token, [signer.public_cose_key()], ISSUED, expected_uri=uri)
    assert codec.status_list_id(verified.uri) == 1


@pytest.mark.parametrize(
    ("uri", "list_id"),
    [
        ("https://x.nl/verklaring/status/1", 1),
        ("https://x.nl/verklaring/status/4294967295", 4294967295),
        ("https://x.nl/verklaring/status/4294967296", None),
        ("https://x.nl/verklaring/status/01", None),
        ("https://x.nl/verklaring/status/1.cwt", None),
        ("https://x.nl/verklaring/status/", None),
        ("https://example.com/statuslists/1", None),
        (None, None),
    ],
)
def test_the_list_id_is_read_from_the_end_of_a_status_list_uri(uri, list_id):
    assert codec.status_list_id(uri) == list_id


def make_token(lst, key=None, **overrides):
    key = key or new_key()
    arguments = {
        "uri": "https://mantelzorg.example/verklaring/status/1",
        "key": key.cose_key(),
        "kid": key.kid,
        "issued_at": ISSUED,
        "expires_at": ISSUED + 86400,
        "ttl": 3600,
    }
    arguments.update(overrides)
    return status_list.encode_token(lst, **arguments), key


def test_our_token_has_the_drafts_header_and_claims():
    lst = status_list.new_list(64)
    status_list.set_status(lst, 9, 1)
    token, key = make_token(lst)
    message = cbor2.loads(token)
    assert message.tag == 18
    assert cbor2.loads(message.value[0]) == {1: -7, 4: key.kid, 16: "application/statuslist+cwt"}
    claims = cbor2.loads(message.value[2])
    assert set(claims) == {2, 4, 6, 65533, 65534}
    assert claims[65533] == {"bits": 1, "lst": zlib.compress(bytes(lst), 9)}
    verified = status_list.verify_token(token, [key.public_cose_key()], ISSUED)
    assert [verified.status(idx) for idx in (8, 9, 10)] == [0, 1, 0]
    assert verified.size == 64


def test_a_token_past_its_exp_is_refused():
    token, key = make_token(status_list.new_list(64))
    status_list.verify_token(token, [key.public_cose_key()], ISSUED + 86399)
    with pytest.raises(status_list.StatusListError, match="expired"):
        status_list.verify_token(token, [key.public_cose_key()], ISSUED + 86400)


def test_a_token_for_another_uri_is_refused_when_one_is_expected():
    token, key = make_token(status_list.new_list(64))
    with pytest.raises(status_list.StatusListError, match="sub"):
        status_list.verify_token(token, [key.public_cose_key()], ISSUED, expected_uri="https://elsewhere/1")


def test_a_token_signed_by_an_unknown_key_or_changed_is_refused():
    token, key = make_token(status_list.new_list(64))
    with pytest.raises(status_list.StatusListError):
        status_list.verify_token(token, [new_key().public_cose_key()], ISSUED)
    for position in range(len(token)):
        broken = bytearray(token)
        broken[position] ^= 0x01
        with pytest.raises(status_list.StatusListError):
            status_list.verify_token(bytes(broken), [key.public_cose_key()], ISSUED)


def test_a_signed_mz1_code_is_not_a_status_list_token():
    # the typ header keeps the two apart: a code cannot be passed off as a list
    key = new_key()
    payload = {2: "https://x/1", 6: ISSUED, 65533: {"bits": 1, "lst": zlib.compress(b"\0")}}
    with pytest.raises(status_list.StatusListError, match="16"):
        status_list.verify_token(
            codec.sign(payload, key.cose_key(), key.kid), [key.public_cose_key()], ISSUED
        )


@pytest.mark.parametrize("idx", [-1, 64, 10**9, True, "3"])
def test_an_index_outside_the_list_raises_index_error(idx):
    lst = status_list.new_list(64)
    with pytest.raises(IndexError):
        status_list.get_status(lst, idx)


def test_set_status_refuses_a_value_that_does_not_fit_the_bits():
    with pytest.raises(ValueError):
        status_list.set_status(status_list.new_list(8), 0, 2)


def test_random_index_never_returns_a_taken_one():
    size = 64
    assert status_list.random_index(size, taken=set(range(size)) - {37}) == 37
    with pytest.raises(ValueError):
        status_list.random_index(size, taken=range(size))
    drawn = [status_list.random_index(2**17) for _ in range(20)]
    assert drawn != sorted(drawn)  # chance 1 in 20! of failing: not handed out in order


def test_a_list_that_inflates_too_far_is_refused():
    with pytest.raises(status_list.StatusListError):
        status_list.decompress(zlib.compress(b"\0" * (status_list.MAX_LIST_BYTES + 1)))
