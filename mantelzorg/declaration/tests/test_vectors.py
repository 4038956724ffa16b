"""The shipped test vectors (mantelzorg/declaration/testdata/): the codec, the reference verifier
for relying parties (scripts/mz1_verify.py), the verifier page and the API give the same outcome
for every case."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mantelzorg.declaration import codec, keys, status_list

from .helpers import cose_of, mz1_of

ROOT = Path(__file__).resolve().parents[3]
TESTDATA = ROOT / "mantelzorg" / "declaration" / "testdata"
VERIFIER = ROOT / "scripts" / "mz1_verify.py"
DOCUMENT = json.loads((TESTDATA / "vectors.json").read_text())
VECTORS = DOCUMENT["vectors"]
KEYSET = keys.keyset_from_jwks((TESTDATA / "keyset.json").read_text())
REQUIRED = {"valid_parking", "expired", "revoked", "wrong_key", "tampered", "wrong_prefix", "exp_too_far"}
BASE = DOCUMENT["base"]
ORGANISATIONS = TESTDATA / "organisaties.json"
VERIFY_API = "/api/v1/declarations/verify/"
VERIFY_PAGE = "/verklaring/controleren/"
HEADLINES = {
    "valid": "Geldig",
    "expired": "Verlopen",
    "revoked": "Ingetrokken",
    "not_genuine": "Niet echt",
    "malformed": "Onleesbaar",
}


def status_for(vector):
    if not vector["use_status_list"]:
        return None
    return status_list.verify_token((TESTDATA / "status_list.cwt").read_bytes(), KEYSET, vector["now"])


def test_every_case_the_issue_lists_is_shipped_with_its_outcome():
    by_name = {vector["name"]: vector["expected"]["status"] for vector in VECTORS}
    assert REQUIRED <= set(by_name)
    assert set(by_name.values()) == set(codec.OUTCOMES)
    assert DOCUMENT["note"].startswith("TEST ONLY")
    assert json.loads((TESTDATA / "keyset.json").read_text())["mz_note"].startswith("TEST ONLY")


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_the_codec_gives_each_vector_its_outcome(vector):
    result = codec.decode(vector["code"], KEYSET, vector["now"], status_for(vector))
    assert result.status == vector["expected"]["status"]
    assert result.claims == vector["expected"].get("claims")


def test_the_cose_key_set_and_the_jwks_hold_the_same_keys():
    cose = keys.keyset_from_cose_key_set((TESTDATA / "keyset.cbor").read_bytes())
    assert [key.to_dict() for key in cose] == [key.to_dict() for key in KEYSET]


def test_the_revoked_vector_is_only_revoked_by_the_status_list():
    vector = next(vector for vector in VECTORS if vector["name"] == "revoked")
    without = codec.decode(vector["code"], KEYSET, vector["now"])
    assert (without.status, without.status_checked) == (codec.VALID, False)


def test_the_valid_vectors_are_valid_from_28_days_before_exp_until_exp():
    for vector in VECTORS:
        if vector["expected"]["status"] == codec.VALID:
            exp = codec.decode(vector["code"], KEYSET, vector["now"]).expires_at
            earliest = exp - codec.MAX_VALIDITY_SECONDS
            assert codec.decode(vector["code"], KEYSET, earliest - 1).status == codec.MALFORMED
            assert codec.decode(vector["code"], KEYSET, earliest).status == codec.VALID
            assert codec.decode(vector["code"], KEYSET, exp - 1).status == codec.VALID
            assert codec.decode(vector["code"], KEYSET, exp).status == codec.EXPIRED


def test_the_exp_too_far_vector_is_genuine_and_valid_once_within_28_days_of_its_exp():
    vector = next(vector for vector in VECTORS if vector["name"] == "exp_too_far")
    assert vector["expected"]["status"] == codec.MALFORMED
    later = vector["now"] + 2 * 86400
    assert codec.decode(vector["code"], KEYSET, later).status == codec.VALID
    verifier = load_reference_verifier()
    keyset = verifier.load_keys(str(TESTDATA / "keyset.json"))
    assert verifier.verify(vector["code"], keyset, vector["now"])["status"] == "malformed"
    assert verifier.verify(vector["code"], keyset, later)["status"] == "valid"


def test_a_fresh_run_of_the_script_gives_the_same_cases_outcomes_and_claims(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "declaration_vectors.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    fresh = json.loads((tmp_path / "vectors.json").read_text())["vectors"]
    summary = [(v["name"], v["now"], v["expected"]) for v in fresh]
    assert summary == [(v["name"], v["now"], v["expected"]) for v in VECTORS]
    assert (tmp_path / "keyset.json").read_text() == (TESTDATA / "keyset.json").read_text()
    assert (tmp_path / "keyset.cbor").read_bytes() == (TESTDATA / "keyset.cbor").read_bytes()
    assert (tmp_path / "organisaties.json").read_text() == ORGANISATIONS.read_text()


# --- the reference verifier ---------------------------------------------------------------------


def run_verifier(*args):
    completed = subprocess.run(
        [sys.executable, str(VERIFIER), "--json", *args], capture_output=True, text=True, timeout=60
    )
    return completed.returncode, completed.stdout, completed.stderr


def verifier_arguments(vector, keyset_file="keyset.json"):
    status_args = ["--status", str(TESTDATA / "status_list.cwt")] if vector["use_status_list"] else []
    return ["--keys", str(TESTDATA / keyset_file), *status_args, "--now", str(vector["now"]), vector["code"]]


def assert_same_outcome(vector, returncode, stdout):
    result = json.loads(stdout)
    expected = codec.decode(vector["code"], KEYSET, vector["now"], status_for(vector))
    assert result["status"] == expected.status == vector["expected"]["status"]
    assert result.get("claims") == expected.claims
    assert result["status_checked"] == expected.status_checked
    assert returncode == (0 if expected.valid else 1)


@pytest.mark.parametrize("keyset_file", ["keyset.json", "keyset.cbor"])
@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_the_reference_verifier_gives_each_vector_the_codecs_outcome(vector, keyset_file, capsys):
    # in this process (fast); the command itself runs in the test below
    returncode = load_reference_verifier().main(["--json", *verifier_arguments(vector, keyset_file)])
    assert_same_outcome(vector, returncode, capsys.readouterr().out)


@pytest.mark.parametrize("name", ["valid_parking", "revoked", "tampered"])
def test_the_reference_verifier_runs_as_one_command(name):
    vector = next(vector for vector in VECTORS if vector["name"] == name)
    returncode, stdout, stderr = run_verifier(*verifier_arguments(vector))
    assert_same_outcome(vector, returncode, stdout)


def test_the_reference_verifier_takes_iso_times_and_the_code_on_standard_input():
    vector = VECTORS[0]
    completed = subprocess.run(
        [
            sys.executable,
            str(VERIFIER),
            "--keys",
            str(TESTDATA / "keyset.json"),
            "--now",
            vector["now_iso"],
            "-",
        ],
        input=vector["code"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("valid")
    assert "revocation not checked" in completed.stdout


def test_the_reference_verifier_derives_the_status_uri_from_base_and_shows_the_organisation_name():
    vector = next(vector for vector in VECTORS if vector["name"] == "valid_parking")
    returncode, stdout, _ = run_verifier(
        *verifier_arguments(vector)[:-1],
        "--base",
        BASE,
        "--organisations",
        str(ORGANISATIONS),
        vector["code"],
    )
    result = json.loads(stdout)
    assert returncode == 0 and result["status_checked"] is True
    assert result["status_uri"] == f"{BASE}/verklaring/status/1"
    assert result["claims"]["confirmed_by"] == 17
    assert result["claims"]["confirmed_by_name"] == "Steunpunt Mantelzorg Voorbeeld"
    completed = subprocess.run(
        [sys.executable, str(VERIFIER), "--keys", str(TESTDATA / "keyset.json"), "--now", str(vector["now"])]
        + ["--base", BASE, "--organisations", str(ORGANISATIONS), vector["code"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "confirmed_by: organisation 17 (Steunpunt Mantelzorg Voorbeeld)" in completed.stdout
    assert f"status list: {BASE}/verklaring/status/1" in completed.stdout


def test_the_reference_verifier_uses_no_status_list_of_another_site():
    vector = next(vector for vector in VECTORS if vector["name"] == "revoked")
    verifier = load_reference_verifier()
    keyset = verifier.load_keys(str(TESTDATA / "keyset.json"))
    status = verifier.load_status_list(str(TESTDATA / "status_list.cwt"), keyset, vector["now"])
    assert verifier.verify(vector["code"], keyset, vector["now"], status)["status"] == "revoked"
    assert verifier.verify(vector["code"], keyset, vector["now"], status, BASE)["status"] == "revoked"
    elsewhere = verifier.verify(vector["code"], keyset, vector["now"], status, "https://other.example")
    assert (elsewhere["status"], elsewhere["status_checked"]) == ("valid", False)


def test_the_reference_verifier_refuses_an_expired_status_list():
    vector = next(vector for vector in VECTORS if vector["name"] == "revoked")
    token = status_list.verify_token((TESTDATA / "status_list.cwt").read_bytes(), KEYSET, vector["now"])
    returncode, _, stderr = run_verifier(
        "--keys",
        str(TESTDATA / "keyset.json"),
        "--status",
        str(TESTDATA / "status_list.cwt"),
        "--now",
        str(token.expires_at),
        vector["code"],
    )
    assert returncode == 2 and "expired" in stderr


def test_the_reference_verifier_imports_only_the_standard_library_and_the_codec_libraries():
    tree = ast.parse(VERIFIER.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names)
    assert third_party == {"base45", "cbor2", "cwt"}


def load_reference_verifier():
    import importlib.util

    spec = importlib.util.spec_from_file_location("mz1_verify", VERIFIER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_both_verifiers_agree_on_every_flipped_byte_of_a_vector():
    verifier = load_reference_verifier()
    vector = VECTORS[0]
    keyset = verifier.load_keys(str(TESTDATA / "keyset.json"))
    cose = cose_of(vector["code"])
    for position in range(len(cose)):
        for mask in (0x01, 0xFF):
            broken = bytearray(cose)
            broken[position] ^= mask
            code = mz1_of(bytes(broken))
            ours = codec.decode(code, KEYSET, vector["now"])
            theirs = verifier.verify(code, keyset, vector["now"])
            assert theirs["status"] == ours.status, (position, mask, ours.reason, theirs["reason"])
            assert ours.status in (codec.NOT_GENUINE, codec.MALFORMED)


# --- the verifier page and the API --------------------------------------------------------------


def visible(response) -> str:
    """The page without its script blocks."""
    return re.sub(r"<script\b.*?</script>", "", response.content.decode(), flags=re.S)


def verdict(response) -> str:
    """The big word at the top of the verifier page."""
    html = response.content.decode()
    start = html.index('class="mz-verdict__word"')
    return html[html.index(">", start) + 1 : html.index("</h1>", start)].strip()


@pytest.mark.django_db
@pytest.mark.parametrize("vector", VECTORS, ids=[vector["name"] for vector in VECTORS])
def test_every_vector_has_one_outcome_in_the_api_the_page_the_codec_and_the_reference_verifier(
    vector, trust, client, capsys
):
    expected = vector["expected"]
    ours = codec.decode(vector["code"], KEYSET, vector["now"], status_for(vector))
    assert ours.status == expected["status"] and ours.claims == expected.get("claims")
    verifier = load_reference_verifier()
    arguments = [
        "--json",
        *verifier_arguments(vector)[:-1],
        "--base",
        BASE,
        "--organisations",
        str(ORGANISATIONS),
    ]
    verifier.main([*arguments, vector["code"]])
    theirs = json.loads(capsys.readouterr().out)
    named = dict(expected.get("claims") or {})
    if "confirmed_by" in named:
        named["confirmed_by_name"] = "Steunpunt Mantelzorg Voorbeeld"
    assert (theirs["status"], theirs.get("claims")) == (expected["status"], named or None)

    response = client.post(VERIFY_API, json.dumps({"code": vector["code"]}), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == expected["status"]
    assert body.get("claims") == (named or None)
    assert body["status_checked"] is (expected["status"] in ("valid", "revoked")) is theirs["status_checked"]

    page = client.post(VERIFY_PAGE, {"code": vector["code"]})
    assert page.status_code == 200
    assert verdict(page) == HEADLINES[expected["status"]]
    text = visible(page)  # the offline verifier's words are in a JSON script block of every page
    if expected["status"] == "valid":
        assert expected["claims"]["holder"]["initials"] in text
        assert "Vergelijk met een identiteitsbewijs" in text
    else:
        assert "Vergelijk met een identiteitsbewijs" not in text
    if "gemeente" in named:
        assert "Utrecht (GM0344)" in text
    if "confirmed_by" in named:
        assert "Bevestigd door Steunpunt Mantelzorg Voorbeeld" in text
