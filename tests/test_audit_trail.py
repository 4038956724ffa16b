"""The audit trail is complete (quality bar 3, NEN 7513): every view and API operation that reads
or changes personal or care data writes exactly one audit row per request, with every NEN 7513
field filled (``core.audit.FIELDS``; a field that does not apply says "none"), and refused
attempts too.

The routes come from the URL resolver (as in ``test_route_matrix.py``): each one is either walked
here (``CASES``: the request, the action and outcome expected, and whom the row must name as its
subject) or listed in ``NO_PERSONAL_RECORD`` with the reason it reads and changes no record of a
person. A new route fails ``test_every_route_is_walked_or_has_a_reason`` until it is one or the
other. The admin (``/beheer/``) is walked by the cases at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db.models import Max
from django.urls import get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp

from conftest import PASSWORD
from mantelzorg.accounts.models import ConsentRecord, Role
from mantelzorg.assessment.apps import BALANCE_HISTORY, FOLLOW_UP
from mantelzorg.assessment.models import SavedCheck
from mantelzorg.assessment.tests import factories
from mantelzorg.core import audit
from mantelzorg.core.models import LogEntry
from mantelzorg.network.models import Activity, Membership, Network
from mantelzorg.network.recurrence import occurrence_key
from mantelzorg.network.tests import factories as network_factories
from tests.test_route_matrix import walk

pytestmark = pytest.mark.django_db

# Routes that read or change no record of an identified person, with the reason.
SESSION_ONLY = "the answers live in the visitor's own session only; saving them is walked (bewaren)"
NO_PERSONAL_RECORD = {
    "/": "home page",
    "/_floor": "benchmark floor view",
    "/favicon.ico": "static",
    "/healthz": "health check",
    "/taal/<str:code>/": "language switch",
    "/toegankelijkheid/": "accessibility statement",
    "/steunpunten/": "public directory of support centres",
    "/account/inloggen/code/": "walked as a POST below; its GET shows an empty form",
    "/account/mijn-gegevens/": "links to the pages below; shows no data itself",
    "/account/wachtwoord-vergeten/verstuurd/": "a fixed confirmation text",
    "/account/wachtwoord-nieuw/klaar/": "a fixed confirmation text",
    "/balanscheck/": "the start page: a link to the own history when there is one, no data of a check",
    "/balanscheck/opnieuw/": SESSION_ONLY,
    "/balanscheck/uitslag/": SESSION_ONLY,
    "/balanscheck/uitslag/afdrukken/": SESSION_ONLY,
    "/balanscheck/uitslag/pdf/": SESSION_ONLY,
    "/balanscheck/uitslag/postcode/": SESSION_ONLY,
    "/balanscheck/carerqol/": SESSION_ONLY,
    "/balanscheck/vragenlijst/<slug:questionnaire_id>/": SESSION_ONLY,
    "/balanscheck/vragenlijst/<slug:questionnaire_id>/uitslag/": SESSION_ONLY,
    "/balanscheck/gemeente/<str:code>/drempels/": "a gemeente's policy thresholds, no person "
    "(changes audited as assessment.thresholds.updated)",
    "/api/v1/checks/": "computes a result from the request body and keeps nothing",
    "/api/v1/declarations/verify/": "verifies an MZ1 code and keeps nothing of it (a count per purpose and "
    "day only: declaration/tests/test_verify.py)",
    "/api/v1/respite/availability/": "counts and dates of beds, the houses' names and phones; no person",
    "/verklaring/controleren/": "the verifier page: keeps nothing of the code it checks",
    "/verklaring/sleutels.json": "the public key set (JWKS)",
    "/verklaring/sleutels.cbor": "the public key set (COSE_KeySet)",
    "/verklaring/status/<int:list_id>": "a status list token: one bit per attestation at a random index",
    "/verklaring/status/<int:list_id>.cwt": "the same token",
    "/verklaring/organisaties.json": "the organisations that confirm declarations (public)",
    "/verklaring/controleren/sw.js": "the verifier page's service worker (a script)",
    "/verklaring/controleren/aanmelden/": "an organisation that checks declarations registers; no person",
    "/api/v1/docs/": "API documentation",
    "/api/v1/schema/": "the OpenAPI document",
    "/api/v1/schema.json": "the OpenAPI document in JSON",
    "/api/v1/municipalities/": "reference data",
    "/api/v1/postcodes/<str:postcode>/": "reference data (PC4 areas)",
    "/api/fhir/Questionnaire": "instrument definitions",
    "/api/fhir/Questionnaire/<slug:questionnaire_id>": "instrument definitions",
    "/sociale-kaart/": "the public directory of organisations' offers",
    "/sociale-kaart/aanbod/<uuid:service_id>/": "an organisation's offer",
    "/gemeenten/<str:code>/respijtzorg/": "a gemeente's public respite menu",
    "/gemeenten/<str:code>/respijtzorg.pdf": "a gemeente's public respite menu",
    "/logeerzorg/aanbieder/plaatsen/": "a provider's beds and places and their counts, no person "
    "(changes audited as respite.unit.* and respite.closure.*, walked below)",
}
DIRECTORY = "organisations' offers, no person (changes audited as directory.*, directory/tests)"
NO_PERSONAL_RECORD.update(
    {route: DIRECTORY for route in ("/sociale-kaart/beheer/", "/sociale-kaart/beheer/aanbod/nieuw/")}
)
NO_PERSONAL_RECORD.update(
    {
        "/sociale-kaart/beheer/aanbod/<uuid:service_id>/": DIRECTORY,
        "/sociale-kaart/beheer/aanbod/<uuid:service_id>/verwijderen/": DIRECTORY,
        "/sociale-kaart/beheer/hsds/": DIRECTORY,
        "/sociale-kaart/beheer/hsds/export/<str:fmt>/": DIRECTORY,
        "/gemeenten/<str:code>/respijtzorg/bewerken/": DIRECTORY,
    }
)


def _is_hsds(route: str) -> bool:
    """The HSDS API: organisations' offers, no person."""
    return route.startswith("/api/hsds/3.0/")


@dataclass
class Case:
    route: str
    method: str
    action: str
    outcome: str
    run: Callable  # (world, trail) -> the expected subject_id


CASES: list[Case] = []


def case(route, method, action, outcome=audit.OUTCOME_SUCCESS):
    def register(fn):
        CASES.append(Case(route, method, action, outcome, fn))
        return fn

    return register


class Trail:
    """Runs one request and keeps the audit rows written during it."""

    rows: list[LogEntry]

    def __call__(self, send):
        start = LogEntry.objects.aggregate(last=Max("id"))["last"] or 0
        response = send()
        self.rows = list(LogEntry.objects.filter(id__gt=start).order_by("id"))
        self.response = response
        return response


@dataclass
class World:
    cast: object
    client: object
    login_as: Callable

    def check(self, owner=None, **fields):
        return factories.SavedCheckFactory(owner=owner or self.cast.caregiver, **fields)


# ------------------------------------------------------------------------------ accounts


@case("/account/aanmelden/", "POST", "accounts.user.registered")
def _signup(w, trail):
    email = "nieuw@example.org"
    trail(
        lambda: w.client.post("/account/aanmelden/", {"name": "Nieuw", "email": email, "password": PASSWORD})
    )
    from mantelzorg.accounts.models import User

    return str(User.objects.get(email=email).pk)


@case("/account/aanmelden/", "POST", "accounts.user.signup_repeated")
def _signup_existing_address(w, trail):
    trail(
        lambda: w.client.post("/account/aanmelden/", {"email": w.cast.caregiver.email, "password": PASSWORD})
    )
    return str(w.cast.caregiver.pk)


@case("/account/aanmelden/", "POST", "accounts.rate_limit.refused", audit.OUTCOME_DENIED)
def _signup_over_the_limit(w, trail):
    for _ in range(5):
        w.client.post("/account/aanmelden/", {"email": "veel@example.org", "password": PASSWORD})
    response = trail(
        lambda: w.client.post("/account/aanmelden/", {"email": "veel@example.org", "password": PASSWORD})
    )
    assert response.status_code == 429
    assert trail.rows[0].object_id == audit.account_ref("veel@example.org")
    return audit.NONE


@case("/account/aanmelden/bevestigen/<uidb64>/<token>/", "POST", "accounts.user.confirmed")
def _signup_confirm(w, trail):
    w.client.post("/account/aanmelden/", {"email": "nieuw@example.org", "password": PASSWORD})
    link = re.search(r"http://testserver(/account/aanmelden/bevestigen/\S+)", mail.outbox[-1].body).group(1)
    trail(lambda: w.client.post(link))
    assert trail.response.status_code == 302
    from mantelzorg.accounts.models import User

    return str(User.objects.get(email="nieuw@example.org").pk)


@case("/account/inloggen/", "POST", "accounts.session.logged_in")
def _login(w, trail):
    trail(
        lambda: w.client.post("/account/inloggen/", {"email": w.cast.caregiver.email, "password": PASSWORD})
    )
    return str(w.cast.caregiver.pk)


@case("/account/inloggen/", "POST", "accounts.session.login_failed", audit.OUTCOME_DENIED)
def _login_failed(w, trail):
    trail(lambda: w.client.post("/account/inloggen/", {"email": w.cast.caregiver.email, "password": "wrong"}))
    row = trail.rows[0]
    assert row.object_id == audit.account_ref(w.cast.caregiver.email)
    assert w.cast.caregiver.email not in str([getattr(row, f) for f in audit.FIELDS])
    return str(w.cast.caregiver.pk)


@case("/account/inloggen/", "POST", "accounts.session.login_failed", audit.OUTCOME_DENIED)
def _login_failed_unknown_account(w, trail):
    trail(lambda: w.client.post("/account/inloggen/", {"email": "nobody@example.org", "password": "wrong"}))
    assert trail.rows[0].object_id == audit.account_ref("nobody@example.org")
    return audit.NONE


@case("/account/inloggen/", "POST", "accounts.session.login_locked_out", audit.OUTCOME_DENIED)
def _login_locked_out(w, trail, settings=None):
    for _ in range(10):
        w.client.post("/account/inloggen/", {"email": w.cast.other_caregiver.email, "password": "wrong"})
    response = trail(
        lambda: w.client.post(
            "/account/inloggen/", {"email": w.cast.other_caregiver.email, "password": PASSWORD}
        )
    )
    assert response.status_code == 429
    return str(w.cast.other_caregiver.pk)


@case("/account/inloggen/", "POST", "accounts.rate_limit.refused", audit.OUTCOME_DENIED)
def _login_password_spraying(w, trail, settings=None):
    for number in range(30):
        w.client.post("/account/inloggen/", {"email": f"persoon{number}@example.org", "password": "wrong"})
    response = trail(
        lambda: w.client.post("/account/inloggen/", {"email": "nog1@example.org", "password": "x"})
    )
    assert response.status_code == 429 and trail.rows[0].purpose == "rate limit: login_failed"
    return audit.NONE


@case("/account/inloggen/code/", "POST", "accounts.session.logged_in")
def _login_mfa(w, trail):
    user = w.cast.professional
    w.client.post("/account/inloggen/", {"email": user.email, "password": PASSWORD})
    device = user.totpdevice_set.get()
    trail(lambda: w.client.post("/account/inloggen/code/", {"token": f"{totp(device.bin_key):06d}"}))
    return str(user.pk)


@case("/account/inloggen/code/", "POST", "accounts.session.mfa_failed", audit.OUTCOME_DENIED)
def _login_mfa_failed(w, trail):
    user = w.cast.professional
    w.client.post("/account/inloggen/", {"email": user.email, "password": PASSWORD})
    device = user.totpdevice_set.get()
    trail(
        lambda: w.client.post(
            "/account/inloggen/code/", {"token": f"{(totp(device.bin_key) + 1) % 10**6:06d}"}
        )
    )
    return str(user.pk)


@case("/account/inloggen/code/", "GET", "accounts.session.mfa_missing", audit.OUTCOME_DENIED)
def _login_staff_without_an_app(w, trail):
    user = w.cast.caregiver
    user.is_staff = True  # may open the admin: needs a second factor whatever the role
    user.save()
    w.client.post("/account/inloggen/", {"email": user.email, "password": PASSWORD})
    assert trail(lambda: w.client.get("/account/inloggen/code/")).status_code == 403
    return str(user.pk)


@case("/account/uitloggen/", "POST", "accounts.session.logged_out")
def _logout(w, trail):
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.post("/account/uitloggen/"))
    return str(w.cast.caregiver.pk)


@case("/account/wachtwoord-vergeten/", "POST", "accounts.password.reset_requested")
def _reset_request(w, trail):
    trail(lambda: w.client.post("/account/wachtwoord-vergeten/", {"email": w.cast.caregiver.email}))
    assert trail.rows[0].object_id == audit.account_ref(w.cast.caregiver.email)
    return str(w.cast.caregiver.pk)


@case("/account/wachtwoord-vergeten/", "POST", "accounts.rate_limit.refused", audit.OUTCOME_DENIED)
def _reset_request_over_the_limit(w, trail):
    for _ in range(5):
        w.client.post("/account/wachtwoord-vergeten/", {"email": w.cast.caregiver.email})
    sent = len(mail.outbox)
    response = trail(
        lambda: w.client.post("/account/wachtwoord-vergeten/", {"email": w.cast.caregiver.email})
    )
    assert response.status_code == 429 and len(mail.outbox) == sent
    return audit.NONE


@case("/account/wachtwoord-nieuw/<uidb64>/<token>/", "POST", "accounts.password.changed")
def _reset_confirm(w, trail):
    user = w.cast.caregiver
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    form_url = w.client.get(f"/account/wachtwoord-nieuw/{uid}/{token}/")["Location"]
    new = "fiets paraplu zonnebloem kade"
    trail(lambda: w.client.post(form_url, {"new_password1": new, "new_password2": new}))
    assert trail.response.status_code == 302
    return str(user.pk)


@case("/account/toestemmingen/", "GET", "accounts.consent.viewed")
def _consents(w, trail):
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.get("/account/toestemmingen/"))
    return str(w.cast.caregiver.pk)


@case("/account/toestemmingen/<int:consent_id>/intrekken/", "POST", "accounts.consent.revoked")
def _consent_revoke(w, trail):
    w.login_as(w.cast.caregiver)
    record = ConsentRecord.objects.get(grantor=w.cast.caregiver)
    trail(lambda: w.client.post(f"/account/toestemmingen/{record.pk}/intrekken/"))
    return str(w.cast.caregiver.pk)


@case("/account/mijn-gegevens/download/", "GET", "core.personal_data.exported")
def _download(w, trail):
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.get("/account/mijn-gegevens/download/"))
    return str(w.cast.caregiver.pk)


@case("/account/mijn-gegevens/verwijderen/", "GET", "accounts.user.viewed")
def _erase_confirmation(w, trail):
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.get("/account/mijn-gegevens/verwijderen/"))
    return str(w.cast.caregiver.pk)


@case("/account/mijn-gegevens/verwijderen/", "POST", "core.personal_data.erased")
def _erase(w, trail):
    w.login_as(w.cast.other_caregiver)
    pk = w.cast.other_caregiver.pk
    trail(lambda: w.client.post("/account/mijn-gegevens/verwijderen/", {"password": PASSWORD}))
    return str(pk)


# ------------------------------------------------------------------------------ the Balanscheck


@case("/balanscheck/stap/<int:number>/", "GET", "assessment.check.viewed")
def _step_prefilled_from_the_saved_check(w, trail):
    w.check()
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.get("/balanscheck/stap/1/"))
    return str(w.cast.caregiver.pk)


@case("/balanscheck/bewaren/", "POST", "assessment.check.saved")
def _save_to_account(w, trail):
    w.login_as(w.cast.caregiver)
    factories.walk(w.client, factories.overloaded())
    trail(lambda: w.client.post("/balanscheck/bewaren/", {"action": "account"}))
    return str(w.cast.caregiver.pk)


@case("/balanscheck/bewaren/", "POST", "assessment.check.saved")
def _save_by_email(w, trail):
    factories.walk(w.client, factories.overloaded())
    trail(lambda: w.client.post("/balanscheck/bewaren/", {"action": "email", "email": "zorg@example.org"}))
    return "email:" + SavedCheck.objects.get().owner_email_hash[:32]


@case("/balanscheck/link/<str:token>/", "GET", "assessment.email_link.opened")
def _magic_link(w, trail):
    factories.walk(w.client, factories.overloaded())
    w.client.post("/balanscheck/bewaren/", {"action": "email", "email": "zorg@example.org"})
    link = re.search(r"http://testserver(/balanscheck/link/\S+/)", mail.outbox[-1].body).group(1)
    w.client.cookies.clear()
    trail(lambda: w.client.get(link))
    return "email:" + SavedCheck.objects.get().owner_email_hash[:32]


@case("/balanscheck/link/<str:token>/", "GET", "assessment.email_link.opened", audit.OUTCOME_DENIED)
def _magic_link_forged(w, trail):
    trail(lambda: w.client.get("/balanscheck/link/not-a-token/"))
    return audit.NONE


@case("/balanscheck/mijn/", "GET", "assessment.check.viewed")
def _history(w, trail):
    w.check()
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.get("/balanscheck/mijn/"))
    return str(w.cast.caregiver.pk)


@case("/balanscheck/mijn/<uuid:check_id>/", "GET", "assessment.check.viewed")
def _check_by_owner(w, trail):
    check = w.check()
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.get(f"/balanscheck/mijn/{check.id}/"))
    return str(w.cast.caregiver.pk)


@case("/balanscheck/mijn/<uuid:check_id>/", "GET", "assessment.check.viewed")
def _check_by_professional_with_consent(w, trail):
    check = w.check()
    w.login_as(w.cast.professional)
    trail(lambda: w.client.get(f"/balanscheck/mijn/{check.id}/"))
    assert "consent" in trail.rows[0].purpose
    return str(w.cast.caregiver.pk)


@case("/balanscheck/mijn/<uuid:check_id>/", "GET", "assessment.check.viewed", audit.OUTCOME_DENIED)
def _check_by_outsider(w, trail):
    check = w.check()
    w.login_as(w.cast.other_caregiver)
    assert trail(lambda: w.client.get(f"/balanscheck/mijn/{check.id}/")).status_code == 404
    return str(w.cast.caregiver.pk)  # the owner is known, so the refused attempt names them


@case("/balanscheck/mijn/<uuid:check_id>/pdf/", "GET", "assessment.check.viewed")
def _check_pdf(w, trail):
    check = w.check()
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.get(f"/balanscheck/mijn/{check.id}/pdf/"))
    return str(w.cast.caregiver.pk)


@case("/balanscheck/mijn/<uuid:check_id>/verwijderen/", "GET", "assessment.check.viewed")
def _check_delete_confirmation(w, trail):
    check = w.check()
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.get(f"/balanscheck/mijn/{check.id}/verwijderen/"))
    return str(w.cast.caregiver.pk)


@case("/balanscheck/mijn/<uuid:check_id>/verwijderen/", "POST", "assessment.check.deleted")
def _check_delete(w, trail):
    check = w.check()
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.post(f"/balanscheck/mijn/{check.id}/verwijderen/"))
    return str(w.cast.caregiver.pk)


@case("/balanscheck/mijn/herinnering/", "POST", "assessment.reminder.updated")
def _reminder(w, trail):
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.post("/balanscheck/mijn/herinnering/", {"interval_months": "3"}))
    return str(w.cast.caregiver.pk)


@case("/balanscheck/uitslag/bijdragen/", "POST", "assessment.contribution.consented")
def _contribute(w, trail):
    factories.walk(w.client, factories.overloaded(), postcode="1012")
    trail(lambda: w.client.post("/balanscheck/uitslag/bijdragen/", {"consent": "yes"}))
    return audit.NONE  # anonymous by design: nothing links a contribution to a person


@case("/api/v1/checks/<uuid:check_id>/fhir", "GET", "assessment.check.viewed")
def _fhir_export(w, trail):
    check = w.check()
    w.login_as(w.cast.caregiver)
    trail(lambda: w.client.get(f"/api/v1/checks/{check.id}/fhir"))
    return str(w.cast.caregiver.pk)


# ------------------------------------------------------------------------------ the care network
# A network around Mien: the caregiver (Alice) coordinates, network_member (Charlie) is a member;
# other_caregiver (Bob) is an outsider. Every row of a network names the network as its subject.


def _net(w):
    """The network, its coordinator's and its member's membership (created once per case)."""
    net = network_factories.network(w.cast.caregiver, name="Mien")
    member = network_factories.member(net, w.cast.network_member)
    return net, network_factories.membership(net, w.cast.caregiver), member


def _subj(net) -> str:
    return f"network:{net.pk}"


def _n(net, rest="") -> str:
    return f"/netwerk/{net.pk}/{rest}"


def _get(w, trail, who, path, status=200):
    w.login_as(who)
    response = trail(lambda: w.client.get(path))
    assert response.status_code == status, (path, response.status_code)
    return response


def _post(w, trail, who, path, data=None, status=302):
    w.login_as(who)
    response = trail(lambda: w.client.post(path, data or {}))
    assert response.status_code == status, (path, response.status_code, response.content.decode()[:1500])
    return response


@case("/netwerk/", "GET", "network.network.listed")
def _network_list(w, trail):
    _net(w)
    _get(w, trail, w.cast.caregiver, "/netwerk/")
    return str(w.cast.caregiver.pk)  # the caller's own memberships


@case("/netwerk/nieuw/", "POST", "network.network.created")
def _network_create(w, trail):
    data = {"recipient_name": "Kees", "relation": "child"}
    _post(w, trail, w.cast.caregiver, "/netwerk/nieuw/", data)
    return _subj(Network.objects.get(recipient_name="Kees"))


@case("/netwerk/<uuid:network_id>/", "GET", "network.overview.viewed")
def _network_home(w, trail):
    net, _, _ = _net(w)
    network_factories.appointment(net)  # the agenda of the coming week and open help: one read
    network_factories.task(net)
    response = _get(w, trail, w.cast.caregiver, _n(net))
    assert "Huisarts" in response.content.decode() and "Boodschappen" in response.content.decode()
    return _subj(net)


@case("/netwerk/<uuid:network_id>/", "GET", "network.overview.viewed", audit.OUTCOME_DENIED)
def _network_home_by_outsider(w, trail):
    net, _, _ = _net(w)
    _get(w, trail, w.cast.other_caregiver, _n(net), status=404)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/leden/", "GET", "network.member.listed")
def _members(w, trail):
    net, _, _ = _net(w)
    network_factories.invitation(net)  # a coordinator also sees the pending invitations
    _get(w, trail, w.cast.caregiver, _n(net, "leden/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/leden/uitnodigen/", "POST", "network.member.invited")
def _invite(w, trail):
    net, _, _ = _net(w)
    data = {"email": "nieuw@example.org", "name": "Nina", "role": "member", "relation": "friend"}
    _post(w, trail, w.cast.caregiver, _n(net, "leden/uitnodigen/"), data)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/leden/uitnodigen/", "POST", "network.member.invited", audit.OUTCOME_DENIED)
def _invite_by_a_member(w, trail):
    net, _, _ = _net(w)
    data = {"email": "nieuw@example.org", "role": "member", "relation": "friend"}
    _post(w, trail, w.cast.network_member, _n(net, "leden/uitnodigen/"), data, status=404)
    assert trail.rows[0].purpose == "membership lacks manages"
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/leden/uitnodiging/<uuid:invitation_id>/intrekken/",
    "POST",
    "network.invitation.revoked",
)
def _invitation_revoke(w, trail):
    net, _, _ = _net(w)
    invitation = network_factories.invitation(net)
    _post(w, trail, w.cast.caregiver, _n(net, f"leden/uitnodiging/{invitation.pk}/intrekken/"))
    return _subj(net)


@case("/netwerk/uitnodiging/<str:token>/", "GET", "network.invitation.viewed")
def _invitation_opened(w, trail):
    net, _, _ = _net(w)
    network_factories.invitation(net, token="a-token-of-an-invitation")
    response = trail(lambda: w.client.get("/netwerk/uitnodiging/a-token-of-an-invitation/"))
    assert response.status_code == 200 and "Mien" in response.content.decode()
    return _subj(net)


@case("/netwerk/uitnodiging/<str:token>/", "GET", "network.invitation.viewed", audit.OUTCOME_DENIED)
def _invitation_unusable(w, trail):
    assert trail(lambda: w.client.get("/netwerk/uitnodiging/no-such-token/")).status_code == 404
    return audit.NONE


@case("/netwerk/uitnodiging/<str:token>/", "POST", "network.member.joined")
def _invitation_accept(w, trail):
    net, _, _ = _net(w)
    network_factories.invitation(net, email=w.cast.other_caregiver.email, token="a-token-of-an-invitation")
    _post(w, trail, w.cast.other_caregiver, "/netwerk/uitnodiging/a-token-of-an-invitation/")
    return _subj(net)


@case("/netwerk/<uuid:network_id>/leden/<int:member_id>/", "GET", "network.member.viewed")
def _member_edit_form(w, trail):
    net, _, member = _net(w)
    _get(w, trail, w.cast.caregiver, _n(net, f"leden/{member.pk}/"))
    assert trail.rows[0].object_id == str(member.pk)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/leden/<int:member_id>/", "POST", "network.member.changed")
def _member_edit(w, trail):
    net, _, member = _net(w)
    data = {"role": "caregiver", "relation": "sibling", "sees_private": "on"}
    _post(w, trail, w.cast.caregiver, _n(net, f"leden/{member.pk}/"), data)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/leden/<int:member_id>/", "POST", "network.member.viewed")
def _member_edit_refused(w, trail):
    net, coordinator, _ = _net(w)  # the only coordinator cannot step down: the form again
    data = {"role": "member", "relation": "child"}
    _post(w, trail, w.cast.caregiver, _n(net, f"leden/{coordinator.pk}/"), data, status=200)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/instellingen/", "POST", "network.network.viewed")
def _settings_invalid(w, trail):
    net, _, _ = _net(w)
    _post(w, trail, w.cast.caregiver, _n(net, "instellingen/"), {"recipient_name": ""}, status=200)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/leden/<int:member_id>/verwijderen/", "POST", "network.member.removed")
def _member_remove(w, trail):
    net, _, member = _net(w)
    _post(w, trail, w.cast.caregiver, _n(net, f"leden/{member.pk}/verwijderen/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/verlaten/", "POST", "network.member.left")
def _leave(w, trail):
    net, _, _ = _net(w)
    _post(w, trail, w.cast.network_member, _n(net, "verlaten/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/instellingen/", "GET", "network.network.viewed")
def _settings_form(w, trail):
    net, _, _ = _net(w)
    _get(w, trail, w.cast.caregiver, _n(net, "instellingen/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/instellingen/", "POST", "network.network.changed")
def _settings(w, trail):
    net, _, _ = _net(w)
    data = {"recipient_name": "Mien B.", "recipient_birth_date": "14-3-1942", "diary_for_members": "on"}
    _post(w, trail, w.cast.caregiver, _n(net, "instellingen/"), data)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/mijn-instellingen/", "GET", "network.member.viewed")
def _my_settings_form(w, trail):
    net, _, member = _net(w)
    _get(w, trail, w.cast.network_member, _n(net, "mijn-instellingen/"))
    assert trail.rows[0].object_id == str(member.pk)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/mijn-instellingen/", "POST", "network.member.changed")
def _my_settings(w, trail):
    net, _, _ = _net(w)
    data = {"phone": "0612345678", "reminders": "on"}
    _post(w, trail, w.cast.network_member, _n(net, "mijn-instellingen/"), data)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/dagboek/", "GET", "network.diary.viewed")
def _diary(w, trail):
    net, coordinator, _ = _net(w)
    network_factories.diary(net, coordinator)
    _get(w, trail, w.cast.caregiver, _n(net, "dagboek/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/dagboek/", "GET", "network.diary.viewed", audit.OUTCOME_DENIED)
def _diary_by_outsider(w, trail):
    net, _, _ = _net(w)
    _get(w, trail, w.cast.other_caregiver, _n(net, "dagboek/"), status=404)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/dagboek/", "GET", "network.diary.viewed", audit.OUTCOME_DENIED)
def _diary_by_a_member_without_permission(w, trail):
    net, _, _ = _net(w)
    _get(w, trail, w.cast.network_member, _n(net, "dagboek/"), status=404)
    assert trail.rows[0].purpose == "membership lacks sees_diary"
    return _subj(net)


@case("/netwerk/<uuid:network_id>/dagboek/", "POST", "network.diary.written")
def _diary_write(w, trail):
    net, _, _ = _net(w)
    _post(w, trail, w.cast.caregiver, _n(net, "dagboek/"), {"text": "Mien sliep goed."})
    return _subj(net)


@case("/netwerk/<uuid:network_id>/dagboek/", "POST", "network.diary.written", audit.OUTCOME_DENIED)
def _diary_write_by_outsider(w, trail):
    net, _, _ = _net(w)
    _post(w, trail, w.cast.other_caregiver, _n(net, "dagboek/"), {"text": "Hallo"}, status=404)
    return _subj(net)


# The agenda: an item once and a weekly series (five times) from tomorrow.


def _series(net):
    start = network_factories.at(dt.date.today() + dt.timedelta(days=1))
    series = network_factories.appointment(
        net, start=start, rrule="FREQ=WEEKLY;COUNT=5", title="Dagbesteding"
    )
    return series, occurrence_key(start + dt.timedelta(days=7))  # its second time


def _appointment_form(**fields):
    day = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    data = {"kind": "appointment", "title": "Tandarts", "date": day, "start_time": "10:00"}
    data.update(
        {"end_time": "11:00", "place": "", "note": "", "repeat": "", "interval": "1", "ends": "never"}
    )
    data.update(fields)
    return data


for _view in ("", "?weergave=week", "?weergave=maand"):

    def _agenda(w, trail, view=_view):
        net, _, member = _net(w)
        network_factories.appointment(net).goers.set([member])
        _series(net)
        _get(w, trail, w.cast.network_member, _n(net, f"agenda/{view}"))
        return _subj(net)

    _agenda.__name__ = f"_agenda_{_view.split('=')[-1] or 'lijst'}"
    case("/netwerk/<uuid:network_id>/agenda/", "GET", "network.agenda.viewed")(_agenda)


@case("/netwerk/<uuid:network_id>/agenda/nieuw/", "GET", "network.member.listed")
def _appointment_new_form(w, trail):
    net, _, _ = _net(w)
    _get(w, trail, w.cast.caregiver, _n(net, "agenda/nieuw/"))  # the members who may go along
    return _subj(net)


@case("/netwerk/<uuid:network_id>/agenda/nieuw/", "POST", "network.appointment.created")
def _appointment_new(w, trail):
    net, _, member = _net(w)
    _post(w, trail, w.cast.caregiver, _n(net, "agenda/nieuw/"), _appointment_form(goers=[str(member.pk)]))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/", "GET", "network.appointment.viewed")
def _appointment(w, trail):
    net, _, _ = _net(w)
    item = network_factories.appointment(net)
    _get(w, trail, w.cast.network_member, _n(net, f"agenda/{item.pk}/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/", "GET", "network.appointment.viewed")
def _occurrence(w, trail):
    net, _, _ = _net(w)
    series, key = _series(net)
    _get(w, trail, w.cast.network_member, _n(net, f"agenda/{series.pk}/?op={key}"))
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/",
    "GET",
    "network.appointment.viewed",
    audit.OUTCOME_DENIED,
)
def _appointment_by_outsider(w, trail):
    net, _, _ = _net(w)
    item = network_factories.appointment(net)
    _get(w, trail, w.cast.other_caregiver, _n(net, f"agenda/{item.pk}/"), status=404)
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/wijzigen/", "GET", "network.appointment.viewed"
)
def _appointment_edit_form(w, trail):
    net, _, _ = _net(w)
    series, key = _series(net)
    _get(w, trail, w.cast.caregiver, _n(net, f"agenda/{series.pk}/wijzigen/?welke=vanaf&op={key}"))
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/wijzigen/", "POST", "network.appointment.changed"
)
def _appointment_edit(w, trail):
    net, _, _ = _net(w)
    item = network_factories.appointment(net)
    _post(w, trail, w.cast.caregiver, _n(net, f"agenda/{item.pk}/wijzigen/"), _appointment_form())
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/wijzigen/", "POST", "network.appointment.changed"
)
def _appointment_edit_this_and_following(w, trail):
    net, _, _ = _net(w)
    series, key = _series(net)
    path = _n(net, f"agenda/{series.pk}/wijzigen/?welke=vanaf&op={key}")
    day = (dt.date.today() + dt.timedelta(days=8)).isoformat()
    data = _appointment_form(title="Dagbesteding (nieuw)", date=day, repeat="WEEKLY", ends="never")
    _post(w, trail, w.cast.caregiver, path, data)
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/wijzigen/", "POST", "network.occurrence.changed"
)
def _occurrence_edit(w, trail):
    net, _, _ = _net(w)
    series, key = _series(net)
    day = (dt.date.today() + dt.timedelta(days=9)).isoformat()
    data = {"title": "Dagbesteding", "date": day, "start_time": "11:00", "end_time": "12:00"}
    _post(w, trail, w.cast.caregiver, _n(net, f"agenda/{series.pk}/wijzigen/?welke=deze&op={key}"), data)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/agenda/nieuw/", "POST", "network.member.listed")
def _appointment_new_invalid(w, trail):
    net, _, _ = _net(w)  # the form again, with the members who may go along
    _post(w, trail, w.cast.caregiver, _n(net, "agenda/nieuw/"), _appointment_form(title=""), status=200)
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/wijzigen/", "POST", "network.appointment.viewed"
)
def _appointment_edit_invalid(w, trail):
    net, _, _ = _net(w)
    item = network_factories.appointment(net)
    path = _n(net, f"agenda/{item.pk}/wijzigen/")
    _post(w, trail, w.cast.caregiver, path, _appointment_form(title=""), status=200)
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/afzeggen/",
    "POST",
    "network.appointment.cancelled",
)
def _appointment_cancel(w, trail):
    net, _, _ = _net(w)
    item = network_factories.appointment(net)
    _post(w, trail, w.cast.caregiver, _n(net, f"agenda/{item.pk}/afzeggen/"))
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/afzeggen/",
    "POST",
    "network.occurrence.cancelled",
)
def _occurrence_cancel(w, trail):
    net, _, _ = _net(w)
    series, key = _series(net)
    _post(w, trail, w.cast.caregiver, _n(net, f"agenda/{series.pk}/afzeggen/"), {"op": key})
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/verwijderen/",
    "GET",
    "network.appointment.viewed",
)
def _appointment_delete_confirmation(w, trail):
    net, _, _ = _net(w)
    item = network_factories.appointment(net)
    _get(w, trail, w.cast.caregiver, _n(net, f"agenda/{item.pk}/verwijderen/"))
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/verwijderen/",
    "POST",
    "network.appointment.deleted",
)
def _appointment_delete(w, trail):
    net, _, _ = _net(w)
    item = network_factories.appointment(net)
    _post(w, trail, w.cast.caregiver, _n(net, f"agenda/{item.pk}/verwijderen/"))
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/agenda/<uuid:appointment_id>/verwijderen/",
    "POST",
    "network.occurrence.removed",
)
def _occurrence_remove(w, trail):
    net, _, _ = _net(w)
    series, key = _series(net)
    _post(w, trail, w.cast.caregiver, _n(net, f"agenda/{series.pk}/verwijderen/?op={key}"))
    return _subj(net)


# Tasks: one-off, repeating (an activity), the buttons on a task, the load.


def _activity(net):
    return Activity.objects.create(
        network=net,
        kind="shopping",
        title="Boodschappen",
        starts_at=network_factories.at(dt.date.today() + dt.timedelta(days=1)),
        rrule="FREQ=WEEKLY;COUNT=3",
    )


@case("/netwerk/<uuid:network_id>/taken/", "GET", "network.task.listed")
def _tasks_open_with_flagged(w, trail):
    net, _, _ = _net(w)
    network_factories.task(net, start=timezone.now() + dt.timedelta(hours=5), title="Soon")  # flagged
    network_factories.task(net, start=timezone.now() + dt.timedelta(days=10), title="Later")
    response = _get(w, trail, w.cast.caregiver, _n(net, "taken/"))  # the coordinator: flagged apart
    assert [t.title for t in response.context["flagged"]] == ["Soon"]
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/", "GET", "network.task.listed")
def _tasks_mine(w, trail):
    net, _, member = _net(w)
    network_factories.task(net, status="claimed", claimed_by=member, claimed_at=timezone.now())
    _get(w, trail, w.cast.network_member, _n(net, "taken/?toon=mijn"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/nieuw/", "POST", "network.task.created")
def _task_new(w, trail):
    net, _, _ = _net(w)
    day = (dt.date.today() + dt.timedelta(days=4)).isoformat()
    data = {
        "kind": "driving",
        "title": "Naar de huisarts",
        "day": day,
        "start_time": "10:00",
        "end_time": "11:30",
    }
    _post(w, trail, w.cast.caregiver, _n(net, "taken/nieuw/"), data)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/nieuw-herhalend/", "POST", "network.activity.created")
def _activity_new(w, trail):
    net, _, _ = _net(w)
    day = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    data = {
        "kind": "shopping",
        "title": "Boodschappen",
        "weekdays": ["TU", "SA"],
        "first_day": day,
        "weeks": "3",
    }
    _post(w, trail, w.cast.caregiver, _n(net, "taken/nieuw-herhalend/"), data)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/reeks/<uuid:activity_id>/", "GET", "network.activity.viewed")
def _activity_edit_form(w, trail):
    net, _, _ = _net(w)
    activity = _activity(net)
    _get(w, trail, w.cast.caregiver, _n(net, f"taken/reeks/{activity.pk}/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/reeks/<uuid:activity_id>/", "POST", "network.activity.changed")
def _activity_edit(w, trail):
    net, _, _ = _net(w)
    activity = _activity(net)
    day = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    data = {
        "kind": "shopping",
        "title": "Boodschappen (nieuw)",
        "weekdays": ["MO"],
        "first_day": day,
        "weeks": "2",
    }
    _post(w, trail, w.cast.caregiver, _n(net, f"taken/reeks/{activity.pk}/"), data)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/reeks/<uuid:activity_id>/", "POST", "network.activity.viewed")
def _activity_edit_invalid(w, trail):
    net, _, _ = _net(w)
    activity = _activity(net)
    data = {"kind": "shopping", "title": "", "weekdays": ["MO"], "weeks": "2"}
    _post(w, trail, w.cast.caregiver, _n(net, f"taken/reeks/{activity.pk}/"), data, status=200)
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/taken/reeks/<uuid:activity_id>/stoppen/", "POST", "network.activity.cancelled"
)
def _activity_cancel(w, trail):
    net, _, _ = _net(w)
    activity = _activity(net)
    _post(w, trail, w.cast.caregiver, _n(net, f"taken/reeks/{activity.pk}/stoppen/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/<uuid:task_id>/", "GET", "network.task.viewed")
def _task(w, trail):
    net, _, _ = _net(w)
    task = network_factories.task(net)
    _get(w, trail, w.cast.network_member, _n(net, f"taken/{task.pk}/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/<uuid:task_id>/wijzigen/", "GET", "network.task.viewed")
def _task_edit_form(w, trail):
    net, _, _ = _net(w)
    task = network_factories.task(net)
    _get(w, trail, w.cast.caregiver, _n(net, f"taken/{task.pk}/wijzigen/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/<uuid:task_id>/wijzigen/", "POST", "network.task.changed")
def _task_edit(w, trail):
    net, _, _ = _net(w)
    task = network_factories.task(net)
    day = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    data = {
        "kind": "shopping",
        "title": "Boodschappen",
        "day": day,
        "start_time": "15:00",
        "end_time": "16:00",
    }
    _post(w, trail, w.cast.caregiver, _n(net, f"taken/{task.pk}/wijzigen/"), data)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/taken/<uuid:task_id>/wijzigen/", "POST", "network.task.viewed")
def _task_edit_invalid(w, trail):
    net, _, _ = _net(w)
    task = network_factories.task(net)
    data = {"kind": "shopping", "title": "", "day": "not a date"}
    _post(w, trail, w.cast.caregiver, _n(net, f"taken/{task.pk}/wijzigen/"), data, status=200)
    return _subj(net)


# Each button: (the action in the URL, the audit action, the task's state before, who presses it).
TASK_BUTTONS = [
    ("nemen", "network.task.claimed", "open", "network_member"),
    ("teruggeven", "network.task.released", "claimed", "network_member"),
    ("vervanger-gezocht", "network.task.standin_requested", "claimed", "network_member"),
    ("gedaan", "network.task.done", "claimed", "network_member"),
    ("annuleren", "network.task.cancelled", "open", "caregiver"),
]
for _button, _action, _state, _who in TASK_BUTTONS:

    def _task_button(w, trail, button=_button, state=_state, who=_who):
        net, _, member = _net(w)
        claimed = {"claimed_by": member, "claimed_at": timezone.now()} if state == "claimed" else {}
        task = network_factories.task(net, status=state, **claimed)
        _post(w, trail, getattr(w.cast, who), _n(net, f"taken/{task.pk}/{button}/"))
        return _subj(net)

    _task_button.__name__ = f"_task_{_button.replace('-', '_')}"
    case("/netwerk/<uuid:network_id>/taken/<uuid:task_id>/<slug:action>/", "POST", _action)(_task_button)


@case(
    "/netwerk/<uuid:network_id>/taken/<uuid:task_id>/<slug:action>/",
    "POST",
    "network.task.claimed",
    audit.OUTCOME_FAILURE,
)
def _task_claim_lost(w, trail):
    net, coordinator, _ = _net(w)
    task = network_factories.task(net, status="claimed", claimed_by=coordinator, claimed_at=timezone.now())
    _post(w, trail, w.cast.network_member, _n(net, f"taken/{task.pk}/nemen/"), status=409)
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/taken/<uuid:task_id>/<slug:action>/",
    "POST",
    "network.task.released",
    audit.OUTCOME_FAILURE,
)
def _task_release_refused(w, trail):
    net, coordinator, _ = _net(w)
    task = network_factories.task(
        net, status="claimed", claimed_by=coordinator, claimed_at=timezone.now()
    )  # not theirs
    _post(w, trail, w.cast.network_member, _n(net, f"taken/{task.pk}/teruggeven/"), status=409)
    return _subj(net)


@case(
    "/netwerk/<uuid:network_id>/taken/<uuid:task_id>/<slug:action>/",
    "POST",
    "network.task.claimed",
    audit.OUTCOME_DENIED,
)
def _task_claim_by_outsider(w, trail):
    net, _, _ = _net(w)
    task = network_factories.task(net)
    _post(w, trail, w.cast.other_caregiver, _n(net, f"taken/{task.pk}/nemen/"), status=404)
    return _subj(net)


@case("/netwerk/<uuid:network_id>/verdeling/", "GET", "network.load.viewed")
def _load(w, trail):
    net, coordinator, _ = _net(w)
    past = timezone.now() - dt.timedelta(days=3)
    network_factories.task(net, start=past, status="done", claimed_by=coordinator, claimed_at=past)
    _get(w, trail, w.cast.caregiver, _n(net, "verdeling/"))
    return _subj(net)


# The calendar feed: my link's page, renew, revoke, and the feed a calendar app reads.


@case("/api/v1/networks/", "GET", "network.network.listed")
def _api_networks(w, trail):
    _net(w)
    _get(w, trail, w.cast.network_member, "/api/v1/networks/")
    return str(w.cast.network_member.pk)


@case("/api/v1/networks/<uuid:network_id>/appointments/", "GET", "network.agenda.viewed")
def _api_appointments(w, trail):
    net, _, _ = _net(w)
    network_factories.appointment(net, rrule="FREQ=WEEKLY;COUNT=4")
    _get(w, trail, w.cast.network_member, f"/api/v1/networks/{net.pk}/appointments/")
    return _subj(net)


@case(
    "/api/v1/networks/<uuid:network_id>/appointments/", "GET", "network.agenda.viewed", audit.OUTCOME_DENIED
)
def _api_appointments_outsider(w, trail):
    net, _, _ = _net(w)
    _get(w, trail, w.cast.other_caregiver, f"/api/v1/networks/{net.pk}/appointments/", status=404)
    return _subj(net)


@case("/api/v1/networks/<uuid:network_id>/tasks/", "GET", "network.task.listed")
def _api_tasks(w, trail):
    net, _, _ = _net(w)
    network_factories.task(net)
    _get(w, trail, w.cast.network_member, f"/api/v1/networks/{net.pk}/tasks/")
    return _subj(net)


@case("/api/v1/tasks/<uuid:task_id>/claim/", "POST", "network.task.claimed")
def _api_claim(w, trail):
    net, _, _ = _net(w)
    task = network_factories.task(net)
    _post(w, trail, w.cast.network_member, f"/api/v1/tasks/{task.pk}/claim/", status=200)
    return _subj(net)


@case("/api/v1/tasks/<uuid:task_id>/claim/", "POST", "network.task.claimed", audit.OUTCOME_FAILURE)
def _api_claim_taken(w, trail):
    net, coordinator, _ = _net(w)
    task = network_factories.task(net, claimed_by=coordinator, status="claimed", claimed_at=net.created_at)
    _post(w, trail, w.cast.network_member, f"/api/v1/tasks/{task.pk}/claim/", status=409)
    return _subj(net)


@case("/api/fhir/CareTeam/<uuid:network_id>", "GET", "network.member.listed")
def _fhir_care_team(w, trail):
    net, _, _ = _net(w)
    _get(w, trail, w.cast.network_member, f"/api/fhir/CareTeam/{net.pk}")
    return _subj(net)


@case("/netwerk/<uuid:network_id>/agenda-abonnement/", "GET", "network.feed.viewed")
def _feed_page(w, trail):
    net, _, member = _net(w)
    Membership.objects.filter(pk=member.pk).update(feed_token="a-feed-token-of-charlie-0123456789")
    response = _get(w, trail, w.cast.network_member, _n(net, "agenda-abonnement/"))
    assert "a-feed-token-of-charlie" in response.content.decode()
    return _subj(net)


@case("/netwerk/<uuid:network_id>/agenda-abonnement/vernieuwen/", "POST", "network.feed.renewed")
def _feed_renew(w, trail):
    net, _, _ = _net(w)
    _post(w, trail, w.cast.network_member, _n(net, "agenda-abonnement/vernieuwen/"))
    return _subj(net)


@case("/netwerk/<uuid:network_id>/agenda-abonnement/intrekken/", "POST", "network.feed.revoked")
def _feed_revoke(w, trail):
    net, _, member = _net(w)
    Membership.objects.filter(pk=member.pk).update(feed_token="a-feed-token-of-charlie-0123456789")
    _post(w, trail, w.cast.network_member, _n(net, "agenda-abonnement/intrekken/"))
    return _subj(net)


@case("/netwerk/agenda/<str:token>.ics", "GET", "network.feed.read")
def _feed_ics(w, trail):
    net, _, member = _net(w)
    network_factories.appointment(net)
    Membership.objects.filter(pk=member.pk).update(feed_token="a-feed-token-of-charlie-0123456789")
    response = trail(lambda: w.client.get("/netwerk/agenda/a-feed-token-of-charlie-0123456789.ics"))
    assert response.status_code == 200  # no session: the token is the key, the row names its user
    assert trail.rows[0].actor_id == str(w.cast.network_member.pk)
    return _subj(net)


# ------------------------------------------------------------------------------ declarations


@contextlib.contextmanager
def _signing_key():
    """A signing keyring for the cases that sign a QR code; the environment as it was after."""
    from mantelzorg.declaration import keys

    before = os.environ.get(keys.ENV_INLINE)
    os.environ[keys.ENV_INLINE] = keys.Keyring((keys.generate_key(),)).to_json()
    try:
        yield
    finally:
        if before is None:
            del os.environ[keys.ENV_INLINE]
        else:
            os.environ[keys.ENV_INLINE] = before


DECLARATION_FORM = {
    "relation": "relative",
    "postcode": "1053",
    "since_month": "9",
    "since_year": "2023",
    "hours_per_week": "12",
    "initials": "AV",
    "birth_day": "14",
    "birth_month": "3",
    "truthful": "on",
}


def _declaration(w, *, submitted=False, question=False, attestation=False):
    """A declaration of the cast's caregiver (made through the service, not audited here), and
    an issuer: the cast's steunpunt, whose consultant is the cast's professional."""
    from mantelzorg.core import geo
    from mantelzorg.declaration import services
    from mantelzorg.declaration.models import Issuer

    data = {**DECLARATION_FORM, "care_since": dt.date(2023, 9, 1), "place": geo.resolve_postcode("1053")}
    data.update(hours_per_week=12, birth_day=14, birth_month=3)
    declaration = services.declaration_create(request=None, caregiver=w.cast.caregiver, data=data)
    w.cast.professional.organisations.add(w.cast.organisation)
    issuer, _ = Issuer.objects.get_or_create(organisation=w.cast.organisation)
    if submitted or question:
        services.declaration_submit(request=None, declaration=declaration, issuer=issuer)
    if question:
        services.review_ask(request=None, declaration=declaration, question="Sinds wanneer?")
    if attestation:
        services.attestation_create(request=None, declaration=declaration, purpose="parking")
    return declaration, issuer


def _v(declaration, rest="") -> str:
    return f"/verklaring/{declaration.pk}/{rest}"


@case("/verklaring/", "GET", "declaration.declaration.listed")
def _declaration_home(w, trail):
    _declaration(w)
    _get(w, trail, w.cast.caregiver, "/verklaring/")
    return str(w.cast.caregiver.pk)


@case("/verklaring/nieuw/", "POST", "declaration.declaration.issued")
def _declaration_new(w, trail):
    _post(w, trail, w.cast.caregiver, "/verklaring/nieuw/", DECLARATION_FORM)
    return str(w.cast.caregiver.pk)


@case("/verklaring/<uuid:declaration_id>/", "GET", "declaration.declaration.viewed")
def _declaration_detail(w, trail):
    declaration, _ = _declaration(w)
    _get(w, trail, w.cast.caregiver, _v(declaration))
    return str(w.cast.caregiver.pk)


@case("/verklaring/<uuid:declaration_id>/", "GET", "declaration.declaration.viewed", audit.OUTCOME_DENIED)
def _declaration_detail_by_outsider(w, trail):
    declaration, _ = _declaration(w)
    _get(w, trail, w.cast.other_caregiver, _v(declaration), status=404)
    return audit.NONE


@case("/verklaring/<uuid:declaration_id>/indienen/", "POST", "declaration.declaration.submitted")
def _declaration_submit(w, trail):
    declaration, issuer = _declaration(w)
    _post(w, trail, w.cast.caregiver, _v(declaration, "indienen/"), {"issuer": issuer.pk})
    return str(w.cast.caregiver.pk)


@case("/verklaring/<uuid:declaration_id>/aanvraag-terugnemen/", "POST", "declaration.declaration.withdrawn")
def _declaration_withdraw(w, trail):
    declaration, _ = _declaration(w, submitted=True)
    _post(w, trail, w.cast.caregiver, _v(declaration, "aanvraag-terugnemen/"))
    return str(w.cast.caregiver.pk)


@case("/verklaring/<uuid:declaration_id>/antwoorden/", "POST", "declaration.declaration.answered")
def _declaration_answer(w, trail):
    declaration, _ = _declaration(w, question=True)
    _post(w, trail, w.cast.caregiver, _v(declaration, "antwoorden/"), {"text": "Sinds 2023."})
    return str(w.cast.caregiver.pk)


@case("/verklaring/<uuid:declaration_id>/intrekken/", "POST", "declaration.declaration.revoked")
def _declaration_revoke(w, trail):
    declaration, _ = _declaration(w, attestation=True)
    _post(w, trail, w.cast.caregiver, _v(declaration, "intrekken/"))
    return str(w.cast.caregiver.pk)


@case("/verklaring/<uuid:declaration_id>/verlengen/", "GET", "declaration.declaration.viewed")
def _declaration_renew_page(w, trail):
    declaration, _ = _declaration(w)
    w.check()  # a saved Balanscheck to compare with: the same one row
    _get(w, trail, w.cast.caregiver, _v(declaration, "verlengen/"))
    return str(w.cast.caregiver.pk)


@case("/verklaring/<uuid:declaration_id>/voor/<slug:purpose>/", "POST", "declaration.attestation.issued")
def _attestation_issue(w, trail):
    declaration, _ = _declaration(w)
    _post(w, trail, w.cast.caregiver, _v(declaration, "voor/parking/"))
    return str(w.cast.caregiver.pk)


@case("/verklaring/<uuid:declaration_id>/voor/<slug:purpose>/qr/", "GET", "declaration.attestation.viewed")
def _attestation_qr(w, trail):
    declaration, _ = _declaration(w, attestation=True)
    with _signing_key():
        _get(w, trail, w.cast.caregiver, _v(declaration, "voor/parking/qr/"))
    return str(w.cast.caregiver.pk)


@case("/verklaring/<uuid:declaration_id>/voor/<slug:purpose>/qr.pdf", "GET", "declaration.attestation.viewed")
def _attestation_pdf(w, trail):
    declaration, _ = _declaration(w, attestation=True)
    with _signing_key():
        _get(w, trail, w.cast.caregiver, _v(declaration, "voor/parking/qr.pdf"))
    return str(w.cast.caregiver.pk)


@case(
    "/verklaring/<uuid:declaration_id>/voor/<slug:purpose>/intrekken/",
    "POST",
    "declaration.attestation.revoked",
)
def _attestation_revoke(w, trail):
    declaration, _ = _declaration(w, attestation=True)
    _post(w, trail, w.cast.caregiver, _v(declaration, "voor/parking/intrekken/"))
    return str(w.cast.caregiver.pk)


@case("/verklaring/beoordelen/", "GET", "declaration.queue.viewed")
def _review_queue(w, trail):
    _declaration(w, submitted=True)
    _get(w, trail, w.cast.professional, "/verklaring/beoordelen/")
    return audit.NONE


@case("/verklaring/beoordelen/<uuid:declaration_id>/", "GET", "declaration.declaration.viewed")
def _review_detail(w, trail):
    declaration, _ = _declaration(w, submitted=True)
    _get(w, trail, w.cast.professional, f"/verklaring/beoordelen/{declaration.pk}/")
    return str(w.cast.caregiver.pk)


@case("/verklaring/beoordelen/<uuid:declaration_id>/", "POST", "declaration.declaration.confirmed")
def _review_confirm(w, trail):
    declaration, _ = _declaration(w, submitted=True)
    _post(w, trail, w.cast.professional, f"/verklaring/beoordelen/{declaration.pk}/", {"action": "confirm"})
    return str(w.cast.caregiver.pk)


# ------------------------------------------------------------------------------ the respite API
# A house in Utrecht with one bed; its provider staff; the caregiver (Alice) requests. Every row of
# a stay names its requester as the subject.


def _respite_api_house(w):
    from mantelzorg.respite.tests.factories import make_house, make_provider

    service, _ = make_house(units=1)
    return service, make_provider("respite-provider@example.org", service)


def _respite_api_stay(w, service, state="held"):
    from mantelzorg.respite import services as respite_services
    from mantelzorg.respite.models import Funding, Stay
    from mantelzorg.respite.tests.factories import days, request_for

    stay = respite_services.stay_request(
        request=request_for(w.cast.caregiver),
        service=service,
        arrival=days(10),
        departure=days(12),
        guest=respite_services.guest_save(owner=w.cast.caregiver, postcode="3511", name="Mien"),
        funding=Funding.WMO,
    )
    if state != "held":
        Stay.objects.filter(pk=stay.pk).update(state=state)
    return stay


def _api_post(w, trail, who, path, body=None, status=200):
    import json

    w.login_as(who)
    response = trail(lambda: w.client.post(path, json.dumps(body or {}), content_type="application/json"))
    assert response.status_code == status, (path, response.status_code, response.content.decode()[:1500])
    return response


RESPITE_STAY = "/api/v1/respite/stays/<uuid:stay_id>/"


@case("/api/v1/respite/stays/", "POST", "respite.stay.requested")
def _respite_api_request(w, trail):
    from mantelzorg.respite.tests.factories import days

    service, _ = _respite_api_house(w)
    body = {"service": str(service.pk), "arrival": str(days(3)), "departure": str(days(5)), "funding": "wmo",
            "guest": {"name": "Mien", "postcode": "3511"}}  # fmt: skip
    _api_post(w, trail, w.cast.caregiver, "/api/v1/respite/stays/", body, status=201)
    return str(w.cast.caregiver.pk)


@case("/api/v1/respite/stays/", "POST", "respite.stay.requested", audit.OUTCOME_FAILURE)
def _respite_api_request_gone(w, trail):
    from mantelzorg.respite.tests.factories import days

    service, _ = _respite_api_house(w)
    _respite_api_stay(w, service)
    body = {
        "service": str(service.pk),
        "arrival": str(days(11)),
        "departure": str(days(12)),
        "funding": "wmo",
    }
    _api_post(w, trail, w.cast.other_caregiver, "/api/v1/respite/stays/", body, status=409)
    return str(w.cast.other_caregiver.pk)


@case(RESPITE_STAY, "GET", "respite.stay.viewed")
def _respite_api_read(w, trail):
    service, provider = _respite_api_house(w)
    stay = _respite_api_stay(w, service)
    _get(w, trail, provider, f"/api/v1/respite/stays/{stay.pk}/")
    return str(w.cast.caregiver.pk)


@case(RESPITE_STAY, "GET", "respite.stay.viewed", audit.OUTCOME_DENIED)
def _respite_api_read_outsider(w, trail):
    service, _ = _respite_api_house(w)
    stay = _respite_api_stay(w, service)
    _get(w, trail, w.cast.other_caregiver, f"/api/v1/respite/stays/{stay.pk}/", status=404)
    return audit.NONE


@case(RESPITE_STAY + "confirm/", "POST", "respite.stay.confirmed")
def _respite_api_confirm(w, trail):
    service, provider = _respite_api_house(w)
    stay = _respite_api_stay(w, service)
    _api_post(w, trail, provider, f"/api/v1/respite/stays/{stay.pk}/confirm/")
    return str(w.cast.caregiver.pk)


@case(RESPITE_STAY + "confirm/", "POST", "respite.stay.confirmed", audit.OUTCOME_FAILURE)
def _respite_api_confirm_too_late(w, trail):
    service, provider = _respite_api_house(w)
    stay = _respite_api_stay(w, service, state="cancelled")
    _api_post(w, trail, provider, f"/api/v1/respite/stays/{stay.pk}/confirm/", status=409)
    return str(w.cast.caregiver.pk)


@case(RESPITE_STAY + "confirm/", "POST", "respite.stay.confirmed", audit.OUTCOME_DENIED)
def _respite_api_confirm_by_the_requester(w, trail):
    service, _ = _respite_api_house(w)
    stay = _respite_api_stay(w, service)
    _api_post(w, trail, w.cast.caregiver, f"/api/v1/respite/stays/{stay.pk}/confirm/", status=404)
    return audit.NONE


@case(RESPITE_STAY + "decline/", "POST", "respite.stay.declined")
def _respite_api_decline(w, trail):
    service, provider = _respite_api_house(w)
    stay = _respite_api_stay(w, service)
    _api_post(w, trail, provider, f"/api/v1/respite/stays/{stay.pk}/decline/", {"reason": "Vol"})
    return str(w.cast.caregiver.pk)


@case(RESPITE_STAY + "cancel/", "POST", "respite.stay.cancelled")
def _respite_api_cancel(w, trail):
    service, _ = _respite_api_house(w)
    stay = _respite_api_stay(w, service)
    _api_post(w, trail, w.cast.caregiver, f"/api/v1/respite/stays/{stay.pk}/cancel/")
    return str(w.cast.caregiver.pk)


@case(RESPITE_STAY + "accept/", "POST", "respite.offer.accepted")
def _respite_api_accept(w, trail):
    from django.utils import timezone

    service, _ = _respite_api_house(w)
    stay = _respite_api_stay(w, service)
    from mantelzorg.respite.models import Stay

    Stay.objects.filter(pk=stay.pk).update(
        state="offered", hold_until=timezone.now() + dt.timedelta(hours=24)
    )
    _api_post(w, trail, w.cast.caregiver, f"/api/v1/respite/stays/{stay.pk}/accept/")
    return str(w.cast.caregiver.pk)


# ------------------------------------------------------------------------------ the admin


# ------------------------------------------------------------------------------ respite: beds and places, the regional overview

UNITS = "/logeerzorg/aanbieder/plaatsen/"


def _respite_overview(w):
    from mantelzorg.respite.tests.overview_world import build_world

    return build_world(w.cast)


def _unit_form(r, **changes):
    location = r.house.service_at_locations.get().location
    data = {
        "place": f"{r.house.pk}:{location.pk}",
        "name": "Kamer 9",
        "kind": "logeerzorg_wmo",
        "min_nights": "1",
        "max_nights": "7",
        "funding": ["wmo"],
    }
    return {**data, **changes}


@case("/logeerzorg/aanbieder/plaatsen/nieuw/", "POST", "respite.unit.saved")
def _respite_unit_new(w, trail):
    r = _respite_overview(w)
    _post(w, trail, r.provider, f"{UNITS}nieuw/", _unit_form(r))
    return audit.NONE


@case("/logeerzorg/aanbieder/plaatsen/nieuw/", "GET", "respite.unit.saved", audit.OUTCOME_DENIED)
def _respite_unit_new_refused(w, trail):
    r = _respite_overview(w)
    _get(w, trail, r.coordinator, f"{UNITS}nieuw/", status=404)
    return audit.NONE


@case("/logeerzorg/aanbieder/plaatsen/<uuid:unit_id>/", "POST", "respite.unit.saved")
def _respite_unit_edit(w, trail):
    r = _respite_overview(w)
    _post(w, trail, r.provider, f"{UNITS}{r.unit.pk}/", _unit_form(r, name="Kamer 1 (tuin)"))
    return audit.NONE


@case("/logeerzorg/aanbieder/plaatsen/<uuid:unit_id>/", "GET", "respite.unit.read", audit.OUTCOME_DENIED)
def _respite_unit_of_another_provider(w, trail):
    r = _respite_overview(w)
    _get(w, trail, r.other_provider, f"{UNITS}{r.unit.pk}/", status=404)
    return audit.NONE


@case("/logeerzorg/aanbieder/plaatsen/<uuid:unit_id>/buiten-gebruik/", "POST", "respite.unit.deactivated")
def _respite_unit_deactivate(w, trail):
    r = _respite_overview(w)
    r.held.delete()
    _post(w, trail, r.provider, f"{UNITS}{r.unit.pk}/buiten-gebruik/")
    return audit.NONE


@case("/logeerzorg/aanbieder/plaatsen/<uuid:unit_id>/weer-in-gebruik/", "POST", "respite.unit.reactivated")
def _respite_unit_reactivate(w, trail):
    from mantelzorg.respite.models import Unit

    r = _respite_overview(w)
    Unit.objects.filter(pk=r.unit.pk).update(active=False)
    _post(w, trail, r.provider, f"{UNITS}{r.unit.pk}/weer-in-gebruik/")
    return audit.NONE


@case("/logeerzorg/aanbieder/plaatsen/<uuid:unit_id>/sluiting/", "POST", "respite.closure.added")
def _respite_closure_add(w, trail):
    r = _respite_overview(w)
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    _post(
        w,
        trail,
        r.provider,
        f"{UNITS}{r.unit.pk}/sluiting/",
        {"first_day": day, "last_day": day, "reason": "closed"},
    )
    return audit.NONE


@case(
    "/logeerzorg/aanbieder/plaatsen/<uuid:unit_id>/sluiting/<int:closure_id>/verwijderen/",
    "POST",
    "respite.closure.removed",
)
def _respite_closure_remove(w, trail):
    r = _respite_overview(w)
    _post(w, trail, r.provider, f"{UNITS}{r.unit.pk}/sluiting/{r.closure.pk}/verwijderen/")
    return audit.NONE


@case("/logeerzorg/regio/", "GET", "respite.region.read")
def _respite_region_coordinator(w, trail):
    r = _respite_overview(w)
    _get(w, trail, r.coordinator, "/logeerzorg/regio/")
    return audit.NONE


@case("/logeerzorg/regio/", "GET", "respite.region.read", audit.OUTCOME_DENIED)
def _respite_region_refused(w, trail):
    _respite_overview(w)
    _get(w, trail, w.cast.caregiver, "/logeerzorg/regio/", status=404)
    return audit.NONE


NIGHTS = "/logeerzorg/regio/nachten/"


@case(NIGHTS, "GET", "respite.allowance.read", audit.OUTCOME_DENIED)
def _respite_nights_refused(w, trail):
    r = _respite_overview(w)
    _get(w, trail, r.coordinator, NIGHTS, status=404)
    return audit.NONE


@case(NIGHTS + "<str:code>/", "POST", "respite.allowance.set")
def _respite_nights_set(w, trail):
    r = _respite_overview(w)
    year = timezone.localdate().year
    _post(w, trail, r.staff, f"{NIGHTS}GM0344/", {f"GM0344-nachten_{year}": "18"})
    return audit.NONE


@case(NIGHTS + "<str:code>/", "POST", "respite.allowance.set", audit.OUTCOME_DENIED)
def _respite_nights_other_gemeente(w, trail):
    r = _respite_overview(w)
    year = timezone.localdate().year
    _post(w, trail, r.staff, f"{NIGHTS}GM0363/", {f"GM0363-nachten_{year}": "18"}, status=404)
    return audit.NONE


@case("/beheer/accounts/user/", "GET", "accounts.user.listed")
def _admin_users(w, trail):
    w.login_as(w.cast.admin)
    trail(lambda: w.client.get("/beheer/accounts/user/"))
    return audit.NONE


@case("/beheer/accounts/user/", "GET", "accounts.user.searched")
def _admin_user_search(w, trail):
    w.login_as(w.cast.admin)
    trail(lambda: w.client.get("/beheer/accounts/user/", {"q": w.cast.caregiver.email}))
    assert w.cast.caregiver.email not in str([getattr(trail.rows[0], f) for f in audit.FIELDS])
    return audit.NONE


@case("/beheer/accounts/user/<id>/change/", "GET", "accounts.user.viewed")
def _admin_user(w, trail):
    w.login_as(w.cast.admin)
    trail(lambda: w.client.get(f"/beheer/accounts/user/{w.cast.caregiver.pk}/change/"))
    return str(w.cast.caregiver.pk)


@case("/beheer/accounts/user/<id>/change/", "POST", "accounts.user.changed")
def _admin_user_change(w, trail):
    w.login_as(w.cast.admin)
    user = w.cast.caregiver
    data = {"email": user.email, "name": "Alice A.", "role": Role.CAREGIVER, "is_active": "on"}
    data["date_joined_0"], data["date_joined_1"] = user.date_joined.strftime("%Y-%m-%d %H:%M:%S").split()
    trail(lambda: w.client.post(f"/beheer/accounts/user/{user.pk}/change/", data))
    assert trail.response.status_code == 302, trail.response.content.decode()[:2000]
    return str(user.pk)


@case("/beheer/accounts/user/<id>/delete/", "GET", "accounts.user.viewed")
def _admin_user_delete_confirmation(w, trail):
    w.login_as(w.cast.admin)
    trail(lambda: w.client.get(f"/beheer/accounts/user/{w.cast.caregiver.pk}/delete/"))
    return str(w.cast.caregiver.pk)


@case("/beheer/accounts/consentrecord/add/", "POST", "accounts.consent.granted")
def _admin_consent_add(w, trail):
    w.login_as(w.cast.admin)
    data = {
        "grantor": w.cast.other_caregiver.pk,
        "grantee": w.cast.professional.pk,
        "scope": BALANCE_HISTORY,
        "purpose": FOLLOW_UP,
    }
    trail(lambda: w.client.post("/beheer/accounts/consentrecord/add/", data))
    assert trail.response.status_code == 302, trail.response.content.decode()[:2000]
    return str(w.cast.other_caregiver.pk)


@case("/beheer/accounts/consentrecord/", "POST", "accounts.consent.revoked")
def _admin_consent_revoke(w, trail):
    w.login_as(w.cast.admin)
    record = ConsentRecord.objects.get(grantor=w.cast.caregiver)
    data = {"action": "revoke", "_selected_action": [record.pk]}
    trail(lambda: w.client.post("/beheer/accounts/consentrecord/", data))
    return str(w.cast.caregiver.pk)


@case("/beheer/core/logentry/", "GET", "core.logentry.listed")
def _admin_audit_trail(w, trail):
    w.login_as(w.cast.admin)
    trail(lambda: w.client.get("/beheer/core/logentry/"))
    return audit.NONE


# ------------------------------------------------------------------------------ respite: the requester's and provider's pages

NO_PERSONAL_RECORD.update(
    {
        "/logeerzorg/zoeken/": "free places of houses near a postcode; the search is not kept",
    }
)


def _respite(w, *, confirmed=False, offered=False):
    """A house near 3511 with a provider (``decider``) and a held stay of the cast's caregiver,
    made through the services (their rows are not this request's)."""
    from mantelzorg.respite import services as respite_services
    from mantelzorg.respite.tests.factories import request_for
    from mantelzorg.respite.tests.pages import held_stay, provider_world

    world = provider_world()
    world.stay = held_stay(w.cast.caregiver, world.service)
    if confirmed:
        respite_services.stay_confirm(request=request_for(world.decider), stay=world.stay)
    if offered:
        Stay = type(world.stay)
        Stay.objects.filter(pk=world.stay.pk).update(state=Stay.State.OFFERED)
    return world


def _lz(rest="") -> str:
    return f"/logeerzorg/{rest}"


@case("/logeerzorg/", "GET", "respite.stay.listed")
def _respite_start(w, trail):
    _respite(w)
    _get(w, trail, w.cast.caregiver, _lz())
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/huis/<uuid:service_id>/aanvragen/", "GET", "respite.guest.listed")
def _respite_request_form(w, trail):
    from mantelzorg.respite.tests.pages import request_url

    world = _respite(w)
    _get(w, trail, w.cast.caregiver, request_url(world.service))
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/huis/<uuid:service_id>/aanvragen/", "POST", "respite.stay.requested")
def _respite_request(w, trail):
    from mantelzorg.respite.tests.pages import provider_world, request_data, request_url

    world = provider_world(units=1)
    _post(w, trail, w.cast.caregiver, request_url(world.service), request_data())
    return str(w.cast.caregiver.pk)


@case(
    "/logeerzorg/huis/<uuid:service_id>/aanvragen/", "POST", "respite.stay.requested", audit.OUTCOME_FAILURE
)
def _respite_request_gone(w, trail):
    from mantelzorg.respite.tests.pages import request_data, request_url

    world = _respite(w)  # its one unit is held for the same nights
    _post(w, trail, w.cast.other_caregiver, request_url(world.service), request_data(), status=409)
    return str(w.cast.other_caregiver.pk)


@case("/logeerzorg/huis/<uuid:service_id>/aanvragen/", "POST", "respite.guest.listed")
def _respite_request_incomplete(w, trail):
    from mantelzorg.respite.tests.pages import provider_world, request_data, request_url

    world = provider_world()
    _post(w, trail, w.cast.caregiver, request_url(world.service), request_data(telefoon=""), status=200)
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/aanvragen/<uuid:stay_id>/", "GET", "respite.stay.viewed")
def _respite_stay(w, trail):
    world = _respite(w)
    _get(w, trail, w.cast.caregiver, _lz(f"aanvragen/{world.stay.pk}/"))
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/aanvragen/<uuid:stay_id>/", "GET", "respite.stay.viewed", audit.OUTCOME_DENIED)
def _respite_stay_denied(w, trail):
    world = _respite(w)
    _get(w, trail, w.cast.other_caregiver, _lz(f"aanvragen/{world.stay.pk}/"), status=404)
    return audit.NONE


@case("/logeerzorg/aanvragen/<uuid:stay_id>/annuleren/", "POST", "respite.stay.cancelled")
def _respite_cancel(w, trail):
    world = _respite(w)
    _post(w, trail, w.cast.caregiver, _lz(f"aanvragen/{world.stay.pk}/annuleren/"))
    return str(w.cast.caregiver.pk)


@case(
    "/logeerzorg/aanvragen/<uuid:stay_id>/annuleren/", "POST", "respite.stay.cancelled", audit.OUTCOME_FAILURE
)
def _respite_cancel_twice(w, trail):
    world = _respite(w)
    w.login_as(w.cast.caregiver)
    w.client.post(_lz(f"aanvragen/{world.stay.pk}/annuleren/"))
    _post(w, trail, w.cast.caregiver, _lz(f"aanvragen/{world.stay.pk}/annuleren/"))
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/aanvragen/<uuid:stay_id>/accepteren/", "POST", "respite.offer.accepted")
def _respite_accept(w, trail):
    world = _respite(w, offered=True)
    _post(w, trail, w.cast.caregiver, _lz(f"aanvragen/{world.stay.pk}/accepteren/"))
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/wachtlijst/", "POST", "respite.waiting.joined")
def _respite_wait(w, trail):
    from mantelzorg.respite.tests.factories import days

    _post(
        w,
        trail,
        w.cast.caregiver,
        _lz("wachtlijst/"),
        {"postcode": "3511", "aankomst": days(10), "vertrek": days(12), "gast": "nieuw", "naam": "Mien"},
    )
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/wachtlijst/", "GET", "respite.guest.listed")
def _respite_wait_form(w, trail):
    from mantelzorg.respite.tests.factories import days

    _get(w, trail, w.cast.caregiver, _lz(f"wachtlijst/?postcode=3511&aankomst={days(10)}&vertrek={days(12)}"))
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/wachtlijst/", "POST", "respite.guest.listed")
def _respite_wait_form_errors(w, trail):
    from mantelzorg.respite.tests.factories import days

    _post(
        w,
        trail,
        w.cast.caregiver,
        _lz("wachtlijst/"),
        {"postcode": "3511", "aankomst": days(10), "vertrek": days(12), "gast": "nieuw", "naam": ""},
        status=400,
    )
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/wachtlijst/<uuid:entry_id>/afmelden/", "POST", "respite.waiting.withdrawn")
def _respite_unwait(w, trail):
    from mantelzorg.respite.models import WaitingEntry
    from mantelzorg.respite.tests.factories import days

    entry = WaitingEntry.objects.create(
        user=w.cast.caregiver,
        pc4="3511",
        arrival=days(10),
        departure=days(12),
        kind="logeerzorg_wmo",
        funding="wmo",
    )
    _post(w, trail, w.cast.caregiver, _lz(f"wachtlijst/{entry.pk}/afmelden/"))
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/aanbieder/", "GET", "respite.inbox.read")
def _respite_inbox(w, trail):
    world = _respite(w)
    _get(w, trail, world.decider, _lz("aanbieder/"))
    return audit.NONE  # a list of several people's requests


@case("/logeerzorg/aanbieder/<uuid:stay_id>/", "GET", "respite.stay.viewed")
def _respite_provider_stay(w, trail):
    world = _respite(w)
    _get(w, trail, world.decider, _lz(f"aanbieder/{world.stay.pk}/"))
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/regio/aanvragen/<uuid:stay_id>/", "GET", "respite.stay.viewed")
def _respite_region_stay(w, trail):
    world = _respite(w)
    _get(w, trail, world.coordinator, _lz(f"regio/aanvragen/{world.stay.pk}/"))
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/regio/aanvragen/<uuid:stay_id>/", "GET", "respite.stay.viewed", audit.OUTCOME_DENIED)
def _respite_region_stay_denied(w, trail):
    world = _respite(w)
    _get(w, trail, world.other_coordinator, _lz(f"regio/aanvragen/{world.stay.pk}/"), status=404)
    return audit.NONE


@case("/logeerzorg/aanbieder/<uuid:stay_id>/bevestigen/", "POST", "respite.stay.confirmed")
def _respite_confirm(w, trail):
    world = _respite(w)
    _post(w, trail, world.decider, _lz(f"aanbieder/{world.stay.pk}/bevestigen/"))
    return str(w.cast.caregiver.pk)


@case(
    "/logeerzorg/aanbieder/<uuid:stay_id>/bevestigen/", "POST", "respite.stay.confirmed", audit.OUTCOME_DENIED
)
def _respite_confirm_denied(w, trail):
    world = _respite(w)
    _post(w, trail, world.other_decider, _lz(f"aanbieder/{world.stay.pk}/bevestigen/"), status=404)
    return audit.NONE


@case("/logeerzorg/aanbieder/<uuid:stay_id>/afwijzen/", "POST", "respite.stay.declined")
def _respite_decline(w, trail):
    world = _respite(w)
    _post(w, trail, world.decider, _lz(f"aanbieder/{world.stay.pk}/afwijzen/"), {"reden": "Vol."})
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/aanbieder/<uuid:stay_id>/afwijzen/", "POST", "respite.stay.viewed")
def _respite_decline_without_reason(w, trail):
    world = _respite(w)
    _post(w, trail, world.decider, _lz(f"aanbieder/{world.stay.pk}/afwijzen/"), {"reden": ""}, status=400)
    return str(w.cast.caregiver.pk)


@case("/logeerzorg/aanbieder/<uuid:stay_id>/annuleren/", "POST", "respite.stay.cancelled")
def _respite_provider_cancel(w, trail):
    world = _respite(w, confirmed=True)
    _post(w, trail, world.decider, _lz(f"aanbieder/{world.stay.pk}/annuleren/"), {"reden": "Lekkage."})
    return str(w.cast.caregiver.pk)


# ------------------------------------------------------------------------------ the tests


def _case_id(c: Case) -> str:
    return f"{c.method} {c.route} {c.run.__name__.lstrip('_')}"


@pytest.mark.parametrize("c", CASES, ids=_case_id)
def test_one_complete_audit_row_per_request(c, cast, client, login_as):
    trail = Trail()
    expected_subject = c.run(World(cast, client, login_as), trail)
    assert len(trail.rows) == 1, [(r.action, r.outcome) for r in trail.rows]
    row = trail.rows[0]
    assert (row.action, row.outcome) == (c.action, c.outcome)
    missing = [name for name in audit.FIELDS if not getattr(row, name)]
    assert not missing, f"empty NEN 7513 fields: {missing}"
    assert row.subject_id == expected_subject
    assert row.source_ip == "127.0.0.1"
    assert row.created_at.utcoffset().total_seconds() == 0
    if row.actor_id != audit.NONE:
        assert row.on_behalf_of != audit.NONE and row.actor_role != "anonymous"


def test_staff_logged_out_by_idle_timeout_is_audited(cast, client, login_as, settings):
    login_as(cast.staff)
    client.get("/account/toestemmingen/")
    session = client.session
    session["last_seen"] -= settings.STAFF_IDLE_TIMEOUT_SECONDS + 1
    session.save()
    trail = Trail()
    trail(lambda: client.get("/account/toestemmingen/"))
    ended = [r for r in trail.rows if r.action == "accounts.session.ended"]
    assert len(ended) == 1 and ended[0].purpose == "idle timeout"
    assert ended[0].subject_id == str(cast.staff.pk) and ended[0].on_behalf_of == "municipality:GM0363"
    assert trail.response.status_code == 302  # the consents page is not read: sent to log in
    assert len(trail.rows) == 1


def test_every_route_is_walked_or_has_a_reason():
    walked = {c.route for c in CASES}
    routes = {r for r in walk(get_resolver().url_patterns) if not r.startswith("/beheer/")}
    unexplained = sorted(r for r in routes - walked if r not in NO_PERSONAL_RECORD and not _is_hsds(r))
    assert not unexplained, "routes neither walked in CASES nor listed in NO_PERSONAL_RECORD:\n" + "\n".join(
        unexplained
    )
    stale = sorted(set(NO_PERSONAL_RECORD) - routes)
    assert not stale, f"NO_PERSONAL_RECORD names routes that no longer exist: {stale}"
