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
its text). The whole page is a fixed number of queries, whatever the number of units and stays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.views.decorators.http import require_safe

from mantelzorg.core import audit
from mantelzorg.core.http import personal

from . import selectors

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
    }
    return render(request, "respite/overview/region.html", context)


patterns = [path("regio/", region, name="region")]
