"""Public pages are cached only for visitors without a session, and an edit shows at once."""

import pytest

from mantelzorg.core import cache
from mantelzorg.core.models import ContentVersion


def test_bump_version_counts_up(db):
    assert cache.content_version("x") == 0
    cache.bump_version("x")
    cache.bump_version("x")
    assert ContentVersion.objects.get(name="x").version == 2


def test_memoize_recomputes_after_a_content_change(db):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.memoize(("k",), compute, content="x") == 1
    assert cache.memoize(("k",), compute, content="x") == 1
    cache.bump_version("x")
    assert cache.memoize(("k",), compute, content="x") == 2


@pytest.mark.parametrize("in_process", [False, True])
def test_memoize_is_off_when_the_cache_is_switched_off(db, settings, in_process):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    values = iter([1, 2])
    assert cache.memoize(("k",), lambda: next(values), content="x", in_process=in_process) == 1
    assert cache.memoize(("k",), lambda: next(values), content="x", in_process=in_process) == 2


def test_memoize_in_process_keeps_the_value_itself_per_version_and_for_its_seconds(db, monkeypatch):
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    first = cache.memoize(("k",), compute, content="x", seconds=60, in_process=True)
    assert cache.memoize(("k",), compute, content="x", seconds=60, in_process=True) is first  # no copy
    assert cache.memoize(("other",), compute, content="x", seconds=60, in_process=True) == {"n": 2}
    cache.bump_version("x")  # an edit: recomputed at once
    assert cache.memoize(("k",), compute, content="x", seconds=60, in_process=True) == {"n": 3}
    later = cache.time.monotonic() + 61
    monkeypatch.setattr(cache.time, "monotonic", lambda: later)  # its seconds are over
    assert cache.memoize(("k",), compute, content="x", seconds=60, in_process=True) == {"n": 4}


def test_visitors_with_a_session_never_get_a_cached_page(client, cast, login_as, rf):
    calls = []

    def render():
        from django.http import HttpResponse

        calls.append(1)
        return HttpResponse(f"page {len(calls)}")

    anonymous = rf.get("/x/")
    assert cache.public_page(anonymous, render).content == b"page 1"
    assert cache.public_page(rf.get("/x/"), render).content == b"page 1"  # cached
    with_session = rf.get("/x/")
    with_session.COOKIES["sessionid"] = "abc"
    assert cache.public_page(with_session, render).content == b"page 2"
    assert cache.public_page(rf.get("/x/?b=2&a=1"), render).content == b"page 3"
    assert cache.public_page(rf.get("/x/?a=1&b=2"), render).content == b"page 3"  # same query


def test_another_process_sees_a_change_within_the_version_lifetime(db, monkeypatch):
    from django.db.models import F

    assert cache.content_version("y") == 0
    ContentVersion.objects.create(name="y", version=0)
    ContentVersion.objects.filter(name="y").update(version=F("version") + 1)  # as another process
    assert cache.content_version("y") == 0  # still the known version, no query
    clock = cache.time.monotonic() + cache.CONTENT_VERSION_SECONDS + 0.01
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock)
    assert cache.content_version("y") == 1
