from urllib.parse import urlencode

from django import template
from django.urls import reverse

from mantelzorg.assessment import charts, evaluation

register = template.Library()


@register.filter
def lang(text):
    """An engine Label in the active language."""
    return evaluation.label(text) if text is not None else ""


@register.filter
def domain(code, labels):
    return labels.get(code, code)


@register.simple_tag
def trend_chart(series, chart_id):
    return charts.line_chart(series, chart_id)


@register.filter
def level_label(code):
    from mantelzorg.assessment import balance

    level = next((lvl for lvl in balance.load_level_rules().levels if lvl.code == code), None)
    return evaluation.label(level.label) if level else code


@register.simple_tag
def more_help_url(domain: str, place) -> str:
    """Where to find more help for a vraaggebied: the gemeente's menukaart for respite care,
    else the sociale kaart searched on the vraaggebied near the postcode area."""
    if domain == "respite" and place is not None:
        return reverse("directory:respite_menu", args=[place.municipality.code])
    query = {"vraaggebied": domain}
    if place is not None:
        query["postcode"] = place.pc4
    return f"{reverse('directory:search')}?{urlencode(query)}"


@register.simple_tag
def offer_url(service_id, here: str = "") -> str:
    """An offer's page on the sociale kaart, with the way back to this page (``terug``)."""
    url = reverse("directory:service_detail", args=[service_id])
    return f"{url}?{urlencode({'terug': here})}" if here else url


@register.filter
def parse_date(value):
    """An ISO date text (as kept in the session) as a date, for the ``date`` filter."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
