from functools import wraps


def mark_personal(response):
    """Mark one response as personal: never stored by browsers or proxies (the security headers
    middleware reads the mark)."""
    response.personal = True
    return response


def personal(view):
    """Mark a view's responses as personal."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return mark_personal(view(request, *args, **kwargs))

    return wrapped
