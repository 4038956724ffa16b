"""The FHIR R4 rules of a QuestionnaireResponse that hold whatever the Questionnaire: the checks
``engine.questionnaire_response_to_answers`` runs before it reads any answer.

* the JSON representation (https://hl7.org/fhir/R4/json.html): no ``null``, no empty object or
  array (ele-1: every element has a value or children), no unknown element anywhere (the R4 JSON
  schema has ``additionalProperties: false`` on every type) and every primitive of its type;
* ``status`` 1..1 from the required value set questionnaire-answers-status;
* the error-level invariants of https://hl7.org/fhir/R4/questionnaireresponse.html#invs: qrs-1
  (an item has ``answer`` or ``item``, not both) and qrs-2 (answers to one question sit in one item);
* no ``modifierExtension`` anywhere: none is understood here, and FHIR says a reader that does
  not understand one must not process the element.

Unknown elements and primitive types are checked with the ``fhir.resources`` R4B model of
QuestionnaireResponse (the resource and every data type it uses are the same in R4 and R4B;
``tests/test_fhir_validators.py`` checks the same cases against the HL7 R4 JSON schema). Each
problem is an engine error ``{"linkId", "code", "message", "path"}``: ``path`` is where in the
body (``item[2].answer[0].valueFoo``), the message names the rule.
"""

from __future__ import annotations

from typing import Any

STATUS_CODES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")


def _error(path: str, code: str, message: str, link_id: str | None = None) -> dict[str, Any]:
    return {"linkId": link_id, "code": code, "message": message, "path": path}


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _link_id_at(qr: dict[str, Any], loc: tuple[Any, ...]) -> str | None:
    """The linkId of the innermost item on the way to ``loc``, if any."""
    node: Any = qr
    found = None
    previous: Any = None
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if previous == "item" and isinstance(part, int) and isinstance(node, dict):
            link_id = node.get("linkId")
            found = link_id if isinstance(link_id, str) else None
        previous = part
    return found


def _json_problems(value: Any, path: str, errors: list[dict[str, Any]]) -> None:
    """null, {} and [] are not FHIR JSON (json.html; ele-1)."""
    if value is None:
        errors.append(_error(path, "invalid_json", f"{path}: null is not allowed in FHIR JSON; leave it out"))
    elif isinstance(value, dict):
        if not value:
            errors.append(_error(path, "ele-1", f"{path}: ele-1: an element must have a value or children"))
        for key, child in value.items():
            here = f"{path}.{key}" if path else str(key)
            if key == "modifierExtension":
                errors.append(
                    _error(
                        here,
                        "not_supported",
                        f"{here}: this server understands no modifier extension, so it cannot process "
                        "the response (R4: a modifier extension that is not understood must not be ignored)",
                    )
                )
            _json_problems(child, here, errors)
    elif isinstance(value, list):
        if not value:
            errors.append(_error(path, "invalid_json", f"{path}: an empty array is not allowed in FHIR JSON"))
        for index, child in enumerate(value):
            _json_problems(child, f"{path}[{index}]", errors)


def _model_problems(qr: dict[str, Any]) -> list[dict[str, Any]]:
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse  # ~0.4 s: late
    from pydantic import ValidationError

    try:
        QuestionnaireResponse.model_validate(qr)
    except ValidationError as exc:
        problems = []
        for item in exc.errors():
            loc = tuple(item["loc"])
            path = _path(loc)
            if path == "status":
                continue  # said below, with the value set
            if item["type"] == "extra_forbidden":
                message = f"{path}: R4 JSON schema: additional property {loc[-1]!r} not allowed"
                code = "unknown_element"
            else:
                message = f"{path}: R4: {item['msg']}"
                code = "invalid_type"
            problems.append(_error(path, code, message, _link_id_at(qr, loc)))
        return problems
    return []


def _invariant_problems(items: Any, path: str, errors: list[dict[str, Any]]) -> None:
    """qrs-1 and qrs-2 on every item, also those nested under an answer."""
    if not isinstance(items, list):
        return
    answered: dict[str, str] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        here = f"{path}[{index}]"
        link_id = item.get("linkId") if isinstance(item.get("linkId"), str) else None
        if item.get("answer") and item.get("item"):
            errors.append(
                _error(
                    here,
                    "qrs-1",
                    f"{here}: qrs-1: an item cannot have both answer and item "
                    "(nested items go inside the answer or the item, not both)",
                    link_id,
                )
            )
        answers = item.get("answer")
        has_value = isinstance(answers, list) and any(
            isinstance(a, dict) and any(k.startswith("value") for k in a) for a in answers
        )
        if link_id and has_value:
            if link_id in answered:
                errors.append(
                    _error(
                        here,
                        "qrs-2",
                        f"{here}: qrs-2: {link_id!r} is answered in {answered[link_id]} already; "
                        "repeated answers belong in the answer array of a single item",
                        link_id,
                    )
                )
            else:
                answered[link_id] = here
        _invariant_problems(item.get("item"), f"{here}.item", errors)
        for a_index, answer in enumerate(answers if isinstance(answers, list) else []):
            if isinstance(answer, dict):
                _invariant_problems(answer.get("item"), f"{here}.answer[{a_index}].item", errors)


def response_problems(qr: dict[str, Any]) -> list[dict[str, Any]]:
    """Every R4 problem of this QuestionnaireResponse (JSON data) that does not need its
    Questionnaire; an empty list when there is none."""
    errors: list[dict[str, Any]] = []
    _json_problems(qr, "", errors)
    status = qr.get("status")
    allowed = "|".join(STATUS_CODES)
    if "status" not in qr:
        errors.append(_error("status", "required", f"status is required (1..1), one of {allowed}"))
    elif status not in STATUS_CODES:
        errors.append(
            _error(
                "status",
                "invalid_code",
                f"status must be one of {allowed} (R4 value set questionnaire-answers-status), got {status!r}",
            )
        )
    errors += _model_problems(qr)
    _invariant_problems(qr.get("item"), "item", errors)
    return errors
