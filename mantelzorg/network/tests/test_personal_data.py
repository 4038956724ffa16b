"""A member's data in networks is in their export, and erasure removes them from every network:
their diary entries stay for the others under "oud-lid" (former member), open tasks they had
claimed become open again, a network they coordinated alone gets a new coordinator, and a network
with nobody left in it is removed."""

import json

import pytest
from django.test import Client

from conftest import PASSWORD, login, make_user
from mantelzorg.network.models import DiaryEntry, Invitation, Membership, Network, Role, Task

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return make_user("ans@example.org", "caregiver")


def test_the_export_holds_memberships_claims_diary_and_invitations(cast, person):
    net = factories.network(cast.caregiver)
    mine = factories.member(net, person, phone="0611111111")
    factories.task(
        net, claimed_by=mine, status=Task.Status.CLAIMED, claimed_at=net.created_at, title="Rijden"
    )
    factories.diary(net, mine, text="Samen gewandeld.")
    factories.invitation(net, email=person.email, token="x")
    client = login(Client(), person)
    data = json.loads(client.get("/account/mijn-gegevens/download/").content)["apps"]["network"]
    assert (
        data["memberships"][0]["person_cared_for"] == "Mien"
        and data["memberships"][0]["phone"] == "0611111111"
    )
    assert data["tasks_claimed"][0]["title"] == "Rijden"
    assert data["diary_entries"][0]["text"] == "Samen gewandeld."
    assert len(data["invitations_to_you"]) == 1
    assert cast.caregiver.email not in json.dumps(data)


def test_erasure_leaves_the_diary_to_the_others_as_a_former_member(cast, person):
    net = factories.network(cast.caregiver)
    mine = factories.member(net, person, phone="0611111111", feed_token="feed-secret")
    entry = factories.diary(net, mine, text="Samen gewandeld.")
    future = factories.task(net, claimed_by=mine, status=Task.Status.CLAIMED, claimed_at=net.created_at)
    client = login(Client(), person)
    assert client.post("/account/mijn-gegevens/verwijderen/", {"password": PASSWORD}).status_code == 302
    mine.refresh_from_db()
    assert mine.user is None and mine.ended_at is not None and mine.phone == "" and mine.feed_token is None
    assert DiaryEntry.objects.get(pk=entry.pk).author_id == mine.pk
    page = login(Client(), cast.caregiver).get(f"/netwerk/{net.pk}/dagboek/").content.decode()
    assert "Samen gewandeld." in page and ("oud-lid" in page or "former member" in page)
    future.refresh_from_db()
    assert future.status == Task.Status.OPEN and future.claimed_by is None


def test_a_network_coordinated_alone_gets_a_new_coordinator_and_an_empty_one_goes(cast, person):
    shared = factories.network(person, name="Gedeeld")
    heir = factories.member(shared, cast.caregiver, role=Role.CAREGIVER, relation="sibling")
    factories.member(shared, cast.professional, role=Role.PROFESSIONAL, relation="professional")
    alone = factories.network(person, name="Alleen")
    factories.invitation(alone, email="iemand@example.org", token="y")
    login(Client(), person).post("/account/mijn-gegevens/verwijderen/", {"password": PASSWORD})
    assert Membership.objects.get(pk=heir.pk).role == Role.COORDINATOR
    assert Network.objects.filter(pk=shared.pk).exists()
    assert not Network.objects.filter(pk=alone.pk).exists()
    assert not Invitation.objects.filter(network_id=alone.pk).exists()
