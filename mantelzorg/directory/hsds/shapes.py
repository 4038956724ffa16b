"""The HSDS objects the API and the JSON export give: ``service_list_item``, ``service_full`` (the
compiled ``service``, fully nested; prefetch with ``full_queryset``) and the organization,
location, service_at_location and taxonomy shapes. Empty values are left out."""

from __future__ import annotations

from django.db.models import Prefetch

from ..models import Attribute, KeptRecord, Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from .fields import OFFICIAL, REQUIRED, TABLE_OF_OBJECT, TABLES, out_value


def row(obj, table: str, *, internal: bool = False) -> dict:
    """The one-to-one fields of ``obj`` as an HSDS object (empty values left out)."""
    out = {}
    required = REQUIRED.get(table, ())
    for f in TABLES[table].fields:
        if f.internal and not internal:
            continue
        value = out_value(obj, f)
        if value is None:
            if f.name in required:
                out[f.name] = ""
            continue
        out[f.name] = value
    for name, value in obj.hsds_extra.items():  # official fields we keep but do not model
        out.setdefault(name, value)
    return out


def _sorted(objs):
    return sorted(objs, key=lambda o: o.id)


def organization_brief(org: Organization) -> dict:
    """Organization one-to-one fields (``organization_list`` shape) without the M2M extension."""
    out = {"id": str(org.id), "name": org.name, "description": org.description}
    for name in ("alternate_name", "email", "website", "legal_status", "uri"):
        value = getattr(org, name)
        if value:
            out[name] = value
    if org.parent_organization_id:
        out["parent_organization_id"] = str(org.parent_organization_id)
    out["kind"] = org.kind
    return out


def service_list_item(service: Service, *, internal: bool = False) -> dict:
    """The ``service_list`` shape: one-to-one fields and the organization (select_related)."""
    out = row(service, "services", internal=internal)
    out["organization"] = organization_brief(service.organization)
    return out


def phone_full(phone) -> dict:
    out = row(phone, "phones")
    out["languages"] = [row(x, "languages") for x in _sorted(phone.languages.all())]
    return out


def contact_full(contact) -> dict:
    out = row(contact, "contacts")
    out["phones"] = [phone_full(p) for p in _sorted(contact.phones.all())]
    return out


def taxonomy_item(taxonomy: Taxonomy) -> dict:
    return row(taxonomy, "taxonomies")


def term_item(term: TaxonomyTerm) -> dict:
    out = row(term, "taxonomy_terms")
    out.setdefault("taxonomy", term.taxonomy.name)
    out["taxonomy_detail"] = taxonomy_item(term.taxonomy)
    return out


def attribute_full(attribute) -> dict:
    out = row(attribute, "attributes")
    out["taxonomy_term"] = term_item(attribute.taxonomy_term)
    return out


def location_full(location) -> dict:
    out = row(location, "locations")
    out["addresses"] = [row(x, "addresses") for x in _sorted(location.addresses.all())]
    out["accessibility"] = [row(x, "accessibility") for x in _sorted(location.accessibility.all())]
    out["languages"] = [row(x, "languages") for x in _sorted(location.languages.all())]
    out["phones"] = [phone_full(x) for x in _sorted(location.phones.all())]
    out["schedules"] = [row(x, "schedules") for x in _sorted(location.schedules.all())]
    out["contacts"] = [contact_full(x) for x in _sorted(location.contacts.all())]
    return out


def service_at_location_full(sal) -> dict:
    out = row(sal, "service_at_locations")
    out["contacts"] = [contact_full(x) for x in _sorted(sal.contacts.all())]
    out["phones"] = [phone_full(x) for x in _sorted(sal.phones.all())]
    out["schedules"] = [row(x, "schedules") for x in _sorted(sal.schedules.all())]
    out["location"] = location_full(sal.location)
    return out


def organization_full(org, *, locations=None) -> dict:
    out = row(org, "organizations")
    out["contacts"] = [contact_full(x) for x in _sorted(org.contacts.all())]
    out["phones"] = [phone_full(x) for x in _sorted(org.phones.all())]
    if locations is not None:
        out["locations"] = [location_full(x) for x in _sorted(locations)]
    return out


def service_full(service: Service, *, internal: bool = False) -> dict:
    """The compiled ``service`` shape, fully nested (prefetch with ``full_queryset``)."""
    out = row(service, "services", internal=internal)
    org = service.organization
    # Locations of the organization that no service uses travel with the organization.
    orphans = [loc for loc in org.locations.all() if not loc.service_at_locations.all()] if internal else None
    out["organization"] = organization_full(org, locations=orphans)
    out["phones"] = [phone_full(x) for x in _sorted(service.phones.all())]
    out["schedules"] = [row(x, "schedules") for x in _sorted(service.schedules.all())]
    out["service_areas"] = [row(x, "service_areas") for x in _sorted(service.service_areas.all())]
    out["service_at_locations"] = [
        service_at_location_full(x) for x in _sorted(service.service_at_locations.all())
    ]
    out["languages"] = [row(x, "languages") for x in _sorted(service.languages.all())]
    out["cost_options"] = [row(x, "cost_options") for x in _sorted(service.cost_options.all())]
    out["contacts"] = [contact_full(x) for x in _sorted(service.contacts.all())]
    out["attributes"] = [attribute_full(x) for x in _sorted(service.attributes.all())]
    return out


def _phones(prefix):
    return [f"{prefix}phones__languages"]


def _contacts(prefix):
    return [f"{prefix}contacts__phones__languages"]


def _location(prefix):
    return [
        f"{prefix}addresses",
        f"{prefix}accessibility",
        f"{prefix}languages",
        f"{prefix}schedules",
        *_phones(prefix),
        *_contacts(prefix),
    ]


def full_queryset(qs, *, internal: bool = False):
    """Prefetch everything ``service_full`` reads (a constant number of queries)."""
    lookups = [
        "organization__municipalities",
        *_phones(""),
        "schedules",
        "service_areas",
        "languages",
        "cost_options",
        *_contacts(""),
        Prefetch("attributes", queryset=Attribute.objects.select_related("taxonomy_term__taxonomy")),
        Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location")),
        "service_at_locations__schedules",
        *_phones("service_at_locations__"),
        *_contacts("service_at_locations__"),
        *_location("service_at_locations__location__"),
        *_phones("organization__"),
        *_contacts("organization__"),
    ]
    if internal:
        lookups += ["organization__locations__service_at_locations", *_location("organization__locations__")]
    return qs.select_related("organization").prefetch_related(*lookups)


# --- rows kept as given (KeptRecord): nested again under the objects they belong to -----------


# Nested in our full shapes beyond the object schemas: an organization's services (compiled
# ``organization``) when they are fully nested.
_FULL_NESTED = {"organizations": {"services": ("service", True)}}


def _objects(item: dict, table: str, found: dict) -> None:
    """Every HSDS object in ``item`` (a ``table`` object), by (table, id)."""
    if item.get("id"):
        found.setdefault((table, item["id"]), []).append(item)
    nested = OFFICIAL[table].nested | _FULL_NESTED.get(table, {})
    for key, (hsds_object, is_list) in nested.items():
        if key == "services" and "phones" not in (item.get(key) or [{}])[0]:
            continue  # service_list items (full_service=false): one-to-one fields only
        child_table = TABLE_OF_OBJECT[hsds_object]
        if child_table not in TABLES:
            continue
        value = item.get(key)
        for child in (value if is_list else [value]) if value else ():
            if isinstance(child, dict):
                _objects(child, child_table, found)


def with_kept(items: list[dict], table: str) -> list[dict]:
    """Put the kept rows (funding, programs, required documents, metadata, organization
    identifiers, attributes of other objects than services) back into ``items`` (``table``
    objects, nested), under the field the official schema gives them. Two queries at most."""
    found: dict = {}
    for item in items:
        _objects(item, table, found)
    if not found:
        return items
    ids = sorted({object_id for _table, object_id in found})
    records = []
    for i in range(0, len(ids), 500):
        records += KeptRecord.objects.filter(parent_id__in=ids[i : i + 500]).exclude(parent_table="")
    records.sort(key=lambda r: (r.table, str(r.hsds_id)))
    keys = {}
    for record in records:
        parent = OFFICIAL.get(record.parent_table)
        if parent is None or (record.parent_table, record.parent_id) not in found:
            continue
        key = keys.setdefault(
            (record.parent_table, record.table),
            next((k for k, (o, _l) in parent.nested.items() if o == OFFICIAL[record.table].object), ""),
        )
        if not key:
            continue
        for target in found[(record.parent_table, record.parent_id)]:
            if parent.nested[key][1]:
                target.setdefault(key, []).append(record.data)
            else:
                target[key] = record.data
    _programs_by_id(found)
    return items


def _programs_by_id(found: dict) -> None:
    """A service names its program by ``program_id`` (CSV); the program itself is kept under its
    organization: give it as the service's ``program`` too."""
    wanted: dict[str, list[dict]] = {}
    for (table, _id), objs in found.items():
        for item in objs:
            if table == "services" and item.get("program_id") and "program" not in item:
                wanted.setdefault(str(item["program_id"]), []).append(item)
    if not wanted:
        return
    for record in KeptRecord.objects.filter(table="programs", hsds_id__in=list(wanted)).order_by(
        "parent_table"
    ):
        for item in wanted.get(str(record.hsds_id), ()):
            item.setdefault("program", record.data)
