"""Every POST that stores something is idempotent (core/idempotency.py), and every form that
posts to one carries a key: a view that handles POST fails here unless it is wrapped with
``@idempotent`` or listed below with the reason it stores nothing a second POST could double."""

import inspect
import re
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

STORES_NOTHING = {
    # name: why a second identical POST does no harm
    "accounts:login": "signs in; stores no record",
    "accounts:login_mfa": "signs in; stores no record",
    "accounts:logout": "signs out",
    "accounts:password_reset": "sends an e-mail; stores nothing",
    "accounts:password_reset_confirm": "the link's token is single use: a second POST is refused",
    "accounts:signup": "the unique e-mail address refuses a second account: a second POST finds the "
    "first and only sends its e-mail again (rate limited)",
    "accounts:signup_confirm": "the link's token is single use: a second POST is refused",
    "accounts:delete": "erases the account and its keys; a second POST finds no one signed in",
    "assessment:step": "answers are kept in the session only",
    "assessment:reset": "clears the session",
    "assessment:result_postcode": "the postcode is kept in the session only",
    "assessment:questionnaire": "answers are kept in the session only",
    "assessment:carerqol": "the same questionnaire view: answers in the session only",
    "api:check-create": "computes a result; stores nothing",
    "api:declaration-verify": "verifies a code and stores nothing of it; a second POST counts once more "
    "in VerificationCount (statistics), as a second check of the same code is",
    "declaration:verify": "the verifier page: the same verification as the API",
}
_HANDLES_POST = re.compile(r"request\.POST|require_POST|[\"']POST[\"']|def post\(|\.FILES")


def _views(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _views(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def _source(callback) -> str:
    target = getattr(callback, "view_class", None) or inspect.unwrap(callback)
    try:
        return inspect.getsource(target)
    except (OSError, TypeError):
        return ""


def test_every_view_that_handles_post_is_idempotent_or_stores_nothing():
    unmarked = []
    for name, callback in _views(get_resolver().url_patterns):
        if name.startswith("admin:") or name in STORES_NOTHING:
            continue
        module = getattr(callback, "__module__", "") or ""
        if not module.startswith("mantelzorg.") and not getattr(callback, "view_class", None):
            continue
        if _HANDLES_POST.search(_source(callback)) and not getattr(callback, "idempotent", False):
            unmarked.append(name)
    assert not unmarked, "views that handle POST without @idempotent or a reason:\n" + "\n".join(unmarked)


def test_the_exemptions_name_real_views():
    names = {name for name, _ in _views(get_resolver().url_patterns)}
    assert set(STORES_NOTHING) <= names


_POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>", re.I)
_ACTION = re.compile(r"action=\"\{% url '([\w:]+)'")


def test_every_form_that_posts_to_an_idempotent_view_carries_a_key():
    views = dict(_views(get_resolver().url_patterns))
    missing, checked = [], 0
    for path in sorted(Path(settings.BASE_DIR, "mantelzorg").glob("*/templates/**/*.html")):
        html = path.read_text(encoding="utf-8")
        for form in _POST_FORM.finditer(html):
            action = _ACTION.search(form.group(0))
            if action is None:  # posts to the page's own view: the view's tests send the form
                continue
            body = html[form.end() : html.find("</form>", form.end())]
            if getattr(views.get(action.group(1)), "idempotent", False):
                checked += 1
                if "{% idempotency_key %}" not in body:
                    missing.append(f"{path.relative_to(settings.BASE_DIR)} → {action.group(1)}")
    assert not missing, "forms without {% idempotency_key %}:\n" + "\n".join(missing)
    assert checked >= 6
