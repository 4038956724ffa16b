"""Account pages with the cast: nobody sees another person's data; staff need MFA."""

import pytest

PUBLIC = ["/account/inloggen/", "/account/aanmelden/", "/account/wachtwoord-vergeten/"]


@pytest.mark.parametrize("url", PUBLIC)
@pytest.mark.parametrize(
    "who", ["anonymous", "caregiver", "network_member", "professional", "staff", "editor", "admin"]
)
def test_public_account_pages_open_for_everyone(client, cast, login_as, url, who):
    login_as(getattr(cast, who))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "caregiver", "professional_without_consent", "staff", "editor"])
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
