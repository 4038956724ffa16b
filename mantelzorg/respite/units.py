"""The provider's beds and places (issue 15, C7), under /logeerzorg/aanbieder/plaatsen/: the list
of its units per house with the coming four weeks at a glance, adding and changing a unit, taking
it out of use (and back), and its closures (closed days, maintenance).

Only professionals of the organisation that runs the house in the sociale kaart reach these pages
(``selectors.provider_service_ids`` / ``unit_for_provider``); anyone else signed in gets 404,
audited as denied. Units and closures hold no personal data: reading them writes no audit row,
every change writes one (``services``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mantelzorg.core import audit
from mantelzorg.core.idempotency import idempotent

from . import availability, selectors, services
from .models import Closure, TargetGroup, Unit
from .units_forms import ClosureForm, UnitForm, places_of

CALENDAR_DAYS = 28  # the coming four weeks on the list


def _services_or_404(request, action: str) -> frozenset:
    service_ids = selectors.provider_service_ids(request.user)
    if not service_ids:
        audit.denied(
            request=request,
            action=action,
            object_type="respite.unit",
            object_id=audit.NONE,
            subject=audit.NONE,
            purpose="not a professional of a respite provider",
        )
        raise Http404
    return service_ids


@dataclass
class UnitRow:
    """A unit on the list with its next four weeks: ``days`` (date, state) and the counts."""

    unit: Unit
    days: list[tuple[dt.date, str]]

    def count(self, state: str) -> int:
        return sum(1 for _day, word in self.days if word == state)

    @property
    def counts(self) -> dict[str, int]:
        return {state: self.count(state) for state in ("free", "held", "booked", "closed")}

    @property
    def groups(self) -> str:
        """The target groups, in words (lower case: they follow the kind in one line)."""
        labels = [str(TargetGroup(v).label) for v in self.unit.target_groups if v in TargetGroup.values]
        return ", ".join(label[:1].lower() + label[1:] for label in labels)

    @property
    def next_free(self) -> dt.date | None:
        return next((day for day, word in self.days if word == "free"), None)


def _houses(units: list[Unit], today: dt.date) -> list[dict]:
    calendar = availability.unit_days([u.pk for u in units], today, CALENDAR_DAYS)
    houses: dict[object, dict] = {}
    for unit in units:
        house = houses.setdefault(unit.service_id, {"service": unit.service, "rows": []})
        states = calendar[unit.pk] if unit.active else ["closed"] * CALENDAR_DAYS
        days = [(today + dt.timedelta(days=n), word) for n, word in enumerate(states)]
        house["rows"].append(UnitRow(unit, days))
    for house in houses.values():
        house["several_locations"] = len({row.unit.location_id for row in house["rows"]}) > 1
    return sorted(houses.values(), key=lambda house: house["service"].name)


@login_required
@require_safe
def unit_list(request):
    service_ids = _services_or_404(request, "respite.unit.listed")
    today = timezone.localdate()
    units = selectors.provider_units(request.user)
    context = {"houses": _houses(units, today), "today": today, "has_places": bool(places_of(service_ids))}
    return render(request, "respite/units/list.html", context)


def _posted(request):
    """The POST data, also when empty (an empty form sent is a bound form with errors)."""
    return request.POST if request.method == "POST" else None


def _save(request, form: UnitForm, unit: Unit):
    try:
        services.unit_save(request=request, unit=form.apply(unit))
    except services.Refused:
        form.add_error(
            "place", _("This location has no address with a postcode yet. Add it in the sociale kaart.")
        )
        return None
    messages.success(request, _("Saved: %(name)s.") % {"name": unit.name})
    return redirect("respite:unit_list")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def unit_new(request):
    service_ids = _services_or_404(request, "respite.unit.saved")
    form = UnitForm(_posted(request), places=places_of(service_ids))
    if form.is_valid() and (done := _save(request, form, Unit())):
        return done
    return render(
        request, "respite/units/form.html", {"form": form, "unit": None}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def unit_edit(request, unit_id):
    unit = selectors.unit_for_provider(request, unit_id)
    form = UnitForm(
        _posted(request), places=places_of(selectors.provider_service_ids(request.user)), unit=unit
    )
    if form.is_valid() and (done := _save(request, form, unit)):
        return done
    today = timezone.localdate()
    closures = list(unit.closures.filter(last_day__gte=today))
    context = {"form": form, "unit": unit, "closures": closures}
    return render(request, "respite/units/form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
@idempotent
def unit_deactivate(request, unit_id):
    unit = selectors.unit_for_provider(request, unit_id)
    try:
        services.unit_deactivate(request=request, unit=unit)
        messages.success(
            request, _("%(name)s is out of use. The search no longer shows it.") % {"name": unit.name}
        )
    except services.Refused as refusal:
        messages.error(request, refusal.message)
        return redirect("respite:unit_edit", unit_id=unit.pk)
    return redirect("respite:unit_list")


@login_required
@require_POST
@idempotent
def unit_reactivate(request, unit_id):
    unit = selectors.unit_for_provider(request, unit_id)
    services.unit_reactivate(request=request, unit=unit)
    messages.success(request, _("%(name)s is in use again.") % {"name": unit.name})
    return redirect("respite:unit_list")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@idempotent
def closure_new(request, unit_id):
    unit = selectors.unit_for_provider(request, unit_id)
    form = ClosureForm(_posted(request))
    if form.is_valid():
        data = form.cleaned_data
        services.closure_add(
            request=request,
            unit=unit,
            first_day=data["first_day"],
            last_day=data["last_day"],
            reason=data["reason"],
        )
        messages.success(request, _("The closure is saved. Those days cannot be booked."))
        return redirect("respite:unit_edit", unit_id=unit.pk)
    return render(
        request,
        "respite/units/closure.html",
        {"form": form, "unit": unit},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
@idempotent
def closure_remove(request, unit_id, closure_id):
    unit = selectors.unit_for_provider(request, unit_id)
    closure = Closure.objects.filter(pk=closure_id, unit=unit).first()
    if closure is None:
        audit.denied(
            request=request,
            action="respite.closure.removed",
            object_type="respite.closure",
            object_id=str(closure_id),
            subject=audit.NONE,
            purpose="not a closure of this unit",
        )
        raise Http404
    try:
        services.closure_remove(request=request, closure=closure)
        messages.success(request, _("The closure is removed. Those days can be booked again."))
    except services.Refused as refusal:
        messages.error(request, refusal.message)
    return redirect("respite:unit_edit", unit_id=unit.pk)


patterns = [
    path("aanbieder/plaatsen/", unit_list, name="unit_list"),
    path("aanbieder/plaatsen/nieuw/", unit_new, name="unit_new"),
    path("aanbieder/plaatsen/<uuid:unit_id>/", unit_edit, name="unit_edit"),
    path("aanbieder/plaatsen/<uuid:unit_id>/buiten-gebruik/", unit_deactivate, name="unit_deactivate"),
    path("aanbieder/plaatsen/<uuid:unit_id>/weer-in-gebruik/", unit_reactivate, name="unit_reactivate"),
    path("aanbieder/plaatsen/<uuid:unit_id>/sluiting/", closure_new, name="closure_new"),
    path(
        "aanbieder/plaatsen/<uuid:unit_id>/sluiting/<int:closure_id>/verwijderen/",
        closure_remove,
        name="closure_remove",
    ),
]
