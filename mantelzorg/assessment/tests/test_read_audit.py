"""Read audits live in the selectors: each read of a saved check (history, FHIR export) writes
exactly one ``assessment.check.viewed`` row."""

import pytest

from mantelzorg.assessment.models import SavedCheck
from mantelzorg.assessment.tests import factories
from mantelzorg.core.models import LogEntry

pytestmark = pytest.mark.django_db


def _viewed():
    return LogEntry.objects.filter(action="assessment.check.viewed")


def test_each_read_of_the_history_is_audited_once(cast, login_as):
    factories.SavedCheckFactory(owner=cast.caregiver)
    client = login_as(cast.caregiver)
    for reads in (1, 2, 3):
        assert client.get("/balanscheck/mijn/").status_code == 200
        assert _viewed().count() == reads
        assert _viewed().filter(purpose="own history", subject_id=str(cast.caregiver.pk)).count() == reads


def test_an_anonymous_visitor_without_checks_reads_no_history_and_nothing_is_audited(client):
    assert client.get("/balanscheck/mijn/").status_code == 302
    assert not _viewed().exists()


def test_each_read_of_a_check_as_fhir_is_audited_once(cast, login_as):
    client = login_as(cast.caregiver)
    factories.walk(client, factories.overloaded(), postcode="1012")
    client.post("/balanscheck/bewaren/", {"action": "account"})
    check = SavedCheck.objects.get()
    before = _viewed().count()
    for reads in (1, 2):
        response = client.get(f"/api/v1/checks/{check.id}/fhir")
        assert response.status_code == 200 and response.json()["resourceType"] == "QuestionnaireResponse"
        assert _viewed().count() == before + reads
        assert _viewed().filter(object_id=str(check.id), purpose__endswith="(FHIR export)").count() == reads


def test_a_refused_fhir_read_is_audited_as_denied_once(cast, login_as):
    check = factories.SavedCheckFactory(owner=cast.caregiver)
    response = login_as(cast.other_caregiver).get(f"/api/v1/checks/{check.id}/fhir")
    assert response.status_code == 404
    assert _viewed().filter(object_id=str(check.id)).exclude(outcome="success").count() == 1
    assert not _viewed().filter(object_id=str(check.id), outcome="success").exists()
