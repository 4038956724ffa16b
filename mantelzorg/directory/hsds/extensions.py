"""Our HSDS 3.0 extensions: the one list of the fields we add to the official objects.

Per HSDS object (the ``name`` of its official schema: ``service``, ``organization``, …; ``base``
is the answer of ``GET /api/hsds/3.0/``) the extension fields it may carry, each with its
description. The profile page (``/api/hsds/3.0/profile/``, ``extensions``) shows this list, and
the strict schema validation of the tests (``tests/test_hsds_support.py``) allows exactly these
fields beside the official ones: a field that is not here fails the tests, and adding it here
(documenting it) is the one way to allow it. docs/api/hsds.md
"""

from __future__ import annotations

EXTENSIONS: dict[str, dict[str, str]] = {
    "base": {"publisher": "object: name and url of who publishes this directory"},
    "service": {
        "cost_kind": "free | own_contribution | paid",
        "needs_indication": "boolean: an indication (Wmo/Wlz) is needed",
        "needs_referral": "boolean: a referral (e.g. from the GP) is needed",
        "law": "none | wmo | wlz | zvw: the law that funds it",
        "what_to_expect": "text: what happens when you go there",
        "distance": "integer metres from the postcode (list with postcode and proximity only)",
        "service_capacity": "services with respite beds: [one HSDS 3.1 service_capacity object] with "
        "available (beds free tonight), maximum (beds in use), unit (Bed), description and updated "
        "(when counted: live)",
        "publication": "draft | published | withdrawn (exports only). The API shows published "
        "services; withdrawn ones (taken off by an editor) only at /services/{id} and in "
        "/services?modified_after=…, with status defunct",
    },
    "service_at_location": {
        "distance": "integer metres from the postcode to the location (list with postcode and proximity only)",
    },
    "organization": {
        "kind": "support_centre | welfare | care_provider | volunteer | municipality | national | other",
        "municipalities": "CBS codes of the gemeenten it works in",
    },
    "location": {"municipality_code": "CBS code of the gemeente it lies in"},
    "service_area": {"municipality_code": "CBS gemeente code", "is_national": "boolean"},
    "schedule": {"timezone_name": "IANA zone (Europe/Amsterdam)", "rrule_freq": "DAILY | YEARLY"},
    "taxonomy": {"code": "stable code", "name_en": "English name"},
    "taxonomy_term": {"name_en": "English name", "position": "order within its taxonomy"},
}
