"""Who reaches the care network API: every person of the cast on every operation of it, with the
ids of network A (the caregiver coordinates it, network_member is a friend in it, the
professional is in it). Everyone else gets 404 on everything of A (audited as denied), in the
API's error body under /api/v1/ and as an OperationOutcome under /api/fhir/; nothing changes.

Routes checked (for the route matrix): /api/v1/networks/ /api/v1/networks/<id>/appointments/
/api/v1/networks/<id>/tasks/ /api/v1/tasks/<id>/claim/ /api/fhir/CareTeam/<id>
"""

from __future__ import annotations

import pytest

from conftest import CAST_NAMES
from mantelzorg.core.models import LogEntry
from mantelzorg.network.models import Role, Task

from .test_api_network import api, make_member, make_network, make_task

pytestmark = pytest.mark.django_db

MEMBERS = {"caregiver": Role.COORDINATOR, "network_member": Role.MEMBER, "professional": Role.PROFESSIONAL}
CLAIMS = {"caregiver", "network_member"}  # a professional does not take on tasks: 403
OUTSIDERS = [who for who in CAST_NAMES if who not in MEMBERS]


@pytest.fixture
def world(cast):
    a = make_network(cast.caregiver, name="Mien")
    make_member(a, cast.network_member)
    make_member(a, cast.professional, role=Role.PROFESSIONAL, relation="professional")
    make_network(cast.other_caregiver, name="Kees")
    return {"network": a, "task": make_task(a)}


def reads(net) -> list[str]:
    return [
        f"/api/v1/networks/{net.pk}/appointments/",
        f"/api/v1/networks/{net.pk}/tasks/",
        f"/api/fhir/CareTeam/{net.pk}",
    ]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_everything_and_are_audited(client, cast, world, who):
    net, task = world["network"], world["task"]
    api(client, getattr(cast, who))
    before = LogEntry.objects.filter(outcome="denied").count()
    for url in reads(net):
        response = client.get(url)
        assert response.status_code == 404, url
        if "/fhir/" in url:
            assert response.json()["resourceType"] == "OperationOutcome"
        else:
            assert [e["code"] for e in response.json()["errors"]] == ["not_found"]
    response = client.post(f"/api/v1/tasks/{task.pk}/claim/")
    assert response.status_code == 404
    assert [e["code"] for e in response.json()["errors"]] == ["not_found"]
    assert LogEntry.objects.filter(outcome="denied").count() == before + 4
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN and task.claimed_by is None
    listed = client.get("/api/v1/networks/")
    if who == "anonymous":
        assert listed.status_code == 403
    else:
        assert str(net.pk) not in {n["id"] for n in listed.json()["contents"]}


@pytest.mark.parametrize("who", sorted(MEMBERS))
def test_members_reach_every_read_with_one_audit_row_each(client, cast, world, who):
    net = world["network"]
    api(client, getattr(cast, who))
    for url in reads(net):
        assert client.get(url).status_code == 200, url
    for action in ("network.agenda.viewed", "network.task.listed", "network.member.listed"):
        row = LogEntry.objects.get(action=action, outcome="success")
        assert row.subject_id == f"network:{net.pk}"
        assert row.actor_role == MEMBERS[who]
    listed = client.get("/api/v1/networks/").json()["contents"]
    assert [(n["id"], n["role"]) for n in listed] == [(str(net.pk), MEMBERS[who])]


@pytest.mark.parametrize("who", sorted(MEMBERS))
def test_members_who_help_claim_and_others_get_403(client, cast, world, who):
    api(client, getattr(cast, who))
    response = client.post(f"/api/v1/tasks/{world['task'].pk}/claim/")
    assert response.status_code == (200 if who in CLAIMS else 403)
