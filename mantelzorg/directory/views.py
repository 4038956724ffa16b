from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mantelzorg.accounts.selectors import is_platform_admin
from mantelzorg.core import audit, cache, pdf
from mantelzorg.core.http import personal
from mantelzorg.core.idempotency import idempotent
from mantelzorg.core.models import Municipality

from . import selectors, services
from .forms import ImportForm, RespiteMenuForm, SearchForm, ServiceForm
from .models import Organization, Service


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("pagina", "1")))
    except ValueError:
        return 1


@require_GET
@cache.public(content="directory")
def search(request):
    """Search near a postcode or in a gemeente; without a place, words or filters search the
    whole country (``scope`` "national"); a form with nothing to search asks for it ("empty")."""
    form = SearchForm(request.GET or None)
    result, place, municipality, centres, national, scope = None, None, None, [], [], ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        place, municipality = data["postcode"], data["gemeente"]
        scope = "local" if form.has_location() else ("national" if form.has_criteria() else "empty")
    if scope in ("local", "national"):
        result = selectors.service_search(
            place=place,
            municipality=None if place else municipality,
            radius_km=form.radius_km() if place else None,
            support_domains=data["vraaggebied"],
            ladder_steps=data["trede"],
            respite_forms=data["respijt"],
            target_groups=data["doelgroep"],
            free_only=data["gratis"],
            text=data["q"],
            page=_page_number(request),
        )
        municipality = place.municipality if place else municipality
        national = selectors.national_services(
            support_domains=data["vraaggebied"],
            respite_forms=data["respijt"],
            target_groups=data["doelgroep"],
            limit=5,
        )
        if not result.total and municipality is not None:
            centres = selectors.support_centres_for(municipality)
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "form": form,
        "result": result,
        "scope": scope,
        "place": place,
        "municipality": municipality,
        "centres": centres,
        "national": national,
        "query": query.urlencode(),
        "back": request.get_full_path(),
    }
    template = (
        "directory/search.html#results" if request.htmx and result is not None else "directory/search.html"
    )
    response = render(request, template, context)
    if request.htmx and form.is_bound and form.errors:
        # htmx swaps only #results; a form error ("Deze gemeente kennen we niet") sits beside its
        # field, so swap the whole search (form and results) instead of showing nothing.
        response["HX-Retarget"] = response["HX-Reselect"] = ".mz-directory"
        response["HX-Reswap"] = "outerHTML"
    return response


def local_path(value: str | None) -> str | None:
    """``value`` when it is a path on this site ("/sociale-kaart/?postcode=1012"), else None:
    no scheme or host, no "//" or backslash (browsers read those as another host)."""
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return None
    return value


def back_link(value: str | None) -> tuple[str, str]:
    """Where "back" on an offer page goes, and its text: the Balanscheck result, the menukaart
    or the search the visitor came from (``?terug=``); the plain search page otherwise."""
    path = local_path(value)
    if path is None:
        return reverse("directory:search"), _("Back to search")
    if path.startswith("/balanscheck/"):
        return path, _("Back to your result")
    if path.startswith("/gemeenten/"):
        return path, _("Back to the respite care menu")
    return path, _("Back to search")


@require_GET
def service_detail(request, service_id):
    service = selectors.service_detail(service_id)
    stale = service.is_stale()
    back_url, back_text = back_link(request.GET.get("terug"))
    return render(
        request,
        "directory/service_detail.html",
        {"service": service, "stale": stale, "back_url": back_url, "back_text": back_text},
    )


@require_GET
def support_centres(request):
    query = request.GET.get("q", "").replace("\x00", "")[:100]  # PostgreSQL refuses NUL in a query
    rows = selectors.support_centre_overview(query)
    missing = sum(1 for m in rows if not m.support_centres)
    return render(request, "directory/support_centres.html", {"rows": rows, "q": query, "missing": missing})


def _menu_context(request, code):
    municipality = get_object_or_404(Municipality, code=code.upper())
    context = selectors.respite_menu(municipality)
    context.update(
        municipality=municipality,
        today=timezone.localdate(),
        can_edit=selectors.can_edit_menu(request.user, municipality),
    )
    return context


@require_GET
def respite_menu(request, code):
    return render(request, "directory/respite_menu.html", _menu_context(request, code))


@require_GET
def respite_menu_pdf(request, code):
    context = _menu_context(request, code)
    filename = f"menukaart-respijtzorg-{context['municipality'].code}.pdf"
    return pdf.pdf_response(request, "directory/respite_menu.html", context, filename)


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def respite_menu_edit(request, code):
    municipality = get_object_or_404(Municipality, code=code.upper())
    if not selectors.can_edit_menu(request.user, municipality):
        raise Http404
    data = selectors.respite_menu(municipality)
    form = RespiteMenuForm(
        request.POST or None,
        initial={"intro": data["intro"]},
        services=data["services"],
        positions=data["positions"],
    )
    if request.method == "POST" and form.is_valid():
        services.respite_menu_update(
            request=request,
            municipality=municipality,
            intro=form.cleaned_data["intro"],
            positions=form.positions(),
        )
        messages.success(request, _("The menu has been saved."))
        return redirect("directory:respite_menu", code=municipality.code)
    return render(request, "directory/respite_menu_edit.html", {"form": form, "municipality": municipality})


@login_required
@personal
@require_GET
def manage(request):
    """The offers this person may edit, 50 a page, searchable by name or organisation (``?q=``)."""
    editable = selectors.services_editable_by(request.user)
    can_add = selectors.organizations_for_user(request.user).exists()
    if not can_add and not editable.exists():
        raise Http404
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    qs = editable.select_related("organization").order_by("name", "id")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(organization__name__icontains=query))
    page = Paginator(qs, 50).get_page(request.GET.get("pagina"))
    keep = urlencode({"q": query}) + "&" if query else ""
    return render(
        request,
        "directory/manage.html",
        {"page": page, "can_add": can_add, "cutoff": selectors.stale_cutoff(), "q": query, "keep": keep},
    )


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def service_new(request):
    organizations = selectors.organizations_for_user(request.user)
    if not organizations.exists():
        raise Http404
    form = ServiceForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        service = services.service_create(request=request, data=form.cleaned_data, place=form.place)
        messages.success(request, _("The offer has been saved."))
        return redirect("directory:service_edit", service_id=service.id)
    return render(request, "directory/service_form.html", {"form": form, "service": None})


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def service_edit(request, service_id):
    service = selectors.service_get_for_editing(request.user, service_id)
    organizations = Organization.objects.filter(
        Q(id__in=selectors.organizations_for_user(request.user).values("id")) | Q(id=service.organization_id)
    )
    form = ServiceForm(
        request.POST or None,
        instance=service,
        organizations=organizations,
        initial=ServiceForm.initial_for(service),
    )
    if request.method == "POST" and form.is_valid():
        services.service_update(request=request, service=service, data=form.cleaned_data, place=form.place)
        messages.success(request, _("The offer has been saved."))
        return redirect(reverse("directory:service_edit", kwargs={"service_id": service.id}))
    return render(request, "directory/service_form.html", {"form": form, "service": service})


@login_required
@personal
@require_http_methods(["GET", "POST"])
@idempotent
def service_withdraw(request, service_id):
    """Confirm page (GET) and withdrawal (POST) of an offer: off the sociale kaart, the row stays.

    Who may edit an offer may withdraw it (``selectors.service_get_for_editing``; 404 for the
    rest). What withdrawing does: ``services.service_withdraw``.
    """
    service = selectors.service_get_for_editing(request.user, service_id)
    if service.publication == Service.Publication.WITHDRAWN:
        messages.info(request, _("This offer is already off the sociale kaart."))
        return redirect("directory:service_edit", service_id=service.id)
    if request.method == "POST":
        services.service_withdraw(request=request, service=service)
        messages.success(request, _("%(name)s is no longer on the sociale kaart.") % {"name": service.name})
        return redirect("directory:manage")
    return render(request, "directory/service_withdraw.html", {"service": service})


# --- HSDS import and export: platform admins only (everyone else gets 404) ---------------


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
        "json_url": reverse("directory:hsds-download", args=["json"]),
        "csv_url": reverse("directory:hsds-download", args=["csv"]),
        "api_url": reverse("api:hsds-meta"),
    }
    return render(
        request, "directory/hsds/admin.html", context, status=400 if result and not result.ok else 200
    )


@admin_only
@personal
@require_GET
def hsds_download(request, fmt):
    body, content_type, filename = selectors.hsds_export(request, fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
