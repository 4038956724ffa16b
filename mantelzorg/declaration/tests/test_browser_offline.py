"""The verifier page offline (issue 14, C6): opened once online, it keeps working without a network
(service worker; keys, status list and organisations kept by the page's script) and checks a code
on the device with the same outcome as the server. Every shipped vector, offline; a revocation
seen from the kept list; a kept list older than 24 hours; keyboard only; the camera button only
where the browser can read QR codes. axe 0 violations, no horizontal scrolling at 320 px,
screenshots in test-artifacts/screenshots/declaration-offline-*.png (375 and 1280 px)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.signals import request_started

from tests.browser import check, tab_until

from .conftest import NOW, ORGANISATIONS, VECTORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
WORDS = {
    "valid": "Geldig",
    "expired": "Verlopen",
    "revoked": "Ingetrokken",
    "not_genuine": "Niet echt",
    "malformed": "Onleesbaar",
}
PAGE = "/verklaring/controleren/"


def moment(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


class ServerHits:
    """Paths the live server was asked for (it runs in this process): none while offline."""

    def __init__(self):
        self.paths: list[str] = []
        self.posts: list[str] = []

    def __call__(self, sender, environ=None, **kwargs):
        path = (environ or {}).get("PATH_INFO", "")
        self.paths.append(path)
        if (environ or {}).get("REQUEST_METHOD") == "POST":
            self.posts.append(path)


@pytest.fixture
def hits():
    recorder = ServerHits()
    request_started.connect(recorder, dispatch_uid="mz-offline-hits")
    yield recorder
    request_started.disconnect(dispatch_uid="mz-offline-hits")


@pytest.fixture
def context(browser, live_server, settings, trust):
    settings.DEBUG = False
    ctx = browser.new_context(
        base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam", viewport=PHONE
    )
    ctx.clock.set_fixed_time(moment(NOW))  # the vectors' "now"
    yield ctx
    ctx.close()


def open_online_then_offline(context, hits):
    """Open the page online until its service worker and trust material are in place, then go
    offline and reload: from here on the server is never asked."""
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(PAGE)
    page.wait_for_selector(".mz-verify[data-offline-ready=true]")
    assert (
        "Sleutels en intrekkingslijst van 2 december 2026 om 13:00"
        in page.locator(".mz-offline-status").inner_text()
    )
    assert PAGE in hits.paths and "/verklaring/sleutels.json" in hits.paths  # the recorder hears the server
    page.wait_for_load_state("networkidle")  # the last refresh of the trust material has landed
    context.set_offline(True)
    hits.paths.clear()
    hits.posts.clear()
    page.reload()
    page.wait_for_selector(".mz-verify[data-offline-ready=true]")
    assert page.evaluate("navigator.onLine") is False
    return page


def check_offline(page, code: str) -> str:
    page.get_by_label("Tekst van de code").fill(code)
    page.get_by_role("button", name="Controleren").click()
    box = page.locator("#mz-local-result[data-status]")
    box.wait_for()
    return box.get_attribute("data-status")


def test_every_vector_offline_as_the_server_says(context, hits, axe):
    page = open_online_then_offline(context, hits)
    status_line = page.locator(".mz-offline-status").inner_text()
    assert "Sleutels en intrekkingslijst van 2 december 2026 om 13:00" in status_line
    assert "Zonder internet ziet u een intrekking pas" in status_line
    assert page.locator(".mz-scan").is_hidden()  # Chromium on Linux has no BarcodeDetector
    assert page.evaluate("'BarcodeDetector' in window") is False

    outcomes = {}
    for vector in VECTORS:
        page.reload()
        page.wait_for_selector(".mz-verify[data-offline-ready=true]")
        outcomes[vector["name"]] = check_offline(page, vector["code"])
        word = page.locator("#mz-local-result .mz-verdict__word").inner_text()
        assert word == WORDS[vector["expected"]["status"]], vector["name"]
        if vector["name"] in ("valid_parking", "revoked", "tampered"):
            check(page, axe, f"declaration-offline-{vector['name']}")
    assert outcomes == {vector["name"]: vector["expected"]["status"] for vector in VECTORS}
    assert outcomes["revoked"] == "revoked"  # from the kept status list, offline

    page.reload()
    check_offline(page, next(v["code"] for v in VECTORS if v["name"] == "valid_parking"))
    result = page.locator("#mz-local-result").inner_text()
    assert "Vergelijk met een identiteitsbewijs" in result
    assert "JV" in result and "14" in result
    organisation = next(
        o["name"] for o in ORGANISATIONS if o["id"] == VECTORS[0]["expected"]["claims"]["confirmed_by"]
    )
    assert f"Bevestigd door {organisation}" in result  # the name from the kept organisaties.json
    assert "Gecontroleerd op dit apparaat, zonder internetverbinding." in result
    assert "kon niet worden gecontroleerd" not in result  # the kept list was used
    # Nothing was verified by the server: no POST (the page and the API verify by POST). A GET may
    # still reach it: Playwright's offline emulation does not cover the service worker's own
    # fetches (its update check of sw.js, and a refresh of the trust material it passes on).
    assert not hits.posts, f"the server verified while offline: {hits.posts}"


def test_offline_keyboard_only(context, hits):
    page = open_online_then_offline(context, hits)
    code = next(v["code"] for v in VECTORS if v["name"] == "revoked")
    tab_until(page, lambda info: info["name"] == "code")
    page.keyboard.insert_text(code)
    tab_until(page, lambda info: info["tag"] == "BUTTON" and info["text"] == "Controleren")
    page.keyboard.press("Enter")
    page.locator("#mz-local-result[data-status=revoked]").wait_for()
    assert page.evaluate("document.activeElement.id") == "mz-local-result"  # focus on the outcome
    assert page.title().startswith("Ingetrokken · ")


def test_a_kept_list_older_than_24_hours_checks_no_revocation(context, hits):
    page = open_online_then_offline(context, hits)
    context.clock.set_fixed_time(moment(NOW + 25 * 3600))  # the kept token expired an hour ago
    page.reload()
    page.wait_for_selector(".mz-verify[data-offline-ready=true]")
    assert "ouder dan 24 uur" in page.locator(".mz-offline-status").inner_text()
    revoked = next(v["code"] for v in VECTORS if v["name"] == "revoked")
    assert check_offline(page, revoked) == "valid"  # as codec.decode without a status list
    assert (
        "Of de code is ingetrokken, kon niet worden gecontroleerd"
        in page.locator("#mz-local-result").inner_text()
    )


def test_offline_without_a_kept_key_says_so(browser, live_server, settings, trust):
    settings.DEBUG = False
    ctx = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    try:
        ctx.clock.set_fixed_time(moment(NOW))
        page = ctx.new_page()
        page.goto(PAGE)
        page.wait_for_selector(".mz-verify[data-offline-ready=true]")
        page.evaluate("caches.delete('mz-verify-trust')")
        ctx.set_offline(True)
        page.reload()
        page.wait_for_selector(".mz-verify[data-offline-ready=true]")
        page.get_by_label("Tekst van de code").fill(VECTORS[0]["code"])
        page.get_by_role("button", name="Controleren").click()
        assert (
            "dit apparaat heeft geen sleutels" in page.locator("#mz-local-result [role=alert]").inner_text()
        )
    finally:
        ctx.close()


FAKE_CAMERA = """
(() => {
  const code = %s;
  let looks = 0;
  window.BarcodeDetector = class {
    static async getSupportedFormats() { return ["qr_code", "ean_13"]; }
    constructor(options) { this.formats = options.formats; }
    async detect(source) { looks += 1; return looks < 3 ? [] : [{ rawValue: code, format: "qr_code" }]; }
  };
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    canvas.getContext("2d").fillRect(0, 0, 64, 64);
    window.mzCameraAsked = constraints;
    return canvas.captureStream(5);
  };
})();
"""


def test_scan_with_the_camera_offline(context, hits, axe):
    """BarcodeDetector and the camera are stand-ins here (Chromium on Linux has no BarcodeDetector):
    the button, the view, the stop button and the check of what was seen are the page's own."""
    code = next(v["code"] for v in VECTORS if v["name"] == "valid_parking")
    context.add_init_script(FAKE_CAMERA % json.dumps(code))
    page = open_online_then_offline(context, hits)
    start = page.get_by_role("button", name="Scan met de camera")
    assert start.is_visible()
    check(page, axe, "declaration-offline-camera-button")
    page.set_viewport_size(PHONE)
    start.focus()
    page.keyboard.press("Enter")
    page.locator("#mz-local-result[data-status=valid]").wait_for()
    assert page.evaluate("window.mzCameraAsked.video.facingMode") == "environment"
    assert page.get_by_label("Tekst van de code").input_value() == code
    assert page.locator(".mz-scan__view").is_hidden()  # the camera is stopped after a code was seen
    assert page.get_by_role("button", name="Scan met de camera").is_visible()
