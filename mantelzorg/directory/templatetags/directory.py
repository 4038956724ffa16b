from django import template
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from mantelzorg.directory import schedules

register = template.Library()


@register.simple_tag
def describe_schedule(schedule) -> str:
    return schedules.describe(schedule)


@register.simple_tag
def open_now_text(schedule_list) -> str:
    state = schedules.is_open(list(schedule_list))
    if state is None:
        return ""
    return _("Open now.") if state else _("Closed now.")


@register.simple_tag
def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


@register.simple_tag
def checkbox_group(field):
    """A multiple-choice field as an NLDS fieldset with checkboxes, built in Python (the widget
    templates cost ~0.3 ms per option; the search page has 24)."""
    from django.utils.html import format_html, format_html_join

    selected = {str(v) for v in (field.value() or [])}
    options = format_html_join(
        "",
        '<div class="utrecht-form-field utrecht-form-field--checkbox"><div class="utrecht-form-field__input">'
        '<input type="checkbox" class="utrecht-checkbox utrecht-checkbox--html-input" name="{}" value="{}" id="{}"{}>'
        '</div><div class="utrecht-form-field__label"><label class="utrecht-form-label utrecht-form-label--checkbox"'
        ' for="{}">{}</label></div></div>',
        (
            (
                field.html_name,
                value,
                f"{field.auto_id}_{i}",
                " checked" if str(value) in selected else "",
                f"{field.auto_id}_{i}",
                label,
            )
            for i, (value, label) in enumerate(field.field.choices)
        ),
    )
    return format_html(
        '<fieldset class="utrecht-form-fieldset utrecht-form-fieldset--html-fieldset">'
        '<legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend utrecht-form-label">'
        '{} <span class="mz-meta">{}</span></legend>{}</fieldset>',
        field.label,
        _("(optional)"),
        options,
    )


@register.simple_tag
def result_card(hit):
    """One search result (``selectors.Hit``) as a card, built in Python: 20 per page, and the
    template version cost ~90 µs each. The markup is that of ``mz-card`` in search.html."""
    from django.utils.formats import number_format
    from django.utils.html import format_html, format_html_join

    service = hit.service
    if hit.distance_km is not None:
        where = _("%(km)s km away") % {"km": number_format(hit.distance_km, 1)}
    elif hit.location_id:
        where = _("In this municipality")
    else:
        where = _("Serves your municipality (no visiting address)")
    if hit.address:
        where = f"{where} · {hit.address}"
    if service.cost_kind == "free":
        cost = _("Free")
    else:
        cost = _("Own contribution") if service.cost_kind == "own_contribution" else _("Costs money")
        if service.cost_amount is not None:
            cost = f"{cost}: € {number_format(service.cost_amount, 2)}"
            if service.cost_per:
                cost = f"{cost} {service.cost_per}"
    facts = [("", where), ("", cost)]
    facts.append(("", _("Needs an indication") if service.needs_indication else _("No indication needed")))
    if hit.open_now is True:
        facts.append(("mz-badge mz-badge--ok", _("Open now")))
    elif hit.open_now is False:
        facts.append(("mz-badge", _("Closed now")))
    if service.status == "temporarily closed":
        facts.append(("mz-badge", _("Temporarily closed")))
    items = format_html_join(
        "",
        "<li>{}</li>",
        ((format_html('<span class="{}">{}</span>', css, text) if css else text,) for css, text in facts),
    )
    return format_html(
        '<li class="mz-card"><h3 class="nl-heading nl-heading--level-3"><a class="nl-link" href="{}">{}</a></h3>'
        '<p class="nl-paragraph mz-meta">{}</p><ul class="mz-facts">{}</ul></li>',
        service.url,
        service.name,
        service.organization.name,
        items,
    )
