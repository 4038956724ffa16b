"""What the page tests share: a house with a phone near 3511 run by a provider organisation whose
professional decides, a caregiver's guest and stay, and the request form's fields."""

from __future__ import annotations

from types import SimpleNamespace

from conftest import make_user
from mantelzorg.accounts.models import Organisation, Role
from mantelzorg.directory.models import Phone

from .. import services
from ..models import Funding
from .factories import days, make_house, request_for

PHONE = "030 123 45 67"


def provider_world(cast=None, *, units=1, postcode="3511", name="Voorbeeld Logeerhuis Utrecht", **profile):
    """A house with ``units`` beds and a phone; its provider organisation with a professional who
    decides (``decider``); another provider's house and professional (``other_decider``); a
    regional coordinator of the house's gemeente and one of another region."""
    organisation = Organisation.objects.create(name=f"{name} zorg", kind=Organisation.Kind.CARE_PROVIDER)
    service, made = make_house(
        name, postcode=postcode, units=units, account_organisation=organisation, **profile
    )
    Phone.objects.create(service=service, number=PHONE)
    other_org = Organisation.objects.create(
        name="Voorbeeld Ander Huis zorg", kind=Organisation.Kind.CARE_PROVIDER
    )
    other_service, _ = make_house(
        "Voorbeeld Ander Huis", postcode="1012", units=1, account_organisation=other_org
    )
    region = Organisation.objects.create(name="Voorbeeld Coordinatie Utrecht", kind=Organisation.Kind.WELFARE)
    region.municipalities.set([made[0].municipality_id])
    far = Organisation.objects.create(name="Voorbeeld Coordinatie Amsterdam", kind=Organisation.Kind.WELFARE)
    far.municipalities.set(["GM0363"])
    return SimpleNamespace(
        service=service,
        units=made,
        organisation=organisation,
        other_service=other_service,
        decider=make_user("pieter@example.org", Role.PROFESSIONAL, organisations=[organisation]),
        other_decider=make_user("olga@example.org", Role.PROFESSIONAL, organisations=[other_org]),
        coordinator=make_user("cora@example.org", Role.COORDINATOR, organisations=[region]),
        other_coordinator=make_user("cas@example.org", Role.COORDINATOR, organisations=[far]),
    )


def guest_of(user, name="Mien", postcode="3511 AB", **fields):
    return services.guest_save(owner=user, postcode=postcode, name=name, birth_year=1941, **fields)


def held_stay(user, service, *, arrival=10, departure=12, guest=None, funding=Funding.WMO):
    guest = guest or guest_of(user)
    return services.stay_request(
        request=request_for(user),
        service=service,
        arrival=days(arrival),
        departure=days(departure),
        guest=guest,
        funding=funding,
        contact_phone="06 12345678",
        needs="Slaapt slecht",
    )


def request_url(service, arrival=10, departure=12, **query) -> str:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return (
        f"/logeerzorg/huis/{service.pk}/aanvragen/?aankomst={days(arrival)}&vertrek={days(departure)}{extra}"
    )


def request_data(arrival=10, departure=12, **changes) -> dict:
    data = {
        "gast": "nieuw",
        "naam": "Mien",
        "geboortejaar": "1941",
        "postcode": "3511",
        "telefoon": "06 12345678",
        "financiering": "wmo",
        "toelichting": "Slaapt slecht",
        "aankomst": str(days(arrival)),
        "vertrek": str(days(departure)),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def search_url(arrival=10, departure=12, postcode="3511", **query) -> str:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return (
        f"/logeerzorg/zoeken/?postcode={postcode}&aankomst={days(arrival)}&vertrek={days(departure)}{extra}"
    )


def wait_data(arrival=10, departure=12, **changes) -> dict:
    """The waiting-list form as the page posts it: the search carried along and someone new."""
    data = {
        "postcode": "3511",
        "wanneer": "datums",
        "aankomst": str(days(arrival)),
        "vertrek": str(days(departure)),
        "gast": "nieuw",
        "naam": "Mien",
        "geboortejaar": "1941",
    }
    data.update({k: str(v) for k, v in changes.items()})
    return {k: v for k, v in data.items() if v is not None}
