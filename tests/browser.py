"""Browser harness: Playwright (Python) driving Debian's Chromium, with axe-core from npm.

``page`` is a fresh page on the live server; ``axe(page, name)`` runs axe-core for WCAG
2.1 A/AA, saves a full-page screenshot to test-artifacts/screenshots/<name>.png and fails
on any violation, and on a page wider than a 320 px or 375 px viewport (reflow). Browser tests are marked ``browser``; they never skip: a missing
Chromium is an error with a message that says what to install.
"""

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-sync",
]


def log_in(page, user, password: str | None = None, *, next_url: str = "") -> None:
    """Sign in through the login page, with the second factor when the user's role needs one, and
    wait until the landing page has loaded, so a journey that starts afterwards does not count the
    sign-in's last page load as one of its screens."""
    from django_otp.oath import totp

    from conftest import PASSWORD

    page.goto("/account/inloggen/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(password or PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if user.requires_mfa:
        page.wait_for_url("**/inloggen/code/**")
        device = user.totpdevice_set.get()
        token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
        page.get_by_label("Code uit je authenticator-app").fill(token)
        page.get_by_role("button", name="Bevestigen").click()
    page.wait_for_url(lambda url: "/inloggen/" not in url)
    page.wait_for_load_state("load")


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "Chromium not found: install Debian's package (apt-get install -y chromium) or set CHROMIUM."
        )
    return path


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _watch_templates()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.DEBUG = False
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    third_party = []

    def route(route_):
        url = route_.request.url
        if url.startswith(live_server.url) or url.startswith("data:"):
            return route_.continue_()
        third_party.append(url)
        return route_.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.third_party_requests = third_party
    yield pg
    context.close()
    assert not third_party, f"requests to third-party hosts: {third_party}"


# Reflow (WCAG 1.4.10): at these widths nothing may need horizontal scrolling.
REFLOW_WIDTHS = (320, 375)


def page_overflow(page) -> dict | None:
    """The widest element sticking out to the right at the current viewport, or None when the
    document is no wider than the viewport (``scrollWidth <= innerWidth``)."""
    return page.evaluate(
        """() => {
        const doc = document.documentElement;
        if (doc.scrollWidth <= window.innerWidth) return null;
        let widest = null;
        for (const el of document.body.querySelectorAll('*')) {
            const right = el.getBoundingClientRect().right + window.scrollX;
            if (right > window.innerWidth + 1 && (!widest || right > widest.right)) {
                const cls = (typeof el.className === 'string' && el.className) ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
                widest = {right: Math.round(right), element: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls,
                          text: (el.innerText || '').trim().slice(0, 60)};
            }
        }
        return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, widest};
    }"""
    )


def check_reflow(page, name: str) -> None:
    """Fail when the page is wider than a 320 px or a 375 px viewport; keeps the viewport as it was.
    A 375 px screenshot is saved beside the others (test-artifacts/screenshots/<name>@375.png)."""
    original = page.viewport_size
    problems = []
    try:
        for width in REFLOW_WIDTHS:
            page.set_viewport_size({"width": width, "height": original["height"] if original else 812})
            found = page_overflow(page)
            if found:
                problems.append(f"{width} px: {found}")
            if width == 375 and original and original["width"] != 375:
                page.screenshot(path=str(SCREENSHOTS / f"{name}@375.png"), full_page=True)
    finally:
        if original:
            page.set_viewport_size(original)
    assert not problems, f"{name} is wider than the viewport (horizontal scrolling):\n" + "\n".join(problems)


# --- which page templates the browser suite checked ----------------------------------------
#
# Every page template of the project must be checked by ``axe`` (which includes the reflow check at
# 320 and 375 px) somewhere in the browser suite. The live server renders in this process, so
# Django's test-instrumented ``template_rendered`` signal tells which templates made the page
# that was last answered; ``run_axe`` adds those to CHECKED. With MZ_ALL_PAGES=1 (``make test``)
# the session fails when a page template was never checked (``pytest_sessionfinish``).

APPS = ROOT / "mantelzorg"
# Layouts, checked through every page; and the print layout of a QR code, which is a PDF only
# (tagged PDF/UA, its QR code decoded: declaration/tests/test_caregiver.py).
NOT_PAGES = {"base.html", "directory/pdf_base.html", "declaration/qr_print.html"}


def page_templates() -> set[str]:
    """Template names of every page: app templates, not partials (``_*.html``), form widgets,
    e-mails or layouts."""
    names = set()
    for path in APPS.glob("*/templates/**/*.html"):
        parts = path.parts
        name = "/".join(parts[parts.index("templates") + 1 :])
        if not path.name.startswith("_") and not name.startswith("django/") and name not in NOT_PAGES:
            names.add(name)
    return names


CHECKED: set[str] = set()
_last_page: list[set[str]] = [set()]
_current = threading.local()


def _request_started(**kwargs):
    _current.names = set()


def _template_rendered(sender, template=None, **kwargs):
    names = getattr(_current, "names", None)
    if names is not None and template is not None and template.name:
        names.add(template.name.split("#", 1)[0])


def _request_finished(**kwargs):
    names = getattr(_current, "names", None)
    if names:  # static files render nothing and leave the page's templates in place
        _last_page[0] = names
    _current.names = None


def _watch_templates():
    from django.core.signals import request_finished, request_started
    from django.test.signals import template_rendered

    request_started.connect(_request_started, dispatch_uid="mz-browser-pages")
    template_rendered.connect(_template_rendered, dispatch_uid="mz-browser-pages")
    request_finished.connect(_request_finished, dispatch_uid="mz-browser-pages")


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("MZ_ALL_PAGES") != "1" or exitstatus != 0 or not CHECKED:
        return
    missing = sorted(page_templates() - CHECKED)
    if missing:
        session.config.get_terminal_writer().line(
            "\nPage templates that no browser test checked with axe (and reflow at 320/375 px):\n  "
            + "\n  ".join(missing),
            red=True,
        )
        session.exitstatus = 1


def run_axe(page, name: str) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA), save a screenshot, fail on any violation, and fail
    when the page needs horizontal scrolling at 320 px or 375 px (``check_reflow``); the page's
    templates count as checked (``CHECKED``)."""
    CHECKED.update(_last_page[0])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    check_reflow(page, name)
    # Evaluated through the DevTools protocol, so our CSP (no inline scripts) stays on.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
    assert not violations, f"axe-core found WCAG violations on {name}:\n" + json.dumps(violations, indent=2)


@pytest.fixture
def axe():
    return run_axe


PHONE_320 = {"width": 320, "height": 640}


def check(page, axe, name: str) -> None:
    """axe and reflow at 320 px (and 375 px), then a 1280 px screenshot to look at
    (``name@1280.png``); the viewport is left at 320 px."""
    page.set_viewport_size(PHONE_320)
    axe(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"{name}@1280.png"), full_page=True)
    page.set_viewport_size(PHONE_320)


def tab_until(page, predicate, max_tabs: int = 60):
    """Press Tab until ``predicate(focused_element_info)`` is true; return the info dict."""
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        info = page.evaluate(
            "() => { const e = document.activeElement; return {tag: e.tagName, text: (e.innerText || e.value || '').trim(),"
            " href: e.getAttribute('href'), name: e.getAttribute('name'), id: e.id, type: e.getAttribute('type')}; }"
        )
        if predicate(info):
            return info
    raise AssertionError("keyboard focus never reached the expected element")


def wait_for_focus(page, css_class: str, timeout_ms: int = 5000) -> None:
    """Wait until the focused element has ``css_class`` (e.g. an error summary with autofocus).
    Polled from here with ``page.evaluate``: ``page.wait_for_function`` polls inside the page,
    which the site's Content-Security-Policy (no 'unsafe-eval') refuses once the first check fails."""
    script = f"() => document.activeElement.classList.contains({css_class!r})"
    for _ in range(max(1, timeout_ms // 50)):
        if page.evaluate(script):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"the focus never reached .{css_class}")
