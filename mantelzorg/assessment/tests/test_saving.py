"""Saving (account, e-mail link), history and trend, deletion, reminders, anonymous contribution."""

import datetime as dt
import re

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.utils import timezone

from mantelzorg.assessment import services
from mantelzorg.assessment.models import AnonymousContribution, ReminderSetting, SavedCheck
from mantelzorg.assessment.tests import factories
from mantelzorg.core.models import LogEntry

pytestmark = pytest.mark.django_db


def test_logged_in_caregiver_saves_check_and_it_is_audited(cast, login_as):
    client = login_as(cast.caregiver)
    factories.walk(client, factories.overloaded(), postcode="1012")
    assert 'name="action" value="account"' in client.get("/balanscheck/bewaren/").content.decode()
    response = client.post("/balanscheck/bewaren/", {"action": "account"})
    check = SavedCheck.objects.get()
    assert response["Location"] == f"/balanscheck/mijn/{check.id}/"
    assert check.owner == cast.caregiver and check.level == "overloaded"
    assert check.municipality_id == "GM0363" and check.pc4 == "1012"
    assert check.scores["overall_burden"] == 9
    assert LogEntry.objects.filter(
        action="assessment.check.saved", object_id=str(check.id), subject_id=str(cast.caregiver.pk)
    ).exists()


def test_anonymous_save_page_offers_login_signup_and_email(client):
    factories.walk(client, factories.balanced())
    html = client.get("/balanscheck/bewaren/").content.decode()
    assert "/account/inloggen/?next=/balanscheck/bewaren/" in html
    assert "/account/aanmelden/?next=/balanscheck/bewaren/" in html
    assert client.post("/balanscheck/bewaren/", {"action": "account"}).status_code == 200
    assert SavedCheck.objects.count() == 0  # not logged in: nothing saved


def test_answers_survive_login_and_can_then_be_saved(client, cast):
    factories.walk(client, factories.balanced())
    response = client.post(
        "/account/inloggen/?next=/balanscheck/bewaren/",
        {"username": cast.caregiver.email, "password": cast.password, "email": cast.caregiver.email},
    )
    assert response.status_code == 302
    client.post("/balanscheck/bewaren/", {"action": "account"})
    assert SavedCheck.objects.filter(owner=cast.caregiver).count() == 1


def _save_by_email(client, email="carer@example.org"):
    factories.walk(client, factories.overloaded())
    response = client.post("/balanscheck/bewaren/", {"action": "email", "email": email})
    assert response.status_code == 200
    link = re.search(r"http://testserver(/balanscheck/link/\S+/)", mail.outbox[-1].body).group(1)
    return SavedCheck.objects.latest("created_at"), link


def test_magic_link_saves_with_email_hash_only_and_opens_the_check(client):
    check, link = _save_by_email(client)
    assert check.owner is None and len(check.owner_email_hash) == 64
    assert "carer@example.org" not in repr(SavedCheck.objects.values().get())
    other = type(client)()
    response = other.get(link)
    assert response.status_code == 302 and response["Location"] == f"/balanscheck/mijn/{check.id}/"
    assert other.get(response["Location"]).status_code == 200
    assert other.get("/balanscheck/mijn/").status_code == 200  # history of this session's checks


def test_an_email_link_opens_every_check_saved_with_that_address():
    """Saving each quarter by e-mail builds a history: the newest link shows the older checks too
    (trend and list), and never the checks of another address."""
    from django.test import Client

    now = timezone.now()
    address = "carer@example.org"
    older = factories.SavedCheckFactory(
        owner_email_hash=services.email_hash(" Carer@Example.org "),  # the same address, typed otherwise
        created_at=now - dt.timedelta(days=90),
        scores={"overall_burden": 5, "care_hours": 10},
        level="attention",
    )
    someone_else = factories.SavedCheckFactory(
        owner_email_hash=services.email_hash("other@example.org"), scores={"overall_burden": 2}
    )
    newest, link = _save_by_email(Client(), address)  # a new session saves a new check
    assert newest.owner_email_hash == older.owner_email_hash

    visitor = Client()
    assert visitor.get(f"/balanscheck/mijn/{older.id}/").status_code == 404  # before the link: nobody
    assert visitor.get(link).status_code == 302
    html = visitor.get("/balanscheck/mijn/").content.decode()
    assert f"/balanscheck/mijn/{older.id}/" in html and f"/balanscheck/mijn/{newest.id}/" in html
    assert f"/balanscheck/mijn/{someone_else.id}/" not in html
    assert "<td>5</td>" in html and "<td>9</td>" in html  # both points of the overall-burden trend
    assert "/account/aanmelden/" in html  # reminders need an account: said, not offered
    assert 'action="/balanscheck/mijn/herinnering/"' not in html
    assert visitor.get(f"/balanscheck/mijn/{older.id}/").status_code == 200
    assert visitor.get(f"/balanscheck/mijn/{someone_else.id}/").status_code == 404
    assert visitor.get(f"/api/v1/checks/{older.id}/fhir").status_code == 200
    assert visitor.get(f"/api/v1/checks/{someone_else.id}/fhir").status_code == 404
    visitor.post(f"/balanscheck/mijn/{older.id}/verwijderen/")
    assert not SavedCheck.objects.filter(id=older.id).exists()  # the owner may delete it
    visitor.post(f"/balanscheck/mijn/{someone_else.id}/verwijderen/")
    assert SavedCheck.objects.filter(id=someone_else.id).exists()


def test_magic_link_expired_or_tampered_is_refused(client, settings):
    check, link = _save_by_email(client)
    stranger = type(client)()
    tampered = link.replace(str(check.id)[:8], "00000000")
    assert stranger.get(tampered).status_code == 404
    assert stranger.get(link[:-3] + "xx/").status_code == 404
    later = timezone.now() + services.MAGIC_MAX_AGE + dt.timedelta(minutes=1)
    signer = signing.TimestampSigner(salt=services.MAGIC_SALT)
    old_token = signer.sign(f"{check.id}.{check.owner_email_hash[:24]}")
    import time

    real_time = time.time
    try:
        time.time = lambda: later.timestamp()
        assert stranger.get(f"/balanscheck/link/{old_token}/").status_code == 404
    finally:
        time.time = real_time
    assert stranger.get(f"/balanscheck/mijn/{check.id}/").status_code == 404


def test_history_shows_trend_chart_and_table(cast, login_as):
    now = timezone.now()
    for months, burden in ((6, 4), (3, 6), (0, 9)):
        factories.SavedCheckFactory(
            owner=cast.caregiver,
            created_at=now - dt.timedelta(days=30 * months),
            scores={"overall_burden": burden, "care_hours": 10},
        )
    html = login_as(cast.caregiver).get("/balanscheck/mijn/").content.decode()
    assert html.count('role="img"') >= 2
    assert '<title id="chart-balanscheck-overall_burden-t">' in html
    assert '<desc id="chart-balanscheck-overall_burden-d">' in html
    assert "<td>4</td>" in html and "<td>9</td>" in html
    assert "<details" not in html  # only the two main scores: nothing to fold away
    assert LogEntry.objects.filter(
        action="assessment.check.viewed", subject_id=str(cast.caregiver.pk)
    ).exists()


def test_history_shows_the_main_scores_and_folds_the_others_away(cast, login_as):
    """How heavy and hours of care come first; the other seven Balanscheck scores (and a second
    instrument's own main scores) each keep their chart and table, inside a <details>."""
    now = timezone.now()
    full = {
        "overall_burden": 6,
        "care_hours": 20,
        "week_hours": 44,
        "task_count": 3,
        "task_hours": 20,
        "tasks_costing_energy": 2,
        "tasks_costing_a_lot": 1,
        "tasks_giving_energy": 1,
        "pressures_a_lot": 2,
        "pressure.work": 2,
    }
    for days in (90, 1):
        factories.SavedCheckFactory(
            owner=cast.caregiver, created_at=now - dt.timedelta(days=days), scores=full
        )
    factories.SavedCheckFactory(
        owner=cast.caregiver,
        instrument_id="carerqol",
        instrument_canonical="https://mantelzorg.nl/fhir/Questionnaire/carerqol|1.0.0",
        scores={"total": 5, "happiness": 6},
        level="",
    )
    html = login_as(cast.caregiver).get("/balanscheck/mijn/").content.decode()
    folded = html[html.index("<details") : html.index("</details>")]
    main = html[: html.index("<details")]
    for code in (
        "balanscheck-overall_burden",
        "balanscheck-care_hours",
        "carerqol-total",
        "carerqol-happiness",
    ):
        assert f'id="trend-{code}"' in main
    for code in (
        "week_hours",
        "task_count",
        "task_hours",
        "tasks_costing_energy",
        "tasks_costing_a_lot",
        "tasks_giving_energy",
        "pressures_a_lot",
    ):
        assert f'id="trend-balanscheck-{code}"' in folded and f'id="chart-balanscheck-{code}-t"' in folded
    assert "7 andere scores" in folded  # the summary says how many
    assert html.count('class="mz-trend"') == 11


def test_history_query_budget_does_not_grow(cast, login_as, django_assert_max_num_queries):
    client = login_as(cast.caregiver)
    for total in (1, 10, 30):
        while SavedCheck.objects.count() < total:
            factories.SavedCheckFactory(owner=cast.caregiver)
        with django_assert_max_num_queries(12):
            assert client.get("/balanscheck/mijn/").status_code == 200


def test_owner_deletes_check_after_confirmation(cast, login_as):
    check = factories.SavedCheckFactory(owner=cast.caregiver)
    client = login_as(cast.caregiver)
    page = client.get(f"/balanscheck/mijn/{check.id}/verwijderen/").content.decode()
    assert f'action="/balanscheck/mijn/{check.id}/verwijderen/"' in page and 'method="post"' in page
    assert SavedCheck.objects.filter(pk=check.pk).exists()  # GET only asks
    response = client.post(f"/balanscheck/mijn/{check.id}/verwijderen/")
    assert response.status_code == 302
    assert not SavedCheck.objects.filter(pk=check.pk).exists()
    assert LogEntry.objects.filter(action="assessment.check.deleted", object_id=str(check.id)).exists()


def test_email_link_owner_can_delete(client):
    check, link = _save_by_email(client)
    client.get(link)
    assert client.post(f"/balanscheck/mijn/{check.id}/verwijderen/").status_code == 302
    assert not SavedCheck.objects.exists()


# --- reminders ---------------------------------------------------------------------------


def _reminder(user, months, *, last_check_days_ago, last_sent=None):
    factories.SavedCheckFactory(
        owner=user, created_at=timezone.now() - dt.timedelta(days=last_check_days_ago)
    )
    return ReminderSetting.objects.create(user=user, interval_months=months, last_sent_at=last_sent)


def test_reminder_is_due_exactly_after_the_interval(cast):
    now = timezone.now()
    setting = _reminder(cast.caregiver, 1, last_check_days_ago=0)
    latest = SavedCheck.objects.get().created_at
    assert services.reminders_due(now) == []
    boundary = services.reminder_due_at(setting, latest)
    assert [s for s, _ in services.reminders_due(boundary - dt.timedelta(seconds=1))] == []
    assert [s for s, _ in services.reminders_due(boundary)] == [setting]
    assert boundary.month == (latest.month % 12) + 1


def test_no_reminder_without_a_saved_check(cast):
    ReminderSetting.objects.create(user=cast.caregiver, interval_months=1)
    assert services.reminders_due(timezone.now() + dt.timedelta(days=400)) == []


def test_send_check_reminders_is_idempotent(cast):
    _reminder(cast.caregiver, 3, last_check_days_ago=100)
    _reminder(cast.other_caregiver, 6, last_check_days_ago=100)  # not due yet
    call_command("send_check_reminders", stdout=open("/dev/null", "w"))
    call_command("send_check_reminders", stdout=open("/dev/null", "w"))
    assert [m.to for m in mail.outbox] == [[cast.caregiver.email]]
    assert "balanscheck" in mail.outbox[0].body


def test_new_check_after_a_reminder_starts_a_new_interval(cast):
    now = timezone.now()
    _reminder(cast.caregiver, 1, last_check_days_ago=40, last_sent=now - dt.timedelta(days=5))
    assert services.reminders_due(now) == []  # already reminded for this check
    factories.SavedCheckFactory(owner=cast.caregiver, created_at=now - dt.timedelta(days=2))
    assert services.reminders_due(now) == []
    assert len(services.reminders_due(now + dt.timedelta(days=30))) == 1


def test_caregiver_sets_and_clears_reminder(cast, login_as):
    client = login_as(cast.caregiver)
    client.post("/balanscheck/mijn/herinnering/", {"interval_months": "3"})
    assert ReminderSetting.objects.get(user=cast.caregiver).interval_months == 3
    client.post("/balanscheck/mijn/herinnering/", {"interval_months": ""})
    assert not ReminderSetting.objects.exists()


# --- anonymous contribution ------------------------------------------------------------------


def test_nothing_contributed_without_opt_in(client):
    factories.walk(client, factories.overloaded(), postcode="1012")
    client.get("/balanscheck/uitslag/")
    client.post("/balanscheck/uitslag/bijdragen/", {})
    assert AnonymousContribution.objects.count() == 0


def test_contribution_has_only_the_allowed_fields(client):
    factories.walk(client, factories.overloaded(), postcode="1012")
    client.post("/balanscheck/uitslag/bijdragen/", {"consent": "yes"})
    client.post("/balanscheck/uitslag/bijdragen/", {"consent": "yes"})  # once per result
    row = AnonymousContribution.objects.values().get()
    assert set(row) == {"id", "municipality_id", "level", "support_domains", "age_group", "month"}
    assert row["municipality_id"] == "GM0363" and row["level"] == "overloaded" and row["age_group"] == "45_66"
    assert row["month"] == timezone.localdate().replace(day=1)
    assert "respite" in row["support_domains"]
    assert SavedCheck.objects.count() == 0  # separate from saving
    field_types = {f.name: f.get_internal_type() for f in AnonymousContribution._meta.get_fields()}
    assert "DateTimeField" not in field_types.values()
    assert not any(
        f.is_relation and f.related_model.__name__ in ("User", "SavedCheck")
        for f in AnonymousContribution._meta.get_fields()
    )
    entry = LogEntry.objects.get(action="assessment.contribution.consented")
    assert entry.object_id == "none" and entry.subject_id == "none"  # nothing links it to a person


def test_demo_data_is_idempotent_and_shows_a_trend():
    from conftest import make_user
    from mantelzorg.assessment import demo

    make_user(demo.DEMO_EMAIL, "caregiver")
    assert demo.load() == 3 and demo.load() == 0
    assert list(SavedCheck.objects.order_by("created_at").values_list("level", flat=True)) == [
        "balanced",
        "attention",
        "overloaded",
    ]


def test_opening_a_magic_link_rotates_the_session_id(client):
    check, link = _save_by_email(client)
    visitor = type(client)()
    visitor.get("/balanscheck/")  # a session that someone might have planted or seen
    visitor.session.save()
    before = visitor.session.session_key
    assert visitor.get(link).status_code == 302
    assert visitor.session.session_key != before
    assert visitor.get(f"/balanscheck/mijn/{check.id}/").status_code == 200  # still opens the check
