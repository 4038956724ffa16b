"""The crisis numbers of the home page, read from the Balanscheck's urgent advice cards
(``mantelzorg/assessment/rules/advice.json``), so each number is written down in one place."""

import re
from dataclasses import dataclass

from mantelzorg.assessment.balance import load_advice_rules

# The home page's three contacts and the urgent card each is read from.
CARDS = {
    "emergency": "urgent_112",
    "suicide_prevention": "urgent_113",
    "mantelzorglijn": "urgent_mantelzorglijn",
}
URL_RE = re.compile(r"https://\S+")


@dataclass(frozen=True)
class Contact:
    number: str  # as people read it: "030 760 60 55"
    tel: str  # for a tel: link: "+31307606055"
    website: str  # the card's source address: "https://www.113.nl"


def tel_href(number: str) -> str:
    """``tel:`` target of a Dutch number: international form, short numbers (112) as they are."""
    digits = re.sub(r"\D", "", number)
    return "+31" + digits[1:] if digits.startswith("0") and len(digits) > 4 else digits


def contacts() -> dict[str, Contact]:
    """``{"emergency": Contact(...), ...}`` for the cards that exist and have a number."""
    cards = {card.code: card for card, _ in load_advice_rules().cards}
    found = {}
    for name, code in CARDS.items():
        card = cards.get(code)
        if card is not None and card.contact:
            url = URL_RE.search(card.source)
            found[name] = Contact(card.contact, tel_href(card.contact), url.group(0) if url else "")
    return found
