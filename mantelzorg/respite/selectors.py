"""Reading stays, guests and occupancy with the access rule, once (issue 15, C7).

Who sees a stay (``stay_get``):
- the person who requested it (a caregiver, or a professional for their patient);
- the provider: professionals of the organisation whose directory organisation runs the unit's
  service (``Organization.account_organisation``);
- the regional coordinator: a coordinator of an organisation that works in the unit's gemeente.
Anyone else gets 404, audited as denied. Gemeente staff see counts only (``occupancy``), never a
stay. Every read of a stay's personal data writes one audit row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NoReturn

from django.http import Http404
from django.utils import timezone

from mantelzorg.accounts.models import Role
from mantelzorg.accounts.selectors import staff_municipality_codes
from mantelzorg.core import audit

from . import availability
from .models import Guest, Kind, Stay, Unit, WaitingEntry

PROVIDER_ROLES = frozenset({Role.PROFESSIONAL})
OWN_PURPOSE = "the requester's own respite request"
PROVIDER_PURPOSE = "deciding on a respite request (provider)"
REGION_PURPOSE = "regional coordination of temporary stays"
OCCUPANCY_WEEKS = 8


def _signed_in(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _organisation_ids(user) -> frozenset[int]:
    ids = getattr(user, "_mz_organisation_ids", None)
    if ids is None:
        ids = frozenset(user.organisations.values_list("pk", flat=True))
        user._mz_organisation_ids = ids
    return ids


def provider_service_ids(user) -> frozenset:
    """The directory services whose units ``user`` manages as provider staff."""
    from mantelzorg.directory.models import Service

    if user is None or not user.is_authenticated or user.role not in PROVIDER_ROLES:
        return frozenset()
    orgs = _organisation_ids(user)
    if not orgs:
        return frozenset()
    return frozenset(
        Service.objects.filter(organization__account_organisation__in=orgs).values_list("pk", flat=True)
    )


def region_codes(user) -> frozenset[str]:
    """The gemeenten whose occupancy ``user`` sees: a coordinator's organisations' gemeenten, or a
    staff member's gemeenten (counts only)."""
    from mantelzorg.core.models import Municipality

    if user is None or not user.is_authenticated:
        return frozenset()
    if user.role == Role.MUNICIPAL_STAFF:
        return staff_municipality_codes(user)
    if user.role == Role.COORDINATOR:
        codes = getattr(user, "_mz_region_codes", None)  # read once per request's user
        if codes is None:
            codes = frozenset(
                Municipality.objects.filter(organisations__in=_organisation_ids(user)).values_list(
                    "code", flat=True
                )
            )
            user._mz_region_codes = codes
        return codes
    return frozenset()


def is_coordinator(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role == Role.COORDINATOR)


@dataclass(frozen=True)
class Seen:
    """A stay and as whom the caller sees it: ``requester``, ``provider`` or ``coordinator``."""

    stay: Stay
    as_: str

    @property
    def decides(self) -> bool:
        return self.as_ == "provider"


def _refuse(request, stay_id, action: str, why: str) -> NoReturn:
    audit.denied(
        request=request,
        action=action,
        object_type="respite.stay",
        object_id=str(stay_id),
        subject=audit.NONE,
        purpose=why,
    )
    raise Http404


def stay_get(request, stay_id, *, action: str, read: bool = True, as_: tuple[str, ...] = ()) -> Seen:
    """The stay if the caller may see it (as one of ``as_`` when given), or 404, audited either
    way. ``read=False`` for a request that changes it: the service writes that request's row."""
    user = _signed_in(request)
    stay = (
        Stay.objects.select_related(
            "unit__service__organization", "unit__location", "unit__municipality", "guest", "requested_by"
        )
        .filter(pk=stay_id)
        .first()
        if user is not None
        else None
    )
    seen = None
    if stay is not None:
        if stay.requested_by_id == user.pk:
            seen = Seen(stay, "requester")
        elif stay.unit.service_id in provider_service_ids(user):
            seen = Seen(stay, "provider")
        elif is_coordinator(user) and stay.unit.municipality_id in region_codes(user):
            seen = Seen(stay, "coordinator")
    if seen is None or (as_ and seen.as_ not in as_):
        _refuse(request, stay_id, action, "not a stay of the caller, their provider or their region")
    assert seen is not None and stay is not None
    if read:
        audit.log(
            request=request,
            action=action,
            obj=seen.stay,
            subject=seen.stay.requested_by_id or audit.NONE,
            purpose={"requester": OWN_PURPOSE, "provider": PROVIDER_PURPOSE}.get(seen.as_, REGION_PURPOSE),
        )
    return seen


def _log_list(request, action: str, rows, subject, purpose: str) -> None:
    if rows:
        audit.log(
            request=request,
            action=action,
            object_type="respite.stay",
            object_id=",".join(str(s.pk)[:8] for s in rows)[:50],
            subject=subject,
            purpose=purpose,
        )


def stays_of(request) -> list[Stay]:
    """The caller's own requests and stays, the coming ones first (one audit row)."""
    user = _signed_in(request)
    if user is None:
        return []
    rows = list(
        Stay.objects.filter(requested_by=user)
        .select_related("unit__service", "unit__location", "guest")
        .order_by("-arrival")[:50]
    )
    _log_list(request, "respite.stay.listed", rows, user, OWN_PURPOSE)
    return rows


def guests_of(user) -> list[Guest]:
    if user is None or not user.is_authenticated:
        return []
    return list(Guest.objects.filter(owner=user).select_related("municipality"))


def guest_of(user, guest_id) -> Guest | None:
    if user is None or not user.is_authenticated or not guest_id:
        return None
    return Guest.objects.filter(owner=user, pk=guest_id).first()


def waiting_of(user) -> list[WaitingEntry]:
    if user is None or not user.is_authenticated:
        return []
    return list(
        WaitingEntry.objects.filter(
            user=user, state__in=(WaitingEntry.State.WAITING, WaitingEntry.State.OFFERED)
        )
    )


def waiting_entry_of(request, entry_id) -> WaitingEntry:
    user = _signed_in(request)
    entry = WaitingEntry.objects.filter(pk=entry_id, user=user).first() if user else None
    if entry is None:
        audit.denied(
            request=request,
            action="respite.waiting.withdrawn",
            object_type="respite.waitingentry",
            object_id=str(entry_id),
            subject=audit.NONE,
            purpose="not the caller's own waiting-list entry",
        )
        raise Http404
    return entry


def provider_inbox(request) -> dict:
    """For provider staff: requests waiting for a decision (oldest first) and the coming
    confirmed stays, of their own units only (one audit row)."""
    user = _signed_in(request)
    services = provider_service_ids(user)
    if not services:
        return {"waiting": [], "coming": [], "services": frozenset()}
    today = timezone.localdate()
    rows = Stay.objects.filter(unit__service_id__in=services).select_related(
        "unit__service", "unit__location", "guest"
    )
    waiting = list(rows.filter(state=Stay.State.HELD, hold_until__gt=timezone.now()).order_by("created_at"))
    coming = list(rows.filter(state=Stay.State.CONFIRMED, departure__gt=today).order_by("arrival")[:100])
    _log_list(request, "respite.inbox.read", waiting + coming, audit.NONE, PROVIDER_PURPOSE)
    return {"waiting": waiting, "coming": coming, "services": services}


def provider_units(user, service_ids=None) -> list[Unit]:
    services = provider_service_ids(user)
    if service_ids is not None:
        services = services & frozenset(service_ids)
    return list(Unit.objects.filter(service_id__in=services).select_related("service", "location"))


def unit_for_provider(request, unit_id) -> Unit:
    user = _signed_in(request)
    unit = Unit.objects.filter(pk=unit_id, service_id__in=provider_service_ids(user)).first()
    if unit is None:
        audit.denied(
            request=request,
            action="respite.unit.read",
            object_type="respite.unit",
            object_id=str(unit_id),
            subject=audit.NONE,
            purpose="not a unit of the caller's organisation",
        )
        raise Http404
    return unit


AGE_BUCKETS = ((dt.timedelta(hours=4), "under_4h"), (dt.timedelta(hours=24), "under_24h"), (None, "over_24h"))


def occupancy(user, *, first: dt.date | None = None, weeks: int = OCCUPANCY_WEEKS, now=None) -> dict:
    """Counts per gemeente and kind, per day for ``weeks`` weeks from ``first`` (today): free,
    held, booked, closed; and the requests waiting for a decision by age. No personal data, so
    gemeente staff see it too (their own gemeenten); empty for anyone without a region."""
    from mantelzorg.core.models import Municipality

    now = now or timezone.now()
    first = first or timezone.localdate(now)
    codes = region_codes(user)
    if not codes:
        return {"rows": [], "waiting": {}, "days": []}
    names = dict(Municipality.objects.filter(code__in=codes).values_list("code", "name"))
    days = weeks * 7
    groups = availability.capacity_by_region(codes, first, days, now=now)
    rows = [
        {
            "municipality": code,
            "municipality_name": names.get(code, code),
            "kind": kind,
            "kind_label": Kind(kind).label,
            "days": groups[(code, kind)],
        }
        for code, kind in sorted(groups, key=lambda key: (names.get(key[0], ""), key[1]))
    ]
    waiting: dict[str, int] = {name: 0 for _, name in AGE_BUCKETS}
    for created in Stay.objects.filter(
        unit__municipality_id__in=codes, state=Stay.State.HELD, hold_until__gt=now
    ).values_list("created_at", flat=True):
        age = now - created
        waiting[next(name for limit, name in AGE_BUCKETS if limit is None or age < limit)] += 1
    return {"rows": rows, "waiting": waiting, "days": [first + dt.timedelta(days=n) for n in range(days)]}


def region_requests(request) -> list[Stay]:
    """For a coordinator: the requests waiting in their region, oldest first (one audit row)."""
    user = _signed_in(request)
    if not is_coordinator(user):
        return []
    rows = list(
        Stay.objects.filter(
            unit__municipality_id__in=region_codes(user), state=Stay.State.HELD, hold_until__gt=timezone.now()
        )
        .select_related("unit__service", "unit__municipality")
        .order_by("created_at")[:200]
    )
    _log_list(request, "respite.region.read", rows, audit.NONE, REGION_PURPOSE)
    return rows


def service_capacity(service_ids, *, now=None) -> dict:
    """HSDS ``service_capacity`` per service with units, for tonight: ``available`` / ``maximum``
    beds and when that was worked out (``updated``: live, the moment of the answer). Three queries
    for any number of services: their units in use, the stays that occupy tonight, the closures of
    today."""
    from django.db.models import Q

    from .models import OCCUPYING, Closure

    now = now or timezone.now()
    today = timezone.localdate(now)
    service_of = dict(
        Unit.objects.filter(service_id__in=list(service_ids), active=True).values_list("pk", "service_id")
    )
    if not service_of:
        return {}
    taken = set(
        Stay.objects.filter(
            unit_id__in=list(service_of), state__in=OCCUPYING, arrival__lte=today, departure__gt=today
        )
        .filter(Q(state=Stay.State.CONFIRMED) | Q(hold_until__gt=now))
        .values_list("unit_id", flat=True)
    )
    taken |= set(
        Closure.objects.filter(
            unit_id__in=list(service_of), first_day__lte=today, last_day__gte=today
        ).values_list("unit_id", flat=True)
    )
    result: dict = {}
    for unit_id, service_id in service_of.items():
        counts = result.setdefault(service_id, {"available": 0, "maximum": 0, "updated": now})
        counts["maximum"] += 1
        counts["available"] += unit_id not in taken
    return result


def my_respite(request) -> dict:
    """The start page of a signed-in caregiver or professional: their requests and stays, their
    waiting-list entries and their guests with the nights left this year. One audit row (the
    caller's own records), whether or not there is anything yet."""
    from . import services

    user = _signed_in(request)
    if user is None:
        return {"stays": [], "waiting": [], "guests": []}
    stays = list(
        Stay.objects.filter(requested_by=user)
        .select_related("unit__service", "unit__location", "guest")
        .order_by("-arrival")[:50]
    )
    year = timezone.localdate().year
    guests = [(guest, services.allowance_left(guest, year)) for guest in guests_of(user)]
    audit.log(
        request=request,
        action="respite.stay.listed",
        object_type="respite.stay",
        object_id=f"user:{user.pk}",
        subject=user,
        purpose=OWN_PURPOSE,
    )
    return {"stays": stays, "waiting": waiting_of(user), "guests": guests, "year": year}


def request_choices(request) -> dict:
    """For the request form: the caller's guests (with the nights left this year) and the care
    networks in which they are a main carer, so the stay can appear in that agenda. One audit row."""
    from mantelzorg.network.selectors import network_list_for_user

    user = _signed_in(request)
    guests = guests_of(user)
    networks = [access for access in network_list_for_user(user) if access.main_carer]
    audit.log(
        request=request,
        action="respite.guest.listed",
        object_type="respite.guest",
        object_id=f"user:{user.pk}",
        subject=user,
        purpose=OWN_PURPOSE,
    )
    return {"guests": guests, "networks": networks}


ALLOWANCE_PURPOSE = "setting the respite nights a gemeente grants a year"


def allowance_municipalities(request, *, action: str, code: str | None = None) -> list:
    """The gemeenten whose yearly nights the caller sets: gemeente staff, their own gemeenten
    (``code``: that one only). Anyone else, or another gemeente, gets 404, audited as denied."""
    from mantelzorg.core.models import Municipality

    codes = staff_municipality_codes(_signed_in(request))
    if code is not None:
        codes = codes & {code.upper()}
    municipalities = list(Municipality.objects.filter(code__in=codes).order_by("name"))
    if not municipalities:
        audit.denied(
            request=request,
            action=action,
            object_type="core.municipality",
            object_id=code or audit.NONE,
            subject=audit.NONE,
            purpose="not gemeente staff of this gemeente",
        )
        raise Http404
    return municipalities


def allowances_of(municipalities, years) -> dict[tuple[str, int], int]:
    """The nights a year of these gemeenten: {(code, year): nights}; a missing key is no maximum."""
    from .models import Allowance

    rows = Allowance.objects.filter(municipality__in=municipalities, year__in=list(years))
    return {(a.municipality_id, a.year): a.nights for a in rows}
