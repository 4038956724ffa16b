"""No page logs an error in the browser: no Content-Security-Policy violation (such as an inline
style injected by a script), no script error, no failed request (such as a missing favicon)."""

import pytest

pytestmark = pytest.mark.browser

PAGES = ["/", "/balanscheck/", "/sociale-kaart/?postcode=3511"]

# Added before any page script runs (through the DevTools protocol, so our CSP stays on).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
"""


@pytest.mark.parametrize("path", PAGES)
def test_page_logs_no_console_error_csp_violation_or_failed_request(page, path):
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    response = page.goto(path)
    assert "style-src 'self';" in response.headers["content-security-policy"]  # no inline styles allowed
    page.wait_for_load_state("networkidle")  # htmx and app.js have run, the icon is loaded
    problems += [f"CSP: {v}" for v in page.evaluate("window.__cspViolations")]
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_the_page_has_its_icon_and_htmx_is_running(page):
    """The checks above are only worth something when the scripts and the icon are really there."""
    page.goto("/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => typeof htmx === 'object' && htmx.config.includeIndicatorStyles === false")
    icon = page.evaluate("() => document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).status == 200
