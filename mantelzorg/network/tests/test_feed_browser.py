"""The subscribe page (``network/feed.html``) in a browser: axe-core and no horizontal scrolling
at 320/375 px, with a link (a reminder chosen through the GET form, no JavaScript) and without."""

import re

import pytest

from mantelzorg.network.models import Membership, Network, Role
from tests.browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def member(cast):
    network = Network.objects.create(recipient_name="Mien")
    Membership.objects.create(
        network=network,
        user=cast.caregiver,
        role=Role.COORDINATOR,
        relation="child",
        feed_token="Xk3_9-aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab",
    )
    return network, cast.caregiver, cast.password


def test_the_subscribe_page_with_a_link(page, axe, member):
    network, user, password = member
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, user, password)
    page.goto(f"/netwerk/{network.pk}/agenda-abonnement/")
    assert page.locator("h1").count() == 1
    page.locator("input[name=alarm][value='60']").check()
    page.locator("form.mz-feed-alarm button").click()
    page.wait_for_url(re.compile(r"alarm=60"))
    assert page.get_by_role("textbox").input_value().endswith(".ics?alarm=60")
    assert page.locator("a[href^='webcal://']").get_attribute("href").endswith(".ics?alarm=60")
    axe(page, "network-feed-link-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    axe(page, "network-feed-link-1280")


def test_the_subscribe_page_without_a_link(page, axe, member):
    network, user, password = member
    Membership.objects.filter(network=network).update(feed_token=None)
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, user, password)
    page.goto(f"/netwerk/{network.pk}/agenda-abonnement/")
    axe(page, "network-feed-none-320")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#feed-url")
    assert Membership.objects.get(network=network).feed_token
    axe(page, "network-feed-made-320")
