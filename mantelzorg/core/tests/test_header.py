"""The header shows each person the way to their own work: "Mijn checks" for whoever has saved
checks, "Mijn werk" (beheer, menukaart, drempels, admin) for staff, and costs few queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from mantelzorg.accounts.models import Role
from mantelzorg.assessment.services import email_hash, magic_token
from mantelzorg.assessment.tests.factories import SavedCheckFactory

PAGE = "/toegankelijkheid/"  # a page with nothing of its own to query


def header_links(response) -> dict[str, str]:
    """{link text: href} of the header's links (main menu and "Mijn werk")."""
    html = response.content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    return {
        re.sub(r"<[^>]+>", "", text).strip(): href
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', header)
    }


def work_links(response) -> dict[str, str]:
    html = response.content.decode()
    if '<details class="mz-work">' not in html:
        return {}
    part = html[html.index('<details class="mz-work">') : html.index("</details>")]
    return dict((text, href) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', part))


def test_anonymous_visitor_sees_the_main_menu_and_log_in_only(client, db):
    links = header_links(client.get(PAGE))
    assert {"Balanscheck", "Hulp zoeken", "Inloggen"} <= set(links)
    assert "Mijn checks" not in links
    assert work_links(client.get(PAGE)) == {}


def test_caregiver_with_saved_checks_gets_my_checks(client, cast, login_as):
    SavedCheckFactory(owner=cast.caregiver)
    login_as(cast.caregiver)
    response = client.get(PAGE)
    assert header_links(response)["Mijn checks"] == "/balanscheck/mijn/"
    assert work_links(response) == {}
    assert 'aria-current="page">Mijn checks' in client.get("/balanscheck/mijn/").content.decode()


def test_caregiver_without_saved_checks_gets_no_my_checks(client, cast, login_as):
    SavedCheckFactory(owner=cast.other_caregiver)
    login_as(cast.caregiver)
    assert "Mijn checks" not in header_links(client.get(PAGE))


def test_anonymous_session_that_opened_an_email_link_gets_my_checks(client, db):
    check = SavedCheckFactory(owner_email_hash=email_hash("anna@example.org"))
    assert "Mijn checks" not in header_links(client.get(PAGE))
    client.get(f"/balanscheck/link/{magic_token(check)}/")
    assert header_links(client.get(PAGE))["Mijn checks"] == "/balanscheck/mijn/"


def test_directory_editor_gets_the_beheer_of_the_sociale_kaart(client, cast, login_as):
    login_as(cast.editor)
    assert work_links(client.get(PAGE)) == {"Aanbod beheren": "/sociale-kaart/beheer/"}


def test_municipal_staff_get_beheer_and_their_gemeentes_menukaart_and_drempels(client, cast, login_as):
    login_as(cast.staff)
    assert work_links(client.get(PAGE)) == {
        "Aanbod beheren": "/sociale-kaart/beheer/",
        "Menukaart Amsterdam": "/gemeenten/GM0363/respijtzorg/bewerken/",
        "Drempels Amsterdam": "/balanscheck/gemeente/GM0363/drempels/",
        "Logeerplaatsen in de regio": "/logeerzorg/regio/",
    }


def test_staff_of_two_gemeenten_get_the_links_of_each(client, db, login_as):
    staff = make_user("two@example.org", Role.MUNICIPAL_STAFF, municipalities=["GM0363", "GM0344"])
    login_as(staff)
    links = work_links(client.get(PAGE))
    assert links["Menukaart Utrecht"] == "/gemeenten/GM0344/respijtzorg/bewerken/"
    assert links["Drempels Utrecht"] == "/balanscheck/gemeente/GM0344/drempels/"
    assert links["Menukaart Amsterdam"] == "/gemeenten/GM0363/respijtzorg/bewerken/"


def test_coordinators_get_the_regional_respite_overview(client, db, login_as):
    login_as(make_user("coord@example.org", Role.COORDINATOR))
    assert work_links(client.get(PAGE)) == {"Logeerplaatsen in de regio": "/logeerzorg/regio/"}


def test_professionals_of_a_care_provider_get_its_beds_and_places(client, cast, login_as):
    from mantelzorg.respite.tests.factories import make_house

    service, _ = make_house("Voorbeeld Logeerhuis", units=0)
    cast.professional.organisations.add(service.organization.account_organisation)
    login_as(cast.professional)
    assert work_links(client.get(PAGE)) == {"Bedden en plaatsen": "/logeerzorg/aanbieder/plaatsen/"}
    login_as(cast.professional_without_consent)  # a professional of no provider: no work menu
    assert work_links(client.get(PAGE)) == {}


def test_admin_gets_the_django_admin_and_the_beheer(client, cast, login_as):
    login_as(cast.admin)
    assert work_links(client.get(PAGE)) == {
        "Aanbod beheren": "/sociale-kaart/beheer/",
        "Platformbeheer": "/beheer/",
    }


@pytest.mark.parametrize("who", ["professional", "network_member", "caregiver"])
def test_roles_without_staff_work_get_no_work_menu(client, cast, login_as, who):
    login_as(getattr(cast, who))
    assert work_links(client.get(PAGE)) == {}


@pytest.mark.parametrize("who", ["editor", "staff", "admin"])
def test_every_work_link_opens_for_its_user(client, cast, login_as, who):
    from mantelzorg.directory.tests.factories import make_org, make_service

    org = make_org(municipalities=["GM0363"], account_organisation=cast.organisation)
    make_service("Voorbeeld Logeerhuis", org=org, domains=("respite",), postcode="1012")
    login_as(getattr(cast, who))
    for label, href in work_links(client.get(PAGE)).items():
        assert client.get(href).status_code == 200, (label, href)


def test_work_menu_is_english_in_the_english_ui(client, cast, login_as):
    login_as(cast.staff)
    client.get("/taal/en/")
    assert work_links(client.get(PAGE)) == {
        "Manage offers": "/sociale-kaart/beheer/",
        "Respite menu Amsterdam": "/gemeenten/GM0363/respijtzorg/bewerken/",
        "Thresholds Amsterdam": "/balanscheck/gemeente/GM0363/drempels/",
        "Respite places in the region": "/logeerzorg/regio/",
    }


def queries(client, url=PAGE):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_anonymous_page_without_a_session_runs_no_query(client, db):
    assert queries(client) == []


@pytest.mark.parametrize("saved", [0, 1, 10])
def test_header_costs_one_exists_query_whatever_the_number_of_checks(client, cast, login_as, saved):
    SavedCheckFactory.create_batch(saved, owner=cast.caregiver)
    login_as(cast.caregiver)
    sql = queries(client)
    checks = [q for q in sql if "assessment_savedcheck" in q]
    assert len(checks) == 1 and "LIMIT 1" in checks[0]
    assert len(sql) <= 3  # session, user, the EXISTS


def test_staff_header_costs_one_query_for_the_gemeenten(client, db, login_as):
    staff = make_user(
        "three@example.org", Role.MUNICIPAL_STAFF, municipalities=["GM0363", "GM0344", "GM0518"]
    )
    login_as(staff)
    sql = queries(client)
    assert len([q for q in sql if "core_municipality" in q]) == 1
    assert len([q for q in sql if "assessment_savedcheck" in q]) == 1
