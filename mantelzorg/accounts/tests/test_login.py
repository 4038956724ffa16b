import re

import pytest
from django.core import mail
from django_otp.oath import totp

from mantelzorg.accounts.models import Role, User
from mantelzorg.core.models import LogEntry

LOGIN = "/account/inloggen/"
MFA = "/account/inloggen/code/"


def current_code(user):
    device = user.totpdevice_set.get()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_caregiver_logs_in_with_email_and_password(client, cast):
    response = client.post(LOGIN, {"email": "ALICE@example.org", "password": cast.password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.caregiver.pk)
    assert LogEntry.objects.filter(
        action="accounts.session.logged_in", actor_id=str(cast.caregiver.pk)
    ).exists()


def test_session_key_is_rotated_on_login(client, cast):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    client.post(LOGIN, {"email": cast.caregiver.email, "password": cast.password})
    assert client.session.session_key != before


def test_wrong_password_gives_an_error_and_no_session(client, cast):
    response = client.post(LOGIN, {"email": cast.caregiver.email, "password": "wrong password here"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert LogEntry.objects.filter(action="accounts.session.login_failed", outcome="denied").exists()


@pytest.mark.parametrize("role_name", ["professional", "staff", "admin"])
def test_staff_roles_get_no_session_without_a_second_factor(client, cast, role_name):
    user = getattr(cast, role_name)
    response = client.post(LOGIN, {"email": user.email, "password": cast.password})
    assert response.status_code == 302 and response["Location"] == MFA
    assert "_auth_user_id" not in client.session
    # Without the code, personal pages stay closed.
    assert client.get("/beheer/").status_code == 302


def test_staff_logs_in_with_a_totp_code(client, cast):
    client.post(LOGIN, {"email": cast.staff.email, "password": cast.password})
    response = client.post(MFA, {"token": current_code(cast.staff)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.staff.pk)
    assert client.get("/").wsgi_request.user.is_verified()


def test_wrong_totp_code_gives_no_session(client, cast):
    client.post(LOGIN, {"email": cast.staff.email, "password": cast.password})
    good = current_code(cast.staff)
    bad = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(MFA, {"token": bad})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert LogEntry.objects.filter(action="accounts.session.mfa_failed").exists()


def test_a_forced_session_without_verified_device_is_ended(client, cast):
    client.force_login(cast.professional)  # no OTP verification
    client.get("/")
    assert "_auth_user_id" not in client.session


def test_staff_session_ends_after_idle_timeout(client, cast, login_as, settings):
    login_as(cast.staff)
    client.get("/")
    session = client.session
    session["last_seen"] = session["last_seen"] - settings.STAFF_IDLE_TIMEOUT_SECONDS - 1
    session.save()
    client.get("/")
    assert "_auth_user_id" not in client.session


def test_ten_failed_logins_lock_the_account_with_429(client, cast):
    for _ in range(10):
        client.post(LOGIN, {"email": cast.caregiver.email, "password": "not the right one"})
    response = client.post(LOGIN, {"email": cast.caregiver.email, "password": cast.password})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_works(client, cast):
    response = client.post("/account/wachtwoord-vergeten/", {"email": cast.caregiver.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/account/wachtwoord-nieuw/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    new = "a new long passphrase 2026"
    response = client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    cast.caregiver.refresh_from_db()
    assert cast.caregiver.check_password(new)


def test_password_reset_for_unknown_address_reveals_nothing(client, db):
    response = client.post("/account/wachtwoord-vergeten/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short pass", False),  # 10 characters
        ("password1234", False),  # common
        ("1qaz2wsx3edc", False),  # common (in Django's list)
        ("zonder cijfers of tekens", True),  # no composition rules
        ("123456789012", False),  # a row (zxcvbn)
        ("aaaaaaaaaaaa", False),  # a repeat
        ("wachtwoord12", False),  # a Dutch favourite with digits (our list)
        ("welkom123456", False),
        ("zonnebloemen", False),  # one Dutch word (OpenTaal, in our list)
        ("fiets paraplu zonnebloem", True),  # a few words that belong together
        ("twaalf tekens", True),
        ("a" * 100, False),  # longer than zxcvbn estimates (72): its first 72 characters count
        ("fiets paraplu zonnebloem " * 4, True),  # 100 characters, made of good words
    ],
)
def test_signup_password_rules(client, db, password, accepted):
    response = client.post("/account/aanmelden/", {"email": "new@example.org", "password": password})
    assert User.objects.filter(email="new@example.org").exists() is accepted
    if accepted:
        assert User.objects.get(email="new@example.org").role == Role.CAREGIVER
        assert response.status_code == 200 and "Kijk in je e-mail" in response.content.decode()
    else:
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.content.decode()


def test_passwords_are_hashed_with_argon2(db, settings):
    import config.settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS  # the suite uses a fast hasher
    user = User.objects.create_user(email="argon@example.org", password="a long enough passphrase")
    assert user.password.startswith("argon2")


def test_logout_needs_post_and_ends_the_session(client, cast, login_as):
    login_as(cast.caregiver)
    assert client.get("/account/uitloggen/").status_code == 405
    client.post("/account/uitloggen/")
    assert "_auth_user_id" not in client.session


def _staff_caregiver(*, mfa):
    from conftest import make_user

    user = make_user("beheer@example.org", Role.CAREGIVER, mfa=mfa)
    user.is_staff = True
    user.save()
    return user


def test_is_staff_with_a_caregiver_role_cannot_open_the_admin_with_a_password_only(client, db):
    user = _staff_caregiver(mfa=True)
    response = client.post(LOGIN, {"email": user.email, "password": "correct horse battery staple"})
    assert response.status_code == 302 and response["Location"] == MFA
    assert "_auth_user_id" not in client.session
    response = client.get("/beheer/")
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(user)  # a session without the second factor is ended at once
    assert client.get("/beheer/").status_code == 302
    assert "_auth_user_id" not in client.session
    client.post(LOGIN, {"email": user.email, "password": "correct horse battery staple"})
    client.post(MFA, {"token": current_code(user)})
    assert client.get("/beheer/").status_code == 200  # with the code: the admin opens


def test_is_staff_without_an_authenticator_app_is_refused_clearly(client, db):
    user = _staff_caregiver(mfa=False)
    response = client.post(
        LOGIN, {"email": user.email, "password": "correct horse battery staple"}, follow=True
    )
    assert response.status_code == 403
    assert "Je account heeft een authenticator-app nodig" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert LogEntry.objects.filter(action="accounts.session.mfa_missing", outcome="denied").exists()
    assert client.get(MFA).status_code == 302  # the pending login is gone


@pytest.mark.parametrize("password", ["123456789012", "aaaaaaaaaaaa", "wachtwoord12", "welkom123456"])
def test_weak_passwords_are_refused_with_one_plain_dutch_message_that_says_what_to_do(password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        validate_password(password, User(email="anna@example.nl"))
    assert len(refused.value.messages) == 1
    assert "Gebruik een paar woorden die alleen voor jou bij elkaar horen" in refused.value.messages[0]


def test_the_password_list_holds_djangos_list_and_dutch_words():
    import gzip
    from pathlib import Path

    import django

    from mantelzorg.accounts.validators import COMMON_PASSWORDS

    ours = set(gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8").read().split())
    djangos = Path(django.__file__).parent / "contrib/auth/common-passwords.txt.gz"
    assert set(gzip.open(djangos, "rt", encoding="utf-8").read().split()) <= ours
    assert {"wachtwoord", "welkom123", "zonnebloem", "mantelzorg"} <= ours
    assert len(ours) > 150_000


# --- The language of the account: the one the person uses the site in (for reminders) -----------


def test_signing_in_on_an_english_page_keeps_english_on_the_account(client, cast):
    assert cast.caregiver.language == "nl"
    client.post(LOGIN, {"email": cast.caregiver.email, "password": cast.password}, HTTP_ACCEPT_LANGUAGE="en")
    cast.caregiver.refresh_from_db()
    assert cast.caregiver.language == "en"
    client.logout()
    client.post(LOGIN, {"email": cast.caregiver.email, "password": cast.password}, HTTP_ACCEPT_LANGUAGE="nl")
    cast.caregiver.refresh_from_db()
    assert cast.caregiver.language == "nl"


def test_the_language_switch_changes_the_account_language_of_who_is_signed_in(client, cast, login_as):
    login_as(cast.caregiver)
    client.get("/taal/en/?next=/")
    cast.caregiver.refresh_from_db()
    assert cast.caregiver.language == "en"
    client.get("/taal/xx/?next=/")  # an unknown language changes nothing
    cast.caregiver.refresh_from_db()
    assert cast.caregiver.language == "en"


def test_the_language_switch_of_a_visitor_writes_no_account(client, cast):
    assert client.get("/taal/en/?next=/").status_code == 302
    assert set(User.objects.values_list("language", flat=True)) == {"nl"}
