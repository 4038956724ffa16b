"""Who may see a saved check: the owner; a professional with active consent (read only); nobody else (404)."""

import pytest
from django.utils import timezone

from conftest import CAST_NAMES
from mantelzorg.accounts.models import ConsentRecord
from mantelzorg.assessment.models import SavedCheck
from mantelzorg.assessment.tests import factories
from mantelzorg.core.models import LogEntry

pytestmark = pytest.mark.django_db

READ = ["/balanscheck/mijn/{id}/", "/balanscheck/mijn/{id}/pdf/"]
OWNER_ONLY = ["/balanscheck/mijn/{id}/verwijderen/", "/api/v1/checks/{id}/fhir"]

CAN_READ = {"caregiver", "professional"}
OUTSIDERS = [who for who in CAST_NAMES if who not in CAN_READ]


@pytest.fixture
def check(cast):
    return factories.SavedCheckFactory(owner=cast.caregiver)


@pytest.mark.parametrize("who", ["caregiver", "professional", *OUTSIDERS])
@pytest.mark.parametrize("url", READ)
def test_read_access(cast, login_as, check, who, url):
    client = login_as(getattr(cast, who))
    response = client.get(url.format(id=check.id))
    assert response.status_code == (200 if who in CAN_READ else 404)
    outcome = "success" if who in CAN_READ else "denied"
    assert LogEntry.objects.filter(
        action="assessment.check.viewed", object_id=str(check.id), outcome=outcome
    ).exists()


@pytest.mark.parametrize("who", ["professional", *OUTSIDERS])
@pytest.mark.parametrize("url", OWNER_ONLY)
def test_only_the_owner_manages_or_exports(cast, login_as, check, who, url):
    client = login_as(getattr(cast, who))
    assert client.get(url.format(id=check.id)).status_code == 404
    assert client.post(OWNER_ONLY[0].format(id=check.id)).status_code == 404
    assert SavedCheck.objects.filter(pk=check.pk).exists()


def test_owner_manages_and_exports(cast, login_as, check):
    client = login_as(cast.caregiver)
    for url in OWNER_ONLY:
        assert client.get(url.format(id=check.id)).status_code == 200


def test_professional_sees_check_with_consent_and_audit_names_the_basis(cast, login_as, check):
    login_as(cast.professional).get(f"/balanscheck/mijn/{check.id}/")
    entry = LogEntry.objects.filter(action="assessment.check.viewed", outcome="success").latest("created_at")
    assert entry.actor_id == str(cast.professional.pk) and entry.subject_id == str(cast.caregiver.pk)
    assert "consent" in entry.purpose


def test_revoked_consent_is_effective_on_the_next_request(cast, login_as, check):
    client = login_as(cast.professional)
    assert client.get(f"/balanscheck/mijn/{check.id}/").status_code == 200
    ConsentRecord.objects.filter(grantor=cast.caregiver, grantee=cast.professional).update(
        revoked_at=timezone.now()
    )
    assert client.get(f"/balanscheck/mijn/{check.id}/").status_code == 404


def test_history_lists_only_own_checks(cast, login_as, check):
    factories.SavedCheckFactory(owner=cast.other_caregiver, level="overloaded")
    html = login_as(cast.other_caregiver).get("/balanscheck/mijn/").content.decode()
    assert str(check.id) not in html


def test_anonymous_history_sends_to_login(client):
    response = client.get("/balanscheck/mijn/")
    assert response.status_code == 302 and response["Location"].startswith("/account/inloggen/")


def test_unknown_check_is_404(cast, login_as):
    import uuid

    assert login_as(cast.caregiver).get(f"/balanscheck/mijn/{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize(
    "who, status", [("staff", 200), ("other_staff", 404), ("caregiver", 404), ("anonymous", 302)]
)
def test_thresholds_page_for_that_gemeentes_staff_only(cast, login_as, who, status):
    client = login_as(getattr(cast, who))
    response = client.get("/balanscheck/gemeente/GM0363/drempels/")
    assert response.status_code == status


def test_staff_sets_local_thresholds(cast, login_as):
    from mantelzorg.assessment.models import LocalThresholds

    client = login_as(cast.staff)
    response = client.post(
        "/balanscheck/gemeente/GM0363/drempels/", {"t_burden_heavy": "6", "note": "Raadsbesluit"}
    )
    assert response.status_code == 302
    assert LocalThresholds.objects.get(municipality_id="GM0363").overrides == {"burden_heavy": 6}
