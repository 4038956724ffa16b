"""Caching of public, identical-for-everyone responses.

Only for visitors without a session or pending messages (their pages have no personal
content), only for 200 responses that set no cookie, and keyed by language, path, the
canonical query string and the ``ContentVersion`` of the data shown — so an edit is visible
on the next request. ``PUBLIC_PAGE_CACHE_SECONDS=0`` switches it off (benchmarks report both).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpResponse
from django.utils.translation import get_language

from mantelzorg.core.models import ContentVersion

# The version read from the database is kept for CONTENT_VERSION_SECONDS in this process, so
# a cached page costs no query: an edit shows at once in the process that made it and within
# that second in the others.
CONTENT_VERSION_SECONDS = 1.0
_versions: dict[str, tuple[float, int]] = {}


def content_version(name: str) -> int:
    now = time.monotonic()
    known = _versions.get(name)
    if known and now - known[0] < CONTENT_VERSION_SECONDS:
        return known[1]
    version = ContentVersion.objects.filter(name=name).values_list("version", flat=True).first() or 0
    _versions[name] = (now, version)
    return version


def bump_version(name: str) -> None:
    """Call from every service that changes content of ``name`` (inside its transaction)."""
    if not ContentVersion.objects.filter(name=name).update(version=F("version") + 1):
        ContentVersion.objects.get_or_create(name=name, defaults={"version": 1})
    forget_versions()


def forget_versions() -> None:
    _versions.clear()
    _derived.clear()
    _in_process.clear()


_derived: dict[tuple, tuple[int, object]] = {}
PER_VERSION_MAX = 5000


def per_version(content: str, key, compute: Callable):
    """A value computed from content ``content`` only (e.g. the active instruments), kept in
    this process until that content's version changes. Unlike ``memoize`` it is not switched
    off by ``PUBLIC_PAGE_CACHE_SECONDS=0``: it holds configuration, not public pages. Every
    writer of that content must ``bump_version`` it."""
    version = content_version(content)
    known = _derived.get((content, key))
    if known is not None and known[0] == version:
        return known[1]
    value = compute()
    if len(_derived) >= PER_VERSION_MAX:  # keys come from requests (e.g. filters): stay bounded
        _derived.clear()
    _derived[(content, key)] = (version, value)
    return value


def is_cookieless_visitor(request) -> bool:
    return not (request.COOKIES.get(settings.SESSION_COOKIE_NAME) or request.COOKIES.get("messages"))


def _key(*parts) -> str:
    return "public:" + hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def public_page(request, render: Callable[[], HttpResponse], *, content: str = "") -> HttpResponse:
    """Return ``render()``'s response, from the cache when the visitor has no session."""
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
    if not seconds or request.method != "GET" or not is_cookieless_visitor(request):
        return render()
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    version = content_version(content) if content else 0
    key = _key(get_language(), request.path, query, request.headers.get("HX-Request", ""), content, version)
    cached = cache.get(key)
    if cached is not None:
        body, content_type = cached
        return HttpResponse(body, content_type=content_type)
    response = render()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()  # template and DRF responses
    if (
        response.status_code == 200
        and not response.cookies
        and not getattr(response, "streaming", False)
        and not any(name.lower().startswith("hx-") for name in response.headers)  # not kept in the cache
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    ):
        cache.set(key, (response.content, response["Content-Type"]), seconds)
    return response


def public(content: str = ""):
    """Decorator form of ``public_page`` for a view whose output is public data."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            return public_page(request, lambda: view(request, *args, **kwargs), content=content)

        return wrapped

    return decorator


_in_process: dict[tuple, tuple[float, object]] = {}
IN_PROCESS_MAX = 2000


def memoize(
    parts: tuple, compute: Callable, *, content: str, seconds: int | None = None, in_process: bool = False
):
    """Cache a computed public value (e.g. the offers for a postcode) for a short time.

    ``in_process=True`` keeps the value itself in this process instead of a pickled copy in the
    cache backend: no key hashing, locking or unpickling (~70 µs for a check's offers). Callers
    then get the same object every time and must never change it: use it only for plain data
    that is copied before anything is added (``assessment.local_offers.offers_for``)."""
    seconds = settings.PUBLIC_PAGE_CACHE_SECONDS if seconds is None else seconds
    if not seconds:
        return compute()
    if in_process:
        local_key = (content, content_version(content), *parts)
        now = time.monotonic()
        known = _in_process.get(local_key)
        if known is not None and now - known[0] < seconds:
            return known[1]
        value = compute()
        if len(_in_process) >= IN_PROCESS_MAX:  # keys come from requests: stay bounded
            _in_process.clear()
        _in_process[local_key] = (now, value)
        return value
    key = _key("value", content, content_version(content), *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
