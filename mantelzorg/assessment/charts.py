"""A small, accessible inline SVG line chart (no JavaScript): <title>, <desc>, and a data table
next to it in the template as the text alternative."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 560, 220, 48, 16, 16, 40


def line_chart(series: dict, chart_id: str) -> str:
    points = series["points"]
    values = [p["value"] for p in points]
    top = max(max(values), 10 if series["code"] in ("overall_burden", "happiness") else 1)
    span_x = WIDTH - PAD_L - PAD_R
    span_y = HEIGHT - PAD_T - PAD_B

    def x(i):
        return PAD_L + (span_x * i / (len(points) - 1) if len(points) > 1 else span_x / 2)

    def y(v):
        return PAD_T + span_y - span_y * (v / top if top else 0)

    coords = " ".join(f"{x(i):.1f},{y(p['value']):.1f}" for i, p in enumerate(points))
    first, last = points[0], points[-1]
    desc = _(
        "%(label)s over %(count)s checks: from %(first)s on %(first_date)s to %(last)s on %(last_date)s."
    ) % {
        "label": series["label"],
        "count": len(points),
        "first": first["value"],
        "first_date": date_format(first["date"], "j F Y"),
        "last": last["value"],
        "last_date": date_format(last["date"], "j F Y"),
    }
    chart_id = escape(chart_id)  # from a score code of a (possibly operator-loaded) instrument
    parts = [
        f'<svg class="mz-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(series["label"])}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line x1="{PAD_L}" y1="{PAD_T + span_y}" x2="{WIDTH - PAD_R}" y2="{PAD_T + span_y}" stroke="#767676"/>',
        f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{PAD_T + span_y}" stroke="#767676"/>',
        f'<text x="{PAD_L - 8}" y="{PAD_T + span_y}" text-anchor="end" font-size="14" fill="#1a1a1a">0</text>',
        f'<text x="{PAD_L - 8}" y="{PAD_T + 10}" text-anchor="end" font-size="14" fill="#1a1a1a">{escape(str(top))}</text>',
    ]
    if len(points) > 1:
        parts.append(f'<polyline points="{coords}" fill="none" stroke="#1f5e8c" stroke-width="3"/>')
    for i, p in enumerate(points):
        parts.append(f'<circle cx="{x(i):.1f}" cy="{y(p["value"]):.1f}" r="5" fill="#1f5e8c"/>')
        anchor = (
            "start"
            if i == 0 and len(points) > 1
            else "end"
            if i == len(points) - 1 and len(points) > 1
            else "middle"
        )
        parts.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - 12}" text-anchor="{anchor}" font-size="13" fill="#1a1a1a">'
            f"{escape(date_format(p['date'], 'j-n-Y'))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 - every value above is escaped or numeric
