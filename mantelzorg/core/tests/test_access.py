"""Core pages with the cast: public pages open for all; the audit log only for admins."""

import pytest

from conftest import CAST_NAMES

CAST = CAST_NAMES
PUBLIC = [
    "/taal/nl/",  # a redirect for everyone (tested in test_i18n)
    "/favicon.ico",  # a permanent redirect to the static icon (tested in test_static)
    "/",
    "/toegankelijkheid/",
    "/healthz",
    "/_floor",
    "/api/v1/docs/",
    "/api/v1/municipalities/",
    "/api/v1/postcodes/3511/",
]


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_open_for_everyone(client, cast, login_as, who, url):
    login_as(getattr(cast, who))
    expected = 302 if url.startswith("/taal/") else 301 if url == "/favicon.ico" else 200
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("who", [w for w in CAST if w != "admin"])
def test_only_admins_read_the_audit_log(client, cast, login_as, who):
    login_as(getattr(cast, who))
    response = client.get("/beheer/core/logentry/")
    assert response.status_code in (302, 403, 404)


def test_admin_reads_the_audit_log_but_cannot_change_it(client, cast, login_as):
    from mantelzorg.core import audit
    from mantelzorg.core.models import LogEntry

    audit.log(action="core.test.done", object_type="x", object_id="1", purpose="testing")
    login_as(cast.admin)
    assert client.get("/beheer/core/logentry/").status_code == 200
    entry = LogEntry.objects.get(action="core.test.done")
    assert client.post(f"/beheer/core/logentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()
