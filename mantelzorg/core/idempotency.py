"""Idempotent POSTs: the same request sent twice stores once (IETF draft-ietf-httpapi-idempotency-
key-header; the semantics Stripe's API made common).

Every view whose POST stores something is wrapped::

    @require_POST
    @personal
    @idempotent
    def contribute(request): ...

and every form that posts to it carries ``{% idempotency_key %}`` (a fresh random key per
rendering, so a double tap, a second click or a resend after a lost connection sends the same key).
API clients send the header ``Idempotency-Key: "<16-255 characters>"`` (quoted or not; a UUID4 is
a good key). A request without a key is served as it is.

- The first request with a key runs the view; its response (status, type, Location, body) is
  stored in the same transaction as what the view stored, so both are kept or neither is.
- The same key again, from the same owner (signed-in user, else session, else "anonymous"), with
  the same method, path and body, gets the stored response, marked ``Idempotent-Replayed: true``,
  and stores nothing. Requests in parallel wait for the first (on PostgreSQL the unique index, on
  SQLite ``BEGIN IMMEDIATE``) and then get its response: 100 at once create exactly one object.
- The same key with another method, path or body is refused: 422, nothing stored.
- A 5xx response or an exception stores nothing, not even the key: a retry runs again.
- Keys expire after ``LIFETIME`` (24 hours); expired rows are deleted by the next keyed POST. It
  looks first (a read) and deletes only when a row has expired: on SQLite a DELETE, even of no
  row, is a write transaction of its own, a second wait for the one write lock on every POST; in
  a burst of 100 parallel claims such a wait ran past the busy timeout ("database is locked").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from mantelzorg.core.http import mark_personal
from mantelzorg.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
LIFETIME = dt.timedelta(hours=24)
KEY_PATTERN = re.compile(r"[\x21-\x7e]{16,255}")  # visible ASCII, as an sf-string holds
REPLAYED_HEADER = "Idempotent-Replayed"
_NOT_HASHED = {"csrfmiddlewaretoken", FORM_FIELD}
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class _Failed(Exception):
    """A 5xx from the view: roll back the key with everything else, then answer with it."""

    def __init__(self, response):
        self.response = response


class _Taken(Exception):
    pass


def idempotent(view):
    """Make a view's POST idempotent per key (see the module's docstring)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            return _refusal(
                request,
                400,
                "invalid_idempotency_key",
                "The Idempotency-Key must be 16 to 255 visible characters.",
            )
        owner, fingerprint = _owner(request), _fingerprint(request)
        expired = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - LIFETIME)
        if expired.exists():  # a read: on SQLite only a sweep that deletes waits for the write lock
            expired.delete()
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotencyKey.objects.create(
                            owner=owner,
                            key=key,
                            fingerprint=fingerprint,
                            path=request.path[:500],
                            created_at=timezone.now(),
                        )
                except IntegrityError:
                    raise _Taken from None
                response = view(request, *args, **kwargs)
                if response.status_code >= 500:
                    raise _Failed(response)
                _keep(record, response)
                return response
        except _Failed as failed:
            return failed.response
        except _Taken:
            pass
        stored = IdempotencyKey.objects.filter(owner=owner, key=key).first()
        if stored is None or stored.status_code is None:  # rolled back meanwhile: run it again
            return wrapped(request, *args, **kwargs)
        if stored.fingerprint != fingerprint:
            return _refusal(
                request,
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was used for another request. Send a new key with a new request.",
            )
        return _replay(stored)

    wrapped.idempotent = True  # type: ignore[attr-defined]  # read by tests/test_idempotent_posts.py
    return wrapped


def _key(request) -> str | None:
    value = request.headers.get(HEADER)
    if value is None and request.content_type in _FORM_TYPES:
        value = request.POST.get(FORM_FIELD)
    if value is None or value == "":
        return None
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':  # the draft's sf-string form
        value = value[1:-1]
    return value


def _owner(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return "session:" + session_hash(session.session_key)
    return "anonymous"


def session_hash(session_key: str) -> str:
    """How a session owns keys: a hash, so the table never holds a usable session id."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:40]


def _fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method}\n{request.path}\n".encode())
    if request.content_type in _FORM_TYPES:
        for name in sorted(request.POST):
            if name not in _NOT_HASHED:
                digest.update(repr((name, request.POST.getlist(name))).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(repr((name, upload.name, upload.size)).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.content_type.encode() + b"\n" + request.body)
    return digest.hexdigest()


def _keep(record: IdempotencyKey, response) -> None:
    if getattr(response, "streaming", False):
        raise TypeError("an idempotent view cannot stream its response")
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    record.status_code = response.status_code
    record.content_type = response.get("Content-Type", "")[:200]
    record.location = response.get("Location", "")[:2000]
    record.body = response.content
    record.save(update_fields=["status_code", "content_type", "location", "body"])


def _replay(stored: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(stored.body), status=stored.status_code, content_type=stored.content_type)
    if stored.location:
        response["Location"] = stored.location
    response[REPLAYED_HEADER] = "true"
    return mark_personal(response)  # a stored response belongs to its owner only


def _refusal(request, status: int, code: str, message: str):
    from mantelzorg.api import errors

    if errors.is_api(request) or HEADER in request.headers:  # headers are case-insensitive
        return errors.json_response([errors.error(code, message, field=HEADER)], status)
    referer = request.headers.get("Referer", "")
    back = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
    response = render(
        request, "core/idempotency_refused.html", {"status": status, "back": back}, status=status
    )
    return mark_personal(response)


# --- personal data (core.personal_data): stored responses may show what the person sent


def personal_export(user) -> dict:
    rows = IdempotencyKey.objects.filter(owner__in=_owners_of(user)).order_by("created_at")
    return {
        "stored_responses": [
            {"path": r.path, "at": r.created_at.isoformat(), "status": r.status_code} for r in rows
        ],
        "kept_for_hours": int(LIFETIME.total_seconds() // 3600),
    }


def personal_erase(user, request) -> None:
    IdempotencyKey.objects.filter(owner__in=_owners_of(user)).delete()


def _owners_of(user) -> list[str]:
    from mantelzorg.accounts.selectors import session_keys_of

    return [f"user:{user.pk}", *("session:" + session_hash(key) for key in session_keys_of(user))]
