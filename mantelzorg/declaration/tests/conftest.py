"""The relying party's trust material in tests: the TEST ONLY keyring of the shipped vectors
(derived from the published seed in scripts/declaration_vectors.py), our site at the vectors' base
and status list 1 with the vectors' revoked bit, the confirming organisation of the vectors
(testdata/organisaties.json) and its gemeente, the clock at the vectors' ``now``."""

import json
from pathlib import Path

import pytest

from mantelzorg.accounts.models import Organisation
from mantelzorg.core.models import Municipality
from mantelzorg.declaration import keys, selectors, status_list
from mantelzorg.declaration.models import StatusList

from .helpers import vectors_keyring

ROOT = Path(__file__).resolve().parents[3]
TESTDATA = ROOT / "mantelzorg" / "declaration" / "testdata"
DOCUMENT = json.loads((TESTDATA / "vectors.json").read_text())
VECTORS = DOCUMENT["vectors"]
NOW = VECTORS[0]["now"]
SITE = DOCUMENT["base"]
ORGANISATIONS = json.loads((TESTDATA / "organisaties.json").read_text())["organisations"]


@pytest.fixture
def trust(monkeypatch, settings, db):
    """Keys, site, status list 1 (as testdata/status_list.cwt), the organisations and the clock of
    the vectors."""
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
    utrecht = Municipality.objects.get_or_create(
        code="GM0344",
        defaults=dict(
            name="Utrecht",
            name_everyday="Utrecht",
            province_code="PV26",
            province_name="Utrecht",
            population=374238,
            lat=52.09,
            lon=5.12,
        ),
    )[0]
    for entry in ORGANISATIONS:
        organisation = Organisation.objects.create(pk=entry["id"], name=entry["name"], kind=entry["kind"])
        assert entry["gemeenten"] == ["GM0344"]
        organisation.municipalities.add(utrecht)
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


@pytest.fixture(scope="session", autouse=True)
def _ids_clear_of_the_vectors(django_db_setup, django_db_blocker):
    """The vectors name organisation 17 and status list 1, and some tests make organisations 5 to
    8: rows made with those ids. On PostgreSQL a sequence does not roll back with a test, so after
    a few tests a row made by the cast would get one of those ids. Start the sequences at 1000."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table in ("accounts_organisation", "declaration_statuslist"):
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(1000, "
                    f"(SELECT COALESCE(MAX(id), 0) FROM {table})))",  # nosec B608: our own table names
                    [table],
                )
