"""Phone numbers as links: one rule for every page and app."""

from __future__ import annotations

import re

_NOT_DIGIT = re.compile(r"[^0-9]")


def tel_href(number: str) -> str:
    """The ``tel:`` URI (RFC 3966) of a number as people write it, "" when it has no digits.

    Dutch numbers get the international form, so they also work from a phone abroad:
    "030 760 60 55" → "tel:+31307606055", "0800-0113" → "tel:+318000113". Short numbers stay as
    they are ("112" → "tel:112"); "+31 (0)30 …" and "0031 30 …" drop the trunk 0.
    """
    text = (number or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        digits = _NOT_DIGIT.sub("", text.replace("(0)", ""))
        return f"tel:+{digits}" if digits else ""
    digits = _NOT_DIGIT.sub("", text)
    if not digits:
        return ""
    if digits.startswith("0") and len(digits) > 4:
        return f"tel:+31{digits[1:]}"
    return f"tel:{digits}"
