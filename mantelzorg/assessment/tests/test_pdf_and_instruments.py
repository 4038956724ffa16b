"""'Mijn balans' as tagged PDF; loading operator instruments (command, admin), idempotent builtins."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from mantelzorg.assessment import registry, services
from mantelzorg.assessment.models import InstrumentDefinition, SavedCheck
from mantelzorg.assessment.tests import factories

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def test_result_pdf_is_tagged_and_contains_the_level(client):
    factories.walk(client, factories.overloaded(), postcode="1012")
    response = client.get("/balanscheck/uitslag/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root.get("/Lang")
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Overbelast" in text
    assert SavedCheck.objects.count() == 0


def test_printable_page_uses_the_same_content(client):
    factories.walk(client, factories.balanced())
    html = client.get("/balanscheck/uitslag/afdrukken/").content.decode()
    assert "<h2>In balans</h2>" in html and "Waarom we dit zeggen" in html


def test_builtin_instruments_are_stored_idempotently():
    assert set(InstrumentDefinition.objects.values_list("questionnaire_id", flat=True)) >= {
        "balanscheck",
        "carerqol",
    }
    count = InstrumentDefinition.objects.count()
    assert services.instruments_sync_builtin() == 0
    call_command("load_instrument", "--builtin", stdout=io.StringIO())
    assert InstrumentDefinition.objects.count() == count


def test_load_instrument_command_adds_a_usable_instrument(client):
    out = io.StringIO()
    call_command("load_instrument", str(DATA / "four_item_count.json"), stdout=out)
    call_command("load_instrument", str(DATA / "four_item_count.json"), stdout=out)  # idempotent
    assert InstrumentDefinition.objects.filter(questionnaire_id="four-item-count").count() == 1
    assert "four-item-count" in registry.instruments()
    bundle = client.get("/api/fhir/Questionnaire").json()
    assert "four-item-count" in {e["resource"]["id"] for e in bundle["entry"]}
    response = client.get("/balanscheck/vragenlijst/four-item-count/")
    assert response.status_code == 200


def test_operator_instrument_scores_through_the_api(client):
    call_command("load_instrument", str(DATA / "ediz_plus_shape.json"), stdout=io.StringIO())
    instrument = registry.instruments()[json.loads((DATA / "ediz_plus_shape.json").read_text())["id"]]
    answers = {q.link_id: (q.options[-1].code if q.type == "choice" else True) for q in instrument.questions}
    response = client.post(
        "/api/v1/checks/",
        json.dumps({"instrument": instrument.id, "answers": answers}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["scores"] and data["bands"]


def test_invalid_instrument_is_refused_with_every_problem(tmp_path):
    broken = json.loads((DATA / "four_item_count.json").read_text())
    broken["item"].append(dict(broken["item"][0]))  # duplicate linkId
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(CommandError, match="not unique"):
        call_command("load_instrument", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="cannot read JSON"):
        call_command("load_instrument", str(tmp_path / "missing.json"), stdout=io.StringIO())


def test_admin_validates_uploaded_instrument(cast, login_as):
    client = login_as(cast.admin)
    good = (DATA / "csi_shape.json").read_text()
    response = client.post("/beheer/assessment/instrumentdefinition/add/", {"json": good, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = InstrumentDefinition.objects.get(url=json.loads(good)["url"])
    assert row.checksum and row.active
    response = client.post(
        "/beheer/assessment/instrumentdefinition/add/", {"json": '{"resourceType": "Patient"}'}
    )
    assert response.status_code == 200 and "not a FHIR Questionnaire" in response.content.decode()


def test_new_version_replaces_the_active_one():
    data = json.loads((DATA / "four_item_count.json").read_text())
    services.instrument_load(data=data)
    data2 = {**data, "version": "0.2.0"}
    services.instrument_load(data=data2)
    rows = dict(InstrumentDefinition.objects.filter(url=data["url"]).values_list("version", "active"))
    assert rows == {"0.1.0": False, "0.2.0": True}
    assert registry.instruments()["four-item-count"].version == "0.2.0"


def test_the_pdf_is_short_and_its_offers_have_a_phone_number_and_an_address(client):
    """ "Mijn balans" for the keukentafelgesprek: 8 pages without phone numbers before; now at most
    three for a heavy result with ten local offers, each with its phone number and address."""
    import io

    from pypdf import PdfReader

    from mantelzorg.directory.models import Phone

    factories.organization("Steunpunt Utrecht", kind="support_centre", municipalities=["GM0344"])
    for i in range(10):
        service = factories.service(
            f"Aanbod {i}", domains=["respite", "practical_help", "emotional_support"], postcode="3511"
        )
        Phone.objects.create(service=service, number=f"030 100 00 0{i}")
    factories.walk(client, factories.overloaded(), postcode="3511 AB")
    pdf = PdfReader(io.BytesIO(client.get("/balanscheck/uitslag/pdf/").content))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert len(pdf.pages) <= 3
    assert re.search(r"telefoon 030 100 00 0\d", text) and "Teststraat 1" in text
    assert "Wat je nu kunt doen" in text and "Mijn aantekeningen" in text


def test_on_paper_a_crisis_keeps_what_each_line_is_for(client):
    factories.walk(client, {**factories.balanced(), "wellbeing.safety": True})
    html = client.get("/balanscheck/uitslag/afdrukken/").content.decode()
    assert "Je huisarts</strong> Bel vandaag je huisarts" in html
    assert "113 Zelfmoordpreventie 0800-0113" in html
    assert "Je gaf aan dat je soms niet meer wilt leven" in html.split("Waarom we dit zeggen", 1)[1]
