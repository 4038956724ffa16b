"""The caregiver's side in a real browser, in Dutch, on a 375 × 812 phone.

The journey (issue 14): from the home page to a QR code for a parking permit, keyboard only (Tab,
arrows, Space, Enter, typing), then the counter checks it on its own device. It records screens
(page loads the caregiver sees, signing in beforehand not counted) and fields filled in
test-artifacts/declaration-journey.json (target: at most 6 screens). The QR code on the screen is
decoded from a screenshot (zxing-cpp) and must be the code's text.

Then every other page of the caregiver and the issuer in its states: axe-core 0 violations, no
horizontal scrolling at 320 and 375 px, screenshots at 375/320 and 1280 px
(test-artifacts/screenshots/declaration-*.png)."""

import json
from io import BytesIO

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from conftest import PASSWORD
from mantelzorg.declaration import services
from mantelzorg.declaration.models import Declaration, RelyingParty
from tests.browser import ROOT, SCREENSHOTS, check, log_in, tab_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
FIGURES = ROOT / "test-artifacts" / "declaration-journey.json"


class Walk:
    def __init__(self, page):
        self.screens = 0
        self.fields = 0
        page.on("load", lambda _page: self._loaded())

    def _loaded(self):
        self.screens += 1


def focus(page, **match):
    return tab_until(page, lambda info: all(info.get(k) == v for k, v in match.items()))


def enter_on(page, walk, **match):
    focus(page, **match)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, walk, name, text):
    focus(page, name=name)
    page.keyboard.type(text)
    walk.fields += 1


def test_from_the_home_page_to_a_parking_qr_code_by_keyboard_and_checked_at_a_counter(
    page, axe, cast, signing, issuer, browser, live_server
):
    page.set_viewport_size(PHONE)
    log_in(page, cast.caregiver, PASSWORD)
    walk = Walk(page)
    started = timezone.now()
    page.goto("/")
    enter_on(page, walk, href="/verklaring/")
    check(page, axe, "declaration-home-empty")
    page.set_viewport_size(PHONE)
    enter_on(page, walk, href="/verklaring/nieuw/")
    check(page, axe, "declaration-form")
    page.set_viewport_size(PHONE)

    focus(page, name="relation")  # the first radio; arrows choose within the group
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    walk.fields += 1
    assert page.locator("input[name=relation]:checked").get_attribute("value") == "relative"
    type_into(page, walk, "postcode", "1053 AB")
    type_into(page, walk, "since_month", "sep")
    type_into(page, walk, "since_year", "2023")
    type_into(page, walk, "hours_per_week", "12")
    focus(page, name="tasks")
    page.keyboard.press("Space")  # household
    walk.fields += 1
    type_into(page, walk, "initials", "AV")
    type_into(page, walk, "birth_day", "14")
    type_into(page, walk, "birth_month", "maa")
    focus(page, name="truthful")
    page.keyboard.press("Space")
    walk.fields += 1
    enter_on(page, walk, text="Maak mijn verklaring")
    declaration = Declaration.objects.get()
    assert (declaration.care_since.month, declaration.birth_month, declaration.tasks) == (9, 3, ["household"])
    check(page, axe, "declaration-detail-self-declared")
    page.set_viewport_size(PHONE)
    enter_on(page, walk, href=f"/verklaring/{declaration.pk}/voor/parking/")
    check(page, axe, "declaration-purpose-parking")
    page.set_viewport_size(PHONE)
    enter_on(page, walk, text="Laat mijn QR-code zien")
    assert page.url.endswith("/voor/parking/qr/")
    seconds = (timezone.now() - started).total_seconds()

    code = page.locator("#code-text").inner_text().strip()
    qr = page.locator(".mz-qr__svg")
    box = qr.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], "the whole QR code is on the first screen"
    decoded = zxingcpp.read_barcodes(Image.open(BytesIO(qr.screenshot())))
    assert [d.text for d in decoded] == [code]
    check(page, axe, "declaration-qr-parking")

    counter = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    desk = counter.new_page()
    desk.goto("/verklaring/controleren/")
    desk.get_by_label("Tekst van de code").fill(code)
    desk.get_by_role("button", name="Controleren").click()
    assert desk.locator(".mz-verdict__word").inner_text() == "Geldig"
    desk.screenshot(path=str(SCREENSHOTS / "declaration-journey-counter.png"), full_page=True)
    text = desk.locator("main").inner_text()
    for shown in ("AV", "1053", "Zelfverklaard"):
        assert shown in text, (shown, text)
    counter.close()

    figures = {
        "screens": walk.screens,
        "fields_filled": walk.fields,
        "keyboard_only": True,
        "seconds_scripted": round(seconds, 1),
        "qr_top_y": round(box["y"]),
        "qr_size_px": round(box["width"]),
        "code_characters": len(code),
    }
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True))
    print(figures)
    assert walk.screens <= 6, figures


def _made(cast, **changes):
    from .caregiver import FORM

    data = {**FORM, **changes}
    from mantelzorg.declaration.forms import DeclarationForm

    form = DeclarationForm(data, today=timezone.localdate())
    assert form.is_valid(), form.errors
    return services.declaration_create(request=None, caregiver=cast.caregiver, data=form.to_data())


def test_every_page_of_the_caregiver_in_its_states(page, axe, cast, signing, issuer):
    page.goto("/verklaring/")
    check(page, axe, "declaration-home-visitor")
    page.goto("/verklaring/controleren/aanmelden/")
    check(page, axe, "declaration-register")
    page.get_by_role("button", name="Aanmelden").click()
    check(page, axe, "declaration-register-errors")
    page.get_by_label("Naam van de organisatie").fill("Woonstichting Voorbeeld")
    page.get_by_label("Doel").select_option("housing")
    page.get_by_label("Wat je bewaart van een gecontroleerde code").fill("De uitkomst")
    page.get_by_label("Hoe lang je het bewaart").fill("2 jaar")
    page.get_by_label("E-mailadres of website voor vragen").fill("w@example.nl")
    page.get_by_role("button", name="Aanmelden").click()
    check(page, axe, "declaration-register-done")

    log_in(page, cast.caregiver, PASSWORD)
    page.goto("/verklaring/nieuw/")
    page.get_by_role("button", name="Maak mijn verklaring").click()
    check(page, axe, "declaration-form-errors")

    declaration = _made(cast)
    RelyingParty.objects.create(
        name="Gemeente Amsterdam, Parkeren",
        purpose="parking",
        municipality_id="GM0363",
        keeps="De datum van de controle en de uitkomst, niet de code.",
        retention="Zolang de vergunning loopt, daarna 1 jaar.",
        contact="parkeren@example.nl",
        approved_at=timezone.now(),
    )
    page.goto(f"/verklaring/{declaration.pk}/voor/parking/")
    assert "Gemeente Amsterdam, Parkeren" in page.content()
    check(page, axe, "declaration-purpose-with-relying-party")
    page.get_by_role("button", name="Laat mijn QR-code zien").click()
    page.goto("/verklaring/")
    check(page, axe, "declaration-home-current")
    page.goto(f"/verklaring/{declaration.pk}/")
    page.get_by_label(issuer.organisation.name).check()
    page.get_by_role("button", name="Vraag om bevestiging").click()
    check(page, axe, "declaration-detail-submitted")
    services.review_ask(
        request=None,
        declaration=Declaration.objects.get(pk=declaration.pk),
        question="Sinds wanneer zorg je voor je moeder?",
    )
    page.goto(f"/verklaring/{declaration.pk}/")
    check(page, axe, "declaration-detail-question")
    page.goto(f"/verklaring/{declaration.pk}/verlengen/")
    check(page, axe, "declaration-renew")
    page.goto(f"/verklaring/{declaration.pk}/intrekken/")
    check(page, axe, "declaration-revoke")

    refused = _made(cast, hours_per_week="5")
    services.declaration_submit(request=None, declaration=refused, issuer=issuer)
    services.review_refuse(request=None, declaration=refused, reason="Wij kennen je nog niet. Bel ons even.")
    page.goto(f"/verklaring/{refused.pk}/")
    check(page, axe, "declaration-detail-refused")
    services.declaration_revoke(request=None, declaration=refused)
    page.goto(f"/verklaring/{refused.pk}/")
    check(page, axe, "declaration-detail-revoked")

    page.context.clear_cookies()
    log_in(page, cast.professional, PASSWORD)
    page.goto("/verklaring/beoordelen/")
    check(page, axe, "declaration-review-queue")
    page.goto(f"/verklaring/beoordelen/{declaration.pk}/")
    check(page, axe, "declaration-review-detail")
    page.get_by_role("button", name="Niet bevestigen").click()  # without a reason: said at the field
    check(page, axe, "declaration-review-detail-error")
    page.get_by_role("button", name="Bevestigen", exact=True).click()
    page.wait_for_url("**/verklaring/beoordelen/")
    assert Declaration.objects.get(pk=declaration.pk).confirmed


def test_without_a_signing_key_the_qr_page_says_so(page, axe, cast, signing, monkeypatch):
    from mantelzorg.declaration import keys

    declaration = _made(cast)
    services.attestation_create(request=None, declaration=declaration, purpose="employer")
    monkeypatch.delenv(keys.ENV_INLINE)
    monkeypatch.setenv(keys.ENV_FILE, "/nonexistent/keys.json")
    log_in(page, cast.caregiver, PASSWORD)
    response = page.goto(f"/verklaring/{declaration.pk}/voor/employer/qr/")
    assert response.status == 503
    check(page, axe, "declaration-unavailable")
