"""Sign-up does not tell whether an address has an account: the same page, status and (roughly)
time for both; the e-mail says what happened. A new account is active only after its link."""

import re
import statistics
import time

import pytest
from django.core import mail
from django.test import Client

from mantelzorg.accounts.models import User
from mantelzorg.assessment.models import SavedCheck
from mantelzorg.assessment.tests import factories
from mantelzorg.core.models import LogEntry

pytestmark = pytest.mark.django_db

SIGNUP = "/account/aanmelden/"
GOOD = "fiets paraplu zonnebloem"


def main(response) -> str:
    html = response.content.decode()
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def link_in(message) -> str:
    return re.search(r"http://testserver(/account/aanmelden/bevestigen/\S+)", message.body).group(1)


def test_a_new_address_gets_a_link_that_activates_and_logs_in_once(client):
    response = client.post(SIGNUP, {"email": "New@Example.org", "password": GOOD, "name": "Nina"})
    assert response.status_code == 200 and "Kijk in je e-mail" in main(response)
    assert "_auth_user_id" not in client.session  # not logged in before the link
    user = User.objects.get(email="new@example.org")
    assert not user.is_active and user.check_password(GOOD)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.org"]
    link = link_in(mail.outbox[0])
    page = client.get(link)  # opening the link (or an e-mail scanner doing so) changes nothing
    assert page.status_code == 200 and "Bevestigen en inloggen" in main(page)
    user.refresh_from_db()
    assert not user.is_active
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.is_active
    assert LogEntry.objects.filter(action="accounts.user.confirmed", subject_id=str(user.pk)).exists()
    # Single use: the same link again is refused, with a way on.
    other = Client()
    assert "Deze link werkt niet meer" in main(other.get(link))
    assert other.post(link).status_code == 200 and "_auth_user_id" not in other.session


def test_an_existing_address_gets_the_same_page_and_an_e_mail_that_explains(client, cast):
    new = Client().post(SIGNUP, {"email": "someone-new@example.org", "password": GOOD})
    mail.outbox.clear()
    existing = client.post(SIGNUP, {"email": cast.caregiver.email.upper(), "password": GOOD})
    assert existing.status_code == new.status_code == 200
    assert main(existing) == main(new)
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [cast.caregiver.email]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Iemand probeerde een account te maken met jouw e-mailadres"
    assert "Je hebt al een account met dit adres" in body
    assert "/account/inloggen/" in body and "/account/wachtwoord-vergeten/" in body
    assert "/account/aanmelden/bevestigen/" not in body
    cast.caregiver.refresh_from_db()
    assert cast.caregiver.check_password(cast.password)  # nothing changed about the account


def test_both_answers_take_about_as_long(db, settings):
    """Both hash the password (Argon2, as in production): the answers differ by far less than 3x."""
    import config.settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    User.objects.create_user(email="has-one@example.org", password=GOOD)

    def timed(email):
        start = time.perf_counter()
        Client().post(SIGNUP, {"email": email, "password": GOOD})
        return time.perf_counter() - start

    new = statistics.median(timed(f"new{n}@example.org") for n in range(5))
    existing = statistics.median(timed("has-one@example.org") for _ in range(5))
    assert 1 / 3 < new / existing < 3, (new, existing)


def test_a_second_signup_before_the_link_keeps_only_the_newest_link(client):
    client.post(SIGNUP, {"email": "twice@example.org", "password": GOOD})
    first = link_in(mail.outbox[-1])
    client.post(SIGNUP, {"email": "twice@example.org", "password": "een heel andere lange zin"})
    second = link_in(mail.outbox[-1])
    assert User.objects.filter(email="twice@example.org").count() == 1
    assert "Deze link werkt niet meer" in main(Client().get(first))
    visitor = Client()
    visitor.post(second)
    assert User.objects.get(email="twice@example.org").check_password("een heel andere lange zin")
    assert "_auth_user_id" in visitor.session


def test_an_unconfirmed_account_cannot_log_in_yet(client):
    client.post(SIGNUP, {"email": "pending@example.org", "password": GOOD})
    response = client.post("/account/inloggen/", {"email": "pending@example.org", "password": GOOD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_signup_to_save_a_balance_check_ends_with_the_check_saved(client):
    factories.walk(client, factories.overloaded())
    save_page = client.get("/balanscheck/bewaren/").content.decode()
    assert "/account/aanmelden/?next=/balanscheck/bewaren/" in save_page
    signup = client.get(SIGNUP + "?next=/balanscheck/bewaren/")
    assert 'name="next" value="/balanscheck/bewaren/"' in signup.content.decode()
    response = client.post(
        SIGNUP, {"email": "carer@example.org", "password": GOOD, "next": "/balanscheck/bewaren/"}
    )
    assert "Open de link op dit apparaat" in main(response)
    link = link_in(mail.outbox[-1])
    assert link.endswith("?next=%2Fbalanscheck%2Fbewaren%2F")
    confirm = client.get(link)
    assert 'name="next" value="/balanscheck/bewaren/"' in confirm.content.decode()
    response = client.post(link, {"next": "/balanscheck/bewaren/"})
    assert response["Location"] == "/balanscheck/bewaren/"
    assert 'value="account"' in client.get("/balanscheck/bewaren/").content.decode()
    client.post("/balanscheck/bewaren/", {"action": "account"})
    assert SavedCheck.objects.get().owner == User.objects.get(email="carer@example.org")


def test_signups_are_limited_per_address(client, settings):
    allowed = settings.RATE_LIMITS["signup"]["address"][0]
    for _ in range(allowed):
        assert client.post(SIGNUP, {"email": "many@example.org", "password": GOOD}).status_code == 200
    response = client.post(SIGNUP, {"email": "many@example.org", "password": GOOD})
    assert response.status_code == 429 and "Je hebt dit te vaak geprobeerd" in main(response)
    assert len(mail.outbox) == allowed


def test_unconfirmed_signups_are_deleted_when_their_link_has_expired(client, cast, settings):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    client.post(SIGNUP, {"email": "never@example.org", "password": GOOD})
    client.post(SIGNUP, {"email": "fresh@example.org", "password": GOOD})
    expired = timezone.now() - dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    User.objects.filter(email="never@example.org").update(date_joined=expired)
    switched_off = cast.other_caregiver  # switched off by an administrator after using it: kept
    User.objects.filter(pk=switched_off.pk).update(is_active=False, last_login=expired, date_joined=expired)
    call_command("delete_unconfirmed_signups", stdout=__import__("io").StringIO())
    assert not User.objects.filter(email="never@example.org").exists()
    assert User.objects.filter(email="fresh@example.org").exists()
    assert User.objects.filter(pk=switched_off.pk).exists()
    assert LogEntry.objects.filter(action="accounts.user.unconfirmed_deleted").count() == 1
