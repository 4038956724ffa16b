"""Who reaches a care network: its active members, each as their role there allows; nobody else
(404 on every page of it, GET and POST, audited as denied). Every route of ``network/urls.py`` is
visited with the ids of network A: a new route is checked here without being listed.

Routes checked (for the route matrix): /netwerk/ /netwerk/nieuw/ /netwerk/uitnodiging/ /netwerk/agenda/
"""

import pytest
from django.urls import URLPattern, reverse

from conftest import CAST_NAMES
from mantelzorg.core.models import LogEntry
from mantelzorg.network import urls as network_urls
from mantelzorg.network.models import Activity, Membership, Role

from . import factories

pytestmark = pytest.mark.django_db

# Routes that need no network (the caller's own list, opening a network) or open by a secret token.
WITHOUT_NETWORK = {"list", "create", "invitation", "feed_ics"}
# Routes only a coordinator reaches; a member gets 404 as if they did not exist.
MANAGER_ONLY = {"invite", "member_edit", "member_remove", "invitation_revoke", "settings"}
DIARY = {"diary"}
# Routes that change an agenda item: only who may change it (``Access.may_edit``; the world's item
# was added by nobody, so only the coordinator); others get 404.
AGENDA_EDITORS = {"appointment_edit", "appointment_delete"}
# Planning help: coordinators and caregivers (``Access.plans_tasks``).
PLANNERS = {"task_new", "activity_new", "activity_edit", "activity_cancel", "task_edit"}

# In network A: the coordinator (caregiver), a member (network_member) and a professional.
MEMBERS = {"caregiver", "network_member", "professional"}
OUTSIDERS = [who for who in CAST_NAMES if who not in MEMBERS]


@pytest.fixture
def world(cast):
    a = factories.network(cast.caregiver, name="Mien")
    member = factories.member(a, cast.network_member)
    factories.member(a, cast.professional, role=Role.PROFESSIONAL, relation="professional")
    b = factories.network(cast.other_caregiver, name="Kees")
    ids = {}
    for net in (a, b):
        coordinator = Membership.objects.filter(network=net, role=Role.COORDINATOR).first()
        ids[net.pk] = {
            "network_id": net.pk,
            "member_id": (member if net is a else coordinator).pk,
            "invitation_id": factories.invitation(net, token=f"t-{net.pk}").pk,
            "appointment_id": factories.appointment(net).pk,
            "task_id": factories.task(net).pk,
            "activity_id": Activity.objects.create(
                network=net,
                kind="shopping",
                title="Boodschappen",
                starts_at=factories.at(factories.dt.date.today()),
                rrule="FREQ=WEEKLY;COUNT=3",
            ).pk,
            "diary": factories.diary(net, coordinator),
            "action": "nemen",  # one of the task actions (all POST, all behind the same access rule)
        }
    return {"a": a, "b": b, "ids": ids, "member": member}


def routes():
    return [p for p in network_urls.urlpatterns if isinstance(p, URLPattern)]


def url_of(pattern, values) -> str:
    kwargs = {name: values[name] for name in pattern.pattern.converters}
    return reverse(f"network:{pattern.name}", kwargs=kwargs)


NETWORK_ROUTES = [p.name for p in routes() if p.name not in WITHOUT_NETWORK]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_page_of_a_network(cast, login_as, world, who):
    client = login_as(getattr(cast, who))
    values = world["ids"][world["a"].pk]
    for pattern in routes():
        if pattern.name in WITHOUT_NETWORK:
            continue
        url = url_of(pattern, values)
        if who == "anonymous":  # sent to the login page, whatever the id: nothing is disclosed
            assert client.get(url).status_code == 302, url
            continue
        assert_refused(client, url)
    if who != "anonymous":
        assert LogEntry.objects.filter(
            actor_id=str(getattr(cast, who).pk), outcome="denied", object_id=str(world["a"].pk)
        ).exists()


@pytest.mark.parametrize("who", sorted(MEMBERS))
def test_a_member_of_one_network_gets_404_on_another(cast, login_as, world, who):
    client = login_as(getattr(cast, who))
    values = world["ids"][world["b"].pk]
    for pattern in routes():
        if pattern.name in WITHOUT_NETWORK:
            continue
        url = url_of(pattern, values)
        assert_refused(client, url)


def assert_refused(client, url):
    """404 to every method the route answers (a route answers 405 to a method it never takes)."""
    statuses = (client.get(url).status_code, client.post(url).status_code)
    assert set(statuses) <= {404, 405} and 404 in statuses, (url, statuses)


def test_members_reach_the_pages_their_role_allows(cast, login_as, world):
    """Every page a member may open answers 200 (a POST-only route 405 to a GET); a page their role
    does not allow answers 404, to a GET and to a POST."""
    values = world["ids"][world["a"].pk]
    for who in MEMBERS:
        client = login_as(getattr(cast, who))
        for pattern in routes():
            if pattern.name in WITHOUT_NETWORK:
                continue
            url = url_of(pattern, values)
            allowed = who == "caregiver" or (
                pattern.name not in MANAGER_ONLY | DIARY | AGENDA_EDITORS | PLANNERS
            )
            status = client.get(url).status_code
            if allowed:
                assert status in (200, 405), (who, url, status)
            else:
                assert_refused(client, url)


def test_the_diary_switch_opens_the_diary_for_one_member(cast, login_as, world):
    a = world["a"]
    client = login_as(cast.network_member)
    assert client.get(f"/netwerk/{a.pk}/dagboek/").status_code == 404
    Membership.objects.filter(pk=world["member"].pk).update(sees_private=True)
    assert client.get(f"/netwerk/{a.pk}/dagboek/").status_code == 200
    a.diary_for_members = False
    a.save()
    assert client.get(f"/netwerk/{a.pk}/dagboek/").status_code == 404  # the coordinator hid it


def test_contact_details_only_with_the_switch(cast, login_as, world):
    a = world["a"]
    Membership.objects.filter(network=a, user=cast.caregiver).update(phone="0612345678")
    client = login_as(cast.network_member)
    page = client.get(f"/netwerk/{a.pk}/leden/").content.decode()
    assert "alice" in page and "0612345678" not in page and cast.caregiver.email not in page
    Membership.objects.filter(pk=world["member"].pk).update(sees_private=True)
    page = client.get(f"/netwerk/{a.pk}/leden/").content.decode()
    assert "0612345678" in page and "tel:+31612345678" in page


def test_a_removed_member_gets_404_on_the_next_request(cast, login_as, world):
    a = world["a"]
    member_client = login_as(cast.network_member)
    assert member_client.get(f"/netwerk/{a.pk}/").status_code == 200
    from django.test import Client

    from conftest import login

    coordinator = login(Client(), cast.caregiver)
    response = coordinator.post(f"/netwerk/{a.pk}/leden/{world['member'].pk}/verwijderen/")
    assert response.status_code == 302
    assert member_client.get(f"/netwerk/{a.pk}/").status_code == 404
    assert member_client.get(f"/netwerk/{a.pk}/agenda/").status_code == 404


def test_a_member_who_leaves_gets_404_on_the_next_request(cast, login_as, world):
    a = world["a"]
    client = login_as(cast.network_member)
    assert client.post(f"/netwerk/{a.pk}/verlaten/").status_code == 302
    assert client.get(f"/netwerk/{a.pk}/").status_code == 404


def test_every_read_writes_one_audit_row(cast, login_as, world):
    a = world["a"]
    client = login_as(cast.caregiver)
    for url, action in [
        (f"/netwerk/{a.pk}/leden/", "network.member.listed"),
        (f"/netwerk/{a.pk}/dagboek/", "network.diary.viewed"),
    ]:
        before = LogEntry.objects.filter(action=action, outcome="success").count()
        assert client.get(url).status_code == 200
        rows = LogEntry.objects.filter(action=action, outcome="success")
        assert rows.count() == before + 1
        row = rows.latest("created_at")
        assert row.actor_id == str(cast.caregiver.pk) and row.actor_role == Role.COORDINATOR
        assert row.subject_id == f"network:{a.pk}" and row.purpose == "care network"


def test_only_a_coordinator_can_invite(cast, login_as, world):
    a = world["a"]
    for who in ("network_member", "professional"):
        response = login_as(getattr(cast, who)).post(
            f"/netwerk/{a.pk}/leden/uitnodigen/",
            {"email": "x@example.org", "role": "member", "relation": "friend"},
        )
        assert response.status_code == 404
