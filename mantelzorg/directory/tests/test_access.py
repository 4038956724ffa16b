"""Every edit URL × the cast: outsiders get 404 (logged in) or a login redirect (anonymous)."""

import pytest

from conftest import CAST_NAMES
from mantelzorg.core.models import LogEntry

from .factories import edit_form, make_org, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    own = make_org(
        "Voorbeeld Steunpunt Amsterdam", municipalities=["GM0363"], account_organisation=cast.organisation
    )
    service = make_service("Amsterdams aanbod", org=own, postcode="1012")
    return service


def urls(service):
    return {
        "manage": "/sociale-kaart/beheer/",
        "new": "/sociale-kaart/beheer/aanbod/nieuw/",
        "edit": f"/sociale-kaart/beheer/aanbod/{service.id}/",
        "withdraw": f"/sociale-kaart/beheer/aanbod/{service.id}/verwijderen/",
        "menu_edit": "/gemeenten/GM0363/respijtzorg/bewerken/",
    }


ALLOWED = {
    "editor": {"manage", "new", "edit", "withdraw"},
    "staff": {"manage", "new", "edit", "withdraw", "menu_edit"},
    "admin": {"manage", "new", "edit", "withdraw", "menu_edit"},
}
OUTSIDERS = [who for who in CAST_NAMES if who not in ALLOWED and who != "anonymous"]


@pytest.mark.parametrize("who", list(ALLOWED) + OUTSIDERS + ["anonymous"])
def test_edit_urls_by_cast(cast, world, login_as, who, client):
    user = getattr(cast, who)
    c = login_as(user)
    for name, url in urls(world).items():
        response = c.get(url)
        if user is None:
            assert response.status_code == 302 and "/account/" in response["Location"], (who, name)
        elif name in ALLOWED.get(who, set()):
            assert response.status_code == 200, (who, name)
        else:
            assert response.status_code == 404, (who, name)


def test_other_staff_sees_only_own_gemeente(cast, world, login_as):
    c = login_as(cast.other_staff)
    assert c.get("/gemeenten/GM0344/respijtzorg/bewerken/").status_code == 200
    assert c.get(f"/sociale-kaart/beheer/aanbod/{world.id}/").status_code == 404


def test_editor_updates_and_is_audited(cast, world, login_as):
    c = login_as(cast.editor)
    form = edit_form(
        world,
        name="Nieuwe naam",
        respite_forms=["day_care"],
        opening_days=["MO"],
        opens_at="09:00",
        closes_at="12:00",
        verified_now="on",
    )
    response = c.post(f"/sociale-kaart/beheer/aanbod/{world.id}/", form)
    assert response.status_code == 302
    world.refresh_from_db()
    assert world.name == "Nieuwe naam"
    assert LogEntry.objects.filter(action="directory.service.updated", object_id=str(world.id)).exists()
    assert (
        c.get("/sociale-kaart/", {"postcode": "1012", "respijt": "day_care"})
        .content.decode()
        .count("Nieuwe naam")
    )


def test_editor_field_errors(cast, world, login_as):
    c = login_as(cast.editor)
    response = c.post(
        "/sociale-kaart/beheer/aanbod/nieuw/",
        {"organization": world.organization_id, "name": "", "postal_code": "XX"},
    )
    assert response.status_code == 200
    assert b'id="id_name_error"' in response.content and b'id="id_postal_code_error"' in response.content


def test_create_is_audited(cast, world, login_as):
    c = login_as(cast.editor)
    response = c.post(
        "/sociale-kaart/beheer/aanbod/nieuw/",
        {
            "organization": world.organization_id,
            "name": "Nieuw",
            "description": "x",
            "cost_kind": "free",
            "law": "none",
            "status": "active",
            "publication": "draft",
            "areas": "Amsterdam",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert LogEntry.objects.filter(action="directory.service.created").count() == 1


def test_editor_cannot_pick_foreign_organisation(cast, world, login_as):
    foreign = make_org("Vreemd", account_organisation=cast.other_organisation)
    c = login_as(cast.editor)
    response = c.post(
        "/sociale-kaart/beheer/aanbod/nieuw/",
        {
            "organization": foreign.id,
            "name": "Nieuw",
            "description": "x",
            "cost_kind": "free",
            "law": "none",
            "status": "active",
            "publication": "draft",
            "areas": "Amsterdam",
        },
    )
    assert response.status_code == 200 and b"id_organization_error" in response.content


# --- withdrawing an offer (POST /sociale-kaart/beheer/aanbod/<id>/verwijderen/) ---------------


@pytest.mark.parametrize("who", ["editor", "staff", "admin"])
def test_withdraw_by_those_who_may_edit(cast, world, login_as, who):
    c = login_as(getattr(cast, who))
    response = c.post(f"/sociale-kaart/beheer/aanbod/{world.id}/verwijderen/")
    assert response.status_code == 302 and response["Location"] == "/sociale-kaart/beheer/"
    world.refresh_from_db()
    assert world.publication == "withdrawn"
    assert LogEntry.objects.filter(action="directory.service.withdrawn", object_id=str(world.id)).count() == 1


@pytest.mark.parametrize("who", OUTSIDERS + ["anonymous"])
def test_withdraw_refused_to_outsiders(cast, world, login_as, who):
    user = getattr(cast, who)
    c = login_as(user)
    response = c.post(f"/sociale-kaart/beheer/aanbod/{world.id}/verwijderen/")
    if user is None:
        assert response.status_code == 302 and "/account/" in response["Location"]
    else:
        assert response.status_code == 404
    world.refresh_from_db()
    assert world.publication == "published" and world.status == "active"
    assert not LogEntry.objects.filter(action="directory.service.withdrawn").exists()


def test_withdraw_get_changes_nothing(cast, world, login_as):
    c = login_as(cast.editor)
    body = c.get(f"/sociale-kaart/beheer/aanbod/{world.id}/verwijderen/").content.decode()
    assert 'method="post"' in body and "csrfmiddlewaretoken" in body
    world.refresh_from_db()
    assert world.publication == "published"
    assert not LogEntry.objects.filter(action="directory.service.withdrawn").exists()


def test_editing_keeps_what_the_form_does_not_show(cast, login_as, world):
    """A service from an HSDS import may have two phones and two opening times; the form shows
    the first of each. Saving it changes that one and keeps the others."""
    from mantelzorg.directory.models import Phone, Schedule

    Phone.objects.create(service=world, number="020-1111111")
    Phone.objects.create(service=world, number="020-2222222")
    Schedule.objects.create(service=world, byday="MO", opens_at="09:00", closes_at="12:00")
    Schedule.objects.create(service=world, byday="SA", opens_at="10:00", closes_at="14:00")
    first_phone = Phone.objects.filter(service=world).order_by("pk").first()
    first_schedule = Schedule.objects.filter(service=world).order_by("pk").first()
    c = login_as(cast.editor)
    page = c.get(f"/sociale-kaart/beheer/aanbod/{world.id}/").content.decode()
    assert f'value="{first_phone.number}"' in page
    form = edit_form(
        world, phone="020-9999999", opening_days=["TU", "TH"], opens_at="13:00", closes_at="17:00"
    )
    assert c.post(f"/sociale-kaart/beheer/aanbod/{world.id}/", form).status_code == 302
    phones = dict(Phone.objects.filter(service=world).values_list("pk", "number"))
    assert len(phones) == 2 and phones[first_phone.pk] == "020-9999999"
    schedules = {s.pk: s for s in Schedule.objects.filter(service=world)}
    assert len(schedules) == 2 and schedules[first_schedule.pk].byday == "TU,TH"
    assert {s.byday for s in schedules.values()} - {"TU,TH"} == (
        {"SA"} if first_schedule.byday == "MO" else {"MO"}
    )
    # Clearing the field removes only the row the form showed.
    form["phone"] = ""
    assert c.post(f"/sociale-kaart/beheer/aanbod/{world.id}/", form).status_code == 302
    assert Phone.objects.filter(service=world).count() == 1
