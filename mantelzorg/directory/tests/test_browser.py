"""Browser walk: search → detail → menukaart, axe 0 violations, keyboard-only search."""

import pytest

from tests.browser import tab_until

from .factories import make_org, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data():
    from mantelzorg.directory.models import Organization

    make_org(
        "Voorbeeld Steunpunt Mantelzorg Amsterdam",
        kind=Organization.Kind.SUPPORT_CENTRE,
        municipalities=["GM0363"],
    )
    make_service(
        "Voorbeeld Logeerhuis Amsterdam",
        respite=("respite_stay",),
        domains=("respite",),
        needs_indication=True,
        cost_kind="own_contribution",
        schedule={"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"},
    )
    make_service("Voorbeeld Mantelzorgcafé", domains=("emotional_support",))


def test_search_detail_menu(page, axe, data):
    page.goto("/sociale-kaart/")
    axe(page, "directory-search-empty")
    page.fill("#id_postcode", "1012 AB")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_selector("text=Voorbeeld Logeerhuis Amsterdam")
    axe(page, "directory-search-results")
    page.click("text=Voorbeeld Logeerhuis Amsterdam")
    page.wait_for_selector("h1:has-text('Voorbeeld Logeerhuis Amsterdam')")
    axe(page, "directory-service-detail")
    page.goto("/gemeenten/GM0363/respijtzorg/")
    assert page.locator("text=Voorbeeld Logeerhuis Amsterdam").count() == 1
    axe(page, "directory-respite-menu")
    page.goto("/sociale-kaart/?postcode=XX")
    axe(page, "directory-search-error")
    page.goto("/steunpunten/?q=Amsterdam")
    axe(page, "directory-support-centres")


def test_keyboard_only_search(page, data):
    page.goto("/sociale-kaart/")
    tab_until(page, lambda el: el["id"] == "id_postcode")
    page.keyboard.type("1012")
    tab_until(page, lambda el: el["tag"] == "BUTTON" and el["text"] == "Zoeken")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Voorbeeld Mantelzorgcafé")
    tab_until(page, lambda el: (el["text"] or "").startswith("Voorbeeld Logeerhuis"))
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Voorbeeld Logeerhuis Amsterdam')")


def test_editor_edits_and_withdraws_an_offer(page, axe, cast):
    """The editing pages in a real browser: edit form and the withdraw confirmation, axe-clean,
    and the offer is gone from the search afterwards."""
    own = make_org(
        "Voorbeeld Steunpunt Amsterdam", municipalities=["GM0363"], account_organisation=cast.organisation
    )
    service = make_service("Voorbeeld Praatgroep Amsterdam", org=own, domains=("emotional_support",))
    page.goto("/account/inloggen/")
    page.get_by_label("E-mailadres").fill(cast.editor.email)
    page.get_by_label("Wachtwoord").fill(cast.password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector("role=button[name='Uitloggen']")
    page.goto(f"/sociale-kaart/beheer/aanbod/{service.id}/")
    axe(page, "directory-service-edit")
    page.locator("a[href$='/verwijderen/']").click()
    page.wait_for_selector("h1:has-text('Voorbeeld Praatgroep Amsterdam')")
    axe(page, "directory-service-withdraw")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url("**/sociale-kaart/beheer/")
    page.goto("/sociale-kaart/?postcode=1012&afstand=10")
    assert page.locator("text=Voorbeeld Praatgroep Amsterdam").count() == 0
