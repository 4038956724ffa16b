"""How the load is spread: per member, active or former, the tasks done and hours in the last 4
and 12 weeks ("done": marked done, or claimed and ended); the page's chart and table; the
caregiver's own hours as a suggestion in their next Balanscheck."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import login
from mantelzorg.network import selectors, services
from mantelzorg.network.models import Task

from .tasks_cast import make_network, make_task, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def net(cast):
    return make_network(cast)


def _done(net, access, user, *, days_ago, hours, status="claimed"):
    task = make_task(net, starts_at=timezone.now() - dt.timedelta(days=days_ago), hours=hours)
    task = services.task_claim(request=request_for(user), access=access, task=task)
    if status == "done":
        task = services.task_done(request=request_for(user), access=access, task=task)
    return task


def _rows(net):
    return {
        r.member.pk: r for r in selectors.load_spread(request_for(net.users["coordinator"]), net.coordinator)
    }


def test_the_rule_done_or_claimed_and_ended_in_28_and_84_days(net):
    member, caregiver = net.member, net.caregiver
    _done(net, member, net.users["member"], days_ago=3, hours=2)  # claimed and ended: counts
    _done(net, member, net.users["member"], days_ago=40, hours=1.5, status="done")  # 12 weeks only
    _done(net, member, net.users["member"], days_ago=100, hours=5)  # too long ago
    future = make_task(net, hours=4)  # claimed, still to come: not done yet
    services.task_claim(request=request_for(net.users["member"]), access=member, task=future)
    make_task(net, starts_at=timezone.now() - dt.timedelta(days=2), status=Task.Status.CANCELLED)
    _done(net, caregiver, net.users["caregiver"], days_ago=10, hours=3, status="done")
    rows = _rows(net)
    m, c = rows[member.membership.pk], rows[caregiver.membership.pk]
    assert (m.tasks_4, m.hours_4, m.tasks_12, m.hours_12) == (1, 2.0, 2, 3.5)
    assert (c.tasks_4, c.hours_4, c.tasks_12, c.hours_12) == (1, 3.0, 1, 3.0)
    coordinator = rows[net.coordinator.membership.pk]
    assert coordinator.tasks_12 == 0  # active and claims tasks: listed with nothing
    assert net.professional.membership.pk not in rows  # does not claim tasks, did nothing
    assert list(rows)[0] == member.membership.pk  # most hours first


def test_former_members_keep_their_share(net):
    _done(net, net.member, net.users["member"], days_ago=5, hours=2)
    services.member_remove(
        request=request_for(net.users["coordinator"]), access=net.coordinator, member=net.member.membership
    )
    row = _rows(net)[net.member.membership.pk]
    assert row.former and row.hours_4 == 2.0


def test_the_load_page_has_a_chart_and_the_same_figures_in_a_table(client, net):
    _done(net, net.member, net.users["member"], days_ago=3, hours=2)
    _done(net, net.caregiver, net.users["caregiver"], days_ago=20, hours=1.5)
    login(client, net.users["member"])
    response = client.get(f"/netwerk/{net.network.pk}/verdeling/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<figure" in html and "<svg" in html and 'aria-hidden="true"' in html
    assert "<table" in html and "<caption" in html and 'scope="row"' in html
    assert 'width="100"' in html  # the longest bar is the whole track
    assert "charlie" in html and "bob" in html
    assert "1,5" in html or "1.5" in html  # hours as text, not only as a bar length
    assert "style=" not in html.split("<figure", 1)[1].split("</figure>", 1)[0]  # CSP: no inline styles
    from mantelzorg.core.models import LogEntry

    assert LogEntry.objects.filter(action="network.load.viewed").exists()


def test_an_empty_load_page_says_so_and_shows_no_chart(client, net):
    login(client, net.users["coordinator"])
    html = client.get(f"/netwerk/{net.network.pk}/verdeling/").content.decode()
    assert "<figure" not in html and "<table" not in html
    assert f"/netwerk/{net.network.pk}/taken/" in html


# --- the Balanscheck's hours of care ---------------------------------------------------------


def test_care_hours_per_week_for_the_caregiver_only(net, cast):
    _done(net, net.coordinator, cast.caregiver, days_ago=3, hours=6)
    _done(net, net.coordinator, cast.caregiver, days_ago=10, hours=4, status="done")
    _done(net, net.coordinator, cast.caregiver, days_ago=30, hours=9)  # older than 4 weeks
    _done(net, net.member, cast.network_member, days_ago=3, hours=8)
    assert selectors.care_hours_per_week(cast.caregiver) == 3  # (6 + 4) / 4 = 2.5 → 3 (rounded)
    assert selectors.care_hours_per_week(cast.network_member) is None  # a member, not a carer
    assert selectors.care_hours_per_week(cast.other_caregiver) is None  # nothing done
    assert selectors.care_hours_per_week(cast.admin) is None  # no network


def test_the_balanscheck_suggests_the_network_hours_and_they_can_be_changed(client, net, cast):
    _done(net, net.coordinator, cast.caregiver, days_ago=3, hours=20)
    login(client, cast.caregiver)
    html = client.get("/balanscheck/stap/1/").content.decode()
    assert 'value="5"' in html  # 20 hours in 4 weeks: 5 a week, filled in
    assert client.session["assessment_balanscheck"]["answers"]["about.care_hours"] == 5
    assert "care network" in html or "zorgnetwerk" in html
    # the caregiver changes it: their answer is kept
    state = client.session["assessment_balanscheck"]
    answers = {**state["answers"], "about.care_hours": 12}
    session = client.session
    session["assessment_balanscheck"] = {**state, "answers": answers}
    session.save()
    assert 'value="12"' in client.get("/balanscheck/stap/1/").content.decode()


def test_an_earlier_answer_wins_over_the_suggestion(client, net, cast):
    from mantelzorg.assessment.tests import factories

    factories.SavedCheckFactory(
        owner=cast.caregiver, answers=factories.overloaded(**{"about.care_hours": 33})
    )
    _done(net, net.coordinator, cast.caregiver, days_ago=3, hours=20)
    login(client, cast.caregiver)
    html = client.get("/balanscheck/stap/1/").content.decode()
    assert 'value="33"' in html and "mz-notice" in html
    assert client.session["assessment_balanscheck"]["suggested_hours"] == 5


def test_the_balanscheck_works_without_a_network(client, cast):
    login(client, cast.other_caregiver)
    response = client.get("/balanscheck/stap/1/")
    assert response.status_code == 200
    assert client.session["assessment_balanscheck"]["suggested_hours"] is None
    assert "about.care_hours" not in client.session["assessment_balanscheck"]["answers"]
    anonymous = client.__class__()
    assert anonymous.get("/balanscheck/stap/1/").status_code == 200


def test_the_load_page_shows_my_hours_with_a_link_to_the_balanscheck(client, net, cast):
    _done(net, net.coordinator, cast.caregiver, days_ago=3, hours=8)
    login(client, cast.caregiver)
    html = client.get(f"/netwerk/{net.network.pk}/verdeling/").content.decode()
    assert 'href="/balanscheck/"' in html
