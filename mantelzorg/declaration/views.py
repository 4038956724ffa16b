"""The pages under /verklaring/ (issue 14, C6): the caregiver's declaration and its QR codes, the
issuer's queue, and the relying party's verifier page, registration and trust material (public
key sets, status list tokens, the confirming organisations) at stable URLs.

The verifier page works without JavaScript: a POST with the pasted text or a picture of the QR
code. Nothing of the code is stored or logged (services.verify counts the outcome only).

With JavaScript it also works offline once opened: a service worker (``service_worker``, scope
/verklaring/controleren/) keeps the page and its assets, the page's script keeps the keys, the
status list tokens and the organisations, and checks a code on the device when there is no network
(static/declaration/verify-page.js and mz1.js, bundled as js/declaration-verify.js)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mantelzorg.accounts import ratelimit
from mantelzorg.core.http import personal
from mantelzorg.core.idempotency import idempotent

from . import forms, keys, presentation, scan, selectors, services

KEYS_MAX_AGE = 3600
ORGANISATIONS_MAX_AGE = 3600
RATE_RULE = "declaration_verify"


@personal
@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request):
    """Paste the MZ1 text or upload a picture of the QR code; the outcome at the top."""
    form = forms.VerifyForm(request.POST or None, request.FILES or None)
    outcome, error, status = None, "", 200
    if request.method == "POST" and form.is_valid():
        refusal = ratelimit.hit(request, RATE_RULE)
        if refusal:
            error, status = refusal.message, 429
        else:
            code = form.cleaned_data["code"]
            if form.cleaned_data.get("image"):
                try:
                    code = scan.code_from_image(form.cleaned_data["image"])
                except scan.ScanError as problem:
                    error = str(problem)
            if not error:
                try:
                    outcome = presentation.outcome(services.verify(code))
                except keys.KeyringError:
                    error, status = _("Verification is not available at the moment. Try again later."), 503
    elif request.method == "POST":
        status = 400
    context = {
        "form": form if outcome is None else forms.VerifyForm(),
        "outcome": outcome,
        "error": error,
        "browser_texts": presentation.browser_texts(),
        "site_url": settings.SITE_URL,
        "status_urls": " ".join(
            reverse("declaration:status-cwt", args=[list_id]) for list_id in selectors.status_list_ids()
        ),
    }
    return render(request, "declaration/verify.html", context, status=status)


# What the service worker keeps for the verifier page to open offline (beside the page itself).
OFFLINE_ASSETS = (
    "css/app.css",
    "favicon.svg",
    "js/htmx.min.js",
    "js/app.js",
    "declaration/verify.css",
    "js/declaration-verify.js",
)


@require_safe
def service_worker(request):
    """The verifier page's service worker (static/declaration/sw.js) with the page and the asset URLs
    it keeps (hashed names in production). Served from /verklaring/controleren/ so that its scope is
    the page; its version is the hash of what it keeps, so a new deploy replaces it."""
    source = finders.find("declaration/sw.js")
    if not source:
        raise Http404
    config = {"page": reverse("declaration:verify"), "assets": [static(name) for name in OFFLINE_ASSETS]}
    config["version"] = hashlib.sha256(json.dumps(config).encode()).hexdigest()[:12]
    body = f"const MZ_OFFLINE = {json.dumps(config)};\n" + Path(str(source)).read_text(encoding="utf-8")
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("declaration:verify")
    return response


def _public(response: HttpResponse, max_age: int) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _unavailable() -> HttpResponse:
    return HttpResponse(
        _("No signing keys are configured."), status=503, content_type="text/plain; charset=utf-8"
    )


@require_safe
def keys_jwks(request):
    """The published public keys as a JWK Set (RFC 7517)."""
    try:
        body = json.dumps(selectors.keyring().jwks(selectors.now()), indent=2)
    except keys.KeyringError:
        return _unavailable()
    return _public(HttpResponse(body, content_type="application/jwk-set+json"), KEYS_MAX_AGE)


@require_safe
def keys_cose(request):
    """The published public keys as a COSE_KeySet (RFC 9052 section 7, CBOR)."""
    try:
        body = selectors.keyring().cose_key_set(selectors.now())
    except keys.KeyringError:
        return _unavailable()
    return _public(HttpResponse(body, content_type="application/cose-key-set"), KEYS_MAX_AGE)


@require_safe
def status_token(request, list_id: int):
    """The signed Status List Token of one list (draft-ietf-oauth-status-list), cacheable for its ttl."""
    try:
        token = selectors.status_token(list_id)
    except keys.KeyringError:
        return _unavailable()
    if token is None:
        raise Http404
    return _public(HttpResponse(token.token, content_type="application/statuslist+cwt"), token.ttl)


# --- The caregiver's pages ----------------------------------------------------------------------
#
# Each view: decorators -> selector (access, audit) -> form -> service -> render or redirect.


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _context(declaration, today, **extra):
    from . import purposes

    return {
        "declaration": declaration,
        "state": declaration.state(today),
        "purposes": [(p, presentation.PURPOSES[p.code]) for p in purposes.all_purposes()],
        **extra,
    }


@personal
@require_safe
def home(request):
    """Start: what a declaration is; your current one with its purposes; older ones below."""
    today = _today()
    rows = selectors.declarations_of(request)
    current = next((d for d in rows if d.state(today) == "active"), None)
    context = {"rows": [d for d in rows if d is not current], "current": current, "today": today}
    if current is not None:
        context.update(_context(current, today))
    return render(request, "declaration/home.html", context)


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def declaration_new(request):
    today = _today()
    prefill = selectors.prefill(request, today) if request.method == "GET" else None
    form = forms.DeclarationForm(
        request.POST or None, initial=prefill.initial if prefill else None, today=today
    )
    if request.method == "POST" and form.is_valid():
        declaration = services.declaration_create(
            request=request, caregiver=request.user, data=form.to_data()
        )
        messages.success(request, _("Your declaration is ready. Choose what you need it for."))
        return redirect("declaration:detail", declaration_id=declaration.pk)
    return render(request, "declaration/form.html", {"form": form, "prefill": prefill})


@login_required
@personal
@require_safe
def declaration_detail(request, declaration_id):
    today = _today()
    declaration = selectors.declaration_of_caregiver(
        request, declaration_id, action="declaration.declaration.viewed"
    )
    issuers = selectors.issuers_for(declaration.municipality) if declaration.review == "none" else []
    return render(
        request,
        "declaration/detail.html",
        _context(
            declaration,
            today,
            issuers=issuers,
            submit_form=forms.SubmitForm(issuers=issuers) if issuers else None,
            answer_form=forms.TextForm(),
            rows=presentation.declaration_rows(declaration),
        ),
    )


def _active_or_404(declaration, today):
    if declaration.state(today) != "active":
        raise Http404


def _purpose_or_404(code):
    from . import purposes

    purpose = purposes.get(code)
    if purpose is None:
        raise Http404
    return purpose


@login_required
@personal
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def purpose_page(request, declaration_id, purpose):
    """Before the QR code: who checks it for this purpose, what they keep, what the code shows."""
    from . import purposes

    today = _today()
    posted = request.method == "POST"
    declaration = selectors.declaration_of_caregiver(
        request, declaration_id, action="declaration.declaration.viewed", read=not posted
    )
    _active_or_404(declaration, today)
    chosen = _purpose_or_404(purpose)
    if posted:
        existing = selectors.attestation_of(declaration, chosen.code)
        if existing is None or existing.revoked_at:
            services.attestation_create(request=request, declaration=declaration, purpose=chosen.code)
        else:  # made before (a second tap): the request only read it
            selectors.log_read(request, declaration, action="declaration.attestation.viewed", obj=existing)
        return redirect("declaration:qr", declaration_id=declaration.pk, purpose=chosen.code)
    claims = purposes.claims_for(declaration, chosen, status={"list": 1, "idx": 0})
    return render(
        request,
        "declaration/purpose.html",
        _context(
            declaration,
            today,
            purpose=chosen,
            label=presentation.PURPOSES[chosen.code],
            shown=presentation.claim_rows(claims),
            holder=presentation.holder_rows(claims["holder"]),
            relying_parties=selectors.relying_parties_for(chosen.code, declaration.municipality),
            attestation=selectors.attestation_of(declaration, chosen.code),
        ),
    )


def _attestation_context(request, declaration_id, purpose, today):
    declaration = selectors.declaration_of_caregiver(
        request, declaration_id, action="declaration.attestation.viewed"
    )
    _active_or_404(declaration, today)
    chosen = _purpose_or_404(purpose)
    attestation = selectors.attestation_of(declaration, chosen.code)
    if attestation is None or attestation.revoked_at:
        raise Http404
    code = services.attestation_code(request=request, attestation=attestation)
    result = services.decode_own(code)
    return _context(
        declaration,
        today,
        purpose=chosen,
        label=presentation.PURPOSES[chosen.code],
        attestation=attestation,
        code=code,
        qr_svg=presentation.qr_svg(code),
        qr_png=presentation.qr_png(code),
        shown=presentation.claim_rows(result.claims),
        holder=presentation.holder_rows(result.claims["holder"]),
        expires=presentation.local_time(attestation.code_expires_at),
    )


def _no_keys(request):
    return render(
        request,
        "declaration/unavailable.html",
        {"message": _("Making a QR code is not possible at the moment. Try again later.")},
        status=503,
    )


@login_required
@personal
@require_safe
def attestation_qr(request, declaration_id, purpose):
    try:
        context = _attestation_context(request, declaration_id, purpose, _today())
    except keys.KeyringError:
        return _no_keys(request)
    return render(request, "declaration/qr.html", context)


@login_required
@personal
@require_safe
def attestation_pdf(request, declaration_id, purpose):
    from mantelzorg.core import pdf

    try:
        context = _attestation_context(request, declaration_id, purpose, _today())
    except keys.KeyringError:
        return _no_keys(request)
    return pdf.pdf_response(
        request, "declaration/qr_print.html", context, f"mantelzorgverklaring-{purpose}.pdf"
    )


@login_required
@personal
@require_POST
@idempotent
def attestation_revoke(request, declaration_id, purpose):
    declaration = selectors.declaration_of_caregiver(
        request, declaration_id, action="declaration.attestation.revoked", read=False
    )
    attestation = selectors.attestation_of(declaration, purpose)
    if attestation is None or attestation.revoked_at:
        raise Http404
    services.attestation_revoke(request=request, attestation=attestation)
    messages.success(request, _("This QR code no longer works. You can make a new one when you need it."))
    return redirect("declaration:detail", declaration_id=declaration.pk)


@login_required
@personal
@require_POST
@idempotent
def declaration_submit(request, declaration_id):
    declaration = selectors.declaration_of_caregiver(
        request, declaration_id, action="declaration.declaration.submitted", read=False
    )
    _active_or_404(declaration, _today())
    issuers = selectors.issuers_for(declaration.municipality)
    form = forms.SubmitForm(request.POST, issuers=issuers)
    if declaration.review != "none" or not form.is_valid():
        selectors.log_read(request, declaration, action="declaration.declaration.viewed")
        messages.error(request, _("Choose an organisation."))
        return redirect("declaration:detail", declaration_id=declaration.pk)
    services.declaration_submit(request=request, declaration=declaration, issuer=form.cleaned_data["issuer"])
    messages.success(
        request,
        _(
            "Sent to %(organisation)s. You will see their answer here; until then your declaration is self-declared."
        )
        % {"organisation": form.cleaned_data["issuer"].organisation.name},
    )
    return redirect("declaration:detail", declaration_id=declaration.pk)


@login_required
@personal
@require_POST
@idempotent
def declaration_withdraw(request, declaration_id):
    declaration = selectors.declaration_of_caregiver(
        request, declaration_id, action="declaration.declaration.withdrawn", read=False
    )
    if declaration.review in ("submitted", "question"):
        services.declaration_withdraw_request(request=request, declaration=declaration)
        messages.success(request, _("Your request was withdrawn. The organisation no longer sees it."))
    else:
        selectors.log_read(request, declaration, action="declaration.declaration.viewed")
    return redirect("declaration:detail", declaration_id=declaration.pk)


@login_required
@personal
@require_POST
@idempotent
def declaration_answer(request, declaration_id):
    declaration = selectors.declaration_of_caregiver(
        request, declaration_id, action="declaration.declaration.answered", read=False
    )
    form = forms.TextForm(request.POST)
    if declaration.review == "question" and form.is_valid():
        services.declaration_answer(
            request=request, declaration=declaration, answer=form.cleaned_data["text"]
        )
        messages.success(request, _("Your answer was sent."))
    else:
        selectors.log_read(request, declaration, action="declaration.declaration.viewed")
        if declaration.review == "question":
            messages.error(request, _("Write your answer first."))
    return redirect("declaration:detail", declaration_id=declaration.pk)


@login_required
@personal
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def declaration_revoke(request, declaration_id):
    today = _today()
    declaration = selectors.declaration_of_caregiver(
        request, declaration_id, action="declaration.declaration.revoked", read=request.method != "POST"
    )
    _active_or_404(declaration, today)
    if request.method == "POST":
        services.declaration_revoke(request=request, declaration=declaration)
        messages.success(request, _("Your declaration was revoked. None of its QR codes works any more."))
        return redirect("declaration:home")
    return render(request, "declaration/revoke.html", _context(declaration, today))


RENEWAL_SUGGESTS = ("relation", "postcode", "hours_per_week", "tasks")


def _comparable(value):
    return sorted(value) if isinstance(value, list) else value


@login_required
@personal
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def declaration_renew(request, declaration_id):
    """One click: the page shows what changed since (from a newer Balanscheck or the network) and
    renews with those values; everything else can still be changed below."""
    today = _today()
    declaration = selectors.declaration_of_caregiver(
        request, declaration_id, action="declaration.declaration.renewed", read=False
    )
    if declaration.revoked_at or declaration.replaced_at:
        raise Http404
    current = forms.initial_from(declaration)
    suggested = {}
    if request.method != "POST":
        # One row for the page: the declaration, compared with the latest saved Balanscheck.
        selectors.log_read(
            request,
            declaration,
            action="declaration.declaration.viewed",
            purpose="renewal of the caregiver's declaration, compared with their latest balance check",
        )
        prefill = selectors.prefill(request, today, log=False)
        # Not the month care began: the Balanscheck knows it only as a range ("1 to 5 years").
        suggested = {
            k: v
            for k, v in prefill.initial.items()
            if k in RENEWAL_SUGGESTS and _comparable(v) != _comparable(current[k])
        }
    form = forms.DeclarationForm(
        request.POST or None, initial={**current, **suggested, "truthful": True}, today=today
    )
    if request.method == "POST" and form.is_valid():
        renewed = services.declaration_renew(request=request, declaration=declaration, data=form.to_data())
        messages.success(
            request,
            _("Your declaration was renewed until %(date)s.")
            % {"date": presentation.local_date(renewed.valid_until)},
        )
        return redirect("declaration:detail", declaration_id=renewed.pk)
    if request.method == "POST":  # shown again with its errors
        selectors.log_read(request, declaration, action="declaration.declaration.viewed")
    changes = presentation.changes(current, suggested, form)
    return render(request, "declaration/renew.html", _context(declaration, today, form=form, changes=changes))


# --- The issuer's queue -------------------------------------------------------------------------


@login_required
@personal
@require_safe
def review_queue(request):
    issuers, rows = selectors.review_queue(request)
    if not issuers:
        raise Http404
    return render(request, "declaration/review_queue.html", {"issuers": issuers, "rows": rows})


@login_required
@personal
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def review_detail(request, declaration_id):
    today = _today()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    declaration = selectors.declaration_for_review(
        request, declaration_id, action="declaration.declaration.viewed", read=request.method != "POST"
    )
    state = declaration.state(today)
    text_form = forms.TextForm(request.POST if action in ("ask", "refuse") else None)
    if action == "confirm" and state == "active" and declaration.review in ("submitted", "question"):
        services.review_confirm(request=request, declaration=declaration)
        messages.success(request, _("Confirmed. The caregiver sees it at once."))
        return redirect("declaration:review-queue")
    if action in ("ask", "refuse") and state == "active" and declaration.review in ("submitted", "question"):
        if text_form.is_valid():
            if action == "ask":
                services.review_ask(
                    request=request, declaration=declaration, question=text_form.cleaned_data["text"]
                )
                messages.success(request, _("Your question was sent to the caregiver."))
            else:
                services.review_refuse(
                    request=request, declaration=declaration, reason=text_form.cleaned_data["text"]
                )
                messages.success(request, _("Not confirmed. The caregiver sees your reason."))
            return redirect("declaration:review-queue")
    if action == "revoke" and state == "active" and declaration.confirmed:
        services.declaration_revoke(request=request, declaration=declaration, by_issuer=True)
        messages.success(request, _("The declaration was revoked. None of its QR codes works any more."))
        return redirect("declaration:review-queue")
    if request.method == "POST":  # nothing changed: the page is shown again, a read
        selectors.log_read(
            request, declaration, action="declaration.declaration.viewed", purpose=selectors.REVIEW_PURPOSE
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "declaration/review_detail.html",
        {
            "declaration": declaration,
            "state": state,
            "rows": presentation.declaration_rows(declaration, for_issuer=True),
            "text_form": text_form,
            "action": action,
        },
        status=status,
    )


# --- Relying parties ----------------------------------------------------------------------------


@personal
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def relying_party_register(request):
    from . import purposes

    choices = [(p.code, presentation.PURPOSES[p.code]) for p in purposes.all_purposes()]
    form = forms.RelyingPartyForm(request.POST or None, purpose_choices=choices)
    if request.method == "POST" and form.is_valid():
        refusal = ratelimit.hit(request, RATE_RULE)
        if refusal:
            return render(
                request, "declaration/register.html", {"form": form, "error": refusal.message}, status=429
            )
        services.relying_party_register(request=request, data=form.cleaned_data)
        return render(request, "declaration/register.html", {"done": True})
    return render(
        request, "declaration/register.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@require_safe
def organisations(request):
    """The organisations whose id a confirmed code carries (confirmed_by), with their names: public,
    for verifiers that show the name offline. ``updated_at`` is when this list was read."""
    at = dt.datetime.fromtimestamp(selectors.now(), tz=dt.UTC).isoformat().replace("+00:00", "Z")
    body = json.dumps(
        {"organisations": selectors.confirming_organisations(), "updated_at": at},
        indent=2,
        ensure_ascii=False,
    )
    return _public(HttpResponse(body, content_type="application/json"), ORGANISATIONS_MAX_AGE)
