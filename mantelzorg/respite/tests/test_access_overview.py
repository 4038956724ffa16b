"""Who reaches the provider's beds and places and the regional overview. Every route of
``units.patterns`` and ``overview.patterns`` is visited with the ids of the Utrecht house, for
every member of the cast and the world's providers and coordinators: the provider of that house
reaches them all; the provider of another house only its own list and the new-place form (404 on
this house's units); coordinators and gemeente staff reach the overview of their own region only
(404 on every unit page); everyone else signed in gets 404, audited as denied; anonymous visitors
are sent to the login page (nothing is disclosed).

Routes checked (for the route matrix): /logeerzorg/aanbieder/plaatsen/ /logeerzorg/aanbieder/plaatsen/nieuw/
/logeerzorg/regio/
"""

import pytest
from django.urls import URLPattern, reverse

from conftest import CAST_NAMES
from mantelzorg.core.models import LogEntry

from .. import overview, units
from .overview_world import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

WORLD_NAMES = ["provider", "other_provider", "coordinator", "other_coordinator"]
# Routes without a unit: the provider's own list and the form for a new one.
OWN = {"unit_list", "unit_new"}
GET_PAGES = {"unit_list", "unit_new", "unit_edit", "closure_new"}


def user(world, who):
    return getattr(world, who) if who in WORLD_NAMES else getattr(world.cast, who)


def unit_urls(world) -> dict[str, str]:
    values = {"unit_id": world.unit.pk, "closure_id": world.closure.pk}
    urls = {}
    for pattern in units.patterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {name: values[name] for name in pattern.pattern.converters}
        urls[pattern.name] = reverse(f"respite:{pattern.name}", kwargs=kwargs)
    return urls


def assert_refused(client, url):
    statuses = (client.get(url).status_code, client.post(url).status_code)
    assert set(statuses) <= {404, 405} and 404 in statuses, (url, statuses)


OUTSIDERS = [who for who in CAST_NAMES if who != "anonymous"] + ["coordinator", "other_coordinator"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_everyone_but_providers_gets_404_on_the_unit_pages(world, login_as, who):
    client = login_as(user(world, who))
    for name, url in unit_urls(world).items():
        assert_refused(client, url)
    assert LogEntry.objects.filter(actor_id=str(user(world, who).pk), outcome="denied").exists()


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    for url in [*unit_urls(world).values(), reverse("respite:region")]:
        assert client.get(url).status_code == 302, url
        assert client.post(url).status_code in (302, 405), url


def test_the_provider_of_the_house_reaches_every_unit_page(world, login_as):
    client = login_as(world.provider)
    for name, url in unit_urls(world).items():
        status = client.get(url).status_code
        assert status == (200 if name in GET_PAGES else 405), (name, status)


def test_the_provider_of_another_house_reaches_only_its_own(world, login_as):
    client = login_as(world.other_provider)
    for name, url in unit_urls(world).items():
        if name in OWN:
            response = client.get(url)
            assert response.status_code == 200, name
            assert "De Linde" not in response.content.decode()
        else:
            assert_refused(client, url)
    own = client.get(reverse("respite:unit_edit", args=[world.other_unit.pk]))
    assert own.status_code == 200


REGION = {
    "coordinator": ("Utrecht", "Amsterdam"),
    "other_coordinator": ("Amsterdam", "Utrecht"),
    "staff": ("Utrecht", "Amsterdam"),  # world.staff works for GM0344
    "other_staff": ("Amsterdam", "Utrecht"),
}


@pytest.mark.parametrize("who", sorted(REGION))
def test_coordinators_and_gemeente_staff_see_their_own_region(world, login_as, who):
    own, other = REGION[who]
    response = login_as(getattr(world, who)).get(reverse("respite:region"))
    assert response.status_code == 200
    main = response.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert f">{own}</h2>" in main and f">{other}</h2>" not in main


REGION_OUTSIDERS = ["provider", "other_provider"] + [
    who for who in CAST_NAMES if who not in ("anonymous", "staff", "other_staff")
]


@pytest.mark.parametrize("who", REGION_OUTSIDERS)
def test_everyone_else_gets_404_on_the_overview(world, login_as, who):
    client = login_as(user(world, who))
    assert_refused(client, reverse("respite:region"))
    assert LogEntry.objects.filter(
        actor_id=str(user(world, who).pk), action="respite.region.read", outcome="denied"
    ).exists()


def test_a_closure_of_another_unit_is_404(world, login_as):
    from ..models import Closure
    from .factories import days

    other = Closure.objects.create(unit=world.other_unit, first_day=days(3), last_day=days(4))
    client = login_as(world.provider)
    url = reverse("respite:closure_remove", args=[world.unit.pk, other.pk])
    assert client.post(url).status_code == 404
    assert Closure.objects.filter(pk=other.pk).exists()


def test_the_route_lists_are_complete():
    names = {p.name for p in units.patterns} | {p.name for p in overview.patterns}
    assert names == {
        "unit_list",
        "unit_new",
        "unit_edit",
        "unit_deactivate",
        "unit_reactivate",
        "closure_new",
        "closure_remove",
        "region",
        "allowances",
        "allowance_set",
    }
