"""Dutch postcodes → PC4 area, gemeente and centroid; distances in km."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from mantelzorg.core.models import Municipality, PostcodeArea

# 1234, 1234AB, 1234 ab (letters SA, SD and SS are not issued but accepted as input).
POSTCODE_RE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})?\s*$")
EARTH_RADIUS_KM = 6371.0088


class PostcodeError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Place:
    pc4: str
    postcode: str  # normalised: "5211" or "5211 AB"
    municipality: Municipality
    lat: float
    lon: float


def normalise_postcode(raw: str) -> tuple[str, str]:
    """Return (pc4, normalised postcode) or raise PostcodeError('malformed')."""
    match = POSTCODE_RE.match(raw or "")
    if not match:
        raise PostcodeError(
            "malformed",
            _("Enter a Dutch postcode such as 1012 or 1012 AB."),
        )
    pc4, letters = match.group(1), match.group(2)
    return pc4, f"{pc4} {letters.upper()}" if letters else pc4


# Every PC4 area with its gemeente, read once per process (4,086 rows): reference data only
# changes through ``load_reference_data``, which raises the ContentVersion "reference".
REFERENCE = "reference"
_areas: tuple[int, dict[str, tuple[Municipality, float, float]]] | None = None


def _area_table() -> dict[str, tuple[Municipality, float, float]]:
    global _areas
    from mantelzorg.core.cache import content_version

    version = content_version(REFERENCE)
    if _areas is None or _areas[0] != version or not _areas[1]:
        municipalities = Municipality.objects.in_bulk()
        rows = PostcodeArea.objects.values_list("pc4", "municipality_id", "lat", "lon")
        _areas = (version, {pc4: (municipalities[code], lat, lon) for pc4, code, lat, lon in rows})
    return _areas[1]


def resolve_postcode(raw: str) -> Place:
    pc4, postcode = normalise_postcode(raw)
    area = _area_table().get(pc4)
    if area is None:
        raise PostcodeError("unknown", _("We do not know postcode %(postcode)s.") % {"postcode": postcode})
    municipality, lat, lon = area
    return Place(pc4=pc4, postcode=postcode, municipality=municipality, lat=lat, lon=lon)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_from(lat0: float, lon0: float):
    """``distance_km(lat0, lon0, lat, lon)`` as a function of (lat, lon), for many points: the
    same haversine with the origin's terms computed once (a search ranks hundreds of rows)."""
    rad, sin, cos, asin, sqrt = math.pi / 180, math.sin, math.cos, math.asin, math.sqrt
    p1, diameter = lat0 * rad, 2 * EARTH_RADIUS_KM
    cos1 = cos(p1)

    def distance(lat: float, lon: float) -> float:
        p2 = lat * rad
        h = sin((p2 - p1) / 2) ** 2 + cos1 * cos(p2) * sin((lon - lon0) * rad / 2) ** 2
        return diameter * asin(min(1.0, sqrt(h)))

    return distance


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that contains every point within ``km``."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    dlon = math.degrees(km / (EARTH_RADIUS_KM * math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
