"""Who reaches the respite API: every person of the cast (and a regional coordinator of this and
of another region, provider staff of this house and of another) on every operation of it.

Routes checked (for the route matrix): /api/v1/respite/availability/
"""

from __future__ import annotations

import pytest

from conftest import CAST_NAMES, login

from .factories import days, make_house

pytestmark = pytest.mark.django_db

AVAILABILITY = "/api/v1/respite/availability/"


@pytest.mark.parametrize("who", CAST_NAMES)
def test_the_availability_search_is_public_and_holds_no_personal_data(client, cast, who):
    make_house(units=1)
    login(client, getattr(cast, who))
    response = client.get(AVAILABILITY, {"postcode": "3511", "from": days(3), "to": days(5)})
    assert response.status_code == 200
    (house,) = response.json()["contents"]
    assert set(house) == {
        "service", "organization", "location", "distance_km", "kinds", "units", "available",
        "free_units", "free_per_night", "nearest_free", "phone", "url",
    }  # fmt: skip
