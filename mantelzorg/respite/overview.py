"""The regional occupancy overview (issue 15, C7) at /logeerzorg/regio/: for regional coordinators
(the gemeenten of their organisations) and gemeente staff (their own gemeenten), per gemeente and
kind of stay the free, held and booked places per day for the next eight weeks, and the requests
waiting for a decision by age.

Gemeente staff see counts only, never a person; coordinators also see the list of requests waiting
in their region (house, dates, kind, urgency and how long it waits: no guest), which writes the
request's one audit row; each opens the read-only request page (``views.region_stay``, audited
through ``selectors.stay_get``), where they can phone the person who asked and the house. Anyone else signed in gets 404, audited as denied.

Layout (a phone first): per gemeente and kind one small table with a week per row and the seven
weekdays as columns, each cell the free places that day (8 narrow columns fit 320 px); the held,
booked and closed places of each week in a disclosure under it (a table of days × counts); and a
chart of the eight weeks (server-rendered SVG, hidden from assistive technology: the tables are
its text). The whole page is a fixed number of queries, whatever the number of units and stays.

Gemeente staff also set, at /logeerzorg/regio/nachten/, the nights of Wmo-funded respite their
gemeenten grant a resident a year (``Allowance``), for this year and next: a form per gemeente,
posted to /logeerzorg/regio/nachten/<code>/ (another gemeente's code is 404, audited as denied;
so is anyone who is not gemeente staff). No person is on that page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mantelzorg.accounts.selectors import staff_municipality_codes
from mantelzorg.core import audit
from mantelzorg.core.http import personal
from mantelzorg.core.idempotency import idempotent

from . import forms, selectors, services

CHART_HEIGHT = 40  # the SVG's units: a bar per day, its height the day's maximum


@dataclass
class Week:
    """A calendar week (Monday first) of a group: ``cells`` the seven days, None for a day outside
    the eight weeks; ``days`` the days inside."""

    monday: dt.date
    cells: list[dict | None]

    @property
    def days(self) -> list[dict]:
        return [day for day in self.cells if day is not None]

    @property
    def number(self) -> int:
        return self.monday.isocalendar()[1]

    @property
    def min_free(self) -> int:
        return min(day["available"] for day in self.days)

    @property
    def total(self) -> dict[str, int]:
        return {k: sum(day[k] for day in self.days) for k in ("available", "held", "booked", "closed")}


def _weeks(days: list[dict]) -> list[Week]:
    if not days:
        return []
    by_date = {day["date"]: day for day in days}
    monday = days[0]["date"] - dt.timedelta(days=days[0]["date"].weekday())
    weeks = []
    while monday <= days[-1]["date"]:
        weeks.append(Week(monday, [by_date.get(monday + dt.timedelta(days=n)) for n in range(7)]))
        monday += dt.timedelta(days=7)
    return weeks


def _chart(days: list[dict]) -> dict:
    """Stacked bars per day (booked, held, closed, free from the bottom), in a viewBox of 3 units
    per day; the heights scale to the group's places."""
    top = max((day["maximum"] for day in days), default=0) or 1
    bars = []
    for n, day in enumerate(days):
        y = CHART_HEIGHT
        parts = []
        for key in ("booked", "held", "closed", "available"):
            height = round(day[key] * CHART_HEIGHT / top, 2)
            if height:
                y -= height
                parts.append({"kind": key, "y": round(y, 2), "height": height})
        bars.append({"x": n * 3, "parts": parts, "week_start": n % 7 == 0})
    return {"bars": bars, "width": len(days) * 3, "height": CHART_HEIGHT}


def _group(row: dict) -> dict:
    days = row["days"]
    return {
        **row,
        "places": days[0]["maximum"] if days else 0,
        "weeks": _weeks(days),
        "chart": _chart(days),
        "full_days": sum(1 for day in days if day["available"] == 0),
    }


def _municipalities(rows: list[dict]) -> list[dict]:
    grouped: dict[str, dict] = {}
    for row in rows:
        entry = grouped.setdefault(row["municipality"], {"name": row["municipality_name"], "groups": []})
        group = _group(row)
        group["id"] = f"{len(grouped)}-{len(entry['groups']) + 1}"
        entry["groups"].append(group)
    return list(grouped.values())


def _waiting(stay, now) -> dict:
    hours = int((now - stay.created_at).total_seconds() // 3600)
    return {"stay": stay, "hours": hours, "days": hours // 24}


@login_required
@personal
@require_safe
def region(request):
    user = request.user
    codes = selectors.region_codes(user)
    if not codes:
        audit.denied(
            request=request,
            action="respite.region.read",
            object_type="respite.region",
            object_id=audit.NONE,
            subject=audit.NONE,
            purpose="neither a regional coordinator nor gemeente staff",
        )
        raise Http404
    now = timezone.now()
    data = selectors.occupancy(user, now=now)
    coordinator = selectors.is_coordinator(user)
    requests = selectors.region_requests(request) if coordinator else []
    context = {
        "municipalities": _municipalities(data["rows"]),
        "waiting": data["waiting"],
        "waiting_total": sum(data["waiting"].values()),
        "first": data["days"][0] if data["days"] else timezone.localdate(now),
        "last": data["days"][-1] if data["days"] else timezone.localdate(now),
        "coordinator": coordinator,
        "requests": [_waiting(stay, now) for stay in requests],
        "weekdays": [(WEEKDAYS_ABBR[n], WEEKDAYS[n]) for n in range(7)],
        "sets_allowances": bool(staff_municipality_codes(user)),
    }
    return render(request, "respite/overview/region.html", context)


# --- The nights a gemeente grants a year (gemeente staff) -------------------------------------


def _years() -> list[int]:
    this = timezone.localdate().year
    return [this, this + 1]


def _allowance_page(request, municipalities, bound=None, status=200):
    """A form per gemeente (this year and next); ``bound``: the one just posted, with its errors."""
    years = _years()
    current = selectors.allowances_of(municipalities, years)
    sections = []
    for municipality in municipalities:
        if bound is not None and bound.prefix == municipality.code:
            form = bound
        else:
            initial = {f"nachten_{y}": current.get((municipality.code, y)) for y in years}
            form = forms.AllowanceForm(prefix=municipality.code, years=years, initial=initial)
        nights = [(year, current.get((municipality.code, year))) for year in years]
        sections.append({"municipality": municipality, "form": form, "nights": nights})
    context = {
        "sections": sections,
        "form": bound,  # the page title says "Fout:" when the posted form has errors
    }
    example = next((n for _y, n in sections[0]["nights"] if n), None) or 18
    context.update(example=example, example_left=example * 11 // 18)
    return render(request, "respite/overview/allowances.html", context, status=status)


@login_required
@personal
@require_safe
def allowances(request):
    """Gemeente staff see and set the nights of logeerzorg their gemeenten grant a year (Wmo), for
    this year and next, and what caregivers then see. No person on this page."""
    municipalities = selectors.allowance_municipalities(request, action="respite.allowance.read")
    return _allowance_page(request, municipalities)


@login_required
@personal
@require_POST
@idempotent
def allowance_set(request, code):
    """Save one gemeente's nights for this year and next (empty: no maximum)."""
    municipality = selectors.allowance_municipalities(request, action="respite.allowance.set", code=code)[0]
    form = forms.AllowanceForm(request.POST, prefix=municipality.code, years=_years())
    if not form.is_valid():
        municipalities = selectors.allowance_municipalities(request, action="respite.allowance.read")
        return _allowance_page(request, municipalities, bound=form, status=400)
    try:
        services.allowances_set(request=request, municipality=municipality, nights=form.nights())
    except services.Refused as error:  # the form's bounds are the service's: only a changed bound
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Saved. Caregivers in %(name)s see the new nights at once.")
            % {"name": municipality.name_everyday},
        )
    return redirect("respite:allowances")


patterns = [
    path("regio/", region, name="region"),
    path("regio/nachten/", allowances, name="allowances"),
    path("regio/nachten/<str:code>/", allowance_set, name="allowance_set"),
]
