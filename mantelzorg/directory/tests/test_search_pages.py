"""The search page as a caregiver uses it (issue 9, points 10–12): what was searched is what
the form shows, text without a place searches the whole country, words being typed and
everyday words find offers, everyday gemeente names resolve, and the way back from an offer
keeps the search (or the Balanscheck result)."""

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from mantelzorg.core.geo import resolve_postcode
from mantelzorg.core.models import Municipality
from mantelzorg.directory import text
from mantelzorg.directory.selectors import municipality_lookup, service_search
from mantelzorg.directory.views import back_link, local_path

from .factories import make_service

pytestmark = pytest.mark.django_db

NATIONAL_NOTE = "Je zoekt nu in heel Nederland. Vul je postcode in voor hulp dichtbij."


def names(result):
    return [hit.service.name for hit in result.items]


def selected_distance(content: str) -> str:
    select = re.search(r'<select name="afstand".*?</select>', content, re.S).group(0)
    chosen = re.findall(r'<option value="([^"]+)"[^>]*\sselected', select)
    assert len(chosen) == 1, select
    return chosen[0]


def card_links(content: str) -> list[str]:
    return [
        html.unescape(h)
        for h in re.findall(
            r'<h3 class="nl-heading nl-heading--level-3"><a class="nl-link" href="([^"]+)"', content
        )
    ]


# --- 12: the form shows what was searched --------------------------------------------


def test_postcode_without_distance_searches_and_shows_10_km(client):
    make_service("Voorbeeld Dichtbij", postcode="1019")  # 3.0 km from 1012
    make_service("Voorbeeld Op 7 km", postcode="1183")  # 6.9 km: in 10 km, not in 5 km
    make_service("Voorbeeld Ver weg", postcode="3511")
    content = client.get("/sociale-kaart/", {"postcode": "1012"}).content.decode()
    assert "2 aanbod gevonden" in content and "Voorbeeld Op 7 km" in content
    assert selected_distance(content) == "10"
    # Submitting the form again as it is shown gives the same results (it halved them before).
    again = client.get("/sociale-kaart/", {"postcode": "1012", "afstand": selected_distance(content)})
    assert "2 aanbod gevonden" in again.content.decode()


def test_the_chosen_distance_stays_selected(client):
    content = client.get("/sociale-kaart/", {"postcode": "1012", "afstand": "5"}).content.decode()
    assert selected_distance(content) == "5"
    assert selected_distance(client.get("/sociale-kaart/").content.decode()) == "10"  # empty form


def test_gemeente_without_postcode_shows_the_whole_gemeente(client):
    make_service("Voorbeeld Zuidoost", postcode="1101")
    content = client.get("/sociale-kaart/", {"gemeente": "Amsterdam"}).content.decode()
    assert "Voorbeeld Zuidoost" in content
    assert selected_distance(content) == "gemeente"
    chosen = client.get("/sociale-kaart/", {"gemeente": "Amsterdam", "afstand": "5"}).content.decode()
    assert "Voorbeeld Zuidoost" in chosen and selected_distance(chosen) == "gemeente"


# --- 10: text without a place, prefixes, synonyms, everyday gemeente names -------------


def test_text_without_place_searches_the_whole_country_by_name(client):
    make_service(
        "Voorbeeld B Praatgroep Utrecht", postcode="3511", description="Voor mantelzorgers bij dementie"
    )
    make_service("Voorbeeld A Alzheimer Café Amsterdam", postcode="1012", description="Iedere maand")
    make_service("Voorbeeld C Telefoon Leiden", postcode=None, areas=("GM0546",), description="Dementie")
    make_service("Voorbeeld Klusdienst", postcode="1012", description="Hulp bij klussen")
    response = client.get("/sociale-kaart/", {"q": "dementie"})
    content = response.content.decode()
    assert NATIONAL_NOTE in content
    assert "3 aanbod gevonden" in content
    found = re.findall(r"Voorbeeld [ABC] [^<]+", content)
    assert found == [
        "Voorbeeld A Alzheimer Café Amsterdam",  # synonym: dementie → alzheimer
        "Voorbeeld B Praatgroep Utrecht",
        "Voorbeeld C Telefoon Leiden",
    ]
    assert "Voorbeeld Klusdienst" not in content
    assert "In Utrecht" in content and "Voor gemeente Leiden (geen bezoekadres)" in content


def test_filters_without_place_search_the_whole_country(client):
    make_service("Voorbeeld Logeren Utrecht", postcode="3511", respite=("respite_stay",))
    make_service("Voorbeeld Informatie", postcode="3511")
    content = client.get("/sociale-kaart/", {"respijt": "respite_stay"}).content.decode()
    assert NATIONAL_NOTE in content and "Voorbeeld Logeren Utrecht" in content
    assert "Voorbeeld Informatie" not in content


def test_empty_submitted_form_says_what_to_fill_in(client):
    make_service("Voorbeeld Iets")
    content = client.get("/sociale-kaart/", {"postcode": "", "gemeente": "", "q": ""}).content.decode()
    assert "Vul je postcode of gemeente in" in content
    assert "aanbod gevonden" not in content


def test_national_search_with_nothing_found_points_to_the_steunpunten(client):
    content = client.get("/sociale-kaart/", {"q": "bestaatnietwoord"}).content.decode()
    assert "0 aanbod gevonden" in content and NATIONAL_NOTE in content
    assert 'href="/steunpunten/"' in content


def test_national_search_pages_by_name():
    for i in range(25):
        make_service(f"Voorbeeld Aanbod {i:02d}", postcode=("1012", "3511", "9711")[i % 3])
    first = service_search(text="aanbod", page=1)
    second = service_search(text="aanbod", page=2)
    assert first.total == 25 and first.pages == 2 and len(second.items) == 5
    assert names(first) + names(second) == [f"Voorbeeld Aanbod {i:02d}" for i in range(25)]
    assert service_search(text="aanbod", page=9).page == 2  # past the end: the last page


def test_national_search_lists_a_service_once_with_its_other_places():
    from mantelzorg.directory.services import reindex_services

    service = make_service("Voorbeeld Telefooncirkel", postcode=None, areas=("GM0363", "GM0344", "GM0599"))
    reindex_services([service.id])
    result = service_search(text="telefooncirkel")
    assert result.total == 1 and result.items[0].more_places == 2


@pytest.mark.parametrize("typed", ["demen", "dementi", "Alzheimer", "alzheimers", "geheugenproblemen"])
def test_words_being_typed_and_everyday_words_find_dementia_offers_near_1012(typed):
    make_service("Voorbeeld Ontmoetingscentrum", description="Voor mensen met dementie en hun mantelzorgers")
    make_service("Voorbeeld Klusdienst", description="Hulp bij klussen in huis")
    result = service_search(place=resolve_postcode("1012"), radius_km=10, text=typed)
    assert names(result) == ["Voorbeeld Ontmoetingscentrum"]


def test_a_word_being_typed_matches_in_any_position():
    make_service("Voorbeeld Praatgroep", description="Voor mantelzorgers van iemand met dementie")
    place = resolve_postcode("1012")
    assert service_search(place=place, radius_km=10, text="mantelzorgers demen").total == 1
    assert service_search(place=place, radius_km=10, text="demen mantelzorgers").total == 1
    assert service_search(place=place, radius_km=10, text="mantelzorgers dementieklok").total == 0


def test_stemmed_words_also_match_the_unstemmed_words_of_the_entry():
    """'lotgen' stems to 'lotg' and 'lotgenoten' to 'lotnoot': the index keeps the word itself."""
    make_service("Voorbeeld Lotgenotengroep", description="Lotgenotencontact voor mantelzorgers")
    place = resolve_postcode("1012")
    assert service_search(place=place, radius_km=10, text="lotgen").total == 1
    assert service_search(place=place, radius_km=10, text="lotgenoten mantelzorgers").total == 1


def test_logeren_finds_the_logeerhuis():
    """The example under the search field: the stemmer makes 'loger' and 'loerhuis' of them."""
    make_service("Voorbeeld Logeerhuis De Linde", description="Je naaste logeert een weekend")
    assert service_search(place=resolve_postcode("1012"), radius_km=10, text="logeren").total == 1


def test_zorg_still_does_not_match_inside_compounds():
    make_service("Voorbeeld Respijt", description="Respijtzorg in het logeerhuis")
    assert service_search(place=resolve_postcode("1012"), radius_km=10, text="zorg").total == 0


def test_synonyms_file_is_well_formed_and_every_synonym_is_one_word():
    data = json.loads(text.SYNONYMS_FILE.read_text(encoding="utf-8"))
    assert data["source"] and data["about"]
    for entry in data["synonyms"]:
        assert set(entry) == {"word", "also", "why"} and entry["why"], entry
        assert len(text.words(entry["word"])) == 1, entry
        assert all(len(text.words(word)) == 1 for word in entry["also"]), entry
    assert text.query_terms("alzheimer") == [("alzheimer", "dementie")]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Den Bosch", "GM0796"),
        ("den bosch", "GM0796"),
        ("'s-Hertogenbosch", "GM0796"),
        ("’s Hertogenbosch", "GM0796"),
        ("s-Hertogenbosch", "GM0796"),
        ("Den Haag", "GM0518"),
        ("'s-Gravenhage", "GM0518"),
        ("The Hague", "GM0518"),
        ("Capelle", "GM0502"),
        ("Súdwest Fryslân", "GM1900"),
        ("sudwest-fryslan", "GM1900"),
        ("Hengelo", "GM0164"),
        ("GM0363", "GM0363"),
    ],
)
def test_everyday_gemeente_names_resolve(typed, code):
    assert [m.code for m in municipality_lookup(typed)] == [code]


def test_aliases_point_to_existing_gemeenten():
    from mantelzorg.directory.selectors import ALIASES_FILE

    data = json.loads(ALIASES_FILE.read_text(encoding="utf-8"))
    codes = [a["code"] for a in data["aliases"]]
    assert Municipality.objects.filter(code__in=codes).count() == len(set(codes))


def test_den_bosch_search_page_and_ambiguous_names(client):
    make_service("Voorbeeld Steun Den Bosch", postcode="5211")
    content = client.get("/sociale-kaart/", {"gemeente": "Den Bosch"}).content.decode()
    assert "Voorbeeld Steun Den Bosch" in content and "in 's-Hertogenbosch" in html.unescape(content)
    bergen = html.unescape(client.get("/sociale-kaart/", {"gemeente": "Bergen"}).content.decode())
    assert "Welke gemeente bedoel je?" in bergen and "Bergen (L.)" in bergen and "Bergen (NH.)" in bergen


def test_steunpunten_page_finds_den_bosch(client):
    content = html.unescape(client.get("/steunpunten/", {"q": "Den Bosch"}).content.decode())
    assert "'s-Hertogenbosch" in content and "1 gemeente" in content


@pytest.mark.parametrize("n", [1, 10, 100])
def test_national_text_search_query_count_is_constant(client, django_assert_max_num_queries, n):
    for i in range(n):
        make_service(f"Voorbeeld Aanbod {i}", postcode=("1012", "3511")[i % 2], description="dementie")
    with django_assert_max_num_queries(6):  # search, gemeente names, national options, versions
        response = client.get("/sociale-kaart/", {"q": "alzheimer"})
    assert f"{n} aanbod gevonden" in response.content.decode()


@pytest.mark.parametrize(("n", "queries"), [(1, 1), (30, 2)])
def test_a_national_search_is_two_queries_in_a_warm_process(
    client, django_assert_num_queries, monkeypatch, n, queries
):
    """The page's rows, and the count (not needed when the first page is not full)."""
    monkeypatch.setattr("mantelzorg.core.cache.CONTENT_VERSION_SECONDS", 60.0)
    for i in range(n):
        make_service(f"Voorbeeld Aanbod {i}", postcode=("1012", "3511")[i % 2], description="dementie")
    client.get("/sociale-kaart/", {"q": "dementie"})
    with django_assert_num_queries(queries):
        response = client.get("/sociale-kaart/", {"q": "alzheimer"})  # not cached yet
    assert f"{n} aanbod gevonden" in response.content.decode()


def test_the_national_count_stops_at_the_cap(client, monkeypatch):
    monkeypatch.setattr("mantelzorg.directory.search.NATIONAL_COUNT_CAP", 10)
    for i in range(25):
        make_service(f"Voorbeeld Aanbod {i:02d}", postcode=("1012", "3511")[i % 2])
    result = service_search(text="aanbod", per_page=4)
    assert (result.total, result.more, result.pages) == (10, True, 3)
    assert service_search(text="aanbod", per_page=4, page=7).page == 3  # past the cap: the last page
    content = client.get("/sociale-kaart/", {"q": "aanbod"}).content.decode()
    assert "Meer dan 10 aanbod gevonden" in content


def test_every_service_has_one_first_row_with_its_number_of_places():
    from mantelzorg.directory.models import SearchEntry

    located = make_service("Voorbeeld Op een adres")
    area = make_service("Voorbeeld Aan huis", postcode=None, areas=("GM0363", "GM0344"))
    national = make_service("Voorbeeld Landelijk", postcode=None, national=True)
    rows = {
        s.name: list(SearchEntry.objects.filter(service=s).values_list("first", "places", "kind"))
        for s in (located, area, national)
    }
    assert rows["Voorbeeld Op een adres"] == [(True, 1, SearchEntry.KIND_LOCATED)]
    assert sorted(rows["Voorbeeld Aan huis"]) == [
        (False, 2, SearchEntry.KIND_AREA),
        (True, 2, SearchEntry.KIND_AREA),
    ]
    assert rows["Voorbeeld Landelijk"] == [(False, 0, SearchEntry.KIND_NATIONAL)]  # listed apart


# --- 11: the way back ------------------------------------------------------------------


def test_result_cards_link_back_to_this_search_with_postcode_filters_and_page(client):
    for i in range(25):
        make_service(f"Voorbeeld Aanbod {i:02d}", domains=("respite",), respite=("at_home",))
    params = {
        "postcode": "1012 AB",
        "afstand": "25",
        "vraaggebied": "respite",
        "respijt": "at_home",
        "pagina": "2",
    }
    content = client.get("/sociale-kaart/", params).content.decode()
    links = card_links(content)
    assert len(links) == 5
    back = parse_qs(urlsplit(links[0]).query)["terug"][0]
    assert urlsplit(back).path == "/sociale-kaart/"
    assert {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()} == params
    detail = client.get(links[0]).content.decode()
    back_href = html.unescape(
        re.search(
            r'<p class="nl-paragraph mz-back"><a class="nl-link" href="([^"]+)">([^<]+)<', detail
        ).group(1)
    )
    assert back_href == back
    assert "Terug naar zoeken" in detail


def test_the_terug_value_is_url_encoded_in_the_card_link(client):
    make_service("Voorbeeld Aanbod")
    content = client.get("/sociale-kaart/", {"postcode": "1012", "q": 'aanbod "&<x>'}).content.decode()
    raw = re.search(
        r'<h3 class="nl-heading nl-heading--level-3"><a class="nl-link" href="([^"]+)"', content
    ).group(1)
    assert "<" not in raw and '"' not in raw and "&amp;" not in raw  # all %-encoded
    assert raw.count("?") == 1


def test_from_the_balanscheck_result_the_way_back_is_the_result(client):
    service = make_service("Voorbeeld Aanbod")
    content = client.get(
        f"/sociale-kaart/aanbod/{service.id}/", {"terug": "/balanscheck/uitslag/"}
    ).content.decode()
    assert '<a class="nl-link" href="/balanscheck/uitslag/">Terug naar je uitslag</a>' in content


@pytest.mark.parametrize(
    "value",
    [
        "//evil.example/",
        "https://evil.example/",
        "http:/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "javascript:alert(1)",
        "evil.example",
        " /sociale-kaart/",
        "/sociale-kaart/\n",
        "",
    ],
)
def test_an_unsafe_way_back_falls_back_to_the_search_page(client, value):
    service = make_service("Voorbeeld Aanbod")
    content = client.get(f"/sociale-kaart/aanbod/{service.id}/", {"terug": value}).content.decode()
    assert '<a class="nl-link" href="/sociale-kaart/">Terug naar zoeken</a>' in content
    assert local_path(value) is None


def test_the_way_back_is_escaped_on_the_offer_page(client):
    service = make_service("Voorbeeld Aanbod")
    value = '/sociale-kaart/?q="><script>alert(1)</script>'
    content = client.get(f"/sociale-kaart/aanbod/{service.id}/", {"terug": value}).content.decode()
    assert "<script>alert(1)" not in content
    assert back_link(value)[0] == value


def test_without_terug_the_offer_page_goes_back_to_the_search_page(client):
    service = make_service("Voorbeeld Aanbod")
    content = client.get(f"/sociale-kaart/aanbod/{service.id}/").content.decode()
    assert '<a class="nl-link" href="/sociale-kaart/">Terug naar zoeken</a>' in content


def test_cached_search_pages_each_link_back_to_themselves(client):
    make_service("Voorbeeld Aanbod")
    for postcode in ("1012", "1011"):
        for _ in range(2):  # the second answer comes from the public page cache
            content = client.get("/sociale-kaart/", {"postcode": postcode}).content.decode()
            back = parse_qs(urlsplit(card_links(content)[0]).query)["terug"][0]
            assert back == f"/sociale-kaart/?postcode={postcode}"


@pytest.mark.django_db
def test_a_form_error_is_not_lost_when_htmx_swaps_only_the_results(client):
    """With JavaScript the form asks for #results only; an error beside a field would be dropped."""
    for _ in range(2):  # the second time too: such a response is never served from the cache
        response = client.get("/sociale-kaart/", {"gemeente": "Nergensdorp"}, HTTP_HX_REQUEST="true")
        assert response["HX-Retarget"] == response["HX-Reselect"] == ".mz-directory"
        assert response["HX-Reswap"] == "outerHTML"
        assert "kennen we niet" in response.content.decode()
    ok = client.get("/sociale-kaart/", {"postcode": "1012"}, HTTP_HX_REQUEST="true")
    assert "HX-Retarget" not in ok
