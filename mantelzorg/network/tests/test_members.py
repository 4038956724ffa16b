"""Opening a network, inviting people (single use, expiring, revocable), roles per membership,
handing over coordination, leaving and removing."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import login, make_user
from mantelzorg.accounts.models import Role as UserRole
from mantelzorg.core.models import LogEntry
from mantelzorg.network.models import Invitation, Membership, Network, Role

from . import factories

pytestmark = pytest.mark.django_db


def invite(client, net, email="charlie@example.org", role="member", relation="friend", **extra):
    mail.outbox.clear()
    response = client.post(
        f"/netwerk/{net.pk}/leden/uitnodigen/", {"email": email, "role": role, "relation": relation, **extra}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    (message,) = mail.outbox
    return re.search(r"https?://\S+(/netwerk/uitnodiging/\S+/)", message.body).group(1), message


def test_a_caregiver_opens_a_network_and_becomes_its_coordinator(cast):
    client = login(Client(), cast.caregiver)
    response = client.post(
        "/netwerk/nieuw/",
        {
            "recipient_name": "Mien",
            "relation": "child",
            "recipient_birth_date": "14-3-1942",
            "postcode": "1012 AB",
        },
    )
    net = Network.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/netwerk/{net.pk}/leden/"
    assert net.recipient_pc4 == "1012" and net.municipality_id == "GM0363"
    assert net.recipient_birth_date == dt.date(1942, 3, 14)
    (membership,) = net.memberships.all()
    assert membership.user == cast.caregiver and membership.role == Role.COORDINATOR
    assert cast.caregiver.role == UserRole.CAREGIVER  # the global role is untouched
    assert "Mien" in client.get("/netwerk/").content.decode()
    assert LogEntry.objects.filter(action="network.network.created", object_id=str(net.pk)).count() == 1


def test_opening_a_network_with_bad_input_says_what_to_fix(cast):
    client = login(Client(), cast.caregiver)
    response = client.post("/netwerk/nieuw/", {"recipient_name": "", "relation": "", "postcode": "12"})
    assert response.status_code == 200 and not Network.objects.exists()
    page = response.content.decode()
    assert "Vul de naam in" in page or "Fill in the name" in page
    assert 'aria-invalid="true"' in page


def test_an_invitation_is_accepted_once_by_signing_in(cast):
    net = factories.network(cast.caregiver)
    coordinator = login(Client(), cast.caregiver)
    path, message = invite(coordinator, net, sees_private="on")
    assert message.to == ["charlie@example.org"] and "Mien" in message.subject
    invitation = Invitation.objects.get()
    assert path.split("/")[-2] not in invitation.token_hash  # only a hash of the token is kept
    assert "charlie@example.org" in coordinator.get(f"/netwerk/{net.pk}/leden/").content.decode()

    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200 and "/account/inloggen/?next=" in page.content.decode()
    member = login(visitor, cast.network_member)
    assert member.post(path).status_code == 302
    joined = Membership.objects.get(network=net, user=cast.network_member)
    assert joined.role == Role.MEMBER and joined.relation == "friend" and joined.sees_private
    assert member.get(f"/netwerk/{net.pk}/").status_code == 200
    assert member.post(path).status_code == 404  # single use
    assert Client().get(path).status_code == 404
    pending = coordinator.get(f"/netwerk/{net.pk}/leden/").content.decode().split('id="invitations"')[-1]
    assert "charlie@example.org" not in pending


def test_a_withdrawn_or_expired_invitation_no_longer_works(cast):
    net = factories.network(cast.caregiver)
    coordinator = login(Client(), cast.caregiver)
    path, _ = invite(coordinator, net)
    invitation = Invitation.objects.get()
    assert (
        coordinator.post(f"/netwerk/{net.pk}/leden/uitnodiging/{invitation.pk}/intrekken/").status_code == 302
    )
    member = login(Client(), cast.network_member)
    assert member.get(path).status_code == 404 and member.post(path).status_code == 404
    path, _ = invite(coordinator, net)
    Invitation.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert member.post(path).status_code == 404
    assert not Membership.objects.filter(network=net, user=cast.network_member).exists()


def test_a_new_invitation_to_the_same_address_replaces_the_old_one(cast):
    net = factories.network(cast.caregiver)
    coordinator = login(Client(), cast.caregiver)
    first, _ = invite(coordinator, net)
    second, _ = invite(coordinator, net)
    member = login(Client(), cast.network_member)
    assert member.post(first).status_code == 404
    assert member.post(second).status_code == 302


def test_one_person_has_a_different_role_in_each_network(cast):
    mine = factories.network(cast.caregiver, name="Mien")
    theirs = factories.network(cast.other_caregiver, name="Kees")
    factories.member(theirs, cast.caregiver, role=Role.MEMBER, relation="neighbour")
    client = login(Client(), cast.caregiver)
    page = client.get("/netwerk/").content.decode()
    assert "Mien" in page and "Kees" in page
    assert client.get(f"/netwerk/{mine.pk}/leden/uitnodigen/").status_code == 200
    assert client.get(f"/netwerk/{theirs.pk}/leden/uitnodigen/").status_code == 404


def test_the_coordinator_hands_over_the_role_but_never_leaves_the_network_without_one(cast):
    net = factories.network(cast.caregiver)
    other = factories.member(net, cast.network_member, role=Role.CAREGIVER, relation="sibling")
    me = factories.membership(net, cast.caregiver)
    client = login(Client(), cast.caregiver)
    # Leaving as the only coordinator is refused, with a reason.
    response = client.post(f"/netwerk/{net.pk}/verlaten/")
    assert response.status_code == 200 and Membership.objects.get(pk=me.pk).ended_at is None
    # Share the role, then leave.
    response = client.post(
        f"/netwerk/{net.pk}/leden/{other.pk}/",
        {"role": "coordinator", "relation": "sibling", "sees_private": "on"},
    )
    assert response.status_code == 302
    assert client.post(f"/netwerk/{net.pk}/verlaten/").status_code == 302
    assert Membership.objects.get(pk=me.pk).ended_at is not None
    new = login(Client(), cast.network_member)
    assert new.get(f"/netwerk/{net.pk}/leden/uitnodigen/").status_code == 200
    # The last coordinator cannot make themself a member: the page says why.
    response = new.post(f"/netwerk/{net.pk}/leden/{other.pk}/", {"role": "member", "relation": "sibling"})
    assert response.status_code == 200 and Membership.objects.get(pk=other.pk).role == Role.COORDINATOR
    assert "coordinat" in response.content.decode()


def test_the_last_coordinator_cannot_be_demoted_by_another_coordinator_path(cast):
    net = factories.network(cast.caregiver)
    member = factories.member(net, cast.network_member)
    client = login(Client(), cast.caregiver)
    me = factories.membership(net, cast.caregiver)
    response = client.post(f"/netwerk/{net.pk}/leden/{me.pk}/", {"role": "member", "relation": "child"})
    assert response.status_code == 200 and Membership.objects.get(pk=me.pk).role == Role.COORDINATOR
    assert client.post(f"/netwerk/{net.pk}/leden/{member.pk}/verwijderen/").status_code == 302


def test_the_person_cared_for_can_join_and_sees_who_is_in_the_network(cast):
    net = factories.network(cast.caregiver)
    factories.member(net, cast.network_member)
    naaste = make_user("mien@example.org", UserRole.CAREGIVER)
    path, _ = invite(login(Client(), cast.caregiver), net, email=naaste.email, role="recipient", relation="")
    client = login(Client(), naaste)
    assert client.post(path).status_code == 302
    membership = Membership.objects.get(network=net, user=naaste)
    assert membership.role == Role.RECIPIENT and membership.relation == "self"
    page = client.get(f"/netwerk/{net.pk}/leden/").content.decode()
    assert "alice" in page and "charlie" in page


def test_my_settings_keep_phone_and_reminders(cast):
    net = factories.network(cast.caregiver)
    client = login(Client(), cast.caregiver)
    response = client.post(
        f"/netwerk/{net.pk}/mijn-instellingen/", {"phone": "020 123 4567", "reminders": ""}
    )
    assert response.status_code == 302
    me = factories.membership(net, cast.caregiver)
    assert me.phone == "020 123 4567" and not me.reminders


def test_the_diary_shows_newest_first_with_the_author(cast):
    net = factories.network(cast.caregiver)
    client = login(Client(), cast.caregiver)
    for text in ("Eerste", "Tweede"):
        assert client.post(f"/netwerk/{net.pk}/dagboek/", {"text": text}).status_code == 302
    page = client.get(f"/netwerk/{net.pk}/dagboek/").content.decode()
    assert page.index("Tweede") < page.index("Eerste") and "alice" in page
    response = client.post(f"/netwerk/{net.pk}/dagboek/", {"text": "x" * 2001})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()


def test_an_invitation_is_accepted_by_creating_an_account(cast):
    """A new person: the invitation page sends them to sign up; the sign-up link brings them back
    to the invitation, signed in, and one button puts them in the network."""
    net = factories.network(cast.caregiver)
    path, _ = invite(
        login(Client(), cast.caregiver), net, email="nieuw@example.org", role="caregiver", relation="sibling"
    )
    visitor = Client()
    page = visitor.get(path).content.decode()
    signup = re.search(r'href="(/account/aanmelden/\?next=[^"]+)"', page).group(1).replace("&amp;", "&")
    mail.outbox.clear()
    response = visitor.post(
        signup,
        {
            "name": "Nieuw",
            "email": "nieuw@example.org",
            "password": "een lange zin om te onthouden",
            "next": path,
        },
    )
    assert response.status_code == 200
    confirm = re.search(r"https?://\S+?(/account/aanmelden/bevestigen/\S+)", mail.outbox[0].body).group(1)
    response = visitor.post(confirm)
    assert response.status_code == 302 and response["Location"] == path
    assert visitor.post(path).status_code == 302
    joined = Membership.objects.get(network=net, user__email="nieuw@example.org")
    assert joined.role == Role.CAREGIVER and joined.relation == "sibling"
