"""The vendored HSDS 3.0 schemas are complete: the tests need nothing outside the repository."""

import json

from django.conf import settings

from .test_hsds_support import REMOTE, SCHEMAS, registry


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_schemas_live_in_the_repository_with_source_and_licence():
    assert SCHEMAS.is_relative_to(settings.BASE_DIR)
    readme = (SCHEMAS / "README.md").read_text()
    assert "openreferral/specification" in readme and "c457a0e3ecb0cfe43525ea8bcdbfd62542ed6730" in readme
    assert "Attribution-ShareAlike 4.0 International" in (SCHEMAS / "LICENSE.txt").read_text()


def test_every_ref_of_every_vendored_schema_resolves_without_the_network():
    """``referencing`` has no retrieval here: a $ref to a file that was not copied fails.
    ``compiled/tabular.json`` is only read for its table and column names (test_hsds_import);
    its $refs are never followed."""
    files = sorted(SCHEMAS.glob("*.json")) + sorted(SCHEMAS.glob("compiled/*.json"))
    files.remove(SCHEMAS / "compiled" / "tabular.json")
    files.remove(SCHEMAS / "datapackage.json")  # the tabular data package, not a JSON schema
    checked = 0
    for path in files:
        resolver = registry().resolver(base_uri=REMOTE + path.relative_to(SCHEMAS).as_posix())
        for ref in set(refs(json.loads(path.read_text()))):
            resolver.lookup(ref)  # raises referencing.exceptions.Unresolvable
            checked += 1
    assert len(files) == 28 and checked >= 50  # HSDS 3.0: 60 distinct refs
