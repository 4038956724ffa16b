"""Static files: the NL Design System CSS we ship covers every class the pages use, and `make run`
serves the pages as production does — hashed names, compressed, cached for good — within the
page-weight budget.

The classes used are found in the class attributes of the templates
(``mantelzorg/**/templates/**/*.html``) and in the string literals of the Python code that
renders HTML (form widgets, template tags). A name built at run time (``utrecht-alert--{{ kind }}``)
is checked by its literal prefix. These tests read ``static/dist/css/app.css`` (``make install``
builds it).
"""

from __future__ import annotations

import ast
import os
import re
import runpy
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parent.parent
APP_CSS = ROOT / "static" / "dist" / "css" / "app.css"
HOME_BUDGET_KB = 60  # issue 9, point 21: the home page with its assets, compressed, as `make run` serves it
PAGE_BUDGET_KB = 150  # quality bar: HTML+CSS+JS of any page, compressed
FOREVER = "max-age=315360000, public, immutable"

NLDS_CLASS = re.compile(r"(?<![\w-])(?:utrecht|nl)-[a-z0-9_-]*")
CLASS_ATTRIBUTE = re.compile(r"""\bclass=(?:"([^"]*)"|'([^']*)')""")
CSS_CLASS = re.compile(r"\.((?:utrecht|nl)-[A-Za-z0-9_-]+)")
# Utrecht's markup modifiers that the library gives no rule (an empty Sass mixin), so no CSS defines them.
WITHOUT_RULES = {
    "utrecht-form-field--text": "node_modules/@utrecht/form-field-css/src/_mixin.scss: empty mixin",
}


def built_css() -> str:
    if not APP_CSS.exists():
        pytest.fail(
            f"{APP_CSS.relative_to(ROOT)} is missing: run `make install` (it runs scripts/build-static.mjs)"
        )
    return APP_CSS.read_text(encoding="utf-8")


def python_strings(path: Path):
    """The string literals of a module, without its docstrings (f-string parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def used_classes() -> dict[str, set[str]]:
    """Every utrecht-*/nl-* class name (or, when built at run time, its prefix ending in "-")
    → the files that use it."""
    used: dict[str, set[str]] = {}

    def add(text: str, path: Path) -> None:
        for name in NLDS_CLASS.findall(text):
            used.setdefault(name, set()).add(str(path.relative_to(ROOT)))

    for path in ROOT.glob("mantelzorg/**/templates/**/*.html"):
        for match in CLASS_ATTRIBUTE.finditer(path.read_text(encoding="utf-8")):
            add(match.group(1) or match.group(2), path)
    for path in ROOT.glob("mantelzorg/**/*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for text in python_strings(path):
            add(text, path)
    return used


def is_defined(name: str, defined: set[str]) -> bool:
    if name.endswith("-"):  # built at run time: some class with this prefix must exist
        return any(cls.startswith(name) for cls in defined)
    return name in defined or name in WITHOUT_RULES


def test_the_scan_finds_the_classes_of_templates_and_python_code():
    used = used_classes()
    assert "mantelzorg/core/templates/base.html" in used["utrecht-alert"]
    assert "mantelzorg/core/forms.py" in used["utrecht-textbox--invalid"]  # a Python string
    assert "mantelzorg/directory/templatetags/directory.py" in used["utrecht-form-fieldset"]
    assert "utrecht-alert--" in used  # utrecht-alert--{% if ... %}: checked as a prefix
    assert len(used) > 40


def test_every_nlds_class_the_pages_use_is_defined_by_the_built_css():
    defined = set(CSS_CLASS.findall(built_css()))
    missing = {name: files for name, files in used_classes().items() if not is_defined(name, defined)}
    hints = []
    for name, files in sorted(missing.items()):
        prefix, component = name.split("-", 1)
        component = re.split(r"__|--", component)[0]
        package = (
            f"@utrecht/{component}-css"
            if prefix == "utrecht"
            else f"@nl-design-system-candidate/{component}-css"
        )
        hints.append(f"{name} (in {', '.join(sorted(files))}): probably in {package}")
    assert not missing, (
        "classes used but not defined in static/dist/css/app.css; add the NL Design System package "
        "that defines them to package.json and scripts/build-static.mjs:\n" + "\n".join(hints)
    )


def test_every_nlds_component_in_the_build_is_used():
    """The build stays minimal: each component file in app.css defines a class some page uses."""
    sections = re.split(r"^/\* (\S+) \*/$", built_css(), flags=re.M)[1:]
    used = used_classes()
    unused = []
    for source, text in zip(sections[::2], sections[1::2], strict=True):
        if not source.startswith("node_modules/"):
            continue
        defined = set(CSS_CLASS.findall(text))
        if not any(is_defined(name, defined) and name not in WITHOUT_RULES for name in used):
            unused.append(source)
    assert len(sections) // 2 >= 20
    assert not unused, f"components in the build that no page uses (drop them): {unused}"


# --- As `make run` serves it --------------------------------------------------------------------


def make_run_settings() -> dict:
    """The static-file settings of config/settings.py evaluated with the Makefile's RUN_ENV (what
    `make run` gets), STATIC_ROOT left out."""
    run_env = re.search(r"^RUN_ENV := (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    with mock.patch.dict(os.environ, dict(pair.split("=", 1) for pair in run_env.split())):
        values = runpy.run_path(str(ROOT / "config" / "settings.py"))
    assert values["DEBUG"] is False
    return {
        name: value
        for name, value in values.items()
        if name.startswith(("STATIC", "WHITENOISE", "STORAGES")) and name != "STATIC_ROOT"
    }


@pytest.fixture(scope="module")
def make_run_static(tmp_path_factory):
    """The settings of `make run` for static files, with the files collected as `make run`
    collects them (once per module, into a temporary STATIC_ROOT)."""
    values = {**make_run_settings(), "STATIC_ROOT": tmp_path_factory.mktemp("static"), "DEBUG": False}
    with override_settings(**values):
        call_command("collectstatic", interactive=False, verbosity=0)
    return values


@pytest.fixture
def as_make_run(make_run_static):
    """Within the test, static files are served by the WhiteNoise of a fresh test client as
    gunicorn serves them under `make run`, and ``{% static %}`` gives their hashed names."""
    with override_settings(**make_run_static):
        yield


class Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        rel = (a.get("rel") or "").split()
        if tag == "link" and ("stylesheet" in rel or "icon" in rel) or tag == "script" and a.get("src"):
            self.urls.append(a.get("href") or a["src"])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def page_weight(path: str) -> tuple[int, dict]:
    """HTML + CSS + JS bytes on the wire for ``path`` (Accept-Encoding: br, gzip), and each asset's
    response."""
    client = Client(HTTP_ACCEPT_ENCODING="br, gzip")
    page = client.get(path)
    assert page.status_code == 200
    html = body(page)
    parser = Assets()
    parser.feed(html.decode())
    assets = {url: client.get(url) for url in parser.urls}
    total = len(html) + sum(len(body(r)) for url, r in assets.items() if url.endswith((".css", ".js")))
    return total, {"html": page, **assets}


@pytest.mark.django_db
def test_home_page_with_its_assets_is_within_60_kb_compressed_as_make_run_serves_it(as_make_run):
    total, responses = page_weight("/")
    assert total <= HOME_BUDGET_KB * 1024, f"home page: {total / 1024:.1f} KB > {HOME_BUDGET_KB} KB"
    assert any(url.endswith(".css") for url in responses) and any(url.endswith(".js") for url in responses)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/balanscheck/", "/sociale-kaart/", "/sociale-kaart/?postcode=3511"])
def test_assets_have_hashed_names_are_compressed_and_cached_for_good(as_make_run, path):
    total, responses = page_weight(path)
    assert total <= PAGE_BUDGET_KB * 1024
    html = responses.pop("html")
    cache_control = html.get("Cache-Control", "")  # HTML: none (public pages) or no-store, never long
    max_age = re.search(r"max-age=(\d+)", cache_control)
    assert "immutable" not in cache_control, cache_control
    assert max_age is None or int(max_age.group(1)) <= 60, cache_control
    for url, response in responses.items():
        assert response.status_code == 200, url
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", url), f"{url} has no content hash"
        assert response["Content-Encoding"] == "br", url
        assert response["Cache-Control"] == FOREVER, url
        assert "Accept-Encoding" in response["Vary"], url


def test_unhashed_static_names_are_cached_briefly_as_make_run_serves_them(as_make_run):
    """500.html links /static/css/app.css without a hash: it must not be cached for long."""
    response = Client(HTTP_ACCEPT_ENCODING="gzip").get("/static/css/app.css")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "max-age=60, public"


def test_pdf_finds_the_hashed_stylesheets_as_make_run_serves_them(as_make_run):
    from mantelzorg.core.pdf import static_fetcher

    url = "http://testserver" + static("assessment/assessment.css")
    assert re.search(r"assessment\.[0-9a-f]{12}\.css$", url)
    fetched = static_fetcher().fetch(url)
    assert b".mz-" in fetched.read()


# --- Favicon ----------------------------------------------------------------------------------


def test_pages_link_our_svg_favicon_and_favicon_ico_redirects_to_it(client, db):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/svg+xml"
    svg = body(icon).decode()
    assert "#1f5e8c" in svg  # our primary colour (--mz-color-primary), never a municipality's logo
