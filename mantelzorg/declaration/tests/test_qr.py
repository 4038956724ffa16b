"""How large the QR code of an MZ1 code is (segno, error correction Q, issue 14: parking <= version 10).

The floor is in the envelope: an ES256 signature (64 bytes), the protected header (alg and a 4-byte
kid), zlib's framing and base45's 3 characters per 2 bytes.

Measured with the revised format (docs: codec.py; 8+ keys each, the text length does not vary):
the parking attestation below, confirmed by organisation id 17 and with a status reference, is 213
characters, version 10 (a version 10-Q code holds 221 alphanumeric characters); with a gemeente
too 219, still version 10. The employer attestation (self-declared, relation, period, end of the
declaration) is 222 characters, version 11.

The old format (iss "NL-MZ", iat, the draft's text-keyed reference 65535 {"status_list": {"idx",
"uri"}} with a 45-character uri, and an 8-byte kid) gave version 13 for the same parking claims,
and 14 or 15 with confirmed_by as the organisation's name ("Steunpunt Mantelzorg Utrecht", about
375 characters). Those figures are history; the tests below pin the revised format, so a change to
the encoding that makes the codes larger (or smaller) shows up here.
"""

import segno

from mantelzorg.declaration import codec

from .helpers import EXPIRES, ISSUED, new_key

PARKING_QR = {
    "status": {"list": 1, "idx": 123456},  # a realistic index in a list of 2**17
    "purpose": "parking",
    "level": "confirmed",
    "confirmed_by": 17,  # an organisation id, as in /verklaring/organisaties.json
    "hours_band": 8,  # at least 8 h a week
    "care_since": "2025-03",  # (so: more than 3 months)
    "pc4": "3511",
    "holder": {"initials": "JV", "birth_day": 14},
}
SAMPLES = 8


def measure(claims, samples=SAMPLES):
    """(QR versions, text lengths) at ECC Q over ``samples`` fresh keys."""
    versions, lengths = set(), set()
    for _ in range(samples):
        key = new_key()
        code = codec.encode(claims, key.cose_key(), key.kid, ISSUED, EXPIRES)
        qr = segno.make(code, error="q", micro=False, boost_error=False)
        assert qr.error == "Q" and qr.mode == "alphanumeric"
        versions.add(qr.version)
        lengths.add(len(code))
    return versions, lengths


def test_the_parking_attestation_with_status_and_confirming_organisation_is_at_most_version_10():
    versions, lengths = measure(PARKING_QR)
    assert max(versions) <= 10, (versions, lengths)
    assert max(lengths) <= 221  # what a version 10-Q code holds


def test_large_ids_and_a_gemeente_still_fit_version_10():
    larger = {**PARKING_QR, "confirmed_by": 65535, "status": {"list": 65535, "idx": 2**17 - 1}}
    assert max(measure(larger)[0]) <= 10
    assert max(measure({**PARKING_QR, "gemeente": "GM0344"})[0]) <= 10


def test_the_parking_code_is_213_characters():
    # the spec's figure (notes/mz1-spec.md): 213 of 221; a change to the envelope moves it
    assert measure(PARKING_QR, samples=2)[1] == {213}


def test_an_attestation_with_every_claim_stays_a_small_qr_code():
    every = {
        **PARKING_QR,
        "purpose": "uwv",
        "gemeente": "GM0344",
        "relation": "partner",
        "valid_until": "2027-11-30",
    }
    assert max(measure(every, samples=2)[0]) <= 11
