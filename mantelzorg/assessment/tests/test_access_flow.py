"""The anonymous check and its result pages with the cast: open for everyone, but each visitor
only ever sees the answers in their own session; pages of one's own history need a login."""

import pytest

from conftest import CAST_NAMES

pytestmark = pytest.mark.django_db

CAST = CAST_NAMES
OPEN = [
    "/balanscheck/",
    "/balanscheck/stap/1/",
    "/balanscheck/carerqol/",
    "/balanscheck/vragenlijst/carerqol/",
    "/api/fhir/Questionnaire",
    "/api/fhir/Questionnaire/carerqol",
]
# Without answers in the session these pages send the visitor back to the first step.
NEEDS_ANSWERS = [
    "/balanscheck/uitslag/",
    "/balanscheck/uitslag/afdrukken/",
    "/balanscheck/uitslag/pdf/",
    "/balanscheck/bewaren/",
    "/balanscheck/stap/5/",
]


@pytest.mark.parametrize("who", CAST)
def test_the_check_is_open_for_everyone(cast, login_as, who):
    client = login_as(getattr(cast, who))
    for url in OPEN:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", CAST)
def test_result_pages_show_nothing_without_own_answers(cast, login_as, who):
    """Another person's result is never reachable: results live only in one's own session."""
    client = login_as(getattr(cast, who))
    for url in NEEDS_ANSWERS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/balanscheck/"), url


@pytest.mark.parametrize("who", CAST)
def test_contributing_without_own_answers_stores_nothing(cast, login_as, who):
    from mantelzorg.assessment.models import AnonymousContribution

    client = login_as(getattr(cast, who))
    assert client.get("/balanscheck/uitslag/bijdragen/").status_code == 405
    response = client.post("/balanscheck/uitslag/bijdragen/", {"consent": "yes"})
    assert response.status_code in (302, 400)
    assert AnonymousContribution.objects.count() == 0


@pytest.mark.parametrize("who", CAST)
def test_adding_a_postcode_without_own_answers_changes_nothing(cast, login_as, who):
    client = login_as(getattr(cast, who))
    assert client.get("/balanscheck/uitslag/postcode/").status_code == 405
    response = client.post("/balanscheck/uitslag/postcode/", {"postcode": "1012"})
    assert response.status_code == 302 and response["Location"].startswith("/balanscheck/stap/")
    assert "1012" not in str(client.session.get("assessment_balanscheck", {}).get("postcode", ""))


@pytest.mark.parametrize("who", CAST)
def test_starting_over_needs_a_post(cast, login_as, who):
    client = login_as(getattr(cast, who))
    assert client.get("/balanscheck/opnieuw/").status_code in (200, 405)


def test_a_tampered_or_unknown_link_is_404(client, cast):
    assert client.get("/balanscheck/link/not-a-valid-token/").status_code == 404


def test_a_carerqol_result_without_answers_goes_back_to_the_questions(client, db):
    response = client.get("/balanscheck/vragenlijst/carerqol/uitslag/")
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["anonymous"])
def test_reminder_settings_need_a_login(cast, login_as, who):
    client = login_as(getattr(cast, who))
    response = client.get("/balanscheck/mijn/herinnering/")
    assert response.status_code == 302 and "/account/inloggen/" in response["Location"]


def test_each_caregiver_sets_only_their_own_reminder(cast, login_as):
    from mantelzorg.assessment.models import ReminderSetting

    client = login_as(cast.other_caregiver)
    assert client.get("/balanscheck/mijn/herinnering/").status_code == 405
    response = client.post("/balanscheck/mijn/herinnering/", {"interval_months": "3"})
    assert response.status_code == 302
    assert list(ReminderSetting.objects.values_list("user__email", "interval_months")) == [
        (cast.other_caregiver.email, 3)
    ]
