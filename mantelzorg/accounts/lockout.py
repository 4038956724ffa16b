from django.conf import settings


def lockout_username(request, credentials=None) -> str:
    """The login name django-axes counts failures for: the e-mail address, case-folded."""
    value = (credentials or {}).get("username") or request.POST.get("email") or ""
    return value.strip().lower()


def client_ip(request) -> str | None:
    """The visitor's IP address, for django-axes and the abuse limits (``accounts.ratelimit``).

    Without a proxy (``TRUSTED_PROXY_COUNT`` 0) that is REMOTE_ADDR. Behind N proxies of our own it
    is the N-th address from the right of X-Forwarded-For: each of our proxies appends the address
    it saw, so that one cannot be forged by the visitor (who can only add entries on the left).
    Otherwise every visitor would have the proxy's address, and one limit would hold for all."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
