import pytest


@pytest.fixture
def steady_versions(monkeypatch):
    """Content versions kept for the whole test (core.cache reads them again after a second, one
    query more on a slow machine): a query count then counts the work of the search only. A write
    in this process still shows at once (``bump_version`` forgets them)."""
    from mantelzorg.core import cache

    monkeypatch.setattr(cache, "CONTENT_VERSION_SECONDS", 3600.0)
