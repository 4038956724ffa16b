"""The provider's beds and places: the list with the coming four weeks, adding, changing, taking
out of use and back, closures added and removed; every change one audit row, through the services."""

import pytest

from mantelzorg.core.models import LogEntry

from ..models import Closure, Unit
from .factories import days
from .overview_world import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

LIST = "/logeerzorg/aanbieder/plaatsen/"


def unit_data(w, **changes):
    location = w.house.service_at_locations.get().location
    data = {
        "place": f"{w.house.pk}:{location.pk}",
        "name": "Kamer 9",
        "kind": "logeerzorg_wmo",
        "target_groups": ["dementia"],
        "wheelchair": "on",
        "min_nights": "2",
        "max_nights": "7",
        "admission_days": ["5"],
        "funding": ["wmo", "private"],
        "price_per_night": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_list_shows_each_unit_with_its_four_weeks(world, login_as):
    response = login_as(world.provider).get(LIST)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Voorbeeld Logeerhuis De Linde" in text and "Kamer 1" in text and "Kamer 2" in text
    assert "Het Anker" not in text
    # Kamer 1: 2 nights requested, 3 closed; Kamer 2: 3 booked
    assert "23 nachten vrij" in text and "2 aangevraagd" in text and "3 gesloten" in text
    assert "25 nachten vrij" in text and "3 geboekt" in text


def test_the_list_takes_a_fixed_number_of_queries(world, login_as, django_assert_max_num_queries):
    client = login_as(world.provider)
    client.get(LIST)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    from mantelzorg.accounts.models import Organisation

    from .factories import make_house

    make_house(
        "Voorbeeld Tweede Huis",
        units=6,
        account_organisation=Organisation.objects.get(name="Voorbeeld Zorg Utrecht"),
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert "Voorbeeld Tweede Huis" in response.content.decode()
    assert len(many) == len(few)


def test_add_a_unit(world, login_as):
    client = login_as(world.provider)
    assert client.get(f"{LIST}nieuw/").status_code == 200
    before = LogEntry.objects.count()
    response = client.post(f"{LIST}nieuw/", unit_data(world))
    assert response.status_code == 302 and response["Location"] == LIST
    unit = Unit.objects.get(name="Kamer 9")
    assert (unit.min_nights, unit.max_nights, unit.admission_days, unit.wheelchair) == (2, 7, [5], True)
    assert unit.municipality_id == "GM0344" and unit.service == world.house
    assert list(LogEntry.objects.filter(pk__gt=0).order_by("-id")[:1].values_list("action", flat=True)) == [
        "respite.unit.saved"
    ]
    assert LogEntry.objects.count() == before + 1


def test_the_form_says_what_is_wrong(world, login_as):
    client = login_as(world.provider)
    response = client.post(
        f"{LIST}nieuw/", unit_data(world, funding=None, min_nights="5", max_nights="3", name="")
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Kies minstens één manier" in text and "De langste logeerperiode" in text
    assert not Unit.objects.filter(min_nights=5).exists()


def test_another_providers_location_cannot_be_chosen(world, login_as):
    client = login_as(world.provider)
    location = world.other_house.service_at_locations.get().location
    response = client.post(f"{LIST}nieuw/", unit_data(world, place=f"{world.other_house.pk}:{location.pk}"))
    assert response.status_code == 400
    assert not Unit.objects.filter(name="Kamer 9").exists()


def test_change_a_unit(world, login_as):
    client = login_as(world.provider)
    url = f"{LIST}{world.unit.pk}/"
    response = client.get(url)
    assert response.status_code == 200 and 'value="Kamer 1"' in response.content.decode()
    response = client.post(url, unit_data(world, name="Kamer 1 (tuin)", kind="elv_low"))
    assert response.status_code == 302
    world.unit.refresh_from_db()
    assert (world.unit.name, world.unit.kind) == ("Kamer 1 (tuin)", "elv_low")


def test_take_out_of_use_and_back(world, login_as):
    client = login_as(world.provider)
    unit = world.units[1]
    # Kamer 2 has a booked stay coming: refused, with the reason
    response = client.post(f"{LIST}{unit.pk}/buiten-gebruik/", follow=True)
    assert "Er komen nog gasten" in response.content.decode()
    unit.refresh_from_db()
    assert unit.active
    world.booked.state = "cancelled"
    world.booked.save()
    response = client.post(f"{LIST}{unit.pk}/buiten-gebruik/")
    assert response.status_code == 302
    unit.refresh_from_db()
    assert not unit.active
    assert LogEntry.objects.filter(action="respite.unit.deactivated", object_id=str(unit.pk)).count() == 1
    text = client.get(LIST).content.decode()
    assert "buiten gebruik" in text
    assert client.post(f"{LIST}{unit.pk}/weer-in-gebruik/").status_code == 302
    unit.refresh_from_db()
    assert unit.active


def test_add_and_remove_a_closure(world, login_as):
    client = login_as(world.provider)
    url = f"{LIST}{world.unit.pk}/sluiting/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"first_day": days(20).isoformat(), "last_day": days(21).isoformat(), "reason": "closed"}
    )
    assert response.status_code == 302
    closure = Closure.objects.get(unit=world.unit, first_day=days(20))
    page = client.get(f"{LIST}{world.unit.pk}/").content.decode()
    assert f"sluiting/{closure.pk}/verwijderen/" in page
    response = client.post(f"{LIST}{world.unit.pk}/sluiting/{closure.pk}/verwijderen/")
    assert response.status_code == 302
    assert not Closure.objects.filter(pk=closure.pk).exists()
    assert LogEntry.objects.filter(action="respite.closure.removed", object_id=str(closure.pk)).count() == 1


def test_a_closure_in_the_past_or_backwards_is_refused(world, login_as):
    client = login_as(world.provider)
    url = f"{LIST}{world.unit.pk}/sluiting/"
    response = client.post(
        url, {"first_day": days(-1).isoformat(), "last_day": days(-3).isoformat(), "reason": "closed"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "in het verleden" in text and "niet vóór de eerste" in text


def test_a_closure_that_is_over_cannot_be_removed(world, login_as):
    old = Closure.objects.create(unit=world.unit, first_day=days(-5), last_day=days(-2))
    client = login_as(world.provider)
    response = client.post(f"{LIST}{world.unit.pk}/sluiting/{old.pk}/verwijderen/", follow=True)
    assert "al voorbij" in response.content.decode()
    assert Closure.objects.filter(pk=old.pk).exists()


def test_repeated_posts_change_once(world, login_as):
    client = login_as(world.provider)
    key = {"HTTP_IDEMPOTENCY_KEY": "closure-key-0000000001"}
    url = f"{LIST}{world.unit.pk}/sluiting/"
    data = {"first_day": days(30).isoformat(), "last_day": days(30).isoformat(), "reason": "closed"}
    first = client.post(url, data, **key)
    second = client.post(url, data, **key)
    assert first.status_code == second.status_code == 302
    assert Closure.objects.filter(unit=world.unit, first_day=days(30)).count() == 1
    new = client.post(f"{LIST}nieuw/", unit_data(world), **{"HTTP_IDEMPOTENCY_KEY": "unit-key-000000000001"})
    again = client.post(
        f"{LIST}nieuw/", unit_data(world), **{"HTTP_IDEMPOTENCY_KEY": "unit-key-000000000001"}
    )
    assert new.status_code == again.status_code == 302
    assert Unit.objects.filter(name="Kamer 9").count() == 1


HUGE = str(2**64)


@pytest.mark.parametrize(
    "changes",
    [
        {"place": "nonsense"},
        {"place": f"{'0' * 8}-0000-0000-0000-{'0' * 12}:1"},
        {"min_nights": HUGE, "max_nights": HUGE},
        {"price_per_night": "1e400"},
        {"price_per_night": "-5"},
        {"kind": "castle", "funding": ["gold"], "target_groups": ["x"], "admission_days": ["9", "x"]},
        {"name": "x" * 500},
    ],
)
def test_bad_unit_input_is_a_form_error(world, login_as, changes):
    response = login_as(world.provider).post(f"{LIST}nieuw/", unit_data(world, **changes))
    assert response.status_code == 400
    assert not Unit.objects.filter(name="Kamer 9").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"first_day": "2026-02-31", "last_day": "x", "reason": "closed"},
        {"first_day": "99999-01-01", "last_day": "2027-01-01", "reason": "holiday"},
        {},
    ],
)
def test_bad_closure_input_is_a_form_error(world, login_as, data):
    response = login_as(world.provider).post(f"{LIST}{world.unit.pk}/sluiting/", data)
    assert response.status_code == 400


def test_a_huge_closure_id_is_404(world, login_as):
    response = login_as(world.provider).post(f"{LIST}{world.unit.pk}/sluiting/{HUGE}/verwijderen/")
    assert response.status_code == 404
