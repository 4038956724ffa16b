"""The respite app's part of a person's data (core.personal_data): the guests they described,
their requests and stays, and their places on the waiting list. Erasure cancels what is still
open (the nights go to the waiting list), anonymises the stays (the provider's administration
keeps the unit and the dates, not the person) and removes guests and waiting-list entries."""

from __future__ import annotations

from mantelzorg.core import personal_data


def _date(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    from .models import Guest, Stay, WaitingEntry

    return {
        "respite_guests": [
            {
                "id": str(g.pk),
                "name": g.name,
                "birth_year": g.birth_year,
                "postcode_area": g.pc4,
                "gemeente": g.municipality_id,
                "target_groups": g.target_groups,
                "wheelchair": g.wheelchair,
                "night_care": g.night_care,
                "behaviour": g.behaviour,
                "created_at": g.created_at.isoformat(),
            }
            for g in Guest.objects.filter(owner=user).order_by("created_at", "pk")
        ],
        "respite_stays": [
            {
                "id": str(s.pk),
                "house": s.unit.service.name,
                "unit": s.unit.name,
                "arrival": s.arrival.isoformat(),
                "departure": s.departure.isoformat(),
                "state": s.state,
                "guest": str(s.guest_id) if s.guest_id else None,
                "funding": s.funding,
                "urgency": s.urgency,
                "needs": s.needs,
                "contact_phone": s.contact_phone,
                "indication": s.indication,
                "reason": s.reason,
                "requested_at": s.created_at.isoformat(),
                "decided_at": _date(s.decided_at),
            }
            for s in Stay.objects.filter(requested_by=user)
            .select_related("unit__service")
            .order_by("created_at", "pk")
        ],
        "respite_waiting_list": [
            {
                "id": str(w.pk),
                "postcode_area": w.pc4,
                "radius_km": w.radius_km,
                "arrival": w.arrival.isoformat(),
                "departure": w.departure.isoformat(),
                "kind": w.kind,
                "funding": w.funding,
                "needs": w.needs,
                "state": w.state,
                "created_at": w.created_at.isoformat(),
            }
            for w in WaitingEntry.objects.filter(user=user).order_by("created_at", "pk")
        ],
    }


def erase(user, request) -> None:
    from . import services

    services.person_erase(user=user, request=request)


PROVIDER = personal_data.Provider(
    app="respite",
    export=export,
    erase=erase,
    models=("respite.Guest", "respite.Stay", "respite.WaitingEntry"),
)
