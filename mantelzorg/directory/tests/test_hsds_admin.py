"""HSDS import/export pages: only platform admins; everyone else gets 404."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import CAST_NAMES
from mantelzorg.core.models import LogEntry
from mantelzorg.directory.hsds.export import export_csv, export_json
from mantelzorg.directory.models import Service

from .test_hsds_support import build_directory, wipe_directory

PAGE = "/sociale-kaart/beheer/hsds/"
pytestmark = pytest.mark.django_db
OUTSIDERS = [name for name in CAST_NAMES if name != "admin"]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("url", [PAGE, PAGE + "export/json/", PAGE + "export/csv/"])
def test_everyone_but_the_admin_gets_404(cast, login_as, who, url):
    client = login_as(getattr(cast, who))
    assert client.get(url).status_code == 404
    assert LogEntry.objects.filter(action="directory.hsds.denied", outcome="denied").exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_import(cast, login_as, who):
    client = login_as(getattr(cast, who))
    upload = SimpleUploadedFile("x.json", b"[]", content_type="application/json")
    assert client.post(PAGE, {"file": upload}).status_code == 404


def test_admin_sees_the_page_with_download_links(cast, login_as):
    response = login_as(cast.admin).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/sociale-kaart/beheer/hsds/export/json/"' in html and 'type="file"' in html
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]


def test_admin_downloads_json_and_csv(cast, login_as):
    build_directory()
    client = login_as(cast.admin)
    data = json.loads(client.get(PAGE + "export/json/").content)
    assert len(data) == Service.objects.count()
    archive = zipfile.ZipFile(io.BytesIO(client.get(PAGE + "export/csv/").content))
    assert "services.csv" in archive.namelist()
    assert LogEntry.objects.filter(action="directory.export.completed", actor_role="admin").count() == 2


def test_admin_import_shows_every_problem_and_saves_nothing(cast, login_as):
    build_directory()
    data = export_json()
    data[0]["status"], data[1]["url"] = "unknown", "not a url"
    before = Service.objects.count()
    upload = SimpleUploadedFile("services.json", json.dumps(data).encode(), content_type="application/json")
    response = login_as(cast.admin).post(PAGE, {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "utrecht-alert--error" in html and html.count(">services.json</td>") == 2
    assert Service.objects.count() == before
    assert LogEntry.objects.filter(action="directory.import.failed", actor_role="admin").exists()


def test_admin_imports_a_csv_zip(cast, login_as):
    build_directory()
    buffer = io.BytesIO()
    export_csv(buffer)
    count = Service.objects.count()
    wipe_directory()
    upload = SimpleUploadedFile("hsds.zip", buffer.getvalue(), content_type="application/zip")
    response = login_as(cast.admin).post(PAGE, {"file": upload})
    assert response.status_code == 200 and "utrecht-alert--ok" in response.content.decode()
    assert Service.objects.count() == count
    assert LogEntry.objects.filter(action="directory.import.completed", actor_role="admin").exists()


def test_admin_upload_of_the_wrong_kind_of_file_is_refused(cast, login_as):
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = login_as(cast.admin).post(PAGE, {"file": upload})
    assert response.status_code == 200 and "zip" in response.content.decode()
    broken = SimpleUploadedFile("bad.zip", b"not a zip", content_type="application/zip")
    assert login_as(cast.admin).post(PAGE, {"file": broken}).status_code == 400


def test_admin_imports_an_official_example_and_sees_the_notes(cast, login_as):
    from .test_hsds_support import SCHEMAS

    content = (SCHEMAS / "examples" / "organization_full.json").read_bytes()
    upload = SimpleUploadedFile("organization_full.json", content, content_type="application/json")
    response = login_as(cast.admin).post(PAGE, {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 aanbod geïmporteerd" in html
    assert html.count('role="row"') == 1 + 3  # the header and the three notes
    assert "cd09a387-91f4-4555-94ec-e799c35344cd" in html  # the parent organization outside the file
