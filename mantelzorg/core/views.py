from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from mantelzorg.core import cache, crisis


@require_GET
def home(request):
    """The home page has no per-visitor content (not even a CSRF token): cacheable."""
    return cache.public_page(
        request, lambda: render(request, "core/home.html", {"crisis": crisis.contacts()})
    )


@require_GET
def set_language(request, code):
    """Switch the interface language with a plain link (works without JavaScript and needs
    no form, so public pages carry no CSRF token and stay cacheable)."""
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if code in dict(settings.LANGUAGES) and check_for_language(code):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
        from mantelzorg.accounts.services import language_set

        language_set(request.user, code)
    return response


@require_GET
def accessibility(request):
    return render(request, "core/accessibility.html")


@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
@cache_control(no_store=True)
def floor(request):
    """The framework floor for benchmarks: the cheapest response Django can give."""
    return HttpResponse(b"ok", content_type="text/plain")


def error_400(request, exception=None):
    """A request Django could not read (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a
    broken multipart body): under /api/ the API's error body, elsewhere a translated page."""
    from django.utils.translation import gettext

    from mantelzorg.api import errors

    message = gettext("We could not read this request. It may be too large, or not in the form we expect.")
    if errors.is_api(request):
        return errors.json_response([errors.error("bad_request", message)], 400)
    return render(request, "core/unreadable_request.html", {"message": message}, status=400)


def error_404(request, exception=None):
    """Under /api/ the API's error body (also for an address no route matches, such as an id of
    the wrong form: ``/api/fhir/Questionnaire/%C3%84``), elsewhere the 404 page."""
    from mantelzorg.api import errors, middleware

    if errors.is_api(request):
        return errors.json_response([errors.error(*middleware.MESSAGES[404])], 404)
    return render(request, "404.html", status=404)


def error_500(request):
    from mantelzorg.api import errors, middleware

    if errors.is_api(request):
        return errors.json_response([errors.error(*middleware.MESSAGES[500])], 500)
    return render(request, "500.html", status=500)
