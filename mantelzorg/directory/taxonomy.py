"""The directory's taxonomies as data (HSDS ``taxonomy`` / ``taxonomy_term``).

The 8 vraaggebieden (MantelzorgNL naming), the 5 steps of the Zorgladder Mantelzorg,
the forms of respijtzorg and the target groups. Loaded into the database by the data
migration ``0002_taxonomies`` (idempotent: ``load_taxonomies()`` can run again).

Ids are stable UUIDv5 values derived from the codes, so that the HSDS ids of terms are
the same on every installation (exchange partners can map on them).

Each term also has a fixed *bit* in the search index (``SearchEntry.term_bits``): the bit
order below is part of the index format — append new terms at the end of a taxonomy's
list only together with a reindex (``manage.py directory_reindex``).
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f0f1f7e-6c1b-4a57-9d55-2f0b6b8f0c11")
TAXONOMY_URI = "https://mantelzorg.example/taxonomies/"

SUPPORT_DOMAINS = "support_domains"
CARE_LADDER = "care_ladder"
RESPITE_FORMS = "respite_forms"
TARGET_GROUPS = "target_groups"

# code → (name_nl, name_en, description_nl)
TAXONOMIES: dict[str, tuple[str, str, str]] = {
    SUPPORT_DOMAINS: (
        "Vraaggebieden van mantelzorgers",
        "Support domains for caregivers",
        "De 8 vraaggebieden (basisfuncties) voor mantelzorgondersteuning, naamgeving van MantelzorgNL.",
    ),
    CARE_LADDER: (
        "Zorgladder Mantelzorg",
        "Care ladder for caregivers",
        "De 5 treden van de Zorgladder Mantelzorg van MantelzorgNL.",
    ),
    RESPITE_FORMS: (
        "Vormen van respijtzorg",
        "Forms of respite care",
        "Hoe de zorg tijdelijk wordt overgenomen: thuis, overdag buitenshuis, logeren of op vakantie.",
    ),
    TARGET_GROUPS: (
        "Doelgroepen",
        "Target groups",
        "Voor welke mantelzorgers of naasten het aanbod vooral bedoeld is.",
    ),
}

# taxonomy code → list of (term code, name_nl, name_en, description_nl); order = bit order.
TERMS: dict[str, list[tuple[str, str, str, str]]] = {
    SUPPORT_DOMAINS: [
        (
            "information",
            "Informatie en advies",
            "Information and advice",
            "Uitleg over regelingen, zorg en hulp.",
        ),
        (
            "guidance",
            "Persoonlijke begeleiding",
            "Personal guidance",
            "Iemand die met je meedenkt en je helpt.",
        ),
        (
            "emotional_support",
            "Emotionele steun",
            "Emotional support",
            "Een luisterend oor, lotgenotencontact.",
        ),
        ("education", "Educatie", "Education", "Cursussen en training voor mantelzorgers."),
        ("practical_help", "Praktische hulp", "Practical help", "Hulp bij klussen, vervoer, boodschappen."),
        (
            "respite",
            "Respijtzorg",
            "Respite care",
            "De zorg tijdelijk overdragen, zodat je even op adem komt.",
        ),
        (
            "financial_help",
            "Financiële hulp",
            "Financial help",
            "Tegemoetkomingen, vergoedingen, mantelzorgwaardering.",
        ),
        ("material_help", "Materiële hulp", "Material help", "Hulpmiddelen en aanpassingen in huis."),
    ],
    CARE_LADDER: [
        (
            "ladder_1",
            "Wat kunnen jij en mensen uit je omgeving zelf doen?",
            "What you and the people around you can do",
            "Zorg delen in je eigen netwerk.",
        ),
        (
            "ladder_2",
            "Hulp van vrijwilligers en buurtgenoten",
            "Help from volunteers and neighbours",
            "Via het steunpunt mantelzorg of een welzijnsorganisatie.",
        ),
        (
            "ladder_3",
            "Hulp en ondersteuning vanuit de gemeente (Wmo)",
            "Help and support from the municipality (Wmo)",
            "De gemeente onderzoekt samen met jou en je naaste wat nodig is.",
        ),
        (
            "ladder_4",
            "Verpleging en verzorging aan huis",
            "Nursing and personal care at home",
            "Via de huisarts of wijkverpleegkundige.",
        ),
        (
            "ladder_5",
            "Tijdelijk verblijf (bij crisis)",
            "Temporary stay (in a crisis)",
            "Neem contact op met de huisarts of wijkverpleegkundige.",
        ),
    ],
    RESPITE_FORMS: [
        (
            "at_home",
            "Respijtzorg thuis",
            "Respite care at home",
            "Iemand neemt de zorg thuis een tijdje over.",
        ),
        (
            "day_care",
            "Dagopvang en dagbesteding",
            "Day care",
            "Je naaste gaat overdag ergens anders naartoe.",
        ),
        (
            "respite_stay",
            "Logeeropvang",
            "Respite stay",
            "Je naaste logeert een of meer nachten ergens anders.",
        ),
        ("holiday", "Vakantie met zorg", "Holiday with care", "Samen of apart op vakantie, met zorg erbij."),
    ],
    TARGET_GROUPS: [
        ("young_caregivers", "Jonge mantelzorgers", "Young caregivers", "Mantelzorgers tot 25 jaar."),
        (
            "working_caregivers",
            "Werkende mantelzorgers",
            "Working caregivers",
            "Mantelzorg combineren met werk.",
        ),
        (
            "older_caregivers",
            "Oudere mantelzorgers",
            "Older caregivers",
            "Mantelzorgers van 65 jaar en ouder.",
        ),
        (
            "dementia",
            "Mantelzorgers bij dementie",
            "Caregivers of people with dementia",
            "Zorg voor iemand met dementie.",
        ),
        (
            "ggz",
            "Mantelzorgers bij psychische problemen (ggz)",
            "Caregivers in mental health care",
            "Zorg voor iemand met psychische problemen.",
        ),
        (
            "parents_disabled_child",
            "Ouders van een kind met een beperking",
            "Parents of a disabled child",
            "Zorg voor je kind met een beperking of ziekte.",
        ),
        (
            "migration_background",
            "Mantelzorgers met een migratieachtergrond",
            "Caregivers with a migration background",
            "Aanbod in andere talen of met aandacht voor cultuur.",
        ),
    ],
}

# The English descriptions of the terms and taxonomies (the Dutch ones are in TERMS and
# TAXONOMIES): the English pages show these (TaxonomyTerm.description_label).
DESCRIPTIONS_EN: dict[str, str] = {
    SUPPORT_DOMAINS: "The 8 support domains (basic functions) of support for caregivers, as MantelzorgNL names them.",
    CARE_LADDER: "The 5 steps of MantelzorgNL's care ladder for caregivers.",
    RESPITE_FORMS: "How the care is taken over for a while: at home, during the day elsewhere, a stay or a holiday.",
    TARGET_GROUPS: "Which caregivers or people cared for the offer is mainly meant for.",
    f"{SUPPORT_DOMAINS}:information": "Explanation of schemes, care and help.",
    f"{SUPPORT_DOMAINS}:guidance": "Someone who thinks along with you and helps you.",
    f"{SUPPORT_DOMAINS}:emotional_support": "A listening ear, contact with other caregivers.",
    f"{SUPPORT_DOMAINS}:education": "Courses and training for caregivers.",
    f"{SUPPORT_DOMAINS}:practical_help": "Help with odd jobs, transport, shopping.",
    f"{SUPPORT_DOMAINS}:respite": "Handing over the care for a while, so that you can catch your breath.",
    f"{SUPPORT_DOMAINS}:financial_help": "Allowances, reimbursements, the municipality's appreciation for caregivers.",
    f"{SUPPORT_DOMAINS}:material_help": "Aids and adaptations in the home.",
    f"{CARE_LADDER}:ladder_1": "Sharing the care in your own network.",
    f"{CARE_LADDER}:ladder_2": "Through the support centre for caregivers or a welfare organisation.",
    f"{CARE_LADDER}:ladder_3": "The municipality looks into what is needed, together with you and the person you care for.",
    f"{CARE_LADDER}:ladder_4": "Through the GP or the district nurse.",
    f"{CARE_LADDER}:ladder_5": "Contact the GP or the district nurse.",
    f"{RESPITE_FORMS}:at_home": "Someone takes over the care at home for a while.",
    f"{RESPITE_FORMS}:day_care": "The person you care for goes somewhere else during the day.",
    f"{RESPITE_FORMS}:respite_stay": "The person you care for stays somewhere else for one or more nights.",
    f"{RESPITE_FORMS}:holiday": "On holiday together or apart, with care arranged.",
    f"{TARGET_GROUPS}:young_caregivers": "Caregivers up to 25 years old.",
    f"{TARGET_GROUPS}:working_caregivers": "Combining care with work.",
    f"{TARGET_GROUPS}:older_caregivers": "Caregivers aged 65 and over.",
    f"{TARGET_GROUPS}:dementia": "Caring for someone with dementia.",
    f"{TARGET_GROUPS}:ggz": "Caring for someone with mental health problems.",
    f"{TARGET_GROUPS}:parents_disabled_child": "Caring for your child with a disability or illness.",
    f"{TARGET_GROUPS}:migration_background": "Offers in other languages or with attention to culture.",
}
# Term id → English description (terms of other taxonomies, from an HSDS import, have none).
_TERM_DESCRIPTIONS_EN: dict = {}


def term_description_en(term_id_) -> str:
    if not _TERM_DESCRIPTIONS_EN:
        for tax, terms in TERMS.items():
            for code, *_ in terms:
                _TERM_DESCRIPTIONS_EN[term_id(tax, code)] = DESCRIPTIONS_EN[f"{tax}:{code}"]
    return _TERM_DESCRIPTIONS_EN.get(term_id_, "")


# Bit positions in SearchEntry.term_bits: "<taxonomy>:<term>" → bit.
TERM_BITS: dict[str, int] = {}
for _taxonomy, _terms in TERMS.items():
    for _code, *_ in _terms:
        TERM_BITS[f"{_taxonomy}:{_code}"] = len(TERM_BITS)


def taxonomy_id(code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"taxonomy:{code}")


def term_id(taxonomy: str, code: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"term:{taxonomy}:{code}")


def codes(taxonomy: str) -> list[str]:
    return [code for code, *_ in TERMS[taxonomy]]


def mask(taxonomy: str, selected) -> int:
    """The bitmask for a set of term codes of one taxonomy (unknown codes are ignored)."""
    bits = 0
    for code in selected or ():
        bit = TERM_BITS.get(f"{taxonomy}:{code}")
        if bit is not None:
            bits |= 1 << bit
    return bits


def load_taxonomies(Taxonomy, TaxonomyTerm) -> int:  # noqa: N803 - model classes (also from migrations)
    """Create or update every taxonomy and term. Idempotent. Returns the number of terms."""
    count = 0
    for code, (name, name_en, description) in TAXONOMIES.items():
        taxonomy, _ = Taxonomy.objects.update_or_create(
            id=taxonomy_id(code),
            defaults={
                "code": code,
                "name": name,
                "name_en": name_en,
                "description": description,
                "uri": TAXONOMY_URI + code,
                "version": "1",
            },
        )
        for position, (term_code, term_name, term_name_en, term_description) in enumerate(TERMS[code]):
            TaxonomyTerm.objects.update_or_create(
                id=term_id(code, term_code),
                defaults={
                    "taxonomy": taxonomy,
                    "code": term_code,
                    "name": term_name,
                    "name_en": term_name_en,
                    "description": term_description,
                    "language": "nl",
                    "position": position,
                    "term_uri": f"{TAXONOMY_URI}{code}#{term_code}",
                },
            )
            count += 1
    return count
