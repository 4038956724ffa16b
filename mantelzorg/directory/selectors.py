"""Reads of the sociale kaart: search (a selector other apps call), detail, menukaart, access.

Search uses the denormalised ``SearchEntry`` table; see docs/directory-search.md.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import typing
from dataclasses import dataclass
from pathlib import Path

from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from mantelzorg.accounts.selectors import (
    is_directory_editor,
    is_platform_admin,
    is_staff_of,
    staff_municipality_codes,
)
from mantelzorg.core import audit
from mantelzorg.core.cache import per_version

from . import search, taxonomy, text
from .models import (
    Organization,
    SearchEntry,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    stale_cutoff,
)

# The searches other apps call and what they return: this module is the app's read API; the
# machinery is in search.py.
AS_TEXT = search.AS_TEXT
Hit = search.Hit
NearestOffers = search.NearestOffers
OfferWanted = search.OfferWanted
SearchResult = search.SearchResult
ServiceCard = search.ServiceCard
as_uuid = search.as_uuid
national_services = search.national_services
nearest_offers = search.nearest_offers
raw_rows = search.raw_rows
service_search = search.service_search
text_filter = search.text_filter
_by_distance, _nearest = search._by_distance, search._nearest  # the Balanscheck's equivalence test

ALIASES_FILE = Path(__file__).resolve().parent / "data" / "municipality_aliases.json"


def _place_name(raw: str) -> str:
    """A gemeente name as compared: folded, punctuation as spaces ("’s-Hertogenbosch" → "s hertogenbosch")."""
    return " ".join(text.WORD_RE.findall(text.fold(raw)))


def _municipality_table():
    from mantelzorg.core.models import Municipality

    by_code = Municipality.objects.in_bulk()
    names: dict[str, set] = {}
    for m in by_code.values():
        for name in (m.name, m.name_everyday, m.code):
            names.setdefault(_place_name(name), set()).add(m.code)
    for alias in json.loads(ALIASES_FILE.read_text(encoding="utf-8"))["aliases"]:
        if alias["code"] in by_code:
            names.setdefault(_place_name(alias["name"]), set()).add(alias["code"])
    return by_code, names


def municipality_lookup(raw: str) -> list:
    """The gemeenten a typed name can mean: its CBS name, everyday name, code or an everyday
    alias (``data/municipality_aliases.json``: "Den Bosch" → 's-Hertogenbosch) gives one;
    otherwise every gemeente whose name starts with the typed words ("Capelle" → Capelle aan den
    IJssel; "Bergen" → Bergen (L.), Bergen (NH.), Bergen op Zoom), by name. No query once the
    process knows the 342 gemeenten (per reference-data version)."""
    from mantelzorg.core.geo import REFERENCE

    by_code, names = per_version(REFERENCE, "municipality-lookup", _municipality_table)
    wanted = _place_name(raw)
    if not wanted:
        return []
    codes = names.get(wanted)
    if not codes and len(wanted) >= 3:
        codes = {code for name, found in names.items() if name.startswith(wanted + " ") for code in found}
    return sorted((by_code[c] for c in codes or ()), key=lambda m: m.name_everyday)


def support_centres_for(municipality) -> list[Organization]:
    """The steunpunt(en) mantelzorg that work in this gemeente (Organization.kind support_centre)."""
    return list(
        Organization.objects.filter(kind=Organization.Kind.SUPPORT_CENTRE, municipalities=municipality)
        .prefetch_related("phones")
        .order_by("name")
    )


def support_centre_overview(query: str = ""):
    """Every gemeente with its steunpunten (constant queries): list of (municipality, [orgs])."""
    from mantelzorg.core.geo import PostcodeError, normalise_postcode
    from mantelzorg.core.models import Municipality, PostcodeArea

    municipalities = Municipality.objects.all()
    query = (query or "").strip()
    if query:
        try:
            pc4, _ = normalise_postcode(query)
            municipalities = municipalities.filter(
                code__in=PostcodeArea.objects.filter(pc4=pc4).values("municipality_id")
            )
        except PostcodeError:
            known = [m.code for m in municipality_lookup(query)]  # "Den Bosch", "Bergen"
            municipalities = municipalities.filter(
                Q(code__in=known) | Q(name__icontains=query) | Q(name_everyday__icontains=query)
            )
    centres = Organization.objects.filter(kind=Organization.Kind.SUPPORT_CENTRE).prefetch_related("phones")
    municipalities = municipalities.prefetch_related(
        Prefetch("directory_organizations", queryset=centres.order_by("name"), to_attr="support_centres")
    )
    return list(municipalities)


def service_detail(service_id) -> Service:
    """A published service with everything for its page, or 404."""
    qs = (
        Service.objects.published()
        .select_related("organization")
        .prefetch_related(
            "phones",
            "contacts",
            "cost_options",
            "languages",
            "schedules",
            Prefetch("service_areas", queryset=ServiceArea.objects.select_related("municipality")),
            Prefetch("attributes__taxonomy_term", queryset=TaxonomyTerm.objects.select_related("taxonomy")),
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "location__addresses", "location__accessibility", "location__phones", "schedules"
                ),
            ),
            "organization__phones",
        )
    )
    service = qs.filter(id=service_id).first()
    if service is None:
        raise Http404
    return service


# --- menukaart respijtzorg ---------------------------------------------------------


class MenuGroup(typing.NamedTuple):
    term: TaxonomyTerm
    offers: list  # services whose main form this is (their cards)
    also: list  # services that have this form besides their main form

    @property
    def total(self) -> int:
        return len(self.offers) + len(self.also)


@dataclass
class MenuLocation:
    name: str
    address: str  # "Street 1, 1012 AB Place"
    here: bool  # in the menukaart's gemeente


def respite_menu(municipality) -> dict:
    """The menukaart of a gemeente: intro and groups [MenuGroup(term, offers, also)] by respite
    form; each offer once, in the group of its main form.

    An offer is on it when it is published, has a respite form, and is located in the gemeente,
    serves it (ServiceArea) or is national. Its **main form** is the first of its forms in the
    taxonomy's order (thuis, dagopvang, logeren, vakantie): its card is in that group, the
    group's ``also`` list names the offers whose other form it is (they link to the card).
    Ordering: the staff's positions first, then by name.

    Each service carries ``menu_forms`` (its respite-form terms, main first), ``menu_cost`` (its
    first CostOption as (amount, per), or None), ``menu_phone`` (its first phone number, or ""),
    ``menu_locations`` ([MenuLocation], the gemeente's first) and ``menu_national``. Constant
    queries; the respite forms come from the index's term bits, so no
    taxonomy rows are loaded per service.
    """
    from .models import Address, CostOption, Phone, RespiteMenu

    forms_ = taxonomy.codes(taxonomy.RESPITE_FORMS)
    respite_mask = taxonomy.mask(taxonomy.RESPITE_FORMS, forms_)
    bits: dict = {}
    national: set = set()
    for service_id, term_bits, kind in (
        SearchEntry.objects.alias(r=F("term_bits").bitand(respite_mask))
        .filter(r__gt=0)
        .filter(Q(municipality_code=municipality.code) | Q(kind=SearchEntry.KIND_NATIONAL))
        .values_list("service_id", "term_bits", "kind")
    ):
        bits[service_id] = bits.get(service_id, 0) | term_bits
        if kind == SearchEntry.KIND_NATIONAL:
            national.add(service_id)
    menu = RespiteMenu.objects.filter(municipality=municipality).first()
    positions = dict(menu.items.values_list("service_id", "position")) if menu else {}
    ids = list(bits)
    services = list(
        Service.objects.filter(id__in=ids)
        .select_related("organization")
        .only(
            "id",
            "name",
            "organization__name",
            "cost_kind",
            "needs_indication",
            "law",
            "application_process",
        )
    )
    costs: dict = {}
    for service_id, amount, per in (
        CostOption.objects.filter(service_id__in=ids)
        .order_by("pk")
        .values_list("service_id", "amount", "amount_description")
    ):
        costs.setdefault(service_id, (amount, per))
    phones: dict = {}
    for service_id, number in (
        Phone.objects.filter(service_id__in=ids).order_by("pk").values_list("service_id", "number")
    ):
        phones.setdefault(service_id, number)
    locations: dict = {}
    seen: set = set()
    for service_id, location_id, name, street, postcode, city, code in (
        Address.objects.filter(location__service_at_locations__service_id__in=ids)
        .order_by("location__name", "pk")
        .values_list(
            "location__service_at_locations__service_id",
            "location_id",
            "location__name",
            "address_1",
            "postal_code",
            "city",
            "location__municipality_id",
        )
    ):
        if (service_id, location_id) in seen:  # one address per location: its first
            continue
        seen.add((service_id, location_id))
        place = " ".join(p for p in (postcode, city) if p)
        address = ", ".join(p for p in (street, place) if p)
        locations.setdefault(service_id, []).append(MenuLocation(name, address, code == municipality.code))
    terms = list(TaxonomyTerm.objects.filter(taxonomy__code=taxonomy.RESPITE_FORMS).order_by("position"))
    term_bit = {term.code: 1 << taxonomy.TERM_BITS[f"{taxonomy.RESPITE_FORMS}:{term.code}"] for term in terms}
    forms_of = {
        service.id: [term for term in terms if bits[service.id] & term_bit[term.code]] for service in services
    }
    for service in services:  # what the menu's template reads, as annotations on the instance
        service.__dict__.update(
            menu_forms=forms_of[service.id],
            menu_cost=costs.get(service.id),
            menu_phone=phones.get(service.id, ""),
            menu_locations=sorted(locations.get(service.id, []), key=lambda loc: not loc.here),
            menu_national=service.id in national,
        )
    services.sort(key=lambda s: (positions.get(s.id, 10_000), s.name.lower()))
    groups = []
    for term in terms:
        main = [s for s in services if forms_of[s.id] and forms_of[s.id][0].code == term.code]
        also = [s for s in services if term in forms_of[s.id][1:]]
        groups.append(MenuGroup(term, main, also))
    return {
        "menu": menu,
        "intro": menu.intro if menu else "",
        "groups": groups,
        "services": services,
        "positions": positions,
    }


# --- access for editing --------------------------------------------------------------


def services_editable_by(user):
    """Services ``user`` may edit: editors their organisation's, staff what serves their gemeente."""
    if not user.is_authenticated:
        return Service.objects.none()
    if is_platform_admin(user):
        return Service.objects.all()
    if is_directory_editor(user):
        return Service.objects.filter(organization__account_organisation__in=user.organisations.all())
    codes = list(staff_municipality_codes(user))
    if codes:
        served = ServiceArea.objects.filter(municipality_id__in=codes).values("service_id")
        located = ServiceAtLocation.objects.filter(location__municipality_id__in=codes).values("service_id")
        return Service.objects.filter(Q(id__in=served) | Q(id__in=located))
    return Service.objects.none()


def service_get_for_editing(user, service_id) -> Service:
    service = services_editable_by(user).filter(id=service_id).select_related("organization").first()
    if service is None:
        raise Http404
    return service


def organizations_for_user(user):
    """Organisations under which ``user`` may add a service."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if is_platform_admin(user):
        return Organization.objects.all()
    if is_directory_editor(user):
        return Organization.objects.filter(account_organisation__in=user.organisations.all())
    codes = staff_municipality_codes(user)
    if codes:
        return Organization.objects.filter(municipalities__in=codes).distinct()
    return Organization.objects.none()


def can_edit_menu(user, municipality) -> bool:
    return is_platform_admin(user) or is_staff_of(user, municipality)


def stale_services(today: dt.date | None = None):
    """Published services not verified for 12 months, with their editors' organisation."""
    cutoff = stale_cutoff(today)
    return (
        Service.objects.published()
        .filter(Q(assured_date__lt=cutoff) | Q(assured_date__isnull=True))
        .select_related("organization", "organization__account_organisation")
        .order_by("organization__name", "name")
    )


def hsds_export(request, fmt: str) -> tuple[bytes, str, str]:
    """The whole sociale kaart in HSDS 3.0 for a platform admin (the view admits only them):
    (body, content type, file name) as JSON or the CSV zip; audited as a read. 404 for another
    format."""
    from .hsds import export

    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        body = json.dumps(export.export_json(), ensure_ascii=False).encode()
        content_type, filename = "application/json", f"hsds-services-{stamp}.json"
    elif fmt == "csv":
        buffer = io.BytesIO()
        export.export_csv(buffer)
        body, content_type, filename = buffer.getvalue(), "application/zip", f"hsds-csv-{stamp}.zip"
    else:
        raise Http404
    audit.log(
        request=request,
        action="directory.export.completed",
        object_type="directory.hsds_export",
        object_id=fmt,
        purpose="directory maintenance",
    )
    return body, content_type, filename
