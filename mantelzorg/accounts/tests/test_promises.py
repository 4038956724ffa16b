"""No page promises what the site cannot do (issue 9, point 14): the sign-up page promises that an
account can be deleted, and that is true: /account/mijn-gegevens/verwijderen/ exists and works."""

import re

import pytest
from django.urls import reverse

from .test_forms import SIGNUP


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_signup_page_promises_deletion_and_the_page_to_do_it_exists(client, cast, login_as, language):
    client.get(f"/taal/{language}/")
    text = re.sub(r"<[^>]+>", " ", client.get(SIGNUP).content.decode()).lower()
    assert any(word in text for word in ("verwijder", "delete"))
    login_as(cast.caregiver)
    assert client.get(reverse("accounts:delete")).status_code == 200
    assert client.get(reverse("accounts:my_data")).status_code == 200
