"""How large the QR code of an MZ1 code is (segno, error correction Q, issue 14: parking <= version 10).

Measured: the parking claim set below, with the draft-conformant status reference, needs version 13.
The floor is in the envelope: an ES256 signature (64 bytes), the protected header (alg and an 8-byte
kid), zlib's 6 bytes of framing and base45's 3 characters per 2 bytes. The status reference of
draft-ietf-oauth-status-list alone (its text keys "status_list", "idx", "uri" plus an absolute uri)
pushes an otherwise empty attestation past version 10; without it and without iss the parking
claims fit version 10. The tests pin these three facts, so a change to the encoding that makes the
codes larger (or smaller) shows up here.
"""

import segno

from mantelzorg.declaration import codec

from .helpers import EXPIRES, ISSUED, STATUS_URI, new_key

PARKING_QR = {
    "iss": "NL-MZ",
    "status": {"idx": 123456, "uri": STATUS_URI},  # a realistic index and a 45-character uri
    "purpose": "parking",
    "level": "confirmed",
    "hours_band": 8,  # at least 8 h a week
    "care_since": "2025-03",  # (so: more than 3 months)
    "pc4": "3511",
    "holder": {"initials": "JV", "birth_day": 14},
}


def qr_versions(claims, samples=6):
    """The QR versions at ECC Q over several keys (the compressed size varies by a byte or two)."""
    versions = set()
    for _ in range(samples):
        key = new_key()
        code = codec.encode(claims, key.cose_key(), key.kid, ISSUED, EXPIRES)
        qr = segno.make(code, error="q", micro=False, boost_error=False)
        assert qr.error == "Q" and qr.mode == "alphanumeric"
        versions.add(qr.version)
    return versions


def test_the_parking_attestation_with_its_status_reference_is_a_version_13_qr():
    assert qr_versions(PARKING_QR) == {13}


def test_the_status_reference_alone_takes_an_attestation_past_version_10():
    minimal = {"purpose": "parking", "level": "self_declared", "status": {"idx": 0, "uri": "https://x.nl/1"}}
    assert min(qr_versions(minimal)) > 10


def test_the_parking_claims_without_status_reference_and_issuer_fit_version_10():
    claims = {name: value for name, value in PARKING_QR.items() if name not in ("status", "iss")}
    assert max(qr_versions(claims)) <= 10


def test_a_confirmed_by_organisation_name_costs_a_version():
    # about 375 characters: version 14 (up to 376), now and then 15
    confirmed = {**PARKING_QR, "confirmed_by": "Steunpunt Mantelzorg Utrecht"}
    assert min(qr_versions(confirmed)) >= 14
