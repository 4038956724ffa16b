"""A care network as a FHIR R4 CareTeam (``GET /api/fhir/CareTeam/{network_id}``).

One self-contained resource: the naaste is the ``subject``, a contained Patient with the name only
(and the date of birth when it was given); every active member is a ``participant`` whose
``member`` points at a contained RelatedPerson (family, friends, caregivers) or Practitioner
(professionals) by ``#id``. The naaste, when they are a member themselves, is the subject and not
a participant (as Koppeltaal 2.0's KT2_CareTeam says: the patient is always ``CareTeam.subject``).
E-mail and phone (``telecom``) only for a caller who ``sees_contacts``.

The roles follow the Koppeltaal 2.0 value sets (not the whole KT2 profile: that also needs
identifiers, gender and birth dates we do not keep, so no ``meta.profile`` is claimed). Source of
the codes and their displays: github.com/vzvznl/Koppeltaal-2.0-FHIR,
``input/fsh/valuesets/KoppeltaalCareTeamRole.fsh`` at 412d9c0 (value sets 0.3.0, 2026-02-17,
"De SNOMED codes zijn gereviewd door Nictiz"):

* KoppeltaalRelatedPersonRoleValueSet (participant slice ``kt2contactperson``):
  407542009 "Informal carer (person)", 310391000146105 "Legal representative (person)",
  125677006 "Relative (person)", 62071000 "Buddy (person)";
* KoppeltaalPractitionerRoleValueSet (slice ``kt2healthcareProfessional``):
  405623001 "Assigned practitioner (occupation)" (behandelaar), 224608005 "Administrative
  healthcare staff (occupation)" and 768821004 "Care team coordinator (occupation)" (both
  zorgondersteuner). A professional here is whoever the family asked in (wijkverpleging,
  casemanager, huisarts ...): 405623001 is the one that says only "a practitioner assigned to
  this person's care", so every professional gets it; the other two would claim a function we do
  not know.

Which member gets which role: coordinator and caregiver → Informal carer (mantelzorger); a member
who is family → Relative; a friend, neighbour or volunteer → Buddy; whoever is the legal
representative → Legal representative (a coordinator or caregiver who is also the representative
has both roles); a member with another relation → no coded role, the role's name as text.

The relation to the naaste is ``RelatedPerson.relationship`` in HL7 v3 RoleCode (the R4 binding
PatientRelationshipType; displays of terminology.hl7.org/CodeSystem-v3-RoleCode.html): partner
SPS "spouse" (the nearest code for a partner, married or not), child CHILD, parent PRN, sibling
SIB, other family FAMMEMB "family member", friend FRND "unrelated friend", neighbour NBOR
"neighbor". A legal representative: COD472 (Vektis "Soort relatie cliënt", the code list of the
Dutch zib ContactPerson role) 24 "Wettelijke vertegenwoordiger". A volunteer has no code in
either system: only the text.
"""

from __future__ import annotations

from typing import Any

from .models import Membership, Network, Relation, Role
from .recurrence import TZ

SNOMED = "http://snomed.info/sct"
ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
COD472 = "urn:oid:2.16.840.1.113883.2.4.3.11.22.472"

INFORMAL_CARER = ("407542009", "Informal carer (person)")
LEGAL_REPRESENTATIVE = ("310391000146105", "Legal representative (person)")
RELATIVE = ("125677006", "Relative (person)")
BUDDY = ("62071000", "Buddy (person)")
ASSIGNED_PRACTITIONER = ("405623001", "Assigned practitioner (occupation)")

FAMILY = frozenset(
    {Relation.PARTNER, Relation.CHILD, Relation.PARENT, Relation.SIBLING, Relation.OTHER_FAMILY}
)
BUDDIES = frozenset({Relation.FRIEND, Relation.NEIGHBOUR, Relation.VOLUNTEER})

RELATIONSHIP: dict[str, tuple[str, str, str]] = {
    Relation.PARTNER: (ROLE_CODE, "SPS", "spouse"),
    Relation.CHILD: (ROLE_CODE, "CHILD", "child"),
    Relation.PARENT: (ROLE_CODE, "PRN", "parent"),
    Relation.SIBLING: (ROLE_CODE, "SIB", "sibling"),
    Relation.OTHER_FAMILY: (ROLE_CODE, "FAMMEMB", "family member"),
    Relation.FRIEND: (ROLE_CODE, "FRND", "unrelated friend"),
    Relation.NEIGHBOUR: (ROLE_CODE, "NBOR", "neighbor"),
    Relation.REPRESENTATIVE: (COD472, "24", "Wettelijke vertegenwoordiger"),
}

PATIENT_ID = "naaste"


def _concept(system: str, code: str, display: str, text: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": text}


def roles(member: Membership) -> list[dict[str, Any]]:
    """The participant's ``role`` (a list of CodeableConcepts) for this membership."""
    text = str(Role(member.role).label)
    if member.role == Role.PROFESSIONAL:
        return [_concept(SNOMED, *ASSIGNED_PRACTITIONER, text)]
    codes = []
    if member.role in (Role.COORDINATOR, Role.CAREGIVER):
        codes.append(INFORMAL_CARER)
    elif member.relation in FAMILY:
        codes.append(RELATIVE)
    elif member.relation in BUDDIES:
        codes.append(BUDDY)
    if member.relation == Relation.REPRESENTATIVE:
        codes.append(LEGAL_REPRESENTATIVE)
    if not codes:
        return [{"text": text}]
    return [_concept(SNOMED, code, display, text) for code, display in codes]


def _telecom(member: Membership) -> list[dict[str, Any]]:
    out = []
    user = member.user
    if user is not None and user.email:
        out.append({"system": "email", "value": user.email})
    if member.phone:
        out.append({"system": "phone", "value": member.phone})
    return out


def _person(member: Membership, *, contacts: bool) -> dict[str, Any]:
    """The contained RelatedPerson or Practitioner of one membership."""
    professional = member.role == Role.PROFESSIONAL
    resource: dict[str, Any] = {
        "resourceType": "Practitioner" if professional else "RelatedPerson",
        "id": f"m{member.pk}",
        "active": True,
    }
    if not professional:
        resource["patient"] = {"reference": f"#{PATIENT_ID}"}
        coded = RELATIONSHIP.get(member.relation)
        text = str(Relation(member.relation).label)
        resource["relationship"] = [_concept(*coded, text) if coded else {"text": text}]
    resource["name"] = [{"text": member.display_name}]
    telecom = _telecom(member) if contacts else []
    if telecom:
        resource["telecom"] = telecom
    return resource


def _patient(network: Network) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "name": [{"text": network.recipient_name}],
    }
    if network.recipient_birth_date:
        patient["birthDate"] = network.recipient_birth_date.isoformat()
    return patient


def care_team(network: Network, members: list[Membership], *, contacts: bool) -> dict[str, Any]:
    """The CareTeam of ``network`` with these (active) ``members``; ``contacts``: with telecom."""
    contained = [_patient(network)]
    participants = []
    for member in members:
        if member.role == Role.RECIPIENT:
            continue  # the naaste is the subject
        person = _person(member, contacts=contacts)
        contained.append(person)
        participants.append(
            {
                "role": roles(member),
                "member": {
                    "reference": f"#{person['id']}",
                    "type": person["resourceType"],
                    "display": member.display_name,
                },
                "period": {"start": member.joined_at.astimezone(TZ).isoformat()},
            }
        )
    team: dict[str, Any] = {
        "resourceType": "CareTeam",
        "id": str(network.pk),
        "contained": contained,
        "status": "active",
        "name": f"Zorgnetwerk rond {network.recipient_name}",
        "subject": {"reference": f"#{PATIENT_ID}", "type": "Patient", "display": network.recipient_name},
        "period": {"start": network.created_at.astimezone(TZ).isoformat()},
    }
    if participants:
        team["participant"] = participants
    return team
