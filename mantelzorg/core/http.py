from functools import wraps


def personal(view):
    """Mark a view's responses as personal: never stored by browsers or proxies."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.personal = True
        return response

    return wrapped
