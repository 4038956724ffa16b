"""A check is quick to fill in and to repeat: compact task details, stable answers prefilled from
the latest saved check (account and e-mail link alike), errors that say what to do, and a saved
check that still shows local help (it keeps the PC4, never the full postcode)."""

import re

import pytest
from django.core import mail
from django.test import Client

from mantelzorg.assessment.models import SavedCheck
from mantelzorg.assessment.tests import factories
from mantelzorg.assessment.tests.answers import TASKS, balans, task
from mantelzorg.core.models import LogEntry

pytestmark = pytest.mark.django_db


def instrument():
    return factories.engine.load_all_builtin()["balanscheck"]


def all_tasks():
    return balans(*[task(t, 2, "costs_some", "yes" if i % 2 else "no") for i, t in enumerate(TASKS[:9])])


# ------------------------------------------------------------------------- compact task details


def test_nine_tasks_give_eighteen_fields_and_one_list_of_checkboxes(client):
    answers = all_tasks()
    for index in range(2):
        assert (
            client.post(
                f"/balanscheck/stap/{index + 1}/", factories.form_data(instrument(), index, answers)
            ).status_code
            == 302
        )
    html = client.get("/balanscheck/stap/3/").content.decode()
    assert len(re.findall(r'<input type="number" name="task__\w+__hours"', html)) == 9
    assert len(re.findall(r'<select name="task__\w+__energy"', html)) == 9
    assert len(re.findall(r'type="checkbox" name="transferable"', html)) == 9
    assert "__transferable" not in re.sub(r'value="task\.\w+\.transferable"', "", html)  # no per-task radios
    assert html.count("mz-task-row") >= 9  # one row per task


def test_ticked_means_someone_could_take_it_over_and_unticked_means_not(client):
    answers = balans(task("household", 3, "costs_some", "yes"), task("meals", 2, "gives", "no"))
    factories.walk(client, answers)
    state = client.session["assessment_balanscheck"]["answers"]
    assert state["task.household.transferable"] == "yes" and state["task.meals.transferable"] == "no"
    html = client.get("/balanscheck/stap/3/").content.decode()
    assert re.search(r'value="task\.household\.transferable"[^>]*checked', html)
    assert not re.search(r'value="task\.meals\.transferable"[^>]*checked', html)


# ------------------------------------------------------------------------------ clear errors


def test_errors_say_what_to_do_and_the_summary_reads_well(client):
    html = client.post(
        "/balanscheck/stap/1/", {"direction": "next", "about__care_hours": "500"}
    ).content.decode()
    assert "Dit veld is vereist" not in html and "Zorg ervoor dat deze waarde" not in html
    assert "Vul een heel getal in van 0 tot en met " in html
    assert "Kies een antwoord." in html
    summary = html.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert "autofocus" in html.split('id="form-errors"', 1)[0][-200:] + summary[:50]
    assert ".:" not in summary and "?:" not in summary
    assert "Hoeveel uur per week werk je, studeer je of zit je op school? Vul een heel getal in" in summary


def test_task_detail_errors_name_the_task(client):
    answers = balans(task("household", 3, "costs_some"))
    for index in range(2):
        client.post(f"/balanscheck/stap/{index + 1}/", factories.form_data(instrument(), index, answers))
    html = client.post("/balanscheck/stap/3/", {"direction": "next"}).content.decode()
    summary = html.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert "Huishouden: Uren per week: Vul een heel getal in" in summary
    assert "Huishouden: Wat doet het met je energie? Kies wat deze taak met je energie doet." in summary


# ------------------------------------------------------------------------------------- prefill


STABLE = {"about.age_group": "67_plus", "about.relation": "partner", "about.care_hours": 33}


def _saved(**owner):
    answers = factories.overloaded(**STABLE)
    return factories.SavedCheckFactory(answers=answers, pc4="3511", **owner)


def test_a_logged_in_caregiver_repeats_the_check_with_stable_answers_filled_in(cast, login_as):
    _saved(owner=cast.caregiver)
    client = login_as(cast.caregiver)
    html = client.get("/balanscheck/stap/1/").content.decode()
    assert 'value="67_plus" checked' in html.replace("\n", " ") or re.search(
        r'value="67_plus"[^>]*checked', html
    )
    assert 'value="33"' in html and 'value="3511"' in html
    assert "uit je check van" in html
    state = client.session["assessment_balanscheck"]["answers"]
    assert "overall_burden" not in state and "wellbeing.cannot_cope" not in state  # asked again
    assert not any(k.startswith(("pressure.", "network.")) or k.endswith(".energy") for k in state)
    assert state["task.night_care.does"] is True and state["task.night_care.hours"] == 8
    assert LogEntry.objects.filter(action="assessment.check.viewed", purpose__startswith="prefill").exists()


def test_a_check_repeated_from_the_email_link_is_prefilled_too(client):
    factories.walk(client, factories.overloaded(**STABLE), postcode="3511 AB")
    client.post("/balanscheck/bewaren/", {"action": "email", "email": "carer@example.org"})
    link = re.search(r"http://testserver(/balanscheck/link/\S+/)", mail.outbox[-1].body).group(1)
    visitor = Client()
    visitor.get(link)
    html = visitor.get("/balanscheck/stap/1/").content.decode()
    assert 'value="33"' in html and 'value="3511"' in html and "uit je check van" in html


def test_starting_with_empty_questions_clears_the_prefill(cast, login_as):
    _saved(owner=cast.caregiver)
    client = login_as(cast.caregiver)
    client.get("/balanscheck/stap/1/")
    response = client.post("/balanscheck/opnieuw/", {"empty": "yes"})
    assert response["Location"] == "/balanscheck/stap/1/"
    html = client.get("/balanscheck/stap/1/").content.decode()
    assert 'value="33"' not in html and "uit je check van" not in html


def test_nobody_gets_another_persons_answers_prefilled(cast, login_as):
    _saved(owner=cast.caregiver)
    for who in ("other_caregiver", "professional", "anonymous"):
        html = login_as(getattr(cast, who)).get("/balanscheck/stap/1/").content.decode()
        assert 'value="33"' not in html and "uit je check van" not in html, who


# ------------------------------------------------------------------------- saved check: the PC4


def test_a_saved_check_keeps_the_pc4_only_and_shows_local_help_again(client):
    factories.organization("Steunpunt Utrecht", kind="support_centre", municipalities=["GM0344"])
    factories.service("Logeerhuis Utrecht", domains=["respite"], postcode="3511")
    factories.walk(client, factories.overloaded(), postcode="3511 AB")
    client.post("/balanscheck/bewaren/", {"action": "email", "email": "carer@example.org"})
    check = SavedCheck.objects.get()
    assert check.pc4 == "3511" and "3511 AB" not in repr(SavedCheck.objects.values().get())
    link = re.search(r"http://testserver(/balanscheck/link/\S+/)", mail.outbox[-1].body).group(1)
    visitor = Client()
    html = visitor.get(visitor.get(link)["Location"]).content.decode()
    assert "Je gaf geen postcode" not in html
    assert "Steunpunt Utrecht" in html and "Logeerhuis Utrecht" in html
    assert f"?terug=%2Fbalanscheck%2Fmijn%2F{check.id}%2F" in html  # the way back to this check


def test_old_saved_checks_still_open_with_thresholds_the_rules_no_longer_know(cast, login_as):
    check = factories.SavedCheckFactory(
        owner=cast.caregiver,
        answers=factories.overloaded(),
        thresholds={"care_hours_attention": 8, "burden_heavy": 7},
    )
    html = login_as(cast.caregiver).get(f"/balanscheck/mijn/{check.id}/").content.decode()
    assert "Overbelast" in html and "niet meer beschikbaar" not in html


def test_the_prefill_notice_gives_the_date_as_the_check_list_shows_it(cast, login_as):
    """Saved at 23:30 UTC on 1 December is 00:30 on 2 December in the Netherlands."""
    import datetime as dt

    _saved(owner=cast.caregiver, created_at=dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC))
    html = login_as(cast.caregiver).get("/balanscheck/stap/1/").content.decode()
    assert "uit je check van 2 december 2026" in html
