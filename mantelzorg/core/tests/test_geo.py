import pytest

from mantelzorg.core import geo


@pytest.mark.parametrize(
    ("raw", "pc4", "code"),
    [
        ("1012", "1012", "GM0363"),
        ("3511", "3511", "GM0344"),
        ("9711", "9711", "GM0014"),
        ("6211", "6211", "GM0935"),
        ("1381", "1381", "GM0363"),  # Weesp, part of Amsterdam since 2022
        ("5211AB", "5211", "GM0796"),
        ("5211 ab", "5211", "GM0796"),
        (" 5211 AB ", "5211", "GM0796"),
    ],
)
def test_postcode_resolves_to_its_gemeente(db, raw, pc4, code):
    place = geo.resolve_postcode(raw)
    assert place.pc4 == pc4
    assert place.municipality.code == code


def test_postcode_is_normalised():
    assert geo.normalise_postcode("5211ab") == ("5211", "5211 AB")
    assert geo.normalise_postcode("5211") == ("5211", "5211")


@pytest.mark.parametrize("raw", ["", "abc", "0123", "12345", "1234 A", "1234 ABC", "12 34"])
def test_malformed_postcode_gives_a_clear_error(db, raw):
    with pytest.raises(geo.PostcodeError) as error:
        geo.resolve_postcode(raw)
    assert error.value.code == "malformed"
    assert "1012 AB" in error.value.message


def test_unknown_postcode_gives_a_clear_error(db):
    with pytest.raises(geo.PostcodeError) as error:
        geo.resolve_postcode("1000")
    assert error.value.code == "unknown"
    assert "1000" in error.value.message


def test_error_is_translated(db, settings):
    from django.utils import translation

    with translation.override("nl"), pytest.raises(geo.PostcodeError) as error:
        geo.resolve_postcode("xx")
    assert "postcode" in error.value.message.lower()
    assert "Enter a Dutch postcode" not in error.value.message


def test_distance_between_amsterdam_and_utrecht_is_about_35_km():
    # Dam square to Utrecht Domtoren: 34-36 km as the crow flies.
    assert 34 < geo.distance_km(52.3731, 4.8926, 52.0907, 5.1214) < 36
    assert geo.distance_km(52.0, 5.0, 52.0, 5.0) == 0


def test_bounding_box_contains_the_radius():
    lat, lon = 52.09, 5.12
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, 10)
    assert geo.distance_km(lat, lon, max_lat, lon) == pytest.approx(10, rel=1e-3)
    assert geo.distance_km(lat, lon, lat, max_lon) == pytest.approx(10, rel=1e-3)
    assert min_lat < lat < max_lat and min_lon < lon < max_lon
