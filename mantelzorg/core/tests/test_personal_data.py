"""Personal data across apps (GDPR art. 15, 17, 20): every model that points at a person is covered,
the export has everything, and after erasure a marker seeded into every personal field is found
nowhere outside the documented allow-list (core/personal_data.py)."""

import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from conftest import PASSWORD, login, make_user
from mantelzorg.accounts import services as accounts_services
from mantelzorg.accounts.models import User
from mantelzorg.assessment.apps import BALANCE_HISTORY, FOLLOW_UP
from mantelzorg.assessment.tests import factories
from mantelzorg.core import personal_data
from mantelzorg.core.models import LogEntry

pytestmark = pytest.mark.django_db

MARKER = "zqxmarker7731"
# Where the marker may stay after erasure, and why (see core/personal_data.py).
ALLOWED = {
    "core_logentry": "audit rows keep the numeric id, never text about the person (checked below: no marker)",
    "network_diaryentry": "what an erased member wrote in a network's diary stays for the others, under "
    "'oud-lid' (former member) without a link to the person (issue 13, network/personal_data.py)",
    "django_session (anonymous)": "a check in progress in a browser that never signed in nor opened an e-mail "
    "link: not linked to the person; it ends with its session (SESSION_COOKIE_AGE, 12 hours)",
}


def test_every_model_that_points_at_a_person_is_covered():
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    pointing = {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.concrete and getattr(field, "related_model", None) is user_model and field.is_relation
    }
    covered = personal_data.covered_models() | set(personal_data.NOT_PERSONAL)
    assert pointing, "no model points at a user?"
    assert pointing <= covered, (
        f"models with a user key in no personal-data provider: {sorted(pointing - covered)}"
    )
    assert {p.app for p in personal_data.providers()} >= {"accounts", "assessment", "directory"}
    assert personal_data.providers()[-1].app == "accounts"  # the account itself goes last


def seed(cast):
    """A caregiver with the marker in every personal field the platform holds, through its own pages."""
    person = make_user(f"{MARKER}@example.org", "caregiver")
    User.objects.filter(pk=person.pk).update(name=f"Ans {MARKER}")
    person.refresh_from_db()
    client = login(Client(), person)
    answers = factories.overloaded(
        **{"task.other.does": True, "task.other.description": f"wandelen met {MARKER}", "task.other.hours": 2}
    )
    answers.update({"task.other.energy": "gives", "task.other.transferable": "no"})
    factories.walk(client, answers, postcode="1012 AB")  # the answers sit in the session now
    assert client.post("/balanscheck/bewaren/", {"action": "account"}).status_code == 302
    anonymous = Client()
    factories.walk(anonymous, answers)
    anonymous.post(
        "/balanscheck/bewaren/", {"action": "email", "email": person.email}
    )  # an e-mail saved check
    client.post("/balanscheck/mijn/herinnering/", {"interval_months": "3"})
    accounts_services.consent_grant(
        request=None, grantor=person, grantee=cast.professional, scope=BALANCE_HISTORY, purpose=FOLLOW_UP
    )
    Client().post("/account/inloggen/", {"email": person.email, "password": "wrong password 123"})  # axes row
    admin = login(Client(), cast.admin)
    admin.post(
        f"/beheer/accounts/user/{person.pk}/change/",
        {"email": person.email, "name": f"Ans {MARKER} (bijgewerkt)", "role": "caregiver", "is_active": "on"},
    )  # the admin's history names the account
    # The care network: a member of someone else's network (phone, diary, a claimed task, a feed),
    # invited there by e-mail, and the coordinator of a network of their own.
    from mantelzorg.network.tests import factories as network_factories

    shared = network_factories.network(cast.caregiver)
    network_factories.invitation(
        shared, email=person.email, token=f"{MARKER}-invitation", name=f"Ans {MARKER}"
    )
    membership = network_factories.member(shared, person, phone=f"06{MARKER}", feed_token=f"{MARKER}-feed")
    network_factories.diary(shared, membership, text=f"Gewandeld met {MARKER}")
    network_factories.task(shared, claimed_by=membership, status="claimed", claimed_at=shared.created_at)
    assert (
        client.post("/netwerk/nieuw/", {"recipient_name": f"Vader {MARKER}", "relation": "child"}).status_code
        == 302
    )
    # Respite (issue 15): a guest, a confirmed stay and an open request, a place on the waiting list.
    from mantelzorg.respite import availability
    from mantelzorg.respite import services as respite_services
    from mantelzorg.respite.tests.factories import days, make_house, request_for

    house, _ = make_house(units=2)
    guest = respite_services.guest_save(owner=person, postcode="3511", name=f"Mien {MARKER}")
    asked = dict(
        service=house, guest=guest, funding="wmo", needs=f"Houdt van {MARKER}", contact_phone="0612345678"
    )
    booked = respite_services.stay_request(
        request=request_for(person), arrival=days(3), departure=days(5), **asked
    )
    respite_services.stay_confirm(request=request_for(cast.professional), stay=booked)
    respite_services.stay_request(request=request_for(person), arrival=days(9), departure=days(10), **asked)
    search = availability.Search(
        place=respite_services.geo.resolve_postcode("3511"), arrival=days(20), departure=days(22)
    )
    respite_services.waiting_join(
        request=request_for(person), search=search, guest=guest, kind="logeerzorg_wmo"
    )
    return person, client


def tables_with_marker() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                quoted_table, quoted_column = (
                    connection.ops.quote_name(table),
                    connection.ops.quote_name(column),
                )
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quoted_table} WHERE CAST({quoted_column} AS TEXT) LIKE %s",  # noqa: S608
                    [f"%{MARKER}%"],
                )
                if cursor.fetchone()[0]:
                    found.setdefault(table, []).append(column)
    # Sessions are signed and compressed: look inside them.
    for session in Session.objects.all():
        data = session.get_decoded()
        if MARKER in json.dumps(data, default=str):
            linked = "_auth_user_id" in data or data.get("assessment_email_owners")
            name = "django_session (linked to a person)" if linked else "django_session (anonymous)"
            found.setdefault(name, []).append(session.session_key[:6])
    return found


def cache_with_marker() -> bool:
    from django.core.cache import cache

    store = getattr(cache, "_cache", {})
    return any(MARKER.encode() in (value if isinstance(value, bytes) else b"") for value in store.values())


def test_the_export_has_every_app_and_nothing_of_anyone_else(cast, login_as):
    person, client = seed(cast)
    response = client.get("/account/mijn-gegevens/download/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"].startswith(
        "no-store"
    )
    data = json.loads(response.content)
    assert data["apps"]["accounts"]["account"]["email"] == person.email
    checks = data["apps"]["assessment"]["saved_checks"]
    assert {c["saved"] for c in checks} == {"account", "e-mail link"}
    assert any(MARKER in json.dumps(c["answers"]) for c in checks)
    assert data["apps"]["assessment"]["reminder"] == {"every_months": 3}
    assert data["apps"]["accounts"]["consents_given"][0]["purpose"] == FOLLOW_UP
    assert any(row["action"] == "assessment.check.saved" for row in data["apps"]["accounts"]["audit_trail"])
    assert cast.caregiver.email not in response.content.decode()
    respite = data["apps"]["respite"]
    assert [g["name"] for g in respite["respite_guests"]] == [f"Mien {MARKER}"]
    assert sorted(s["state"] for s in respite["respite_stays"]) == ["confirmed", "held"]
    assert len(respite["respite_waiting_list"]) == 1
    assert LogEntry.objects.filter(action="core.personal_data.exported", subject_id=str(person.pk)).exists()


def test_after_erasure_the_marker_is_found_nowhere_outside_the_allow_list(cast):
    person, client = seed(cast)
    assert tables_with_marker(), "the seed put the marker nowhere: the test would prove nothing"
    other_session = login(Client(), person)  # a second device, still logged in
    assert client.post("/account/mijn-gegevens/verwijderen/", {"password": "not it"}).status_code == 200
    assert User.objects.filter(pk=person.pk).exists()  # a wrong password erases nothing
    response = client.post("/account/mijn-gegevens/verwijderen/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    found = tables_with_marker()
    assert set(found) <= set(ALLOWED) and "core_logentry" not in found, found
    assert not cache_with_marker()
    from mantelzorg.respite.models import Stay

    # The provider keeps the unit and the dates, not the person; the open request is cancelled.
    assert sorted(Stay.objects.values_list("state", "requested_by", "guest", "needs", "contact_phone")) == [
        ("cancelled", None, None, "", ""),
        ("confirmed", None, None, "", ""),
    ]
    from mantelzorg.assessment.services import email_hash

    address = email_hash(person.email)
    assert not any(
        address in s.get_decoded().get("assessment_email_owners", ()) for s in Session.objects.all()
    )
    assert other_session.get("/balanscheck/mijn/").status_code == 302  # logged out everywhere
    row = LogEntry.objects.get(action="core.personal_data.erased")
    assert (
        row.subject_id == str(person.pk)
        and row.actor_id == str(person.pk)
        and MARKER not in str(row.__dict__)
    )
    assert (
        Client().post("/account/inloggen/", {"email": person.email, "password": PASSWORD}).status_code == 200
    )


def test_erasure_needs_a_login_and_erases_only_oneself(cast, client):
    assert client.get("/account/mijn-gegevens/verwijderen/").status_code == 302
    assert client.get("/account/mijn-gegevens/download/").status_code == 302
    login(client, cast.other_caregiver)
    client.post("/account/mijn-gegevens/verwijderen/", {"password": PASSWORD})
    assert User.objects.filter(pk=cast.caregiver.pk).exists()
    assert not User.objects.filter(pk=cast.other_caregiver.pk).exists()


def test_the_erased_staff_member_leaves_the_menukaart_without_a_name(cast):
    from mantelzorg.directory.models import RespiteMenu

    menu = RespiteMenu.objects.create(municipality_id="GM0363", intro="Welkom", updated_by=cast.staff)
    personal_data.erase(cast.staff)
    menu.refresh_from_db()
    assert menu.updated_by is None and menu.intro == "Welkom"


def test_the_my_data_page_links_export_consents_and_erasure(cast, login_as):
    html = login_as(cast.caregiver).get("/account/mijn-gegevens/").content.decode()
    for path in (
        "/account/mijn-gegevens/download/",
        "/account/toestemmingen/",
        "/account/mijn-gegevens/verwijderen/",
    ):
        assert path in html
    assert re.search(r"Mijn gegevens</a>", login_as(cast.caregiver).get("/").content.decode())
