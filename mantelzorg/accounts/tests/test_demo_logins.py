"""`make run` (manage.py prepare → demo_logins) prints TOTP secrets only of generated demo accounts,
only when demo data is on, and never of any other account."""

import io

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from mantelzorg.accounts import demo
from mantelzorg.accounts.models import Role, User

STAFF_EMAILS = [email for email, _n, role, *_ in demo.DEMO_USERS if User(role=role).requires_mfa]


def run(command="demo_logins") -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def secret_of(user) -> str:
    return demo.base32_secret(TOTPDevice.objects.get(user=user))


@pytest.fixture
def demo_on(settings):
    settings.DEMO_DATA = True
    return settings


@pytest.fixture
def real_admin(db):
    """A real administrator, as `createsuperuser` makes one, with their own authenticator."""
    user = User.objects.create_superuser(email="beheerder@gemeente-voorbeeld.nl", password="x" * 16)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def test_demo_data_on_prints_the_secret_and_code_of_every_generated_staff_account(db, demo_on):
    assert STAFF_EMAILS
    demo.load()
    output = run()
    for email in STAFF_EMAILS:
        user = User.objects.get(email=email)
        line = next(line for line in output.splitlines() if email in line)
        assert f"TOTP secret {secret_of(user)}" in line
        assert "code now:" in line


def test_demo_data_off_prints_no_secret_even_when_demo_accounts_exist(db, settings):
    settings.DEMO_DATA = True
    demo.load()
    settings.DEMO_DATA = False
    output = run()
    assert "TOTP secret" not in output
    for email in STAFF_EMAILS:
        assert secret_of(User.objects.get(email=email)) not in output
    assert "MANTELZORG_DEMO_DATA" in output


def test_prepare_with_demo_data_off_prints_no_secret(transactional_db, settings, real_admin):
    settings.DEMO_DATA = False
    output = run("prepare")
    assert "TOTP" not in output
    assert secret_of(real_admin) not in output


def test_a_real_admin_is_never_printed(db, demo_on, real_admin):
    demo.load()
    output = run()
    assert real_admin.email not in output
    assert secret_of(real_admin) not in output


def test_an_account_that_existed_before_the_demo_data_under_a_demo_address_keeps_its_secret(db, demo_on):
    # Someone made beheer@example.nl by hand (createsuperuser) with a real authenticator: the demo
    # loader leaves it alone, and demo_logins must not print that authenticator's secret.
    email = next(email for email, _n, role, *_ in demo.DEMO_USERS if role == Role.ADMIN)
    user = User.objects.create_superuser(email=email, password="y" * 16)
    TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    demo.load()
    output = run()
    assert secret_of(user) not in output
    line = next(line for line in output.splitlines() if email in line)
    assert "TOTP secret" not in line


def test_a_device_added_later_to_a_demo_account_is_not_printed(db, demo_on):
    demo.load()
    user = User.objects.get(email=STAFF_EMAILS[0])
    extra = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    output = run()
    assert demo.base32_secret(extra) not in output
    generated = TOTPDevice.objects.exclude(pk=extra.pk).get(user=user)
    assert demo.base32_secret(generated) in output
