"""Gemeente staff set the nights of logeerzorg their gemeente grants a year (issue 15, C7), on a
page of the regional overview: their own gemeenten, this year and next. Staff of another gemeente,
coordinators, providers and everyone else signed in get 404 (audited as denied); anonymous
visitors are sent to the login page. A change writes one audit row; 0–365 nights, empty is no
maximum.

Routes checked (for the route matrix): /logeerzorg/regio/nachten/
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import CAST_NAMES
from mantelzorg.core.models import LogEntry

from ..models import Allowance
from .overview_world import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

PAGE = "/logeerzorg/regio/nachten/"
UTRECHT, AMSTERDAM = "GM0344", "GM0363"


def years():
    this = timezone.localdate().year
    return this, this + 1


def data(code, this="", next_=""):
    year, following = years()
    return {f"{code}-nachten_{year}": this, f"{code}-nachten_{following}": next_}


def body(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>")[0]


def test_the_urls():
    assert reverse("respite:allowances") == PAGE
    assert reverse("respite:allowance_set", args=[UTRECHT]) == f"{PAGE}{UTRECHT}/"


def test_staff_see_their_own_gemeente_for_this_year_and_next(world, login_as):
    year, following = years()
    Allowance.objects.create(municipality_id=UTRECHT, year=year, nights=18)
    Allowance.objects.create(municipality_id=AMSTERDAM, year=year, nights=7)
    response = login_as(world.staff).get(PAGE)
    assert response.status_code == 200
    main = body(response)
    assert "Utrecht" in main and "Amsterdam" not in main
    assert f'name="{UTRECHT}-nachten_{year}"' in main and f'name="{UTRECHT}-nachten_{following}"' in main
    assert 'value="18"' in main and 'value="7"' not in main
    assert "Inwoners zien bijvoorbeeld: nog 11 van 18 nachten over" in main
    assert f'action="{PAGE}{UTRECHT}/"' in main


def test_the_regional_overview_links_the_page_for_staff_only(world, login_as):
    assert f'href="{PAGE}"' in body(login_as(world.staff).get(reverse("respite:region")))
    assert f'href="{PAGE}"' not in body(login_as(world.coordinator).get(reverse("respite:region")))


def test_staff_set_change_and_remove_the_nights_audited(world, login_as):
    year, following = years()
    client = login_as(world.staff)
    url = f"{PAGE}{UTRECHT}/"
    response = client.post(url, data(UTRECHT, "18", "20"))
    assert response.status_code == 302 and response["Location"] == PAGE
    assert Allowance.objects.get(municipality_id=UTRECHT, year=year).nights == 18
    assert Allowance.objects.get(municipality_id=UTRECHT, year=following).nights == 20
    client.post(url, data(UTRECHT, "0", ""))
    assert Allowance.objects.get(municipality_id=UTRECHT, year=year).nights == 0
    assert not Allowance.objects.filter(municipality_id=UTRECHT, year=following).exists()
    rows = LogEntry.objects.filter(action="respite.allowance.set", outcome="success").order_by("id")
    assert [r.object_id for r in rows] == [f"{UTRECHT}:{year},{following}"] * 2  # one row a request
    assert all(r.actor_id == str(world.staff.pk) and r.object_type == "respite.allowance" for r in rows)
    page = client.get(PAGE)
    assert "Opgeslagen" in page.content.decode()


def test_an_unchanged_year_is_not_written_again(world, login_as):
    year, _following = years()
    Allowance.objects.create(municipality_id=UTRECHT, year=year, nights=18)
    login_as(world.staff).post(f"{PAGE}{UTRECHT}/", data(UTRECHT, "18", ""))
    assert not LogEntry.objects.filter(action="respite.allowance.set").exists()


@pytest.mark.parametrize("value", ["366", "-1", "veel", "2.5"])
def test_nights_are_a_whole_number_from_0_to_365(world, login_as, value):
    response = login_as(world.staff).post(f"{PAGE}{UTRECHT}/", data(UTRECHT, value, "5"))
    assert response.status_code == 400
    assert "Vul een heel getal in van 0 tot en met 365" in body(response)
    assert not Allowance.objects.exists()
    assert not LogEntry.objects.filter(action="respite.allowance.set").exists()


def test_staff_of_one_gemeente_cannot_set_another_gemeentes_nights(world, login_as):
    client = login_as(world.staff)  # Utrecht
    response = client.post(f"{PAGE}{AMSTERDAM}/", data(AMSTERDAM, "3", "3"))
    assert response.status_code == 404
    assert not Allowance.objects.exists()
    denied = LogEntry.objects.get(action="respite.allowance.set")
    assert denied.outcome == "denied" and denied.object_id == f"{AMSTERDAM}"
    assert client.post(f"{PAGE}GM9999/", data("GM9999", "3")).status_code == 404


OUTSIDERS = ["coordinator", "other_coordinator", "provider"] + [
    who for who in CAST_NAMES if who not in ("anonymous", "staff", "other_staff")
]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_else_gets_404_audited(world, login_as, who):
    person = getattr(world, who) if hasattr(world, who) else getattr(world.cast, who)
    client = login_as(person)
    assert client.get(PAGE).status_code == 404
    assert client.post(f"{PAGE}{UTRECHT}/", data(UTRECHT, "3")).status_code == 404
    assert not Allowance.objects.exists()
    rows = LogEntry.objects.filter(actor_id=str(person.pk), outcome="denied")
    assert {r.action for r in rows} == {"respite.allowance.read", "respite.allowance.set"}


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    for response in (client.get(PAGE), client.post(f"{PAGE}{UTRECHT}/", data(UTRECHT, "3"))):
        assert response.status_code == 302 and "/account/inloggen/" in response["Location"]
    assert not Allowance.objects.exists()


def test_the_page_only_reads_and_writes_with_get_and_post(world, login_as):
    client = login_as(world.staff)
    assert client.post(PAGE).status_code == 405
    assert client.get(f"{PAGE}{UTRECHT}/").status_code == 405
