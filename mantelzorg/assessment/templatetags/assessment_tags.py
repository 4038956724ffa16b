from django import template

from mantelzorg.assessment import charts, selectors

register = template.Library()


@register.filter
def lang(text):
    """An engine Label in the active language."""
    return selectors.label(text) if text is not None else ""


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
    return selectors.label(level.label) if level else code
