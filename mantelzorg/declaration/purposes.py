"""The purposes of an attestation, as data (``data/purposes.json``): per purpose exactly the MZ1
claims its QR code discloses, and why (with the source). ``claims_for`` builds those claims from a
declaration and nothing else: minimal disclosure is this one function plus the list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from . import codec

DATA = Path(__file__).resolve().parent / "data" / "purposes.json"

# Lower bounds of the care intensity bands a code discloses ("at least 8 hours a week"), not the
# hours themselves. 8 is the threshold of Hilversum's parking permit (domain-facts.md section 4);
# the others are round steps of a working day and week, so a band says little more than needed.
HOURS_BANDS = (1, 4, 8, 16, 24, 40)


@dataclass(frozen=True)
class Purpose:
    code: str
    relying_party: str
    claims: tuple[str, ...]
    why: str
    source: str


@cache
def all_purposes() -> tuple[Purpose, ...]:
    rows = json.loads(DATA.read_text(encoding="utf-8"))["purposes"]
    purposes = tuple(
        Purpose(row["code"], row["relying_party"], tuple(row["claims"]), row["why"], row["source"])
        for row in rows
    )
    for purpose in purposes:
        if purpose.code not in codec.PURPOSES:
            raise ValueError(f"purpose {purpose.code} has no MZ1 code")
        unknown = set(purpose.claims) - set(codec.CLAIM_NAMES) - {"status"}
        if unknown:
            raise ValueError(f"purpose {purpose.code} names unknown claims {sorted(unknown)}")
    return purposes


def get(code: str) -> Purpose | None:
    return next((p for p in all_purposes() if p.code == code), None)


def hours_band(hours: int) -> int:
    """The highest band lower bound that ``hours`` reaches (at least 1)."""
    return max(band for band in HOURS_BANDS if band <= max(hours, 1))


def claims_for(declaration, purpose: Purpose, *, status: dict[str, int]) -> dict[str, Any]:
    """The readable MZ1 claims of ``declaration`` for ``purpose``: only the purpose's list."""
    available: dict[str, Any] = {
        "level": declaration.level,
        "hours_band": hours_band(declaration.hours_per_week),
        "care_since": f"{declaration.care_since:%Y-%m}",
        "pc4": declaration.pc4,
        "gemeente": declaration.municipality_id,
        "relation": declaration.relation,
        "valid_until": declaration.valid_until.isoformat(),
        "holder": {"initials": declaration.initials, "birth_day": declaration.birth_day},
        "status": status,
    }
    if declaration.confirmed and declaration.issuer_id:
        available["confirmed_by"] = declaration.issuer.organisation_id
    claims = {"purpose": purpose.code}
    claims.update({name: available[name] for name in purpose.claims if name in available})
    return claims
