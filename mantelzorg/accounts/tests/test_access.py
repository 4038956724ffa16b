"""Account pages with the cast: nobody sees another person's data; staff need MFA."""

import pytest

from conftest import CAST_NAMES

PUBLIC = ["/account/inloggen/", "/account/aanmelden/", "/account/wachtwoord-vergeten/"]


@pytest.mark.parametrize("url", PUBLIC)
@pytest.mark.parametrize("who", CAST_NAMES)
def test_public_account_pages_open_for_everyone(client, cast, login_as, url, who):
    login_as(getattr(cast, who))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", [name for name in CAST_NAMES if name != "admin"])
def test_only_admins_reach_the_admin(client, cast, login_as, who):
    login_as(getattr(cast, who))
    response = client.get("/beheer/")
    assert response.status_code in (302, 404)
    assert response.status_code != 200


def test_admin_with_mfa_reaches_the_admin(client, cast, login_as):
    login_as(cast.admin)
    assert client.get("/beheer/").status_code == 200


def test_admin_login_goes_through_our_login_with_mfa(client, db):
    response = client.get("/beheer/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/inloggen/")


FLOW_PAGES = [
    "/account/wachtwoord-vergeten/verstuurd/",
    "/account/wachtwoord-nieuw/klaar/",
    "/account/wachtwoord-nieuw/MQ/not-a-token/",  # an invalid link says so, reveals nothing
    "/account/aanmelden/bevestigen/MQ/not-a-token/",  # likewise the sign-up link
]


@pytest.mark.parametrize("url", FLOW_PAGES)
def test_password_reset_flow_pages_reveal_nothing(client, db, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert "@" not in response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_mfa_code_page_without_a_password_step_goes_back_to_login(client, db):
    response = client.get("/account/inloggen/code/")
    assert response.status_code == 302 and response["Location"] == "/account/inloggen/"


@pytest.mark.parametrize("who", ["anonymous", "caregiver", "staff"])
def test_logout_only_by_post(client, cast, login_as, who):
    login_as(getattr(cast, who))
    assert client.get("/account/uitloggen/").status_code == 405
    assert client.post("/account/uitloggen/").status_code == 302


def test_access_helpers_say_who_someone_is_to_the_platform(cast, django_assert_num_queries):
    from mantelzorg.accounts.selectors import (
        is_directory_editor,
        is_platform_admin,
        is_staff_of,
        staff_municipality_codes,
    )

    assert is_platform_admin(cast.admin) and not is_platform_admin(cast.staff) and not is_platform_admin(None)
    assert is_directory_editor(cast.editor) and not is_directory_editor(cast.admin)
    with django_assert_num_queries(1):  # read once per user object
        assert is_staff_of(cast.staff, "GM0363") and is_staff_of(cast.staff, "gm0363")
        assert not is_staff_of(cast.staff, "GM0344")
        assert staff_municipality_codes(cast.staff) == {"GM0363"}
    assert not is_staff_of(cast.other_staff, "GM0363") and not is_staff_of(cast.caregiver, "GM0363")
    from django.contrib.auth.models import AnonymousUser

    assert not is_platform_admin(AnonymousUser()) and staff_municipality_codes(AnonymousUser()) == frozenset()


@pytest.mark.parametrize("who", [name for name in CAST_NAMES if name != "anonymous"])
def test_the_consent_page_shows_only_ones_own_consents(client, cast, login_as, who):
    """/account/toestemmingen/ and /account/toestemmingen/<id>/intrekken/: the cast's one consent
    (caregiver → professional) is the caregiver's alone; everyone else gets 404 for it."""
    from mantelzorg.accounts.models import ConsentRecord

    record = ConsentRecord.objects.get(grantor=cast.caregiver)
    user = getattr(cast, who)
    login_as(user)
    page = client.get("/account/toestemmingen/")
    assert page.status_code == 200
    own = who == "caregiver"
    assert (f"/account/toestemmingen/{record.pk}/intrekken/" in page.content.decode()) is own
    if not own:
        assert client.post(f"/account/toestemmingen/{record.pk}/intrekken/").status_code == 404


def test_the_consent_pages_need_a_login(client, cast):
    assert client.get("/account/toestemmingen/").status_code == 302
    assert client.post("/account/toestemmingen/1/intrekken/").status_code == 302


@pytest.mark.parametrize("who", ["caregiver", "professional", "staff", "editor", "admin"])
def test_my_data_pages_are_ones_own(client, cast, login_as, who):
    """/account/mijn-gegevens/, /account/mijn-gegevens/download/ and /account/mijn-gegevens/verwijderen/
    carry no id: each person reaches only their own data."""
    import json

    user = getattr(cast, who)
    login_as(user)
    assert client.get("/account/mijn-gegevens/").status_code == 200
    data = json.loads(client.get("/account/mijn-gegevens/download/").content)
    assert data["apps"]["accounts"]["account"]["email"] == user.email
    assert client.get("/account/mijn-gegevens/verwijderen/").status_code == 200


def test_my_data_pages_need_a_login(client, db):
    for url in (
        "/account/mijn-gegevens/",
        "/account/mijn-gegevens/download/",
        "/account/mijn-gegevens/verwijderen/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/account/inloggen/" in response["Location"]
