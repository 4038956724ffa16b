import uuid

from django import template
from django.utils.html import format_html

from mantelzorg.core.phone import tel_href

register = template.Library()


@register.filter(name="tel_href")
def tel_href_filter(number) -> str:
    """``href="{{ phone|tel_href }}"``: a ``tel:`` link for a phone number as written."""
    return tel_href(str(number or ""))


@register.simple_tag
def idempotency_key() -> str:
    """``{% idempotency_key %}`` in a form that stores something: a fresh key per rendering, so
    sending the same form twice stores once (core/idempotency.py)."""
    from mantelzorg.core.idempotency import FORM_FIELD

    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, uuid.uuid4())
