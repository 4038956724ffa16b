"""Idempotent POSTs (core/idempotency.py), through the real pages that store something.

The Balanscheck's "save in my account" creates a new SavedCheck on every POST, which makes it
the sharpest witness: without a key two POSTs store two checks (the first test shows it)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import login
from mantelzorg.assessment import services as assessment_services
from mantelzorg.assessment.models import SavedCheck
from mantelzorg.assessment.tests import factories
from mantelzorg.core import personal_data
from mantelzorg.core.idempotency import FORM_FIELD, HEADER, REPLAYED_HEADER
from mantelzorg.core.models import IdempotencyKey

pytestmark = pytest.mark.django_db

SAVE = "/balanscheck/bewaren/"
KEY = "3f1d9a52-58a4-4d0e-9f0b-6c1e6f0f2a11"


def _ready_to_save(login_as, user):
    client = login_as(user)
    factories.walk(client, factories.overloaded(), postcode="1012")
    return client


def _save(client, key=KEY, **extra):
    data = {"action": "account", **({FORM_FIELD: key} if key else {}), **extra}
    return client.post(SAVE, data)


def test_without_a_key_every_post_stores_again(cast, login_as):
    client = _ready_to_save(login_as, cast.caregiver)
    _save(client, key=None)
    _save(client, key=None)
    assert SavedCheck.objects.filter(owner=cast.caregiver).count() == 2
    assert not IdempotencyKey.objects.exists()


def test_the_same_form_sent_twice_stores_once_and_answers_the_same(cast, login_as):
    client = _ready_to_save(login_as, cast.caregiver)
    first, second = _save(client), _save(client)
    check = SavedCheck.objects.get(owner=cast.caregiver)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/balanscheck/mijn/{check.id}/"
    assert REPLAYED_HEADER not in first and second[REPLAYED_HEADER] == "true"
    assert "no-store" in second["Cache-Control"]  # a stored answer is personal
    assert client.get(second["Location"]).status_code == 200


def test_the_header_works_as_the_form_field_does_quoted_or_not(cast, login_as):
    client = _ready_to_save(login_as, cast.caregiver)
    plain = client.post(SAVE, {"action": "account"}, headers={HEADER: KEY})
    quoted = client.post(SAVE, {"action": "account"}, headers={HEADER: f'"{KEY}"'})
    assert plain["Location"] == quoted["Location"] and quoted[REPLAYED_HEADER] == "true"
    assert SavedCheck.objects.filter(owner=cast.caregiver).count() == 1


def test_a_new_key_stores_again(cast, login_as):
    client = _ready_to_save(login_as, cast.caregiver)
    _save(client, key=KEY)
    _save(client, key=KEY.replace("3f1d", "4f1d"))
    assert SavedCheck.objects.filter(owner=cast.caregiver).count() == 2


def test_a_key_reused_with_another_body_is_refused_and_stores_nothing(cast, login_as):
    client = _ready_to_save(login_as, cast.caregiver)
    _save(client)
    page = _save(client, vragenlijst="")  # one more field: another request
    assert page.status_code == 422 and page["Content-Type"].startswith("text/html")
    assert "al verstuurd" in page.content.decode()
    api = client.post(SAVE, {"action": "email", "email": "x@example.org"}, headers={HEADER: KEY})
    assert api.status_code == 422 and api.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert SavedCheck.objects.count() == 1


def test_keys_belong_to_their_owner(cast, login_as):
    alice = _ready_to_save(login_as, cast.caregiver)
    bob = _ready_to_save(lambda user: login(Client(), user), cast.other_caregiver)
    first, other = _save(alice), _save(bob)
    assert REPLAYED_HEADER not in other
    assert first["Location"] != other["Location"]
    assert SavedCheck.objects.filter(owner=cast.caregiver).count() == 1
    assert SavedCheck.objects.filter(owner=cast.other_caregiver).count() == 1


def test_an_anonymous_visitor_is_told_apart_by_session(client):
    factories.walk(client, factories.overloaded(), postcode="1012")
    other = Client()
    factories.walk(other, factories.overloaded(), postcode="1012")
    for visitor in (client, other):
        visitor.post("/balanscheck/uitslag/bijdragen/", {"consent": "yes", FORM_FIELD: KEY})
    owners = set(IdempotencyKey.objects.values_list("owner", flat=True))
    assert len(owners) == 2 and all(re.fullmatch(r"session:[0-9a-f]{40}", o) for o in owners)
    assert client.session.session_key not in str(owners)  # the table never holds a session id


def test_keys_expire_after_24_hours(cast, login_as):
    client = _ready_to_save(login_as, cast.caregiver)
    _save(client)
    IdempotencyKey.objects.update(
        created_at=IdempotencyKey.objects.get().created_at - dt.timedelta(hours=24, seconds=1)
    )
    again = _save(client)
    assert REPLAYED_HEADER not in again
    assert SavedCheck.objects.filter(owner=cast.caregiver).count() == 2
    assert IdempotencyKey.objects.count() == 1  # the expired row is gone


def test_a_post_deletes_keys_only_when_one_has_expired(cast, login_as):
    """The sweep looks before it deletes: on SQLite a DELETE, even of no row, is one more wait for
    the single write lock, and in a burst of parallel POSTs such a wait ran past the busy timeout
    (network/tests/test_claim_concurrency.py)."""
    client = _ready_to_save(login_as, cast.caregiver)
    sweep = 'DELETE FROM "core_idempotencykey"'
    with CaptureQueriesContext(connection) as fresh:
        _save(client)
    assert not [q for q in fresh.captured_queries if q["sql"].startswith(sweep)]
    IdempotencyKey.objects.update(created_at=F("created_at") - dt.timedelta(hours=24, seconds=1))
    with CaptureQueriesContext(connection) as expired:
        _save(client, key="0b8e6a1c-2f4d-4a7e-9c3b-5d6e7f8a9b0c")
    assert [q for q in expired.captured_queries if q["sql"].startswith(sweep)]
    assert IdempotencyKey.objects.count() == 1


def test_a_failure_keeps_nothing_so_a_retry_runs_again(cast, login_as, monkeypatch):
    client = _ready_to_save(login_as, cast.caregiver)
    real = assessment_services.check_save

    def fail_once(**kwargs):
        monkeypatch.setattr(assessment_services, "check_save", real)
        real(**kwargs)  # stores, then fails: the whole transaction must go
        raise RuntimeError("a deliberate failure")

    monkeypatch.setattr(assessment_services, "check_save", fail_once)
    client.raise_request_exception = False
    assert _save(client).status_code == 500
    assert not SavedCheck.objects.exists() and not IdempotencyKey.objects.exists()
    retry = _save(client)
    assert retry.status_code == 302 and REPLAYED_HEADER not in retry
    assert SavedCheck.objects.count() == 1


@pytest.mark.parametrize("key", ["short", "x" * 256, "with space inside the key"])
def test_a_malformed_key_is_refused(cast, login_as, key):
    client = _ready_to_save(login_as, cast.caregiver)
    response = client.post(SAVE, {"action": "account"}, headers={HEADER: key})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": HEADER,
        "code": "invalid_idempotency_key",
        "message": "The Idempotency-Key must be 16 to 255 visible characters.",
    }
    assert not SavedCheck.objects.exists()


def test_every_rendering_of_a_form_carries_a_fresh_key(cast, login_as):
    client = _ready_to_save(login_as, cast.caregiver)
    keys = [
        re.findall(rf'name="{FORM_FIELD}" value="([0-9a-f-]{{36}})"', client.get(SAVE).content.decode())
        for _ in range(2)
    ]
    assert keys[0] and keys[1] and not set(keys[0]) & set(keys[1])


def test_stored_answers_are_personal_data(cast, login_as):
    client = _ready_to_save(login_as, cast.caregiver)
    _save(client)
    exported = personal_data.export(cast.caregiver)["apps"]["core"]
    assert [row["path"] for row in exported["stored_responses"]] == [SAVE]
    personal_data.erase(cast.caregiver)
    assert not IdempotencyKey.objects.exists()
