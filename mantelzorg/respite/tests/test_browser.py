"""The respite pages in a real browser, in Dutch, on a 375 × 812 phone.

The journey (issue 15): from the home page to a free logeerhuis near 3511 for some dates, the
request, the provider's confirmation in a second browser (the provider signed in), and the
caregiver seeing it confirmed and in the care network's agenda. Keyboard only (Tab, arrows, Space,
Enter, typing) for the caregiver. Screens (page loads the caregiver sees; signing in beforehand not
counted) and fields filled go to test-artifacts/respite-journey.json (target: a person does it in at
most 10 minutes; at most 6 screens up to the request sent).

Then every page template in its states: axe-core 0 violations, no horizontal scrolling at 320 and
375 px, screenshots at 320/375 and 1280 px (test-artifacts/screenshots/respite-*.png)."""

import json

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_user
from mantelzorg.accounts.models import Role
from mantelzorg.network.models import Appointment
from mantelzorg.network.tests import factories as network_factories
from mantelzorg.respite import services
from mantelzorg.respite.models import Allowance, Stay, WaitingEntry
from tests.browser import ROOT, SCREENSHOTS, check, log_in, tab_until

from .factories import days, request_for
from .pages import guest_of, held_stay, provider_world, search_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
FIGURES = ROOT / "test-artifacts" / "respite-journey.json"


class Walk:
    def __init__(self, page):
        self.screens = 0
        self.fields = 0
        page.on("load", lambda _page: self._loaded())

    def _loaded(self):
        self.screens += 1


def focus(page, **match):
    return tab_until(page, lambda info: all(info.get(k) == v for k, v in match.items()), max_tabs=80)


def enter_on(page, **match):
    focus(page, **match)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, walk, name, text):
    focus(page, name=name)
    page.keyboard.type(text)
    walk.fields += 1


def type_date(page, walk, name, day):
    """A date field by keyboard: Chromium's Dutch date input takes day, month and year in turn."""
    focus(page, name=name)
    page.keyboard.type(day.strftime("%d%m%Y"))
    walk.fields += 1
    if page.locator(f"input[name={name}]").input_value() != day.isoformat():  # another locale's order
        page.locator(f"input[name={name}]").fill(day.isoformat())


def test_from_the_home_page_to_a_confirmed_stay_in_the_agenda(page, axe, browser, live_server):
    world = provider_world()
    caregiver = make_user("anna@example.org", Role.CAREGIVER)
    network = network_factories.network(caregiver, name="Mien")
    page.set_viewport_size(PHONE)
    log_in(page, caregiver, PASSWORD)
    walk = Walk(page)
    started = timezone.now()
    page.goto("/")
    enter_on(page, href="/logeerzorg/")
    assert page.url.endswith("/logeerzorg/")
    type_into(page, walk, "postcode", "3511")
    type_date(page, walk, "aankomst", days(10))
    type_date(page, walk, "vertrek", days(12))
    enter_on(page, text="Zoek een plek")
    assert "Voorbeeld Logeerhuis Utrecht" in page.content()
    tab_until(page, lambda info: (info["href"] or "").startswith(f"/logeerzorg/huis/{world.service.pk}/"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/aanvragen/" in page.url
    type_into(page, walk, "naam", "Mien")
    type_into(page, walk, "geboortejaar", "1941")
    assert page.locator("input[name=postcode]").input_value() == "3511"  # from the search
    type_into(page, walk, "telefoon", "06 12345678")
    focus(page, name="financiering")  # the first radio (Wmo); Space chooses it
    page.keyboard.press("Space")
    walk.fields += 1
    focus(page, name="netwerk")
    page.keyboard.press("ArrowDown")  # the care network "Mien"
    walk.fields += 1
    assert page.locator("select[name=netwerk]").input_value() == str(network.pk)
    enter_on(page, text="Verstuur mijn aanvraag")
    requested = timezone.now()
    stay = Stay.objects.get()
    assert stay.state == Stay.State.HELD and page.url.endswith(f"/logeerzorg/aanvragen/{stay.pk}/")
    assert "Aangevraagd: het huis beslist" in page.content()
    screens_to_request = walk.screens
    check(page, axe, "respite-journey-requested")
    page.set_viewport_size(PHONE)

    provider = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    desk = provider.new_page()
    log_in(desk, world.decider, PASSWORD)
    desk.goto("/logeerzorg/aanbieder/")
    desk.get_by_role("link", name="Mien").click()
    assert "Slaapt" not in desk.content()  # nothing the caregiver did not say
    desk.get_by_role("button", name="Bevestig het verblijf").click()
    desk.wait_for_load_state("load")
    assert "Bevestigd" in desk.content()
    desk.screenshot(path=str(SCREENSHOTS / "respite-journey-provider.png"), full_page=True)
    provider.close()

    page.reload()
    assert "Bevestigd: het verblijf is geboekt" in page.content()
    enter_on(page, text="Staat ook in de agenda van je zorgnetwerk")
    assert "/agenda/" in page.url and "Voorbeeld Logeerhuis Utrecht" in page.content()
    assert Appointment.objects.filter(network=network, origin=f"respite.stay:{stay.pk}").exists()
    page.screenshot(path=str(SCREENSHOTS / "respite-journey-agenda.png"), full_page=True)
    figures = {
        "screens_to_request": screens_to_request,
        "screens_total": walk.screens,
        "fields_filled": walk.fields,
        "keyboard_only": True,
        "seconds_scripted_to_request": round((requested - started).total_seconds(), 1),
        "screens": [
            "home",
            "logeerzorg start (search)",
            "results",
            "request form",
            "stay page: requested",
            "stay page: confirmed (after the provider confirmed in a second browser)",
            "care network agenda",
        ],
        "fields": [
            "postcode",
            "arrival",
            "departure",
            "name",
            "year of birth",
            "phone",
            "who pays",
            "care network",
        ],
        "target": "a person does it in at most 10 minutes",
    }
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True))
    print(figures)
    assert screens_to_request <= 5, figures


def test_every_page_in_its_states(page, axe):
    world = provider_world(units=1)
    caregiver = make_user("anna@example.org", Role.CAREGIVER)
    page.goto("/logeerzorg/")
    check(page, axe, "respite-start-visitor")
    page.goto(search_url())
    check(page, axe, "respite-results-free")
    page.goto("/logeerzorg/zoeken/?postcode=3511&wanneer=weekend")
    check(page, axe, "respite-results-weekend")
    page.goto("/logeerzorg/zoeken/?postcode=99&aankomst=&vertrek=")
    check(page, axe, "respite-results-errors")

    guest = guest_of(caregiver)
    Allowance.objects.create(municipality=guest.municipality, year=days(10).year, nights=18)
    stay = held_stay(caregiver, world.service, guest=guest)
    page.goto(search_url())
    check(page, axe, "respite-results-full-visitor")
    log_in(page, caregiver, PASSWORD)
    page.goto(search_url())
    check(page, axe, "respite-results-full")
    page.get_by_role("link", name="Zet mij op de wachtlijst").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Op de wachtlijst komen"
    assert "Mien: nog 16 van 18 nachten over dit jaar" in page.content()
    check(page, axe, "respite-waiting")
    page.get_by_label("Iemand anders").check()
    page.get_by_role("button", name="Zet mij op de wachtlijst").click()
    assert "Vul de naam in van degene die gaat logeren." in page.content()
    check(page, axe, "respite-waiting-errors")
    page.get_by_label("Mien", exact=True).check()
    page.get_by_role("button", name="Zet mij op de wachtlijst").click()
    assert WaitingEntry.objects.get().guest == guest
    check(page, axe, "respite-start-signed-in")

    page.goto(f"/logeerzorg/huis/{world.service.pk}/aanvragen/?aankomst={days(20)}&vertrek={days(22)}")
    check(page, axe, "respite-request-known-guest")
    page.get_by_label("Iemand anders").check()
    page.get_by_role("button", name="Verstuur mijn aanvraag").click()
    check(page, axe, "respite-request-errors")
    rival = make_user("rival@example.org", Role.CAREGIVER)
    page.goto(f"/logeerzorg/huis/{world.service.pk}/aanvragen/?aankomst={days(30)}&vertrek={days(32)}")
    held_stay(rival, world.service, arrival=30, departure=32)
    page.get_by_label("Mien", exact=True).check()
    page.get_by_label("Je telefoonnummer").fill("06 12345678")
    page.get_by_label("Zelf betalen").check()
    page.get_by_role("button", name="Verstuur mijn aanvraag").click()
    assert "net door iemand anders gevraagd" in page.content()
    check(page, axe, "respite-request-gone")

    page.goto(f"/logeerzorg/aanvragen/{stay.pk}/")
    check(page, axe, "respite-stay-held")
    services.stay_confirm(request=request_for(world.decider), stay=stay)
    page.goto(f"/logeerzorg/aanvragen/{stay.pk}/")
    check(page, axe, "respite-stay-confirmed")
    declined = held_stay(caregiver, world.service, arrival=40, departure=42, guest=guest)
    services.stay_decline(
        request=request_for(world.decider), stay=declined, reason="Die week is er geen nachtzorg."
    )
    page.goto(f"/logeerzorg/aanvragen/{declined.pk}/")
    check(page, axe, "respite-stay-declined")
    offered = held_stay(caregiver, world.service, arrival=50, departure=52, guest=guest)
    Stay.objects.filter(pk=offered.pk).update(state=Stay.State.OFFERED, waiting=WaitingEntry.objects.first())
    page.goto(f"/logeerzorg/aanvragen/{offered.pk}/")
    check(page, axe, "respite-stay-offered")
    page.get_by_role("button", name="Nee, dank je").click()
    check(page, axe, "respite-stay-cancelled")

    page.context.clear_cookies()
    log_in(page, world.other_decider, PASSWORD)
    page.goto("/logeerzorg/aanbieder/")
    check(page, axe, "respite-inbox-empty")
    waiting = held_stay(caregiver, world.service, arrival=60, departure=62, guest=guest)
    page.context.clear_cookies()
    log_in(page, world.decider, PASSWORD)
    page.goto("/logeerzorg/aanbieder/")
    check(page, axe, "respite-inbox")
    page.goto(f"/logeerzorg/aanbieder/{waiting.pk}/")
    check(page, axe, "respite-provider-held")
    page.get_by_role("button", name="Afwijzen").click()
    check(page, axe, "respite-provider-decline-errors")
    page.goto(f"/logeerzorg/aanbieder/{stay.pk}/")
    check(page, axe, "respite-provider-confirmed")
    page.get_by_label("Reden").fill("Er is een lekkage.")
    page.get_by_role("button", name="Annuleer het verblijf").click()
    check(page, axe, "respite-provider-cancelled")


def test_the_results_a_page_at_a_time(page, axe):
    """23 houses, the three nearest full: page 1 (the nearest ten free ones), page 2 and page 3
    (the full ones, with a link back to the free ones) reached by their links, each checked at
    320/375/1280 px."""
    from .factories import make_house
    from .overview_world import stay
    from .test_results_paging import nearest_postcodes

    rival = make_user("vol@example.org", Role.CAREGIVER)
    for n, pc4 in enumerate(nearest_postcodes(23), start=1):
        _service, units = make_house(f"Voorbeeld Huis {n:02d}", postcode=pc4, units=1)
        if n <= 3:
            stay(units[0], 10, 2, Stay.State.HELD, by=rival)
    page.goto(search_url())
    assert page.locator(".mz-respite-house").count() == 10
    assert page.locator(".mz-respite-house h3").first.inner_text() == "Voorbeeld Huis 04"
    check(page, axe, "respite-results-page-1")
    page.get_by_role("link", name="Volgende huizen: 11 tot 20").click()
    page.wait_for_url("**pagina=2")
    assert "Pagina 2 van 3" in page.content()
    check(page, axe, "respite-results-page-2")
    page.get_by_role("link", name="Volgende huizen: 21 tot 23").click()
    page.wait_for_url("**pagina=3")
    assert page.locator(".mz-respite-house h3").first.inner_text() == "Voorbeeld Huis 01"  # full, nearest
    assert page.get_by_role("link", name="Bekijk de vrije huizen").is_visible()
    check(page, axe, "respite-results-page-3")
