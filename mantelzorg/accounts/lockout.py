def lockout_username(request, credentials=None) -> str:
    """The login name django-axes counts failures for: the e-mail address, case-folded."""
    value = (credentials or {}).get("username") or request.POST.get("email") or ""
    return value.strip().lower()
