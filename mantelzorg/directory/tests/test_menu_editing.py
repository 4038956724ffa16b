"""Menukaart and its editing (issue 9, points 15 and 16): each offer once (under its main form,
its other forms and locations inside the card), in English without Dutch, an editor whose every
position field says which offer it is, and a searchable beheer list."""

import html
import io
import re

import pytest

from mantelzorg.directory import taxonomy
from mantelzorg.directory.models import Address, Location, Organization, ServiceAtLocation
from mantelzorg.directory.services import reindex_services

from .factories import make_org, make_service

pytestmark = pytest.mark.django_db

MENU = "/gemeenten/GM0363/respijtzorg/"
EDIT = "/gemeenten/GM0363/respijtzorg/bewerken/"


def add_location(service, street, postcode, city, code="GM0363"):
    from mantelzorg.core.geo import resolve_postcode

    place = resolve_postcode(postcode)
    location = Location.objects.create(
        organization=service.organization,
        name=f"Locatie {street}",
        latitude=place.lat,
        longitude=place.lon,
        municipality_id=code,
    )
    Address.objects.create(location=location, address_1=street, postal_code=postcode, city=city)
    ServiceAtLocation.objects.create(service=service, location=location)
    reindex_services([service.id])


def cards(content: str) -> list[str]:
    return re.findall(r'<li class="mz-card" id="aanbod-[^"]+">.*?</ul>\s*</li>', content, re.S)


def test_an_offer_with_two_forms_and_two_locations_is_one_card(client):
    both = make_service(
        "Voorbeeld Logeerhuis De Linde", respite=("at_home", "respite_stay"), domains=("respite",)
    )
    add_location(both, "Kerkstraat 5", "1017 GC", "Amsterdam")
    make_service("Voorbeeld Logeerboerderij", respite=("respite_stay",))
    content = client.get(MENU).content.decode()
    found = cards(content)
    assert len(found) == 2
    linde = next(c for c in found if "De Linde" in c)
    assert "Ook: Logeeropvang" in linde
    assert "2 locaties:" in linde and "Teststraat 1" in linde and "Kerkstraat 5, 1017 GC Amsterdam" in linde
    # Under its main form (thuis, the first in the taxonomy's order), named under the other.
    assert content.index('id="form-at_home"') < content.index(linde) < content.index('id="form-day_care"')
    stay = content[content.index('id="form-respite_stay"') : content.index('id="form-holiday"')]
    assert f'href="#aanbod-{both.id}"' in stay and "Voorbeeld Logeerboerderij" in stay
    assert content.count(f'id="aanbod-{both.id}"') == 1


def test_the_card_links_to_the_offer_with_the_way_back_to_the_menu(client):
    offer = make_service("Voorbeeld Dagopvang", respite=("day_care",))
    content = client.get(MENU).content.decode()
    assert f'href="/sociale-kaart/aanbod/{offer.id}/?terug=/gemeenten/GM0363/respijtzorg/"' in content
    detail = client.get(f"/sociale-kaart/aanbod/{offer.id}/", {"terug": MENU}).content.decode()
    assert f'<a class="nl-link" href="{MENU}">Terug naar de menukaart</a>' in detail


def test_the_pdf_has_each_offer_once(client):
    from pypdf import PdfReader

    both = make_service("Voorbeeld Thuis en logeren", respite=("at_home", "respite_stay"))
    add_location(both, "Kerkstraat 5", "1017 GC", "Amsterdam")
    make_service("Voorbeeld Dagopvang", respite=("day_care",))
    response = client.get("/gemeenten/GM0363/respijtzorg.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert text.count("Kosten:") == 2  # one card each
    assert text.count("Voorbeeld Thuis en logeren") == 2  # its card, and its name under Logeeropvang
    assert "2 locaties" in text and "Kerkstraat 5" in text


def test_the_english_menu_has_no_dutch_taxonomy_texts(client):
    make_service("Voorbeeld Logeerhuis", respite=("respite_stay",))
    client.get("/taal/en/")
    content = html.unescape(client.get(MENU).content.decode())
    assert '<html lang="en"' in content
    for code, name_nl, name_en, description_nl in taxonomy.TERMS[taxonomy.RESPITE_FORMS]:
        assert name_en in content and taxonomy.DESCRIPTIONS_EN[f"respite_forms:{code}"] in content
        assert description_nl not in content and f">{name_nl}<" not in content
    assert "Kosten" not in content and "Geen indicatie nodig" not in content


def test_every_taxonomy_text_has_english():
    for tax, terms in taxonomy.TERMS.items():
        assert taxonomy.DESCRIPTIONS_EN[tax]
        for code, _nl, name_en, _description in terms:
            assert name_en and taxonomy.DESCRIPTIONS_EN[f"{tax}:{code}"]


def test_english_offer_page_names_the_taxonomies_in_english(client):
    offer = make_service("Voorbeeld Logeerhuis", respite=("respite_stay",), domains=("respite",))
    client.get("/taal/en/")
    content = client.get(f"/sociale-kaart/aanbod/{offer.id}/").content.decode()
    assert "Forms of respite care: Respite stay" in content
    assert "Vormen van respijtzorg" not in content


@pytest.fixture
def lookalikes():
    """As in the demo data: four offers of one name, two of them of the same organisation."""
    orgs = [make_org(f"Voorbeeld Zorg Amsterdam {i}") for i in range(3)]
    made = [
        make_service("Voorbeeld Logeerhuis Amsterdam", org=orgs[0], respite=("respite_stay",)),
        make_service("Voorbeeld Logeerhuis Amsterdam", org=orgs[1], respite=("respite_stay", "holiday")),
        make_service("Voorbeeld Logeerhuis Amsterdam", org=orgs[2], respite=("respite_stay",)),
        make_service("Voorbeeld Logeerhuis Amsterdam", org=orgs[2], respite=("respite_stay",)),
    ]
    add_location(made[3], "Kerkstraat 5", "1017 GC", "Amsterdam")
    return made


def position_fields(content: str) -> list[tuple[str, str]]:
    """(accessible name, field label) of each position field, as aria-labelledby composes it."""
    texts = {
        i: re.sub(r"<[^>]+>", " ", t)
        for i, t in re.findall(r'<(?:div|label)[^>]* id="([^"]+)"[^>]*>(.*?)</(?:div|label)>', content, re.S)
    }
    found = []
    for field_id, labelled_by in re.findall(
        r'<input type="number"[^>]*?id="([^"]+)"[^>]*?aria-labelledby="([^"]+)"', content
    ) or [
        (b, a)
        for a, b in re.findall(
            r'<input type="number"[^>]*?aria-labelledby="([^"]+)"[^>]*?id="([^"]+)"', content
        )
    ]:
        name = " ".join(" ".join(html.unescape(texts[i]).split()) for i in labelled_by.split())
        found.append((field_id, name))
    return found


def test_every_position_field_names_its_offer_uniquely(cast, login_as, lookalikes):
    c = login_as(cast.staff)
    content = c.get(EDIT).content.decode()
    fields = position_fields(content)
    assert len(fields) == 4
    names = [name for _, name in fields]
    assert len(set(names)) == 4, names
    assert all(
        name.startswith("Volgnummer Voorbeeld Logeerhuis Amsterdam Voorbeeld Zorg Amsterdam")
        for name in names
    )
    assert any("(Logeeropvang, Vakantie met zorg)" in name for name in names)
    assert any("Kerkstraat 5" in name or "(2)" in name for name in names)


def test_a_bad_position_gets_a_dutch_error_beside_its_field(cast, login_as, lookalikes):
    c = login_as(cast.staff)
    data = {f"pos_{s.id}": i + 1 for i, s in enumerate(lookalikes)}
    data[f"pos_{lookalikes[0].id}"] = "abc"
    data[f"pos_{lookalikes[1].id}"] = "1000"
    response = c.post(EDIT, {"intro": "", **data})
    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="id_pos_{lookalikes[0].id}_error"' in content and "Vul een heel getal in" in content
    assert "Vul een getal in van 0 tot en met 999." in content
    assert 'class="mz-error-summary"' in content and f'href="#id_pos_{lookalikes[0].id}"' in content


def test_menu_edit_saves_and_keeps_query_count_constant(
    cast, login_as, django_assert_max_num_queries, lookalikes
):
    c = login_as(cast.staff)
    # 17: the header's "Mijn werk" menu reads the staff member's gemeenten (one query)
    with django_assert_max_num_queries(17):
        assert c.get(EDIT).status_code == 200
    for i in range(10):
        make_service(f"Voorbeeld Extra {i}", respite=("at_home",))
    with django_assert_max_num_queries(17):
        assert c.get(EDIT).status_code == 200


@pytest.fixture
def listing(cast):
    own = make_org(
        "Voorbeeld Steunpunt Amsterdam", municipalities=["GM0363"], account_organisation=cast.organisation
    )
    other = make_org(
        "Voorbeeld Buurtzorg West", municipalities=["GM0363"], account_organisation=cast.organisation
    )
    for i in range(55):
        make_service(f"Voorbeeld Praatgroep {i:02d}", org=own)
    make_service("Voorbeeld Klusdienst", org=other)
    return own, other


def test_beheer_list_searches_by_name_and_organisation_and_keeps_paging(cast, login_as, listing):
    c = login_as(cast.editor)
    content = html.unescape(c.get("/sociale-kaart/beheer/", {"q": "klus"}).content.decode())
    assert "Voorbeeld Klusdienst" in content and "Voorbeeld Praatgroep" not in content
    assert "1 aanbod met “klus”" in content
    assert 'value="klus"' in content
    by_org = c.get("/sociale-kaart/beheer/", {"q": "buurtzorg"}).content.decode()
    assert "Voorbeeld Klusdienst" in by_org and "Voorbeeld Praatgroep" not in by_org
    first = html.unescape(c.get("/sociale-kaart/beheer/", {"q": "praatgroep"}).content.decode())
    assert "55 aanbod met “praatgroep”" in first and "Pagina 1 van 2" in first
    assert 'href="?q=praatgroep&pagina=2"' in first
    second = c.get("/sociale-kaart/beheer/", {"q": "praatgroep", "pagina": "2"}).content.decode()
    assert second.count("Voorbeeld Praatgroep") == 5 and "Voorbeeld Klusdienst" not in second
    nothing = c.get("/sociale-kaart/beheer/", {"q": "bestaatniet"}).content.decode()
    assert "Geen aanbod gevonden" in nothing


def test_beheer_search_stays_within_what_the_person_may_edit(cast, login_as, listing):
    elsewhere = make_org("Voorbeeld Klusbedrijf Utrecht", municipalities=["GM0344"])
    make_service("Voorbeeld Klushulp Utrecht", org=elsewhere, postcode="3511")
    content = login_as(cast.editor).get("/sociale-kaart/beheer/", {"q": "klus"}).content.decode()
    assert "Voorbeeld Klushulp Utrecht" not in content
    assert login_as(cast.caregiver).get("/sociale-kaart/beheer/", {"q": "klus"}).status_code == 404


def test_beheer_search_query_count_is_constant(cast, login_as, django_assert_max_num_queries, listing):
    c = login_as(cast.editor)
    with django_assert_max_num_queries(12):
        assert c.get("/sociale-kaart/beheer/", {"q": "praatgroep"}).status_code == 200


def test_support_centre_kind_is_unchanged():
    assert Organization.Kind.SUPPORT_CENTRE == "support_centre"


def test_the_english_search_page_has_english_filters_and_dutch_stays_dutch(client):
    """The filter labels were frozen in Dutch when the form class was made (Django 5 turns an
    iterable of choices into a list at once)."""
    client.get("/taal/en/")
    english = html.unescape(client.get("/sociale-kaart/", {"postcode": "1012"}).content.decode())
    for tax in (
        taxonomy.SUPPORT_DOMAINS,
        taxonomy.CARE_LADDER,
        taxonomy.RESPITE_FORMS,
        taxonomy.TARGET_GROUPS,
    ):
        for _code, name_nl, name_en, _description in taxonomy.TERMS[tax]:
            assert f">{name_en}</label>" in english
            assert f">{name_nl}</label>" not in english
    client.get("/taal/nl/")
    dutch = html.unescape(client.get("/sociale-kaart/", {"postcode": "1012"}).content.decode())
    assert ">Logeeropvang</label>" in dutch and ">Respite stay</label>" not in dutch


def test_the_menu_says_under_which_law_an_indication_is_needed(client):
    make_service("Voorbeeld Thuiszorg", respite=("at_home",), needs_indication=True)
    from mantelzorg.directory.models import Service

    Service.objects.filter(name="Voorbeeld Thuiszorg").update(law="wmo")
    content = html.unescape(client.get(MENU).content.decode())
    assert "Indicatie nodig via Wmo (gemeente)" in content
