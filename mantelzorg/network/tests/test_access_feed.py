"""Who reaches the calendar feed pages, with the cast: only the member themself reaches their
subscribe page (``/netwerk/<id>/agenda-abonnement/``, renew, revoke); everyone else gets 404
(anonymous: the login page), audited as denied. The feed itself (``/netwerk/agenda/<token>.ics``)
needs no session: the token is the key, whoever sends it, and nothing else opens it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import CAST_NAMES, login
from mantelzorg.core.models import LogEntry
from mantelzorg.network.models import Membership, Network, Role

pytestmark = pytest.mark.django_db

MEMBER = "network_member"
TOKEN = "feed-token-of-the-member-0123456789abcdef"


@pytest.fixture
def network(cast):
    network = Network.objects.create(recipient_name="Mien")
    Membership.objects.create(network=network, user=cast.caregiver, role=Role.COORDINATOR, relation="child")
    Membership.objects.create(
        network=network, user=cast.network_member, role=Role.MEMBER, relation="friend", feed_token=TOKEN
    )
    return network


def _urls(network):
    return [
        (
            "get",
            reverse("network:feed", kwargs={"network_id": network.pk}),
        ),  # /netwerk/<id>/agenda-abonnement/
        ("post", reverse("network:feed_renew", kwargs={"network_id": network.pk})),
        ("post", reverse("network:feed_revoke", kwargs={"network_id": network.pk})),
    ]


@pytest.mark.parametrize("who", CAST_NAMES)
def test_the_subscribe_pages_only_for_members(client, cast, network, who):
    login(client, getattr(cast, who))
    member = who in (MEMBER, "caregiver")
    for method, url in _urls(network):
        if method == "post" and member:
            continue  # a member's POSTs change their token: tested in test_feed.py
        response = getattr(client, method)(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/account/inloggen/" in response["Location"], url
        elif member:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 404, (who, url)
    if who not in ("anonymous", MEMBER, "caregiver"):
        assert LogEntry.objects.filter(outcome="denied", object_id=str(network.pk)).count() == 3
    assert Membership.objects.get(user=cast.network_member).feed_token == TOKEN


@pytest.mark.parametrize("who", CAST_NAMES)
def test_the_feed_opens_with_the_token_whoever_asks_and_never_without(client, cast, network, who):
    login(client, getattr(cast, who))
    feed = reverse("network:feed_ics", kwargs={"token": TOKEN})  # /netwerk/agenda/<token>.ics
    assert client.get(feed).status_code == 200
    rows = LogEntry.objects.filter(action="network.feed.read")
    assert [r.actor_id for r in rows] == [str(cast.network_member.pk)]  # the token's user, not the caller
    assert client.get(reverse("network:feed_ics", kwargs={"token": TOKEN[:-1]})).status_code == 404
