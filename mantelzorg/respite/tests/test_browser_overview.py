"""The provider's beds and places, the regional overview and a request opened from it in a real browser: every template in
each state at 320, 375 and 1280 px (axe-core 0 violations, no sideways scrolling; screenshots in
test-artifacts/screenshots/respite-*.png), and the closure form done with the keyboard only."""

import pytest

from tests.browser import check, log_in, tab_until, wait_for_focus

from ..models import Closure, Stay, Unit
from .factories import days, make_house
from .overview_world import build_world

# Debian's headless Chromium lays out a date field as mm/dd/yyyy whatever the page's language.
DATE_KEYS = "%m%d%Y"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fresh(page, user, url):
    page.context.clear_cookies()
    log_in(page, user)
    page.goto(url)


def test_the_provider_manages_its_places(page, cast):
    w = build_world(cast)
    fresh(page, w.provider, "/logeerzorg/aanbieder/plaatsen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Je bedden en plaatsen"
    check(page, _axe(), "respite-units-list")

    page.get_by_role("link", name="Een bed of plaats toevoegen").click()
    check(page, _axe(), "respite-unit-new")
    page.get_by_role("button", name="Deze plaats toevoegen").click()
    assert page.locator(".mz-error-summary").is_visible()
    check(page, _axe(), "respite-unit-new-errors")

    page.get_by_label("Naam van het bed of de plaats").fill("Kamer 3")
    page.get_by_label("ELV, laag complex").check()
    page.get_by_label("Dementie").check()
    page.get_by_label("Zvw (zorgverzekering)").check()
    page.get_by_role("button", name="Deze plaats toevoegen").click()
    page.wait_for_url("**/aanbieder/plaatsen/")
    assert "Opgeslagen: Kamer 3." in page.content()
    check(page, _axe(), "respite-units-saved")

    # Kamer 2 has a booked stay coming: taking it out of use is refused with the reason
    page.goto(f"/logeerzorg/aanbieder/plaatsen/{w.units[1].pk}/")
    check(page, _axe(), "respite-unit-edit")
    page.get_by_role("button", name="Deze plaats buiten gebruik zetten").click()
    assert "Er komen nog gasten" in page.content()
    check(page, _axe(), "respite-unit-refused")

    new = Unit.objects.get(name="Kamer 3")
    page.goto(f"/logeerzorg/aanbieder/plaatsen/{new.pk}/")
    page.get_by_role("button", name="Deze plaats buiten gebruik zetten").click()
    page.wait_for_url("**/aanbieder/plaatsen/")
    assert "buiten gebruik" in page.content()
    check(page, _axe(), "respite-units-out-of-use")
    page.goto(f"/logeerzorg/aanbieder/plaatsen/{new.pk}/")
    check(page, _axe(), "respite-unit-inactive")
    page.get_by_role("button", name="Deze plaats weer in gebruik nemen").click()
    page.wait_for_url("**/aanbieder/plaatsen/")

    # the closure of the world: removed from the edit page
    page.goto(f"/logeerzorg/aanbieder/plaatsen/{w.unit.pk}/")
    page.get_by_role("button", name="Verwijderen").first.click()
    assert "De sluiting is weg" in page.content()
    assert not Closure.objects.filter(pk=w.closure.pk).exists()
    check(page, _axe(), "respite-unit-closure-removed")


def test_a_provider_without_places(page, cast):
    from mantelzorg.accounts.models import Organisation

    from .overview_world import provider

    org = Organisation.objects.create(name="Voorbeeld Nieuw", kind=Organisation.Kind.CARE_PROVIDER)
    make_house("Voorbeeld Logeerhuis Nieuw", units=0, account_organisation=org)
    fresh(page, provider("nieuw@example.org", org), "/logeerzorg/aanbieder/plaatsen/")
    assert "Je hebt nog geen bedden of plaatsen." in page.content()
    check(page, _axe(), "respite-units-empty")


def test_the_closure_form_with_the_keyboard_only(page, cast):
    w = build_world(cast)
    fresh(page, w.provider, f"/logeerzorg/aanbieder/plaatsen/{w.unit.pk}/sluiting/")
    check(page, _axe(), "respite-closure")
    tab_until(page, lambda e: e["type"] == "submit" and "opslaan" in e["text"])
    page.keyboard.press("Enter")
    page.wait_for_selector(".mz-error-summary")
    # the summary takes the focus without JavaScript (autofocus): a keyboard user starts there
    wait_for_focus(page, "mz-error-summary")
    check(page, _axe(), "respite-closure-errors")

    first, last = days(40), days(42)
    page.locator("body").click(position={"x": 1, "y": 1})  # start from the top again, by keyboard
    page.keyboard.press("Home")
    tab_until(page, lambda e: e["name"] == "first_day")
    page.keyboard.type(first.strftime(DATE_KEYS))
    tab_until(page, lambda e: e["name"] == "last_day")
    page.keyboard.type(last.strftime(DATE_KEYS))
    values = page.evaluate("[...document.querySelectorAll('input[type=date]')].map(e => e.value)")
    assert values == [first.isoformat(), last.isoformat()], values
    tab_until(page, lambda e: e["name"] == "reason")
    page.keyboard.press("ArrowDown")  # Gesloten → Onderhoud
    tab_until(page, lambda e: e["type"] == "submit")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/aanbieder/plaatsen/{w.unit.pk}/")
    closure = Closure.objects.get(unit=w.unit, first_day=first)
    assert (closure.last_day, closure.reason) == (last, "maintenance")
    assert "De sluiting is opgeslagen" in page.content()


def test_the_regional_overview(page, cast):
    w = build_world(cast)
    fresh(page, w.coordinator, "/logeerzorg/regio/")
    assert page.get_by_role("heading", level=1).inner_text() == "Logeerplaatsen in je regio"
    assert page.get_by_role("table", name="Vrije plaatsen per dag: Logeerzorg (Wmo), Utrecht").is_visible()
    check(page, _axe(), "respite-region-coordinator")
    page.locator(".mz-days summary").first.click()
    check(page, _axe(), "respite-region-days-open")

    # a waiting request opens, read only, with the phone of the person who asked and of the house
    Stay.objects.filter(pk=w.held.pk).update(contact_phone="06 12345678", needs="Slaapt slecht.")
    page.get_by_role("link", name="Voorbeeld Logeerhuis De Linde").click()
    page.wait_for_url(f"**/regio/aanvragen/{w.held.pk}/")
    assert page.locator('a[href="tel:+31612345678"]').is_visible()
    assert page.locator("main form").count() == 0
    check(page, _axe(), "respite-region-stay")

    fresh(page, w.staff, "/logeerzorg/regio/")
    assert "Alleen aantallen" in page.content() and "De Linde" not in page.content()
    check(page, _axe(), "respite-region-staff")

    Stay.objects.all().delete()
    Unit.objects.filter(municipality_id="GM0363").update(active=False)
    fresh(page, w.other_staff, "/logeerzorg/regio/")
    assert "nog geen bedden of plaatsen in gebruik" in page.content()
    check(page, _axe(), "respite-region-empty")


def test_gemeente_staff_set_the_nights_a_year_with_the_keyboard(page, cast):
    """On a 375 px phone, keyboard only: from the regional overview to the nights page, a wrong
    number (the error summary takes the focus), then 18 nights this year and none next year."""
    from django.utils import timezone

    from ..models import Allowance

    w = build_world(cast)
    year = timezone.localdate().year
    Allowance.objects.create(municipality_id="GM0344", year=year + 1, nights=12)
    page.set_viewport_size({"width": 375, "height": 812})
    fresh(page, w.staff, "/logeerzorg/regio/")
    tab_until(page, lambda e: e["href"] == "/logeerzorg/regio/nachten/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/logeerzorg/regio/nachten/")
    assert page.get_by_role("heading", level=1).inner_text() == "Nachten logeerzorg per jaar"
    assert "Inwoners zien bijvoorbeeld: nog 7 van 12 nachten over." in page.content()
    check(page, _axe(), "respite-nights")

    page.set_viewport_size({"width": 375, "height": 812})
    tab_until(page, lambda e: e["name"] == f"GM0344-nachten_{year}")
    page.keyboard.type("400")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector(".mz-error-summary")
    wait_for_focus(page, "mz-error-summary")
    assert "Vul een heel getal in van 0 tot en met 365" in page.content()
    assert not Allowance.objects.filter(year=year).exists()
    check(page, _axe(), "respite-nights-errors")

    page.set_viewport_size({"width": 375, "height": 812})
    tab_until(page, lambda e: e["name"] == f"GM0344-nachten_{year}")
    page.keyboard.press("Control+A")
    page.keyboard.type("18")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")  # empty: no maximum next year
    tab_until(page, lambda e: e["type"] == "submit")
    page.keyboard.press("Enter")
    page.wait_for_url("**/logeerzorg/regio/nachten/")
    assert "Opgeslagen. Mantelzorgers in Utrecht zien de nieuwe nachten meteen." in page.content()
    assert dict(Allowance.objects.values_list("year", "nights")) == {year: 18}
    check(page, _axe(), "respite-nights-saved")


def _axe():
    from tests.browser import run_axe

    return run_axe
