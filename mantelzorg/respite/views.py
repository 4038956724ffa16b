"""The pages under /logeerzorg/ (issue 15, C7): the start (search and, signed in, one's own
requests and nights left), the results (a page of the nearest houses at a time), the request, the
requester's stay page, the waiting list, the provider's inbox and decision page, and the regional
coordinator's read-only request page. Every page works without JavaScript.

Each view: decorators -> selector (access, audit) -> form -> service -> render or redirect. A POST
that changes nothing (a form error, a state that moved on) reads the record again, so it writes
its one audit row as a read."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mantelzorg.core.http import personal
from mantelzorg.core.idempotency import idempotent

from . import availability, forms, presentation, selectors, services
from .models import Funding, Kind, Stay, Unit

REQUESTER_ACTIONS = (Stay.State.OFFERED, Stay.State.HELD, Stay.State.CONFIRMED)


def _query(params, **changes) -> str:
    """The search's query string with some parameters changed (None: left out)."""
    query = QueryDict(mutable=True)
    for name in forms.SEARCH_FIELDS:
        if name in changes:
            if changes[name] is not None:
                query[name] = changes[name]
        elif params.get(name):
            query[name] = params[name]
    return query.urlencode()


def _request_url(service_id, params, arrival: dt.date, departure: dt.date) -> str:
    query = _query(params, wanneer=None, aankomst=arrival.isoformat(), vertrek=departure.isoformat())
    return reverse("respite:request", args=[service_id]) + "?" + query


@personal
@require_safe
def start(request):
    """Answer first: the search. Signed in: one's requests, offers and nights left below it."""
    form = forms.SearchForm(user=request.user)
    mine = selectors.my_respite(request) if request.user.is_authenticated else {}
    provider = bool(selectors.provider_service_ids(request.user))
    return render(request, "respite/start.html", {"form": form, "provider": provider, **mine})


@require_safe
def results(request):
    """The houses near the postcode with free nights for the dates (or a weekend a month), ten a
    page (``?pagina=``): the free ones first, then the full ones with their nearest free dates,
    the nearest first in each; the waiting list when nothing is free at all, on every page."""
    form = forms.SearchForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "respite/results.html", {"form": form}, status=400)
    search = form.to_search()
    number = request.GET.get("pagina")
    if form.weekend:
        found = presentation.weekend_page(search, number)
    else:
        found = presentation.results_page(search, number)
    houses = found.page.object_list
    for house in houses:
        _links(house, request.GET, search)
    context = {
        "form": form,
        "search": search,
        "houses": houses,
        "page": found.page,
        "pager": _pager(found.page),
        "free": found.free,
        "weekend": form.weekend,
        "query": _query(request.GET),
    }
    if not found.free:
        from mantelzorg.directory.selectors import support_centres_for

        context["centres"] = support_centres_for(search.place.municipality)
        context["wait_form"] = form
    return render(request, "respite/results.html", context)


def _pager(page) -> dict | None:
    """The houses (first, last number) of the previous and the next page; None on a single page."""
    if page.paginator.num_pages < 2:
        return None
    size, count = page.paginator.per_page, page.paginator.count
    start, end = page.start_index(), page.end_index()
    return {
        "previous": (start - size, start - 1) if page.has_previous() else None,
        "next": (end + 1, min(end + size, count)) if page.has_next() else None,
    }


def _links(house, params, search) -> None:
    house.request_url = _request_url(house.service_id, params, search.arrival, search.departure)
    house.alternative_links = [
        (
            a,
            d,
            reverse("respite:results") + "?" + _query(params, aankomst=a.isoformat(), vertrek=d.isoformat()),
        )
        for a, d in house.alternatives
    ]
    house.weekend_links = [
        (first, weekend, _request_url(house.service_id, params, *weekend) if weekend else "")
        for first, weekend in house.weekends
    ]


def _service_or_404(service_id):
    from mantelzorg.directory.models import Service

    if not Unit.objects.filter(service_id=service_id, active=True).exists():
        raise Http404
    return Service.objects.select_related("organization").get(pk=service_id)


def _request_form(request, choices, data=None):
    initial = {name: request.GET.get(name) for name in ("aankomst", "vertrek", "postcode", "urgentie")}
    initial.update(
        doelgroep=request.GET.get("doelgroep", ""),
        rolstoel=bool(request.GET.get("rolstoel")),
        nachtzorg=bool(request.GET.get("nachtzorg")),
        gedrag=bool(request.GET.get("gedrag")),
        financiering=request.GET.get("financiering") or None,
    )
    return forms.RequestForm(
        data, initial=initial, guests=choices["guests"], networks=choices["networks"], user=request.user
    )


@login_required
@personal
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def stay_new(request, service_id):
    """Request a stay in this house: who stays, what the house should know, phone, who pays."""
    service = _service_or_404(service_id)
    posted = request.method == "POST"
    choices = _choices(request) if posted else selectors.request_choices(request)
    form = _request_form(request, choices, request.POST or None)
    problem, alternatives = "", {}
    if posted and form.is_valid():
        guest = services.guest_save(owner=request.user, **form.guest_fields())
        try:  # a refusal writes this request's row (outcome failure)
            stay = _stay_request(request, service, form, guest)
        except services.Refused as error:
            form = _again(request, choices, guest, form)
            if isinstance(error, services.NoCapacity):
                problem, alternatives = error.message, _alternatives(request, service, form, guest)
            else:
                form.add_error("financiering" if error.code == "allowance_exceeded" else None, error.message)
        else:
            messages.success(
                request,
                _("Your request was sent. The house decides within %(hours)s hours.")
                % {"hours": services.hold_hours()},
            )
            return redirect("respite:stay", stay_id=stay.pk)
    elif posted:
        selectors.request_choices(request)  # shown again with its errors: this request's row, a read
    context = {"form": form, "service": service, "house": _house(service), "problem": problem}
    context["hold_hours"] = services.hold_hours()
    context.update(
        alternatives=alternatives, allowances=_allowances(form.guests.values()), dates=_dates(request)
    )
    return render(request, "respite/request.html", context, status=409 if problem else 200)


def _again(request, choices, guest, form):
    """The form once more after a refusal, with the guest just saved chosen (not made twice)."""
    data = request.POST.copy()
    data["gast"] = str(guest.pk)
    guests = [g for g in choices["guests"] if g.pk != guest.pk] + [guest]
    again = forms.RequestForm(data, guests=guests, networks=choices["networks"], user=request.user)
    again.is_valid()
    return again


def _dates(request):
    """(arrival, departure, nights) of the request's query, for the heading; None when unreadable."""
    try:
        arrival = dt.date.fromisoformat(request.GET.get("aankomst", ""))
        departure = dt.date.fromisoformat(request.GET.get("vertrek", ""))
    except ValueError:
        return None
    return (arrival, departure, (departure - arrival).days) if departure > arrival else None


def _choices(request) -> dict:
    """The guests and networks without an audit row (the service or the re-read writes it)."""
    from mantelzorg.network.selectors import network_list_for_user

    return {
        "guests": selectors.guests_of(request.user),
        "networks": [a for a in network_list_for_user(request.user) if a.main_carer],
    }


def _allowances(guests) -> list:
    year = timezone.localdate().year
    return [(guest, services.allowance_left(guest, year)) for guest in guests]


def _house(service):
    return presentation.house_facts([service.pk]).get(service.pk, (service.name, "", ""))


def _stay_request(request, service, form, guest):
    data = form.cleaned_data
    return services.stay_request(
        request=request,
        service=service,
        arrival=data["aankomst"],
        departure=data["vertrek"],
        guest=guest,
        funding=data["financiering"],
        need=form.need(),
        urgency=data.get("urgentie") or "planned",
        needs=data.get("toelichting", ""),
        contact_phone=data["telefoon"],
        indication=data.get("indicatie", ""),
    )


def _alternatives(request, service, form, guest) -> dict:
    """When the nights went while the form was filled in: this house's nearest free dates and the
    nearest other houses free on the wished dates."""
    from mantelzorg.core import geo

    data = form.cleaned_data
    try:
        place = geo.resolve_postcode(request.GET.get("postcode") or guest.pc4)
    except geo.PostcodeError:
        return {}
    kinds = frozenset(Unit.objects.filter(service=service, active=True).values_list("kind", flat=True))
    search = availability.Search(
        place=place,
        arrival=data["aankomst"],
        departure=data["vertrek"],
        kinds=kinds,
        funding=data["financiering"],
        need=form.need(),
    )
    houses = presentation.cards(availability.search_houses(search))
    params = {**request.GET.dict(), "postcode": place.pc4}
    for house in houses:
        _links(house, params, search)
    this = next((h for h in houses if h.service_id == service.pk), None)
    if this is not None:  # other dates of this house: straight back to this form
        this.alternative_links = [
            (a, d, _request_url(service.pk, params, a, d)) for a, d in this.alternatives
        ]
    others = [h for h in houses if h.available and h.service_id != service.pk][:3]
    return {"this": this, "others": others}


# --- The requester's stay ----------------------------------------------------------------------


@login_required
@personal
@require_safe
def stay_detail(request, stay_id):
    seen = selectors.stay_get(request, stay_id, action="respite.stay.viewed", as_=("requester",))
    return render(request, "respite/stay.html", _stay_context(seen.stay))


def _stay_context(stay, **extra):
    name, place, phone = _house(stay.unit.service)
    allowance = services.allowance_left(stay.guest, stay.arrival.year) if stay.guest else None
    agenda = ""
    if stay.guest and stay.guest.network_id and stay.state == Stay.State.CONFIRMED:
        agenda = (
            reverse("network:agenda", args=[stay.guest.network_id]) + f"?datum={stay.arrival.isoformat()}"
        )
    return {
        "stay": stay,
        "state_words": presentation.STATE_WORDS.get(stay.state, ""),
        "house": {"name": name, "place": place, "phone": phone, "tel": presentation.tel_href(phone)},
        "allowance": allowance,
        "agenda_url": agenda,
        "can_cancel": stay.state in REQUESTER_ACTIONS,
        "hours_left": presentation.hours_left(stay),
        "need_labels": presentation.need_labels(stay.guest),
        **extra,
    }


def _moved_on(request, error):
    """A transition another request beat (the service wrote this request's row): say so."""
    messages.error(request, error.message)


@login_required
@personal
@require_POST
@idempotent
def stay_cancel(request, stay_id):
    seen = selectors.stay_get(
        request, stay_id, action="respite.stay.cancelled", read=False, as_=("requester",)
    )
    try:
        services.stay_cancel(request=request, stay=seen.stay)
        messages.success(request, _("Your request is cancelled. The nights are free for someone else."))
    except services.Refused as error:
        _moved_on(request, error)
    return redirect("respite:stay", stay_id=stay_id)


@login_required
@personal
@require_POST
@idempotent
def offer_accept(request, stay_id):
    seen = selectors.stay_get(
        request, stay_id, action="respite.offer.accepted", read=False, as_=("requester",)
    )
    try:
        services.offer_accept(request=request, stay=seen.stay)
        messages.success(request, _("You took the place. The house now decides on your request."))
    except services.Refused as error:
        _moved_on(request, error)
    return redirect("respite:stay", stay_id=stay_id)


# --- The waiting list --------------------------------------------------------------------------


@login_required
@personal
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def waiting_join(request):
    """Join the waiting list for the searched dates and needs (the search's own fields, carried
    along) for a guest: one from before or someone new, so that an offer is checked against the
    nights their gemeente grants."""
    if request.method != "POST":
        search_form = forms.SearchForm(request.GET, user=request.user)
        if not search_form.is_valid() or search_form.weekend:
            raise Http404  # only a tampered or outdated link gets here: the results page links a valid search
        choices = selectors.request_choices(request)
        initial = {name: search_form.data.get(name) for name in forms.SEARCH_FIELDS}
        form = forms.WaitingForm(initial=initial, user=request.user, guests=choices["guests"])
        return _waiting_page(request, form, search_form.to_search())
    choices = _choices(request)
    form = forms.WaitingForm(request.POST, user=request.user, guests=choices["guests"])
    valid = form.is_valid()
    if form.search_errors() or form.weekend:
        raise Http404
    search = form.to_search()
    if not valid:
        selectors.request_choices(request)  # shown again with its errors: this request's row, a read
        return _waiting_page(request, form, search, status=400)
    # A caregiver's search covers both planned kinds; the entry names one: Wlz funding, Wlz stay.
    kind = form.kind() or (Kind.LOGEERZORG_WLZ if search.funding == Funding.WLZ else Kind.LOGEERZORG_WMO)
    guest = services.guest_save(owner=request.user, **form.guest_fields())
    try:
        services.waiting_join(request=request, search=search, guest=guest, kind=kind)
    except services.Refused as error:
        selectors.my_respite(request)
        messages.error(request, error.message)
        return redirect("respite:start")
    messages.success(request, _("You are on the waiting list. When a place frees up, we e-mail you at once."))
    return redirect("respite:start")


def _waiting_page(request, form, search, status=200):
    """The waiting-list form: the searched dates and who will stay, with their nights left."""
    params = form.data if form.is_bound else form.initial
    context = {
        "form": form,
        "search": search,
        "allowances": _allowances(form.guests.values()),
        "back": reverse("respite:results") + "?" + _query(params),
    }
    return render(request, "respite/waiting.html", context, status=status)


@login_required
@personal
@require_POST
@idempotent
def waiting_withdraw(request, entry_id):
    entry = selectors.waiting_entry_of(request, entry_id)
    services.waiting_withdraw(request=request, entry=entry)
    messages.success(request, _("You are off the waiting list."))
    return redirect("respite:start")


# --- The provider ------------------------------------------------------------------------------


@login_required
@personal
@require_safe
def inbox(request):
    """Requests waiting for a decision (oldest first, with the time left) and the coming stays."""
    if not selectors.provider_service_ids(request.user):
        raise Http404
    rows = selectors.provider_inbox(request)
    waiting = [(stay, presentation.hours_left(stay)) for stay in rows["waiting"]]
    return render(request, "respite/inbox.html", {"waiting": waiting, "coming": rows["coming"]})


def _provider_page(request, seen, form=None, status=200):
    stay = seen.stay
    context = _stay_context(stay, form=form or forms.ReasonForm(), state_label=Stay.State(stay.state).label)
    return render(request, "respite/provider_stay.html", context, status=status)


@login_required
@personal
@require_safe
def provider_stay(request, stay_id):
    seen = selectors.stay_get(request, stay_id, action="respite.stay.viewed", as_=("provider",))
    return _provider_page(request, seen)


@login_required
@personal
@require_POST
@idempotent
def provider_confirm(request, stay_id):
    seen = selectors.stay_get(
        request, stay_id, action="respite.stay.confirmed", read=False, as_=("provider",)
    )
    try:
        services.stay_confirm(request=request, stay=seen.stay)
        messages.success(request, _("Confirmed. The person who asked gets an e-mail."))
    except services.Refused as error:
        _moved_on(request, error)
    return redirect("respite:provider-stay", stay_id=stay_id)


# --- The regional coordinator ------------------------------------------------------------------


@login_required
@personal
@require_safe
def region_stay(request, stay_id):
    """A request in the coordinator's region, read only: what the house reads (the provider's
    facts), to phone the person who asked or the house. Anyone else 404, audited as denied."""
    seen = selectors.stay_get(request, stay_id, action="respite.stay.viewed", as_=("coordinator",))
    context = _stay_context(seen.stay, state_label=Stay.State(seen.stay.state).label)
    return render(request, "respite/region_stay.html", context)


def _with_reason(request, stay_id, action, change, done):
    seen = selectors.stay_get(request, stay_id, action=action, read=False, as_=("provider",))
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        seen = selectors.stay_get(request, stay_id, action="respite.stay.viewed", as_=("provider",))
        return _provider_page(request, seen, form=form, status=400)
    try:
        change(seen.stay, form.cleaned_data["reden"])
        messages.success(request, done)
    except services.Refused as error:
        _moved_on(request, error)
    return redirect("respite:provider-stay", stay_id=stay_id)


@login_required
@personal
@require_POST
@idempotent
def provider_decline(request, stay_id):
    return _with_reason(
        request,
        stay_id,
        "respite.stay.declined",
        lambda stay, reason: services.stay_decline(request=request, stay=stay, reason=reason),
        _("Declined. The person who asked reads your reason."),
    )


@login_required
@personal
@require_POST
@idempotent
def provider_cancel(request, stay_id):
    return _with_reason(
        request,
        stay_id,
        "respite.stay.cancelled",
        lambda stay, reason: services.stay_cancel(
            request=request, stay=stay, by_provider=True, reason=reason
        ),
        _("The stay is cancelled. The person who asked reads your reason."),
    )
