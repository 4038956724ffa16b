"""Generated, visibly fake directory data ("Voorbeeld …") for demos and benchmarks.

``generate(services=50_000, seed=1)`` spreads services over all 342 gemeenten by population,
gives every gemeente a steunpunt mantelzorg, places locations at real PC4 centroids (with a
small jitter) and writes everything with ``bulk_create`` — including the search index.
Deterministic for a given seed. Generated rows carry ``is_generated=True``; ``clear()``
removes them (and only them).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction

from mantelzorg.core.cache import bump_version
from mantelzorg.core.models import Municipality, PostcodeArea

from . import taxonomy
from .models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    SearchEntry,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from .services import build_entries

T = taxonomy
DOMAIN_NAMES = {
    "information": ["Mantelzorgspreekuur", "Informatiepunt mantelzorg", "Wegwijzer zorg en welzijn"],
    "guidance": ["Mantelzorgconsulent", "Cliëntondersteuning", "Persoonlijk advies voor mantelzorgers"],
    "emotional_support": ["Lotgenotengroep mantelzorgers", "Praatgroep", "Mantelzorgcafé"],
    "education": ["Cursus Omgaan met dementie", "Training Grenzen stellen", "Workshop Zorg en werk"],
    "practical_help": ["Klussendienst", "Vrijwillige vervoersdienst", "Boodschappenhulp"],
    "respite": ["Respijtzorg", "Vervangende zorg", "Even vrij van zorg"],
    "financial_help": ["Mantelzorgwaardering", "Hulp bij geldzaken", "Reiskostenvergoeding mantelzorg"],
    "material_help": ["Uitleen hulpmiddelen", "Woningaanpassing advies", "Hulpmiddelenpunt"],
}
RESPITE_NAMES = {
    "at_home": ["Vrijwillige thuishulp", "Oppas- en bezoekservice", "Handen-in-huis"],
    "day_care": ["Dagopvang", "Ontmoetingscentrum dementie", "Dagbesteding op de zorgboerderij"],
    "respite_stay": ["Logeerhuis", "Logeeropvang weekend", "Gastgezin logeren"],
    "holiday": ["Vakantie met zorg", "Zorghotel", "Vakantieopvang"],
}
DESCRIPTIONS = [
    "Voor mantelzorgers die even ruimte nodig hebben. Je krijgt hulp van vrijwilligers en beroepskrachten.",
    "Wij denken met je mee over de zorg voor je naaste en zoeken samen naar hulp die past.",
    "Kom langs of bel ons. Samen kijken we wat je nodig hebt om de zorg vol te houden.",
    "Ondersteuning voor mantelzorgers en hun naasten in de buurt, dichtbij en laagdrempelig.",
]
STREETS = [
    "Dorpsstraat",
    "Kerkstraat",
    "Stationsweg",
    "Schoolstraat",
    "Molenweg",
    "Julianastraat",
    "Marktplein",
]
DAYS = ["MO", "TU", "WE", "TH", "FR"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _allocate(total: int, weights: list[int]) -> list[int]:
    """Largest-remainder allocation with at least one per bucket."""
    n = len(weights)
    base = [1] * n
    rest = max(0, total - n)
    s = sum(weights) or 1
    exact = [rest * w / s for w in weights]
    floors = [int(x) for x in exact]
    left = rest - sum(floors)
    order = sorted(range(n), key=lambda i: exact[i] - floors[i], reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return [b + f for b, f in zip(base, floors, strict=True)]


def generated_exists() -> bool:
    return Service.objects.filter(is_generated=True).exists()


def clear() -> None:
    """Remove generated data (fast raw deletes, children first)."""
    services = Service.objects.filter(is_generated=True)
    orgs = Organization.objects.filter(is_generated=True)
    locations = Location.objects.filter(organization__in=orgs)
    with transaction.atomic():
        for qs in (
            SearchEntry.objects.filter(service__in=services),
            Attribute.objects.filter(service__in=services),
            Schedule.objects.filter(service__in=services),
            ServiceArea.objects.filter(service__in=services),
            CostOption.objects.filter(service__in=services),
            Phone.objects.filter(service__in=services),
            Phone.objects.filter(organization__in=orgs),
            Language.objects.filter(service__in=services),
            ServiceAtLocation.objects.filter(service__in=services),
            Address.objects.filter(location__in=locations),
            Accessibility.objects.filter(location__in=locations),
        ):
            qs._raw_delete(qs.db)
        from .models import RespiteMenuItem

        RespiteMenuItem.objects.filter(service__in=services).delete()
        services._raw_delete(services.db)
        locations._raw_delete(locations.db)
        Organization.municipalities.through.objects.filter(organization__in=orgs).delete()
        orgs.update(parent_organization=None)
        orgs._raw_delete(orgs.db)


def generate(services: int = 50_000, seed: int = 1, stdout=None) -> dict:
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - fake data, not security
    today = dt.date.today()
    municipalities = list(Municipality.objects.order_by("code"))
    pc4s = defaultdict(list)
    for pc4, code, lat, lon in PostcodeArea.objects.values_list("pc4", "municipality_id", "lat", "lon"):
        pc4s[code].append((pc4, lat, lon))
    per_gemeente = _allocate(
        max(services - services // 200, len(municipalities)), [m.population for m in municipalities]
    )
    national_count = max(0, services - sum(per_gemeente))

    orgs, org_areas, phones = [], [], []
    rows = defaultdict(list)
    entries = []
    names = {t: {code: name for code, name, *_ in terms} for t, terms in T.TERMS.items()}

    def add_org(name, kind, municipality):
        org = Organization(
            id=_uuid(rng),
            name=name,
            kind=kind,
            is_generated=True,
            description=f"{name} is een voorbeeldorganisatie (gegenereerde gegevens).",
            email="info@voorbeeld.invalid",
            website="https://voorbeeld.invalid/",
        )
        orgs.append(org)
        if municipality is not None:
            org_areas.append(
                Organization.municipalities.through(organization_id=org.id, municipality_id=municipality.code)
            )
        phones.append(
            Phone(
                id=_uuid(rng),
                organization_id=org.id,
                number=f"0{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}",
            )
        )
        return org

    def add_service(org, municipality, steunpunt=False, national=False):
        service_id = _uuid(rng)
        if steunpunt:
            domains = ["information", "guidance", "emotional_support"]
            respite, ladder = [], ["ladder_1", "ladder_2"]
            name = f"Voorbeeld Steunpunt Mantelzorg {municipality.name_everyday}"
        else:
            domains = rng.sample(T.codes(T.SUPPORT_DOMAINS), rng.choice((1, 1, 2, 3)))
            if rng.random() < 0.2 and "respite" not in domains:
                domains[0] = "respite"
            respite = (
                rng.sample(T.codes(T.RESPITE_FORMS), rng.choice((1, 1, 2))) if "respite" in domains else []
            )
            ladder = [rng.choice(T.codes(T.CARE_LADDER))]
            base = rng.choice(RESPITE_NAMES[respite[0]]) if respite else rng.choice(DOMAIN_NAMES[domains[0]])
            where = "Nederland" if national else municipality.name_everyday
            name = f"Voorbeeld {base} {where}"
        targets = rng.sample(T.codes(T.TARGET_GROUPS), rng.choice((0, 0, 1, 2)))
        roll = rng.random()
        cost_kind = "free" if roll < 0.6 else ("own_contribution" if roll < 0.85 else "paid")
        indication = bool(respite) and rng.random() < 0.5
        law = rng.choice(("wmo", "wlz", "zvw")) if indication else "none"
        verified = today - dt.timedelta(days=rng.randint(0, 540))
        service = Service(
            id=service_id,
            organization_id=org.id,
            name=name,
            is_generated=True,
            description=rng.choice(DESCRIPTIONS),
            status="active",
            publication="published",
            application_process=(
                "Vraag eerst een indicatie aan bij de gemeente (Wmo-loket) of het CIZ."
                if indication
                else "Bel of mail ons. Je hoeft geen indicatie te hebben."
            ),
            what_to_expect="We maken een afspraak voor een kennismakingsgesprek, bij jou thuis of bij ons.",
            eligibility_description="Mantelzorgers en hun naasten.",
            cost_kind=cost_kind,
            needs_indication=indication,
            law=law,
            needs_referral=indication and law == "zvw",
            fees_description=""
            if cost_kind == "free"
            else "Eigen bijdrage volgens de regels van de gemeente.",
            assured_date=verified,
            email="info@voorbeeld.invalid",
        )
        rows["services"].append(service)
        term_keys = (
            [f"{T.SUPPORT_DOMAINS}:{c}" for c in domains]
            + [f"{T.CARE_LADDER}:{c}" for c in ladder]
            + [f"{T.RESPITE_FORMS}:{c}" for c in respite]
            + [f"{T.TARGET_GROUPS}:{c}" for c in targets]
        )
        for key in term_keys:
            tax, code = key.split(":")
            rows["attributes"].append(
                Attribute(
                    id=_uuid(rng),
                    service_id=service_id,
                    link_type="classification",
                    taxonomy_term_id=T.term_id(tax, code),
                )
            )
        term_names = [names[k.split(":")[0]][k.split(":")[1]] for k in term_keys]
        cost, addresses, schedules = None, {}, {}
        if cost_kind != "free":
            rows["costs"].append(
                CostOption(
                    id=_uuid(rng),
                    service_id=service_id,
                    currency="EUR",
                    amount=Decimal(rng.choice((2, 5, 7, 10, 15, 25, 40))),
                    amount_description=rng.choice(("per dagdeel", "per keer", "per nacht")),
                )
            )
            cost = rows["costs"][-1]
        rows["phones"].append(
            Phone(
                id=_uuid(rng),
                service_id=service_id,
                number=f"0{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}",
            )
        )
        locations = []
        if national:
            rows["areas"].append(
                ServiceArea(id=_uuid(rng), service_id=service_id, name="Nederland", is_national=True)
            )
        else:
            rows["areas"].append(
                ServiceArea(
                    id=_uuid(rng),
                    service_id=service_id,
                    name=municipality.name_everyday,
                    municipality_id=municipality.code,
                )
            )
            if steunpunt or rng.random() < 0.95:
                pc4, lat, lon = rng.choice(
                    pc4s[municipality.code] or [("", municipality.lat, municipality.lon)]
                )
                lat += rng.uniform(-0.004, 0.004)
                lon += rng.uniform(-0.006, 0.006)
                loc_id, sal_id = _uuid(rng), _uuid(rng)
                rows["locations"].append(
                    Location(
                        id=loc_id,
                        organization_id=org.id,
                        name=org.name,
                        latitude=lat,
                        longitude=lon,
                        municipality_id=municipality.code,
                    )
                )
                rows["addresses"].append(
                    Address(
                        id=_uuid(rng),
                        location_id=loc_id,
                        address_1=f"{rng.choice(STREETS)} {rng.randint(1, 200)}",
                        city=municipality.name_everyday,
                        state_province=municipality.province_name,
                        postal_code=f"{pc4} {rng.choice('ABCDEFGHJKLMNPRTVWXZ')}{rng.choice('ABCDEFGHJKLMNPRTVWXZ')}"
                        if pc4
                        else "",
                    )
                )
                addresses[loc_id] = rows["addresses"][-1]
                rows["sals"].append(ServiceAtLocation(id=sal_id, service_id=service_id, location_id=loc_id))
                if rng.random() < 0.3:
                    rows["access"].append(
                        Accessibility(
                            id=_uuid(rng),
                            location_id=loc_id,
                            description="Rolstoeltoegankelijk, met invalidentoilet.",
                        )
                    )
                locations.append((loc_id, sal_id, lat, lon, municipality.code, municipality.name_everyday))
        if rng.random() < 0.8:
            days = sorted(rng.sample(DAYS, rng.randint(1, 5)), key=DAYS.index)
            start = rng.choice((dt.time(9), dt.time(9, 30), dt.time(10), dt.time(13)))
            end = dt.time(start.hour + rng.choice((3, 4, 8)), start.minute)
            rows["schedules"].append(
                Schedule(
                    id=_uuid(rng),
                    service_id=service_id,
                    freq="WEEKLY",
                    byday=",".join(days),
                    opens_at=start,
                    closes_at=end,
                )
            )
            schedules[service_id] = [rows["schedules"][-1]]
        if rng.random() < 0.1:
            rows["languages"].append(Language(id=_uuid(rng), service_id=service_id, name="Turks", code="tr"))
        entries.extend(
            build_entries(
                service=service,
                term_keys=term_keys,
                term_names=term_names,
                organization_name=org.name,
                locations=locations,
                area_codes=[] if national else [municipality.code],
                national=national,
                cost=cost,
                addresses=addresses,
                schedules=schedules,
            )
        )

    for municipality, count in zip(municipalities, per_gemeente, strict=True):
        centre = add_org(
            f"Voorbeeld Steunpunt Mantelzorg {municipality.name_everyday}",
            Organization.Kind.SUPPORT_CENTRE,
            municipality,
        )
        add_service(centre, municipality, steunpunt=True)
        others = [
            add_org(f"Voorbeeld {kind_name} {municipality.name_everyday} {i + 1}", kind, municipality)
            for i, (kind, kind_name) in enumerate(
                rng.choice(
                    (
                        (Organization.Kind.WELFARE, "Welzijn"),
                        (Organization.Kind.CARE_PROVIDER, "Zorg"),
                        (Organization.Kind.VOLUNTEER, "Vrijwilligers"),
                    )
                )
                for _ in range(max(1, count // 25))
            )
        ]
        for _ in range(count - 1):
            add_service(rng.choice(others + [centre]), municipality)
    national_orgs = (
        [
            add_org(f"Voorbeeld Landelijke Organisatie {i + 1}", Organization.Kind.NATIONAL, None)
            for i in range(min(10, max(1, national_count)))
        ]
        if national_count
        else []
    )
    for i in range(national_count):
        add_service(national_orgs[i % len(national_orgs)], municipalities[0], national=True)

    batch = 2000 if connection.vendor == "postgresql" else 500
    with transaction.atomic():
        Organization.objects.bulk_create(orgs, batch_size=batch)
        Organization.municipalities.through.objects.bulk_create(org_areas, batch_size=batch)
        Phone.objects.bulk_create(phones, batch_size=batch)
        Location.objects.bulk_create(rows["locations"], batch_size=batch)
        Address.objects.bulk_create(rows["addresses"], batch_size=batch)
        Accessibility.objects.bulk_create(rows["access"], batch_size=batch)
        Service.objects.bulk_create(rows["services"], batch_size=batch)
        for key, model in (
            ("attributes", Attribute),
            ("sals", ServiceAtLocation),
            ("areas", ServiceArea),
            ("costs", CostOption),
            ("phones", Phone),
            ("schedules", Schedule),
            ("languages", Language),
        ):
            model.objects.bulk_create(rows[key], batch_size=batch)
        SearchEntry.objects.bulk_create(entries, batch_size=batch)
        bump_version("directory")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    summary = {
        "services": len(rows["services"]),
        "organizations": len(orgs),
        "locations": len(rows["locations"]),
        "search_entries": len(entries),
        "seconds": round(time.monotonic() - started, 1),
    }
    if stdout is not None:
        stdout.write("Generated directory: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return summary
