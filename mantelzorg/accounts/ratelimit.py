"""One limit for abuse: how often an IP address, an e-mail address or an account may do a thing
that sends an e-mail or stores something for an anonymous visitor (and how often logins may fail
from one IP address, whatever the account).

The rules and their numbers are in ``settings.RATE_LIMITS`` (rule → key kind → (count, seconds)).
A use is counted in a fixed window of ``seconds`` on a row of ``accounts.RateLimitCounter``:
in the database, so that every gunicorn worker counts on the same row (a per-process cache would
let each worker allow the limit again). Increments are one ``UPDATE … SET count = count + 1``
(atomic on SQLite and PostgreSQL); Django's DatabaseCache would do a read and a write, and lose
counts under concurrent requests. The row's key is a keyed hash (``salted_hmac``) of rule, kind,
value and window: no e-mail address or IP address is stored.

Use::

    refusal = ratelimit.hit(request, "password_reset", address=email)
    if refusal:  # over the limit: say so on the page (status 429), send nothing
        form.add_error(None, refusal.message)
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from mantelzorg.core import audit

from .models import RateLimitCounter

IP = "ip"


@dataclass(frozen=True)
class Refusal:
    """Over the limit; ``retry_after`` seconds until the window ends."""

    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))

    @property
    def message(self) -> str:
        return ngettext(
            "You have tried this too often in a short time. To stop misuse, it is paused for now. "
            "Try again in %(minutes)d minute.",
            "You have tried this too often in a short time. To stop misuse, it is paused for now. "
            "Try again in %(minutes)d minutes.",
            self.minutes,
        ) % {"minutes": self.minutes}


def client_ip(request) -> str:
    """The client's address as django-axes sees it (one notion of "IP address" for both)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def _keys(request, rule: str, values: dict[str, str]):
    """(key, limit, window end) for every kind the rule limits that this request has a value for."""
    limits = settings.RATE_LIMITS[rule]
    unknown = set(values) - set(limits)
    if unknown:
        raise KeyError(f"rate limit {rule!r} has no kind {sorted(unknown)}")
    now = time.time()
    everything = {IP: client_ip(request), **values} if IP in limits else dict(values)
    for kind, value in everything.items():
        count, seconds = limits[kind]
        window = int(now // seconds)
        normalised = str(value).strip().lower()
        key = salted_hmac("mantelzorg.ratelimit", f"{rule}\n{kind}\n{seconds}\n{window}\n{normalised}")
        yield key.hexdigest(), count, (window + 1) * seconds


def _increment(key: str, ends: float) -> int:
    with transaction.atomic():
        if not RateLimitCounter.objects.filter(key=key).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    now = timezone.now()
                    RateLimitCounter.objects.filter(expires_at__lt=now).delete()  # old windows
                    RateLimitCounter.objects.create(
                        key=key, count=1, expires_at=dt.datetime.fromtimestamp(ends, tz=dt.UTC)
                    )
            except IntegrityError:  # another worker created it in the meantime
                RateLimitCounter.objects.filter(key=key).update(count=F("count") + 1)
        return RateLimitCounter.objects.filter(key=key).values_list("count", flat=True).get()


def hit(request, rule: str, *, audited: bool = True, **values: str) -> Refusal | None:
    """Count one use of ``rule`` by this request's IP address and by every value given
    (``address=``, ``account=``); a ``Refusal`` when one of them is now over its limit. A refusal
    is an attempt refused: it writes its audit row here (``audited=False`` where the caller's
    own row already records the attempt)."""
    refused = [
        ends - time.time()
        for key, limit, ends in _keys(request, rule, values)
        if _increment(key, ends) > limit
    ]
    if not refused:
        return None
    if audited:
        audit_refusal(request, rule, **values)
    return Refusal(int(max(refused)) + 1)


def audit_refusal(request, rule: str, *, address: str = "", account: str = "") -> None:
    """The audit row of a request refused by a limit: the rule, and the account concerned as a
    keyed hash of the address (or its id), never the address."""
    audit.denied(
        request=request,
        action="accounts.rate_limit.refused",
        subject=account or None,
        object_type="accounts.user" if address or account else "",
        object_id=audit.account_ref(address) if address else account,
        purpose=f"rate limit: {rule}",
    )


def exceeded(request, rule: str, **values: str) -> Refusal | None:
    """Without counting: a ``Refusal`` when this request's uses have already reached the limit
    (for limits on failures, counted elsewhere with ``hit``)."""
    keys = list(_keys(request, rule, values))
    counts = dict(
        RateLimitCounter.objects.filter(key__in=[key for key, _, _ in keys]).values_list("key", "count")
    )
    refused = [ends - time.time() for key, limit, ends in keys if counts.get(key, 0) >= limit]
    return Refusal(int(max(refused)) + 1) if refused else None


def count_failed_login(sender, credentials=None, request=None, **kwargs) -> None:
    """``user_login_failed`` receiver: every failed login counts for its IP address, whatever the
    account (password spraying; django-axes counts per account and IP address)."""
    if request is not None:
        hit(request, "login_failed", audited=False)  # the login's own row records the attempt
