"""The caregiver's side of issue 14: make a declaration, get a QR code per purpose with only that
purpose's claims, revoke, renew; prefilled from the Balanscheck and the care network."""

import datetime as dt
import json
from dataclasses import replace

import pytest
import zxingcpp
from django.utils import timezone

from mantelzorg.core.models import LogEntry
from mantelzorg.declaration import codec, purposes, services
from mantelzorg.declaration.models import Attestation, Declaration, RelyingParty

from .caregiver import FORM, make_declaration, read, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(cast, signing, login_as):
    login_as(cast.caregiver)
    return cast.caregiver


def test_the_start_page_explains_and_sends_a_visitor_to_log_in(client, db):
    html = client.get("/verklaring/").content.decode()
    assert "Log in to make your declaration" in html or "Log in om je verklaring te maken" in html
    assert "/account/inloggen/?next=/verklaring/nieuw/" in html
    assert client.get("/verklaring/nieuw/").status_code == 302


def test_a_declaration_is_issued_at_once_self_declared_for_12_months(anna, client):
    declaration = make_declaration(client)
    assert declaration.caregiver == anna and declaration.level == "self_declared"
    assert declaration.initials == "AV" and declaration.pc4 == "1053"
    assert declaration.municipality_id == "GM0363" and declaration.care_since == dt.date(2023, 9, 1)
    assert declaration.valid_from == today()
    assert declaration.valid_until == services.validity(today()) and declaration.state(today()) == "active"
    assert LogEntry.objects.filter(
        action="declaration.declaration.issued", object_id=str(declaration.pk)
    ).exists()
    html = client.get(f"/verklaring/{declaration.pk}/").content.decode()
    assert "Zelfverklaard" in html or "Self-declared" in html
    for purpose in purposes.all_purposes():
        assert f"/verklaring/{declaration.pk}/voor/{purpose.code}/" in html


@pytest.mark.parametrize(
    "start, end",
    [
        (dt.date(2026, 1, 31), dt.date(2027, 1, 30)),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 27)),  # 29 February + 12 months is 28 February
        (dt.date(2026, 12, 1), dt.date(2027, 11, 30)),
    ],
)
def test_twelve_months_end_the_day_before_the_same_date(start, end):
    assert services.validity(start) == end


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"since_year": str(dt.date.today().year + 1)}, "since_year"),
        ({"birth_day": "31", "birth_month": "2"}, "birth_day"),
        ({"birth_day": "30", "birth_month": "2"}, "birth_day"),
        ({"postcode": "0999"}, "postcode"),
        ({"initials": "J.V.B.X.Y"}, "initials"),
        ({"initials": "ÉV"}, "initials"),
        ({"hours_per_week": "0"}, "hours_per_week"),
        ({"truthful": ""}, "truthful"),
        ({"relation": "cousin"}, "relation"),
    ],
)
def test_a_wrong_answer_is_said_at_its_field_and_nothing_is_made(anna, client, changes, field):
    response = client.post("/verklaring/nieuw/", {**FORM, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Declaration.objects.exists()


def test_29_february_is_a_birthday(anna, client):
    assert make_declaration(client, birth_day="29", birth_month="2").birth_day == 29


def test_the_form_starts_from_the_latest_balanscheck(anna, client):
    from mantelzorg.assessment.models import SavedCheck

    SavedCheck.objects.create(
        owner=anna,
        instrument_id="balanscheck",
        instrument_canonical="x",
        answers={
            "about.relation": "partner",
            "about.care_hours": 20,
            "about.care_duration": "1_5_years",
            "task.meals.does": True,
            "task.medical.does": True,
            "task.transport.does": False,
        },
        pc4="3511",
    )
    response = client.get("/verklaring/nieuw/")
    initial = response.context["form"].initial
    assert initial["relation"] == "partner" and initial["hours_per_week"] == 20
    assert sorted(initial["tasks"]) == ["meals", "medical"] and initial["postcode"] == "3511"
    a_year_ago = today().year * 12 + today().month - 1 - 12
    year, month0 = divmod(a_year_ago, 12)
    assert (initial["since_year"], initial["since_month"]) == (year, month0 + 1)
    assert "balance check" in response.content.decode() or "Balanscheck" in response.content.decode()


def test_without_a_balanscheck_the_form_is_empty(anna, client):
    response = client.get("/verklaring/nieuw/")
    assert response.context["form"].initial == {}


def test_hours_from_the_care_network_win_over_the_balanscheck(anna, client, monkeypatch):
    from mantelzorg.assessment import selectors as assessment

    monkeypatch.setattr(assessment, "network_care_hours", lambda request: 9)
    response = client.get("/verklaring/nieuw/")
    assert response.context["form"].initial["hours_per_week"] == 9
    assert response.context["prefill"].from_network


# --- Attestations: one per purpose, minimal disclosure ---------------------------------------


def _qr(client, declaration, purpose):
    response = client.post(f"/verklaring/{declaration.pk}/voor/{purpose}/")
    assert response.status_code == 302 and response["Location"].endswith(f"/voor/{purpose}/qr/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


@pytest.mark.parametrize("purpose", [p.code for p in purposes.all_purposes()])
def test_each_purpose_discloses_exactly_its_claims(anna, client, purpose):
    declaration = make_declaration(client)
    page = _qr(client, declaration, purpose)
    code = page.context["code"]
    result = read(code)
    assert result.valid, result.reason
    listed = set(purposes.get(purpose).claims) - {"confirmed_by"}  # only when confirmed
    assert set(result.claims) == listed | {"purpose"}
    assert result.claims["purpose"] == purpose
    # never the tasks, the indication, the hours themselves, the name or the birth month
    text = json.dumps(result.claims)
    for absent in ("household", "transport", "wmo", "alice", "birth_month"):
        assert absent not in text.lower(), absent
    assert 12 not in result.claims.values()  # the hours a week themselves (a band at most)
    assert "<svg" in page.content.decode() and code in page.content.decode()


def test_the_parking_code_has_the_band_not_the_hours(anna, client):
    declaration = make_declaration(client, hours_per_week="12")
    claims = read(_qr(client, declaration, "parking").context["code"]).claims
    assert claims["hours_band"] == 8 and claims["pc4"] == "1053" and claims["care_since"] == "2023-09"
    assert claims["holder"] == {"initials": "AV", "birth_day": 14}


@pytest.mark.parametrize(
    "hours, band", [(1, 1), (3, 1), (4, 4), (7, 4), (8, 8), (15, 8), (16, 16), (39, 24), (40, 40), (168, 40)]
)
def test_hours_bands(hours, band):
    assert purposes.hours_band(hours) == band


def test_the_qr_code_on_the_page_and_in_the_pdf_decodes_to_the_code(anna, client):
    from io import BytesIO

    from PIL import Image
    from pypdf import PdfReader

    declaration = make_declaration(client)
    code = _qr(client, declaration, "parking").context["code"]
    pdf = client.get(f"/verklaring/{declaration.pk}/voor/parking/qr.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(pdf.content))
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged PDF
    images = [image for page in reader.pages for image in page.images]
    assert images, "the PDF holds the QR code as an image"
    decoded = zxingcpp.read_barcodes(Image.open(BytesIO(images[0].data)))
    assert [d.text for d in decoded] == [code]
    text = "".join(page.extract_text() for page in reader.pages)
    assert "".join(code.split()) in "".join(text.split())  # the text too (wrapped at its spaces)


def test_a_code_lasts_at_most_28_days_and_never_past_the_declaration(anna, client):
    declaration = make_declaration(client)
    _qr(client, declaration, "parking")
    attestation = Attestation.objects.get()
    assert attestation.code_expires_at - timezone.now() <= dt.timedelta(days=28)
    # 10 days before the declaration ends, a new code ends with it
    near_end = dt.datetime.combine(
        declaration.valid_until - dt.timedelta(days=10), dt.time(12), tzinfo=dt.UTC
    )
    code = services.attestation_code(request=None, attestation=attestation, now=near_end)
    end = dt.datetime.combine(
        declaration.valid_until + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
    )
    assert attestation.code_expires_at == end
    assert (
        read(code, int(end.timestamp()) - 1).valid
        and read(code, int(end.timestamp())).status == codec.EXPIRED
    )


def test_a_code_is_renewed_when_it_has_less_than_a_week_left(anna, client):
    declaration = make_declaration(client)
    first = _qr(client, declaration, "parking").context["code"]
    attestation = Attestation.objects.get()
    later = timezone.now() + dt.timedelta(days=20)
    assert services.attestation_code(request=None, attestation=attestation, now=later) == first
    much_later = timezone.now() + dt.timedelta(days=22)
    renewed = services.attestation_code(request=None, attestation=attestation, now=much_later)
    assert renewed != first
    assert read(renewed, int(much_later.timestamp())).claims["status"] == read(first).claims["status"]


def test_each_attestation_has_its_own_random_status_entry(anna, client):
    declaration = make_declaration(client)
    for purpose in ("parking", "employer", "general"):
        _qr(client, declaration, purpose)
    entries = set(Attestation.objects.values_list("status_list_id", "status_idx"))
    assert len(entries) == 3


def test_the_purpose_page_shows_who_checks_it_before_the_qr_code(anna, client):
    declaration = make_declaration(client)
    RelyingParty.objects.create(
        name="Gemeente Amsterdam Parkeren",
        purpose="parking",
        municipality_id="GM0363",
        keeps="de uitkomst",
        retention="1 jaar",
        contact="p@example.nl",
        approved_at=timezone.now(),
    )
    RelyingParty.objects.create(
        name="Nog niet goedgekeurd", purpose="parking", keeps="alles", retention="altijd", contact="x"
    )
    RelyingParty.objects.create(
        name="Gemeente Utrecht Parkeren",
        purpose="parking",
        municipality_id="GM0344",
        keeps="x",
        retention="y",
        contact="z",
        approved_at=timezone.now(),
    )
    html = client.get(f"/verklaring/{declaration.pk}/voor/parking/").content.decode()
    assert "Gemeente Amsterdam Parkeren" in html and "1 jaar" in html
    assert "Nog niet goedgekeurd" not in html and "Gemeente Utrecht Parkeren" not in html
    assert not Attestation.objects.exists()  # nothing is made before the caregiver asks


def test_an_unknown_purpose_is_404(anna, client):
    declaration = make_declaration(client)
    assert client.get(f"/verklaring/{declaration.pk}/voor/pizza/").status_code == 404
    assert client.post(f"/verklaring/{declaration.pk}/voor/pizza/").status_code == 404


# --- Revocation and renewal ---------------------------------------------------------------------


def test_revoking_a_declaration_revokes_every_code_at_once(anna, client):
    declaration = make_declaration(client)
    codes = [_qr(client, declaration, p).context["code"] for p in ("parking", "employer")]
    assert client.get(f"/verklaring/{declaration.pk}/intrekken/").status_code == 200
    assert client.post(f"/verklaring/{declaration.pk}/intrekken/").status_code == 302
    for code in codes:
        assert services.verify(code).status == codec.REVOKED
    declaration.refresh_from_db()
    assert declaration.state(today()) == "revoked"
    assert client.get(f"/verklaring/{declaration.pk}/voor/parking/qr/").status_code == 404
    assert LogEntry.objects.filter(action="declaration.declaration.revoked").exists()


def test_stopping_one_code_leaves_the_others(anna, client):
    declaration = make_declaration(client)
    parking = _qr(client, declaration, "parking").context["code"]
    employer = _qr(client, declaration, "employer").context["code"]
    assert client.post(f"/verklaring/{declaration.pk}/voor/parking/intrekken/").status_code == 302
    assert services.verify(parking).status == codec.REVOKED
    assert services.verify(employer).status == codec.VALID


def test_renewal_shows_what_changed_and_renews_with_one_click(anna, client):
    from mantelzorg.assessment.models import SavedCheck

    declaration = make_declaration(client)
    old_code = _qr(client, declaration, "parking").context["code"]
    SavedCheck.objects.create(
        owner=anna,
        instrument_id="balanscheck",
        instrument_canonical="x",
        answers={"about.care_hours": 20, "task.household.does": True, "task.transport.does": True},
        pc4="1053",
    )
    page = client.get(f"/verklaring/{declaration.pk}/verlengen/")
    changes = page.context["changes"]
    assert [(c.before, c.after) for c in changes] == [("12", "20")]
    # the one click: the form as shown, posted
    form = page.context["form"]
    posted = {name: form[name].value() for name in form.fields}
    posted = {k: v for k, v in posted.items() if v not in (None, False)}
    posted["truthful"] = "on"
    response = client.post(f"/verklaring/{declaration.pk}/verlengen/", posted)
    assert response.status_code == 302, page.content.decode()[:2000]
    renewed = Declaration.objects.exclude(pk=declaration.pk).get()
    declaration.refresh_from_db()
    assert renewed.hours_per_week == 20 and renewed.replaces == declaration
    assert declaration.state(today()) == "replaced"
    assert services.verify(old_code).status == codec.REVOKED


def test_nothing_changed_says_so(anna, client):
    declaration = make_declaration(client)
    page = client.get(f"/verklaring/{declaration.pk}/verlengen/")
    assert page.context["changes"] == []


# --- GDPR ---------------------------------------------------------------------------------------


def test_export_holds_declarations_and_codes_and_erasure_revokes_first(anna, client):
    from mantelzorg.core import personal_data

    declaration = make_declaration(client)
    code = _qr(client, declaration, "parking").context["code"]
    exported = personal_data.export(anna)["apps"]["declaration"]["declarations"]
    assert exported[0]["id"] == str(declaration.pk) and exported[0]["attestations"][0]["code"] == code
    personal_data.erase(anna)
    assert not Declaration.objects.exists() and not Attestation.objects.exists()
    assert services.verify(code).status == codec.REVOKED


def test_the_demo_has_a_confirmed_declaration_with_two_codes_and_a_revoked_one(signing, settings):
    from django.core.management import call_command

    settings.DEMO_DATA = True
    call_command("load_demo_data")
    anna = Declaration.objects.filter(caregiver__email="mantelzorger@example.nl")
    current = anna.get(revoked_at__isnull=True)
    assert current.confirmed and current.issuer.organisation.name.startswith("Voorbeeld Steunpunt")
    outcomes = sorted(
        services.verify(a.code).status for a in Attestation.objects.filter(declaration__in=anna)
    )
    assert outcomes == ["revoked", "valid", "valid"]
    levels = {
        read(a.code).claims["purpose"]: read(a.code).claims["level"] for a in current.attestations.all()
    }
    assert levels == {"parking": "confirmed", "employer": "confirmed"}
    assert Declaration.objects.filter(review="submitted").count() == 1
    call_command("load_demo_data")  # idempotent
    assert Declaration.objects.count() == 3


def test_purposes_data_names_only_known_claims():
    for purpose in purposes.all_purposes():
        assert {"level", "holder", "status"} <= set(purpose.claims)
        assert purpose.code in codec.PURPOSES
    assert replace(purposes.get("parking"), why="") is not None


def test_after_stopping_a_code_a_new_one_can_be_made_with_a_new_entry(anna, client):
    declaration = make_declaration(client)
    first = _qr(client, declaration, "parking").context["code"]
    client.post(f"/verklaring/{declaration.pk}/voor/parking/intrekken/")
    second = _qr(client, declaration, "parking").context["code"]
    assert services.verify(first).status == codec.REVOKED and services.verify(second).status == codec.VALID
    assert read(second).claims["status"] != read(first).claims["status"]


def test_an_entry_that_was_ever_revoked_is_never_handed_out_again(db):
    from mantelzorg.declaration import status_list
    from mantelzorg.declaration.models import StatusList

    size = 64
    bits = bytearray(status_list.new_list(size))
    for idx in range(size):
        if idx != 37:
            status_list.set_status(bits, idx, status_list.INVALID)  # revoked, their rows erased
    StatusList.objects.create(bits=bytes(bits), size=size)
    assert services._status_entry()[1] == 37
