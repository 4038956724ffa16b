"""Changing what the respite app keeps (issue 15, C7): requests, decisions, cancellations, holds
that lapse, the waiting list and its offers, the provider's units and closures.

The state machine of a ``Stay`` (docs/respite-booking.md):

    offered --accept--> held --confirm--> confirmed --cancel--> cancelled
       |                 |--decline--> declined
       |                 |--cancel---> cancelled
       '--lapse/refuse-->'--lapse----> expired

Each transition is one conditional UPDATE (``WHERE state = … [AND hold_until > now]``): of two
racing transitions of one stay exactly one changes the row; the other finds it changed and fails
with ``Conflict``. Taking nights (a request, an offer) inserts a row that occupies them; the
database refuses an overlap on the same unit (exclusion constraint on PostgreSQL, a trigger on
SQLite, on top of SQLite's one writer at a time), so a night is never given twice whatever Python
checked before. Every service writes the request's one audit row."""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from mantelzorg.core import audit, geo

from . import availability, index
from .models import OCCUPYING, Funding, Guest, Stay, Unit, Urgency, WaitingEntry

logger = logging.getLogger(__name__)

PURPOSE_REQUEST = "requesting respite for the person cared for"
PURPOSE_PROVIDER = "deciding on a respite request (provider)"
PURPOSE_SYSTEM = "keeping respite holds and the waiting list up to date"
OFFER_HOURS = 24  # a waiting-list offer is valid this long (pretix: 24 h vouchers)


class Refused(Exception):
    """A request or transition that cannot be done: ``code`` for the API, ``message`` for people."""

    code = "refused"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NoCapacity(Refused):
    """The nights are gone (HTTP 409)."""

    code = "capacity_gone"


class Conflict(Refused):
    """The stay is no longer in the state the transition needs (HTTP 409)."""

    code = "state_changed"


@contextmanager
def _refusal_audited(request, *, action: str, obj, subject, purpose: str):
    """A request that is refused still leaves its one audit row (outcome failure), written after
    the transaction rolled back; the refusal then goes on to the caller."""
    try:
        yield
    except Refused:
        audit.log(
            request=request,
            action=action,
            obj=obj,
            subject=subject,
            purpose=purpose,
            outcome=audit.OUTCOME_FAILURE,
        )
        raise


def hold_hours() -> int:
    return int(getattr(settings, "RESPITE_HOLD_HOURS", 48))


# --- the yearly allowance ---------------------------------------------------------------------


def nights_used(guest: Guest, year: int, *, exclude=None) -> int:
    """Wmo-funded nights of ``guest`` in calendar ``year`` that are taken or asked for (offered,
    held while its time runs, confirmed)."""
    now = timezone.now()
    first, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    stays = (
        Stay.objects.filter(guest=guest, funding=Funding.WMO, state__in=OCCUPYING)
        .filter(Q(state=Stay.State.CONFIRMED) | Q(hold_until__gt=now))
        .filter(arrival__lt=end, departure__gt=first)
    )
    if exclude is not None:
        stays = stays.exclude(pk=exclude.pk)
    return sum(
        (min(departure, end) - max(arrival, first)).days
        for arrival, departure in stays.values_list("arrival", "departure")
    )


def allowance_left(guest: Guest, year: int, *, exclude=None) -> tuple[int, int] | None:
    """(nights left, nights a year) of the guest's gemeente for ``year``, or None when the gemeente
    sets no allowance; ``exclude``: a stay not to count (an offer being accepted)."""
    from .models import Allowance

    allowance = Allowance.objects.filter(municipality_id=guest.municipality_id, year=year).first()
    if allowance is None:
        return None
    return max(0, allowance.nights - nights_used(guest, year, exclude=exclude)), allowance.nights


def _check_allowance(
    guest: Guest | None, funding: str, arrival: dt.date, departure: dt.date, *, exclude=None
) -> None:
    """Refused (``allowance_exceeded``) when the Wmo-funded nights of this stay, per calendar year,
    are more than the guest's gemeente has left; other funding is not counted."""
    from django.utils.translation import gettext as _

    if guest is None or funding != Funding.WMO:
        return
    day = arrival
    wanted: dict[int, int] = {}
    while day < departure:
        wanted[day.year] = wanted.get(day.year, 0) + 1
        day += dt.timedelta(days=1)
    for year, nights in wanted.items():
        left = allowance_left(guest, year, exclude=exclude)
        if left is not None and nights > left[0]:
            raise Refused(
                _("%(name)s has %(left)s of %(total)s nights left in %(year)s; this stay needs %(nights)s.")
                % {"name": guest.name, "left": left[0], "total": left[1], "year": year, "nights": nights},
                code="allowance_exceeded",
            )


PURPOSE_ALLOWANCE = "setting the respite nights a gemeente grants a year"
MAX_ALLOWANCE = 365


def allowances_set(*, request, municipality, nights: dict[int, int | None]) -> list[int]:
    """Gemeente staff set the nights of Wmo-funded respite their gemeente grants per naaste, per
    year (``{year: nights}``, 0–365; ``None`` removes it: no maximum). Only the years that change
    are written, with one audit row for the request; returns those years. The caller checked that
    the staff member works for this gemeente (``selectors.allowance_municipalities``)."""
    from django.utils.translation import gettext as _

    from .models import Allowance

    for value in nights.values():
        if value is not None and not 0 <= value <= MAX_ALLOWANCE:
            raise Refused(
                _("Fill in a whole number from 0 to %(max)s.") % {"max": MAX_ALLOWANCE},
                code="allowance_out_of_range",
            )
    with transaction.atomic():
        current = dict(
            Allowance.objects.select_for_update()
            .filter(municipality=municipality, year__in=list(nights))
            .values_list("year", "nights")
        )
        changed = sorted(year for year, value in nights.items() if current.get(year) != value)
        for year in changed:
            value = nights[year]
            if value is None:
                Allowance.objects.filter(municipality=municipality, year=year).delete()
            else:
                Allowance.objects.update_or_create(
                    municipality=municipality, year=year, defaults={"nights": value}
                )
        if changed:
            audit.log(
                request=request,
                action="respite.allowance.set",
                object_type="respite.allowance",
                object_id=f"{municipality.pk}:{','.join(map(str, changed))}",
                subject=audit.NONE,
                purpose=PURPOSE_ALLOWANCE,
            )
    return changed


# --- guests -----------------------------------------------------------------------------------


def guest_save(*, owner, guest: Guest | None = None, postcode: str, **fields) -> Guest:
    """Create or change a guest of ``owner`` (no audit row of its own: the request it is part of
    writes one)."""
    place = geo.resolve_postcode(postcode)
    guest = guest or Guest(owner=owner)
    for name, value in fields.items():
        setattr(guest, name, value)
    guest.pc4, guest.municipality = place.pc4, place.municipality
    guest.full_clean(exclude=["owner", "municipality", "network"])
    guest.save()
    return guest


# --- taking nights ----------------------------------------------------------------------------


def _expire_lapsed(unit_ids, now) -> list[Stay]:
    """Mark the offered and held stays of these units whose time is up as expired (inside the
    caller's transaction) and return them, so that their nights may be taken."""
    # Locked (PostgreSQL: FOR UPDATE re-reads a row a racing confirm or accept changed meanwhile
    # and leaves it out), so that only stays this transaction really expires are returned, offered
    # on and audited. SQLite runs the whole transaction alone (BEGIN IMMEDIATE).
    lapsed = list(
        Stay.objects.select_for_update(of=("self",))
        .filter(unit_id__in=unit_ids, state__in=(Stay.State.OFFERED, Stay.State.HELD), hold_until__lte=now)
        .select_related("waiting")
        .order_by("pk")  # one lock order for every transaction: two expiring at once cannot deadlock
    )
    if lapsed:
        Stay.objects.filter(
            pk__in=[s.pk for s in lapsed],
            state__in=(Stay.State.OFFERED, Stay.State.HELD),
            hold_until__lte=now,
        ).update(state=Stay.State.EXPIRED)
        _lapse_waiting([s for s in lapsed if s.state == Stay.State.OFFERED])
    return lapsed


def _lapse_waiting(offers) -> None:
    ids = [s.waiting_id for s in offers if s.waiting_id]
    if ids:
        WaitingEntry.objects.filter(pk__in=ids, state=WaitingEntry.State.OFFERED).update(
            state=WaitingEntry.State.WITHDRAWN
        )


def _occupy(unit_ids, arrival: dt.date, departure: dt.date, now, **fields) -> Stay:
    """Insert a stay on the first of ``unit_ids`` that can take it, inside the caller's
    transaction. The database refuses an overlap (a rival committed first): try the next unit;
    NoCapacity when none is left."""
    from django.utils.translation import gettext as _

    _expire_lapsed(unit_ids, now)
    for unit_id in availability.free_units(list(unit_ids), arrival, departure, now=now):
        try:
            with transaction.atomic():  # a savepoint: an IntegrityError leaves the outer one usable
                return Stay.objects.create(unit_id=unit_id, arrival=arrival, departure=departure, **fields)
        except IntegrityError:
            continue
    raise NoCapacity(_("These nights have just been taken. Choose other dates or another house."))


def _validate_dates(arrival: dt.date, departure: dt.date, today: dt.date) -> None:
    from django.utils.translation import gettext as _

    if departure <= arrival:
        raise Refused(_("The day you leave comes after the day you arrive."), code="dates_in_wrong_order")
    if arrival < today:
        raise Refused(_("The day you arrive cannot be in the past."), code="arrival_in_the_past")
    if (departure - arrival).days > availability.MAX_NIGHTS:
        raise Refused(
            _("A stay lasts at most %(nights)s nights.") % {"nights": availability.MAX_NIGHTS},
            code="stay_too_long",
        )


def stay_request(
    *,
    request,
    service,
    arrival: dt.date,
    departure: dt.date,
    guest: Guest | None,
    funding: str,
    need: availability.Need | None = None,
    urgency: str = Urgency.PLANNED,
    needs: str = "",
    contact_phone: str = "",
    indication: str = "",
) -> Stay:
    """Request a stay in one of ``service``'s units that fits ``need``: the nights are held for
    ``hold_hours()`` while the provider decides. Refused (dates, allowance) or NoCapacity."""

    with _refusal_audited(
        request, action="respite.stay.requested", obj=service, subject=request.user, purpose=PURPOSE_REQUEST
    ):
        stay = _request(
            request,
            service,
            arrival,
            departure,
            guest,
            funding,
            need or availability.Need(),
            urgency=urgency,
            needs=needs,
            contact_phone=contact_phone,
            indication=indication,
        )
    transaction.on_commit(lambda: _tell_provider(stay))
    return stay


def _request(request, service, arrival, departure, guest, funding, need, **fields) -> Stay:
    from django.utils.translation import gettext as _

    now = timezone.now()
    _validate_dates(arrival, departure, timezone.localdate(now))
    units = [
        u["id"]
        for u in Unit.objects.filter(service=service, active=True).values(*availability.UNIT_FIELDS)
        if need.fits(u) and funding in u["funding"]
    ]
    if not units:
        raise Refused(_("This house has no place that fits these needs."), code="no_matching_place")
    with index.changing():
        if guest is not None:
            # One request per guest at a time: two at once could both fit the allowance.
            Guest.objects.select_for_update().filter(pk=guest.pk).first()
            _check_allowance(guest, funding, arrival, departure)
        stay = _occupy(
            units,
            arrival,
            departure,
            now,
            state=Stay.State.HELD,
            hold_until=now + dt.timedelta(hours=hold_hours()),
            requested_by=request.user,
            guest=guest,
            funding=funding,
            **fields,
        )
        audit.log(
            request=request,
            action="respite.stay.requested",
            obj=stay,
            subject=request.user,
            purpose=PURPOSE_REQUEST,
        )
    return stay


# --- decisions and cancellations --------------------------------------------------------------


def _transition(stay: Stay, *, source, target: str, now, alive: bool = False, **fields) -> Stay:
    """Move ``stay`` from one of ``source`` to ``target`` in one conditional UPDATE (and, with
    ``alive``, only while its hold runs); Conflict when another request changed it first."""
    from django.utils.translation import gettext as _

    rows = Stay.objects.filter(pk=stay.pk, state__in=source)
    if alive:
        rows = rows.filter(hold_until__gt=now)
    if not rows.update(state=target, **fields):
        current = Stay.objects.get(pk=stay.pk)
        if current.state in (Stay.State.HELD, Stay.State.OFFERED) and current.hold_until <= now:
            # Its nights already count as free (availability); holds_expire marks it.
            raise Conflict(
                _("The time to decide on this request has run out; its nights are free again."),
                code="hold_expired",
            )
        raise Conflict(
            _("This request is now: %(state)s.") % {"state": Stay.State(current.state).label},
            code="state_changed",
        )
    stay.refresh_from_db()
    return stay


def stay_confirm(*, request, stay: Stay) -> Stay:
    """The provider confirms a held request while its hold runs: it becomes a booking. The nights
    were held by the request, so a confirm never takes more than there is."""
    now = timezone.now()
    with (
        _refusal_audited(
            request,
            action="respite.stay.confirmed",
            obj=stay,
            subject=_subject(stay),
            purpose=PURPOSE_PROVIDER,
        ),
        index.changing(),
    ):
        stay = _transition(
            stay,
            source=(Stay.State.HELD,),
            target=Stay.State.CONFIRMED,
            now=now,
            alive=True,
            hold_until=None,
            decided_by=request.user,
            decided_at=now,
        )
        _agenda_put(stay)
        audit.log(
            request=request,
            action="respite.stay.confirmed",
            obj=stay,
            subject=_subject(stay),
            purpose=PURPOSE_PROVIDER,
        )
    transaction.on_commit(lambda: _tell_requester(stay))
    return stay


def stay_decline(*, request, stay: Stay, reason: str) -> Stay:
    from django.utils.translation import gettext as _

    now = timezone.now()
    with (
        _refusal_audited(
            request,
            action="respite.stay.declined",
            obj=stay,
            subject=_subject(stay),
            purpose=PURPOSE_PROVIDER,
        ),
        index.changing(),
    ):
        if not reason.strip():
            raise Refused(_("Say why, so the person asking knows what to do next."), code="reason_required")
        stay = _transition(
            stay,
            source=(Stay.State.HELD,),
            target=Stay.State.DECLINED,
            now=now,
            hold_until=None,
            decided_by=request.user,
            decided_at=now,
            reason=reason.strip(),
        )
        audit.log(
            request=request,
            action="respite.stay.declined",
            obj=stay,
            subject=_subject(stay),
            purpose=PURPOSE_PROVIDER,
        )
        offers = waiting_offer(stay.unit_id, now=now)
    transaction.on_commit(lambda: _tell_each([stay, *offers]))
    return stay


def stay_cancel(*, request, stay: Stay, by_provider: bool = False, reason: str = "") -> Stay:
    """The requester (or the provider, with a reason) cancels a request or a booking; the nights
    go to the waiting list."""
    from django.utils.translation import gettext as _

    now = timezone.now()
    with (
        _refusal_audited(
            request,
            action="respite.stay.cancelled",
            obj=stay,
            subject=_subject(stay),
            purpose=PURPOSE_PROVIDER if by_provider else PURPOSE_REQUEST,
        ),
        index.changing(),
    ):
        if by_provider and not reason.strip():
            raise Refused(_("Say why, so the person asking knows what to do next."), code="reason_required")
        stay = _transition(
            stay,
            source=(Stay.State.HELD, Stay.State.CONFIRMED, Stay.State.OFFERED),
            target=Stay.State.CANCELLED,
            now=now,
            hold_until=None,
            reason=reason.strip(),
            **({"decided_by": request.user, "decided_at": now} if by_provider else {}),
        )
        if stay.waiting_id:
            WaitingEntry.objects.filter(pk=stay.waiting_id).update(state=WaitingEntry.State.WITHDRAWN)
        _agenda_cancel(stay)
        audit.log(
            request=request,
            action="respite.stay.cancelled",
            obj=stay,
            subject=_subject(stay),
            purpose=PURPOSE_PROVIDER if by_provider else PURPOSE_REQUEST,
        )
        offers = waiting_offer(stay.unit_id, now=now)
    transaction.on_commit(lambda: _tell_each(([stay] if by_provider else []) + offers))
    return stay


def offer_accept(*, request, stay: Stay) -> Stay:
    """The person on the waiting list takes the offer: it becomes a request the provider decides on."""
    now = timezone.now()
    with (
        _refusal_audited(
            request, action="respite.offer.accepted", obj=stay, subject=request.user, purpose=PURPOSE_REQUEST
        ),
        index.changing(),
    ):
        if stay.guest_id:
            Guest.objects.select_for_update().filter(pk=stay.guest_id).first()
            _check_allowance_for(stay)
        stay = _transition(
            stay,
            source=(Stay.State.OFFERED,),
            target=Stay.State.HELD,
            now=now,
            alive=True,
            hold_until=now + dt.timedelta(hours=hold_hours()),
        )
        if stay.waiting_id:
            WaitingEntry.objects.filter(pk=stay.waiting_id).update(state=WaitingEntry.State.ACCEPTED)
        audit.log(
            request=request,
            action="respite.offer.accepted",
            obj=stay,
            subject=request.user,
            purpose=PURPOSE_REQUEST,
        )
    transaction.on_commit(lambda: _tell_provider(stay))
    return stay


def _check_allowance_for(stay: Stay) -> None:
    """An offer's nights against the guest's allowance; the offer itself already counts as used,
    so it is left out."""
    _check_allowance(stay.guest, stay.funding, stay.arrival, stay.departure, exclude=stay)


def holds_expire(*, now=None) -> list[Stay]:
    """Mark every offered or held stay whose time is up as expired and offer the freed nights to
    the waiting list. Idempotent: a second run finds nothing. Run by the ``respite_expire_holds``
    command (every few minutes); requests and transitions also expire what they meet."""
    return holds_expire_counted(now=now)[0]


def holds_expire_counted(*, now=None) -> tuple[list[Stay], list[Stay]]:
    """``holds_expire``, returning (the stays expired, the waiting-list offers made)."""
    now = now or timezone.now()
    with index.changing():
        lapsed = _expire_lapsed(
            Stay.objects.filter(state__in=(Stay.State.OFFERED, Stay.State.HELD), hold_until__lte=now)
            .values_list("unit_id", flat=True)
            .distinct(),
            now,
        )
        offers = []
        for unit_id in sorted({s.unit_id for s in lapsed}, key=str):
            offers += waiting_offer(unit_id, now=now)
        for stay in lapsed:
            audit.log(
                action="respite.hold.expired",
                role="system",
                on_behalf_of=audit.PLATFORM,
                obj=stay,
                subject=_subject(stay),
                purpose=PURPOSE_SYSTEM,
            )
    transaction.on_commit(lambda: _tell_each(offers))
    return lapsed, offers


# --- the waiting list -------------------------------------------------------------------------


def waiting_join(*, request, search: availability.Search, guest: Guest | None, kind: str) -> WaitingEntry:
    now = timezone.now()
    _validate_dates(search.arrival, search.departure, timezone.localdate(now))
    with transaction.atomic():
        entry = WaitingEntry.objects.create(
            user=request.user,
            guest=guest,
            pc4=search.place.pc4,
            radius_km=search.radius_km,
            arrival=search.arrival,
            departure=search.departure,
            kind=kind,
            funding=search.funding or Funding.WMO,
            needs=search.need.as_dict(),
        )
        audit.log(
            request=request,
            action="respite.waiting.joined",
            obj=entry,
            subject=request.user,
            purpose=PURPOSE_REQUEST,
        )
    return entry


def waiting_withdraw(*, request, entry: WaitingEntry) -> None:
    with transaction.atomic():
        WaitingEntry.objects.filter(pk=entry.pk, state=WaitingEntry.State.WAITING).update(
            state=WaitingEntry.State.WITHDRAWN
        )
        audit.log(
            request=request,
            action="respite.waiting.withdrawn",
            obj=entry,
            subject=request.user,
            purpose=PURPOSE_REQUEST,
        )


def waiting_offer(unit_id, *, now) -> list[Stay]:
    """Offer the free nights of ``unit_id`` to the waiting list, first come first served: each
    waiting entry (oldest first) that this unit fits, whose dates are free on it and whose guest's
    allowance covers them (Wmo) gets an offer valid ``OFFER_HOURS``; an entry passed over keeps
    waiting. Inside the caller's transaction; returns the offers made. Accepting checks the
    allowance again (``offer_accept``): other requests may have used nights meanwhile."""
    unit = Unit.objects.filter(pk=unit_id, active=True).values(*availability.UNIT_FIELDS).first()
    if unit is None:
        return []
    today = timezone.localdate(now)
    WaitingEntry.objects.filter(state=WaitingEntry.State.WAITING, arrival__lt=today).update(
        state=WaitingEntry.State.LAPSED
    )
    offers = []
    entries = WaitingEntry.objects.filter(state=WaitingEntry.State.WAITING, kind=unit["kind"]).select_related(
        "user", "guest"
    )
    for entry in entries:
        if entry.funding not in unit["funding"] or not availability.Need(**entry.needs).fits(unit):
            continue
        place = geo.resolve_postcode(entry.pc4)
        if geo.distance_km(place.lat, place.lon, unit["latitude"], unit["longitude"]) > entry.radius_km:
            continue
        try:  # nights the guest's gemeente no longer pays for: the next in line gets them
            _check_allowance(entry.guest, entry.funding, entry.arrival, entry.departure)
        except Refused:
            continue
        try:
            stay = _occupy(
                [unit_id],
                entry.arrival,
                entry.departure,
                now,
                state=Stay.State.OFFERED,
                hold_until=now + dt.timedelta(hours=OFFER_HOURS),
                requested_by=entry.user,
                guest=entry.guest,
                funding=entry.funding,
                waiting=entry,
            )
        except NoCapacity:
            continue
        WaitingEntry.objects.filter(pk=entry.pk).update(state=WaitingEntry.State.OFFERED)
        offers.append(stay)
    return offers


# --- erasure (GDPR art. 17) -------------------------------------------------------------------


def person_erase(*, user, request) -> None:
    """Cancel the person's open requests and offers (their nights go to the waiting list),
    anonymise every stay they requested (unit and dates stay with the provider, nothing of the
    person; a confirmed stay stays confirmed, and in a care network's agenda), and remove their
    guests and waiting-list entries. core.personal_data writes the erasure's audit row."""
    now = timezone.now()
    with index.changing():
        open_stays = Stay.objects.filter(requested_by=user, state__in=(Stay.State.OFFERED, Stay.State.HELD))
        units = set(open_stays.values_list("unit_id", flat=True))
        open_stays.update(state=Stay.State.CANCELLED, hold_until=None)
        Stay.objects.filter(requested_by=user).update(
            requested_by=None,
            guest=None,
            needs="",
            contact_phone="",
            indication="",
            reason="",
            waiting=None,
            anonymised_at=now,
        )
        WaitingEntry.objects.filter(user=user).delete()
        Guest.objects.filter(owner=user).delete()
        offers = [offer for unit_id in sorted(units, key=str) for offer in waiting_offer(unit_id, now=now)]
    transaction.on_commit(lambda: _tell_each(offers))


# --- the provider's units ---------------------------------------------------------------------


def unit_save(*, request, unit: Unit) -> Unit:
    """Create or change a unit; its position and gemeente come from its location."""
    location = unit.location
    if location.latitude is None or location.longitude is None or location.municipality_id is None:
        raise Refused("the location has no position or gemeente", code="location_without_position")
    unit.latitude, unit.longitude = location.latitude, location.longitude
    unit.municipality_id = location.municipality_id
    unit.updated_at = timezone.now()
    with index.changing():
        unit.save()
        audit.log(
            request=request,
            action="respite.unit.saved",
            obj=unit,
            subject=audit.NONE,
            purpose=PURPOSE_PROVIDER,
        )
    return unit


def closure_add(*, request, unit: Unit, first_day: dt.date, last_day: dt.date, reason: str):
    from .models import Closure

    with index.changing():
        closure = Closure.objects.create(unit=unit, first_day=first_day, last_day=last_day, reason=reason)
        audit.log(
            request=request,
            action="respite.closure.added",
            obj=closure,
            subject=audit.NONE,
            purpose=PURPOSE_PROVIDER,
        )
    return closure


def unit_deactivate(*, request, unit: Unit) -> Unit:
    """Take a unit out of use: the search no longer finds it and its nights no longer count. Refused
    while a stay still occupies one of its coming nights (decline or cancel those first); the unit
    row is locked so that two deactivations, or a deactivation and a reactivation, do not cross."""
    from django.utils.translation import gettext as _

    now = timezone.now()
    with index.changing():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        coming = Stay.objects.filter(
            unit=unit, state__in=OCCUPYING, departure__gt=timezone.localdate(now)
        ).filter(Q(state=Stay.State.CONFIRMED) | Q(hold_until__gt=now))
        if coming.exists():
            raise Refused(
                _("Guests are still coming to this place. Decline or cancel their stays first."),
                code="unit_has_stays",
            )
        Unit.objects.filter(pk=unit.pk).update(active=False, updated_at=now)
        unit.active, unit.updated_at = False, now
        audit.log(
            request=request,
            action="respite.unit.deactivated",
            obj=unit,
            subject=audit.NONE,
            purpose=PURPOSE_PROVIDER,
        )
    return unit


def unit_reactivate(*, request, unit: Unit) -> Unit:
    """Put a unit back in use."""
    now = timezone.now()
    with index.changing():
        Unit.objects.filter(pk=unit.pk).update(active=True, updated_at=now)
        unit.active, unit.updated_at = True, now
        audit.log(
            request=request,
            action="respite.unit.reactivated",
            obj=unit,
            subject=audit.NONE,
            purpose=PURPOSE_PROVIDER,
        )
    return unit


def closure_remove(*, request, closure) -> None:
    """Remove a closure that has not ended yet (its days can be booked again). A closure that is
    over stays, as a record of the past; removing it again (a repeated request) is a Conflict."""
    from django.utils.translation import gettext as _

    from .models import Closure

    with index.changing():
        deleted, _rows = Closure.objects.filter(pk=closure.pk, last_day__gte=timezone.localdate()).delete()
        if not deleted:
            raise Conflict(_("This closure is already over or removed."))
        audit.log(
            request=request,
            action="respite.closure.removed",
            object_type="respite.closure",
            object_id=str(closure.pk),
            subject=audit.NONE,
            purpose=PURPOSE_PROVIDER,
        )


# --- the care network's agenda (C3) -----------------------------------------------------------


def _origin(stay: Stay) -> str:
    return f"respite.stay:{stay.pk}"


def _agenda_put(stay: Stay) -> None:
    """A confirmed stay of a guest who has a care network appears in its agenda as respite, all
    day from the arrival day through the departure day (both are days the network plans around:
    bringing and fetching), with the house's name and place but no care details."""
    guest = stay.guest
    if guest is None or guest.network_id is None:
        return
    from mantelzorg.network import services as network_services

    service = stay.unit.service
    network_services.placed_item_put(
        network_id=guest.network_id,
        origin=_origin(stay),
        title=service.name,
        place=stay.unit.location.name,
        first_day=stay.arrival,
        day_after=stay.departure + dt.timedelta(days=1),
    )


def _agenda_cancel(stay: Stay) -> None:
    from mantelzorg.network import services as network_services

    network_services.placed_item_cancel(origin=_origin(stay))


# --- telling people (no content in the mail: a link to the page) -----------------------------


def _subject(stay: Stay):
    return stay.requested_by_id or audit.NONE


def _tell_each(stays) -> None:
    for stay in stays:
        _tell_requester(stay)


def _tell_requester(stay: Stay) -> None:
    from django.utils import translation
    from django.utils.translation import gettext as _

    from mantelzorg.core import mail

    user = stay.requested_by
    if user is None:
        return
    with translation.override(user.language):
        mail.send(
            to=user.email,
            subject=_("News about your respite request"),
            template="respite/email/news.txt",
            context={"name": user.name, "url": f"/logeerzorg/aanvragen/{stay.pk}/"},
        )


def _tell_provider(stay: Stay) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import translation
    from django.utils.translation import gettext as _

    from mantelzorg.core import mail

    from .selectors import PROVIDER_ROLES

    organisation = stay.unit.service.organization.account_organisation_id
    if organisation is None:
        return
    for user in get_user_model().objects.filter(
        organisations=organisation, role__in=PROVIDER_ROLES, is_active=True
    ):
        with translation.override(user.language):
            mail.send(
                to=user.email,
                subject=_("A new respite request"),
                template="respite/email/request.txt",
                context={"name": user.name, "url": f"/logeerzorg/aanbieder/{stay.pk}/"},
            )
