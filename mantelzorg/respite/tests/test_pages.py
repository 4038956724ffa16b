"""The respite pages with the test client, in Dutch: the start, the results (dates, a weekend a
month, full houses, nothing free), the request (new and known guest, the nights gone meanwhile,
the allowance), the requester's stay page in each state, the waiting list, and the provider's
inbox and decisions."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from conftest import login, make_user
from mantelzorg.accounts.models import Role
from mantelzorg.core.models import LogEntry
from mantelzorg.directory.models import Organization
from mantelzorg.directory.tests.factories import make_org
from mantelzorg.network.models import Appointment
from mantelzorg.network.tests import factories as network_factories
from mantelzorg.respite import presentation, services
from mantelzorg.respite.models import Allowance, Guest, Stay, WaitingEntry

from .factories import days, request_for
from .pages import (
    PHONE,
    guest_of,
    held_stay,
    provider_world,
    request_data,
    request_url,
    search_url,
    wait_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return provider_world(units=1)


@pytest.fixture
def alice(db):
    return make_user("alice@example.org", Role.CAREGIVER)


def html(response) -> str:
    return response.content.decode()


# --- start and results -------------------------------------------------------------------------


def test_the_start_page_asks_first_and_shows_no_personal_data_to_a_visitor(client, world):
    before = LogEntry.objects.count()
    page = client.get("/logeerzorg/")
    assert page.status_code == 200
    text = html(page)
    assert 'name="postcode"' in text and 'name="aankomst"' in text and "Een weekend per maand" in text
    assert 'name="soort"' not in text  # the kind is a professional's choice
    assert LogEntry.objects.count() == before


def test_the_home_page_links_the_start_page(client, db):
    assert 'href="/logeerzorg/"' in html(client.get("/"))


def test_signed_in_the_start_page_shows_requests_and_nights_left(client, world, alice):
    guest = guest_of(alice)
    Allowance.objects.create(municipality=guest.municipality, year=days(10).year, nights=18)
    stay = held_stay(alice, world.service, guest=guest)
    client.force_login(alice)
    text = html(client.get("/logeerzorg/"))
    left = 18 - stay.nights if days(10).year == days(0).year else 18
    assert f"Mien: {left} van 18 nachten over" in text
    assert f"/logeerzorg/aanvragen/{stay.pk}/" in text and "Aangevraagd" in text
    assert LogEntry.objects.filter(action="respite.stay.listed", subject_id=str(alice.pk)).count() == 1


def test_professionals_choose_the_kind_and_the_urgency(client, world):
    login(client, world.decider)
    text = html(client.get("/logeerzorg/"))
    assert 'name="soort"' in text and "ELV, laag complex" in text and 'name="urgentie"' in text


def test_results_show_the_nearest_free_house_with_its_phone_and_a_request_button(client, world):
    before = LogEntry.objects.count()
    page = client.get(search_url())
    assert page.status_code == 200
    text = html(page)
    assert "Voorbeeld Logeerhuis Utrecht" in text and "Voorbeeld Ander Huis" not in text  # 1012 is too far
    assert 'href="tel:+31301234567"' in text and PHONE in text
    assert (
        f"/logeerzorg/huis/{world.service.pk}/aanvragen/?postcode=3511&amp;aankomst={days(10)}&amp;vertrek={days(12)}"
        in text
    )
    assert "wachtlijst" not in text.lower()
    assert LogEntry.objects.count() == before


def test_a_full_house_offers_its_nearest_free_dates_as_links_that_search_again(client, world, alice):
    held_stay(alice, world.service, arrival=10, departure=12)
    text = html(client.get(search_url(10, 12)))
    assert "Vol op deze datums" in text
    assert f"aankomst={days(12)}&amp;vertrek={days(14)}" in text  # the next free two nights
    assert "/logeerzorg/zoeken/?" in text


def test_nothing_free_offers_the_waiting_list_and_the_local_steunpunt(client, world, alice):
    held_stay(alice, world.service, arrival=10, departure=12)
    centre = make_org(
        "Voorbeeld Steunpunt Utrecht", kind=Organization.Kind.SUPPORT_CENTRE, municipalities=["GM0344"]
    )
    from mantelzorg.directory.models import Phone

    Phone.objects.create(organization=centre, number="030 999 99 99")
    text = html(client.get(search_url(10, 12)))
    assert "Nog niets vrij? Zet je op de wachtlijst" in text and "Log in om op de wachtlijst te komen" in text
    assert "Voorbeeld Steunpunt Utrecht" in text and "tel:+31309999999" in text
    assert "/sociale-kaart/?postcode=3511" in text
    client.force_login(alice)
    text = html(client.get(search_url(10, 12)))
    assert (
        f'href="/logeerzorg/wachtlijst/?postcode=3511&amp;aankomst={days(10)}&amp;vertrek={days(12)}' in text
    )


def test_the_results_say_only_what_was_searched(client, world):
    text = html(client.get(search_url()))
    for claim in ("dementie", "rolstoel", "gedrag", "wmo"):
        assert claim not in text.split('id="zoeken"')[0].lower(), claim
    text = html(client.get(search_url(rolstoel="on", doelgroep="dementia")))
    assert "Voorbeeld Logeerhuis Utrecht" in text  # the house has both


def test_a_need_the_house_does_not_meet_finds_no_house(client, world):
    text = html(client.get(search_url(gedrag="on")))
    assert "Voorbeeld Logeerhuis Utrecht" not in text.split('id="zoeken"')[0]
    assert "geen huis" in text


@pytest.mark.parametrize(
    "query, field",
    [
        ("postcode=&aankomst=2030-01-01&vertrek=2030-01-03", "postcode"),
        ("postcode=0000&aankomst=2030-01-01&vertrek=2030-01-03", "postcode"),
        ("postcode=3511&aankomst=2030-01-03&vertrek=2030-01-01", "vertrek"),
        ("postcode=3511&aankomst=2020-01-01&vertrek=2020-01-03", "aankomst"),
        ("postcode=3511", "aankomst"),
    ],
)
def test_a_search_that_cannot_run_says_what_to_fix(client, world, query, field):
    page = client.get(f"/logeerzorg/zoeken/?{query}")
    assert page.status_code == 400
    assert f'href="#id_{field}"' in html(page)


def test_a_weekend_a_month_shows_the_first_free_weekend_of_three_months(client, world, alice):
    text = html(client.get("/logeerzorg/zoeken/?postcode=3511&wanneer=weekend"))
    months = presentation.weekend_months(days(0))
    assert len(months) == 3
    firsts = [fridays[0] for _first, fridays in months if fridays]
    assert f"aankomst={firsts[0]}&amp;vertrek={firsts[0] + dt.timedelta(days=2)}" in text
    # that weekend taken: the next Friday of the month is shown (or the month has none free)
    held_stay(
        alice, world.service, arrival=(firsts[0] - days(0)).days, departure=(firsts[0] - days(0)).days + 2
    )
    text = html(client.get("/logeerzorg/zoeken/?postcode=3511&wanneer=weekend"))
    assert f"aankomst={firsts[0]}&amp;" not in text


def test_weekend_months_have_their_fridays_from_today():
    months = presentation.weekend_months(dt.date(2026, 12, 4))  # a Friday
    assert [first for first, _ in months] == [dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1)]
    assert months[0][1][0] == dt.date(2026, 12, 4) and all(
        d.isoweekday() == 5 for _, ds in months for d in ds
    )
    assert presentation.weekend_months(dt.date(2026, 12, 26))[0][1] == []


# --- the request -------------------------------------------------------------------------------


def test_requesting_needs_signing_in_and_comes_back_to_the_form(client, world):
    response = client.get(request_url(world.service))
    assert response.status_code == 302 and "/account/inloggen/" in response["Location"]
    assert "aanvragen" in response["Location"] and "aankomst" in response["Location"]


def test_a_request_for_someone_new_holds_the_nights_and_shows_the_stay_page(
    client, world, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    form = client.get(request_url(world.service, postcode="3511", rolstoel="on"))
    assert form.status_code == 200 and 'value="3511"' in html(form)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url(world.service), request_data(rolstoel="on"))
    stay = Stay.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/logeerzorg/aanvragen/{stay.pk}/"
    assert stay.state == Stay.State.HELD and stay.guest.name == "Mien" and stay.guest.wheelchair
    assert stay.contact_phone == "06 12345678" and stay.needs == "Slaapt slecht"
    page = client.get(response["Location"])
    text = html(page)
    assert "Aangevraagd: het huis beslist" in text and "tel:+31301234567" in text
    assert "De nachten blijven voor je vrij tot" in text
    assert any("/logeerzorg/aanbieder/" in m.body for m in mail.outbox)


def test_a_known_guest_is_chosen_and_its_nights_left_are_shown(client, world, alice):
    guest = guest_of(alice)
    Allowance.objects.create(municipality=guest.municipality, year=days(10).year, nights=1)
    client.force_login(alice)
    text = html(client.get(request_url(world.service)))
    assert f'value="{guest.pk}"' in text and "Mien: nog 1 van 1 nachten over" in text
    response = client.post(
        request_url(world.service), request_data(gast=str(guest.pk), naam=None, postcode=None)
    )
    assert response.status_code == 200  # two nights, one left: refused beside "who pays"
    assert "nog 1 van de 1 nachten over" in html(response) and 'href="#id_financiering_0"' in html(response)
    assert not Stay.objects.exists() and Guest.objects.count() == 1
    assert 'id="id_gast_0" checked' in html(response)
    response = client.post(
        request_url(world.service),
        request_data(gast=str(guest.pk), naam=None, postcode=None, financiering="private"),
    )
    assert response.status_code == 302 and Stay.objects.get().guest == guest


def test_a_new_guest_needs_a_name_and_a_postcode_and_the_caller_a_phone(client, world, alice):
    client.force_login(alice)
    response = client.post(
        request_url(world.service), request_data(naam="", postcode="", telefoon="", financiering=None)
    )
    text = html(response)
    assert response.status_code == 200
    for field in ("naam", "postcode", "telefoon", "financiering_0"):
        assert f'href="#id_{field}"' in text, field
    assert not Stay.objects.exists() and not Guest.objects.exists()


def test_nights_gone_meanwhile_show_the_form_again_with_the_nearest_alternatives(client, world, alice):
    client.force_login(alice)
    rival = make_user("rival@example.org", Role.CAREGIVER)
    held_stay(rival, world.service, arrival=10, departure=12)
    response = client.post(request_url(world.service), request_data())
    text = html(response)
    assert response.status_code == 409 and "net door iemand anders gevraagd" in text
    assert (
        f"/logeerzorg/huis/{world.service.pk}/aanvragen/?postcode=3511&amp;aankomst={days(12)}&amp;vertrek={days(14)}"
        in text
    )
    assert 'name="naam"' in text and 'value="Mien"' in text
    guest = Guest.objects.get(owner=alice)  # kept, and chosen in the form: not made twice
    assert Stay.objects.count() == 1 and f'value="{guest.pk}" required' in text
    assert (
        f'value="{guest.pk}" required class="utrecht-radio-button utrecht-radio-button--html-input" id="id_gast_0" checked'
        in text
    )
    rows = LogEntry.objects.filter(actor_id=str(alice.pk), action__startswith="respite.")
    assert [(r.action, r.outcome) for r in rows] == [("respite.stay.requested", "failure")]


def test_a_house_without_places_is_404(client, alice, world):
    client.force_login(alice)
    assert client.get(request_url(world.units[0].location)).status_code == 404


def test_a_guest_in_a_care_network_gets_the_confirmed_stay_in_its_agenda(client, world, alice):
    network = network_factories.network(alice)
    client.force_login(alice)
    text = html(client.get(request_url(world.service)))
    assert 'name="netwerk"' in text
    client.post(request_url(world.service), request_data(netwerk=str(network.pk)))
    stay = Stay.objects.get()
    assert stay.guest.network == network
    services.stay_confirm(request=request_for(world.decider), stay=stay)
    assert Appointment.objects.filter(network=network, origin=f"respite.stay:{stay.pk}").exists()
    text = html(client.get(f"/logeerzorg/aanvragen/{stay.pk}/"))
    assert "Bevestigd" in text and f"/netwerk/{network.pk}/agenda/" in text


# --- the requester's stay page -----------------------------------------------------------------


def test_the_requester_cancels_and_the_nights_are_free(client, world, alice):
    stay = held_stay(alice, world.service)
    client.force_login(alice)
    assert client.post(f"/logeerzorg/aanvragen/{stay.pk}/annuleren/").status_code == 302
    stay.refresh_from_db()
    assert stay.state == Stay.State.CANCELLED
    text = html(client.get(f"/logeerzorg/aanvragen/{stay.pk}/"))
    assert "Afgezegd" in text and "annuleren/" not in text
    # a second cancel (another tab): said clearly, nothing changes
    response = client.post(f"/logeerzorg/aanvragen/{stay.pk}/annuleren/", follow=True)
    assert "Deze aanvraag is nu: Afgezegd" in html(response)


def test_a_declined_request_shows_the_reason_and_a_way_on(client, world, alice):
    stay = held_stay(alice, world.service)
    services.stay_decline(request=request_for(world.decider), stay=stay, reason="Geen nachtzorg die week.")
    client.force_login(alice)
    text = html(client.get(f"/logeerzorg/aanvragen/{stay.pk}/"))
    assert "Geen nachtzorg die week." in text and "Zoek een andere plek" in text


def test_an_offer_from_the_waiting_list_is_accepted(client, world, alice):
    rival = make_user("rival@example.org", Role.CAREGIVER)
    taken = held_stay(rival, world.service)
    client.force_login(alice)
    client.post("/logeerzorg/wachtlijst/", wait_data())
    entry = WaitingEntry.objects.get(user=alice)
    services.stay_cancel(request=request_for(rival), stay=taken)
    offer = Stay.objects.get(requested_by=alice)
    assert offer.state == Stay.State.OFFERED
    text = html(client.get(f"/logeerzorg/aanvragen/{offer.pk}/"))
    assert "Ja, ik neem deze plek" in text
    assert client.post(f"/logeerzorg/aanvragen/{offer.pk}/accepteren/").status_code == 302
    offer.refresh_from_db()
    entry.refresh_from_db()
    assert offer.state == Stay.State.HELD and entry.state == WaitingEntry.State.ACCEPTED


# --- the waiting list --------------------------------------------------------------------------


def test_joining_and_leaving_the_waiting_list(client, world, alice):
    client.force_login(alice)
    response = client.post("/logeerzorg/wachtlijst/", wait_data(rolstoel="on"))
    assert response.status_code == 302
    entry = WaitingEntry.objects.get()
    assert entry.needs["wheelchair"] and entry.funding == "wmo" and entry.pc4 == "3511"
    assert entry.guest.name == "Mien" and entry.guest.owner == alice and entry.guest.wheelchair
    text = html(client.get("/logeerzorg/"))
    assert "Op de wachtlijst" in text and f"/logeerzorg/wachtlijst/{entry.pk}/afmelden/" in text
    assert client.post(f"/logeerzorg/wachtlijst/{entry.pk}/afmelden/").status_code == 302
    entry.refresh_from_db()
    assert entry.state == WaitingEntry.State.WITHDRAWN


def test_a_tampered_waiting_list_form_is_404(client, alice):
    client.force_login(alice)
    assert client.post("/logeerzorg/wachtlijst/", {"postcode": "x"}).status_code == 404
    assert client.get("/logeerzorg/wachtlijst/?postcode=x").status_code == 404
    assert client.post("/logeerzorg/wachtlijst/", wait_data(vertrek=days(9))).status_code == 404


def test_the_waiting_list_asks_who_will_stay_with_their_nights_left(client, world, alice):
    mien = guest_of(alice)
    year = timezone.localdate().year
    Allowance.objects.create(municipality=mien.municipality, year=year, nights=18)
    client.force_login(alice)
    response = client.get(f"/logeerzorg/wachtlijst/?postcode=3511&aankomst={days(10)}&vertrek={days(12)}")
    text = html(response)
    assert response.status_code == 200 and "Wie gaat logeren?" in text
    assert f'value="{mien.pk}"' in text and "Iemand anders" in text
    assert "Mien: nog 18 van 18 nachten over dit jaar" in text
    assert LogEntry.objects.filter(action="respite.guest.listed").count() == 1
    assert "Vul de naam" not in text  # no errors before anything was sent


def test_joining_the_waiting_list_for_a_known_guest_makes_no_new_one(client, world, alice):
    mien = guest_of(alice)
    client.force_login(alice)
    assert client.post("/logeerzorg/wachtlijst/", wait_data(gast=str(mien.pk), naam="")).status_code == 302
    assert WaitingEntry.objects.get().guest == mien and Guest.objects.count() == 1


def test_someone_new_on_the_waiting_list_needs_a_name(client, world, alice):
    client.force_login(alice)
    response = client.post("/logeerzorg/wachtlijst/", wait_data(naam=" "))
    assert response.status_code == 400
    assert "Vul de naam in van degene die gaat logeren." in html(response)
    assert not WaitingEntry.objects.exists() and not Guest.objects.exists()


def test_an_offer_beyond_the_nights_left_is_not_taken_and_says_why(client, world, alice):
    rival = make_user("rival@example.org", Role.CAREGIVER)
    taken = held_stay(rival, world.service, arrival=10, departure=13)
    mien = guest_of(alice)
    years = {days(10).year, days(12).year}
    for year in years:
        Allowance.objects.create(municipality=mien.municipality, year=year, nights=3)
    client.force_login(alice)
    client.post("/logeerzorg/wachtlijst/", wait_data(gast=str(mien.pk), vertrek=days(13)))
    services.stay_cancel(request=request_for(rival), stay=taken)
    offer = Stay.objects.get(requested_by=alice)
    assert offer.guest == mien
    Allowance.objects.filter(year__in=years).update(nights=1)  # lowered after the offer
    response = client.post(f"/logeerzorg/aanvragen/{offer.pk}/accepteren/", follow=True)
    assert "Mien heeft in" in html(response) and "nachten over" in html(response)
    offer.refresh_from_db()
    assert offer.state == Stay.State.OFFERED


# --- the provider ------------------------------------------------------------------------------


def test_the_inbox_lists_waiting_requests_oldest_first_with_the_time_left(client, world, alice):
    first = held_stay(alice, world.service, arrival=10, departure=12)
    second = held_stay(alice, world.service, arrival=20, departure=22)
    login(client, world.decider)
    text = html(client.get("/logeerzorg/aanbieder/"))
    assert text.index(str(first.pk)) < text.index(str(second.pk))
    assert "uur over om te beslissen" in text
    assert "Aanvragen voor je huizen" in html(client.get("/logeerzorg/"))


def test_the_provider_confirms_and_the_requester_sees_it(
    client, world, alice, django_capture_on_commit_callbacks
):
    stay = held_stay(alice, world.service)
    login(client, world.decider)
    text = html(client.get(f"/logeerzorg/aanbieder/{stay.pk}/"))
    assert "Mien" in text and "Slaapt slecht" in text and "tel:+31612345678" in text
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/logeerzorg/aanbieder/{stay.pk}/bevestigen/").status_code == 302
    stay.refresh_from_db()
    assert stay.state == Stay.State.CONFIRMED
    assert any(f"/logeerzorg/aanvragen/{stay.pk}/" in m.body for m in mail.outbox)
    client.force_login(alice)
    assert "Bevestigd: het verblijf is geboekt" in html(client.get(f"/logeerzorg/aanvragen/{stay.pk}/"))


def test_declining_needs_a_reason(client, world, alice):
    stay = held_stay(alice, world.service)
    login(client, world.decider)
    response = client.post(f"/logeerzorg/aanbieder/{stay.pk}/afwijzen/", {"reden": " "})
    assert response.status_code == 400 and 'href="#id_reden"' in html(response)
    stay.refresh_from_db()
    assert stay.state == Stay.State.HELD
    client.post(f"/logeerzorg/aanbieder/{stay.pk}/afwijzen/", {"reden": "Vol met spoed."})
    stay.refresh_from_db()
    assert stay.state == Stay.State.DECLINED and stay.reason == "Vol met spoed."


def test_the_provider_cancels_a_confirmed_stay_with_a_reason(client, world, alice):
    stay = held_stay(alice, world.service)
    services.stay_confirm(request=request_for(world.decider), stay=stay)
    login(client, world.decider)
    text = html(client.get(f"/logeerzorg/aanbieder/{stay.pk}/"))
    assert "bevestigen/" not in text and "annuleren/" in text
    assert client.post(f"/logeerzorg/aanbieder/{stay.pk}/annuleren/", {"reden": ""}).status_code == 400
    client.post(f"/logeerzorg/aanbieder/{stay.pk}/annuleren/", {"reden": "Lekkage."})
    stay.refresh_from_db()
    assert (
        stay.state == Stay.State.CANCELLED and stay.reason == "Lekkage." and stay.decided_by == world.decider
    )


def test_a_confirm_after_the_hold_ran_out_says_so(client, world, alice):
    stay = held_stay(alice, world.service)
    Stay.objects.filter(pk=stay.pk).update(hold_until=stay.created_at)
    login(client, world.decider)
    response = client.post(f"/logeerzorg/aanbieder/{stay.pk}/bevestigen/", follow=True)
    assert "De tijd om te beslissen" in html(response)
    stay.refresh_from_db()
    assert stay.state == Stay.State.HELD
