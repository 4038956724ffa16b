"""`make run`'s demo data: the demo caregiver coordinates a network with three family members, a
wijkverpleegkundige, a year of recurring appointments and tasks in every state (loaded once)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import login
from mantelzorg.accounts.models import User
from mantelzorg.network import demo
from mantelzorg.network.models import Network, Role, Task
from mantelzorg.network.recurrence import occurrences

pytestmark = pytest.mark.django_db


def test_the_demo_network_has_people_a_year_of_agenda_and_tasks_in_every_state(settings):
    settings.DEMO_DATA = True
    call_command("load_demo_data", verbosity=0)
    call_command("load_demo_data", verbosity=0)  # idempotent
    (network,) = Network.objects.filter(recipient_name=demo.RECIPIENT)
    roles = sorted(m.role for m in network.memberships.all())
    assert roles == sorted([Role.COORDINATOR, Role.CAREGIVER, Role.MEMBER, Role.MEMBER, Role.PROFESSIONAL])
    assert network.memberships.get(role=Role.COORDINATOR).user.email == "mantelzorger@example.nl"
    now = timezone.now()
    year = occurrences(network.appointments.prefetch_related("changes"), now, now + dt.timedelta(days=365))
    assert len(year) > 365 and {o.kind for o in year} == {
        "appointment",
        "professional_visit",
        "respite",
        "time_off",
    }
    assert any(o.cancelled for o in year) and any(o.changed and not o.cancelled for o in year)
    states = set(Task.objects.filter(network=network).values_list("status", flat=True))
    assert states == {"open", "claimed", "done"}
    assert Task.objects.filter(network=network, standin_requested_at__isnull=False).exists()
    assert Task.objects.filter(
        network=network, status="open", starts_at__lt=now + dt.timedelta(hours=72)
    ).exists()
    client = login(Client(), User.objects.get(email="mantelzorger@example.nl"))
    assert client.get(f"/netwerk/{network.pk}/").status_code == 200
