"""Who reaches a caregiver's declaration: the caregiver; the staff of the issuer it was submitted
to (only while submitted, and never its QR codes); nobody else (404, audited as denied).

Routes checked (for the route matrix): /verklaring/ /verklaring/nieuw/ /verklaring/beoordelen/
/verklaring/controleren/aanmelden/ and, per declaration, /verklaring/<id>/ with /indienen/
/aanvraag-terugnemen/ /antwoorden/ /intrekken/ /verlengen/ /voor/<purpose>/ /voor/<purpose>/qr/
/voor/<purpose>/qr.pdf /voor/<purpose>/intrekken/, and /verklaring/beoordelen/<id>/.
"""

import pytest

from conftest import CAST_NAMES
from mantelzorg.core.models import LogEntry
from mantelzorg.declaration import codec, services
from mantelzorg.declaration.models import Declaration

from .caregiver import make_declaration, months_later, read, today

pytestmark = pytest.mark.django_db

OWN_GETS = ["", "voor/parking/", "voor/parking/qr/", "voor/parking/qr.pdf", "intrekken/", "verlengen/"]
OWN_POSTS = [
    "indienen/",
    "aanvraag-terugnemen/",
    "antwoorden/",
    "intrekken/",
    "voor/parking/",
    "voor/parking/intrekken/",
    "verlengen/",
]


@pytest.fixture
def declaration(cast, signing, issuer, client, login_as):
    login_as(cast.caregiver)
    made = make_declaration(client)
    client.post(f"/verklaring/{made.pk}/voor/parking/")
    client.logout()
    return made


@pytest.mark.parametrize("who", [name for name in CAST_NAMES if name != "caregiver"])
def test_nobody_but_the_caregiver_reaches_a_declaration(who, cast, declaration, client, login_as):
    user = getattr(cast, who)
    login_as(user)
    for path in OWN_GETS:
        response = client.get(f"/verklaring/{declaration.pk}/{path}")
        expected = 302 if user is None else 404  # a visitor is asked to log in first
        assert response.status_code == expected, (who, path, response.status_code)
    for path in OWN_POSTS:
        response = client.post(f"/verklaring/{declaration.pk}/{path}", {"text": "x", "issuer": "1"})
        assert response.status_code == (302 if user is None else 404), (who, path)
    if user is not None:
        denied = LogEntry.objects.filter(outcome="denied", object_id=str(declaration.pk))
        assert denied.count() == len(OWN_GETS) + len(OWN_POSTS)
    declaration.refresh_from_db()
    assert declaration.revoked_at is None and declaration.review == "none"


def test_the_caregiver_reaches_every_page_of_their_own(cast, declaration, client, login_as):
    login_as(cast.caregiver)
    for path in OWN_GETS:
        assert client.get(f"/verklaring/{declaration.pk}/{path}").status_code == 200, path
    assert client.get("/verklaring/").status_code == 200


@pytest.mark.parametrize("who", [name for name in CAST_NAMES if name != "professional"])
def test_only_the_issuers_staff_see_the_queue_and_a_submitted_declaration(
    who, cast, declaration, issuer, client, login_as
):
    services.declaration_submit(request=None, declaration=declaration, issuer=issuer)
    login_as(getattr(cast, who))
    queue = client.get("/verklaring/beoordelen/")
    assert queue.status_code in (302, 404), who
    review = client.post(f"/verklaring/beoordelen/{declaration.pk}/", {"action": "confirm"})
    assert review.status_code in (302, 404) and (
        review.status_code == 404 or "inloggen" in review["Location"]
    )
    declaration.refresh_from_db()
    assert declaration.review == "submitted"


def test_the_issuers_staff_see_only_what_was_submitted_to_them(cast, declaration, issuer, client, login_as):
    login_as(cast.professional)
    assert client.get(f"/verklaring/beoordelen/{declaration.pk}/").status_code == 404  # not submitted
    services.declaration_submit(request=None, declaration=declaration, issuer=issuer)
    queue = client.get("/verklaring/beoordelen/")
    assert queue.status_code == 200 and f"/verklaring/beoordelen/{declaration.pk}/" in queue.content.decode()
    page = client.get(f"/verklaring/beoordelen/{declaration.pk}/")
    assert page.status_code == 200 and "AV" in page.content.decode()
    assert LogEntry.objects.filter(
        action="declaration.declaration.viewed",
        object_id=str(declaration.pk),
        actor_id=str(cast.professional.pk),
    ).exists()
    # never the caregiver's own pages or codes
    for path in OWN_GETS:
        assert client.get(f"/verklaring/{declaration.pk}/{path}").status_code == 404
    # withdrawn: gone at once
    services.declaration_withdraw_request(request=None, declaration=declaration)
    assert client.get(f"/verklaring/beoordelen/{declaration.pk}/").status_code == 404
    assert (
        f"/verklaring/beoordelen/{declaration.pk}/"
        not in client.get("/verklaring/beoordelen/").content.decode()
    )


def test_question_answer_and_confirmation(cast, declaration, issuer, client, login_as):
    login_as(cast.caregiver)
    old_code = client.get(f"/verklaring/{declaration.pk}/voor/parking/qr/").context["code"]
    assert client.post(f"/verklaring/{declaration.pk}/indienen/", {"issuer": issuer.pk}).status_code == 302
    login_as(cast.professional)
    client.post(f"/verklaring/beoordelen/{declaration.pk}/", {"action": "ask", "text": "Sinds wanneer?"})
    declaration.refresh_from_db()
    assert declaration.review == "question"
    login_as(cast.caregiver)
    assert "Sinds wanneer?" in client.get(f"/verklaring/{declaration.pk}/").content.decode()
    client.post(f"/verklaring/{declaration.pk}/antwoorden/", {"text": "Sinds 2023."})
    declaration.refresh_from_db()
    assert declaration.review == "submitted" and declaration.answer == "Sinds 2023."
    login_as(cast.professional)
    assert "Sinds 2023." in client.get(f"/verklaring/beoordelen/{declaration.pk}/").content.decode()
    assert client.post(f"/verklaring/beoordelen/{declaration.pk}/", {"action": "confirm"}).status_code == 302
    declaration.refresh_from_db()
    assert declaration.confirmed and declaration.valid_until == services.validity(today(), 6)
    # the code is signed again: now confirmed, by the organisation (its id)
    login_as(cast.caregiver)
    new_code = client.get(f"/verklaring/{declaration.pk}/voor/parking/qr/").context["code"]
    claims = read(new_code).claims
    assert new_code != old_code and claims["level"] == "confirmed"
    assert claims["confirmed_by"] == cast.organisation.pk
    assert read(old_code).claims["level"] == "self_declared"
    for action in ("submitted", "questioned", "answered", "confirmed", "attestation.viewed"):
        assert LogEntry.objects.filter(action__endswith=action).exists(), action


def test_refusal_keeps_a_self_declaration_with_the_reason(cast, declaration, issuer, client, login_as):
    services.declaration_submit(request=None, declaration=declaration, issuer=issuer)
    login_as(cast.professional)
    response = client.post(f"/verklaring/beoordelen/{declaration.pk}/", {"action": "refuse", "text": ""})
    assert response.status_code == 400  # a refusal needs its reason
    client.post(
        f"/verklaring/beoordelen/{declaration.pk}/", {"action": "refuse", "text": "Wij kennen u niet."}
    )
    declaration.refresh_from_db()
    assert declaration.review == "refused" and declaration.level == "self_declared"
    login_as(cast.caregiver)
    html = client.get(f"/verklaring/{declaration.pk}/").content.decode()
    assert "Wij kennen u niet." in html
    assert LogEntry.objects.filter(action="declaration.declaration.refused").exists()


def test_an_issuer_revokes_only_what_it_confirmed(cast, declaration, issuer, client, login_as):
    services.declaration_submit(request=None, declaration=declaration, issuer=issuer)
    login_as(cast.professional)
    client.post(f"/verklaring/beoordelen/{declaration.pk}/", {"action": "revoke"})
    declaration.refresh_from_db()
    assert declaration.revoked_at is None  # not confirmed yet: nothing to revoke
    client.post(f"/verklaring/beoordelen/{declaration.pk}/", {"action": "confirm"})
    login_as(cast.caregiver)
    code = client.get(f"/verklaring/{declaration.pk}/voor/parking/qr/").context["code"]
    login_as(cast.professional)
    client.post(f"/verklaring/beoordelen/{declaration.pk}/", {"action": "revoke"})
    declaration.refresh_from_db()
    assert declaration.revoked_at and declaration.revoked_by_issuer
    assert services.verify(code).status == codec.REVOKED


def test_a_confirmed_declaration_renewed_goes_back_to_its_issuer(cast, declaration, issuer, client, login_as):
    services.declaration_submit(request=None, declaration=declaration, issuer=issuer)
    services.review_confirm(request=None, declaration=declaration)
    login_as(cast.caregiver)
    page = client.get(f"/verklaring/{declaration.pk}/verlengen/")
    form = page.context["form"]
    posted = {k: v for k, v in ((n, form[n].value()) for n in form.fields) if v not in (None, False)}
    posted["truthful"] = "on"
    assert client.post(f"/verklaring/{declaration.pk}/verlengen/", posted).status_code == 302
    renewed = Declaration.objects.get(replaces=declaration)
    assert renewed.review == "submitted" and renewed.issuer == issuer and renewed.level == "self_declared"


def test_an_expired_declaration_makes_no_codes(cast, declaration, client, login_as):
    Declaration.objects.filter(pk=declaration.pk).update(valid_until=months_later(today(), -2))
    login_as(cast.caregiver)
    assert client.get(f"/verklaring/{declaration.pk}/voor/parking/qr/").status_code == 404
    assert client.post(f"/verklaring/{declaration.pk}/voor/employer/").status_code == 404


def test_a_relying_party_registers_and_waits_for_approval(client, db):
    from mantelzorg.declaration.models import RelyingParty

    assert client.get("/verklaring/controleren/aanmelden/").status_code == 200
    response = client.post(
        "/verklaring/controleren/aanmelden/",
        {
            "name": "Woonstichting X",
            "purpose": "housing",
            "keeps": "de uitkomst",
            "retention": "2 jaar",
            "contact": "w@example.nl",
        },
    )
    assert response.status_code == 200 and response.context["done"]
    party = RelyingParty.objects.get()
    assert party.approved_at is None and party.purpose == "housing"
    assert (
        client.post("/verklaring/controleren/aanmelden/", {"name": "Y", "purpose": "pizza"}).status_code
        == 400
    )


def test_each_side_hears_by_e_mail_that_something_waits_and_never_what(
    cast, declaration, issuer, client, login_as
):
    from django.core import mail

    mail.outbox.clear()
    services.declaration_submit(request=None, declaration=declaration, issuer=issuer)
    assert [m.to for m in mail.outbox] == [[cast.professional.email]]
    services.review_ask(request=None, declaration=declaration, question="Hoeveel uur precies?")
    services.review_confirm(request=None, declaration=declaration)
    assert [m.to for m in mail.outbox[1:]] == [[cast.caregiver.email]] * 2
    assert f"/verklaring/{declaration.pk}/" in mail.outbox[1].body
    for message in mail.outbox:
        for secret in ("AV", "1053", "Hoeveel uur", "Amsterdam,"):
            assert secret not in message.body, (secret, message.body)
