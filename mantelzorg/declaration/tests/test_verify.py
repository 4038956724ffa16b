"""The relying party's side of MZ1 (issue 14, C6): a QR picture gives the pasted text's outcome
(every vector through the API, the page and both verifiers: test_vectors.py); nothing of a code is
stored; the trust material at its URLs (keys, status lists, organisations) verifies."""

import io
import json

import pytest
import segno
from django.apps import apps
from django.db import connection

from mantelzorg.declaration import codec, keys, scan, services, status_list
from mantelzorg.declaration.models import StatusList, VerificationCount

from .conftest import NOW, SITE, TESTDATA, VECTORS
from .helpers import cose_of, mz1_of, vectors_keyring

pytestmark = pytest.mark.django_db

VERIFY_API = "/api/v1/declarations/verify/"
VERIFY_PAGE = "/verklaring/controleren/"
KEYSET = keys.keyset_from_jwks((TESTDATA / "keyset.json").read_text())
HEADLINES = {
    "valid": "Geldig",
    "expired": "Verlopen",
    "revoked": "Ingetrokken",
    "not_genuine": "Niet echt",
    "malformed": "Onleesbaar",
}


def api(client, body, **extra):
    return client.post(VERIFY_API, json.dumps(body), content_type="application/json", **extra)


def verdict(response) -> str:
    """The big word at the top of the verifier page."""
    html = response.content.decode()
    start = html.index('class="mz-verdict__word"')
    return html[html.index(">", start) + 1 : html.index("</h1>", start)].strip()


def png_of(code: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make_qr(code, error="q").save(buffer, kind="png", scale=6, border=4)
    buffer.seek(0)
    buffer.name = "qr.png"
    return buffer


@pytest.mark.parametrize("name", ["valid_parking", "valid_employer", "revoked", "tampered", "wrong_prefix"])
def test_a_qr_picture_gives_the_same_outcome_as_the_pasted_text(name, trust, client):
    vector = next(vector for vector in VECTORS if vector["name"] == name)
    assert scan.code_from_image(_upload(png_of(vector["code"]))) == vector["code"]
    pasted = client.post(VERIFY_PAGE, {"code": vector["code"]})
    uploaded = client.post(VERIFY_PAGE, {"image": png_of(vector["code"])})
    assert uploaded.status_code == 200
    assert verdict(uploaded) == verdict(pasted) == HEADLINES[vector["expected"]["status"]]


def _upload(buffer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("qr.png", buffer.getvalue(), content_type="image/png")


def test_a_picture_without_a_qr_code_is_a_clear_answer(trust, client):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 120), "white").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "empty.png"
    response = client.post(VERIFY_PAGE, {"image": buffer})
    assert response.status_code == 200
    assert "Er is geen QR-code gevonden" in response.content.decode()
    assert 'class="mz-verdict__word"' not in response.content.decode()


def test_a_file_that_is_not_a_picture_and_a_picture_with_too_many_pixels_are_refused(
    trust, client, monkeypatch
):
    not_a_picture = io.BytesIO(b"%PDF-1.4 not a picture")
    not_a_picture.name = "x.png"
    response = client.post(VERIFY_PAGE, {"image": not_a_picture})
    assert "geen afbeelding die we kunnen lezen" in response.content.decode()
    monkeypatch.setattr(scan, "MAX_PIXELS", 100)
    response = client.post(VERIFY_PAGE, {"image": png_of(VECTORS[0]["code"])})
    assert "te veel pixels" in response.content.decode()
    monkeypatch.setattr(scan, "MAX_UPLOAD_BYTES", 100)
    response = client.post(VERIFY_PAGE, {"image": png_of(VECTORS[0]["code"])})
    assert "groter dan" in response.content.decode()


def test_every_flipped_character_is_not_genuine_or_malformed_never_an_error(trust, client):
    code = VECTORS[0]["code"]
    seen = set()
    for position in range(len("MZ1:"), len(code)):
        replacement = "A" if code[position] != "A" else "B"
        broken = code[:position] + replacement + code[position + 1 :]
        response = api(client, {"code": broken})
        assert response.status_code == 200, position
        seen.add(response.json()["status"])
    assert seen <= {"not_genuine", "malformed"} and seen
    # and a flipped byte of the signed COSE structure, through the page
    cose = bytearray(cose_of(code))
    cose[len(cose) // 2] ^= 0x01
    page = client.post(VERIFY_PAGE, {"code": mz1_of(bytes(cose))})
    assert page.status_code == 200 and verdict(page) in (HEADLINES["not_genuine"], HEADLINES["malformed"])


@pytest.mark.parametrize("code", ["", "MZ1:", "x" * 10000, "MZ1:" + "Ω" * 50, "HC1:ABC", " MZ1:??"])
def test_codes_that_cannot_be_read_are_an_answer(code, trust, client):
    response = api(client, {"code": code})
    assert response.status_code == 200
    assert response.json()["status"] == "malformed"


@pytest.mark.parametrize(
    ("body", "field", "error"),
    [
        ("{not json", None, "invalid_json"),
        ("[]", None, "invalid_type"),
        ("{}", "code", "required"),
        ('{"code": 12}', "code", "invalid_type"),
        ('{"code": "MZ1:", "extra": 1}', "extra", "unknown_field"),
    ],
)
def test_a_body_that_is_not_a_code_request_is_the_shared_400(body, field, error, trust, client):
    response = client.post(VERIFY_API, body, content_type="application/json")
    assert response.status_code == 400
    assert {"field": field, "code": error} in [
        {"field": item["field"], "code": item["code"]} for item in response.json()["errors"]
    ]


def test_the_api_needs_no_csrf_token_and_no_account(trust):
    from django.test import Client

    response = api(Client(enforce_csrf_checks=True), {"code": VECTORS[0]["code"]})
    assert response.status_code == 200 and response.json()["status"] == "valid"


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from the schema
            counts[table] = cursor.fetchone()[0]
        return counts


def test_nothing_of_a_checked_code_is_stored_only_the_counters(trust, client, caplog):
    from mantelzorg.accounts.models import RateLimitCounter

    counters = {VerificationCount._meta.db_table, RateLimitCounter._meta.db_table}
    before = _row_counts()
    caplog.set_level("DEBUG")
    for vector in VECTORS:
        api(client, {"code": vector["code"]})
        client.post(VERIFY_PAGE, {"code": vector["code"]})
    client.post(VERIFY_PAGE, {"image": png_of(VECTORS[0]["code"])})
    after = _row_counts()
    changed = {table for table in after if after[table] != before.get(table)}
    assert changed <= counters, changed
    assert VerificationCount._meta.db_table in changed
    # no log record holds any part of a code
    for vector in VECTORS:
        assert not any(vector["code"][4:24] in record.getMessage() for record in caplog.records)
    assert all(model._meta.db_table in after for model in apps.get_models() if model._meta.managed)


def test_the_counter_counts_each_outcome_per_purpose_and_day(trust, client):
    for vector in VECTORS:
        api(client, {"code": vector["code"]})
    client.post(VERIFY_PAGE, {"code": VECTORS[0]["code"]})
    counts = {(row.purpose, row.outcome): row.count for row in VerificationCount.objects.all()}
    valid = sum(1 for vector in VECTORS if vector["expected"]["status"] == "valid")
    assert counts[("parking", "valid")] == 2  # the API and the page
    assert counts[("employer", "valid")] == 1
    assert sum(counts.values()) == len(VECTORS) + 1
    assert sum(c for (purpose, outcome), c in counts.items() if outcome == "valid") == valid + 1
    assert {purpose for purpose, outcome in counts if outcome != "valid"} == {""}


def test_the_key_set_urls_publish_the_test_keys(trust, client):
    jwks = client.get("/verklaring/sleutels.json")
    assert jwks.status_code == 200 and jwks["Content-Type"] == "application/jwk-set+json"
    assert all("d" not in key for key in jwks.json()["keys"])
    published = [key.to_dict() for key in keys.keyset_from_jwks(jwks.content)]
    assert published == [key.to_dict() for key in KEYSET]
    cose = client.get("/verklaring/sleutels.cbor")
    assert cose.status_code == 200 and cose["Content-Type"] == "application/cose-key-set"
    assert [key.to_dict() for key in keys.keyset_from_cose_key_set(cose.content)] == published
    assert cose.content == (TESTDATA / "keyset.cbor").read_bytes()
    assert "max-age=" in jwks["Cache-Control"]


@pytest.mark.parametrize("suffix", ["", ".cwt"])
def test_the_status_list_token_verifies_and_is_cached_for_its_ttl(suffix, trust, client):
    services.set_status(1, 77)
    response = client.get(f"/verklaring/status/1{suffix}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/statuslist+cwt"
    token = status_list.verify_token(response.content, KEYSET, NOW, f"{SITE}/verklaring/status/1")
    assert response["Cache-Control"] == f"public, max-age={token.ttl}"
    assert token.status(77) == status_list.INVALID
    assert token.status(2718) == status_list.INVALID  # the vectors' revoked code
    assert token.status(1187) == status_list.VALID
    assert client.get("/verklaring/status/2.cwt").status_code == 404


def test_setting_a_bit_revokes_a_code_at_once(trust, client):
    vector = VECTORS[0]
    assert api(client, {"code": vector["code"]}).json()["status"] == "valid"
    services.set_status(1, vector["expected"]["claims"]["status"]["idx"])
    assert api(client, {"code": vector["code"]}).json()["status"] == "revoked"
    assert StatusList.objects.get(pk=1).size == 2**12
    with pytest.raises(IndexError):
        services.set_status(1, 2**12)


def test_without_keys_the_trust_urls_and_the_api_say_unavailable(client, monkeypatch, settings, tmp_path):
    from mantelzorg.declaration import selectors

    monkeypatch.delenv(keys.ENV_FILE, raising=False)
    monkeypatch.delenv(keys.ENV_INLINE, raising=False)
    monkeypatch.setattr(selectors, "default_keyring_path", lambda: tmp_path / "none.json")
    assert client.get("/verklaring/sleutels.json").status_code == 503
    assert api(client, {"code": VECTORS[0]["code"]}).status_code == 503
    assert client.post(VERIFY_PAGE, {"code": VECTORS[0]["code"]}).status_code == 503


def test_the_api_is_rate_limited(trust, client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "declaration_verify": {"ip": (2, 3600)}}
    codes = [api(client, {"code": VECTORS[0]["code"]}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.post(VERIFY_PAGE, {"code": VECTORS[0]["code"]}).status_code == 429


# --- the confirming organisations ----------------------------------------------------------------


def test_the_organisations_list_publishes_support_centres_and_municipalities_only(trust, client):
    from mantelzorg.accounts.models import Organisation

    Organisation.objects.create(pk=5, name="Gemeente Utrecht", kind=Organisation.Kind.MUNICIPALITY)
    Organisation.objects.create(pk=6, name="Thuiszorg Voorbeeld", kind=Organisation.Kind.CARE_PROVIDER)
    Organisation.objects.create(pk=7, name="Welzijn Voorbeeld", kind=Organisation.Kind.WELFARE)
    response = client.get("/verklaring/organisaties.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=3600"
    body = response.json()
    assert body["organisations"] == [
        {"id": 5, "name": "Gemeente Utrecht", "kind": "municipality", "gemeenten": []},
        {
            "id": 17,
            "name": "Steunpunt Mantelzorg Voorbeeld",
            "kind": "support_centre",
            "gemeenten": ["GM0344"],
        },
    ]
    assert body["updated_at"] == "2026-12-02T12:00:00Z"
    assert client.head("/verklaring/organisaties.json").status_code == 200
    assert client.post("/verklaring/organisaties.json").status_code == 405


def test_the_shipped_organisations_file_is_what_the_site_publishes(trust, client):
    shipped = json.loads((TESTDATA / "organisaties.json").read_text())
    assert client.get("/verklaring/organisaties.json").json() == shipped


def code_confirmed_by(organisation_id: int) -> str:
    signer = vectors_keyring().active()
    claims = {"purpose": "parking", "level": "confirmed", "confirmed_by": organisation_id}
    claims["holder"] = {"initials": "JV", "birth_day": 14}
    return codec.encode(claims, signer.cose_key(), signer.kid, NOW - 60, NOW + 3600)


def test_an_organisation_id_outside_the_list_is_valid_and_shown_as_a_number(trust, client):
    from mantelzorg.accounts.models import Organisation

    Organisation.objects.create(pk=8, name="Thuiszorg Voorbeeld", kind=Organisation.Kind.CARE_PROVIDER)
    for number in (8, 999):  # not a confirming kind, no such organisation
        code = code_confirmed_by(number)
        body = api(client, {"code": code}).json()
        assert body["status"] == "valid" and body["claims"]["confirmed_by"] == number
        assert "confirmed_by_name" not in body["claims"]
        text = client.post(VERIFY_PAGE, {"code": code}).content.decode()
        assert f"organisatie nummer {number}" in text and "Thuiszorg" not in text
    named = api(client, {"code": code_confirmed_by(17)}).json()["claims"]
    assert named["confirmed_by_name"] == "Steunpunt Mantelzorg Voorbeeld"


def test_both_fields_of_the_verifier_form_say_once_that_they_are_optional(trust, client):
    from django.utils import translation

    text = client.get(VERIFY_PAGE).content.decode()
    assert text.count("(niet verplicht)") == 2
    for label in ("Tekst van de code", "Of een foto of schermafbeelding van de QR-code"):
        assert f'{label} <span class="mz-meta">(niet verplicht)</span></label>' in text
    with translation.override("en"):
        english = client.get(VERIFY_PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english.count("(optional)") == 2, english.count("(optional)")
