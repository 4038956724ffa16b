"""Public pages and the HSDS API with the cast: open for everyone, only published data;
the HSDS import/export page only for platform admins (others 404, anonymous to login)."""

import pytest

from conftest import CAST_NAMES
from mantelzorg.directory.models import Service

from .factories import make_org, make_service

pytestmark = pytest.mark.django_db

CAST = CAST_NAMES


@pytest.fixture
def world(cast):
    org = make_org(
        "Voorbeeld Steunpunt Amsterdam", municipalities=["GM0363"], account_organisation=cast.organisation
    )
    published = make_service("Voorbeeld Gepubliceerd aanbod", org=org, postcode="1012")
    draft = make_service("Voorbeeld Concept aanbod", org=org, postcode="1012")
    Service.objects.filter(pk=draft.pk).update(publication=Service.Publication.DRAFT)
    return published, draft


def public_urls(service):
    location = service.service_at_locations.first()
    return [
        "/sociale-kaart/",
        "/sociale-kaart/?postcode=1012&afstand=10&vraaggebied=information",
        f"/sociale-kaart/aanbod/{service.id}/",
        "/steunpunten/",
        "/gemeenten/GM0363/respijtzorg/",
        "/api/hsds/3.0/",
        "/api/hsds/3.0/profile/",
        "/api/hsds/3.0/services",
        f"/api/hsds/3.0/services/{service.id}",
        "/api/hsds/3.0/organizations",
        f"/api/hsds/3.0/organizations/{service.organization_id}",
        "/api/hsds/3.0/taxonomies",
        "/api/hsds/3.0/taxonomy_terms",
        "/api/hsds/3.0/service_at_locations",
        f"/api/hsds/3.0/service_at_locations/{location.id}",
    ]


@pytest.mark.parametrize("who", CAST)
def test_public_pages_and_api_open_for_everyone(cast, world, login_as, who):
    published, _draft = world
    client = login_as(getattr(cast, who))
    for url in public_urls(published):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", CAST)
def test_draft_services_are_hidden_from_the_public_pages_and_api(cast, world, login_as, who):
    _published, draft = world
    client = login_as(getattr(cast, who))
    assert client.get(f"/sociale-kaart/aanbod/{draft.id}/").status_code == 404
    assert client.get(f"/api/hsds/3.0/services/{draft.id}").status_code == 404


@pytest.mark.parametrize("who", [w for w in CAST if w not in ("admin", "anonymous")])
def test_hsds_import_export_page_is_404_for_everyone_but_admins(cast, world, login_as, who):
    client = login_as(getattr(cast, who))
    assert client.get("/sociale-kaart/beheer/hsds/").status_code == 404
    assert client.get("/sociale-kaart/beheer/hsds/export/json/").status_code == 404


def test_hsds_import_export_page_sends_anonymous_visitors_to_login(client, world):
    response = client.get("/sociale-kaart/beheer/hsds/")
    assert response.status_code in (302, 404)


def test_admin_reaches_the_hsds_import_export_page(cast, world, login_as):
    client = login_as(cast.admin)
    assert client.get("/sociale-kaart/beheer/hsds/").status_code == 200
    assert client.get("/sociale-kaart/beheer/hsds/export/json/").status_code == 200
