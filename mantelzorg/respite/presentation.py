"""What the respite pages show of houses and stays: names, places and phone numbers from the
sociale kaart, the weekends a month, and stay states in words. Reads only; no personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mantelzorg.core.phone import tel_href

from . import availability
from .models import Stay, TargetGroup

WEEKEND_MONTHS = 3
# Houses per results page: a house is a card of about a third of a 375 px phone screen (more with
# its free dates), so ten is three to four screens to scroll; the nearest free dates (the search's
# wider window) are read for these ten only.
RESULTS_PER_PAGE = 10
FRIDAY = 5  # ISO weekday

# A stay's state as its requester reads it (the model's labels are the provider's words).
STATE_WORDS = {
    Stay.State.OFFERED: _("A place is offered to you from the waiting list"),
    Stay.State.HELD: _("Requested: the house decides"),
    Stay.State.CONFIRMED: _("Confirmed: the stay is booked"),
    Stay.State.DECLINED: _("Not possible: the house said no"),
    Stay.State.EXPIRED: _("Expired: the house did not answer in time"),
    Stay.State.CANCELLED: _("Cancelled"),
}


@dataclass
class HouseCard:
    """A house as a result row: the directory's name, place and phone beside the availability."""

    service_id: object
    name: str
    place: str
    phone: str
    tel: str
    distance_km: float
    available: bool = False
    free_units: int = 0
    units: int = 0
    alternatives: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    weekends: list[tuple[dt.date, tuple[dt.date, dt.date] | None]] = field(default_factory=list)


@dataclass(frozen=True)
class HouseFacts:
    """What the sociale kaart says of a house (a service at the location of its units)."""

    name: str
    organization_id: object
    organization: str
    location_name: str
    place: str  # the town of the location's address, else the location's name
    municipality: str | None  # CBS code
    phone: str  # the service's, else the location's, else the organisation's


def all_house_facts() -> dict:
    """Per (service id, location id) of the units in use: its ``HouseFacts``, for every respite
    house at once in four queries. Public directory content, so it is kept in this process until
    the sociale kaart changes (``core.cache.per_version``: every directory edit bumps its
    version); the pages and the API read it, never change it."""
    from mantelzorg.core.cache import per_version

    return per_version("directory", "respite-house-facts", _read_house_facts)


def _read_house_facts() -> dict:
    from mantelzorg.directory.models import Address, Location, Phone, Service

    from .models import Unit

    pairs = set(
        Unit.objects.filter(active=True).order_by().values_list("service_id", "location_id").distinct()
    )
    services = {
        pk: (name, org_id, org_name)
        for pk, name, org_id, org_name in Service.objects.filter(pk__in={s for s, _l in pairs}).values_list(
            "pk", "name", "organization_id", "organization__name"
        )
    }
    location_ids = {loc for _s, loc in pairs}
    locations = dict(
        (pk, (name, municipality))
        for pk, name, municipality in Location.objects.filter(pk__in=location_ids).values_list(
            "pk", "name", "municipality_id"
        )
    )
    towns: dict = {}
    for location_id, city in (
        Address.objects.filter(location_id__in=location_ids).order_by("pk").values_list("location_id", "city")
    ):
        towns.setdefault(location_id, city)
    phones: dict = {}
    org_ids = {org for _n, org, _o in services.values()}
    for service_id, location_id, org_id, number in (
        Phone.objects.filter(
            Q(service_id__in=list(services))
            | Q(location_id__in=location_ids)
            | Q(organization_id__in=org_ids)
        )
        .order_by("pk")
        .values_list("service_id", "location_id", "organization_id", "number")
    ):
        for key in (service_id, location_id, org_id):
            if key is not None:
                phones.setdefault(key, number)
    facts = {}
    for service_id, location_id in pairs:
        if service_id not in services:
            continue
        name, org_id, org_name = services[service_id]
        location_name, municipality = locations.get(location_id, ("", None))
        facts[(service_id, location_id)] = HouseFacts(
            name=name,
            organization_id=org_id,
            organization=org_name,
            location_name=location_name,
            place=towns.get(location_id) or location_name,
            municipality=municipality,
            phone=phones.get(service_id) or phones.get(location_id) or phones.get(org_id) or "",
        )
    return facts


def house_facts(service_ids) -> dict:
    """Per service id: (name, place, phone number) from the sociale kaart (``all_house_facts``;
    a house at more than one location: the first location by name)."""
    wanted = set(service_ids)
    found: dict = {}
    for (service_id, _location), facts in sorted(
        all_house_facts().items(), key=lambda item: (item[1].location_name, str(item[0][1]))
    ):
        if service_id in wanted and service_id not in found:
            found[service_id] = (facts.name, facts.place, facts.phone)
    return found


def card(house: availability.House, facts: HouseFacts) -> HouseCard:
    name, place, phone = facts.name, facts.place, facts.phone
    return HouseCard(
        service_id=house.service_id,
        name=name,
        place=place,
        phone=phone,
        tel=tel_href(phone),
        distance_km=house.distance_km,
        available=house.available,
        free_units=len(house.free_unit_ids),
        units=len(house.units),
        alternatives=sorted(house.alternatives),  # nearest first in the search; by date to read
    )


def cards(houses) -> list[HouseCard]:
    facts = all_house_facts()
    found = [card(h, facts[key]) for h in houses if (key := (h.service_id, h.location_id)) in facts]
    return sorted(found, key=lambda c: (not c.available, c.distance_km))


def _order(house) -> tuple:
    """Free houses first, then the full ones with their nearest free dates; the nearest first in each."""
    return (not house.available, house.distance_km)


@dataclass
class Results:
    """A page of the houses found (``page.object_list``: HouseCards) and how many of all are free."""

    page: Page
    free: int


def page_number(raw) -> int:
    """``?pagina=`` as the sociale kaart reads it: a whole number from 1, else 1 (past the last
    page: the last, which ``Paginator.get_page`` does)."""
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def results_page(
    search: availability.Search, number, *, per_page: int = RESULTS_PER_PAGE, now=None
) -> Results:
    """The houses for the dates in the order of ``cards``, a page at a time (``number`` as the
    sociale kaart reads ``?pagina=``: not a number is page 1, past the end the last page), with the
    nearest free dates of the page's full houses only (``availability.add_alternatives``)."""
    houses = availability.search_houses(search, alternatives=0, now=now)
    facts = all_house_facts()
    found = sorted((h for h in houses if (h.service_id, h.location_id) in facts), key=_order)
    page = Paginator(found, per_page).get_page(page_number(number))
    availability.add_alternatives(page.object_list, search, now=now)
    page.object_list = [card(h, facts[(h.service_id, h.location_id)]) for h in page.object_list]
    return Results(page, sum(1 for h in found if h.available))


def weekend_page(
    search: availability.Search, number, *, per_page: int = RESULTS_PER_PAGE, now=None
) -> Results:
    """``weekend_search`` a page at a time, as ``results_page``."""
    found = weekend_search(search, now=now)
    return Results(
        Paginator(found, per_page).get_page(page_number(number)), sum(1 for h in found if h.available)
    )


def weekend_months(today: dt.date, months: int = WEEKEND_MONTHS) -> list[tuple[dt.date, list[dt.date]]]:
    """The first of this month and the next ones, each with its Fridays from today on."""
    result = []
    first = today.replace(day=1)
    for _n in range(months):
        fridays = []
        day = first + dt.timedelta(days=(FRIDAY - first.isoweekday()) % 7)
        while day.month == first.month:
            if day >= today:
                fridays.append(day)
            day += dt.timedelta(days=7)
        result.append((first, fridays))
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return result


def weekend_search(search: availability.Search, *, now=None) -> list[HouseCard]:
    """ "A weekend a month": per house near the postcode, for this month and the next two, the
    first Friday-to-Sunday (two nights) that one of its matching units can take. Three queries
    (units, stays, closures) and the directory's facts, whatever the number of weekends."""
    today = timezone.localdate(now)
    months = weekend_months(today)
    fridays = [day for _first, days in months for day in days]
    units = availability.candidate_units(search)
    if not fridays or not units:
        return []
    taken = availability.occupied_days(
        [u["id"] for _, u in units], fridays[0], fridays[-1] + dt.timedelta(days=1), now=now
    )
    houses: dict[object, tuple[float, list[dict]]] = {}
    for km, unit in units:
        houses.setdefault(unit["service_id"], (round(km, 1), []))[1].append(unit)
    all_facts = all_house_facts()
    found = []
    for service_id, (km, house_units) in houses.items():
        facts = all_facts.get((service_id, house_units[0]["location_id"]))  # the nearest unit's
        if facts is None:
            continue
        name, place, phone = facts.name, facts.place, facts.phone
        row = HouseCard(service_id, name, place, phone, tel_href(phone), km, units=len(house_units))
        for first, days in months:
            weekend = next(
                (
                    (friday, friday + dt.timedelta(days=2))
                    for friday in days
                    if any(
                        availability.fits_stay(
                            u, friday, friday + dt.timedelta(days=2), taken.get(u["id"], set())
                        )
                        for u in house_units
                    )
                ),
                None,
            )
            row.weekends.append((first, weekend))
        row.available = any(weekend for _first, weekend in row.weekends)
        found.append(row)
    return sorted(found, key=_order)


def hold_left(stay: Stay, now=None) -> dt.timedelta | None:
    if stay.hold_until is None:
        return None
    left = stay.hold_until - (now or timezone.now())
    return left if left.total_seconds() > 0 else dt.timedelta(0)


def hours_left(stay: Stay, now=None) -> int | None:
    left = hold_left(stay, now)
    return None if left is None else int(left.total_seconds() // 3600)


def need_labels(guest) -> list[str]:
    """The guest's needs as words (what the requester said; nothing more)."""
    if guest is None:
        return []
    labels = [str(TargetGroup(g).label) for g in guest.target_groups if g in TargetGroup.values]
    if guest.wheelchair:
        labels.append(str(_("wheelchair-accessible room")))
    if guest.night_care:
        labels.append(str(_("care at night")))
    if guest.behaviour:
        labels.append(str(_("behaviour that needs extra attention")))
    return labels
