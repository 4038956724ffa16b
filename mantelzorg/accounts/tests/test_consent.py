"""Consent: explicit, specific, time-limited if wanted, audited, and revoked from the next request."""

import datetime as dt

import pytest
from django.utils import timezone

from mantelzorg.accounts import consent, services
from mantelzorg.accounts.models import ConsentRecord
from mantelzorg.accounts.selectors import consent_is_active
from mantelzorg.assessment.apps import BALANCE_HISTORY, FOLLOW_UP
from mantelzorg.assessment.tests import factories
from mantelzorg.core.models import LogEntry

pytestmark = pytest.mark.django_db


def grant(cast, **extra):
    return services.consent_grant(
        request=None,
        grantor=cast.other_caregiver,
        grantee=cast.professional,
        scope=BALANCE_HISTORY,
        purpose=FOLLOW_UP,
        **extra,
    )


def test_the_assessment_app_registers_its_scope():
    scope = consent.get(BALANCE_HISTORY)
    assert scope.app == "assessment" and scope.purposes == (FOLLOW_UP,)
    assert str(scope.label) and str(scope.description)


def test_granting_is_audited_and_active_at_once(cast):
    record = grant(cast)
    assert consent_is_active(grantor=cast.other_caregiver, grantee=cast.professional, scope=BALANCE_HISTORY)
    assert consent_is_active(
        grantor=cast.other_caregiver, grantee=cast.professional, scope=BALANCE_HISTORY, purpose=FOLLOW_UP
    )
    assert not consent_is_active(
        grantor=cast.other_caregiver, grantee=cast.professional, scope=BALANCE_HISTORY, purpose="research"
    )
    row = LogEntry.objects.get(action="accounts.consent.granted")
    assert row.object_id == str(record.pk) and row.subject_id == str(cast.other_caregiver.pk)


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"scope": "everything"}, "unknown consent scope"),
        ({"purpose": "marketing"}, "purpose"),
        ({"grantee": "network_member"}, "cannot receive"),
        ({"valid_until": "past"}, "past"),
    ],
)
def test_a_consent_that_does_not_fit_its_scope_is_refused(cast, change, problem):
    values = {
        "grantee": cast.professional,
        "scope": BALANCE_HISTORY,
        "purpose": FOLLOW_UP,
        "valid_until": None,
    }
    if change.get("grantee"):
        change = {"grantee": getattr(cast, change["grantee"])}
    if change.get("valid_until") == "past":
        change = {"valid_until": timezone.now() - dt.timedelta(minutes=1)}
    values.update(change)
    with pytest.raises(services.ConsentError, match=problem):
        services.consent_grant(request=None, grantor=cast.other_caregiver, **values)
    assert not ConsentRecord.objects.filter(grantor=cast.other_caregiver).exists()


def test_a_consent_ends_by_itself_at_its_end(cast):
    record = grant(cast, valid_until=timezone.now() + dt.timedelta(days=30))
    assert record.is_active()
    ConsentRecord.objects.filter(pk=record.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    assert not consent_is_active(
        grantor=cast.other_caregiver, grantee=cast.professional, scope=BALANCE_HISTORY
    )


def test_revoking_on_the_page_refuses_the_very_next_request(cast, login_as, client):
    """Quality bar 2: the professional reads the check, the caregiver revokes, the next read is 404."""
    from django.test import Client

    from conftest import login

    record = grant(cast)
    check = factories.SavedCheckFactory(owner=cast.other_caregiver)
    professional = login(Client(), cast.professional)
    assert professional.get(f"/balanscheck/mijn/{check.id}/").status_code == 200
    caregiver = login_as(cast.other_caregiver)
    page = caregiver.get("/account/toestemmingen/").content.decode()
    assert "Mijn bewaarde balanschecks" in page and f"/account/toestemmingen/{record.pk}/intrekken/" in page
    response = caregiver.post(f"/account/toestemmingen/{record.pk}/intrekken/")
    assert response.status_code == 302
    assert professional.get(f"/balanscheck/mijn/{check.id}/").status_code == 404
    assert LogEntry.objects.filter(action="accounts.consent.revoked", object_id=str(record.pk)).count() == 1
    assert "Je hebt deze toestemming ingetrokken" in caregiver.get("/account/toestemmingen/").content.decode()


def test_nobody_else_sees_or_revokes_a_consent(cast, login_as):
    record = grant(cast)
    for who in ("caregiver", "professional", "staff", "admin"):
        client = login_as(getattr(cast, who))
        assert f"/toestemmingen/{record.pk}/" not in client.get("/account/toestemmingen/").content.decode(), (
            who
        )
        assert client.post(f"/account/toestemmingen/{record.pk}/intrekken/").status_code == 404, who
    assert ConsentRecord.objects.get(pk=record.pk).revoked_at is None


def test_the_consent_page_needs_a_login(client):
    response = client.get("/account/toestemmingen/")
    assert response.status_code == 302 and "/account/inloggen/" in response["Location"]


def test_the_admin_records_and_revokes_consent_through_the_services_never_edits_or_deletes(cast, login_as):
    client = login_as(cast.admin)
    response = client.post(
        "/beheer/accounts/consentrecord/add/",
        {
            "grantor": cast.other_caregiver.pk,
            "grantee": cast.professional.pk,
            "scope": BALANCE_HISTORY,
            "purpose": FOLLOW_UP,
            "valid_until_0": "",
            "valid_until_1": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = ConsentRecord.objects.get(grantor=cast.other_caregiver)
    assert LogEntry.objects.filter(action="accounts.consent.granted", object_id=str(record.pk)).exists()
    refused = client.post(
        "/beheer/accounts/consentrecord/add/",
        {
            "grantor": cast.other_caregiver.pk,
            "grantee": cast.editor.pk,
            "scope": BALANCE_HISTORY,
            "purpose": FOLLOW_UP,
        },
    )
    assert refused.status_code == 200 and "cannot receive" in refused.content.decode()
    client.post(
        "/beheer/accounts/consentrecord/",
        {"action": "revoke", "_selected_action": [record.pk]},
    )
    assert ConsentRecord.objects.get(pk=record.pk).revoked_at is not None
    assert LogEntry.objects.filter(action="accounts.consent.revoked", object_id=str(record.pk)).exists()
    assert (
        client.post(f"/beheer/accounts/consentrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert ConsentRecord.objects.filter(pk=record.pk).exists()
