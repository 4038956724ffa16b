"""The authorisation matrix covers every route: a route that no access test mentions fails here.

Each app's ``tests/test_access*.py`` lists the URLs it checks with the cast. This test walks
every URL pattern of the project and requires its literal part (up to the first converter)
to appear in one of those files, unless it is on the short list of routes without any data
of a person or a gemeente (framework plumbing).
"""

from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

NO_PERSONAL_DATA = {
    "/beheer/",  # Django admin: covered by accounts/tests/test_access.py (admin only, MFA)
    "/api/v1/schema/",  # the OpenAPI document
    "/api/v1/schema.json",  # the same in JSON
}


def walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + route.lstrip("^").replace("\\Z", "").replace("$", "")


def literal(route: str) -> str:
    return route.split("<", 1)[0]


def test_every_route_appears_in_an_access_test():
    root = Path(settings.BASE_DIR)
    access_tests = "\n".join(
        p.read_text(encoding="utf-8") for p in root.glob("mantelzorg/*/tests/test_access*.py")
    )
    missing = []
    for route in sorted(set(walk(get_resolver().url_patterns))):
        if route.startswith("/beheer/") or route in NO_PERSONAL_DATA:
            continue
        prefix = literal(route)
        if prefix.rstrip("/") and prefix.rstrip("/") not in access_tests:
            missing.append(route)
    assert not missing, "routes without an entry in any test_access*.py:\n" + "\n".join(missing)
