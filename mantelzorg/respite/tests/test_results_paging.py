"""The results a page at a time (``?pagina=``, as the sociale kaart): ten houses a page, the free
ones first and the nearest first in each; the previous and next links keep the search; a page
number that is not one is page 1, one past the end the last page; the nearest free dates are read
for the shown page's full houses only; the waiting list shows (on every page) only when no house
at all is free."""

import pytest

from conftest import make_user
from mantelzorg.accounts.models import Role
from mantelzorg.core import geo
from mantelzorg.core.models import PostcodeArea

from ..models import Stay
from ..presentation import RESULTS_PER_PAGE
from .factories import days, make_house
from .overview_world import stay
from .pages import search_url

pytestmark = pytest.mark.django_db

HOUSES = 23


def nearest_postcodes(count: int, origin: str = "3511") -> list[str]:
    """``count`` postcode areas near ``origin`` with different distances, the nearest first."""
    here = geo.resolve_postcode(origin)
    by_km: dict[float, str] = {}
    for pc4, lat, lon in PostcodeArea.objects.values_list("pc4", "lat", "lon"):
        km = round(geo.distance_km(here.lat, here.lon, lat, lon), 1)
        if km <= 20 and km not in by_km:
            by_km[km] = pc4
    assert len(by_km) >= count, "the test's postcode areas are too few"
    return [by_km[km] for km in sorted(by_km)[:count]]


@pytest.fixture
def houses(db):
    """Houses 01 to 23, the nearest first, one bed each."""
    made = []
    for n, pc4 in enumerate(nearest_postcodes(HOUSES), start=1):
        service, units = make_house(f"Voorbeeld Huis {n:02d}", postcode=pc4, units=1)
        made.append((service, units[0]))
    return made


def names(response) -> list[str]:
    """The numbers of the houses shown, in their order (their headings)."""
    text = response.content.decode()
    heads = text.split('<h3 class="nl-heading nl-heading--level-3">')[1:]
    return [head.split("<", 1)[0].removeprefix("Voorbeeld Huis ") for head in heads]


def fill(houses, numbers):
    """Houses ``numbers`` (1 = the nearest) full for the searched nights (10 to 12)."""
    who = make_user("vol@example.org", Role.CAREGIVER)
    for n in numbers:
        stay(houses[n - 1][1], 10, 2, Stay.State.HELD, by=who)


def test_ten_a_page_the_nearest_first(client, houses):
    assert RESULTS_PER_PAGE == 10
    first = client.get(search_url())
    assert first.status_code == 200
    assert names(first) == [f"{n:02d}" for n in range(1, 11)]
    text = first.content.decode()
    assert "23 huizen gevonden" in text and "Pagina 1 van 3" in text
    assert f'href="?postcode=3511&amp;aankomst={days(10)}&amp;vertrek={days(12)}&amp;pagina=2"' in text
    assert 'rel="prev"' not in text and "Volgende huizen: 11 tot 20" in text


def test_page_two_and_the_last_page_keep_the_search(client, houses):
    second = client.get(search_url(pagina="2"))
    assert names(second) == [f"{n:02d}" for n in range(11, 21)]
    text = second.content.decode()
    assert f'href="?postcode=3511&amp;aankomst={days(10)}&amp;vertrek={days(12)}&amp;pagina=1"' in text
    assert "Vorige huizen: 1 tot 10" in text and "Volgende huizen: 21 tot 23" in text
    assert "Pagina 2 van 3" in text and "huizen 11 tot 20" in text
    last = client.get(search_url(pagina="3"))
    assert names(last) == ["21", "22", "23"] and 'rel="next"' not in last.content.decode()


@pytest.mark.parametrize("number", ["", "nul", "0", "-2", "2.5", "9" * 30])
def test_a_page_number_that_is_not_one_is_page_1(client, houses, number):
    response = client.get(search_url(pagina=number))
    assert response.status_code == 200
    if number == "9" * 30:  # a number past the end: the last page, as the sociale kaart
        assert names(response) == ["21", "22", "23"]
    else:
        assert names(response)[0] == "01", number


def test_past_the_end_is_the_last_page(client, houses):
    assert names(client.get(search_url(pagina="4"))) == ["21", "22", "23"]


def test_the_free_houses_come_first_and_the_full_ones_get_their_free_dates_on_their_page(client, houses):
    """The eleven nearest houses are full: page 1 shows the twelve free ones (the nearest ten),
    nothing about a waiting list; the full ones follow with their nearest free dates."""
    fill(houses, range(1, 12))
    first = client.get(search_url())
    text = first.content.decode()
    assert names(first) == [f"{n:02d}" for n in range(12, 22)]
    assert "12 hebben een vrije plek" in text and "wachtlijst" not in text.lower()
    second = client.get(search_url(pagina="2"))
    text = second.content.decode()
    assert names(second) == ["22", "23"] + [f"{n:02d}" for n in range(1, 9)]
    assert "wachtlijst" not in text.lower()
    assert text.count("Vol op deze datums") == 8
    assert f"aankomst={days(12)}&amp;vertrek={days(14)}" in text  # the next free two nights
    assert "Bekijk de vrije huizen" not in text  # this page starts with free ones
    third = client.get(search_url(pagina="3")).content.decode()
    assert 'href="?postcode=3511&amp;aankomst=' in third and "Bekijk de vrije huizen" in third


def test_the_nearest_free_dates_are_read_for_the_page_only(client, houses, django_assert_max_num_queries):
    """As many queries for 23 full houses as for 3: the wider window only for the shown page."""
    fill(houses, range(1, HOUSES + 1))
    with django_assert_max_num_queries(40) as few:
        client.get(search_url(pagina="3"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(search_url())


def test_nothing_free_anywhere_shows_the_waiting_list_on_every_page(client, houses):
    fill(houses, range(1, HOUSES + 1))
    for number in ("1", "3"):
        text = client.get(search_url(pagina=number)).content.decode()
        assert "Nog niets vrij? Zet je op de wachtlijst" in text, number
        assert "Geen ervan heeft een vrije plek" in text
    assert 'name="pagina"' not in client.get(search_url(pagina="2")).content.decode()


def test_a_weekend_a_month_is_paged_too(client, houses):
    response = client.get("/logeerzorg/zoeken/", {"postcode": "3511", "wanneer": "weekend", "pagina": "2"})
    assert response.status_code == 200
    assert names(response) == [f"{n:02d}" for n in range(11, 21)]
    assert "wanneer=weekend" in response.content.decode()
