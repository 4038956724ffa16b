"""The crisis numbers of the home page, read from the Balanscheck's urgent advice cards
(``mantelzorg/assessment/rules/advice.json``), so each number is written down in one place."""

from dataclasses import dataclass

from mantelzorg.assessment.balance import load_advice_rules
from mantelzorg.core.phone import tel_href

# The home page's three contacts and the urgent card each is read from.
CARDS = {
    "emergency": "urgent_112",
    "suicide_prevention": "urgent_113",
    "mantelzorglijn": "urgent_mantelzorglijn",
}


@dataclass(frozen=True)
class Contact:
    number: str  # as people read it: "030 760 60 55"
    tel: str  # the href of its link: "tel:+31307606055"
    website: str  # the card's chat service, if any: "https://www.113.nl/"


def contacts() -> dict[str, Contact]:
    """``{"emergency": Contact(...), ...}`` for the cards that exist and have a number."""
    cards = {card.code: card for card, _ in load_advice_rules().cards}
    found = {}
    for name, code in CARDS.items():
        card = cards.get(code)
        if card is not None and card.contact:
            found[name] = Contact(card.contact, tel_href(card.contact), card.chat.url if card.chat else "")
    return found
