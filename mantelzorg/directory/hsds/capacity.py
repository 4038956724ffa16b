"""``service_capacity`` on the HSDS services that have respite beds (issue 15, C7): how many of
their beds are free tonight, as HSDS publishes capacity (``service_capacity``: available /
maximum / unit / updated; Open Referral HSDS 3.1, ``schema/service_capacity.json`` and
``schema/unit.json``; our 3.0 API carries it as a documented extension of ``service``,
``extensions.EXTENSIONS``).

One ``service_capacity`` per such service, its unit the bed. The ids are stable (UUID 5 of the
service), so a client that synchronises sees the same object change. ``updated`` is the moment
the answer was worked out: the count is live (``respite.selectors.service_capacity``: three
queries for a whole page of services)."""

from __future__ import annotations

import datetime as dt
import uuid

NAMESPACE = uuid.UUID("6f1f3c2e-5a47-4b8e-9a43-3c0d8f6d2b71")  # this project's names for HSDS ids
BED = {
    "id": str(uuid.uuid5(NAMESPACE, "unit:bed")),
    "name": "Bed",
    "scheme": "mantelzorg",
    "identifier": "bed",
}
DESCRIPTION = "Beds free tonight for a respite stay (logeerzorg, ELV, crisis, GRZ)"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def capacities(service_ids, *, now=None) -> dict[str, list[dict]]:
    """Per service id (text) that has beds in use: its ``service_capacity`` list."""
    from mantelzorg.respite import selectors

    out = {}
    for service_id, counts in selectors.service_capacity(service_ids, now=now).items():
        out[str(service_id)] = [
            {
                "id": str(uuid.uuid5(NAMESPACE, f"service_capacity:{service_id}")),
                "unit": dict(BED),
                "available": counts["available"],
                "maximum": counts["maximum"],
                "description": DESCRIPTION,
                "updated": _iso(counts["updated"]),
            }
        ]
    return out


def add_to(items: list[dict], *, now=None) -> list[dict]:
    """Give each service item (``id``) with beds its ``service_capacity``; the others stay as they are."""
    if items:
        found = capacities([item["id"] for item in items], now=now)
        for item in items:
            if item["id"] in found:
                item["service_capacity"] = found[item["id"]]
    return items
