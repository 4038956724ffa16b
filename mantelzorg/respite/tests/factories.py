"""Respite data for tests, built through the directory's and this app's services."""

from __future__ import annotations

import datetime as dt

from django.test import RequestFactory
from django.utils import timezone

from mantelzorg.accounts.models import Organisation
from mantelzorg.directory.models import Organization
from mantelzorg.directory.tests.factories import make_org, make_service

from .. import services
from ..models import Funding, Kind, Unit


def make_house(
    name="Voorbeeld Logeerhuis",
    *,
    postcode="3511",
    units=2,
    kind=Kind.LOGEERZORG_WMO,
    funding=(Funding.WMO, Funding.PRIVATE),
    account_organisation=None,
    **profile,
):
    """A care provider's service with ``units`` beds at ``postcode``; returns (service, [units])."""
    if account_organisation is None:
        account_organisation = Organisation.objects.create(
            name=f"{name} (aanbieder)", kind=Organisation.Kind.CARE_PROVIDER
        )
    org = make_org(
        name=f"{name} BV", kind=Organization.Kind.CARE_PROVIDER, account_organisation=account_organisation
    )
    service = make_service(name, org=org, postcode=postcode, respite=("respite_stay",))
    location = service.service_at_locations.get().location
    made = []
    for n in range(units):
        unit = Unit(
            service=service,
            location=location,
            name=f"Kamer {n + 1}",
            kind=kind,
            funding=list(funding),
            target_groups=profile.get("target_groups", ["dementia", "older"]),
            wheelchair=profile.get("wheelchair", True),
            night_care=profile.get("night_care", True),
            behaviour=profile.get("behaviour", False),
            min_nights=profile.get("min_nights", 1),
            max_nights=profile.get("max_nights", 14),
            admission_days=profile.get("admission_days", []),
        )
        made.append(services.unit_save(request=None, unit=unit))
    return service, made


def request_for(user):
    request = RequestFactory().post("/")
    request.user = user
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    return request


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def make_provider(email: str, service):
    """Provider staff (a professional) of the organisation that runs ``service``."""
    from conftest import make_user
    from mantelzorg.accounts.models import Role

    return make_user(email, Role.PROFESSIONAL, organisations=[service.organization.account_organisation])


def make_coordinator(email: str, municipalities=("GM0344",)):
    """A regional coordinator: a coordinator of an organisation working in ``municipalities``."""
    from conftest import make_user
    from mantelzorg.accounts.models import Role

    org = Organisation.objects.create(
        name=f"Coördinatiefunctie {email}", kind=Organisation.Kind.CARE_PROVIDER
    )
    org.municipalities.set(municipalities)
    return make_user(email, Role.COORDINATOR, organisations=[org])
