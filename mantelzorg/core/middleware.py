from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class SecurityHeadersMiddleware:
    """CSP on every response; ``Cache-Control: no-store`` on personal pages.

    A page is personal when the visitor is logged in, when the session was read or
    written (an anonymous Balanscheck keeps its answers there), or when the view marked
    the response with ``core.http.personal``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        personal = (
            getattr(response, "personal", False)
            or (session is not None and (session.accessed or session.modified) and not session.is_empty())
            or (user is not None and user.is_authenticated)
        )
        if personal:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private"
            patch_vary_headers(response, ["Cookie"])
        return response
