"""Limits on abuse (accounts/ratelimit.py): e-mail sending per address and per IP address, password
spraying from one IP address, TOTP guessing, anonymous writes. The numbers are the settings'."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from mantelzorg.accounts import ratelimit
from mantelzorg.accounts.models import RateLimitCounter
from mantelzorg.assessment.models import AnonymousContribution, SavedCheck
from mantelzorg.assessment.tests import factories

pytestmark = pytest.mark.django_db

RESET = "/account/wachtwoord-vergeten/"
LOGIN = "/account/inloggen/"
SAVE = "/balanscheck/bewaren/"
PAUSED_NL = "Je hebt dit te vaak geprobeerd"


def limit(rule, kind):
    return settings.RATE_LIMITS[rule][kind][0]


def test_password_reset_requests_for_one_account_are_limited(client, cast):
    allowed = limit("password_reset", "address")
    for _ in range(allowed):
        assert client.post(RESET, {"email": cast.caregiver.email}).status_code == 302
    assert len(mail.outbox) == allowed
    response = client.post(RESET, {"email": cast.caregiver.email.upper()})  # the same address
    assert response.status_code == 429
    html = response.content.decode()
    assert PAUSED_NL in html and re.search(r"Probeer het over \d+ minuten? opnieuw", html)
    assert 'name="email"' in html  # the form is still there
    assert len(mail.outbox) == allowed  # and nothing was sent
    # Another address from the same IP address still works.
    assert client.post(RESET, {"email": cast.other_caregiver.email}).status_code == 302
    assert len(mail.outbox) == allowed + 1


def test_password_reset_requests_from_one_ip_are_limited_whatever_the_address(client, db):
    allowed = limit("password_reset", "ip")
    for n in range(allowed):
        assert client.post(RESET, {"email": f"person{n}@example.org"}).status_code == 302
    assert client.post(RESET, {"email": "one-more@example.org"}).status_code == 429
    other_ip = client.post(RESET, {"email": "one-more@example.org"}, REMOTE_ADDR="192.0.2.7")
    assert other_ip.status_code == 302


def test_an_unknown_address_is_limited_like_a_known_one(client, cast):
    """The limit counts the address, not the account: a 429 tells nothing about who has one."""
    allowed = limit("password_reset", "address")
    for _ in range(allowed):
        client.post(RESET, {"email": "nobody@example.org"})
    assert client.post(RESET, {"email": "nobody@example.org"}).status_code == 429


def _walk(client):
    factories.walk(client, factories.overloaded())


def test_save_by_email_is_limited_per_address_and_sends_nothing_more(client):
    _walk(client)
    allowed = limit("check_email_link", "address")
    for _ in range(allowed):
        assert client.post(SAVE, {"action": "email", "email": "carer@example.org"}).status_code == 200
    assert len(mail.outbox) == allowed and SavedCheck.objects.count() == allowed
    response = client.post(SAVE, {"action": "email", "email": "carer@example.org"})
    assert response.status_code == 429
    assert PAUSED_NL in response.content.decode() and 'value="email"' in response.content.decode()
    assert len(mail.outbox) == allowed and SavedCheck.objects.count() == allowed
    response = client.post(SAVE, {"action": "email", "email": "someone-else@example.org"})
    assert response.status_code == 200 and len(mail.outbox) == allowed + 1


def test_the_counter_is_shared_by_every_worker_process(client):
    """The count lives in the database, not in a process's memory: a worker with an empty cache
    (another gunicorn process) sees the same count. bench/abuse_limits.py shows it on gunicorn
    with 4 workers (20 requests at once: 5 e-mails)."""
    _walk(client)
    allowed = limit("check_email_link", "address")
    for _ in range(allowed):
        client.post(SAVE, {"action": "email", "email": "carer@example.org"})
    assert RateLimitCounter.objects.filter(count=allowed).exists()
    assert not any(str(key).startswith("ratelimit") for key in getattr(cache, "_cache", {}))
    cache.clear()  # another process: nothing in its memory
    assert client.post(SAVE, {"action": "email", "email": "carer@example.org"}).status_code == 429
    assert "carer@example.org" not in repr(list(RateLimitCounter.objects.values()))  # keyed hashes only


def test_password_spraying_from_one_ip_is_refused_with_429(client, db):
    from conftest import make_user
    from mantelzorg.accounts.models import Role

    allowed = limit("login_failed", "ip")
    users = [make_user(f"spray{n}@example.org", Role.CAREGIVER) for n in range(3)]
    for n in range(allowed):  # one or two tries per account: axes (10 per account + IP) sees nothing
        response = client.post(LOGIN, {"email": f"person{n}@example.org", "password": "Welkom2026!!"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"email": users[0].email, "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same account from another address logs in.
    response = client.post(
        LOGIN, {"email": users[0].email, "password": "correct horse battery staple"}, REMOTE_ADDR="192.0.2.8"
    )
    assert response.status_code == 302


def test_guessing_totp_codes_is_limited_per_account(client, cast):
    client.post(LOGIN, {"email": cast.staff.email, "password": cast.password})
    for _ in range(limit("mfa_failed", "account")):
        assert client.post("/account/inloggen/code/", {"token": "000000"}).status_code == 200
    response = client.post("/account/inloggen/code/", {"token": "000000"})
    assert response.status_code == 429 and PAUSED_NL in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_anonymous_contributions_from_one_ip_are_limited(client):
    from django.test import Client

    allowed = limit("contribution", "ip")
    for _ in range(allowed):
        visitor = Client()  # a script with a fresh session each time
        factories.walk(visitor, factories.overloaded(), postcode="1012")
        visitor.post("/balanscheck/uitslag/bijdragen/", {"consent": "yes"})
    assert AnonymousContribution.objects.count() == allowed
    visitor = Client()
    factories.walk(visitor, factories.overloaded(), postcode="1012")
    response = visitor.post("/balanscheck/uitslag/bijdragen/", {"consent": "yes"})
    assert response.status_code == 429 and PAUSED_NL in response.content.decode()
    assert AnonymousContribution.objects.count() == allowed


def test_the_refusal_says_in_whole_minutes_when_to_try_again():
    assert ratelimit.Refusal(1).minutes == 1
    assert ratelimit.Refusal(61).minutes == 2
    from django.utils import translation

    with translation.override("en"):
        assert re.search(r"\b2 minutes\b", ratelimit.Refusal(61).message)
    with translation.override("nl"):
        assert "over 1 minuut opnieuw" in ratelimit.Refusal(30).message


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy of ours: the header is the visitor's own words
        (1, "203.0.113.9", "203.0.113.9"),  # our proxy appended the visitor's address
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a forged entry on the left is ignored
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "", "127.0.0.1"),
    ],
)
def test_the_visitors_address_behind_our_proxy(rf, settings, hops, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = hops
    request = rf.post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_ip(request) == expected


def test_behind_the_proxy_each_visitor_has_their_own_limit(client, cast, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    allowed = limit("password_reset", "ip")
    for n in range(allowed):
        client.post(RESET, {"email": f"person{n}@example.org"}, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert (
        client.post(RESET, {"email": "x@example.org"}, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    )
    assert (
        client.post(RESET, {"email": "x@example.org"}, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 302
    )
