"""Build directory data for tests through the same services/indexer as production."""

import datetime as dt

from django.utils import timezone

from mantelzorg.core.geo import resolve_postcode
from mantelzorg.directory import taxonomy
from mantelzorg.directory.models import Organization, Schedule, Service, ServiceArea
from mantelzorg.directory.services import reindex_services, save_related


def make_org(
    name="Voorbeeld Welzijn", kind=Organization.Kind.WELFARE, municipalities=(), account_organisation=None
):
    org = Organization.objects.create(
        name=name, description="Test", kind=kind, account_organisation=account_organisation
    )
    if municipalities:
        org.municipalities.set(municipalities)
    return org


def make_service(
    name="Voorbeeld Aanbod",
    *,
    org=None,
    postcode="1012",
    domains=("information",),
    ladder=(),
    respite=(),
    targets=(),
    cost_kind="free",
    national=False,
    areas=(),
    publication="published",
    description="Hulp voor mantelzorgers",
    verified=None,
    needs_indication=False,
    schedule=None,
    status="active",
):
    org = org or make_org()
    service = Service.objects.create(
        organization=org,
        name=name,
        description=description,
        cost_kind=cost_kind,
        publication=publication,
        status=status,
        needs_indication=needs_indication,
        assured_date=verified if verified is not None else timezone.localdate() - dt.timedelta(days=10),
    )
    place = resolve_postcode(postcode) if postcode else None
    data = {
        "support_domains": domains,
        "ladder_steps": ladder,
        "respite_forms": respite,
        "target_groups": targets,
        "is_national": national,
        "areas": [],
        "address_1": "Teststraat 1",
        "city": "Test",
    }
    if areas:
        from mantelzorg.core.models import Municipality

        data["areas"] = list(Municipality.objects.filter(code__in=areas))
    save_related(service, data, place=place)
    if not national and not areas and place is not None:
        ServiceArea.objects.create(
            service=service, name=place.municipality.name_everyday, municipality=place.municipality
        )
    if schedule:
        Schedule.objects.create(service=service, **schedule)
    reindex_services([service.id])
    return service


def edit_form(service, **changes) -> dict:
    """POST data for the editor's edit form of ``service``: a published, free respite offer at
    Dam 1, Amsterdam, with ``changes`` on top (field names as in the form)."""
    return {
        "organization": service.organization_id,
        "name": service.name,
        "description": "Tekst",
        "cost_kind": "free",
        "law": "none",
        "status": "active",
        "publication": "published",
        "address_1": "Dam 1",
        "postal_code": "1012 JS",
        "city": "Amsterdam",
        "support_domains": ["respite"],
        **changes,
    }


__all__ = ["create_service", "edit_form", "make_org", "make_service", "taxonomy"]


def create_service(name, *, domains, postcode=None, national=False, org=None, **extra):
    """A published service of the sociale kaart, indexed for search (through the directory's service);
    ``extra``: more fields of the directory's service form (phone, respite_forms, target_groups, ...).
    Unlike ``make_service``, this goes through ``service_create`` with form data (any field), as an
    editor's form does, and a local service gets no municipal ServiceArea."""
    from mantelzorg.core import geo
    from mantelzorg.directory import services as directory_services

    place = geo.resolve_postcode(postcode) if postcode else None
    data = {
        "organization": org or make_org(f"Organisatie {name}", kind="other"),
        "name": name,
        "description": "Test",
        "publication": "published",
        "status": "active",
        "support_domains": domains,
        "is_national": national,
        "address_1": "Teststraat 1",
        "city": "Teststad",
        **extra,
    }
    return directory_services.service_create(request=None, data=data, place=place)
