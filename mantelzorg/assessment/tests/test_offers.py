"""Local help on the result: offers per advice card and per advised vraaggebied (nearest first for
each), the steunpunt, national options only where the sociale kaart has nothing within the radius,
and at most three next steps, each tied to one concrete offer."""

import pytest

from mantelzorg.assessment import evaluation, local_offers, registry
from mantelzorg.assessment.tests import factories
from mantelzorg.core import geo

pytestmark = pytest.mark.django_db


def outcome_for(answers, postcode=None):
    place = geo.resolve_postcode(postcode) if postcode else None
    return evaluation.evaluate(registry.instrument_get("balanscheck"), answers, place=place)


def phone(service, number):
    from mantelzorg.directory.models import Phone

    Phone.objects.create(service=service, number=number)


def test_respite_near_by_is_found_although_nine_nearer_offers_are_other_help():
    """The reported case: 'no local respite care' while the sociale kaart had seven within 3 km,
    because only the 8 nearest offers of any kind were looked at."""
    for i in range(9):
        factories.service(f"Praatgroep {i}", domains=["emotional_support"], postcode="1012")
    respite = factories.service("Logeerhuis verderop", domains=["respite"], postcode="1018")
    outcome = outcome_for(factories.overloaded(), "1012")
    offers = local_offers.offers_for(outcome.place, outcome.advice)
    assert "respite" in outcome.support_domains
    assert [h.service.id for h in offers.by_domain["respite"].hits] == [respite.id]
    assert "respite" not in offers.missing_domains
    card = offers.by_card["respite_care"].hits[0]
    assert card.service.id == respite.id and card.distance_km is not None


def test_nearest_first_for_each_vraaggebied_at_most_three():
    near = factories.service("Dichtbij respijt", domains=["respite"], postcode="1012")
    far = factories.service("Verder weg respijt", domains=["respite"], postcode="1102")
    for i in range(4):
        factories.service(f"Nog meer respijt {i}", domains=["respite"], postcode="1017")
    factories.service("Geldhulp", domains=["financial_help"], postcode="1012")
    outcome = outcome_for(factories.overloaded(), "1012")
    offers = local_offers.offers_for(outcome.place, outcome.advice)
    respite = [h.service.name for h in offers.by_domain["respite"].hits]
    assert respite[0] == near.name and far.name not in respite and len(respite) == 3
    distances = [h.distance_km for h in offers.by_domain["respite"].hits]
    assert distances == sorted(distances)


def test_the_radius_widens_to_25_km_per_vraaggebied_with_nothing_nearer():
    factories.service("Utrecht respijt", domains=["respite"], postcode="3511")  # about 35 km from 1012
    factories.service("Amstelveen respijt", domains=["respite"], postcode="1181")  # about 9 km
    factories.service("Dam", domains=["emotional_support"], postcode="1012")
    outcome = outcome_for(factories.overloaded(), "1012")
    offers = local_offers.offers_for(outcome.place, outcome.advice)
    assert [h.service.name for h in offers.by_domain["respite"].hits] == ["Amstelveen respijt"]
    assert offers.by_domain["respite"].radius_km == 15
    factories.service("Haarlem", domains=["financial_help"], postcode="2011")  # about 18 km
    offers = local_offers.find_offers(outcome.place, outcome.advice)
    assert offers.by_domain["financial_help"].radius_km == 25
    assert [h.service.name for h in offers.by_domain["financial_help"].hits] == ["Haarlem"]


def test_missing_only_when_nothing_within_the_radius_and_then_national_options(client):
    factories.service("Landelijke lijn", domains=["emotional_support"], national=True)
    factories.service("Lokaal respijt", domains=["respite"], postcode="1012")
    outcome = outcome_for(factories.overloaded(), "1012")
    offers = local_offers.offers_for(outcome.place, outcome.advice)
    assert "respite" not in offers.missing_domains
    assert "emotional_support" in offers.missing_domains
    assert [s.name for s in offers.national["emotional_support"]] == ["Landelijke lijn"]
    factories.walk(client, factories.overloaded(), postcode="1012")
    html = client.get("/balanscheck/uitslag/").content.decode()
    assert "Landelijke lijn" in html and "Lokaal respijt" in html
    assert "Niet op de sociale kaart binnen 25 km" in html
    missing = html.split("Niet op de sociale kaart binnen 25 km", 1)[1].split(".", 1)[0]
    assert "Respijtzorg" not in missing


def test_without_a_postcode_national_options_and_a_postcode_field(client):
    factories.service("Landelijke lijn", domains=["practical_help"], national=True)
    outcome = outcome_for(factories.overloaded())
    offers = local_offers.offers_for(None, outcome.advice)
    assert offers.local == [] and offers.centres == [] and offers.place is None
    assert "Landelijke lijn" in [s.name for s in offers.national_list]
    factories.walk(client, factories.overloaded())
    html = client.get("/balanscheck/uitslag/").content.decode()
    assert 'action="/balanscheck/uitslag/postcode/"' in html


def test_a_postcode_added_on_the_result_page_shows_local_help(client):
    factories.organization("Steunpunt Amsterdam", kind="support_centre", municipalities=["GM0363"])
    factories.walk(client, factories.overloaded())
    response = client.post("/balanscheck/uitslag/postcode/", {"postcode": "99"})
    assert response.status_code == 200 and "aria-invalid" in response.content.decode()
    response = client.post("/balanscheck/uitslag/postcode/", {"postcode": "1012 AB"})
    assert response.status_code == 302
    html = client.get("/balanscheck/uitslag/").content.decode()
    assert "Steunpunt Amsterdam" in html and 'action="/balanscheck/uitslag/postcode/"' not in html


# ------------------------------------------------------------------------------------ next steps


def test_at_most_three_next_steps_each_tied_to_a_different_offer_one_per_vraaggebied():
    centre = factories.organization("Steunpunt Amsterdam", kind="support_centre", municipalities=["GM0363"])
    respite = factories.service("Logeerhuis", domains=["respite"], postcode="1012")
    stay = factories.service("Logeeropvang", domains=["respite"], postcode="1013")
    nursing = factories.service("Wijkverpleging", domains=["practical_help"], postcode="1012")
    outcome = outcome_for(factories.overloaded(), "1012")
    steps = local_offers.next_steps(outcome, local_offers.offers_for(outcome.place, outcome.advice))
    assert len(steps) == 3
    assert steps[0].card.code == "talk_to_consultant" and steps[0].centre == centre
    assert steps[1].card.support_domain == "respite" and steps[1].offer.service.id in (respite.id, stay.id)
    assert steps[2].card.support_domain not in ("guidance", "respite")
    assert steps[2].offer is not None and steps[2].offer.service.id == nursing.id
    ids = [s.offer.service.id for s in steps if s.offer]
    assert len(ids) == len(set(ids))


def test_next_step_offers_carry_a_phone_number_and_an_address(client):
    service = factories.service("Logeerhuis", domains=["respite"], postcode="1012")
    phone(service, "020 123 45 67")
    factories.walk(client, factories.overloaded(), postcode="1012")
    html = client.get("/balanscheck/uitslag/").content.decode()
    assert 'href="tel:+31201234567"' in html and "Bel 020 123 45 67" in html
    assert "Teststraat 1" in html
    assert f"/sociale-kaart/aanbod/{service.id}/?terug=%2Fbalanscheck%2Fuitslag%2F" in html
    assert "/gemeenten/GM0363/respijtzorg/" in html  # respite advice links to the menukaart
    assert "/sociale-kaart/?vraaggebied=" in html  # the others to a filtered search


def test_a_young_carer_step_goes_to_an_offer_for_young_caregivers():
    from mantelzorg.directory import services as directory_services

    young = factories.service("Jonge mantelzorgers Amsterdam", domains=["emotional_support"], postcode="1012")
    directory_services.service_update(
        request=None,
        service=young,
        data={
            **_data(young),
            "target_groups": ["young_caregivers"],
            "support_domains": ["emotional_support"],
        },
        place=geo.resolve_postcode("1012"),
    )
    factories.service("Praatgroep", domains=["emotional_support"], postcode="1012")
    answers = factories.overloaded(**{"about.age_group": "under_18"})
    outcome = outcome_for(answers, "1012")
    steps = local_offers.next_steps(outcome, local_offers.offers_for(outcome.place, outcome.advice))
    assert steps[0].card.code == "young_carer"
    assert steps[0].offer.service.name == "Jonge mantelzorgers Amsterdam"


def _data(service):
    from mantelzorg.directory.forms import ServiceForm

    initial = ServiceForm.initial_for(service)
    return {
        "organization": service.organization,
        "name": service.name,
        "description": service.description,
        "publication": "published",
        "status": "active",
        **initial,
    }


def test_offer_queries_do_not_grow_with_the_number_of_offers(django_assert_max_num_queries):
    factories.organization("Steunpunt Amsterdam", kind="support_centre", municipalities=["GM0363"])
    outcome = outcome_for(factories.overloaded(), "1012")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            offers = local_offers.find_offers(outcome.place, outcome.advice)
            local_offers.next_steps(outcome, offers)
        return len(queries)

    everything = ["information", "guidance", "emotional_support", "education", "practical_help", "respite"]
    everything += ["financial_help", "material_help"]
    factories.service("Alles", domains=everything, postcode="1012")  # nothing missing, nothing widened
    few = count()
    for i in range(30):
        factories.service(f"Aanbod {i}", domains=everything[i % 8 : i % 8 + 2], postcode="1013")
    # centres (2), candidates (1, and 1 more when a filter has nothing within 15 km), the page's
    # index rows, services and their phones by service, location and organisation (5)
    assert count() == few <= 10


def test_without_a_postcode_the_helpline_number_is_there(client):
    factories.walk(client, factories.overloaded())
    html = client.get("/balanscheck/uitslag/").content.decode()
    assert 'href="tel:+31307606055"' in html and "Weet je niet waar je moet beginnen?" in html


def test_nursing_advice_goes_to_an_offer_on_the_zorgladder_step_for_nursing():
    from mantelzorg.directory import taxonomy

    workshop = factories.service("Workshop zorg en werk", domains=["practical_help"], postcode="1012")
    nursing = factories.service(
        "Wijkverpleging Centrum", domains=["practical_help"], postcode="1013", ladder_steps=["ladder_4"]
    )
    assert "ladder_4" in taxonomy.codes(taxonomy.CARE_LADDER)
    outcome = outcome_for(factories.overloaded(), "1012")
    offers = local_offers.offers_for(outcome.place, outcome.advice)
    assert [h.service.id for h in offers.by_card["home_nursing"].hits] == [nursing.id]
    assert workshop.id not in [h.service.id for h in offers.by_card["home_nursing"].hits]


def _reference_nearest(rows, want, limit, radius_km, place):
    """The first version of directory.selectors._nearest (a distance per row per key), kept as
    the reference the one-pass version is compared with."""
    from mantelzorg.core.geo import distance_from

    distance = distance_from(place.lat, place.lon)
    best: dict = {}
    for service_id, entry_id, lat, lon, bits in rows:
        if not want.matches(bits):
            continue
        if lat is None:
            key, shown = -1.0, None
        else:
            key = distance(lat, lon)
            if key > radius_km:
                continue
            shown = round(key, 1)
        current = best.get(service_id)
        if current is None or key < current[0]:
            best[service_id] = (key, shown, entry_id, bits)
    return dict(sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))[:limit])


def test_the_one_pass_nearest_search_gives_what_the_reference_gives():
    """2,000 generated rows (several places per service, services without a place, every
    vraaggebied / target group / form / step combination) and 40 filters, 1 to 60 per key, radii
    from 1 to 25 km (so the edge of the radius matters)."""
    import random

    from mantelzorg.directory import selectors as directory
    from mantelzorg.directory import taxonomy

    rng = random.Random(3)
    place = geo.resolve_postcode("3511")
    all_codes = {tax: taxonomy.codes(tax) for tax in taxonomy.TERMS}
    rows = []
    for i in range(2000):
        service = f"s{rng.randint(0, 600):04d}"
        bits = 0
        for tax, codes in all_codes.items():
            bits |= taxonomy.mask(tax, rng.sample(codes, rng.randint(0, 2)))
        if rng.random() < 0.1:
            rows.append((service, i, None, None, bits))
        else:
            rows.append(
                (service, i, place.lat + rng.uniform(-0.3, 0.3), place.lon + rng.uniform(-0.4, 0.4), bits)
            )
    for _ in range(40):
        want = directory.OfferWanted(
            tuple(rng.sample(all_codes[taxonomy.SUPPORT_DOMAINS], rng.randint(0, 2))),
            tuple(rng.sample(all_codes[taxonomy.TARGET_GROUPS], rng.randint(0, 1))),
            tuple(rng.sample(all_codes[taxonomy.RESPITE_FORMS], rng.randint(0, 1))),
            tuple(rng.sample(all_codes[taxonomy.CARE_LADDER], rng.randint(0, 1))),
        )
        limit, radius = rng.choice([1, 3, 5, 60]), rng.choice([1, 2, 5, 15, 25])
        ranked = directory._by_distance(rows, radius, place)
        assert directory._nearest(ranked, want, limit) == _reference_nearest(rows, want, limit, radius, place)
        everything = directory.OfferWanted()  # no filter: every row within the radius, once per service
        assert directory._nearest(ranked, everything, 10_000) == _reference_nearest(
            rows, everything, 10_000, radius, place
        )
