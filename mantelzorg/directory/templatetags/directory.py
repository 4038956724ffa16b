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
