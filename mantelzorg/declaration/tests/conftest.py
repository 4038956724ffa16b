"""The relying party's trust material in tests: the TEST ONLY keyring of the shipped vectors
(derived from the published seed in scripts/declaration_vectors.py), our site at the vectors' uri
and status list 1 with the vectors' revoked bit, the clock at the vectors' ``now``."""

import json
from pathlib import Path

import pytest

from mantelzorg.declaration import keys, selectors, status_list
from mantelzorg.declaration.models import StatusList

from .helpers import vectors_keyring

ROOT = Path(__file__).resolve().parents[3]
TESTDATA = ROOT / "mantelzorg" / "declaration" / "testdata"
DOCUMENT = json.loads((TESTDATA / "vectors.json").read_text())
VECTORS = DOCUMENT["vectors"]
NOW = VECTORS[0]["now"]
SITE = "https://mantelzorg.example"


@pytest.fixture
def trust(monkeypatch, settings, db):
    """Keys, site, status list 1 (as testdata/status_list.cwt) and the clock of the vectors."""
    monkeypatch.delenv(keys.ENV_FILE, raising=False)
    monkeypatch.setenv(keys.ENV_INLINE, vectors_keyring().to_json())
    settings.SITE_URL = SITE
    monkeypatch.setattr(selectors, "now", lambda: NOW)
    shipped = status_list.verify_token(
        (TESTDATA / "status_list.cwt").read_bytes(),
        keys.keyset_from_jwks((TESTDATA / "keyset.json").read_text()),
        NOW,
    )
    assert shipped.uri == f"{SITE}/verklaring/status/1"
    row = StatusList.objects.create(pk=1, bits=shipped.lst, size=shipped.size)
    return row


@pytest.fixture
def signing(monkeypatch, settings, db):
    """A fresh signing keyring (the caregiver's side signs codes), our site, the real clock."""
    monkeypatch.delenv(keys.ENV_FILE, raising=False)
    monkeypatch.setenv(keys.ENV_INLINE, keys.Keyring((keys.generate_key(),)).to_json())
    settings.SITE_URL = SITE
    return selectors.keyring()


@pytest.fixture
def issuer(cast):
    """The cast's steunpunt (Amsterdam) confirms declarations, for 6 months; its consultant is
    ``cast.professional`` (added to the organisation here)."""
    from mantelzorg.declaration.models import Issuer

    cast.professional.organisations.add(cast.organisation)
    return Issuer.objects.create(organisation=cast.organisation, validity_months=6)
