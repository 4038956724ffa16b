import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from mantelzorg.core.models import LogEntry

from .factories import make_org, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers():
    return {
        "thuis": make_service(
            "B Thuishulp", respite=("at_home",), domains=("respite",), needs_indication=True
        ),
        "dag": make_service(
            "A Dagopvang", respite=("day_care",), domains=("respite",), cost_kind="own_contribution"
        ),
        "landelijk": make_service(
            "C Vakantie", postcode=None, national=True, respite=("holiday",), domains=("respite",)
        ),
        "elders": make_service("D Utrecht logeren", postcode="3511", respite=("respite_stay",)),
        "geen": make_service("E Info", domains=("information",)),
    }


def test_menu_groups_by_respite_form(client, offers):
    content = client.get("/gemeenten/GM0363/respijtzorg/").content.decode()
    assert "B Thuishulp" in content and "A Dagopvang" in content and "C Vakantie" in content
    assert "D Utrecht logeren" not in content and "E Info" not in content
    assert (
        content.index('id="form-at_home"')
        < content.index("B Thuishulp")
        < content.index('id="form-day_care"')
    )


def test_menu_shows_cost_phone_and_law(client, offers):
    from decimal import Decimal

    from mantelzorg.directory.models import CostOption, Phone

    CostOption.objects.create(service=offers["dag"], amount=Decimal("7.5"), amount_description="per dagdeel")
    Phone.objects.create(service=offers["dag"], number="020-1234567")
    content = client.get("/gemeenten/GM0363/respijtzorg/").content.decode()
    card = content[content.index("A Dagopvang") :][:800]
    assert "Eigen bijdrage: € 7,50 per dagdeel" in card and "020-1234567" in card
    thuis = content[content.index("B Thuishulp") :][:800]
    assert "Indicatie nodig" in thuis


@pytest.mark.parametrize("extra", [0, 15])
def test_menu_query_count_is_constant(client, django_assert_max_num_queries, offers, extra):
    for i in range(extra):
        make_service(f"F Extra {i}", respite=("at_home", "day_care"), cost_kind="paid")
    with django_assert_max_num_queries(10):
        response = client.get("/gemeenten/GM0363/respijtzorg/")
    assert response.status_code == 200
    assert response.content.decode().count('class="mz-card"') == 3 + extra  # one card per offer


def test_menu_ordering_and_intro_edit(cast, login_as, offers):
    a, b = offers["dag"], offers["thuis"]
    extra = make_service("Z Tweede thuishulp", respite=("at_home",))
    c = login_as(cast.staff)
    form = {
        "intro": "Welkom in Amsterdam",
        f"pos_{a.id}": 5,
        f"pos_{b.id}": 2,
        f"pos_{extra.id}": 1,
        f"pos_{offers['landelijk'].id}": 3,
    }
    assert c.post("/gemeenten/GM0363/respijtzorg/bewerken/", form).status_code == 302
    content = c.get("/gemeenten/GM0363/respijtzorg/").content.decode()
    assert "Welkom in Amsterdam" in content
    assert content.index("Z Tweede thuishulp") < content.index("B Thuishulp")
    assert LogEntry.objects.filter(action="directory.respite_menu.updated").exists()


def test_menu_pdf_has_text_and_is_tagged(client, offers):
    from pypdf import PdfReader

    response = client.get("/gemeenten/GM0363/respijtzorg.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Thuishulp" in text
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and "/MarkInfo" in root


def test_unknown_gemeente_404(client):
    assert client.get("/gemeenten/GM9999/respijtzorg/").status_code == 404


def test_stale_command_lists_and_emails(cast):
    org = make_org("Voorbeeld Steunpunt", account_organisation=cast.organisation)
    make_service("Oud aanbod", org=org, verified=dt.date.today() - dt.timedelta(days=400))
    make_service("Vers aanbod", org=org)
    out = io.StringIO()
    call_command("directory_stale", stdout=out)
    assert "Oud aanbod" in out.getvalue() and "Vers aanbod" not in out.getvalue()
    call_command("directory_stale", "--email", stdout=io.StringIO())
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [cast.editor.email]
    assert "Oud aanbod" in mail.outbox[0].body


def test_generator_small_and_demo_idempotent():
    from mantelzorg.directory import demo, generator
    from mantelzorg.directory.models import Organization, SearchEntry, Service

    summary = generator.generate(services=400, seed=3)
    assert summary["services"] == 400
    assert Organization.objects.filter(kind="support_centre").count() == 342
    assert SearchEntry.objects.count() >= 390
    assert all(name.startswith("Voorbeeld") for name in Service.objects.values_list("name", flat=True))
    assert demo.load() == 0  # generated data exists: skipped
    generator.clear()
    assert not Service.objects.exists()


def test_translations_complete():
    from pathlib import Path

    po = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    text = po.read_text()
    assert "#, fuzzy" not in text
    entries = text.split("\n\n")[1:]
    missing = [
        e
        for e in entries
        if 'msgstr ""' in e.splitlines()[-1] and "msgstr[" not in e and e.splitlines()[-1] == 'msgstr ""'
    ]
    assert not missing, missing[:3]
