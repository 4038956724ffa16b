"""The one way the API pages a list: ``?page=`` (from 1) and ``?per_page=``, answered in the Open
Referral HSDS 3.0 Page shape (total_items, total_pages, page_number, size, first_page, last_page,
empty, contents), which the HSDS API must use anyway and every other list reuses.

    page, per_page = pagination.params(request, default=50, maximum=200)
    return Response(pagination.page(total, page, per_page, contents))

Both are bounded (``page`` at most ``MAX_PAGE``, ``per_page`` at most the list's maximum) and the
bounds are declared in the OpenAPI document (``schema_params``): a value outside them is a 400
naming the parameter, never a 500 (2**64 does not fit the database's OFFSET) and never silently
changed.
"""

from __future__ import annotations

import math
import re
from typing import overload

from drf_spectacular.utils import OpenApiParameter

from mantelzorg.api.errors import BadRequest

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
# (MAX_PAGE - 1) * per_page stays far inside a 64-bit OFFSET; no list here has a million pages.
MAX_PAGE = 1_000_000


@overload
def int_param(request, name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int: ...
@overload
def int_param(
    request, name: str, default: None, *, minimum: int = 1, maximum: int | None = None
) -> int | None: ...
def int_param(
    request, name: str, default: int | None, *, minimum: int = 1, maximum: int | None = None
) -> int | None:
    """A whole-number query parameter within [minimum, maximum], or a 400 that says so."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    # Digits only, as the schema's integer (int() would also take " 1", "1_000", "٣" and 4,300-digit
    # numbers); 20 digits is past any bound.
    if not re.fullmatch(r"-?[0-9]{1,20}", raw, flags=re.ASCII):
        raise BadRequest(name, "invalid", f"{name} must be a whole number.")
    value = int(raw)
    if value < minimum:
        raise BadRequest(name, "invalid", f"{name} must be at least {minimum}.")
    if maximum is not None and value > maximum:
        raise BadRequest(name, "invalid", f"{name} must be at most {maximum}.")
    return value


def params(request, *, default: int = DEFAULT_PER_PAGE, maximum: int = MAX_PER_PAGE) -> tuple[int, int]:
    """(page, per_page) from the query, each within its declared bounds (else a 400)."""
    page = int_param(request, "page", 1, maximum=MAX_PAGE)
    per_page = int_param(request, "per_page", default, maximum=maximum)
    return page, per_page


def schema_params(*, default: int = DEFAULT_PER_PAGE, maximum: int = MAX_PER_PAGE) -> list:
    """The OpenAPI declaration of ``page`` and ``per_page`` with the bounds ``params`` enforces."""
    return [
        OpenApiParameter(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            description="Page number (from 1). A page past the last is empty.",
        ),
        OpenApiParameter(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": maximum},
            description=f"Items per page (default {default}, at most {maximum}).",
        ),
    ]


def page(total: int, page_number: int, per_page: int, contents: list) -> dict:
    """One page of a list of ``total`` items (a page past the last is empty, not an error)."""
    pages = math.ceil(total / per_page) if total else 0
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= pages,
        "empty": not contents,
        "contents": contents,
    }
