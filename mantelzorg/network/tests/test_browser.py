"""The care network in a real browser, as a caregiver on a phone would use it: open a network,
invite a family member, who accepts by signing in; the diary, the settings, leaving. Every page
template in each state: axe-core 0 violations, no horizontal scrolling at 320 and 375 px, a
1280 px screenshot (test-artifacts/screenshots/network-*.png). The main flow once with the keyboard
only."""

import re

import pytest
from django.core import mail

from conftest import PASSWORD
from mantelzorg.network.models import Membership, Network
from tests.browser import check, tab_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def log_in(page, user, next_url=""):
    page.goto("/account/inloggen/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


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
    them.goto(f"/netwerk/{network.pk}/mijn-instellingen/")
    check(them, axe, "network-my-settings")
    them.goto(f"/netwerk/{network.pk}/verlaten/")
    check(them, axe, "network-leave")
    other.close()

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
