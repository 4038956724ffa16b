"""Phone numbers as links: one rule for every page (``tel:`` hrefs hold digits and a leading +)."""

from __future__ import annotations

import re

_NOT_DIGIT = re.compile(r"[^0-9]")


def tel_href(number: str) -> str:
    """The ``tel:`` URI of a number as people write it: "030 760 60 55" → "tel:0307606055",
    "+31 (0)30 760 60 55" → "tel:+31307606055", "0800-0113" → "tel:08000113" (RFC 3966: a
    local number without its separators; the "(0)" trunk prefix is dropped after a country code).
    "" for a text without digits."""
    text = (number or "").strip()
    international = text.startswith("+") or text.startswith("00")
    text = text.replace("(0)", "") if international else text
    digits = _NOT_DIGIT.sub("", text)
    if not digits:
        return ""
    if text.startswith("00"):
        digits = digits[2:]
    return "tel:" + ("+" if international else "") + digits
