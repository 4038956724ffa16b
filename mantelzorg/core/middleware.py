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


# Request bodies are read as UTF-8 (JSON is UTF-8 by RFC 8259; browsers send forms in the page's
# UTF-8). Django itself refuses a form body in any other (us-ascii too).
BODY_CHARSETS = {"utf-8"}


class RequestInputMiddleware:
    """Input no view can read, answered before any middleware or view reads it (one place for every
    page, form and API operation: under /api/ the API's error body, elsewhere a translated page):

    - a request body in another character set (``charset=utf-7``, ``iso-8859-1``, an unknown one):
      415. Django refuses a non-UTF-8 form body with an exception (a bare 500 under gunicorn once
      the CSRF check reads it) and an unknown codec is a LookupError, both far from the form;
    - a NUL character in the path (``/gemeenten/%00/respijtzorg/``): 404, there is no such address
      (PostgreSQL refuses NUL in a query, so a view looking it up answered 500).

    NUL in a query string or a form field is left to the forms (Django's fields refuse it with a
    field error) and to the views that read free text (they drop it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = self._charset(request.META.get("CONTENT_TYPE", ""))
        if charset is not None and charset not in BODY_CHARSETS:
            return self._refuse(request)
        if "\x00" in request.path_info:
            from mantelzorg.core.views import error_404

            return error_404(request)
        return self.get_response(request)

    @staticmethod
    def _charset(content_type: str) -> str | None:
        for param in content_type.split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"').lower()
        return None

    @staticmethod
    def _refuse(request):
        from django.shortcuts import render
        from django.utils.translation import gettext

        from mantelzorg.api import errors

        if errors.is_api(request):
            message = gettext("Send the request body in UTF-8 (charset=utf-8).")
            return errors.json_response([errors.error("unsupported_charset", message)], 415)
        message = gettext("Send the form in UTF-8. Your browser or program used another character set.")
        return render(request, "core/unreadable_request.html", {"message": message}, status=415)
