import pytest

from mantelzorg.core.geo import resolve_postcode
from mantelzorg.core.models import Municipality
from mantelzorg.directory import text
from mantelzorg.directory.models import Organization
from mantelzorg.directory.selectors import national_services, service_search, support_centres_for

from .factories import make_org, make_service

pytestmark = pytest.mark.django_db


def names(result):
    return [hit.service.name for hit in result.items]


def test_distance_order_and_radius():
    make_service("Ver weg", postcode="1101")  # Amsterdam Zuidoost
    make_service("Dichtbij", postcode="1012")
    make_service("Utrecht", postcode="3511")
    result = service_search(place=resolve_postcode("1012 AB"), radius_km=25)
    assert names(result) == ["Dichtbij", "Ver weg"]
    assert result.items[0].distance_km < result.items[1].distance_km
    assert all(hit.distance_km <= 25 for hit in result.items)
    assert names(service_search(place=resolve_postcode("1012"), radius_km=5)) == ["Dichtbij"]


def test_each_filter():
    make_service(
        "Logeren",
        respite=("respite_stay",),
        domains=("respite",),
        ladder=("ladder_3",),
        targets=("dementia",),
        cost_kind="own_contribution",
    )
    make_service("Info", domains=("information",), ladder=("ladder_1",))
    place = resolve_postcode("1012")
    assert names(service_search(place=place, radius_km=10, support_domains=["respite"])) == ["Logeren"]
    assert names(service_search(place=place, radius_km=10, ladder_steps=["ladder_1"])) == ["Info"]
    assert names(service_search(place=place, radius_km=10, respite_forms=["respite_stay"])) == ["Logeren"]
    assert names(service_search(place=place, radius_km=10, target_groups=["dementia"])) == ["Logeren"]
    assert names(service_search(place=place, radius_km=10, free_only=True)) == ["Info"]
    # OR within one filter, AND between filters
    assert (
        len(service_search(place=place, radius_km=10, support_domains=["respite", "information"]).items) == 2
    )
    assert (
        service_search(
            place=place, radius_km=10, support_domains=["information"], target_groups=["dementia"]
        ).total
        == 0
    )


def test_dutch_stemming_and_compounds():
    make_service("Praatgroep", description="Voor de mantelzorger van iemand met dementie")
    make_service("Respijt", description="Respijtzorg in het logeerhuis")
    place = resolve_postcode("1012")
    assert names(service_search(place=place, radius_km=10, text="mantelzorgers")) == ["Praatgroep"]
    assert names(service_search(place=place, radius_km=10, text="Respijt")) == [
        "Respijt"
    ]  # start of a compound
    assert service_search(place=place, radius_km=10, text="zorg").total == 0  # not inside a compound
    assert text.stems("Mantelzorgers") == text.stems("mantelzorger")


def test_whole_gemeente_and_area_services():
    make_service("In Amsterdam", postcode="1101")
    make_service("Telefoon Amsterdam", postcode=None, areas=("GM0363",))
    make_service("Buurgemeente", postcode="1181")  # Amstelveen
    amsterdam = Municipality.objects.get(code="GM0363")
    result = service_search(municipality=amsterdam)
    assert set(names(result)) == {"In Amsterdam", "Telefoon Amsterdam"}
    place_result = service_search(place=resolve_postcode("1012"), radius_km=5)
    assert "Telefoon Amsterdam" in names(place_result)
    assert next(h for h in place_result.items if h.service.name == "Telefoon Amsterdam").distance_km is None


def test_drafts_and_national_are_not_local_hits():
    make_service("Concept", publication="draft")
    make_service("Landelijk", postcode=None, national=True, domains=("emotional_support",))
    result = service_search(place=resolve_postcode("1012"), radius_km=25)
    assert result.total == 0
    assert [s.name for s in national_services(support_domains=["emotional_support"])] == ["Landelijk"]
    assert national_services(support_domains=["respite"]) == []


def test_pagination():
    for i in range(25):
        make_service(f"Aanbod {i:02d}")
    result = service_search(place=resolve_postcode("1012"), radius_km=10, page=2)
    assert result.total == 25 and result.pages == 2 and result.page == 2 and len(result.items) == 5


def test_support_centres_for():
    amsterdam = Municipality.objects.get(code="GM0363")
    centre = make_org("Voorbeeld Steunpunt", kind=Organization.Kind.SUPPORT_CENTRE, municipalities=["GM0363"])
    make_org("Ander", municipalities=["GM0363"])
    assert support_centres_for(amsterdam) == [centre]


def test_search_page_and_errors(client):
    make_service("Dichtbij")
    response = client.get("/sociale-kaart/", {"postcode": "1012ab", "afstand": "10"})
    assert response.status_code == 200 and b"Dichtbij" in response.content
    bad = client.get("/sociale-kaart/", {"postcode": "12AB34"})
    assert bad.status_code == 200
    assert b'id="id_postcode_error"' in bad.content
    unknown = client.get("/sociale-kaart/", {"postcode": "0000"})
    assert unknown.status_code == 200


def test_empty_state_points_to_steunpunt_and_national(client):
    make_org(
        "Voorbeeld Steunpunt Amsterdam", kind=Organization.Kind.SUPPORT_CENTRE, municipalities=["GM0363"]
    )
    make_service("Landelijke lijn", postcode=None, national=True)
    response = client.get("/sociale-kaart/", {"postcode": "1012", "q": "bestaatniet"})
    content = response.content.decode()
    assert "Voorbeeld Steunpunt Amsterdam" in content and "Landelijke lijn" in content


def test_detail_page_and_stale_flag(client):
    import datetime as dt

    fresh = make_service("Vers")
    old = make_service("Oud", verified=dt.date(2020, 1, 1))
    assert client.get(f"/sociale-kaart/aanbod/{fresh.id}/").status_code == 200
    content = client.get(f"/sociale-kaart/aanbod/{old.id}/").content.decode()
    assert "utrecht-alert--warning" in content
    draft = make_service("Concept", publication="draft")
    assert client.get(f"/sociale-kaart/aanbod/{draft.id}/").status_code == 404


def test_support_centre_overview(client, django_assert_max_num_queries):
    make_org(
        "Voorbeeld Steunpunt Amsterdam", kind=Organization.Kind.SUPPORT_CENTRE, municipalities=["GM0363"]
    )
    with django_assert_max_num_queries(4):
        response = client.get("/steunpunten/")
    content = response.content.decode()
    assert content.count("<tr") == 343  # header + 342 gemeenten
    assert "Voorbeeld Steunpunt Amsterdam" in content
    assert content.count("mz-badge--missing") == 341
    assert client.get("/steunpunten/", {"q": "1012"}).content.decode().count("<tr") == 2


@pytest.mark.parametrize("n", [1, 10, 100])
def test_query_count_constant(client, django_assert_max_num_queries, n):
    for i in range(n):
        make_service(f"Aanbod {i}", schedule={"byday": "MO,TU", "opens_at": "09:00", "closes_at": "17:00"})
    with django_assert_max_num_queries(10):  # 9 + the content version of the page cache
        response = client.get(
            "/sociale-kaart/",
            {"postcode": "1012", "afstand": "10", "vraaggebied": "information", "q": "mantelzorgers"},
        )
    assert response.status_code == 200


def test_cached_search_page_shows_an_edit_on_the_next_request(client):
    params = {"postcode": "1012", "afstand": "10", "vraaggebied": "information"}
    make_service("Voorbeeld Eerste aanbod")
    assert "Voorbeeld Eerste aanbod" in client.get("/sociale-kaart/", params).content.decode()
    make_service("Voorbeeld Tweede aanbod")  # reindexes, which raises the content version
    body = client.get("/sociale-kaart/", params).content.decode()
    assert "Voorbeeld Tweede aanbod" in body


def test_hits_carry_card_open_now_cost_and_address():
    """The result card comes from the index (SearchEntry.card), not from the service rows."""
    import datetime as dt
    from decimal import Decimal

    from mantelzorg.directory.models import CostOption, Schedule, ServiceAtLocation
    from mantelzorg.directory.services import reindex_services

    monday_10 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday 10:00 in Amsterdam
    weekdays = {"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00"}
    open_service = make_service("Open", schedule=weekdays, needs_indication=True)
    closed = make_service("Dicht", schedule={"byday": "SA", "opens_at": "09:00", "closes_at": "12:00"})
    make_service("Geen tijden")
    paid = make_service("Betaald", cost_kind="own_contribution")
    CostOption.objects.create(service=paid, amount=Decimal("7.50"), amount_description="per dagdeel")
    # A service-at-location's own schedule wins over the service's (closed on Monday there).
    sal = ServiceAtLocation.objects.get(service=closed)
    Schedule.objects.create(service_at_location=sal, byday="MO", opens_at="08:00", closes_at="11:00")
    reindex_services([paid.id, closed.id])

    result = service_search(place=resolve_postcode("1012"), radius_km=10, now=monday_10)
    hits = {hit.service.name: hit for hit in result.items}
    assert hits["Open"].open_now is True and hits["Open"].service.needs_indication is True
    assert hits["Dicht"].open_now is True  # its location's Monday 08:00–11:00
    assert hits["Geen tijden"].open_now is None
    assert hits["Betaald"].service.cost_kind == "own_contribution"
    assert hits["Betaald"].service.cost_amount == Decimal("7.50")
    assert hits["Betaald"].service.cost_per == "per dagdeel"
    assert hits["Open"].address == "Teststraat 1, Test"
    assert hits["Open"].service.id == open_service.id
    assert hits["Open"].service.organization.name == "Voorbeeld Welzijn"
    evening = monday_10.replace(hour=19)
    later = service_search(place=resolve_postcode("1012"), radius_km=10, now=evening).items
    assert {hit.service.name: hit.open_now for hit in later} == {
        "Open": False,
        "Dicht": False,
        "Geen tijden": None,
        "Betaald": None,
    }


def test_results_page_shows_the_card(client):
    from decimal import Decimal

    from mantelzorg.directory.models import CostOption
    from mantelzorg.directory.services import reindex_services

    paid = make_service("Voorbeeld Betaald", cost_kind="paid", needs_indication=True)
    CostOption.objects.create(service=paid, amount=Decimal("12"), amount_description="per keer")
    reindex_services([paid.id])
    body = client.get("/sociale-kaart/", {"postcode": "1012", "afstand": "10"}).content.decode()
    assert "Voorbeeld Betaald" in body and "Teststraat 1, Test" in body
    assert "€ 12,00 per keer" in body
    assert "Indicatie nodig" in body


@pytest.mark.parametrize("n", [1, 30])
def test_a_search_is_two_queries_in_a_warm_process(client, django_assert_num_queries, monkeypatch, n):
    """Candidates and the page's cards; the postcode table, the content version (1 s) and the
    national options (per content version) are already known to the process."""
    monkeypatch.setattr("mantelzorg.core.cache.CONTENT_VERSION_SECONDS", 60.0)  # no slow-CI flake
    for i in range(n):
        make_service(f"Aanbod {i}", schedule={"byday": "MO,TU", "opens_at": "09:00", "closes_at": "17:00"})
    params = {"postcode": "1012", "afstand": "10", "vraaggebied": "information", "q": "mantelzorgers"}
    client.get("/sociale-kaart/", params)
    with django_assert_num_queries(2):
        response = client.get("/sociale-kaart/", dict(params, q="mantelzorger"))  # not cached yet
    assert response.status_code == 200 and f"{n} aanbod gevonden" in response.content.decode()
