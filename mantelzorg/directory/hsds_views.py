"""HSDS import and export for platform admins (everyone else gets 404)."""

from __future__ import annotations

import io
import json
from functools import wraps

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from mantelzorg.accounts.selectors import is_platform_admin
from mantelzorg.core import audit
from mantelzorg.core.http import personal
from mantelzorg.core.idempotency import idempotent

from . import services
from .hsds import export

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def admin_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_platform_admin(request.user):
            audit.denied(
                request=request,
                action="directory.hsds.denied",
                object_type="directory.hsds",
                purpose="directory maintenance",
            )
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("HSDS file"),
        help_text=_("A JSON file with services (.json) or a zip file with the HSDS CSV tables (.zip)."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 50 MB)."))
        if not name.endswith((".json", ".zip")):
            raise forms.ValidationError(_("Choose a .json or .zip file."))
        return upload


def _url(request, name, *args):
    namespace = request.resolver_match.namespace if request.resolver_match else ""
    return reverse(f"{namespace}:{name}" if namespace else name, args=args)


@admin_only
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def hsds_admin(request):
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = services.hsds_import(request=request, upload=form.cleaned_data["file"])
    context = {
        "form": form,
        "result": result,
        "json_url": _url(request, "hsds-download", "json"),
        "csv_url": _url(request, "hsds-download", "csv"),
        "api_url": reverse("api:hsds-meta"),
    }
    return render(
        request, "directory/hsds/admin.html", context, status=400 if result and not result.ok else 200
    )


@admin_only
@personal
@require_GET
def hsds_download(request, fmt):
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        body = json.dumps(export.export_json(), ensure_ascii=False).encode()
        response = HttpResponse(body, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="hsds-services-{stamp}.json"'
    elif fmt == "csv":
        buffer = io.BytesIO()
        export.export_csv(buffer)
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="hsds-csv-{stamp}.zip"'
    else:
        raise Http404
    audit.log(
        request=request,
        action="directory.export.completed",
        object_type="directory.hsds_export",
        object_id=fmt,
        purpose="directory maintenance",
    )
    return response
