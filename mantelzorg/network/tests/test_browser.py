"""The care network in a real browser, as a caregiver on a phone would use it: open a network,
invite a family member, who accepts by signing in; the diary, the settings, leaving. Every page
template in each state: axe-core 0 violations, no horizontal scrolling at 320 and 375 px, a
1280 px screenshot (test-artifacts/screenshots/network-*.png). The main flow once with the keyboard
only."""

import datetime as dt
import re

import pytest
from django.core import mail

from conftest import PASSWORD
from mantelzorg.network.models import Appointment, Membership, Network
from mantelzorg.network.recurrence import TZ
from tests.browser import check, log_in, tab_until

from . import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
_TODAY = dt.datetime.now(TZ).date()
NEXT_TUESDAY = _TODAY + dt.timedelta(days=(1 - _TODAY.weekday()) % 7 or 7)


def test_open_a_network_invite_and_accept(page, axe, cast, browser, live_server):
    page.set_viewport_size(PHONE)
    log_in(page, cast.caregiver)
    page.goto("/netwerk/")
    check(page, axe, "network-list-empty")
    page.get_by_role("link", name="Begin een netwerk rond iemand voor wie je zorgt").click()
    check(page, axe, "network-create")
    page.get_by_role("button", name="Netwerk beginnen").click()
    assert page.locator(".mz-error-summary").is_visible()
    check(page, axe, "network-create-errors")
    page.get_by_label("Naam van degene voor wie je zorgt").fill("Mien")
    page.get_by_label("Jij bent zijn of haar").select_option("child")
    page.get_by_label("Postcode van degene voor wie je zorgt").fill("1012 AB")
    page.get_by_role("button", name="Netwerk beginnen").click()
    network = Network.objects.get()
    assert page.url.endswith(f"/netwerk/{network.pk}/leden/")
    check(page, axe, "network-members-coordinator")

    page.get_by_role("link", name="Iemand uitnodigen").click()
    page.get_by_role("button", name="Uitnodiging sturen").click()
    check(page, axe, "network-invite-errors")
    page.locator("#id_name").fill("Charlie")
    page.get_by_label("E-mailadres").fill(cast.network_member.email)
    page.get_by_label("Relatie tot degene voor wie je zorgt").select_option("sibling")
    mail.outbox.clear()
    page.get_by_role("button", name="Uitnodiging sturen").click()
    assert "Uitnodigingen die nog niet zijn aangenomen" in page.content()
    assert cast.network_member.email in page.locator("#invitations ~ ul").inner_text()
    check(page, axe, "network-members-pending")
    link = re.search(r"(/netwerk/uitnodiging/\S+/)", mail.outbox[0].body).group(1)

    # The invited brother, on his own phone: not signed in, then signed in, then in.
    other = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE)
    them = other.new_page()
    them.goto(link)
    assert "Help mee met de zorg voor Mien" in them.content()
    check(them, axe, "network-invitation-anonymous")
    them.locator("main").get_by_role("link", name="Inloggen").click()
    them.get_by_label("E-mailadres").fill(cast.network_member.email)
    them.get_by_label("Wachtwoord").fill(PASSWORD)
    them.get_by_role("button", name="Inloggen").click()
    assert them.url.endswith(link)
    check(them, axe, "network-invitation-signed-in")
    them.get_by_role("button", name="Meedoen met het netwerk").click()
    assert them.url.endswith(f"/netwerk/{network.pk}/")
    assert Membership.objects.filter(network=network, user=cast.network_member).exists()
    check(them, axe, "network-home-member")
    assert them.get_by_role("link", name="Dagboek").count() == 0  # no diary switch for him
    them.goto(link)
    assert "Deze uitnodiging werkt niet meer" in them.content()
    check(them, axe, "network-invitation-unusable")
    # He takes on the shopping on Thursday; then subscribes to his calendar feed.
    task = factories.task(network, title="Boodschappen voor Mien")
    them.goto(f"/netwerk/{network.pk}/taken/")
    check(them, axe, "network-tasks-member")
    them.locator(f"form[action$='/taken/{task.pk}/nemen/'] button").click()
    task.refresh_from_db()
    assert task.claimed_by.user == cast.network_member
    check(them, axe, "network-task-claimed")
    them.goto(f"/netwerk/{network.pk}/agenda-abonnement/")
    check(them, axe, "network-feed-none")
    them.locator("form[action$='/agenda-abonnement/vernieuwen/'] button").click()
    feed_url = them.locator("main input[readonly]").first.input_value()
    assert feed_url.endswith(".ics")
    check(them, axe, "network-feed")
    feed = them.request.get(feed_url)
    assert feed.status == 200 and "Boodschappen voor Mien" in feed.text()
    them.goto(f"/netwerk/{network.pk}/mijn-instellingen/")
    check(them, axe, "network-my-settings")
    them.goto(f"/netwerk/{network.pk}/verlaten/")
    check(them, axe, "network-leave")
    other.close()

    # The coordinator puts the weekly day care in the agenda.
    page.goto(f"/netwerk/{network.pk}/agenda/nieuw/")
    check(page, axe, "network-appointment-new")
    page.locator("#id_title").fill("Dagbesteding De Linde")
    page.locator("#id_kind").select_option("professional_visit")
    page.locator("#id_date").fill(f"{NEXT_TUESDAY:%Y-%m-%d}")
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("15:30")
    page.locator("#id_repeat").select_option("WEEKLY")
    page.locator("main form button[type=submit]").last.click()
    appointment = Appointment.objects.get()
    assert appointment.rrule.startswith("FREQ=WEEKLY") and "BYDAY=TU" in appointment.rrule
    check(page, axe, "network-appointment")
    page.goto(f"/netwerk/{network.pk}/agenda/?weergave=maand&datum={NEXT_TUESDAY:%Y-%m-%d}")
    assert page.locator("main").get_by_text("Dagbesteding De Linde").count() >= 4
    check(page, axe, "network-agenda-month")
    page.goto(f"/netwerk/{network.pk}/agenda/?weergave=week&datum={NEXT_TUESDAY:%Y-%m-%d}")
    check(page, axe, "network-agenda-week")
    page.goto(f"/netwerk/{network.pk}/agenda/")
    check(page, axe, "network-agenda-list")
    page.goto(f"/netwerk/{network.pk}/agenda/{appointment.pk}/verwijderen/")
    check(page, axe, "network-appointment-delete")
    page.goto(f"/netwerk/{network.pk}/taken/nieuw/")
    check(page, axe, "network-task-new")
    page.goto(f"/netwerk/{network.pk}/taken/nieuw-herhalend/")
    check(page, axe, "network-activity-new")
    page.goto(f"/netwerk/{network.pk}/verdeling/")
    check(page, axe, "network-load-empty")
    me = Membership.objects.get(network=network, user=cast.caregiver)
    past = factories.at(_TODAY - dt.timedelta(days=3), 14)
    factories.task(
        network, start=past, minutes=90, claimed_by=me, status="done", claimed_at=past, done_at=past
    )
    page.goto(f"/netwerk/{network.pk}/verdeling/")
    assert page.locator("main table").count() == 1  # the table beside the chart
    check(page, axe, "network-load")

    page.goto(f"/netwerk/{network.pk}/dagboek/")
    check(page, axe, "network-diary-empty")
    page.get_by_label("Wat is er gebeurd?").fill("Mien had een goede dag. We hebben samen gewandeld.")
    page.get_by_role("button", name="In het dagboek zetten").click()
    assert "We hebben samen gewandeld." in page.locator(".mz-diary").inner_text()
    check(page, axe, "network-diary")
    page.goto(f"/netwerk/{network.pk}/instellingen/")
    check(page, axe, "network-settings")
    page.goto(f"/netwerk/{network.pk}/leden/")
    page.get_by_role("link", name="Rol of toestemming wijzigen (charlie)").click()
    check(page, axe, "network-member-edit")
    page.goto(f"/netwerk/{network.pk}/")
    check(page, axe, "network-home-coordinator")
    page.goto("/netwerk/")
    check(page, axe, "network-list")


def test_opening_a_network_with_the_keyboard_only(page, cast):
    page.set_viewport_size(PHONE)
    log_in(page, cast.caregiver)
    page.goto("/netwerk/nieuw/")
    tab_until(page, lambda e: e["name"] == "recipient_name")
    page.keyboard.type("Mien")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first relation
    tab_until(page, lambda e: e["tag"] == "BUTTON" and "Netwerk beginnen" in e["text"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/leden/")
    assert Network.objects.filter(recipient_name="Mien").exists()
