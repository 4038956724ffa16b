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

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.db.models import Max
from django.urls import get_resolver
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


# ------------------------------------------------------------------------------ the admin


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
