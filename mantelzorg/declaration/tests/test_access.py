"""Who reaches the relying party's side of MZ1: everyone, signed in or not, with the same answer.
These routes hold no record of a person: the public trust material and a verifier that stores
nothing (test_verify.py proves no row is written).

Routes checked (for the route matrix): /verklaring/controleren/ /verklaring/controleren/sw.js
/verklaring/sleutels.json /verklaring/sleutels.cbor /verklaring/status/ /api/v1/declarations/verify/
"""

import json

import pytest

from conftest import CAST_NAMES
from mantelzorg.core.models import LogEntry

from .conftest import VECTORS

pytestmark = pytest.mark.django_db

GETS = [
    "/verklaring/controleren/",
    "/verklaring/controleren/sw.js",
    "/verklaring/sleutels.json",
    "/verklaring/sleutels.cbor",
    "/verklaring/status/1",
    "/verklaring/status/1.cwt",
    "/verklaring/organisaties.json",
]


@pytest.mark.parametrize("who", [None, *CAST_NAMES])
def test_everyone_gets_the_same_public_answer_and_no_audit_row(who, trust, cast, client, login_as):
    if who:
        login_as(getattr(cast, who))
    before = LogEntry.objects.count()
    for url in GETS:
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/api/v1/declarations/verify/",
        json.dumps({"code": VECTORS[0]["code"]}),
        content_type="application/json",
    )
    assert response.json()["status"] == "valid"
    assert client.post("/verklaring/controleren/", {"code": VECTORS[0]["code"]}).status_code == 200
    assert LogEntry.objects.count() == before
