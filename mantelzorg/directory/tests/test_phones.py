"""Phone numbers (issue 9, point 19): the offer editor refuses "abc" and short numbers with a
clear Dutch error beside the field, keeps what was typed, and every page links with tel:
digits and + only. The HSDS import keeps other systems' numbers and only refuses no digits."""

import copy
import re

import pytest
from django.core.exceptions import ValidationError

from mantelzorg.core.phone import tel_href
from mantelzorg.directory import phones
from mantelzorg.directory.hsds.export import export_json
from mantelzorg.directory.models import Phone
from mantelzorg.directory.services import hsds_import

from .factories import edit_form, make_org, make_service

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored", "href"),
    [
        ("030 760 60 55", "030 760 60 55", "tel:+31307606055"),
        ("030-7606055", "030-7606055", "tel:+31307606055"),
        (" 06  12 34 56 78 ", "06 12 34 56 78", "tel:+31612345678"),
        ("(030) 760 60 55", "(030) 760 60 55", "tel:+31307606055"),
        ("0800-0113", "0800-0113", "tel:+318000113"),
        ("0800 1234567", "0800 1234567", "tel:+318001234567"),
        ("0900-1234", "0900-1234", "tel:+319001234"),
        ("088 123 45 67", "088 123 45 67", "tel:+31881234567"),
        ("+31 30 760 60 55", "+31 30 760 60 55", "tel:+31307606055"),
        ("+31 (0)30 760 60 55", "+31 (0)30 760 60 55", "tel:+31307606055"),
        ("+31 800 0113", "+31 800 0113", "tel:+318000113"),
        ("0031 30 760 60 55", "0031 30 760 60 55", "tel:+31307606055"),
        ("+32 2 123 45 67", "+32 2 123 45 67", "tel:+3221234567"),
        ("+44 20 7946 0958", "+44 20 7946 0958", "tel:+442079460958"),
        ("14 020", "14 020", "tel:14020"),
        ("14 0413", "14 0413", "tel:140413"),
    ],
)
def test_valid_numbers_are_kept_as_typed_and_dialled_as_digits(typed, stored, href):
    assert phones.validate(typed) == stored
    assert tel_href(stored) == href


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc", "invalid"),
        ("030 abc", "invalid"),
        ("tel. 030 760 60 55", "invalid"),
        ("---", "invalid"),
        ("112", "short"),
        ("113", "short"),
        ("1233", "short"),
        ("030 760 60", "length"),
        ("030 760 60 555", "length"),
        ("307606055", "length"),
        ("0800-011", "length"),
        ("+31 30 760 60", "length"),
        ("+1 23", "length"),
        ("+123456789012345678", "length"),
        ("030+7606055", "invalid"),
    ],
)
def test_bad_numbers_get_a_reason(typed, code):
    with pytest.raises(ValidationError) as error:
        phones.validate(typed)
    assert error.value.code == code


def test_empty_is_allowed():
    assert phones.validate("   ") == ""
    assert tel_href("") == "" and tel_href("onbekend") == ""


@pytest.fixture
def offer(cast):
    own = make_org("Voorbeeld Steunpunt", municipalities=["GM0363"], account_organisation=cast.organisation)
    return make_service("Voorbeeld Praatgroep", org=own)


def test_editor_gets_a_dutch_error_beside_the_phone_field_and_nothing_is_saved(cast, login_as, offer):
    Phone.objects.create(service=offer, number="020 123 45 67")
    c = login_as(cast.editor)
    response = c.post(f"/sociale-kaart/beheer/aanbod/{offer.id}/", edit_form(offer, phone="abc"))
    assert response.status_code == 200
    content = response.content.decode()
    error = re.search(r'id="id_phone_error".*?</div>', content, re.S).group(0)
    assert "Gebruik alleen cijfers, bijvoorbeeld 030 760 60 55" in error
    assert 'aria-describedby="' in content and "id_phone_error" in content
    assert list(offer.phones.values_list("number", flat=True)) == ["020 123 45 67"]
    short = c.post(
        f"/sociale-kaart/beheer/aanbod/{offer.id}/", edit_form(offer, phone="113")
    ).content.decode()
    assert "Korte nummers zoals 112 of 113" in short


def test_a_good_number_is_saved_as_typed_and_linked_with_digits_only(cast, login_as, client, offer):
    c = login_as(cast.editor)
    response = c.post(f"/sociale-kaart/beheer/aanbod/{offer.id}/", edit_form(offer, phone="030  760 60 55"))
    assert response.status_code == 302
    assert list(offer.phones.values_list("number", flat=True)) == ["030 760 60 55"]
    page = client.get(f"/sociale-kaart/aanbod/{offer.id}/").content.decode()
    assert '<a class="nl-link mz-phone" href="tel:+31307606055">030 760 60 55</a>' in page


def test_menukaart_and_steunpunt_numbers_are_tel_links(client):
    from mantelzorg.directory.models import Organization

    centre = make_org(
        "Voorbeeld Steunpunt Mantelzorg", kind=Organization.Kind.SUPPORT_CENTRE, municipalities=["GM0363"]
    )
    Phone.objects.create(organization=centre, number="020-555 66 77")
    offer = make_service("Voorbeeld Logeerhuis", respite=("respite_stay",))
    Phone.objects.create(service=offer, number="+31 (0)20 123 45 67")
    menu = client.get("/gemeenten/GM0363/respijtzorg/").content.decode()
    assert 'href="tel:+31201234567"' in menu
    centres = client.get("/steunpunten/", {"q": "Amsterdam"}).content.decode()
    assert 'href="tel:+31205556677"' in centres


def test_hsds_import_keeps_international_numbers_and_refuses_no_digits():
    from .test_hsds_support import build_directory

    build_directory()
    data = export_json()
    good = copy.deepcopy(data)
    rich = next(s for s in good if s["phones"])
    rich["phones"][0]["number"] = "  +44  20 7946 0958 "
    result = hsds_import(data=good)
    assert result.ok, result.errors
    assert Phone.objects.filter(id=rich["phones"][0]["id"]).get().number == "+44 20 7946 0958"
    bad = copy.deepcopy(data)
    rich = next(s for s in bad if s["phones"])
    rich["phones"][0]["number"] = "onbekend"
    result = hsds_import(data=bad)
    assert not result.ok
    assert [(e.field, e.message) for e in result.errors] == [("number", "A phone number needs digits.")]
