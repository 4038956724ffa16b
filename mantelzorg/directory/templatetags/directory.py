import html
from urllib.parse import quote

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext as _

from mantelzorg.core.phone import tel_href
from mantelzorg.directory import phones, schedules

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
def phone_link(number: str):
    """A phone number as a ``tel:`` link (``core.phone.tel_href``: "tel:+31307606055"); the number
    as text when it has no digits."""
    href = tel_href(number or "")
    if not href:
        return html.escape(number or "")
    return _safe(
        [f'<a class="nl-link mz-phone" href="{html.escape(href)}">{html.escape(phones.tidy(number))}</a>']
    )


@register.simple_tag
def language_name(code: str) -> str:
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


@register.simple_tag
def cost_text(cost_kind: str, amount=None, per: str = "") -> str:
    """What an offer costs, in words: "Free", or "Own contribution: € 7,50 per dagdeel"."""
    if cost_kind == "free":
        return _("Free")
    text = _("Own contribution") if cost_kind == "own_contribution" else _("Costs money")
    if amount not in (None, ""):  # "" is what a template gives for a missing cost option
        text = f"{text}: € {number_format(amount, 2)}"
        if per:
            text = f"{text} {per}"
    return text


def _safe(parts: list[str]) -> str:
    """Join markup whose every value was escaped with ``html.escape`` where it was inserted
    (the two tags below): Django's ``format_html`` does the same through a lazy-aware wrapper
    per value, which was a tenth of the search page's time (~500 values per page)."""
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703 - values escaped by the callers


@register.simple_tag
def checkbox_group(field):
    """A multiple-choice field as an NLDS fieldset with checkboxes, built in Python (the widget
    templates cost ~0.3 ms per option; the search page has 24)."""
    e = html.escape
    selected = {str(v) for v in (field.value() or [])}
    parts = [
        '<fieldset class="utrecht-form-fieldset utrecht-form-fieldset--html-fieldset">'
        '<legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend utrecht-form-label">'
        f'{e(str(field.label))} <span class="mz-meta">{e(_("(optional)"))}</span></legend>'
    ]
    name = e(field.html_name)
    for i, (value, label) in enumerate(field.field.choices):
        option_id = e(f"{field.auto_id}_{i}")
        checked = " checked" if str(value) in selected else ""
        parts.append(
            '<div class="utrecht-form-field utrecht-form-field--checkbox"><div class="utrecht-form-field__input">'
            f'<input type="checkbox" class="utrecht-checkbox utrecht-checkbox--html-input" name="{name}"'
            f' value="{e(str(value))}" id="{option_id}"{checked}>'
            '</div><div class="utrecht-form-field__label"><label class="utrecht-form-label utrecht-form-label--checkbox"'
            f' for="{option_id}">{e(str(label))}</label></div></div>'
        )
    parts.append("</fieldset>")
    return _safe(parts)


def _where(hit) -> str:
    if hit.distance_km is not None:
        where = _("%(km)s km away") % {"km": number_format(hit.distance_km, 1)}
    elif hit.municipality:  # national search: name the gemeente
        if hit.location_id:
            where = _("In %(gemeente)s") % {"gemeente": hit.municipality}
        else:
            where = _("Serves %(gemeente)s (no visiting address)") % {"gemeente": hit.municipality}
        if hit.more_places:
            where = f"{where} · " + ngettext(
                "and %(n)s other place", "and %(n)s other places", hit.more_places
            ) % {"n": hit.more_places}
    elif hit.location_id:
        where = _("In this municipality")
    else:
        where = _("Serves your municipality (no visiting address)")
    if hit.address:
        where = f"{where} · {hit.address}"
    return where


def detail_href(url: str, back: str = "") -> str:
    """The service page's address with the way back (``?terug=``, URL-encoded), not yet escaped."""
    return f"{url}?terug={quote(back, safe='/')}" if back else url


@register.simple_tag
def result_card(hit, back: str = ""):
    """One search result (``selectors.Hit``) as a card, built in Python: 20 per page, and the
    template version cost ~90 µs each. The markup is that of ``mz-card`` in search.html.
    ``back``: the search page's own path and query, for the offer page's way back."""
    e = html.escape
    service = hit.service
    where = _where(hit)
    facts = [("", where), ("", cost_text(service.cost_kind, service.cost_amount, service.cost_per))]
    facts.append(("", _("Needs an indication") if service.needs_indication else _("No indication needed")))
    if hit.open_now is True:
        facts.append(("mz-badge mz-badge--ok", _("Open now")))
    elif hit.open_now is False:
        facts.append(("mz-badge", _("Closed now")))
    if service.status == "temporarily closed":
        facts.append(("mz-badge", _("Temporarily closed")))
    parts = [
        '<li class="mz-card"><h3 class="nl-heading nl-heading--level-3">'
        f'<a class="nl-link" href="{e(detail_href(service.url, back))}">{e(service.name)}</a></h3>'
        f'<p class="nl-paragraph mz-meta">{e(service.organization.name)}</p><ul class="mz-facts">'
    ]
    for css, text in facts:
        text = e(str(text))
        parts.append(f'<li><span class="{css}">{text}</span></li>' if css else f"<li>{text}</li>")
    parts.append("</ul></li>")
    return _safe(parts)
