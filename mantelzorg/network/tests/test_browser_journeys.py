"""The care network as caregivers live it, on a 375 × 812 phone in Dutch (issue 13).

Five journeys, each walked by clicking as a person would from where they would start: open a
network, invite a family member who accepts on his own phone, add a weekly appointment, claim an
open task, subscribe to the calendar feed. Per journey: fields filled, screens (page loads the
person sees, counted from the browser's ``load`` events; signing in beforehand not counted), the
height of the final page and the y-position of the thing the person came for, in CSS px. The
figures go to test-artifacts/network-journeys.json and BENCHMARKS.md. Every final page is checked
by ``axe`` (WCAG and no horizontal scrolling at 320 and 375 px) and screenshotted at 375 and 1280 px
(test-artifacts/screenshots/network-journey-*.png).
"""

import datetime as dt
import json
import re

import pytest
from django.core import mail

from conftest import PASSWORD
from mantelzorg.network.models import Appointment, Membership, Network, Relation, Role, Task
from tests.browser import ROOT, SCREENSHOTS, log_in

from . import factories
from .test_browser import NEXT_TUESDAY, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = PHONE["height"]
WITHIN = 2 * SCREEN  # the thing the person came for: on the first two screens
FIGURES = ROOT / "test-artifacts" / "network-journeys.json"


class Walk:
    """Counts what one person does in one or more browser pages: screens loaded and fields filled."""

    def __init__(self):
        self.screens = 0
        self.fields = 0

    def follow(self, page):
        page.on("load", lambda _page: self._loaded())
        return page

    def _loaded(self):
        self.screens += 1

    def fill(self, locator, value):
        locator.fill(value)
        self.fields += 1

    def select(self, locator, value):
        locator.select_option(value)
        self.fields += 1


def top(locator) -> int:
    """The y-position of an element's top edge in the document (CSS px)."""
    return locator.evaluate("e => Math.round(e.getBoundingClientRect().top + window.scrollY)")


def small_tap_targets(page) -> list[str]:
    """Links, buttons and inputs of the header and main shorter than 44 CSS px (the tap size of
    WCAG 2.5.5 AAA and the platform guidelines), as "text (w × h)"; recorded, not asserted (links
    inside a sentence are allowed to be smaller)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('header a, main a, main button, main input, main select')]
        .map(e => [e, e.getBoundingClientRect()])
        .filter(([e, r]) => r.width > 0 && r.height > 0 && r.height < 44)
        .map(([e, r]) => `${(e.innerText || e.value || e.type).trim().slice(0, 40)} (${Math.round(r.width)} × ${Math.round(r.height)})`)"""
    )


def finish(page, axe, walk, journey, target, **extra) -> dict:
    """Measure the final page, check it (axe, reflow), screenshot it at 375 and 1280 px, and
    record the figures; returns them."""
    page.wait_for_load_state("load")
    assert page.viewport_size == PHONE
    assert target.count() == 1, f"{journey}: what the person came for is not on {page.url}"
    doc = page.evaluate(
        "() => ({height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth})"
    )
    figures = {
        "journey": journey,
        "fields_filled": walk.fields,
        "screens": walk.screens,
        "final_page": page.url.split("/", 3)[3].split("?")[0],
        "height": doc["height"],
        "width": doc["width"],
        "target_y": top(target),
        "target_text": target.inner_text().strip()[:80],
        "small_tap_targets": small_tap_targets(page),
        **extra,
    }
    name = f"network-journey-{journey}"
    axe(page, name)  # name.png at 375 px; fails on horizontal scrolling at 320 and 375 px
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"{name}@1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    results = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    results[journey] = figures
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(results, indent=2, sort_keys=True))
    print(figures)
    return figures


class BeyondTwoScreens(AssertionError):
    """What the person came for is further down than two phone screens."""


def assert_on_the_phone(figures):
    assert figures["width"] <= PHONE["width"], figures  # no horizontal scrolling
    if figures["target_y"] > WITHIN:  # within two screens
        raise BeyondTwoScreens(f"{figures['journey']}: at y = {figures['target_y']} > {WITHIN}: {figures}")


def signed_in(page, user):
    """Sign in before the journey starts (not counted: log_in waits until the landing page has
    loaded, so its load is not counted as a screen of the journey)."""
    page.set_viewport_size(PHONE)
    log_in(page, user)


def phone(browser, live_server):
    """A second person's own phone: a new browser context, Dutch, 375 × 812."""
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    return context, pg


def a_week_of_care(coordinator):
    """A network around Mien with what a week holds: an open task and two agenda items."""
    net = factories.network(coordinator)
    soon = dt.date.today() + dt.timedelta(days=2)
    factories.task(net, title="Boodschappen voor Mien", start=factories.at(soon, 14))
    factories.appointment(net, title="Huisarts", start=factories.at(soon, 9, 30))
    factories.appointment(net, title="Kapper", start=factories.at(soon + dt.timedelta(days=1), 11))
    return net


def test_a_open_a_network(page, axe, cast):
    signed_in(page, cast.caregiver)
    walk = Walk()
    walk.follow(page)
    page.goto("/netwerk/")
    page.get_by_role("link", name="Begin een netwerk rond iemand voor wie je zorgt").click()
    walk.fill(page.get_by_label("Naam van degene voor wie je zorgt"), "Mien")
    walk.select(page.get_by_label("Jij bent zijn of haar"), "child")
    walk.fill(page.get_by_label("Postcode van degene voor wie je zorgt"), "1012 AB")
    page.get_by_role("button", name="Netwerk beginnen").click()
    page.wait_for_url("**/leden/")
    network = Network.objects.get()
    invite = page.locator("main").get_by_role("link", name="Iemand uitnodigen")
    figures = finish(page, axe, walk, "a-open", invite)
    assert figures["final_page"] == f"netwerk/{network.pk}/leden/"
    assert_on_the_phone(figures)


def test_b_invite_a_family_member_who_accepts(page, axe, cast, browser, live_server):
    network = a_week_of_care(cast.caregiver)
    signed_in(page, cast.caregiver)
    coordinator = Walk()
    coordinator.follow(page)
    page.goto(f"/netwerk/{network.pk}/")
    page.locator(".mz-subnav").get_by_role("link", name="Mensen").click()
    page.get_by_role("link", name="Iemand uitnodigen").click()
    coordinator.fill(page.locator("#id_name"), "Charlie")
    coordinator.fill(page.get_by_label("E-mailadres"), cast.network_member.email)
    coordinator.select(page.get_by_label("Relatie tot degene voor wie je zorgt"), "sibling")
    mail.outbox.clear()
    page.get_by_role("button", name="Uitnodiging sturen").click()
    page.wait_for_url("**/leden/")
    link = re.search(r"(/netwerk/uitnodiging/\S+/)", mail.outbox[0].body).group(1)

    # The brother, on his own phone: he opens the link from the e-mail and signs in.
    context, them = phone(browser, live_server)
    brother = Walk()
    brother.follow(them)
    them.goto(link)
    them.locator("main").get_by_role("link", name="Inloggen").click()
    brother.fill(them.get_by_label("E-mailadres"), cast.network_member.email)
    brother.fill(them.get_by_label("Wachtwoord"), PASSWORD)
    them.get_by_role("button", name="Inloggen").click()
    them.wait_for_url(f"**{link}")
    them.get_by_role("button", name="Meedoen met het netwerk").click()
    them.wait_for_url(f"**/netwerk/{network.pk}/")
    assert Membership.objects.filter(network=network, user=cast.network_member).exists()
    both = Walk()
    both.fields = coordinator.fields + brother.fields
    both.screens = coordinator.screens + brother.screens
    first = them.locator("main .mz-rows li").first
    figures = finish(
        them,
        axe,
        both,
        "b-invite-accept",
        first,
        coordinator={"fields": coordinator.fields, "screens": coordinator.screens},
        member={"fields": brother.fields, "screens": brother.screens},
    )
    context.close()
    assert "Boodschappen voor Mien" in figures["target_text"]  # the open help comes first
    assert_on_the_phone(figures)


def test_c_add_a_weekly_appointment(page, axe, cast):
    network = a_week_of_care(cast.caregiver)
    signed_in(page, cast.caregiver)
    walk = Walk()
    walk.follow(page)
    page.goto(f"/netwerk/{network.pk}/")
    page.locator(".mz-subnav").get_by_role("link", name="Agenda").click()
    page.locator("main").get_by_role("link", name="In de agenda zetten").click()
    walk.fill(page.locator("#id_title"), "Fysiotherapie")
    walk.fill(page.locator("#id_date"), f"{NEXT_TUESDAY:%Y-%m-%d}")
    walk.fill(page.locator("#id_start_time"), "10:00")
    walk.fill(page.locator("#id_end_time"), "10:45")
    walk.select(page.locator("#id_repeat"), "WEEKLY")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/agenda/[0-9a-f-]{36}/"))
    appointment = Appointment.objects.get(title="Fysiotherapie")
    assert appointment.rrule.startswith("FREQ=WEEKLY")
    page.get_by_role("link", name="Terug naar de agenda").click()
    page.wait_for_url(re.compile(r"/agenda/\?"))
    item = page.locator("main .mz-items li").filter(has_text="Fysiotherapie").first
    figures = finish(page, axe, walk, "c-weekly-appointment", item)
    assert figures["final_page"] == f"netwerk/{network.pk}/agenda/"
    assert page.locator("main .mz-items li").filter(has_text="Fysiotherapie").count() == 2  # 14 days
    assert_on_the_phone(figures)


def test_d_a_member_claims_an_open_task(page, axe, cast):
    network = a_week_of_care(cast.caregiver)
    factories.member(network, cast.network_member, relation=Relation.SIBLING)
    task = Task.objects.get(title="Boodschappen voor Mien")
    signed_in(page, cast.network_member)
    walk = Walk()
    walk.follow(page)
    page.goto(f"/netwerk/{network.pk}/")
    page.get_by_role("link", name="Bekijk de taken en zeg wat jij doet").click()
    page.locator(f"form[action$='/taken/{task.pk}/nemen/'] button").click()
    page.wait_for_url(f"**/taken/{task.pk}/")
    task.refresh_from_db()
    assert task.claimed_by.user == cast.network_member
    who = page.locator("main .mz-facts dt", has_text="Wie doet het")
    state = who.locator("xpath=following-sibling::dd[1]")
    thanks = page.locator("main .utrecht-alert").first
    figures = finish(
        page, axe, walk, "d-claim-task", state, thanks_y=top(thanks), thanks_text=thanks.inner_text()
    )
    assert figures["target_text"].startswith("Jij")
    assert_on_the_phone(figures)


def test_e_subscribe_to_the_feed(page, axe, cast):
    network = a_week_of_care(cast.caregiver)
    factories.member(network, cast.network_member, role=Role.MEMBER, relation=Relation.SIBLING)
    signed_in(page, cast.network_member)
    walk = Walk()
    walk.follow(page)
    page.goto(f"/netwerk/{network.pk}/")
    page.locator(".mz-subnav").get_by_role("link", name="Agenda").click()
    page.locator("main a[href$='/agenda-abonnement/']").click()
    page.locator("form[action$='/agenda-abonnement/vernieuwen/'] button").click()
    page.wait_for_url("**/agenda-abonnement/")
    address = page.locator("#feed-url")
    assert address.input_value().endswith(".ics")
    figures = finish(page, axe, walk, "e-feed", address)
    assert_on_the_phone(figures)
