"""Every core and accounts page template, in each state (empty, errors, filled), at 320 px with
axe-core (which also fails on horizontal scrolling at 320 and 375 px), in Dutch and English where
the text differs; plus the phone layout the issue measured (header height, crisis block)."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from mantelzorg.assessment.tests.factories import SavedCheckFactory
from tests.browser import log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def english(page):
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("home", "/"),
        ("accessibility", "/toegankelijkheid/"),
        ("api-docs", "/api/v1/docs/"),
        ("404", "/bestaat-niet/"),
    ],
)
def test_static_pages_at_320(phone, axe, db, language, name, url):
    phone.goto(url)
    if language == "en":
        english(phone)
    assert phone.locator("h1").count() == 1
    axe(phone, f"core-{name}-{language}-320")


def test_home_for_a_caregiver_with_saved_checks_at_320(phone, axe, cast):
    SavedCheckFactory(owner=cast.caregiver)
    log_in(phone, cast.caregiver, cast.password)
    assert phone.get_by_role("link", name="Mijn checks").is_visible()
    axe(phone, "core-home-caregiver-320")


def test_home_for_staff_with_the_work_menu_open_at_320(phone, axe, cast):
    log_in(phone, cast.staff, cast.password)
    menu = phone.locator("details.mz-work")
    assert not phone.get_by_role("link", name="Menukaart Amsterdam").is_visible()
    menu.locator("summary").click()
    assert phone.get_by_role("link", name="Menukaart Amsterdam").is_visible()
    axe(phone, "core-home-staff-menu-open-320")


def test_login_page_empty_errors_filled_and_wrong_password_at_320(phone, axe, cast):
    phone.goto("/account/inloggen/")
    axe(phone, "accounts-login-empty-320")
    phone.get_by_role("button", name="Inloggen").click()
    assert phone.title().startswith("Fout: ")
    assert phone.locator(".mz-error-summary").get_by_role("link", name="Vul je e-mailadres in.").is_visible()
    axe(phone, "accounts-login-errors-320")
    phone.get_by_label("E-mailadres").fill(cast.caregiver.email)
    phone.get_by_label("Wachtwoord").fill("not the right password")
    axe(phone, "accounts-login-filled-320")
    phone.get_by_role("button", name="Inloggen").click()
    assert phone.locator(".mz-error-summary").inner_text().count("klopt niet") == 1
    axe(phone, "accounts-login-wrong-password-320")


def test_login_code_page_empty_and_errors_at_320(phone, axe, cast):
    phone.goto("/account/inloggen/")
    phone.get_by_label("E-mailadres").fill(cast.staff.email)
    phone.get_by_label("Wachtwoord").fill(cast.password)
    phone.get_by_role("button", name="Inloggen").click()
    phone.wait_for_url("**/inloggen/code/")
    axe(phone, "accounts-login-code-empty-320")
    phone.get_by_label("Code uit je authenticator-app").fill("12ab56")
    axe(phone, "accounts-login-code-filled-320")
    phone.get_by_role("button", name="Bevestigen").click()
    assert phone.locator("#id_token_error").inner_text() == "De code bestaat uit zes cijfers."
    axe(phone, "accounts-login-code-errors-320")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_signup_page_empty_errors_filled_at_320(phone, axe, db, language):
    phone.goto("/account/aanmelden/")
    if language == "en":
        english(phone)
    axe(phone, f"accounts-signup-empty-{language}-320")
    phone.locator("#id_email").fill("nieuw@example.org")
    phone.locator("#id_password").fill("te kort")
    axe(phone, f"accounts-signup-filled-{language}-320")
    phone.locator("main button[type=submit]").click()
    message = phone.locator("#id_password_error").inner_text()
    assert message == (
        "Dit wachtwoord is te kort. Gebruik minstens 12 tekens."
        if language == "nl"
        else "This password is too short. Use at least 12 characters."
    )
    axe(phone, f"accounts-signup-errors-{language}-320")


def test_password_reset_pages_at_320(phone, axe, cast):
    phone.goto("/account/wachtwoord-vergeten/")
    axe(phone, "accounts-reset-empty-320")
    phone.get_by_role("button", name="Link versturen").click()
    assert phone.locator("#id_email_error").inner_text() == "Vul je e-mailadres in."
    axe(phone, "accounts-reset-errors-320")
    phone.get_by_label("E-mailadres").fill(cast.caregiver.email)
    axe(phone, "accounts-reset-filled-320")
    phone.get_by_role("button", name="Link versturen").click()
    phone.wait_for_url("**/verstuurd/")
    axe(phone, "accounts-reset-done-320")


def test_new_password_pages_at_320(phone, axe, cast):
    uid = urlsafe_base64_encode(force_bytes(cast.caregiver.pk))
    token = default_token_generator.make_token(cast.caregiver)
    phone.goto(f"/account/wachtwoord-nieuw/{uid}/{token}/")
    axe(phone, "accounts-new-password-empty-320")
    phone.get_by_label("Nieuw wachtwoord", exact=True).fill("een lange zin om te onthouden")
    phone.get_by_label("Nieuw wachtwoord nog een keer").fill("een andere lange zin")
    axe(phone, "accounts-new-password-filled-320")
    phone.get_by_role("button", name="Wachtwoord opslaan").click()
    assert "niet hetzelfde" in phone.locator("#id_new_password2_error").inner_text()
    axe(phone, "accounts-new-password-errors-320")
    phone.get_by_label("Nieuw wachtwoord", exact=True).fill("een lange zin om te onthouden")
    phone.get_by_label("Nieuw wachtwoord nog een keer").fill("een lange zin om te onthouden")
    phone.get_by_role("button", name="Wachtwoord opslaan").click()
    phone.wait_for_url("**/klaar/")
    axe(phone, "accounts-new-password-complete-320")
    phone.goto(f"/account/wachtwoord-nieuw/{uid}/{token}/")  # used: the link no longer works
    assert phone.get_by_role("link", name="Nieuwe link aanvragen").is_visible()
    axe(phone, "accounts-new-password-invalid-link-320")


def test_locked_out_page_at_320(phone, axe, cast):
    phone.goto("/account/inloggen/")
    for _ in range(11):
        phone.get_by_label("E-mailadres").fill(cast.caregiver.email)
        phone.get_by_label("Wachtwoord").fill("not the right password")
        phone.get_by_role("button", name="Inloggen").click()
        if phone.locator("h1").inner_text() == "Te vaak geprobeerd":
            break
    assert phone.locator("h1").inner_text() == "Te vaak geprobeerd"
    axe(phone, "accounts-locked-out-320")


def test_500_page_at_320(phone, axe, db, settings):
    settings.ROOT_URLCONF = "mantelzorg.core.tests.urls_error"
    response = phone.goto("/_test/fout/")
    assert response.status == 500
    assert phone.locator("h1").inner_text() == "Er ging iets mis"
    axe(phone, "core-500-320")


def test_error_summary_takes_the_focus_without_javascript(browser, live_server, db):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="nl-NL", viewport=PHONE
    )
    pg = context.new_page()
    pg.goto("/account/aanmelden/")
    pg.locator("main button[type=submit]").click()
    pg.wait_for_selector(".mz-error-summary")
    focused = pg.evaluate("() => document.activeElement.className")
    title = pg.title()
    pg.keyboard.press("Tab")  # the next stop is the summary's first link
    link = pg.evaluate("() => document.activeElement.getAttribute('href')")
    pg.keyboard.press("Enter")
    target = pg.evaluate("() => document.activeElement.id")
    context.close()
    assert focused == "mz-error-summary"
    assert title.startswith("Fout: ")
    assert link == "#id_email" and target == "id_email"


def test_work_menu_opens_with_the_keyboard_without_javascript(browser, live_server, cast):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="nl-NL", viewport=PHONE
    )
    pg = context.new_page()
    log_in(pg, cast.editor, cast.password)
    pg.locator("details.mz-work summary").focus()
    pg.keyboard.press("Enter")
    visible = pg.get_by_role("link", name="Aanbod beheren").is_visible()
    context.close()
    assert visible


def phone_layout(pg) -> dict:
    return pg.evaluate(
        """() => { const h = document.querySelector('header').getBoundingClientRect();
        const c = document.querySelector('.mz-crisis').getBoundingClientRect();
        const tel = [...document.querySelectorAll('.mz-crisis a[href^="tel:"]')].map(a => a.getBoundingClientRect());
        return {header: Math.round(h.height), crisis_top: Math.round(c.top + scrollY), crisis_bottom: Math.round(c.bottom + scrollY),
                tel_links: tel.length, smallest_target: Math.round(Math.min(...tel.map(r => r.height)))}; }"""
    )


@pytest.mark.parametrize("who", ["anonymous", "caregiver", "staff"])
def test_phone_header_is_compact_and_the_crisis_block_is_on_the_first_screen(browser, live_server, cast, who):
    """Issue 9, point 18: on a 375 x 812 phone the header was 220 px and "Nu meteen hulp nodig?"
    sat at y = 2,420 px (no tel: links)."""
    SavedCheckFactory(owner=cast.caregiver)
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 375, "height": 812}
    )
    pg = context.new_page()
    if who != "anonymous":
        log_in(pg, getattr(cast, who), cast.password)
    pg.goto("/")
    layout = phone_layout(pg)
    context.close()
    print(f"\n375x812 {who}: {layout}")
    assert layout["header"] <= 120
    assert layout["crisis_bottom"] <= 812  # the whole block, not only its heading
    assert layout["tel_links"] == 3 and layout["smallest_target"] >= 24


def test_consent_page_with_a_consent_revoked_and_empty_at_320(phone, axe, cast):
    log_in(phone, cast.caregiver, cast.password)
    phone.goto("/account/toestemmingen/")
    assert phone.get_by_role("button", name=re.compile("Trek deze toestemming in")).is_visible()
    axe(phone, "accounts-consents-320")
    phone.get_by_role("button", name=re.compile("Trek deze toestemming in")).click()
    phone.wait_for_selector("text=Je hebt deze toestemming ingetrokken")
    axe(phone, "accounts-consents-revoked-320")
    phone.context.clear_cookies()
    log_in(phone, cast.other_caregiver, cast.password)
    phone.goto("/account/toestemmingen/")
    assert phone.get_by_text("Je hebt niemand toestemming gegeven").is_visible()
    axe(phone, "accounts-consents-empty-320")


def test_my_data_and_delete_pages_empty_and_with_errors_at_320(phone, axe, cast):
    log_in(phone, cast.caregiver, cast.password)
    phone.goto("/account/mijn-gegevens/")
    axe(phone, "accounts-my-data-320")
    phone.goto("/account/mijn-gegevens/verwijderen/")
    axe(phone, "accounts-delete-320")
    phone.get_by_role("button", name="Verwijder mijn account definitief").click()
    phone.wait_for_selector(".mz-error-summary")
    axe(phone, "accounts-delete-errors-320")
    phone.get_by_label("Je wachtwoord").fill(cast.password)
    phone.get_by_role("button", name="Verwijder mijn account definitief").click()
    phone.wait_for_selector("text=Je account en alles wat we over je bewaarden, zijn verwijderd.")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_idempotency_refused_page_at_320(phone, axe, cast, language):
    """A form sent again under the key of an earlier, different request: the 422 page."""
    from django.utils import timezone

    from mantelzorg.core.models import IdempotencyKey

    key = "b5c2e0f4-1d7a-4e6b-9a33-0f6c2d8e7a15"
    log_in(phone, cast.caregiver, cast.password)
    if language == "en":
        english(phone)
    phone.goto("/account/toestemmingen/")
    form = phone.locator("form", has=phone.locator("input[name=idempotency_key]")).first
    IdempotencyKey.objects.create(
        owner=f"user:{cast.caregiver.pk}",
        key=key,
        fingerprint="another request",
        path=form.get_attribute("action"),
        created_at=timezone.now(),
        status_code=302,
    )
    form.locator("input[name=idempotency_key]").evaluate(f"i => i.value = '{key}'")
    form.locator("button").click()
    heading = "Dit formulier is al verstuurd" if language == "nl" else "This form was already sent"
    phone.wait_for_selector(f"h1:has-text('{heading}')")
    assert phone.get_by_role("link", name=re.compile("pagina opnieuw|page again")).is_visible()
    axe(phone, f"core-idempotency-refused-{language}-320")


def test_signup_sent_confirm_and_used_link_pages_at_320(phone, axe, db):
    from django.core import mail

    phone.goto("/account/aanmelden/?next=/balanscheck/bewaren/")
    phone.locator("#id_email").fill("nieuw@example.org")
    phone.locator("#id_password").fill("fiets paraplu zonnebloem")
    phone.locator("main button[type=submit]").click()
    assert phone.locator("h1").inner_text() == "Kijk in je e-mail"
    axe(phone, "accounts-signup-sent-320")
    link = re.search(r"https?://[^/\s]+(/account/aanmelden/bevestigen/\S+)", mail.outbox[-1].body).group(1)
    phone.goto(link)
    assert phone.locator("h1").inner_text() == "Maak je account af"
    axe(phone, "accounts-signup-confirm-320")
    phone.get_by_role("button", name="Bevestigen en inloggen").click()
    phone.wait_for_url("**/balanscheck/**")
    phone.goto(link)  # used, by the person now logged in
    assert "Je bent al ingelogd" in phone.locator("main").inner_text()
    axe(phone, "accounts-signup-confirm-used-320")
    phone.context.clear_cookies()
    phone.goto(link)  # used, someone else: the link no longer works
    assert "Deze link werkt niet meer" in phone.locator("main").inner_text()
    axe(phone, "accounts-signup-confirm-invalid-320")


def test_signup_refused_by_the_limit_at_320(phone, axe, db, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": {"address": (1, 3600), "ip": (20, 3600)}}
    for _ in range(2):
        phone.goto("/account/aanmelden/")
        phone.locator("#id_email").fill("vaak@example.org")
        phone.locator("#id_password").fill("fiets paraplu zonnebloem")
        phone.locator("main button[type=submit]").click()
    assert "Je hebt dit te vaak geprobeerd" in phone.locator("main").inner_text()
    assert phone.locator("#id_email").is_visible()  # the form is still there
    axe(phone, "accounts-signup-limited-320")


def test_reset_refused_by_the_limit_at_320(phone, axe, cast, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "password_reset": {"address": (1, 3600), "ip": (20, 3600)},
    }
    for _ in range(2):
        phone.goto("/account/wachtwoord-vergeten/")
        phone.get_by_label("E-mailadres").fill(cast.caregiver.email)
        phone.get_by_role("button", name="Link versturen").click()
    assert "Je hebt dit te vaak geprobeerd" in phone.locator("main").inner_text()
    axe(phone, "accounts-reset-limited-320")


def test_mfa_missing_page_at_320(phone, axe, db):
    from conftest import PASSWORD, make_user
    from mantelzorg.accounts.models import Role

    user = make_user("beheer@example.org", Role.CAREGIVER, mfa=False)
    user.is_staff = True
    user.save()
    phone.goto("/account/inloggen/")
    phone.get_by_label("E-mailadres").fill(user.email)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    assert phone.locator("h1").inner_text() == "Je account heeft een authenticator-app nodig"
    axe(phone, "accounts-mfa-missing-320")


def test_signup_with_a_weak_password_at_320(phone, axe, db):
    phone.goto("/account/aanmelden/")
    phone.locator("#id_email").fill("nieuw@example.org")
    phone.locator("#id_password").fill("welkom123456")
    phone.locator("main button[type=submit]").click()
    message = phone.locator("#id_password_error").inner_text()
    assert "makkelijk te raden" in message and "Gebruik een paar woorden" in message
    axe(phone, "accounts-signup-weak-password-320")
