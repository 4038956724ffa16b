"""Home, login, 404 and the language switch in a real browser, with axe-core and the keyboard."""

import re

import pytest

from tests.browser import tab_until

pytestmark = pytest.mark.browser


def test_home_page_is_accessible_and_in_dutch(page, axe):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Zorg je voor iemand die dicht bij je staat?"
    axe(page, "home")


def test_home_page_reflows_at_320_css_pixels_without_horizontal_scroll(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 320, "height": 640}, device_scale_factor=2
    )
    pg = context.new_page()
    pg.goto("/")
    overflow = pg.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert overflow <= 0


def test_keyboard_only_walk_from_skip_link_to_the_balance_check(page):
    page.goto("/")
    first = tab_until(page, lambda el: el["tag"] == "A")
    assert first["href"] == "#main"  # the skip link comes first
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    link = tab_until(page, lambda el: el["href"] == "/balanscheck/")
    assert link["text"]


def test_login_page_errors_are_accessible(page, axe, cast):
    page.goto("/account/inloggen/")
    axe(page, "login-empty")
    page.get_by_label("E-mailadres").fill(cast.caregiver.email)
    page.get_by_label("Wachtwoord").fill("wrong password")
    page.get_by_role("button", name="Inloggen").click()
    assert page.locator(".mz-error-summary").is_visible()
    axe(page, "login-error")


def test_keyboard_only_login(page, cast):
    page.goto("/account/inloggen/")
    tab_until(page, lambda el: el["name"] == "email")
    page.keyboard.type(cast.caregiver.email)
    page.keyboard.press("Tab")
    page.keyboard.type(cast.password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^http://[^/]+/$"))
    assert page.get_by_role("button", name="Uitloggen").is_visible()


def test_404_page_is_dutch_and_accessible(page, axe):
    response = page.goto("/deze-pagina-bestaat-niet/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Pagina niet gevonden"
    axe(page, "404")


def test_a_form_in_another_character_set_gets_a_dutch_accessible_page(page, axe):
    """The login form sent as ISO-8859-1 (rewritten on its way out): a 415 page, in Dutch."""
    page.goto("/account/inloggen/")

    def latin1(route):
        headers = {
            **route.request.headers,
            "content-type": "application/x-www-form-urlencoded; charset=iso-8859-1",
        }
        route.continue_(headers=headers)

    page.route("**/account/inloggen/", latin1)
    page.get_by_label("E-mailadres").fill("iemand@example.org")
    page.get_by_label("Wachtwoord").fill("wrong password")
    with page.expect_response("**/account/inloggen/") as answer:
        page.get_by_role("button", name="Inloggen").click()
    assert answer.value.status == 415
    assert page.locator("h1").inner_text() == "Het formulier kon niet worden gelezen"
    axe(page, "unsupported-charset")


def test_language_switch_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="nl-NL")
    pg = context.new_page()
    pg.goto("/")
    pg.get_by_role("link", name="English").click()
    assert pg.locator("html").get_attribute("lang") == "en"
    assert pg.locator("h1").inner_text() == "Do you care for someone close to you?"
    pg.get_by_role("link", name="Nederlands").click()
    assert pg.locator("html").get_attribute("lang") == "nl"
    context.close()


def test_english_home_page_is_accessible(page, axe):
    page.goto("/")
    page.get_by_role("link", name="English").click()
    page.wait_for_selector("html[lang=en]")
    axe(page, "home-en")
