"""The home page puts the crisis numbers first, as tel: links, read from the Balanscheck's
urgent advice cards (one place for each number)."""

import re

import pytest

from mantelzorg.assessment.balance import load_advice_rules
from mantelzorg.core import crisis


def test_crisis_numbers_are_the_urgent_cards_numbers():
    cards = {card.code: card for card, _ in load_advice_rules().cards}
    found = crisis.contacts()
    assert found["emergency"].number == cards["urgent_112"].contact == "112"
    assert found["suicide_prevention"].number == cards["urgent_113"].contact
    assert found["suicide_prevention"].website == cards["urgent_113"].chat.url == "https://www.113.nl/"
    assert found["mantelzorglijn"].number == cards["urgent_mantelzorglijn"].contact


@pytest.mark.parametrize("language", ["nl", "en"])
def test_home_page_has_the_crisis_block_before_the_rest_with_tappable_numbers(client, db, language):
    client.get(f"/taal/{language}/")
    html = client.get("/").content.decode()
    block = html[html.index('<section class="mz-crisis"') : html.index("</section>")]
    assert html.index('<section class="mz-crisis"') < html.index('class="mz-cards"')
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', block))
    assert links["tel:112"] in ("Bel 112", "Call 112")
    assert links["tel:+318000113"].endswith("0800-0113")
    assert links["tel:+31307606055"].endswith("030 760 60 55")
    assert links["https://www.113.nl/"] in ("chat via 113.nl", "chat at 113.nl")
