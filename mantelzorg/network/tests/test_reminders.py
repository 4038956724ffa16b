"""``send_network_reminders``: a day before to the claimer (and a week before when asked), a daily
overview of open tasks to each coordinator; each at most once, also when run twice; nothing to
members with reminders off, ended memberships or erased accounts."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from mantelzorg.core import mail as core_mail
from mantelzorg.network import services
from mantelzorg.network.models import ReminderSent, Task

from .tasks_cast import local, make_network, make_task, request_for

pytestmark = pytest.mark.django_db

NOW = local(2027, 3, 10, 7, 0)  # a Wednesday morning


@pytest.fixture
def net(cast):
    return make_network(cast)


def run(now=NOW) -> str:
    out = StringIO()
    call_command("send_network_reminders", "--now", now.isoformat(), stdout=out)
    return out.getvalue()


def _claimed(net, access, user, **fields):
    task = make_task(net, **fields)
    return services.task_claim(request=request_for(user), access=access, task=task)


def test_the_day_before_reminder_goes_once(net):
    task = _claimed(net, net.member, net.users["member"], starts_at=local(2027, 3, 11, 23, 30), title="Waken")
    _claimed(net, net.member, net.users["member"], starts_at=local(2027, 3, 12, 0, 0), title="Overmorgen")
    output = run()
    assert "1 a day before" in output
    (message,) = [m for m in mail.outbox if m.to == ["charlie@example.org"]]
    assert "Waken" in message.subject and "Waken" in message.body
    assert f"/netwerk/{net.network.pk}/taken/{task.pk}/" in message.body
    assert "23:30" in message.body and "Truus" in message.body
    sent = len(mail.outbox)
    assert "0 a day before" in run(NOW + dt.timedelta(hours=5))  # the same day again: nothing twice
    assert len(mail.outbox) == sent
    assert ReminderSent.objects.filter(kind="day_before").count() == 1


def test_the_week_before_reminder_only_when_asked(net):
    _claimed(net, net.member, net.users["member"], starts_at=local(2027, 3, 17, 10), title="Ziekenhuis")
    run()
    assert not [m for m in mail.outbox if m.to == ["charlie@example.org"]]
    net.member.membership.remind_week_before = True
    net.member.membership.save()
    run()
    (message,) = [m for m in mail.outbox if m.to == ["charlie@example.org"]]
    assert "Ziekenhuis" in message.subject
    run()
    assert len([m for m in mail.outbox if m.to == ["charlie@example.org"]]) == 1


def test_reminders_off_ended_or_erased_get_nothing(net):
    _claimed(net, net.member, net.users["member"], starts_at=local(2027, 3, 11, 10))
    _claimed(net, net.caregiver, net.users["caregiver"], starts_at=local(2027, 3, 11, 12))
    net.member.membership.reminders = False
    net.member.membership.save()
    net.caregiver.membership.user = None  # erased: "oud-lid"
    net.caregiver.membership.save()
    run()
    assert not [m for m in mail.outbox if m.to != ["alice@example.org"]]
    net.member.membership.reminders = True
    net.member.membership.ended_at = NOW - dt.timedelta(days=1)  # left (the past claim stays)
    net.member.membership.save()
    run()
    assert not [m for m in mail.outbox if m.to == ["charlie@example.org"]]


def test_the_coordinators_daily_overview_lists_open_tasks_soonest_first(net):
    make_task(net, starts_at=local(2027, 3, 15, 10), title="Later deze week")
    make_task(net, starts_at=local(2027, 3, 11, 9), title="Morgen rijden")
    make_task(net, starts_at=local(2027, 3, 20, 9), title="Buiten de week")
    _claimed(net, net.member, net.users["member"], starts_at=local(2027, 3, 12, 9), title="Al geregeld")
    make_task(net, starts_at=local(2027, 3, 12, 9), title="Afgezegd", status=Task.Status.CANCELLED)
    run()
    (digest,) = [m for m in mail.outbox if m.to == ["alice@example.org"]]
    body = digest.body
    assert "Truus" in digest.subject and "2" in digest.subject
    assert body.index("Morgen rijden") < body.index("Later deze week")
    for absent in ("Buiten de week", "Al geregeld", "Afgezegd"):
        assert absent not in body
    assert f"/netwerk/{net.network.pk}/taken/" in body
    # the caregiver (not a coordinator) gets no overview; a second run the same day sends none
    assert not [m for m in mail.outbox if m.to == ["bob@example.org"]]
    run(NOW + dt.timedelta(hours=10))
    assert len([m for m in mail.outbox if m.to == ["alice@example.org"]]) == 1
    run(NOW + dt.timedelta(days=1))  # the next day: a new overview
    assert len([m for m in mail.outbox if m.to == ["alice@example.org"]]) == 2


def test_no_overview_when_nothing_is_open(net):
    _claimed(net, net.member, net.users["member"], starts_at=local(2027, 3, 13, 9))
    assert "0 daily overviews" in run()
    assert not [m for m in mail.outbox if m.to == ["alice@example.org"]]


def test_a_failed_send_is_tried_again_and_a_recorded_one_never(net, monkeypatch):
    _claimed(net, net.member, net.users["member"], starts_at=local(2027, 3, 11, 10))

    def broken(**kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(core_mail, "send", broken)
    with pytest.raises(ConnectionError):
        run()
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    run()
    assert len([m for m in mail.outbox if m.to == ["charlie@example.org"]]) == 1
    # a crash after the send and its record: the rerun finds the record
    ReminderSent.objects.filter(kind="digest").delete()
    run()
    assert len([m for m in mail.outbox if m.to == ["charlie@example.org"]]) == 1


def test_mail_is_dutch_plain_text_without_the_note(net):
    _claimed(net, net.member, net.users["member"], starts_at=local(2027, 3, 11, 10), note="Insuline")
    run()
    (message,) = [m for m in mail.outbox if m.to == ["charlie@example.org"]]
    assert "Insuline" not in message.body and not message.alternatives
    assert "donderdag 11 maart" in message.body


def test_the_command_refuses_a_bad_now():
    with pytest.raises(CommandError):
        call_command("send_network_reminders", "--now", "tomorrow")


def test_mail_is_in_the_language_the_member_last_used(net):
    net.users["member"].language = "en"
    net.users["member"].save(update_fields=["language"])
    _claimed(net, net.member, net.users["member"], starts_at=local(2027, 3, 11, 10))
    run()
    (message,) = [m for m in mail.outbox if m.to == ["charlie@example.org"]]
    assert "Thursday 11 March" in message.body, message.body
    assert "donderdag" not in message.body
