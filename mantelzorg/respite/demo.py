"""Demo data of the respite app (issue 15, C7): generated providers across the country with beds
and places of every kind, each a directory organisation with a respite-stay service and a location
(found through the sociale kaart, C2), and confirmed bookings over the next months so that some
dates are full, with a few requests waiting for a decision.

Names start with "Voorbeeld" (never a real provider). ``generate`` is deterministic for a seed and
writes in bulk (the benchmark, ``bench/bench_respite.py``, builds 5,000 units and a year of
bookings with it); ``load`` is the small demo that ``manage.py load_demo_data`` runs once
(idempotent: a second run finds its first organisation and does nothing). On top of the generated
houses the demo has:

- "Voorbeeld Logeerhuis De Linde Utrecht" (3511), a dementia logeerhuis whose professional
  ``logeerhuis@example.nl`` decides on the requests waiting in its inbox;
- the regional coordinator ``coordinator@example.nl`` for Utrecht and the gemeenten around it;
- a yearly allowance in a few gemeenten (Goeree-Overflakkee: 18 nights, as its Wmo policy says;
  the others are demo values), and the demo caregiver Anna's mother (Amsterdam) as a guest with a
  booked stay and a request, so the pages show the nights left; Bram's father in Utrecht has
  requests at De Linde.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from mantelzorg.core.cache import bump_version
from mantelzorg.core.models import Municipality, PostcodeArea

from . import index
from .models import PLANNED_KINDS, Funding, Guest, Kind, Stay, TargetGroup, Unit

SEED = 1507  # not the directory demo's seed (2026): its ids would collide
DEMO_UNITS = 600
DEMO_BOOKING_DAYS = 120
PROVIDER_HOUSE = "Voorbeeld Logeerhuis De Linde Utrecht"
PROVIDER_ORGANISATION = "Voorbeeld Zorggroep De Linde"
PROVIDER_EMAIL = "logeerhuis@example.nl"
COORDINATOR_EMAIL = "coordinator@example.nl"
COORDINATION = "Voorbeeld Coördinatiefunctie Regio Utrecht"
# Utrecht and the gemeenten around it (CBS codes), the demo coordinator's region.
UTRECHT_REGION = [
    "GM0344",  # Utrecht
    "GM0310",  # De Bilt
    "GM0312",  # Bunnik
    "GM0321",  # Houten
    "GM0353",  # IJsselstein
    "GM0355",  # Zeist
    "GM0356",  # Nieuwegein
    "GM0589",  # Oudewater
    "GM0632",  # Woerden
    "GM0736",  # De Ronde Venen
    "GM1581",  # Utrechtse Heuvelrug
    "GM1904",  # Stichtse Vecht
    "GM0307",  # Amersfoort
    "GM0335",  # Montfoort
    "GM0331",  # Lopik
]
# Nights a year per naaste; only Goeree-Overflakkee's 18 is a known policy (capabilities §C7).
ALLOWANCES = {"GM1924": 18, "GM0363": 18, "GM0344": 24}

TG = TargetGroup
HOUSE_NAMES = [
    "De Linde",
    "Het Anker",
    "De Boomgaard",
    "Zonneweide",
    "De Vlinder",
    "Het Baken",
    "De Eik",
    "Rozenhof",
    "De Wilg",
    "Het Veerhuis",
    "De Kastanje",
    "Meerzicht",
    "De Hoeve",
    "Klaproos",
    "De Kempen",
    "Duinrand",
]


@dataclass(frozen=True)
class Profile:
    """A kind of house: what its units offer. ``chance``: of the flag being on, per house."""

    weight: int
    kind: str
    service_name: str  # "Voorbeeld <service_name> <house> <place>"
    organisation: str
    unit_name: str
    beds: tuple[int, int]
    target_groups: tuple[str, ...]
    wheelchair: float
    night_care: float
    behaviour: float
    nights: tuple[int, int]  # min, max per stay
    stay: tuple[int, int]  # usual length of the generated bookings
    admission_days: tuple[tuple[int, ...], ...]  # one is chosen per house; () = any day
    funding: tuple[str, ...]
    price: tuple[int, int] | None  # euros a night when paid privately
    directory_targets: tuple[str, ...] = ()


PROFILES = [
    Profile(
        22,
        Kind.LOGEERZORG_WMO,
        "Logeerhuis",
        "Zorggroep",
        "Kamer",
        (3, 8),
        (TG.DEMENTIA, TG.OLDER),
        1.0,
        1.0,
        0.3,
        (1, 14),
        (2, 7),
        ((), (), (1, 5)),
        (Funding.WMO, Funding.PRIVATE),
        (115, 165),
        ("dementia",),
    ),
    Profile(
        12,
        Kind.LOGEERZORG_WMO,
        "Logeerhuis voor ouderen",
        "Zorg",
        "Kamer",
        (2, 6),
        (TG.OLDER,),
        1.0,
        0.7,
        0.0,
        (1, 14),
        (2, 7),
        ((),),
        (Funding.WMO, Funding.PRIVATE),
        (95, 140),
    ),
    Profile(
        10,
        Kind.LOGEERZORG_WLZ,
        "Logeerhuis voor kinderen",
        "Stichting Kind en Zorg",
        "Kamer",
        (4, 8),
        (TG.CHILDREN, TG.INTELLECTUAL),
        0.6,
        1.0,
        0.5,
        (2, 3),
        (2, 3),
        ((5,),),  # Friday arrivals: weekend stays
        (Funding.WLZ, Funding.WMO),
        None,
        ("parents_disabled_child",),
    ),
    Profile(
        8,
        Kind.LOGEERZORG_WLZ,
        "Logeerhuis verstandelijke beperking",
        "Stichting Gehandicaptenzorg",
        "Kamer",
        (3, 6),
        (TG.INTELLECTUAL,),
        0.5,
        1.0,
        0.5,
        (2, 7),
        (2, 4),
        ((5,), (1, 5)),
        (Funding.WLZ,),
        None,
    ),
    Profile(
        6,
        Kind.LOGEERZORG_WLZ,
        "Logeerhuis NAH",
        "Zorg",
        "Kamer",
        (2, 5),
        (TG.BRAIN_INJURY,),
        1.0,
        0.6,
        0.4,
        (2, 14),
        (2, 7),
        ((),),
        (Funding.WLZ, Funding.WMO),
        (130, 180),
    ),
    Profile(
        5,
        Kind.LOGEERZORG_WMO,
        "Logeerhuis ggz",
        "Ggz",
        "Kamer",
        (2, 4),
        (TG.PSYCHIATRIC,),
        0.0,
        0.5,
        1.0,
        (1, 7),
        (2, 5),
        ((),),
        (Funding.WMO, Funding.PRIVATE),
        (100, 150),
        ("ggz",),
    ),
    Profile(
        5,
        Kind.ELV_LOW,
        "ELV laagcomplex",
        "Verpleeghuis",
        "Bed",
        (4, 10),
        (TG.OLDER,),
        1.0,
        1.0,
        0.0,
        (1, 42),
        (5, 21),
        ((),),
        (Funding.ZVW,),
        None,
    ),
    Profile(
        4,
        Kind.ELV_HIGH,
        "ELV hoogcomplex",
        "Verpleeghuis",
        "Bed",
        (4, 12),
        (TG.OLDER, TG.DEMENTIA),
        1.0,
        1.0,
        0.2,
        (1, 42),
        (5, 28),
        ((),),
        (Funding.ZVW,),
        None,
    ),
    Profile(
        2,
        Kind.GRZ,
        "Geriatrische revalidatie",
        "Revalidatiecentrum",
        "Bed",
        (6, 14),
        (TG.OLDER,),
        1.0,
        1.0,
        0.0,
        (7, 42),
        (14, 35),
        ((),),
        (Funding.ZVW,),
        None,
    ),
    Profile(
        5,
        Kind.WLZ_CRISIS,
        "Wlz-crisisbed",
        "Verpleeghuis",
        "Crisisbed",
        (1, 3),
        (TG.OLDER, TG.DEMENTIA, TG.PSYCHIATRIC),
        1.0,
        1.0,
        0.6,
        (1, 14),
        (3, 14),
        ((),),
        (Funding.WLZ,),
        None,
    ),
    Profile(
        5,
        Kind.WMO_URGENT,
        "Wmo-spoedbed",
        "Zorg",
        "Spoedbed",
        (1, 2),
        (TG.OLDER, TG.DEMENTIA),
        1.0,
        1.0,
        0.3,
        (1, 7),
        (2, 7),
        ((),),
        (Funding.WMO,),
        None,
    ),
]
LINDE = PROFILES[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _flag(rng: random.Random, chance: float) -> bool:
    return chance >= 1.0 or (chance > 0 and rng.random() < chance)


class _Builder:
    """Collects the rows of the generated houses, their units and bookings, written in bulk."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 - fake data, not security
        self.rows: dict[str, list] = defaultdict(list)
        self.units: list[Unit] = []
        self.unit_profile: dict[uuid.UUID, Profile] = {}
        self.names: set[str] = set()
        self.municipalities = {m.code: m for m in Municipality.objects.order_by("code")}
        self.pc4s: dict[str, list] = defaultdict(list)
        for pc4, code, lat, lon in PostcodeArea.objects.order_by("pc4").values_list(
            "pc4", "municipality_id", "lat", "lon"
        ):
            self.pc4s[code].append((pc4, lat, lon))
        self.codes = [c for c in self.municipalities if self.pc4s[c]]
        self.weights = [self.municipalities[c].population for c in self.codes]

    def house(
        self, profile: Profile, *, code=None, pc4=None, name=None, beds=None, account_organisation=None
    ):
        from mantelzorg.directory import taxonomy as T
        from mantelzorg.directory.models import (
            Address,
            Attribute,
            Location,
            Organization,
            Phone,
            Service,
            ServiceArea,
            ServiceAtLocation,
        )
        from mantelzorg.directory.services import build_entries

        rng = self.rng
        if code is None:
            code = rng.choices(self.codes, self.weights)[0]
        municipality = self.municipalities[code]
        areas = self.pc4s[code]
        area = next((a for a in areas if a[0] == pc4), None) or rng.choice(areas)
        lat = area[1] + rng.uniform(-0.004, 0.004)
        lon = area[2] + rng.uniform(-0.006, 0.006)
        city = municipality.name_everyday
        if name is None:
            house = rng.choice(HOUSE_NAMES)
            name = f"Voorbeeld {profile.service_name} {house} {city}"
            n = 2
            while name in self.names:
                name, n = f"Voorbeeld {profile.service_name} {house} {city} {n}", n + 1
        self.names.add(name)
        org_name = name.replace(f"Voorbeeld {profile.service_name}", f"Voorbeeld {profile.organisation}", 1)
        org = Organization(
            id=_uuid(rng),
            name=org_name,
            kind=Organization.Kind.CARE_PROVIDER,
            description=f"{org_name} is een voorbeeldorganisatie (gegenereerde gegevens).",
            email="info@voorbeeld.invalid",
            website="https://voorbeeld.invalid/",
            account_organisation=account_organisation,
        )
        indication = profile.kind != Kind.LOGEERZORG_WMO or Funding.PRIVATE not in profile.funding
        law = {Funding.WMO: "wmo", Funding.WLZ: "wlz", Funding.ZVW: "zvw"}.get(profile.funding[0], "none")
        service = Service(
            id=_uuid(rng),
            organization_id=org.id,
            name=name,
            description=(
                "Je naaste logeert een of meer nachten bij ons, met zorg erbij. "
                "Zo heb jij even tijd voor jezelf. (Voorbeeldgegevens.)"
            ),
            status="active",
            publication="published",
            application_process=(
                "Vraag een plek aan via Mantelzorg. Heb je een indicatie (Wmo, Wlz), neem die mee."
                if profile.kind not in (Kind.ELV_LOW, Kind.ELV_HIGH, Kind.GRZ)
                else "De huisarts of de specialist vraagt een plek aan."
            ),
            what_to_expect="Je naaste krijgt een eigen kamer. We bellen eerst om kennis te maken.",
            eligibility_description="Mantelzorgers en hun naasten.",
            cost_kind="own_contribution" if profile.price else "free",
            needs_indication=indication,
            law=law,
            needs_referral=law == "zvw",
            fees_description="Eigen bijdrage volgens de regels van je gemeente of zorgverzekeraar.",
            assured_date=timezone.localdate() - dt.timedelta(days=rng.randint(0, 200)),
            email="info@voorbeeld.invalid",
        )
        location = Location(
            id=_uuid(rng),
            organization_id=org.id,
            name=name,
            latitude=lat,
            longitude=lon,
            municipality_id=code,
        )
        address = Address(
            id=_uuid(rng),
            location_id=location.id,
            address_1=f"{rng.choice(('Dorpsstraat', 'Kerkstraat', 'Parklaan', 'Lindelaan'))} {rng.randint(1, 200)}",
            city=city,
            state_province=municipality.province_name,
            postal_code=f"{area[0]} {rng.choice('ABCDEFGHJKLMN')}{rng.choice('PRSTVWXZ')}",
        )
        sal = ServiceAtLocation(id=_uuid(rng), service_id=service.id, location_id=location.id)
        term_keys = [
            f"{T.SUPPORT_DOMAINS}:respite",
            f"{T.RESPITE_FORMS}:respite_stay",
            *(f"{T.TARGET_GROUPS}:{t}" for t in profile.directory_targets),
        ]
        if profile.kind in (Kind.WLZ_CRISIS, Kind.WMO_URGENT, Kind.ELV_HIGH):
            term_keys.append(f"{T.CARE_LADDER}:ladder_5")
        names = {(t, c): n for t, terms in T.TERMS.items() for c, n, *_ in terms}
        self.rows["orgs"].append(org)
        self.rows["org_areas"].append(
            Organization.municipalities.through(organization_id=org.id, municipality_id=code)
        )
        self.rows["services"].append(service)
        self.rows["locations"].append(location)
        self.rows["addresses"].append(address)
        self.rows["sals"].append(sal)
        # A phone number from the service's id, not from ``rng``: the draws (and so the benchmark's
        # data, BENCHMARKS.md 2026-12-04) stay what they were before houses had a phone.
        self.rows["phones"].append(
            Phone(
                id=uuid.uuid5(service.id, "phone"),
                service_id=service.id,
                number=f"0{10 + service.id.int % 90}-{1000000 + service.id.int // 90 % 9000000}",
            )
        )
        self.rows["areas"].append(
            ServiceArea(id=_uuid(rng), service_id=service.id, name=city, municipality_id=code)
        )
        for key in term_keys:
            tax, term = key.split(":")
            self.rows["attributes"].append(
                Attribute(
                    id=_uuid(rng),
                    service_id=service.id,
                    link_type="classification",
                    taxonomy_term_id=T.term_id(tax, term),
                )
            )
        self.rows["entries"].extend(
            build_entries(
                service=service,
                term_keys=term_keys,
                term_names=[names[tuple(k.split(":"))] for k in term_keys],
                organization_name=org.name,
                locations=[(location.id, sal.id, lat, lon, code, city)],
                area_codes=[code],
                national=False,
                addresses={location.id: address},
            )
        )
        wheelchair = _flag(rng, profile.wheelchair)
        night_care = _flag(rng, profile.night_care)
        behaviour = _flag(rng, profile.behaviour)
        admission = list(rng.choice(profile.admission_days))
        price = Decimal(rng.randint(*profile.price)) if profile.price else None
        made = []
        for n in range(beds or rng.randint(*profile.beds)):
            unit = Unit(
                id=_uuid(rng),
                service_id=service.id,
                location_id=location.id,
                name=f"{profile.unit_name} {n + 1}",
                kind=profile.kind,
                target_groups=list(profile.target_groups),
                wheelchair=wheelchair,
                night_care=night_care,
                behaviour=behaviour,
                min_nights=profile.nights[0],
                max_nights=profile.nights[1],
                admission_days=admission,
                funding=list(profile.funding),
                price_per_night=price,
                latitude=lat,
                longitude=lon,
                municipality_id=code,
            )
            self.units.append(unit)
            self.unit_profile[unit.id] = profile
            made.append(unit)
        return service, made

    def bookings(self, units, first: dt.date, days: int, occupancy: tuple[float, float], now) -> int:
        """Confirmed stays on each unit from ``first`` for ``days`` days, with gaps so that about
        ``occupancy`` (a range, drawn per unit) of the nights are booked; arrivals on the unit's
        admission days and lengths within its rules."""
        rng, end = self.rng, first + dt.timedelta(days=days)
        count = 0
        for unit in units:
            profile = self.unit_profile[unit.id]
            occ = rng.uniform(*occupancy)
            low, high = max(profile.stay[0], unit.min_nights), min(profile.stay[1], unit.max_nights)
            mean = (low + high) / 2
            gap_mean = mean * (1 - occ) / occ
            day = first + dt.timedelta(days=rng.randint(0, max(0, round(gap_mean))))
            while day < end:
                if unit.admission_days:
                    while day.isoweekday() not in unit.admission_days:
                        day += dt.timedelta(days=1)
                nights = rng.randint(low, high)
                departure = day + dt.timedelta(days=nights)
                if departure > end:
                    break
                self.rows["stays"].append(
                    Stay(
                        id=_uuid(rng),
                        unit_id=unit.id,
                        arrival=day,
                        departure=departure,
                        state=Stay.State.CONFIRMED,
                        funding=unit.funding[0],
                        decided_at=now,
                        created_at=now,
                    )
                )
                count += 1
                day = departure + dt.timedelta(days=round(rng.expovariate(1 / gap_mean)) if gap_mean else 0)
        return count

    def fill(self, units: int, occupancy_profiles=None):
        weights = [p.weight for p in PROFILES]
        while len(self.units) < units:
            profile = self.rng.choices(PROFILES, weights)[0]
            left = units - len(self.units)
            beds = min(left, self.rng.randint(*profile.beds))
            self.house(profile, beds=beds)

    def write(self) -> None:
        from mantelzorg.directory.models import (
            Address,
            Attribute,
            Location,
            Organization,
            Phone,
            SearchEntry,
            Service,
            ServiceArea,
            ServiceAtLocation,
        )

        batch = 2000 if connection.vendor == "postgresql" else 500
        rows = self.rows
        with transaction.atomic():
            Organization.objects.bulk_create(rows["orgs"], batch_size=batch)
            Organization.municipalities.through.objects.bulk_create(rows["org_areas"], batch_size=batch)
            Location.objects.bulk_create(rows["locations"], batch_size=batch)
            Address.objects.bulk_create(rows["addresses"], batch_size=batch)
            Service.objects.bulk_create(rows["services"], batch_size=batch)
            for key, model in (
                ("attributes", Attribute),
                ("sals", ServiceAtLocation),
                ("areas", ServiceArea),
                ("phones", Phone),
            ):
                model.objects.bulk_create(rows[key], batch_size=batch)
            SearchEntry.objects.bulk_create(rows["entries"], batch_size=batch)
            Unit.objects.bulk_create(self.units, batch_size=batch)
            Stay.objects.bulk_create(rows["stays"], batch_size=batch)
            bump_version("directory")
        index.prune()  # the bulk insert logged every row; indexes built from now on need none of it
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def generate(
    *,
    units: int,
    seed: int = SEED,
    booking_days: int = 365,
    occupancy: tuple[float, float] = (0.6, 0.85),
    stdout=None,
) -> dict:
    """Houses across the country (gemeenten by population, every kind of ``PROFILES`` by weight)
    with ``units`` beds and places in all, and confirmed bookings from today for ``booking_days``
    days at ``occupancy``. Written in bulk, in one transaction; deterministic for ``seed``."""
    started = time.monotonic()
    builder = _Builder(seed)
    builder.fill(units)
    now = timezone.now()
    stays = builder.bookings(builder.units, timezone.localdate(), booking_days, occupancy, now)
    builder.write()
    summary = {
        "houses": len(builder.rows["services"]),
        "units": len(builder.units),
        "stays": stays,
        "seconds": round(time.monotonic() - started, 1),
    }
    if stdout is not None:
        stdout.write("Generated respite: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return summary


# --- the demo of ``manage.py load_demo_data`` -------------------------------------------------


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = user
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return request


def _next_weekday(day: dt.date, isoweekday: int) -> dt.date:
    return day + dt.timedelta(days=(isoweekday - day.isoweekday()) % 7)


def _free_house(place, arrival: dt.date, nights: int, *, kinds, funding, need, radius_km=25):
    """The nearest house with a unit free for ``nights`` from ``arrival`` or a week later, … (up
    to eight weeks on): (service id, arrival)."""
    from . import availability

    for week in range(8):
        day = arrival + dt.timedelta(days=7 * week)
        search = availability.Search(
            place=place,
            arrival=day,
            departure=day + dt.timedelta(days=nights),
            radius_km=radius_km,
            kinds=frozenset(kinds),
            funding=funding,
            need=need,
        )
        for house in availability.search_houses(search, alternatives=0):
            if house.available:
                return house.service_id, day
    return None, None


def _people(linde_service):
    """The demo users' guests, stays and requests, through the services (audited as in use)."""
    from mantelzorg.accounts.models import User
    from mantelzorg.core import geo
    from mantelzorg.directory.models import Service
    from mantelzorg.network.models import Network

    from . import availability, services

    users = {
        u.email: u
        for u in User.objects.filter(
            email__in=[
                "mantelzorger@example.nl",
                "mantelzorger2@example.nl",
                "wijkverpleegkundige@example.nl",
                PROVIDER_EMAIL,
            ]
        )
    }
    today = timezone.localdate()
    made = 0
    anna, bram = users.get("mantelzorger@example.nl"), users.get("mantelzorger2@example.nl")
    provider = users.get(PROVIDER_EMAIL)
    if anna is not None:
        mien = services.guest_save(
            owner=anna,
            postcode="1053",
            name="Mien",
            birth_year=1941,
            target_groups=[TG.DEMENTIA, TG.OLDER],
            wheelchair=True,
        )
        network = Network.objects.filter(recipient_name="Voorbeeld Mien").first()
        if network is not None:
            Guest.objects.filter(pk=mien.pk).update(network=network)
            mien.network = network
        need = availability.Need(target_group=TG.DEMENTIA, wheelchair=True)
        place = geo.resolve_postcode("1053")
        # A booked long weekend soon (confirmed by the house's own administration: it has no
        # staff on the platform) and a request waiting further on.
        service_id, arrival = _free_house(
            place,
            _next_weekday(today + dt.timedelta(days=8), 5),
            3,
            kinds=PLANNED_KINDS,
            funding=Funding.WMO,
            need=need,
        )
        if service_id is not None:
            stay = services.stay_request(
                request=_request(anna),
                service=Service.objects.get(pk=service_id),
                arrival=arrival,
                departure=arrival + dt.timedelta(days=3),
                guest=mien,
                funding=Funding.WMO,
                need=need,
                needs="Mien heeft dementie en loopt met een rollator. 's Nachts is ze soms onrustig.",
                contact_phone="06 1234 5678",
                indication="Wmo-beschikking kortdurend verblijf",
            )
            Stay.objects.filter(pk=stay.pk).update(
                state=Stay.State.CONFIRMED, hold_until=None, decided_at=timezone.now()
            )
            stay.refresh_from_db()
            services._agenda_put(stay)
            made += 1
        service_id, arrival = _free_house(
            place,
            _next_weekday(today + dt.timedelta(days=36), 5),
            2,
            kinds=(Kind.LOGEERZORG_WMO,),
            funding=Funding.WMO,
            need=need,
        )
        if service_id is not None:
            services.stay_request(
                request=_request(anna),
                service=Service.objects.get(pk=service_id),
                arrival=arrival,
                departure=arrival + dt.timedelta(days=2),
                guest=mien,
                funding=Funding.WMO,
                need=need,
                needs="Graag een kamer op de begane grond.",
                contact_phone="06 1234 5678",
            )
            made += 1
    if bram is not None:
        henk = services.guest_save(
            owner=bram,
            postcode="3581",
            name="Henk",
            birth_year=1938,
            target_groups=[TG.DEMENTIA, TG.OLDER],
            night_care=True,
        )
        need = availability.Need(target_group=TG.DEMENTIA, night_care=True)
        requests = []
        for weeks, nights in ((2, 3), (5, 2), (7, 4)):
            arrival = _next_weekday(today + dt.timedelta(days=7 * weeks), 5)
            for _ in range(6):
                if availability.free_units(
                    [u.pk for u in Unit.objects.filter(service=linde_service)],
                    arrival,
                    arrival + dt.timedelta(days=nights),
                ):
                    break
                arrival += dt.timedelta(days=7)
            else:
                continue
            requests.append(
                services.stay_request(
                    request=_request(bram),
                    service=linde_service,
                    arrival=arrival,
                    departure=arrival + dt.timedelta(days=nights),
                    guest=henk,
                    funding=Funding.WMO,
                    need=need,
                    needs="Henk slaapt slecht en dwaalt soms 's nachts.",
                    contact_phone="06 8765 4321",
                )
            )
            made += 1
        if requests and provider is not None:
            services.stay_confirm(request=_request(provider), stay=requests[0])
    nurse = users.get("wijkverpleegkundige@example.nl")
    if nurse is not None:
        service_id, arrival = _free_house(
            geo.resolve_postcode("3511"),
            today + dt.timedelta(days=2),
            7,
            kinds=(Kind.ELV_HIGH, Kind.ELV_LOW),
            funding=Funding.ZVW,
            need=availability.Need(),
            radius_km=40,
        )
        if service_id is not None:
            services.stay_request(
                request=_request(nurse),
                service=Service.objects.get(pk=service_id),
                arrival=arrival,
                departure=arrival + dt.timedelta(days=7),
                guest=None,
                funding=Funding.ZVW,
                urgency="this_week",
                needs="Mevrouw (84) kan na een val niet thuis blijven; wondzorg nodig.",
                indication="Verwijzing huisarts, ELV hoog complex",
            )
            made += 1
    return made


def load(stdout=None) -> int:
    """The demo: generated houses with bookings, De Linde and its professional, the Utrecht
    coordinator, allowances and the demo caregivers' guests and stays. Once (idempotent)."""
    from django.test import override_settings

    from mantelzorg.accounts.models import Organisation, User
    from mantelzorg.directory.models import Service

    from .models import Allowance

    if Service.objects.filter(name=PROVIDER_HOUSE).exists() or not PostcodeArea.objects.exists():
        return 0
    started = time.monotonic()
    today = timezone.localdate()
    now = timezone.now()
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        provider_org, _ = Organisation.objects.get_or_create(
            name=PROVIDER_ORGANISATION, defaults={"kind": Organisation.Kind.CARE_PROVIDER}
        )
        provider_org.municipalities.add(*Municipality.objects.filter(code="GM0344"))
        provider = User.objects.filter(email=PROVIDER_EMAIL).first()
        if provider is not None:
            provider.organisations.add(provider_org)
        coordination, _ = Organisation.objects.get_or_create(
            name=COORDINATION, defaults={"kind": Organisation.Kind.OTHER}
        )
        coordination.municipalities.add(*Municipality.objects.filter(code__in=UTRECHT_REGION))
        coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
        if coordinator is not None:
            coordinator.organisations.add(coordination)
        for code, nights in ALLOWANCES.items():
            if Municipality.objects.filter(code=code).exists():
                for year in (today.year, today.year + 1):
                    Allowance.objects.get_or_create(
                        municipality_id=code, year=year, defaults={"nights": nights}
                    )

        builder = _Builder(SEED)
        linde_service, linde = builder.house(
            LINDE, code="GM0344", pc4="3511", name=PROVIDER_HOUSE, beds=4, account_organisation=provider_org
        )
        for unit in linde:  # any arrival day, wheelchair and night care: the demo's walk-through
            unit.admission_days, unit.wheelchair, unit.night_care = [], True, True
        # Two more houses where the demo caregivers look (Anna's mother lives in Amsterdam) and
        # an ELV ward near Utrecht for the wijkverpleegkundige.
        builder.house(
            LINDE, code="GM0363", pc4="1054", name="Voorbeeld Logeerhuis Het Anker Amsterdam", beds=5
        )
        builder.house(PROFILES[7], code="GM0356", name="Voorbeeld ELV hoogcomplex De Eik Nieuwegein", beds=8)
        quiet = list(builder.units)
        builder.fill(DEMO_UNITS)
        stays = builder.bookings(quiet, today, DEMO_BOOKING_DAYS, (0.45, 0.7), now)
        stays += builder.bookings(builder.units[len(quiet) :], today, DEMO_BOOKING_DAYS, (0.55, 0.9), now)
        builder.write()
        linde_service = Service.objects.get(pk=linde_service.pk)
        made = _people(linde_service)
    if stdout:
        stdout.write(
            f"Demo respite: {len(builder.rows['services'])} houses, {len(builder.units)} beds and places, "
            f"{stays} bookings, {made} requests and stays of the demo users "
            f"({time.monotonic() - started:.1f} s)."
        )
    return len(builder.units)
