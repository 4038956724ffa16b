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


def resolve_postcode(raw: str) -> Place:
    pc4, postcode = normalise_postcode(raw)
    area = PostcodeArea.objects.select_related("municipality").filter(pc4=pc4).first()
    if area is None:
        raise PostcodeError("unknown", _("We do not know postcode %(postcode)s.") % {"postcode": postcode})
    return Place(pc4=pc4, postcode=postcode, municipality=area.municipality, lat=area.lat, lon=area.lon)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that contains every point within ``km``."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    dlon = math.degrees(km / (EARTH_RADIUS_KM * math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
