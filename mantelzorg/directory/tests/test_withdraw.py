"""Withdrawing an offer: it leaves the sociale kaart everywhere, but the row stays (soft delete)."""

import pytest
from django.test import Client

from mantelzorg.core.models import LogEntry, Municipality
from mantelzorg.directory import selectors
from mantelzorg.directory.hsds.export import export_json
from mantelzorg.directory.models import RespiteMenu, RespiteMenuItem, SearchEntry, Service

from .factories import edit_form, make_org, make_service

pytestmark = pytest.mark.django_db

HSDS = "/api/hsds/3.0"


@pytest.fixture
def offer(cast):
    own = make_org(
        "Voorbeeld Steunpunt Amsterdam", municipalities=["GM0363"], account_organisation=cast.organisation
    )
    service = make_service(
        "Logeerhuis De Linde", org=own, postcode="1012", domains=("respite",), respite=("day_care",)
    )
    menu = RespiteMenu.objects.create(municipality_id="GM0363")
    RespiteMenuItem.objects.create(menu=menu, service=service, position=1)
    return service


def withdraw_url(service):
    return f"/sociale-kaart/beheer/aanbod/{service.id}/verwijderen/"


def found_in_search(service) -> bool:
    amsterdam = Municipality.objects.get(code="GM0363")
    result = selectors.service_search(municipality=amsterdam, per_page=100)
    return any(hit.service.id == service.id for hit in result.items)


def test_withdrawn_offer_is_gone_from_search_page_menu_and_api(cast, login_as, offer):
    anonymous = Client()
    search = {"postcode": "1012", "respijt": "day_care"}
    # before: visible everywhere (and the anonymous search page is now in the cache)
    assert found_in_search(offer)
    assert offer.name in anonymous.get("/sociale-kaart/", search).content.decode()
    assert anonymous.get(f"/sociale-kaart/aanbod/{offer.id}/").status_code == 200
    assert offer.name in anonymous.get("/gemeenten/GM0363/respijtzorg/").content.decode()
    assert anonymous.get(f"{HSDS}/services/{offer.id}").status_code == 200

    response = login_as(cast.editor).post(withdraw_url(offer))
    assert response.status_code == 302

    assert not found_in_search(offer)
    assert not SearchEntry.objects.filter(service_id=offer.id).exists()
    assert offer.name not in anonymous.get("/sociale-kaart/", search).content.decode()
    assert anonymous.get(f"/sociale-kaart/aanbod/{offer.id}/").status_code == 404
    assert offer.name not in anonymous.get("/gemeenten/GM0363/respijtzorg/").content.decode()
    assert not RespiteMenuItem.objects.filter(service_id=offer.id).exists()
    # HSDS: not in the ordinary list; a synchronising client (modified_after) and the detail
    # URL learn that it is gone (status defunct), so copies elsewhere can be removed.
    listed = anonymous.get(f"{HSDS}/services", {"per_page": 50}).json()
    assert str(offer.id) not in [item["id"] for item in listed["contents"]]
    detail = anonymous.get(f"{HSDS}/services/{offer.id}")
    assert detail.status_code == 200 and detail.json()["status"] == "defunct"
    synced = anonymous.get(f"{HSDS}/services", {"modified_after": "2000-01-01T00:00:00Z"}).json()
    statuses = {item["id"]: item["status"] for item in synced["contents"]}
    assert statuses[str(offer.id)] == "defunct"

    entry = LogEntry.objects.get(action="directory.service.withdrawn", object_id=str(offer.id))
    assert entry.actor_id == str(cast.editor.pk)
    assert entry.object_type == "directory.service"


def test_withdrawal_keeps_the_row_and_tells_hsds_exports_it_is_defunct(cast, login_as, offer):
    login_as(cast.staff).post(withdraw_url(offer))
    offer.refresh_from_db()  # not deleted: saved results and exports may still refer to it
    assert offer.publication == Service.Publication.WITHDRAWN
    assert offer.status == Service.Status.DEFUNCT
    exported = {item["id"]: item for item in export_json()}
    assert exported[str(offer.id)]["status"] == "defunct"
    assert exported[str(offer.id)]["publication"] == "withdrawn"


def test_edit_page_has_a_plain_link_to_withdraw(cast, login_as, offer):
    body = login_as(cast.editor).get(f"/sociale-kaart/beheer/aanbod/{offer.id}/").content.decode()
    assert f'href="{withdraw_url(offer)}"' in body


def test_confirm_page_is_plain_dutch(cast, login_as, offer):
    body = login_as(cast.editor).get(withdraw_url(offer)).content.decode()
    assert "van de sociale kaart halen" in body
    assert f'href="/sociale-kaart/beheer/aanbod/{offer.id}/"' in body  # the way back


def test_withdrawing_twice_is_harmless(cast, login_as, offer):
    c = login_as(cast.editor)
    c.post(withdraw_url(offer))
    again = c.post(withdraw_url(offer))
    assert again.status_code == 302 and again["Location"] == f"/sociale-kaart/beheer/aanbod/{offer.id}/"
    assert c.get(withdraw_url(offer)).status_code == 302
    assert LogEntry.objects.filter(action="directory.service.withdrawn").count() == 1


def test_withdrawn_offer_stays_in_the_editors_list_and_can_be_published_again(cast, login_as, offer):
    c = login_as(cast.editor)
    c.post(withdraw_url(offer))
    assert "Teruggetrokken" in c.get("/sociale-kaart/beheer/").content.decode()
    edit = c.get(f"/sociale-kaart/beheer/aanbod/{offer.id}/").content.decode()
    assert 'value="withdrawn" selected' in edit
    assert withdraw_url(offer) not in edit  # already off the map: no withdraw link
    form = edit_form(offer, respite_forms=["day_care"])
    assert c.post(f"/sociale-kaart/beheer/aanbod/{offer.id}/", form).status_code == 302
    assert found_in_search(offer)


def test_the_edit_form_offers_no_withdrawn_choice_for_a_published_offer(cast, login_as, offer):
    edit = login_as(cast.editor).get(f"/sociale-kaart/beheer/aanbod/{offer.id}/").content.decode()
    assert 'value="withdrawn"' not in edit  # withdrawing goes through its own page (and audit)
