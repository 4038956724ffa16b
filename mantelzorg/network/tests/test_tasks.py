"""Tasks: one-off and repeating, claim (atomic; the loser is told who has it), hand back, stand-in,
done, cancel; who may do what; the pages and their audit rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import login
from mantelzorg.core.models import LogEntry
from mantelzorg.network import forms, selectors, services
from mantelzorg.network.models import Activity, Task, TaskKind
from mantelzorg.network.recurrence import TZ

from .tasks_cast import local, make_network, make_task, request_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def net(cast):
    return make_network(cast)


def _url(net, suffix=""):
    return f"/netwerk/{net.network.pk}/taken/{suffix}"


def _key():
    import uuid

    return str(uuid.uuid4())


# --- services ------------------------------------------------------------------------------


def test_task_times_a_date_a_time_window_and_a_period_of_days():
    day = dt.date(2027, 3, 27)  # the night of the change to summer time
    start, end, all_day = services.task_times(day=day, start=None)
    assert (start, end, all_day) == (local(2027, 3, 27), local(2027, 3, 28), True)
    start, end, all_day = services.task_times(day=day, start=dt.time(10, 0), duration_minutes=90)
    assert (start, end, all_day) == (local(2027, 3, 27, 10), local(2027, 3, 27, 11, 30), False)
    start, end, all_day = services.task_times(day=day, start=None, end_day=dt.date(2027, 4, 2))
    assert (start, end) == (local(2027, 3, 27), local(2027, 4, 3)) and all_day
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(days=7, hours=-1)  # DST


def test_three_times_a_week_for_six_weeks_makes_18_tasks(net):
    form = forms.ActivityForm(
        {
            "kind": TaskKind.COOKING,
            "title": "Koken",
            "weekdays": ["MO", "WE", "FR"],
            "first_day": "2027-03-01",
            "weeks": "6",
            "start_time": "17:00",
            "end_time": "18:30",
        }
    )
    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["rrule"] == "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270411T235959" and data["count"] == 18
    activity = services.activity_create(
        request=request_for(net.users["coordinator"]),
        access=net.coordinator,
        kind=data["kind"],
        title=data["title"],
        starts_at=data["starts_at"],
        rrule=data["rrule"],
        all_day=data["all_day"],
        duration_minutes=data["duration_minutes"],
    )
    tasks = list(activity.tasks.order_by("starts_at"))
    assert len(tasks) == 18 and all(t.status == Task.Status.OPEN for t in tasks)
    assert tasks[0].starts_at == local(2027, 3, 1, 17) and tasks[-1].starts_at == local(2027, 4, 9, 17)
    # 17:00 local on both sides of the change to summer time (28 March 2027)
    assert {t.starts_at.astimezone(TZ).time() for t in tasks} == {dt.time(17)}
    assert {t.duration_minutes for t in tasks} == {90}
    assert LogEntry.objects.filter(action="network.activity.created").count() == 1


def test_a_repeating_activity_is_capped_and_the_form_says_so():
    from django.utils.translation import override

    with override("en"):
        _capped_form_says_so()


def _capped_form_says_so():
    form = forms.ActivityForm(
        {"kind": "company", "title": "Bezoek", "weekdays": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
         "first_day": "2027-01-01", "weeks": "60"}
    )  # fmt: skip
    assert not form.is_valid()
    assert "at most 400" in str(form.errors["weeks"])
    assert "400" in str(forms.ActivityForm().fields["hours"].help_text)


def test_the_activity_form_needs_weeks_or_a_last_day_and_days_that_fall_in_it():
    base = {"kind": "company", "title": "Bezoek", "weekdays": ["SA"], "first_day": "2027-03-01"}
    assert "weeks" in forms.ActivityForm(base).errors
    short = forms.ActivityForm({**base, "last_day": "2027-03-03"})
    assert "weekdays" in short.errors
    both = forms.ActivityForm({**base, "weeks": "2", "last_day": "2027-03-20"})
    assert "last_day" in both.errors


def _claim(access, task, user):
    return services.task_claim(request=request_for(user), access=access, task=task)


def test_a_claim_is_one_winner_and_the_other_is_told_who(net):
    task = make_task(net)
    _claim(net.member, task, net.users["member"])
    with pytest.raises(services.TaskTaken) as refused:
        _claim(net.caregiver, Task.objects.get(pk=task.pk), net.users["caregiver"])
    assert refused.value.holder == net.member.membership
    task.refresh_from_db()
    assert task.status == Task.Status.CLAIMED and task.claimed_by == net.member.membership
    assert task.sequence == 1
    # claiming your own task again changes nothing
    assert _claim(net.member, task, net.users["member"]).sequence == 1
    assert LogEntry.objects.filter(action="network.task.claimed", outcome="failure").count() == 1


def test_a_claim_with_a_stale_task_still_loses(net):
    task = make_task(net)
    stale = Task.objects.get(pk=task.pk)  # loaded while open
    _claim(net.member, task, net.users["member"])
    with pytest.raises(services.TaskTaken):
        _claim(net.caregiver, stale, net.users["caregiver"])


def test_professionals_and_the_naaste_do_not_claim(net):
    task = make_task(net)
    with pytest.raises(PermissionError):
        _claim(net.professional, task, net.users["professional"])


def test_hand_back_opens_the_task_again(net):
    task = _claim(net.member, make_task(net), net.users["member"])
    released = services.task_release(request=request_for(net.users["member"]), access=net.member, task=task)
    assert released.status == Task.Status.OPEN and released.claimed_by is None and released.claimed_at is None
    assert released.sequence == 2
    with pytest.raises(services.TaskTaken):  # not theirs any more
        services.task_release(request=request_for(net.users["member"]), access=net.member, task=task)


def test_a_stand_in_takes_over_via_claim(net):
    task = _claim(net.member, make_task(net), net.users["member"])
    with pytest.raises(services.TaskTaken):  # no stand-in asked yet: taken
        _claim(net.caregiver, task, net.users["caregiver"])
    services.task_request_standin(request=request_for(net.users["member"]), access=net.member, task=task)
    task.refresh_from_db()
    assert task.standin_requested_at is not None and task.claimed_by == net.member.membership
    assert task in selectors.task_list(request_for(net.users["caregiver"]), net.caregiver, which="open")
    taken = _claim(net.caregiver, task, net.users["caregiver"])
    assert taken.claimed_by == net.caregiver.membership and taken.standin_requested_at is None
    with pytest.raises(services.TaskTaken) as refused:  # the second helper is too late
        _claim(net.coordinator, task, net.users["coordinator"])
    assert refused.value.holder == net.caregiver.membership


def test_done_by_the_claimer_or_a_planner_and_cancel_by_a_planner_only(net):
    task = _claim(net.member, make_task(net), net.users["member"])
    with pytest.raises(services.TaskTaken):  # another member cannot mark it done
        services.task_done(request=request_for(net.users["professional"]), access=net.professional, task=task)
    done = services.task_done(
        request=request_for(net.users["coordinator"]), access=net.coordinator, task=task
    )
    assert done.status == Task.Status.DONE and done.done_at is not None
    other = make_task(net)
    with pytest.raises(PermissionError):
        services.task_cancel(request=request_for(net.users["member"]), access=net.member, task=other)
    cancelled = services.task_cancel(
        request=request_for(net.users["caregiver"]), access=net.caregiver, task=other
    )
    assert cancelled.status == Task.Status.CANCELLED
    with pytest.raises(services.TaskTaken) as refused:
        _claim(net.member, other, net.users["member"])
    assert refused.value.holder is None


def _weekly(net, weeks=4, first=None):
    first = first or (timezone.localdate(timezone=TZ) + dt.timedelta(days=1))
    last = first + dt.timedelta(days=7 * weeks - 1)
    return services.activity_create(
        request=request_for(net.users["coordinator"]),
        access=net.coordinator,
        kind=TaskKind.DRIVING,
        title="Rijden",
        starts_at=dt.datetime.combine(first, dt.time(9), tzinfo=TZ),
        rrule=f"FREQ=WEEKLY;UNTIL={last:%Y%m%d}T235959",
        duration_minutes=60,
    )


def test_changing_repeating_help_remakes_open_tasks_and_keeps_claimed_ones(net):
    activity = _weekly(net)
    first, second, *_ = activity.tasks.order_by("starts_at")
    _claim(net.member, second, net.users["member"])
    kept = services.activity_update(
        request=request_for(net.users["coordinator"]),
        access=net.coordinator,
        activity=activity,
        title="Rijden naar de dagbesteding",
        starts_at=activity.starts_at + dt.timedelta(hours=1),
    )
    assert [t.pk for t in kept] == [second.pk]
    tasks = list(activity.tasks.order_by("starts_at"))
    assert len(tasks) == 5  # 4 new open ones at 10:00 and the kept claimed one at 9:00
    assert not Task.objects.filter(pk=first.pk).exists()
    opened = [t for t in tasks if t.status == Task.Status.OPEN]
    assert len(opened) == 4 and {t.title for t in opened} == {"Rijden naar de dagbesteding"}
    second.refresh_from_db()
    assert second.title == "Rijden" and second.claimed_by == net.member.membership  # not silently changed
    activity.refresh_from_db()
    assert selectors.plan_changed(second) and not selectors.plan_changed(opened[0])


def test_stopping_repeating_help_cancels_open_tasks_and_keeps_claimed_ones(net):
    activity = _weekly(net)
    tasks = list(activity.tasks.order_by("starts_at"))
    _claim(net.member, tasks[2], net.users["member"])
    kept = services.activity_cancel(
        request=request_for(net.users["coordinator"]), access=net.coordinator, activity=activity
    )
    assert [t.pk for t in kept] == [tasks[2].pk]
    statuses = dict(activity.tasks.values_list("pk", "status"))
    assert [statuses[t.pk] for t in tasks] == ["cancelled", "cancelled", "claimed", "cancelled"]
    activity.refresh_from_db()
    tasks[2].refresh_from_db()
    assert selectors.plan_changed(tasks[2])
    assert LogEntry.objects.filter(action="network.activity.cancelled").count() == 1


# --- selectors ------------------------------------------------------------------------------


def test_flagged_tasks_are_open_within_72_hours_and_only_for_coordinators(net):
    now = timezone.now()
    soon = make_task(net, starts_at=now + dt.timedelta(hours=30), title="Soon")
    make_task(net, starts_at=now + dt.timedelta(hours=80), title="Later")
    claimed = make_task(net, starts_at=now + dt.timedelta(hours=10), title="Claimed")
    _claim(net.member, claimed, net.users["member"])
    assert selectors.flagged_tasks(request_for(net.users["coordinator"]), net.coordinator) == [soon]
    assert selectors.flagged_tasks(request_for(net.users["caregiver"]), net.caregiver) == []


def test_task_list_tabs(net):
    open_task = make_task(net, title="Open")
    mine = _claim(net.member, make_task(net, title="Mine"), net.users["member"])
    cancelled = make_task(net, title="Gone", status=Task.Status.CANCELLED)
    past = make_task(net, starts_at=timezone.now() - dt.timedelta(days=3), title="Past")
    request = request_for(net.users["member"])
    assert selectors.task_list(request, net.member, which="open") == [open_task]
    assert selectors.task_list(request, net.member, which="mine") == [mine]
    assert set(selectors.task_list(request, net.member, which="all")) == {open_task, mine, cancelled}
    assert past not in selectors.task_list(request, net.member, which="all")
    assert LogEntry.objects.filter(action="network.task.listed").count() == 4


# --- pages ----------------------------------------------------------------------------------


def test_the_task_list_shows_when_what_who_and_a_claim_button(client, net):
    make_task(net, title="Boodschappen doen")
    claimed = _claim(net.caregiver, make_task(net, title="Naar het ziekenhuis"), net.users["caregiver"])
    login(client, net.users["member"])
    html = client.get(_url(net) + "?toon=alle").content.decode()
    assert "Boodschappen doen" in html and "Naar het ziekenhuis" in html
    assert "bob" in html  # who has it
    assert html.count(f"/taken/{claimed.pk}/nemen/") == 0
    assert html.count("/nemen/") == 1
    assert 'aria-current="page">' in html
    assert "Nobody does these yet" not in html  # the flagged block is the coordinator's


def test_the_coordinator_sees_flagged_tasks_first(client, net):
    make_task(net, starts_at=timezone.now() + dt.timedelta(hours=20), title="Morgen boodschappen")
    make_task(net, starts_at=timezone.now() + dt.timedelta(days=10), title="Later boodschappen")
    login(client, net.users["coordinator"])
    html = client.get(_url(net)).content.decode()
    assert html.index("Morgen boodschappen") < html.index("Later boodschappen")
    assert html.index('id="flagged"') < html.index("Morgen boodschappen")


def test_claim_page_winner_and_loser(client, net):
    task = make_task(net)
    login(client, net.users["member"])
    response = client.post(_url(net, f"{task.pk}/nemen/"), {"idempotency_key": _key()})
    assert response.status_code == 302
    login(client, net.users["caregiver"])
    response = client.post(_url(net, f"{task.pk}/nemen/"), {"idempotency_key": _key()})
    assert response.status_code == 409
    html = response.content.decode()
    assert "charlie" in html and 'role="alert"' in html


def test_task_detail_buttons_for_the_claimer(client, net):
    task = _claim(net.member, make_task(net), net.users["member"])
    login(client, net.users["member"])
    html = client.get(_url(net, f"{task.pk}/")).content.decode()
    for action in ("gedaan", "vervanger-gezocht", "teruggeven"):
        assert f"/{action}/" in html
    assert "/annuleren/" not in html and "/wijzigen/" not in html
    response = client.post(_url(net, f"{task.pk}/vervanger-gezocht/"), {"idempotency_key": _key()})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.standin_requested_at is not None
    response = client.post(_url(net, f"{task.pk}/teruggeven/"), {"idempotency_key": _key()})
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_new_one_off_task_page(client, net):
    login(client, net.users["caregiver"])
    assert client.get(_url(net, "nieuw/")).status_code == 200
    response = client.post(
        _url(net, "nieuw/"),
        {"kind": "driving", "title": "Naar de huisarts", "day": "2027-05-03", "start_time": "10:00",
         "end_time": "11:30", "idempotency_key": _key()},
    )  # fmt: skip
    assert response.status_code == 302
    task = Task.objects.get(title="Naar de huisarts")
    assert task.starts_at == local(2027, 5, 3, 10) and task.duration_minutes == 90 and not task.all_day
    response = client.post(
        _url(net, "nieuw/"),
        {"kind": "night_watch", "title": "Waken", "day": "2027-05-03", "last_day": "2027-05-09",
         "hours": "8", "idempotency_key": _key()},
    )  # fmt: skip
    period = Task.objects.get(title="Waken")
    assert period.all_day and period.ends_at == local(2027, 5, 10) and period.duration_minutes == 480
    html = client.get(_url(net, f"{period.pk}/")).content.decode()
    assert "3 mei" in html and "9 mei" in html


def test_new_repeating_help_page(client, net):
    login(client, net.users["coordinator"])
    assert "400" in client.get(_url(net, "nieuw-herhalend/")).content.decode()
    response = client.post(
        _url(net, "nieuw-herhalend/"),
        {"kind": "shopping", "title": "Boodschappen", "weekdays": ["TU", "TH", "SA"], "first_day": "2027-06-01",
         "weeks": "6", "idempotency_key": _key()},
    )  # fmt: skip
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.tasks.count() == 18 and activity.all_day


def test_editing_repeating_help_lists_the_kept_tasks(client, net):
    activity = _weekly(net)
    second = activity.tasks.order_by("starts_at")[1]
    _claim(net.member, second, net.users["member"])
    login(client, net.users["coordinator"])
    url = _url(net, f"reeks/{activity.pk}/")
    page = client.get(url)
    assert page.status_code == 200
    initial = page.context["form"].initial
    data = {k: v for k, v in initial.items() if v not in (None, "")}
    data["weekdays"] = initial["weekdays"] if initial["weekdays"] != [""] else []
    data.update(title="Rijden (nieuw)", weekdays=["MO"], weeks="2", idempotency_key=_key())
    data.pop("last_day", None)
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content.decode()[:500]
    html = response.content.decode()
    assert "charlie" in html and "already have someone" in html
    login(client, net.users["member"])
    html = client.get(_url(net, f"{second.pk}/"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The plan of this repeating help changed" in html


@pytest.mark.parametrize("who", ["professional", "member"])
def test_who_may_not_plan_gets_404(client, net, who):
    task = make_task(net)
    login(client, net.users[who])
    assert client.get(_url(net, "nieuw/")).status_code == 404
    assert client.post(_url(net, f"{task.pk}/annuleren/"), {"idempotency_key": _key()}).status_code == 404
    assert client.get(_url(net, f"{task.pk}/wijzigen/")).status_code == 404


def test_professionals_see_tasks_but_cannot_claim(client, net):
    task = make_task(net, title="Boodschappen doen")
    login(client, net.users["professional"])
    html = client.get(_url(net)).content.decode()
    assert "Boodschappen doen" in html and "/nemen/" not in html
    assert client.post(_url(net, f"{task.pk}/nemen/"), {"idempotency_key": _key()}).status_code == 404
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_outsiders_get_404_everywhere(client, cast, net):
    task = make_task(net)
    login(client, cast.admin)
    for url in (_url(net), _url(net, f"{task.pk}/"), f"/netwerk/{net.network.pk}/verdeling/"):
        assert client.get(url).status_code == 404
    assert client.post(_url(net, f"{task.pk}/nemen/"), {"idempotency_key": _key()}).status_code == 404
    assert LogEntry.objects.filter(outcome="denied", action="network.task.viewed").exists()
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_a_task_of_another_network_is_404(client, cast, net):
    other = services.network_create(
        request=request_for(cast.other_caregiver), user=cast.other_caregiver, recipient_name="Kees",
        relation="child",
    )  # fmt: skip
    from mantelzorg.network.models import Task as T

    foreign = T.objects.create(
        network=other.network, kind="other", title="X", starts_at=timezone.now() + dt.timedelta(days=1),
        ends_at=timezone.now() + dt.timedelta(days=1, hours=1),
    )  # fmt: skip
    login(client, net.users["member"])
    assert client.get(_url(net, f"{foreign.pk}/")).status_code == 404
    assert client.post(_url(net, f"{foreign.pk}/nemen/"), {"idempotency_key": _key()}).status_code == 404


def test_an_empty_list_says_so(client, net):
    login(client, net.users["member"])
    html = client.get(_url(net)).content.decode()
    assert "All tasks have someone" in html or "Alle taken" in html or "iemand" in html
    html = client.get(_url(net) + "?toon=mijn").content.decode()
    assert "/nemen/" not in html
