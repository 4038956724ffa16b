"""No page promises what the site cannot do yet (issue 9, point 14)."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from .test_forms import LOGIN, SIGNUP


def account_deletion_exists() -> bool:
    try:
        reverse("accounts:delete")
    except NoReverseMatch:
        return False
    return True


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("url", [SIGNUP, LOGIN, "/"])
def test_no_promise_of_deleting_the_account_while_no_such_page_exists(client, db, language, url):
    """The foundations issue builds erasure; until accounts:delete exists, no page may promise it."""
    client.get(f"/taal/{language}/")
    text = re.sub(r"<[^>]+>", " ", client.get(url).content.decode()).lower()
    promises = [word for word in ("verwijder", "delete", "erase", "wissen") if word in text]
    assert account_deletion_exists() or not promises, f"{url} ({language}) promises: {promises}"
