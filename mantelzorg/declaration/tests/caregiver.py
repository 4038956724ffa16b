"""Shared helpers of the caregiver-side tests: a filled-in declaration form, and reading a code."""

import datetime as dt

from django.utils import timezone

from mantelzorg.declaration import codec, selectors

FORM = {
    "relation": "relative",
    "postcode": "1053 AB",
    "since_month": "9",
    "since_year": "2023",
    "hours_per_week": "12",
    "tasks": ["household", "transport"],
    "indications": ["wmo"],
    "initials": "a.v.",
    "birth_day": "14",
    "birth_month": "3",
    "truthful": "on",
}


def make_declaration(client, **changes):
    from mantelzorg.declaration.models import Declaration

    response = client.post("/verklaring/nieuw/", {**FORM, **changes})
    assert response.status_code == 302, response.content.decode()[:3000]
    return Declaration.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def read(code, at=None):
    at = selectors.now() if at is None else at
    return codec.decode(code, selectors.public_keyset(at), at)


def today():
    return timezone.localdate()


def months_later(day, months):
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, 1)
