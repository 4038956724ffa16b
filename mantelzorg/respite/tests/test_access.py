"""Who reaches a respite request: the requester (their own pages), the provider whose house it is
(the decision pages), a coordinator of the house's region (the read-only request page under the
regional overview), nobody else: another caregiver, another house's provider, a coordinator of
another region, gemeente staff (counts only) and the rest of the cast get 404, audited as denied;
a visitor is asked to log in.

Routes checked (for the route matrix): /logeerzorg/ /logeerzorg/zoeken/
/logeerzorg/huis/<service_id>/aanvragen/, per stay /logeerzorg/aanvragen/<id>/ with /annuleren/
/accepteren/, /logeerzorg/wachtlijst/ and /logeerzorg/wachtlijst/<id>/afmelden/,
/logeerzorg/aanbieder/ and per stay /logeerzorg/aanbieder/<id>/ with /bevestigen/ /afwijzen/
/annuleren/, and per stay the coordinator's /logeerzorg/regio/aanvragen/<id>/.
"""

import pytest

from conftest import CAST_NAMES, login
from mantelzorg.core.models import LogEntry
from mantelzorg.respite import selectors, services
from mantelzorg.respite.models import Stay, WaitingEntry

from .factories import days, request_for
from .pages import held_stay, provider_world, request_url, search_url

pytestmark = pytest.mark.django_db

REQUESTER_GETS = [""]
REQUESTER_POSTS = ["annuleren/", "accepteren/"]
PROVIDER_GETS = [""]
PROVIDER_POSTS = ["bevestigen/", "afwijzen/", "annuleren/"]
# Beside the cast (tests/conftest.py): the people of provider_world.
WORLD = ["decider", "other_decider", "coordinator", "other_coordinator"]


@pytest.fixture
def world(cast):
    made = provider_world(cast)
    made.stay = held_stay(cast.caregiver, made.service)
    made.entry = WaitingEntry.objects.create(
        user=cast.caregiver,
        pc4="3511",
        arrival=days(10),
        departure=days(12),
        kind="logeerzorg_wmo",
        funding="wmo",
    )
    return made


def person(cast, world, who):
    return getattr(world, who) if who in WORLD else getattr(cast, who)


def untouched(world):
    world.stay.refresh_from_db()
    world.entry.refresh_from_db()
    return world.stay.state == Stay.State.HELD and world.entry.state == WaitingEntry.State.WAITING


@pytest.mark.parametrize("who", [n for n in CAST_NAMES if n != "caregiver"] + WORLD)
def test_nobody_but_the_requester_reaches_the_requesters_pages(who, cast, world, client):
    user = person(cast, world, who)
    login(client, user)
    expected = 302 if user is None else 404  # a visitor is asked to log in first
    before = LogEntry.objects.filter(outcome="denied").count()
    stay = world.stay
    for path in REQUESTER_GETS:
        assert client.get(f"/logeerzorg/aanvragen/{stay.pk}/{path}").status_code == expected, (who, path)
    for path in REQUESTER_POSTS:
        assert client.post(f"/logeerzorg/aanvragen/{stay.pk}/{path}").status_code == expected, (who, path)
    assert client.post(f"/logeerzorg/wachtlijst/{world.entry.pk}/afmelden/").status_code == expected
    if user is not None:
        denied = LogEntry.objects.filter(outcome="denied").count() - before
        assert denied == len(REQUESTER_GETS) + len(REQUESTER_POSTS) + 1, who
    assert untouched(world)


@pytest.mark.parametrize("who", CAST_NAMES + [n for n in WORLD if n != "decider"])
def test_nobody_but_the_houses_provider_reaches_the_decision_pages(who, cast, world, client):
    user = person(cast, world, who)
    login(client, user)
    expected = 302 if user is None else 404
    stay = world.stay
    inbox = client.get("/logeerzorg/aanbieder/")  # another house's provider has an inbox of its own
    assert inbox.status_code == (200 if who == "other_decider" else expected), who
    assert str(stay.pk) not in inbox.content.decode()
    for path in PROVIDER_GETS:
        assert client.get(f"/logeerzorg/aanbieder/{stay.pk}/{path}").status_code == expected, (who, path)
    for path in PROVIDER_POSTS:
        response = client.post(f"/logeerzorg/aanbieder/{stay.pk}/{path}", {"reden": "Nee."})
        assert response.status_code == expected, (who, path)
    if user is not None:
        denied = LogEntry.objects.filter(outcome="denied", object_id=str(stay.pk)).count()
        assert denied == len(PROVIDER_GETS) + len(PROVIDER_POSTS), who
    assert untouched(world)


def test_the_requester_and_the_provider_reach_their_own_pages(cast, world, client):
    stay = world.stay
    login(client, cast.caregiver)
    assert client.get(f"/logeerzorg/aanvragen/{stay.pk}/").status_code == 200
    assert client.get(f"/logeerzorg/aanbieder/{stay.pk}/").status_code == 404  # not as provider
    assert client.get("/logeerzorg/aanbieder/").status_code == 404
    login(client, world.decider)
    assert client.get("/logeerzorg/aanbieder/").status_code == 200
    assert client.get(f"/logeerzorg/aanbieder/{stay.pk}/").status_code == 200
    assert client.get(f"/logeerzorg/aanvragen/{stay.pk}/").status_code == 404  # not as requester
    assert client.post(f"/logeerzorg/aanbieder/{stay.pk}/bevestigen/").status_code == 302
    stay.refresh_from_db()
    assert stay.state == Stay.State.CONFIRMED


def test_another_houses_provider_sees_none_of_its_requests_in_the_inbox(cast, world, client):
    login(client, world.other_decider)
    other_stay = held_stay(cast.other_caregiver, world.other_service)
    text = client.get("/logeerzorg/aanbieder/").content.decode()
    assert str(other_stay.pk) in text and str(world.stay.pk) not in text


@pytest.mark.parametrize("who", CAST_NAMES + WORLD)
def test_searching_is_open_to_everyone_and_requesting_asks_to_log_in(who, cast, world, client):
    user = person(cast, world, who)
    login(client, user)
    assert client.get("/logeerzorg/").status_code == 200
    assert client.get(search_url()).status_code == 200
    response = client.get(request_url(world.service))
    assert response.status_code == (302 if user is None else 200), who
    if user is None:
        assert client.post("/logeerzorg/wachtlijst/", {"postcode": "3511"}).status_code == 302
    # nobody sees another person's guests in the request form
    assert "Mien" not in response.content.decode() or who == "caregiver"


def test_a_stay_the_caller_did_not_request_cannot_be_cancelled_through_their_own(cast, world, client):
    """The requester's own POST routes take only the requester's stays: another caregiver's stay
    id in the same URL is 404 and unchanged."""
    theirs = held_stay(cast.other_caregiver, world.service, arrival=20, departure=22)
    login(client, cast.caregiver)
    assert client.post(f"/logeerzorg/aanvragen/{theirs.pk}/annuleren/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == Stay.State.HELD
    services.stay_cancel(request=request_for(cast.other_caregiver), stay=theirs)


# --- The regional coordinator's request page ---------------------------------------------------


def region_url(stay) -> str:
    return f"/logeerzorg/regio/aanvragen/{stay.pk}/"


def test_a_coordinator_reads_a_request_of_their_region_audited(cast, world, client):
    login(client, world.coordinator)
    response = client.get(region_url(world.stay))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Voorbeeld Logeerhuis Utrecht" in text and "Slaapt slecht" in text
    assert 'href="tel:+31612345678"' in text  # phone the person who asked
    assert 'href="tel:+31301234567"' in text  # and the house
    assert "Het huis heeft nog" in text  # the time it has left to decide
    assert "<form" not in text.split("<main", 1)[1]  # reads only: no decision
    row = LogEntry.objects.get(actor_id=str(world.coordinator.pk), action="respite.stay.viewed")
    assert (row.outcome, row.object_id) == ("success", str(world.stay.pk))
    assert row.purpose == selectors.REGION_PURPOSE and row.subject_id == str(cast.caregiver.pk)


@pytest.mark.parametrize("who", [n for n in CAST_NAMES if n != "anonymous"] + ["decider", "other_decider"])
def test_nobody_but_the_regions_coordinator_reaches_the_region_request_page(who, cast, world, client):
    """Also the requester and the house's provider: they have pages of their own. Gemeente staff
    of the house's gemeente (``other_staff``, GM0344) see counts only."""
    user = person(cast, world, who)
    login(client, user)
    assert client.get(region_url(world.stay)).status_code == 404, who
    assert LogEntry.objects.filter(
        actor_id=str(user.pk), object_id=str(world.stay.pk), outcome="denied"
    ).exists(), who


def test_a_coordinator_of_another_region_gets_404_audited_as_denied(cast, world, client):
    login(client, world.other_coordinator)
    assert client.get(region_url(world.stay)).status_code == 404
    row = LogEntry.objects.get(actor_id=str(world.other_coordinator.pk), object_id=str(world.stay.pk))
    assert (row.action, row.outcome) == ("respite.stay.viewed", "denied")
    # their own region's request opens
    theirs = held_stay(cast.other_caregiver, world.other_service)
    assert client.get(region_url(theirs)).status_code == 200


def test_a_visitor_is_asked_to_log_in_for_the_region_request_page(world, client):
    response = client.get(region_url(world.stay))
    assert response.status_code == 302 and "/account/inloggen/" in response["Location"]


def test_each_waiting_request_of_the_overview_links_to_its_page(world, client):
    login(client, world.coordinator)
    text = client.get("/logeerzorg/regio/").content.decode()
    assert f'href="{region_url(world.stay)}"' in text
