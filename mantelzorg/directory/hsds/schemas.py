"""The official HSDS 3.0 JSON schemas (vendored in ``standards/hsds-3.0``), for checking the rows
the import keeps as given (``KeptRecord``): what we give again in the API must be valid HSDS."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .fields import OFFICIAL, STANDARD

REMOTE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


@cache
def registry(transform: Callable[[dict], dict] | None = None) -> Registry:
    """Every vendored schema (the object schemas and ``compiled/``) under its path in the standard
    and its upstream URL, so ``$ref``s resolve without the network. ``transform`` changes each
    schema first (the tests' strict variant uses it)."""
    resources = []
    for path in sorted(STANDARD.glob("*.json")) + sorted(STANDARD.glob("compiled/*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(transform(contents) if transform else contents, DRAFT202012)
        relative = path.relative_to(STANDARD).as_posix()
        resources += [(REMOTE + relative, resource), (relative, resource)]
    return Registry().with_resources(resources)


@cache
def validator(table: str) -> Draft202012Validator:
    schema = json.loads((STANDARD / f"{OFFICIAL[table].object}.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=registry())


def kept_problems(table: str, data: dict) -> list[tuple[str, str]]:
    """(field, message) for every way ``data`` is not a valid HSDS object of ``table``."""
    out = []
    for error in sorted(validator(table).iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path)
        out.append((where, f"Not valid HSDS 3.0 ({OFFICIAL[table].object}): {error.message}"))
    return out


def extra_problems(table: str, extra: dict) -> list[tuple[str, str]]:
    """(field, message) for every kept official field (``hsds_extra``) of the wrong type."""
    if not extra:
        return []
    properties = OFFICIAL[table].properties
    schema = {
        "type": "object",
        "properties": {name: properties[name] for name in extra if name in properties},
    }
    return [
        (str(error.absolute_path[0]) if error.absolute_path else "", f"Not valid HSDS 3.0: {error.message}")
        for error in Draft202012Validator(schema).iter_errors(extra)
    ]
