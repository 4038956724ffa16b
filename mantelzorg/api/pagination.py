"""The one way the API pages a list: ``?page=`` (from 1) and ``?per_page=``, answered in the Open
Referral HSDS 3.0 Page shape (total_items, total_pages, page_number, size, first_page, last_page,
empty, contents), which the HSDS API must use anyway and every other list reuses.

    page, per_page = pagination.params(request, default=50, maximum=200)
    return Response(pagination.page(total, page, per_page, contents))
"""

from __future__ import annotations

import math
from typing import overload

from mantelzorg.api.errors import BadRequest

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


@overload
def int_param(request, name: str, default: int, *, minimum: int = 1) -> int: ...
@overload
def int_param(request, name: str, default: None, *, minimum: int = 1) -> int | None: ...
def int_param(request, name: str, default: int | None, *, minimum: int = 1) -> int | None:
    """A whole-number query parameter, or a 400 that says so."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(name, "invalid", f"{name} must be a whole number.") from None
    if value < minimum:
        raise BadRequest(name, "invalid", f"{name} must be at least {minimum}.")
    return value


def params(request, *, default: int = DEFAULT_PER_PAGE, maximum: int = MAX_PER_PAGE) -> tuple[int, int]:
    """(page, per_page) from the query; per_page is capped at ``maximum``."""
    page = int_param(request, "page", 1)
    per_page = min(int_param(request, "per_page", default), maximum)
    return page, per_page


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
