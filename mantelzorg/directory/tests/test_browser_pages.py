"""Every page template of the sociale kaart in each of its states, in a real browser at a 320 px
viewport (issue 9, point 17): axe-core 0 violations and no horizontal scrolling at 320 and 375
px (``tests.browser.run_axe``). Screenshots: test-artifacts/screenshots/directory-*.png (320 px),
*@375.png and *@1280.png.

Data has the long Dutch compounds that made pages too wide ("Mantelzorgspreekuur…") and, like
the demo data, offers with the same name."""

import pytest

from mantelzorg.directory.models import Organization, Phone
from tests.browser import check, log_in

from .factories import make_org, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}
LONG = "Voorbeeld Mantelzorgspreekuurondersteuningsvoorziening Amsterdam-Centrum"


@pytest.fixture
def world(cast):
    own = make_org(
        "Voorbeeld Stichting Mantelzorgondersteuningscentrum Amsterdam",
        kind=Organization.Kind.SUPPORT_CENTRE,
        municipalities=["GM0363"],
        account_organisation=cast.organisation,
    )
    Phone.objects.create(organization=own, number="020 123 45 67")
    long = make_service(
        LONG,
        org=own,
        respite=("at_home", "respite_stay"),
        domains=("respite", "emotional_support"),
        targets=("dementia",),
        description="Lotgenotencontact en respijtzorgmogelijkheden voor mantelzorgers bij dementie.",
        cost_kind="own_contribution",
        schedule={"byday": "MO,TU,WE", "opens_at": "09:00", "closes_at": "17:00"},
    )
    Phone.objects.create(service=long, number="+31 (0)20 765 43 21")
    for i in range(3):
        make_service(
            "Voorbeeld Logeerhuis Amsterdam", org=own, respite=("respite_stay",), postcode=f"10{17 + i}"
        )
    make_service("Voorbeeld Dementiecafé Utrecht", postcode="3511", description="Alzheimer Café")
    return {"long": long, "org": own}


def sideways_scrollers(page) -> list[str]:
    """Boxes inside the page that scroll sideways at the current width (a table in .mz-table-wrap:
    the document does not get wider, but the reader still has to scroll)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(el => {
            const cs = getComputedStyle(el);
            return ['auto', 'scroll'].includes(cs.overflowX) && el.scrollWidth > el.clientWidth + 1;
        }).map(el => el.className)"""
    )


def test_public_pages_in_every_state_at_320_px(page, axe, world):
    page.set_viewport_size(PHONE)
    page.goto("/sociale-kaart/")
    check(page, axe, "directory-search-empty")
    page.goto("/sociale-kaart/?postcode=1012")
    assert page.locator(f"text={LONG}").count() == 1
    assert page.locator("#id_afstand").input_value() == "10"
    check(page, axe, "directory-search-results")
    page.goto("/sociale-kaart/?postcode=1012&q=bestaatnietwoord")
    page.wait_for_selector("text=We vonden niets")
    check(page, axe, "directory-search-no-results")
    page.goto("/sociale-kaart/?q=dementie")
    page.wait_for_selector("text=Je zoekt nu in heel Nederland. Vul je postcode in voor hulp dichtbij.")
    assert page.locator("text=Voorbeeld Dementiecafé Utrecht").count() == 1
    check(page, axe, "directory-search-national")
    page.goto("/sociale-kaart/?postcode=&gemeente=&q=")
    page.wait_for_selector("text=Vul je postcode of gemeente in")
    check(page, axe, "directory-search-nothing-to-search")
    page.goto("/sociale-kaart/?postcode=12AB34&gemeente=Bergen")
    page.wait_for_selector(".mz-error-summary")
    check(page, axe, "directory-search-errors")

    detail = f"/sociale-kaart/aanbod/{world['long'].id}/"
    page.goto(detail)
    assert page.get_by_role("link", name="Terug naar zoeken").get_attribute("href") == "/sociale-kaart/"
    check(page, axe, "directory-service-detail")
    page.goto(detail + "?terug=/balanscheck/uitslag/")
    assert (
        page.get_by_role("link", name="Terug naar je uitslag").get_attribute("href")
        == "/balanscheck/uitslag/"
    )
    check(page, axe, "directory-service-detail-from-balanscheck")

    page.goto("/steunpunten/")
    assert sideways_scrollers(page) == []  # the table stacks its rows on a phone
    check(page, axe, "directory-support-centres")
    page.goto("/steunpunten/?q=Den+Bosch")
    check(page, axe, "directory-support-centres-search")
    page.goto("/gemeenten/GM0363/respijtzorg/")
    assert page.locator(".mz-card").count() == 4  # one per offer
    check(page, axe, "directory-respite-menu")
    page.goto("/gemeenten/GM0014/respijtzorg/")  # Groningen: no offers
    page.wait_for_selector("text=We kennen geen aanbod van deze soort in deze gemeente.")
    check(page, axe, "directory-respite-menu-empty")


def test_search_to_offer_and_back_keeps_the_search(page, world):
    page.set_viewport_size(PHONE)
    page.goto("/sociale-kaart/")
    page.fill("#id_postcode", "1012 AB")
    page.select_option("#id_afstand", "25")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name=LONG).click()
    page.wait_for_selector(f"h1:has-text('{LONG}')")
    page.get_by_role("link", name="Terug naar zoeken").click()
    page.wait_for_selector(f"text={LONG}")
    assert page.locator("#id_postcode").input_value() == "1012 AB"
    assert page.locator("#id_afstand").input_value() == "25"


def test_english_pages_at_320_px(page, axe, world):
    page.set_viewport_size(PHONE)
    page.goto("/taal/en/?next=/gemeenten/GM0363/respijtzorg/")
    page.wait_for_selector("html[lang=en]")
    assert (
        page.locator("text=The person you care for stays somewhere else for one or more nights.").count() == 1
    )
    check(page, axe, "directory-respite-menu-en")
    page.goto("/sociale-kaart/?q=dementie")
    check(page, axe, "directory-search-national-en")


def test_staff_pages_in_every_state_at_320_px(page, axe, cast, world):
    page.set_viewport_size(PHONE)
    log_in(page, cast.staff, cast.password)
    page.goto("/gemeenten/GM0363/respijtzorg/bewerken/")
    names = [
        page.get_by_role("spinbutton").nth(i).evaluate("el => el.getAttribute('aria-labelledby')")
        for i in range(page.get_by_role("spinbutton").count())
    ]
    assert len(names) == 4
    check(page, axe, "directory-menu-edit")
    page.get_by_role("spinbutton").first.fill("1000")
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_selector(".mz-error-summary")
    check(page, axe, "directory-menu-edit-errors")

    page.goto("/sociale-kaart/beheer/")
    assert sideways_scrollers(page) == []
    check(page, axe, "directory-manage")
    page.get_by_label("Zoek op naam of organisatie").fill("logeerhuis")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_selector("text=3 aanbod met “logeerhuis”")
    check(page, axe, "directory-manage-search")

    page.goto("/sociale-kaart/beheer/aanbod/nieuw/")
    check(page, axe, "directory-service-new")
    page.get_by_label("Telefoonnummer").fill("abc")
    page.locator("main button[type=submit]").first.click()
    page.wait_for_selector("#id_phone_error")
    assert "Gebruik alleen cijfers" in page.locator("#id_phone_error").inner_text()
    check(page, axe, "directory-service-form-errors")
    page.goto(f"/sociale-kaart/beheer/aanbod/{world['long'].id}/")
    check(page, axe, "directory-service-edit")
    page.goto(f"/sociale-kaart/beheer/aanbod/{world['long'].id}/verwijderen/")
    check(page, axe, "directory-service-withdraw")


def test_every_position_field_has_a_unique_accessible_name(page, cast, world):
    """The accessible names as Chromium computes them (aria-labelledby: "Volgnummer" + the offer)."""
    log_in(page, cast.staff, cast.password)
    page.goto("/gemeenten/GM0363/respijtzorg/bewerken/")
    snapshot = page.locator("ol.mz-order").aria_snapshot()
    names = [line.split('"')[1] for line in snapshot.splitlines() if "spinbutton" in line]
    assert len(names) == 4 and len(set(names)) == 4, names
    assert all(n.startswith("Volgnummer Voorbeeld") for n in names)
    for name in names:
        assert page.get_by_role("spinbutton", name=name, exact=True).count() == 1


def test_hsds_import_page_empty_and_with_errors_at_320_px(page, axe, cast, tmp_path):
    page.set_viewport_size(PHONE)
    log_in(page, cast.admin, cast.password)
    page.goto("/sociale-kaart/beheer/hsds/")
    check(page, axe, "directory-hsds-admin")
    broken = tmp_path / "services.json"
    broken.write_text('{"not": "hsds"', encoding="utf-8")
    page.set_input_files("input[type=file]", str(broken))
    page.locator("main button[type=submit]").first.click()
    page.wait_for_selector(".utrecht-alert--error")
    check(page, axe, "directory-hsds-admin-errors")


def test_hsds_import_of_an_official_example_shows_the_notes_at_320_px(page, axe, cast):
    from .test_hsds_support import SCHEMAS

    page.set_viewport_size(PHONE)
    log_in(page, cast.admin, cast.password)
    page.goto("/sociale-kaart/beheer/hsds/")
    page.set_input_files("input[type=file]", str(SCHEMAS / "examples" / "organization_full.json"))
    page.locator("main button[type=submit]").first.click()
    page.wait_for_selector(".utrecht-alert--ok")
    try:
        notes = page.get_by_role("table", name="Bewaard, maar kijk hier even naar")
        assert notes.get_by_role("row").count() == 4
        check(page, axe, "directory-hsds-admin-notes")
    finally:  # the example's taxonomy and term: reference tables are not flushed between tests
        from mantelzorg.directory.models import Taxonomy

        Taxonomy.objects.filter(id="5c4d79d7-cc55-470e-9f1f-8cad074e4892").delete()
