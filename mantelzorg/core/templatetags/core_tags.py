from django import template

from mantelzorg.core.phone import tel_href

register = template.Library()


@register.filter(name="tel_href")
def tel_href_filter(number) -> str:
    """``href="{{ phone|tel_href }}"``: a ``tel:`` link for a phone number as written."""
    return tel_href(str(number or ""))
