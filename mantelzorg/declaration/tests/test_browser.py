"""The verifier page in a real browser: the empty form, a form error, every outcome (pasted text)
and a QR picture (uploaded), each at 320, 375 and 1280 px: axe-core 0 violations, no horizontal
scrolling, screenshots in test-artifacts/screenshots/declaration-verify-*.png. Without JavaScript
too: the page needs none."""

import json

import pytest
import segno

from tests.browser import SCREENSHOTS, check

from .conftest import VECTORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
CASES = {
    "valid_parking": "Geldig",
    "valid_employer": "Geldig",
    "expired": "Verlopen",
    "revoked": "Ingetrokken",
    "tampered": "Niet echt",
    "wrong_prefix": "Onleesbaar",
}
HEIGHTS = {}


def code_of(name):
    return next(vector["code"] for vector in VECTORS if vector["name"] == name)


def height_at_375(page, name):
    page.set_viewport_size(PHONE)
    HEIGHTS[name] = page.evaluate("document.documentElement.scrollHeight")


def test_the_verifier_page_in_every_state(page, axe, trust, tmp_path):
    page.set_viewport_size(PHONE)
    page.goto("/verklaring/controleren/")
    assert (
        page.get_by_role("heading", level=1).inner_text().replace("\xad", "")
        == "Een mantelzorgverklaring controleren"
    )
    height_at_375(page, "form")
    check(page, axe, "declaration-verify-form")

    page.get_by_role("button", name="Controleren").click()
    assert "Plak de tekst van de code" in page.content()
    check(page, axe, "declaration-verify-form-error")

    for name, word in CASES.items():
        page.goto("/verklaring/controleren/")
        page.get_by_label("Tekst van de code").fill(code_of(name))
        page.get_by_role("button", name="Controleren").click()
        assert page.locator(".mz-verdict__word").inner_text() == word
        for width in (320, 375):  # the verdict is one word on one line, never "Ingetrokke-n"
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            lines = page.locator(".mz-verdict__word").evaluate(
                "e => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))"
            )
            assert lines == 1, (name, width, lines)
        page.set_viewport_size(PHONE)
        if word == "Geldig":
            assert page.get_by_role("heading", name="Vergelijk met een identiteitsbewijs").is_visible()
        height_at_375(page, name)
        check(page, axe, f"declaration-verify-{name}")

    picture = tmp_path / "qr.png"
    segno.make_qr(code_of("valid_parking"), error="q").save(str(picture), scale=6, border=4)
    page.goto("/verklaring/controleren/")
    page.get_by_label("Of een foto of schermafbeelding van de QR-code").set_input_files(str(picture))
    page.get_by_role("button", name="Controleren").click()
    assert page.locator(".mz-verdict__word").inner_text() == "Geldig"
    height_at_375(page, "qr_upload_valid")
    check(page, axe, "declaration-verify-qr-upload")

    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("RGB", (300, 200), "white").save(blank)
    page.goto("/verklaring/controleren/")
    page.get_by_label("Of een foto of schermafbeelding van de QR-code").set_input_files(str(blank))
    page.get_by_role("button", name="Controleren").click()
    assert "Er is geen QR-code gevonden" in page.content()
    height_at_375(page, "no_qr")
    check(page, axe, "declaration-verify-no-qr")
    (SCREENSHOTS / "declaration-verify-heights.json").write_text(json.dumps(HEIGHTS, indent=2))


def test_the_verifier_works_without_javascript(browser, live_server, trust):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    try:
        page.goto("/verklaring/controleren/")
        page.get_by_label("Tekst van de code").fill(code_of("revoked"))
        page.get_by_role("button", name="Controleren").click()
        assert page.locator(".mz-verdict__word").inner_text() == "Ingetrokken"
    finally:
        context.close()
