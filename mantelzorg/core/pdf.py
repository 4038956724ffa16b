"""One way to make a PDF of a page: WeasyPrint, tagged PDF/UA-1 (headings, lists and tables keep
their structure for screen readers), fetching only our own static files from disk."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(request, template: str, context: dict) -> bytes:
    """The PDF of ``template`` rendered with ``context`` (and ``pdf=True``)."""
    from weasyprint import HTML

    html = render_to_string(template, {**context, "pdf": True}, request=request)
    document = HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=static_fetcher())
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(request, template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def static_fetcher():
    """WeasyPrint (70) fetcher: our own static files from disk and data: URLs; nothing else is
    fetched."""
    from urllib.parse import urlparse

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):  # an image inlined in the page (a QR code)
                return super().fetch(url, headers)
            path = urlparse(url).path
            name = path[len(settings.STATIC_URL) :] if path.startswith(settings.STATIC_URL) else None
            # Without DEBUG {% static %} gives collected, hashed names: those live in STATIC_ROOT.
            found = name and (
                finders.find(name)
                or (staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None)
            )
            if not found:
                raise ValueError("only our own static files are fetched")
            with open(found, "rb") as fh:
                body = fh.read()
            mime = "text/css" if path.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": mime})

    return StaticFetcher()
