"""Instruments as data: load FHIR R4B Questionnaires, validate answers, score them.

One engine serves every instrument: the shipped Balanscheck and CarerQol, and any instrument an
operator loads (EDIZ-plus, CSI, ...). Nothing here knows a particular instrument; all of it comes
from the Questionnaire JSON. The formats are described in ``mantelzorg/assessment/README.md``.

Answers are a plain dict keyed by linkId::

    {"task.household.does": True, "task.household.hours": 6, "task.household.energy": "costs_a_lot"}

with one value per question: ``bool`` (boolean), ``int`` (integer), ``int``/``float`` (decimal),
``str`` (string, text) or the answer *code* (choice).

Decisions worth knowing:

* An answer given to a **disabled** item (its ``enableWhen`` does not hold) is **dropped**, not
  reported: a form that is changed after the fact (say "no" after first saying "yes" and filling in
  hours) must not fail. FHIR also says disabled items carry no answers. ``readOnly`` items are never
  taken from input either (the server computes what it needs).
* Unanswered or disabled items add nothing to a score (they count as 0 in a sum and do not count in
  a count), so ``task_hours`` is 0 for someone who does no task.
* All errors are collected; ``ResponseValidationError.errors`` holds one dict per problem with a
  stable ``code`` that the UI translates. Messages are English (msgids stay English in this project).
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

ORDINAL_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"
TRANSLATION_URL = "http://hl7.org/fhir/StructureDefinition/translation"
SCORING_URL = "https://mantelzorg.nl/fhir/StructureDefinition/scoring"
SCORE_URL = "https://mantelzorg.nl/fhir/StructureDefinition/score"
BAND_SYSTEM = "https://mantelzorg.nl/fhir/CodeSystem/score-band"

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
# Earlier versions of the shipped instruments: never active, kept so that a saved check is shown
# and scored with the version it was made with (``load_builtin_versions``).
ARCHIVE_DIR = INSTRUMENTS_DIR / "archive"

QUESTION_TYPES = frozenset({"boolean", "integer", "decimal", "string", "text", "choice"})
SCORABLE_TYPES = frozenset({"boolean", "integer", "decimal", "choice"})
SCORE_RULES = frozenset({"sum", "count", "per_dimension"})
DIRECTIONS = frozenset({"higher_is_worse", "higher_is_better"})
ENABLE_WHEN_OPERATORS = frozenset({"exists", "=", "!=", ">", "<", ">=", "<="})
# FHIR value[x] key that carries an answer of each item type.
ANSWER_KEYS = {
    "boolean": "valueBoolean",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "string": "valueString",
    "text": "valueString",
    "choice": "valueCoding",
}

Number = int | float
T = TypeVar("T")


class DefinitionError(ValueError):
    """An instrument (or rule file) is not usable; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class ResponseValidationError(ValueError):
    """Answers do not fit the instrument; ``errors`` lists every problem found.

    Each error is ``{"linkId": str | None, "code": str, "message": str}`` with code one of
    ``unknown_item``, ``required``, ``invalid_type``, ``out_of_range``, ``invalid_option`` or
    (for a QuestionnaireResponse for another Questionnaire) ``wrong_questionnaire``.
    """

    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        super().__init__("; ".join(f"{e['linkId']}: {e['message']}" for e in errors))


@dataclass(frozen=True)
class Label:
    nl: str
    en: str

    @cached_property
    def as_json(self) -> dict[str, str]:
        """``{"nl": ..., "en": ...}`` for the API, made once per Label (shared: never change it)."""
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class AnswerOption:
    code: str
    system: str | None
    display: Label
    ordinal: Number


@dataclass(frozen=True)
class EnableWhen:
    question: str
    operator: str
    answer: Any  # bool | int | float | str (a choice code)


@dataclass(frozen=True)
class Item:
    link_id: str
    type: str
    text: Label
    parent: str | None
    children: tuple[str, ...] = ()
    required: bool = False
    read_only: bool = False
    code: str | None = None  # the item's own dimension code (first coding), if any
    options: tuple[AnswerOption, ...] = ()
    min_value: Number | None = None
    max_value: Number | None = None
    max_length: int | None = None
    enable_when: tuple[EnableWhen, ...] = ()
    enable_behavior: str = "all"
    ordinals: dict[str, Number] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_question(self) -> bool:
        return self.type in QUESTION_TYPES

    def option(self, code: str) -> AnswerOption | None:
        return next((o for o in self.options if o.code == code), None)

    def value_range(self) -> tuple[Number, Number] | None:
        """The lowest and highest number this item can add to a score, if bounded."""
        if self.type == "choice":
            return min(self.ordinals.values()), max(self.ordinals.values())
        if self.type == "boolean":
            return 0, 1
        if self.min_value is not None and self.max_value is not None:
            return self.min_value, self.max_value
        return None


@dataclass(frozen=True)
class Band:
    code: str
    label: Label
    min: Number
    max: Number
    source: str

    def contains(self, value: Number) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True)
class ScoreDefinition:
    code: str
    label: Label
    rule: str
    items: tuple[str, ...]  # linkIds, patterns already expanded
    keys: tuple[str, ...]  # the score key each item adds to: the code, or <code>.<dimension>
    reversed: frozenset[str] = frozenset()
    count_min: Number | None = None
    count_max: Number | None = None
    direction: str = "higher_is_worse"
    bands: tuple[Band, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Instrument:
    id: str
    url: str
    version: str
    name: str
    title: str
    items: dict[str, Item]  # every item by linkId, in document order; treat as read-only
    roots: tuple[str, ...]  # top-level linkIds
    scores: tuple[ScoreDefinition, ...]
    resource: dict[str, Any] = field(compare=False, repr=False)

    @property
    def canonical(self) -> str:
        return f"{self.url}|{self.version}"

    @property
    def title_label(self) -> Label:
        """The title in both languages (FHIR ``_title`` translation extension; else the title)."""
        return label_of(self.resource, "title")

    @cached_property
    def questions(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items.values() if i.is_question)

    @cached_property
    def unconditional(self) -> frozenset[str]:
        """LinkIds that are enabled whatever the answers: no enableWhen on them or an ancestor."""
        found: set[str] = set()
        for link_id, item in self.items.items():  # document order: parents come first
            if not item.enable_when and (item.parent is None or item.parent in found):
                found.add(link_id)
        return frozenset(found)

    def dimension_of(self, link_id: str) -> str | None:
        """The item's own code, or the code of its nearest coded ancestor group."""
        return _dimension(self.items, link_id)

    @cached_property
    def plan(self) -> Plan:
        """What validation and scoring need, worked out once per instrument (see ``Plan``)."""
        return _plan(self)

    def derived(self, key: str, compute: Callable[[Instrument], T]) -> T:
        """``compute(self)``, kept on the instrument under ``key``: for other modules' lookups that
        follow from the (immutable) definition alone, such as the Balanscheck's task groups."""
        memo = self.__dict__.setdefault("_derived", {})
        if key not in memo:
            memo[key] = compute(self)
        return memo[key]

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (or copied) without what is worked out from the definition: the plan holds
        functions, and both are rebuilt on first use."""
        return {k: v for k, v in self.__dict__.items() if k not in ("plan", "_derived")}


@dataclass(frozen=True)
class ScoreResult:
    instrument: Instrument = field(repr=False, compare=False)
    scores: dict[str, Number]
    bands: dict[str, Band]
    answers: dict[str, Any] = field(default_factory=dict, repr=False)  # the validated answers scored

    def validated(self, answers: dict[str, Any]) -> dict[str, Any]:
        """``answers`` validated: the stored ones when they are equal (validation is idempotent)."""
        return self.answers if answers == self.answers else validate_answers(self.instrument, answers)


# --------------------------------------------------------------------------------------- loading


def load_instrument(data: dict[str, Any], *, fhir_validate: bool = True) -> Instrument:
    """Parse a FHIR R4B Questionnaire (as JSON data) into an Instrument, checking the definition.

    Raises DefinitionError listing every problem: not valid R4B, duplicate linkIds, unsupported item
    types, choice options without code or ordinalValue, enableWhen pointing nowhere, scoring rules
    referring to missing or unscorable items, overlapping bands or bands that leave a gap.
    """
    if not isinstance(data, dict) or data.get("resourceType") != "Questionnaire":
        raise DefinitionError("not a FHIR Questionnaire (resourceType must be 'Questionnaire')")
    problems: list[str] = []
    for key in ("id", "url", "version", "name", "title"):
        if not isinstance(data.get(key), str) or not data[key]:
            problems.append(f"'{key}' is required")
    if fhir_validate:
        problems += _fhir_problems(data)
        if problems:
            raise DefinitionError(problems)  # the structure is not trustworthy enough to read on

    items: dict[str, Item] = {}
    roots = _parse_items(data.get("item") or [], None, items, problems)
    if not items:
        problems.append("the Questionnaire has no items")
    _check_enable_when(items, problems)
    scores = _parse_scoring(data, items, problems)
    if problems:
        raise DefinitionError(problems)
    return Instrument(
        id=data["id"],
        url=data["url"],
        version=data["version"],
        name=data["name"],
        title=data["title"],
        items=items,
        roots=roots,
        scores=scores,
        resource=data,
    )


def load_instrument_file(path: str | Path) -> Instrument:
    with open(path, encoding="utf-8") as fh:
        return load_instrument(json.load(fh))


@cache
def _builtin() -> tuple[Instrument, ...]:
    return tuple(load_instrument_file(p) for p in sorted(INSTRUMENTS_DIR.glob("*.json")))


def load_all_builtin() -> dict[str, Instrument]:
    """The instruments shipped in ``instruments/``, keyed by Questionnaire id (parsed once)."""
    return {i.id: i for i in _builtin()}


@cache
def load_builtin_versions() -> dict[str, Instrument]:
    """Every shipped version (current and ``archive/``), keyed by canonical ``url|version``."""
    archived = (load_instrument_file(p) for p in sorted(ARCHIVE_DIR.glob("*.json")))
    return {i.canonical: i for i in (*archived, *_builtin())}


def scoring_extension(definition: dict[str, Any]) -> dict[str, Any]:
    """Build the scoring extension for a Questionnaire from a plain definition dict."""
    return {"url": SCORING_URL, "valueString": json.dumps(definition, ensure_ascii=False)}


def _fhir_problems(data: dict[str, Any]) -> list[str]:
    from fhir.resources.R4B.questionnaire import Questionnaire  # imported late: ~0.4 s

    try:
        Questionnaire.model_validate(data)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        return [f"not a valid FHIR R4B Questionnaire: {exc}"]
    return []


def _translation(element: dict[str, Any] | None, lang: str) -> str | None:
    for ext in (element or {}).get("extension", []):
        if ext.get("url") != TRANSLATION_URL:
            continue
        parts = {e.get("url"): e for e in ext.get("extension", [])}
        if parts.get("lang", {}).get("valueCode") == lang:
            return parts.get("content", {}).get("valueString")
    return None


def label_of(owner: dict[str, Any], key: str) -> Label:
    """The text ``owner[key]`` as a Label: Dutch, and English from its FHIR ``translation`` extension."""
    nl = owner.get(key) or ""
    return Label(nl=nl, en=_translation(owner.get(f"_{key}"), "en") or nl)


def _extension_value(element: dict[str, Any], url: str) -> Any:
    for ext in element.get("extension", []):
        if ext.get("url") == url:
            for key, value in ext.items():
                if key.startswith("value"):
                    return value
    return None


def _parse_items(
    raw_items: list[dict[str, Any]], parent: str | None, items: dict[str, Item], problems: list[str]
) -> tuple[str, ...]:
    link_ids = []
    for raw in raw_items:
        link_id = raw.get("linkId")
        if not isinstance(link_id, str) or not link_id:
            problems.append(f"an item under {parent or 'the root'} has no linkId")
            continue
        if link_id in items:
            problems.append(f"{link_id}: linkId is not unique")
            continue
        link_ids.append(link_id)
        item_type = raw.get("type")
        if item_type not in QUESTION_TYPES | {"group", "display"}:
            problems.append(f"{link_id}: item type {item_type!r} is not supported")
        if raw.get("repeats"):
            problems.append(f"{link_id}: repeating items are not supported")
        if raw.get("answerValueSet"):
            problems.append(f"{link_id}: answerValueSet is not supported; list the options in answerOption")
        items[link_id] = item = _parse_item(raw, link_id, item_type, parent, problems)
        children = _parse_items(raw.get("item") or [], link_id, items, problems)
        if item_type in QUESTION_TYPES and any(items[c].type != "display" for c in children):
            problems.append(f"{link_id}: a question may only contain display items (help text)")
        if item_type == "group" and not children:
            problems.append(f"{link_id}: a group needs at least one item")
        if children:
            items[link_id] = replace(item, children=children)
    return tuple(link_ids)


def _parse_item(
    raw: dict[str, Any], link_id: str, item_type: Any, parent: str | None, problems: list[str]
) -> Item:
    options = []
    for raw_option in raw.get("answerOption") or []:
        coding = raw_option.get("valueCoding")
        if not isinstance(coding, dict) or not coding.get("code"):
            problems.append(f"{link_id}: every answerOption needs a valueCoding with a code")
            continue
        ordinal = _extension_value(raw_option, ORDINAL_URL)
        if not _is_number(ordinal):
            problems.append(f"{link_id}: option {coding['code']!r} has no ordinalValue extension")
            continue
        options.append(
            AnswerOption(
                code=coding["code"],
                system=coding.get("system"),
                display=label_of(coding, "display"),
                ordinal=ordinal,
            )
        )
    if item_type == "choice" and not raw.get("answerOption"):
        problems.append(f"{link_id}: a choice item needs answerOption")
    codes = [o.code for o in options]
    if len(set(codes)) != len(codes):
        problems.append(f"{link_id}: answer codes are not unique")
    if options and item_type != "choice":
        problems.append(f"{link_id}: answerOption is only supported on choice items")

    min_value = _extension_value(raw, MIN_VALUE_URL)
    max_value = _extension_value(raw, MAX_VALUE_URL)
    if min_value is not None and max_value is not None and min_value > max_value:
        problems.append(f"{link_id}: minValue is greater than maxValue")

    enable_when = []
    for cond in raw.get("enableWhen") or []:
        answers = [(k, v) for k, v in cond.items() if k.startswith("answer")]
        if cond.get("operator") not in ENABLE_WHEN_OPERATORS or len(answers) != 1:
            problems.append(f"{link_id}: enableWhen needs a known operator and exactly one answer[x]")
            continue
        key, value = answers[0]
        if key == "answerCoding":
            value = value.get("code")
        enable_when.append(
            EnableWhen(question=cond.get("question", ""), operator=cond["operator"], answer=value)
        )

    coding = (raw.get("code") or [{}])[0]
    return Item(
        link_id=link_id,
        type=item_type,
        text=label_of(raw, "text"),
        parent=parent,
        required=bool(raw.get("required")),
        read_only=bool(raw.get("readOnly")),
        code=coding.get("code"),
        options=tuple(options),
        min_value=min_value,
        max_value=max_value,
        max_length=raw.get("maxLength"),
        enable_when=tuple(enable_when),
        enable_behavior=raw.get("enableBehavior", "all"),
        ordinals={o.code: o.ordinal for o in options},
    )


def _check_enable_when(items: dict[str, Item], problems: list[str]) -> None:
    for item in items.values():
        if len(item.enable_when) > 1 and item.enable_behavior not in ("all", "any"):
            problems.append(f"{item.link_id}: enableBehavior must be 'all' or 'any'")
        for cond in item.enable_when:
            target = items.get(cond.question)
            if target is None or not target.is_question:
                problems.append(
                    f"{item.link_id}: enableWhen refers to {cond.question!r}, which is not a question here"
                )
                continue
            if cond.operator == "exists":
                if not isinstance(cond.answer, bool):
                    problems.append(f"{item.link_id}: enableWhen 'exists' needs answerBoolean")
            elif _check_value(target, cond.answer) is not None:
                problems.append(
                    f"{item.link_id}: enableWhen answer {cond.answer!r} does not fit {cond.question}"
                )
    # enableWhen must not go round in circles (A depends on B depends on A).
    state: dict[str, str] = {}

    def visit(link_id: str) -> bool:
        if state.get(link_id) == "done":
            return True
        if state.get(link_id) == "busy":
            return False
        state[link_id] = "busy"
        item = items[link_id]
        deps = [c.question for c in item.enable_when if c.question in items] + (
            [item.parent] if item.parent else []
        )
        ok = all(visit(d) for d in deps)
        state[link_id] = "done"
        return ok

    for link_id in items:
        if not visit(link_id):
            problems.append(f"{link_id}: enableWhen forms a cycle")
            break


def _parse_scoring(
    data: dict[str, Any], items: dict[str, Item], problems: list[str]
) -> tuple[ScoreDefinition, ...]:
    raw_values = [e.get("valueString") for e in data.get("extension", []) if e.get("url") == SCORING_URL]
    if not raw_values:
        return ()
    if len(raw_values) > 1:
        problems.append("more than one scoring extension")
        return ()
    try:
        definition = json.loads(raw_values[0] or "")
    except json.JSONDecodeError as exc:
        problems.append(f"scoring extension: valueString is not JSON ({exc})")
        return ()
    if not isinstance(definition, dict) or not isinstance(definition.get("scores"), list):
        problems.append("scoring extension: expected an object with a 'scores' list")
        return ()
    result = []
    seen: set[str] = set()
    for raw in definition["scores"]:
        code = raw.get("code") if isinstance(raw, dict) else None
        if not isinstance(code, str) or not code:
            problems.append("scoring: every score needs a code")
            continue
        if code in seen:
            problems.append(f"scoring {code}: code is not unique")
        seen.add(code)
        score = _parse_score(code, raw, items, problems)
        if score is not None:
            result.append(score)
    return tuple(result)


def _parse_score(
    code: str, raw: dict[str, Any], items: dict[str, Item], problems: list[str]
) -> ScoreDefinition | None:
    where = f"scoring {code}"
    rule = raw.get("rule")
    if rule not in SCORE_RULES:
        problems.append(f"{where}: rule must be one of {sorted(SCORE_RULES)}")
        return None
    link_ids: list[str] = []
    for pattern in raw.get("items") or []:
        matches = [i for i in items if fnmatch.fnmatchcase(i, pattern) and items[i].is_question]
        if not matches:
            problems.append(f"{where}: item {pattern!r} matches no question")
        for link_id in matches:
            if items[link_id].type not in SCORABLE_TYPES:
                problems.append(f"{where}: {link_id} is a {items[link_id].type} item and cannot be scored")
            elif link_id not in link_ids:
                link_ids.append(link_id)
    if not raw.get("items"):
        problems.append(f"{where}: 'items' is empty")
    reversed_ids = frozenset(raw.get("reversed") or [])
    for link_id in sorted(reversed_ids):
        if link_id not in link_ids:
            problems.append(f"{where}: reversed item {link_id!r} is not one of the scored items")
        elif items[link_id].value_range() is None:
            problems.append(f"{where}: reversed item {link_id} needs minValue and maxValue")
    count_if = raw.get("count_if") or {}
    if rule == "count" and not count_if:
        count_if = {"min": 1}
    if rule != "count" and count_if:
        problems.append(f"{where}: count_if only applies to the 'count' rule")
    if rule == "per_dimension":
        for link_id in link_ids:
            if _dimension(items, link_id) is None:
                problems.append(f"{where}: {link_id} has no code (dimension) on itself or a parent group")
    direction = raw.get("direction", "higher_is_worse")
    if direction not in DIRECTIONS:
        problems.append(f"{where}: direction must be one of {sorted(DIRECTIONS)}")
    bands = _parse_bands(where, raw.get("bands") or [], problems)
    score = ScoreDefinition(
        code=code,
        label=_label_dict(raw.get("label"), code),
        rule=rule,
        items=tuple(link_ids),
        keys=tuple(f"{code}.{_dimension(items, i)}" if rule == "per_dimension" else code for i in link_ids),
        reversed=reversed_ids,
        count_min=count_if.get("min"),
        count_max=count_if.get("max"),
        direction=direction,
        bands=bands,
        source=raw.get("source", ""),
    )
    if bands and link_ids:
        _check_band_coverage(where, score, items, problems)
    return score


def _label_dict(raw: Any, fallback: str) -> Label:
    raw = raw if isinstance(raw, dict) else {}
    nl = raw.get("nl") or fallback
    return Label(nl=nl, en=raw.get("en") or nl)


def _parse_bands(where: str, raw_bands: list[dict[str, Any]], problems: list[str]) -> tuple[Band, ...]:
    bands = []
    for raw in raw_bands:
        code = raw.get("code")
        label = raw.get("label") or {}
        if not code or not label.get("nl") or not label.get("en"):
            problems.append(f"{where}: every band needs a code and a label with 'nl' and 'en'")
            continue
        if not _is_number(raw.get("min")) or not _is_number(raw.get("max")) or raw["min"] > raw["max"]:
            problems.append(f"{where}: band {code} needs numeric min <= max")
            continue
        if not raw.get("source"):
            problems.append(
                f"{where}: band {code} needs a source (a citation, or 'local policy, not validated')"
            )
        bands.append(
            Band(
                code=code,
                label=Label(label["nl"], label["en"]),
                min=raw["min"],
                max=raw["max"],
                source=raw.get("source", ""),
            )
        )
    bands.sort(key=lambda b: b.min)
    for lower, upper in zip(bands, bands[1:], strict=False):
        if upper.min <= lower.max:
            problems.append(f"{where}: bands {lower.code} and {upper.code} overlap")
    if len({b.code for b in bands}) != len(bands):
        problems.append(f"{where}: band codes are not unique")
    return tuple(bands)


def score_ranges(score: ScoreDefinition, items: dict[str, Item]) -> dict[str, tuple[Number, Number] | None]:
    """Per score key (the code, or ``<code>.<dimension>``) the lowest and highest value it can
    take, or None when an item is unbounded (e.g. hours without a maximum)."""
    groups: dict[str, list[str]] = {}
    for link_id, key in zip(score.items, score.keys, strict=True):
        groups.setdefault(key, []).append(link_id)
    ranges: dict[str, tuple[Number, Number] | None] = {}
    for key, link_ids in groups.items():
        if score.rule == "count":
            ranges[key] = (0, len(link_ids))
            continue
        low = high = 0
        for link_id in link_ids:
            value_range = items[link_id].value_range()
            if value_range is None:
                ranges[key] = None
                break
            # An unanswered optional item adds 0, so the lowest sum may be below the sum of minima.
            low += value_range[0] if items[link_id].required else min(value_range[0], 0)
            high += value_range[1]
        else:
            ranges[key] = (low, high)
    return ranges


def _check_band_coverage(
    where: str, score: ScoreDefinition, items: dict[str, Item], problems: list[str]
) -> None:
    """Every whole number a score can take must fall in a band (catches typos such as 4-8 / 10-15)."""
    for value_range in score_ranges(score, items).values():
        if value_range is None:
            return  # unbounded: nothing to check
        low, high = value_range
        if not (float(low).is_integer() and float(high).is_integer()):
            continue
        for value in range(int(low), int(high) + 1):
            if not any(b.contains(value) for b in score.bands):
                problems.append(f"{where}: the value {value} falls in no band")
                return


def _dimension(items: dict[str, Item], link_id: str) -> str | None:
    item: Item | None = items[link_id]
    while item is not None:
        if item.code:
            return item.code
        item = items[item.parent] if item.parent else None
    return None


def _is_number(value: Any) -> bool:
    # An int is always finite (math.isfinite(10**400) would raise OverflowError).
    return isinstance(value, int | float) and not isinstance(value, bool) and _finite(value)


def _finite(value: int | float) -> bool:
    """A finite number: every int (math.isfinite(10**400) raises OverflowError), a float not inf/nan."""
    return isinstance(value, int) or math.isfinite(value)


# ------------------------------------------------------------------------------------ validation


def _error(link_id: str | None, code: str, message: str) -> dict[str, Any]:
    return {"linkId": link_id, "code": code, "message": message}


def _check_value(item: Item, value: Any) -> dict[str, Any] | None:
    """The error for one answer value, or None if it fits the item."""
    link_id = item.link_id
    if item.type == "boolean":
        if not isinstance(value, bool):
            return _error(link_id, "invalid_type", "expected yes or no (a boolean)")
        return None
    if item.type in ("integer", "decimal"):
        wanted = int if item.type == "integer" else int | float
        if not isinstance(value, wanted) or isinstance(value, bool) or not _finite(value):
            return _error(link_id, "invalid_type", f"expected a number ({item.type})")
        if item.min_value is not None and value < item.min_value:
            return _error(link_id, "out_of_range", f"expected at least {item.min_value}")
        if item.max_value is not None and value > item.max_value:
            return _error(link_id, "out_of_range", f"expected at most {item.max_value}")
        return None
    if item.type == "choice":
        if not isinstance(value, str):
            return _error(link_id, "invalid_type", "expected an answer code (text)")
        if value not in item.ordinals:
            return _error(link_id, "invalid_option", f"{value!r} is not one of {sorted(item.ordinals)}")
        return None
    if not isinstance(value, str):  # string, text
        return _error(link_id, "invalid_type", "expected text")
    if item.max_length is not None and len(value) > item.max_length:
        return _error(link_id, "out_of_range", f"expected at most {item.max_length} characters")
    return None


def _condition_holds(cond: EnableWhen, value: Any) -> bool:
    if cond.operator == "exists":
        return (value is not None) == cond.answer
    if cond.operator == "!=":  # FHIR: true when no answer equals the given one, so also when unanswered
        return value is None or type(value) is not type(cond.answer) or value != cond.answer
    if value is None:
        return False
    if cond.operator == "=":
        return _same_kind(value, cond.answer) and value == cond.answer
    if not (_is_number(value) and _is_number(cond.answer)) and not (
        isinstance(value, str) and isinstance(cond.answer, str)
    ):
        return False
    if cond.operator == ">":
        return value > cond.answer
    if cond.operator == "<":
        return value < cond.answer
    if cond.operator == ">=":
        return value >= cond.answer
    return value <= cond.answer


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return (_is_number(a) and _is_number(b)) or type(a) is type(b)


# A question's enableWhen test of one condition, on the answer as enableWhen sees it.
EnableTest = Callable[[Any], bool]
# How a condition reads its question: the answer, none when the question is itself disabled, or
# never an answer (a readOnly question).
READ_ANSWER, READ_IF_ENABLED, READ_NOTHING = 0, 1, 2


class ScoreEntry(NamedTuple):
    """One item of a score: for a sum ``fn`` gives the number (None: the value is the number);
    for a count it says whether the answer counts."""

    link_id: str
    key: str  # the score key it adds to
    fn: Callable[[Any], Any] | None


class EnableCheck(NamedTuple):
    """One enableWhen condition of a conditional item, prepared."""

    question: str  # the linkId it reads
    reads: int  # READ_ANSWER, READ_IF_ENABLED or READ_NOTHING
    test: EnableTest


class Conditional(NamedTuple):
    """An item with an enableWhen (or an ancestor with one)."""

    link_id: str
    parent: str | None
    conditions: tuple[EnableCheck, ...]
    any_of: bool  # enableBehavior "any" (else: all must hold)


class Check(NamedTuple):
    """An answerable question, in questionnaire order."""

    link_id: str
    conditional: bool  # decided by ``Plan.conditional``
    required: bool
    accept: Callable[[Any], bool]  # quick test; what it refuses goes to ``_check_value``
    item: Item


@dataclass(frozen=True)
class ScorePlan:
    definition: ScoreDefinition
    keys: tuple[str, ...]  # the distinct score keys, in item order
    entries: tuple[ScoreEntry, ...]


@dataclass(frozen=True)
class Plan:
    """An instrument prepared for validation and scoring, built once (``Instrument.plan``).

    ``conditional`` lists the items that have an enableWhen (or an ancestor with one) in an order
    where every item comes after its parent and after the questions its conditions read, so one
    pass decides them all. ``checks`` holds, per answerable question in questionnaire order, a
    quick test that accepts a valid value; anything it does not accept goes to ``_check_value``,
    which has the last word and the error message. The results equal the definition's tree walk
    (tested against a reference implementation on generated instruments and responses).
    """

    questions: frozenset[str]
    conditional: tuple[Conditional, ...]
    checks: tuple[Check, ...]
    scores: tuple[ScorePlan, ...]


def _enable_test(cond: EnableWhen) -> EnableTest:
    answer = cond.answer
    if cond.operator == "=" and isinstance(answer, bool):
        return lambda value: value is answer
    if cond.operator == "=" and type(answer) is str:
        return lambda value: type(value) is str and value == answer
    return partial(_condition_holds, cond)


def _accept(item: Item) -> Callable[[Any], bool]:
    """A quick test that is true only for values ``_check_value`` accepts (never wrongly true)."""
    low = -math.inf if item.min_value is None else item.min_value
    high = math.inf if item.max_value is None else item.max_value
    if item.type == "boolean":
        return lambda value: value is True or value is False
    if item.type == "integer":
        return lambda value: type(value) is int and low <= value <= high
    if item.type == "decimal":
        return lambda value: (
            (type(value) is float or type(value) is int) and low <= value <= high and math.isfinite(value)
        )
    if item.type == "choice":
        ordinals = item.ordinals
        return lambda value: type(value) is str and value in ordinals
    longest = math.inf if item.max_length is None else item.max_length  # string, text
    return lambda value: type(value) is str and len(value) <= longest


def _to_number(item: Item, reverse: bool) -> Callable[[Any], Number] | None:
    """The number an answer adds to a score, as one function: the option's ordinalValue, 1 or 0 for
    a boolean, else the value itself (None); reversed items give ``low + high - number``."""
    base: Callable[[Any], Number] | None = (
        item.ordinals.__getitem__ if item.type == "choice" else int if item.type == "boolean" else None
    )
    if not reverse:
        return base
    low, high = item.value_range()  # type: ignore[misc]  # checked at load time
    if base is None:
        return lambda value: low + high - value
    return lambda value: low + high - base(value)


def _counter(definition: ScoreDefinition, item: Item, reverse: bool) -> Callable[[Any], bool]:
    """Whether an answer to ``item`` counts for a count rule; for options a set lookup."""
    to_number = _to_number(item, reverse)
    if item.type in ("choice", "boolean"):  # a known, small set of values
        assert to_number is not None  # noqa: S101 - options and booleans always map to a number
        values = list(item.ordinals) if item.type == "choice" else [True, False]
        return frozenset(v for v in values if _counts(definition, to_number(v))).__contains__
    if to_number is not None:  # a reversed number
        return lambda value: _counts(definition, to_number(value))
    return lambda value: _counts(definition, value)


def _plan(instrument: Instrument) -> Plan:
    items, always = instrument.items, instrument.unconditional
    order: list[str] = []
    seen: set[str] = set()

    def visit(link_id: str) -> None:  # depth first: parent and condition questions before the item
        if link_id in seen or link_id in always:
            return
        seen.add(link_id)
        item = items[link_id]
        if item.parent is not None:
            visit(item.parent)
        for cond in item.enable_when:
            visit(cond.question)
        order.append(link_id)

    for link_id in items:
        visit(link_id)

    def reads(question: str) -> int:
        if items[question].read_only:
            return READ_NOTHING
        return READ_ANSWER if question in always else READ_IF_ENABLED

    conditional = tuple(
        Conditional(
            link_id,
            items[link_id].parent,
            tuple(
                EnableCheck(c.question, reads(c.question), _enable_test(c))
                for c in items[link_id].enable_when
            ),
            items[link_id].enable_behavior == "any" and bool(items[link_id].enable_when),
        )
        for link_id in order
    )
    checks = tuple(
        Check(item.link_id, item.link_id not in always, item.required, _accept(item), item)
        for item in instrument.questions
        if not item.read_only
    )
    scores = tuple(
        ScorePlan(
            definition=d,
            keys=tuple(dict.fromkeys(d.keys)),
            entries=tuple(
                ScoreEntry(
                    link_id,
                    key,
                    _counter(d, items[link_id], link_id in d.reversed)
                    if d.rule == "count"
                    else _to_number(items[link_id], link_id in d.reversed),
                )
                for link_id, key in zip(d.items, d.keys, strict=True)
            ),
        )
        for d in instrument.scores
    )
    return Plan(
        questions=frozenset(i.link_id for i in instrument.questions),
        conditional=conditional,
        checks=checks,
        scores=scores,
    )


def _enabled_conditional(plan: Plan, answers: dict[str, Any]) -> dict[str, bool]:
    """Whether each conditional item (``Plan.conditional``) is enabled for these answers."""
    on: dict[str, bool] = {}
    get = answers.get
    for link_id, parent, conds, any_of in plan.conditional:
        if parent is not None and not on.get(parent, True):
            on[link_id] = False
            continue
        ok = not any_of
        for question, mode, test in conds:
            if mode == READ_NOTHING or (mode == READ_IF_ENABLED and not on[question]):
                value = None
            else:
                value = get(question)
                if value == "":
                    value = None
            holds = test(value)
            if any_of and holds:  # "any": the first condition that holds decides
                ok = True
                break
            if not any_of and not holds:  # "all": the first that fails decides
                ok = False
                break
        on[link_id] = ok
    return on


def enabled_items(instrument: Instrument, answers: dict[str, Any]) -> set[str]:
    """LinkIds of the items that are enabled for these answers.

    An item is enabled when its parent is enabled and its enableWhen holds (all conditions, or any
    with enableBehavior 'any'). A condition sees a question as unanswered when it is disabled,
    readOnly or answered with empty text, exactly as validate_answers treats it.
    """
    on = _enabled_conditional(instrument.plan, answers)
    return set(instrument.unconditional) | {link_id for link_id, ok in on.items() if ok}


def validate_answers(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    """Check answers against the instrument and return the cleaned answers, in questionnaire order.

    The result holds only enabled, answered, non-readOnly questions. Answers to disabled items are
    dropped silently (see the module docstring). ``None`` and ``""`` count as unanswered. Raises
    ResponseValidationError with every error found.
    """
    if not isinstance(answers, dict):
        raise ResponseValidationError(
            [_error(None, "invalid_type", "answers must be an object keyed by linkId")]
        )
    plan = instrument.plan
    errors = []
    for link_id in answers:
        if link_id not in plan.questions:
            item = instrument.items.get(link_id)
            what = (
                "not a question of this instrument" if item is None else f"a {item.type} item, not a question"
            )
            errors.append(_error(link_id, "unknown_item", f"{link_id!r} is {what}"))
    on = _enabled_conditional(plan, answers)
    get = answers.get
    cleaned = {}
    for link_id, conditional, required, accept, item in plan.checks:
        if conditional and not on[link_id]:
            continue
        value = get(link_id)
        if value is None or value == "":
            if required:
                errors.append(_error(link_id, "required", "an answer is required"))
            continue
        if accept(value):
            cleaned[link_id] = value
            continue
        error = _check_value(item, value)
        if error:
            errors.append(error)
        else:
            cleaned[link_id] = value
    if errors:
        raise ResponseValidationError(errors)
    return cleaned


# --------------------------------------------------------------------------------------- scoring


def _counts(score: ScoreDefinition, number: Number) -> bool:
    return (score.count_min is None or number >= score.count_min) and (
        score.count_max is None or number <= score.count_max
    )


def score(instrument: Instrument, answers: dict[str, Any]) -> ScoreResult:
    """Validate the answers and compute every score of the instrument, with its band (if any).

    Scores are keyed by score code; a per_dimension score yields one key per dimension,
    ``<code>.<dimension>``. Raises ResponseValidationError when the answers are invalid.
    """
    cleaned = validate_answers(instrument, answers)
    get = cleaned.get
    scores: dict[str, Number] = {}
    bands: dict[str, Band] = {}
    for plan in instrument.plan.scores:
        definition = plan.definition
        counting = definition.rule == "count"
        totals: dict[str, Number] = dict.fromkeys(plan.keys, 0)
        for link_id, key, fn in plan.entries:
            value = get(link_id)
            if value is None:
                continue
            if counting:
                if fn(value):  # type: ignore[misc]  # a count entry always has its test
                    totals[key] += 1
            else:
                totals[key] += value if fn is None else fn(value)
        scores.update(totals)
        if definition.bands:
            for key, total in totals.items():
                band = next((b for b in definition.bands if b.contains(total)), None)
                if band is not None:
                    bands[key] = band
    return ScoreResult(instrument=instrument, scores=scores, bands=bands, answers=cleaned)


# ------------------------------------------------------------------------------------------ FHIR


def _answer_value(item: Item, value: Any) -> dict[str, Any]:
    if item.type == "choice":
        option = item.option(value)
        assert option is not None  # noqa: S101 - validated before
        coding = {"code": option.code, "display": option.display.nl}
        if option.system:
            coding = {"system": option.system, **coding}
        return {"valueCoding": coding}
    if item.type == "decimal":
        return {"valueDecimal": value}
    return {ANSWER_KEYS[item.type]: value}


def _score_extension(code: str, value: Number, band: Band | None) -> dict[str, Any]:
    value_key = "valueInteger" if isinstance(value, int) else "valueDecimal"
    parts: list[dict[str, Any]] = [{"url": "code", "valueCode": code}, {"url": "value", value_key: value}]
    if band is not None:
        parts.append(
            {
                "url": "band",
                "valueCoding": {"system": BAND_SYSTEM, "code": band.code, "display": band.label.nl},
            }
        )
    return {"url": SCORE_URL, "extension": parts}


def answers_to_questionnaire_response(
    instrument: Instrument,
    answers: dict[str, Any],
    scores: ScoreResult | None = None,
    *,
    authored: str | None = None,
    status: str = "completed",
) -> dict[str, Any]:
    """A FHIR R4B QuestionnaireResponse (JSON data) for these answers.

    Items mirror the Questionnaire's groups; only answered, enabled questions appear. The computed
    scores (``scores``, or computed here when omitted) ride along as one extension per score
    (``SCORE_URL`` with parts ``code``, ``value`` and, when a band applies, ``band``), so a reader
    never has to trust a client's total.
    """
    if scores is None:
        scores = score(instrument, answers)
    elif scores.instrument.canonical != instrument.canonical:
        raise ValueError("the scores belong to another instrument")
    cleaned = scores.validated(answers)

    def build(link_ids: tuple[str, ...]) -> list[dict[str, Any]]:
        out = []
        for link_id in link_ids:
            item = instrument.items[link_id]
            if item.type == "group":
                children = build(item.children)
                if children:
                    out.append({"linkId": link_id, "text": item.text.nl, "item": children})
            elif link_id in cleaned:
                out.append(
                    {
                        "linkId": link_id,
                        "text": item.text.nl,
                        "answer": [_answer_value(item, cleaned[link_id])],
                    }
                )
        return out

    response: dict[str, Any] = {"resourceType": "QuestionnaireResponse"}
    if scores.scores:
        response["extension"] = [
            _score_extension(k, v, scores.bands.get(k)) for k, v in scores.scores.items()
        ]
    response["questionnaire"] = instrument.canonical
    response["status"] = status
    if authored:
        response["authored"] = authored
    response["item"] = build(instrument.roots)
    return response


def questionnaire_response_to_answers(instrument: Instrument, qr: dict[str, Any]) -> dict[str, Any]:
    """Read a FHIR R4 QuestionnaireResponse (JSON data) into validated answers keyed by linkId.

    Strict: the R4 rules of any QuestionnaireResponse first (``fhir_r4.response_problems``: JSON
    representation, unknown elements, ``status``, qrs-1, qrs-2), then against this Questionnaire:
    every item where the Questionnaire has it (a question inside its own group, nothing moved or
    flattened), the value[x] of the item's type, one answer, codings of the option system, no
    answer to an item that its enableWhen disables (a response carries none; it is refused, not
    dropped, so a client never gets a score of fewer answers than it sent) and the errors of
    ``validate_answers``. Every error names its linkId or path and the rule; all are raised
    together in one ResponseValidationError.
    """
    from . import fhir_r4

    if not isinstance(qr, dict) or qr.get("resourceType") != "QuestionnaireResponse":
        raise ResponseValidationError([_error(None, "invalid_type", "not a FHIR QuestionnaireResponse")])
    errors: list[dict[str, Any]] = fhir_r4.response_problems(qr)
    canonical = qr.get("questionnaire")
    if canonical:
        url, _, version = str(canonical).partition("|")
        if url != instrument.url or (version and version != instrument.version):
            errors.append(
                _error(
                    None,
                    "wrong_questionnaire",
                    f"response is for {canonical}, expected {instrument.canonical}",
                )
            )
    answers: dict[str, Any] = {}
    read_errors: list[dict[str, Any]] = []
    _read_items(instrument, qr.get("item") or [], answers, read_errors, None, "item")
    enabled = enabled_items(instrument, answers)
    for link_id in answers:
        if link_id not in enabled:
            read_errors.append(
                _error(
                    link_id,
                    "disabled_item",
                    f"{link_id!r} is answered, but its enableWhen ({_enable_when_text(instrument, link_id)}) "
                    "disables it for these answers: leave the answer out (R4: a QuestionnaireResponse "
                    "carries no answers for disabled items)",
                )
            )
    seen = {e["linkId"] for e in errors if e["linkId"]}
    errors += [e for e in read_errors if not e["linkId"] or e["linkId"] not in seen]
    try:
        cleaned = validate_answers(instrument, answers)
    except ResponseValidationError as exc:
        seen = {e["linkId"] for e in errors}
        errors += [e for e in exc.errors if e["linkId"] not in seen]
        cleaned = {}
    if errors:
        raise ResponseValidationError(errors)
    return cleaned


def _enable_when_text(instrument: Instrument, link_id: str) -> str:
    """The enableWhen that decides an item (its own, else its nearest ancestor's), as text."""
    item: Item | None = instrument.items[link_id]
    while item is not None and not item.enable_when:
        item = instrument.items[item.parent] if item.parent else None
    if item is None:
        return "none"
    parts = [f"{c.question} {c.operator} {json.dumps(c.answer)}" for c in item.enable_when]
    where = "" if item.link_id == link_id else f" on {item.link_id}"
    return f" {item.enable_behavior} ".join(parts) + where


def _place(parent: str | None, instrument: Instrument) -> str:
    if parent is None:
        return "the top level"
    if instrument.items[parent].is_question:
        return f"the answer of {parent!r}"
    return f"group {parent!r}"


def _read_items(
    instrument: Instrument,
    raw_items: list[Any],
    answers: dict[str, Any],
    errors: list[dict[str, Any]],
    parent: str | None,
    path: str,
) -> None:
    if not isinstance(raw_items, list):  # JSON of another shape than FHIR's: an error, never a crash
        errors.append(_error(None, "invalid_type", f"{path}: item must be a list of items"))
        return
    for index, raw in enumerate(raw_items):
        here = f"{path}[{index}]"
        link_id = raw.get("linkId") if isinstance(raw, dict) else None
        item = instrument.items.get(link_id) if isinstance(link_id, str) else None
        if item is None:
            shown = link_id if isinstance(link_id, str) else None  # a linkId of [] or {} is no key
            errors.append(
                _error(shown, "unknown_item", f"{here}: {link_id!r} is not an item of this instrument")
            )
            continue
        assert isinstance(raw, dict) and isinstance(link_id, str)  # noqa: S101 - an item was found
        if item.parent != parent:
            errors.append(
                _error(
                    link_id,
                    "wrong_group",
                    f"{here}: {link_id!r} belongs in {_place(item.parent, instrument)}, not in "
                    f"{_place(parent, instrument)}: the response must keep the items where the "
                    "Questionnaire has them",
                )
            )
            continue
        if item.type in ("group", "display"):
            if raw.get("answer"):
                errors.append(
                    _error(link_id, "invalid_type", f"{here}: a {item.type} item cannot have an answer")
                )
            _read_items(instrument, raw.get("item") or [], answers, errors, link_id, f"{here}.item")
            continue
        if link_id in answers:
            errors.append(_error(link_id, "invalid_type", f"{here}: the item appears more than once"))
            continue
        raw_answers = raw.get("answer") or []
        if not isinstance(raw_answers, list) or not all(isinstance(a, dict) for a in raw_answers):
            errors.append(_error(link_id, "invalid_type", f"{here}: answer must be a list of answer objects"))
            continue
        if raw.get("item"):
            _read_items(instrument, raw["item"], answers, errors, link_id, f"{here}.item")
        for a_index, raw_answer in enumerate(raw_answers):
            if raw_answer.get("item"):
                _read_items(
                    instrument, raw_answer["item"], answers, errors, link_id, f"{here}.answer[{a_index}].item"
                )
        if len(raw_answers) > 1:
            errors.append(
                _error(
                    link_id, "invalid_type", f"{here}: expected at most one answer (the item does not repeat)"
                )
            )
            continue
        if not raw_answers:
            continue
        value_keys = [k for k in raw_answers[0] if isinstance(k, str) and k.startswith("value")]
        expected = ANSWER_KEYS[item.type]
        accepted = {expected, "valueInteger"} if item.type == "decimal" else {expected}
        if len(value_keys) != 1 or value_keys[0] not in accepted:
            errors.append(
                _error(
                    link_id,
                    "invalid_type",
                    f"{here}.answer[0]: expected {expected} for a {item.type} item, "
                    f"got {', '.join(value_keys) or 'no value'}",
                )
            )
            continue
        value = raw_answers[0][value_keys[0]]
        if item.type == "choice":
            value, error = _coding_code(item, value)
            if error:
                errors.append(error)
                continue
        answers[link_id] = value


def _coding_code(item: Item, coding: Any) -> tuple[Any, dict[str, Any] | None]:
    if not isinstance(coding, dict) or not isinstance(coding.get("code"), str):
        return None, _error(item.link_id, "invalid_type", "valueCoding needs a code")
    option = item.option(coding["code"])
    if option is None or (coding.get("system") and option.system and coding["system"] != option.system):
        return None, _error(
            item.link_id, "invalid_option", f"{coding.get('system')}|{coding['code']} is not an answer option"
        )
    return option.code, None
