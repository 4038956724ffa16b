"""Phone numbers of offers: what the offer editor accepts and what the HSDS import accepts. The
``tel:`` link of a number is ``core.phone.tel_href`` (one rule for every app).

Dutch numbering plan (Nummerplan, Rijksinspectie Digitale Infrastructuur / ACM): a national
number has 10 digits and starts with 0 (030 760 60 55, 06 12345678, 088 …); information
numbers 0800 (free) and 0900/0906/0909 (paid) have 4 or 7 digits after the prefix (0800-0113,
0900 1234567); a gemeente can be reached on 14 + its area code without 0 (14 020, 14 0413).
Short numbers such as 112, 113 or 144 are emergency and help lines, not numbers of an offer.
International numbers start with + (or 00) and the country code, at most 15 digits (ITU-T
E.164). Spaces, dashes, dots, slashes and brackets may be typed between the digits.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALLOWED = re.compile(r"^\+?[0-9 ()./-]+$")
SERVICE_NUMBERS = ("0800", "0900", "0906", "0909")
GEMEENTE_NUMBER = re.compile(r"^140\d{2,3}$")

EXAMPLE = "030 760 60 55"


def tidy(raw: str) -> str:
    """The number as typed, with its spaces tidied (no double or outer spaces)."""
    return " ".join((raw or "").split())


def digits(number: str) -> str:
    """Digits and a leading + only ("030 760 60 55" → "0307606055")."""
    number = tidy(number)
    plus = "+" if number.startswith("+") else ""
    if plus and number[1:].lstrip().startswith("31"):
        number = number.replace("(0)", "", 1)  # "+31 (0)30 …": the 0 is not dialled
    return plus + re.sub(r"\D", "", number)


def _national_ok(national: str) -> bool:
    """A Dutch number without the leading 0 or +31 ("307606055", "8000113")."""
    if national.startswith(tuple(p[1:] for p in SERVICE_NUMBERS)):
        return len(national) in (7, 10)
    return len(national) == 9


def validate(raw: str) -> str:
    """The number to store (as typed, spaces tidied), or a ``ValidationError`` that says what
    a good number looks like."""
    number = tidy(raw)
    if not number:
        return ""
    if not ALLOWED.match(number) or not re.search(r"\d", number):
        raise ValidationError(
            _("Use digits only, for example %(example)s or +31 30 760 60 55."),
            code="invalid",
            params={"example": EXAMPLE},
        )
    dialled = digits(number)
    if dialled.startswith("00"):
        dialled = "+" + dialled[2:]
    if dialled.startswith("+31"):
        national = dialled[3:]
        if national.startswith("0"):
            national = national[1:]
        if _national_ok(national):
            return number
        raise ValidationError(
            _("After +31 a Dutch number has 9 digits, for example +31 30 760 60 55."), code="length"
        )
    if dialled.startswith("+"):
        if 7 <= len(dialled) - 1 <= 15:
            return number
        raise ValidationError(
            _(
                "An international number has the country code and at most 15 digits, for example +32 2 123 45 67."
            ),
            code="length",
        )
    if GEMEENTE_NUMBER.match(dialled):
        return number
    if not dialled.startswith("0") and len(dialled) <= 6:
        raise ValidationError(
            _(
                "Short numbers such as 112 or 113 are not for an offer. Give the full number, "
                "for example %(example)s or 0800-0113."
            ),
            code="short",
            params={"example": EXAMPLE},
        )
    if dialled.startswith("0") and _national_ok(dialled[1:]):
        return number
    raise ValidationError(
        _(
            "A Dutch phone number has 10 digits and starts with 0, for example %(example)s. "
            "0800 and 0900 numbers have 8 or 11 digits."
        ),
        code="length",
        params={"example": EXAMPLE},
    )


def import_number(raw: str) -> str:
    """A phone number from an HSDS import: spaces tidied; refused only when it has no digit at
    all ("onbekend"). Other systems' numbers (international, with a note) are kept as given."""
    number = tidy(raw)
    if number and not re.search(r"\d", number):
        raise ValueError("A phone number needs digits.")
    return number
