import pytest

from mantelzorg.core.phone import tel_href


@pytest.mark.parametrize(
    "number, href",
    [
        ("030 760 60 55", "tel:+31307606055"),
        ("0800-0113", "tel:+318000113"),
        ("06-12345678", "tel:+31612345678"),
        ("112", "tel:112"),
        ("113", "tel:113"),
        ("+31 (0)30 760 60 55", "tel:+31307606055"),
        ("0031 30 760 60 55", "tel:+31307606055"),
        ("+32 2 123 45 67", "tel:+3221234567"),
        ("abc", ""),
        ("", ""),
    ],
)
def test_tel_href_gives_an_rfc_3966_link(number, href):
    assert tel_href(number) == href
