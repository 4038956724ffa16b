"""The relying party's pages under /verklaring/ (issue 14, C6): the verifier page and the trust
material (public key sets, status list tokens, the confirming organisations) at stable URLs.

The verifier page works without JavaScript: a POST with the pasted text or a picture of the QR
code. Nothing of the code is stored or logged (services.verify counts the outcome only)."""

from __future__ import annotations

import datetime as dt
import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from mantelzorg.accounts import ratelimit
from mantelzorg.core.http import personal

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
    context = {"form": form if outcome is None else forms.VerifyForm(), "outcome": outcome, "error": error}
    return render(request, "declaration/verify.html", context, status=status)


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
