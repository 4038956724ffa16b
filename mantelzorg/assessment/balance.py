"""Balance level, task insights and advice for the Balanscheck, from rule tables in ``rules/``.

``rules/levels.json`` says when the balance is ``balanced``, ``attention``, ``heavy`` or
``overloaded``, and when a result is ``urgent``; ``rules/advice.json`` says which advice cards to
show. Both use the condition language of ``conditions.py``. Thresholds live in ``levels.json`` and
can be overridden per gemeente with a plain dict (no code).

The rules read *facts* computed here:

* ``score.<code>`` and ``band.<code>``: the instrument's scores and band codes (``engine.score``);
* ``answer.<linkId>``: the validated answers (disabled items dropped);
* ``tasks``, ``pressure_points``, ``energy_sources``, ``transferable_tasks``: lists of task codes;
* for advice only: ``level`` (the level code) and ``urgent`` (bool).

Tasks follow the linkId convention of balanscheck.json: ``task.<task>.does`` (boolean),
``task.<task>.hours`` (integer), ``task.<task>.energy`` and ``task.<task>.transferable`` (choice),
inside a group ``task.<task>`` whose text is the task's name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, NamedTuple

from . import conditions
from .engine import DefinitionError, Instrument, Label, Number, ScoreResult, validate_answers

RULES_DIR = Path(__file__).resolve().parent / "rules"
SUPPORT_DOMAINS = (
    "information",
    "guidance",
    "emotional_support",
    "education",
    "practical_help",
    "respite",
    "financial_help",
    "material_help",
)
TASK_LIST_FACTS = ("tasks", "pressure_points", "energy_sources", "transferable_tasks")
_PLACEHOLDER = re.compile(r"\{([a-z0-9_.]+)\}")


@dataclass(frozen=True)
class Level:
    code: str
    rank: int
    label: Label
    description: Label


@dataclass(frozen=True)
class Threshold:
    name: str
    value: Number
    description: Label
    source: str


@dataclass(frozen=True)
class Rule:
    code: str
    level: str | None  # None for an urgent rule
    when: Any
    reason: Label
    source: str

    @cached_property
    def holds(self) -> conditions.Compiled:
        """``when`` compiled: ``rule.holds(facts, thresholds)``."""
        return conditions.compile_condition(self.when)


@dataclass(frozen=True)
class LevelRules:
    version: str
    instrument_url: str
    levels: tuple[Level, ...]  # lowest rank first
    thresholds: dict[str, Threshold]
    rules: tuple[Rule, ...]
    urgent_rules: tuple[Rule, ...]
    default_reason: Rule
    pressure_point_energy: tuple[str, ...]  # energy codes, heaviest first
    energy_source_energy: tuple[str, ...]
    transferable: tuple[str, ...]  # transferable codes, most transferable first


# Reason and TaskInsight are made per check (about 20 each time): named tuples, which are built
# in half the time of a frozen dataclass and are just as immutable.
class Reason(NamedTuple):
    rule: str
    level: str | None
    text: Label
    source: str


class TaskInsight(NamedTuple):
    task: str
    label: Label
    hours: int | None
    energy: str | None
    transferable: str | None


@dataclass(frozen=True)
class LevelResult:
    code: str
    label: Label
    description: Label
    reasons: tuple[Reason, ...]  # highest level first
    urgent: bool
    urgent_reasons: tuple[Reason, ...]
    tasks: tuple[TaskInsight, ...]
    pressure_points: tuple[TaskInsight, ...]  # heaviest first, then most hours
    energy_sources: tuple[TaskInsight, ...]
    transferable_tasks: tuple[TaskInsight, ...]
    scores: dict[str, Number]
    bands: dict[str, str]  # score key -> band code
    thresholds: dict[str, Number]  # the effective thresholds, after any override
    rules_version: str
    instrument: Instrument = field(repr=False, compare=False)
    answers: dict[str, Any] = field(default_factory=dict, repr=False)  # the validated answers used
    facts: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # rule inputs


@dataclass(frozen=True)
class AdviceCard:
    code: str
    support_domain: str
    support_domain_label: Label
    ladder_step: int
    ladder_label: Label
    title: Label
    text: Label
    urgent: bool
    contact: str | None
    source: str


@dataclass(frozen=True)
class AdviceRules:
    version: str
    support_domains: dict[str, Label]
    ladder: dict[int, Label]
    cards: tuple[tuple[AdviceCard, Any], ...]  # (card, condition) in file order

    @cached_property
    def compiled(self) -> tuple[tuple[AdviceCard, conditions.Compiled], ...]:
        """``cards`` with each condition compiled."""
        return tuple((card, conditions.compile_condition(when)) for card, when in self.cards)


# ------------------------------------------------------------------------------------- loading


def _label(raw: Any, where: str, problems: list[str]) -> Label:
    if not isinstance(raw, dict) or not raw.get("nl") or not raw.get("en"):
        problems.append(f"{where}: needs a text with 'nl' and 'en'")
        return Label("", "")
    return Label(raw["nl"], raw["en"])


def _known_var(name: str, *, advice: bool = False) -> bool:
    if name.startswith(("score.", "band.", "answer.")) or name in TASK_LIST_FACTS:
        return True
    return advice and name in ("level", "urgent")


def _check_placeholders(text: Label, thresholds: dict[str, Any], where: str, problems: list[str]) -> None:
    for name in _PLACEHOLDER.findall(text.nl + text.en):
        if name not in thresholds and not name.startswith("score."):
            problems.append(f"{where}: unknown placeholder {{{name}}}")


def parse_level_rules(data: dict[str, Any]) -> LevelRules:
    """Check and parse the contents of a levels.json; raises DefinitionError listing every problem."""
    problems: list[str] = []
    levels = []
    for raw in data.get("levels") or []:
        where = f"level {raw.get('code')}"
        levels.append(
            Level(
                raw.get("code", ""),
                raw.get("rank", 0),
                _label(raw.get("label"), where, problems),
                _label(raw.get("description"), where, problems),
            )
        )
    levels.sort(key=lambda lvl: lvl.rank)
    level_codes = {lvl.code for lvl in levels}
    if not levels or len(level_codes) != len(levels) or len({lvl.rank for lvl in levels}) != len(levels):
        problems.append("levels: need at least one level, with unique codes and ranks")

    thresholds = {}
    for name, raw in (data.get("thresholds") or {}).items():
        if not conditions._is_number(raw.get("value")) or not raw.get("source"):
            problems.append(f"threshold {name}: needs a numeric value and a source")
            continue
        thresholds[name] = Threshold(
            name, raw["value"], _label(raw.get("description"), f"threshold {name}", problems), raw["source"]
        )

    def parse_rules(key: str, urgent: bool) -> tuple[Rule, ...]:
        rules = []
        for raw in data.get(key) or []:
            where = f"{key} {raw.get('code')}"
            level = None if urgent else raw.get("level")
            if not urgent and level not in level_codes:
                problems.append(f"{where}: unknown level {level!r}")
            if not raw.get("source"):
                problems.append(f"{where}: needs a source (a citation, or 'local policy, not validated')")
            problems.extend(conditions.check(raw.get("when"), thresholds, _known_var, where))
            reason = _label(raw.get("reason"), where, problems)
            _check_placeholders(reason, thresholds, where, problems)
            rules.append(Rule(raw.get("code", ""), level, raw.get("when"), reason, raw.get("source", "")))
        return tuple(rules)

    rules = parse_rules("rules", urgent=False)
    urgent_rules = parse_rules("urgent_rules", urgent=True)
    default = data.get("default_reason") or {}
    insights = data.get("task_insights") or {}
    if not all(insights.get(k) for k in ("pressure_point_energy", "energy_source_energy", "transferable")):
        problems.append("task_insights: needs pressure_point_energy, energy_source_energy and transferable")
    result = LevelRules(
        version=data.get("version", ""),
        instrument_url=data.get("instrument", ""),
        levels=tuple(levels),
        thresholds=thresholds,
        rules=rules,
        urgent_rules=urgent_rules,
        default_reason=Rule(
            "no_signals",
            levels[0].code if levels else "",
            None,
            _label(default.get("reason"), "default_reason", problems),
            default.get("source", ""),
        ),
        pressure_point_energy=tuple(insights.get("pressure_point_energy") or ()),
        energy_source_energy=tuple(insights.get("energy_source_energy") or ()),
        transferable=tuple(insights.get("transferable") or ()),
    )
    if problems:
        raise DefinitionError(problems)
    return result


def parse_advice_rules(data: dict[str, Any], threshold_names: set[str] | None = None) -> AdviceRules:
    """Check and parse the contents of an advice.json; raises DefinitionError listing every problem."""
    problems: list[str] = []
    if threshold_names is None:
        threshold_names = set(load_level_rules().thresholds)
    domains = {
        code: _label(raw, f"support domain {code}", problems)
        for code, raw in (data.get("support_domains") or {}).items()
    }
    if set(domains) != set(SUPPORT_DOMAINS):
        problems.append(f"support_domains: must be exactly {list(SUPPORT_DOMAINS)}")
    ladder = {
        int(step): _label(raw, f"ladder step {step}", problems)
        for step, raw in (data.get("ladder") or {}).items()
    }
    if set(ladder) != {1, 2, 3, 4, 5}:
        problems.append("ladder: must describe steps 1 to 5")
    cards = []
    seen = set()
    for raw in data.get("cards") or []:
        code = raw.get("code", "")
        where = f"card {code}"
        if not code or code in seen:
            problems.append(f"{where}: needs a unique code")
        seen.add(code)
        domain, step = raw.get("support_domain"), raw.get("ladder_step")
        if domain not in SUPPORT_DOMAINS:
            problems.append(f"{where}: support_domain must be one of {list(SUPPORT_DOMAINS)}")
        if step not in (1, 2, 3, 4, 5):
            problems.append(f"{where}: ladder_step must be 1 to 5")
        if not raw.get("source"):
            problems.append(f"{where}: needs a source")
        problems.extend(
            conditions.check(raw.get("when"), threshold_names, lambda n: _known_var(n, advice=True), where)
        )
        card = AdviceCard(
            code=code,
            support_domain=domain,
            support_domain_label=domains.get(domain, Label("", "")),
            ladder_step=step,
            ladder_label=ladder.get(step, Label("", "")),
            title=_label(raw.get("title"), where, problems),
            text=_label(raw.get("text"), where, problems),
            urgent=bool(raw.get("urgent")),
            contact=raw.get("contact"),
            source=raw.get("source", ""),
        )
        cards.append((card, raw.get("when")))
    if problems:
        raise DefinitionError(problems)
    return AdviceRules(
        version=data.get("version", ""), support_domains=domains, ladder=ladder, cards=tuple(cards)
    )


def _read(name: str) -> dict[str, Any]:
    with open(RULES_DIR / name, encoding="utf-8") as fh:
        return json.load(fh)


@cache
def load_level_rules() -> LevelRules:
    """The shipped ``rules/levels.json`` (parsed once)."""
    return parse_level_rules(_read("levels.json"))


@cache
def load_advice_rules() -> AdviceRules:
    """The shipped ``rules/advice.json`` (parsed once)."""
    return parse_advice_rules(_read("advice.json"))


# ------------------------------------------------------------------------------ levels and facts


def effective_thresholds(rules: LevelRules, override: dict[str, Number] | None = None) -> dict[str, Number]:
    """The thresholds of the rules, with a gemeente's override applied (unknown names are an error)."""
    values = {name: t.value for name, t in rules.thresholds.items()}
    problems = []
    for name, value in (override or {}).items():
        if name not in values:
            problems.append(f"threshold override: unknown threshold {name!r}")
        elif not conditions._is_number(value):
            problems.append(f"threshold override: {name} must be a number")
        else:
            values[name] = value
    if problems:
        raise DefinitionError(problems)
    return values


def _task_questions(instrument: Instrument) -> tuple[tuple[str, Label, str, str, str, str], ...]:
    """Per task question ``task.<task>.does`` in questionnaire order: the task, its name (the
    group's text) and the linkIds of its does, hours, energy and transferable questions."""
    found = []
    for item in instrument.questions:
        parts = item.link_id.split(".")
        if len(parts) == 3 and parts[0] == "task" and parts[2] == "does":
            task = parts[1]
            group = instrument.items.get(f"task.{task}")
            found.append(
                (
                    task,
                    group.text if group else Label(task, task),
                    item.link_id,
                    f"task.{task}.hours",
                    f"task.{task}.energy",
                    f"task.{task}.transferable",
                )
            )
    return tuple(found)


def _task_insights(
    instrument: Instrument, answers: dict[str, Any], rules: LevelRules
) -> dict[str, tuple[TaskInsight, ...]]:
    """The tasks done (``answers`` are validated, so in questionnaire order) and the lists the
    rules read: pressure points, energy sources and tasks someone else could take over."""
    get = answers.get
    done = [
        TaskInsight(task=task, label=label, hours=get(hours), energy=get(energy), transferable=get(transfer))
        for task, label, does, hours, energy, transfer in instrument.derived("balance.tasks", _task_questions)
        if get(does) is True
    ]

    def hours(t: TaskInsight) -> int:
        return -(t.hours or 0)

    pressure = rules.pressure_point_energy
    transfer = rules.transferable
    return {
        "tasks": tuple(done),
        "pressure_points": tuple(
            sorted(
                (t for t in done if t.energy in pressure), key=lambda t: (pressure.index(t.energy), hours(t))
            )
        ),
        "energy_sources": tuple(
            sorted((t for t in done if t.energy in rules.energy_source_energy), key=hours)
        ),
        "transferable_tasks": tuple(
            sorted(
                (t for t in done if t.transferable in transfer),
                key=lambda t: (transfer.index(t.transferable), hours(t)),
            )
        ),
    }


def _answer_facts(instrument: Instrument) -> dict[str, str]:
    return {item.link_id: f"answer.{item.link_id}" for item in instrument.questions}


def _facts(
    instrument: Instrument,
    scores: dict[str, Number],
    bands: dict[str, str],
    answers: dict[str, Any],
    insights: dict[str, tuple[TaskInsight, ...]],
) -> dict[str, Any]:
    """The rule inputs (see the module docstring); ``answers`` are validated answers."""
    fact = instrument.derived("balance.answer_facts", _answer_facts)
    facts: dict[str, Any] = {f"score.{k}": v for k, v in scores.items()}
    facts.update({f"band.{k}": code for k, code in bands.items()})
    facts.update({fact[k]: v for k, v in answers.items()})
    facts.update({name: [t.task for t in insights[name]] for name in TASK_LIST_FACTS})
    return facts


def _format(value: Number) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@cache
def _template(text: str) -> tuple[str, ...]:
    """``text`` split at its placeholders: literal, name, literal, ..., literal."""
    return tuple(_PLACEHOLDER.split(text))


@cache
def _placeholders(*texts: str) -> tuple[str, ...]:
    """The placeholder names in the texts, each once, in order."""
    return tuple(dict.fromkeys(name for text in texts for name in _template(text)[1::2]))


# Filled texts by (text, values): a rule's reason comes out the same for the same numbers, so it
# is built once. Bounded: the numbers come from answers.
_filled: dict[tuple[str, ...], Label] = {}
_FILLED_MAX = 4096


class _Filler:
    """Fills ``{name}`` placeholders with the number a threshold or fact holds (a threshold wins
    over a fact of the same name; a placeholder without a number stays as it is). Each name is
    formatted once per derivation."""

    def __init__(self, facts: dict[str, Any], thresholds: dict[str, Any]):
        self.facts = facts
        self.thresholds = thresholds
        self.formatted: dict[str, str] = {}

    def value(self, name: str) -> str:
        found = self.formatted.get(name)
        if found is None:
            value = self.thresholds[name] if name in self.thresholds else self.facts.get(name)
            found = self.formatted[name] = _format(value) if conditions._is_number(value) else f"{{{name}}}"
        return found

    def text(self, text: str) -> str:
        parts = _template(text)
        if len(parts) == 1:
            return text
        out = list(parts)
        for i in range(1, len(parts), 2):
            out[i] = self.value(parts[i])
        return "".join(out)

    def label(self, text: Label) -> Label:
        names = _placeholders(text.nl, text.en)
        if not names:
            return text
        key = (text.nl, text.en, *[self.value(name) for name in names])
        filled = _filled.get(key)
        if filled is None:
            filled = Label(self.text(text.nl), self.text(text.en))
            if len(_filled) >= _FILLED_MAX:
                _filled.clear()
            _filled[key] = filled
        return filled


def derive_level(
    instrument_result: ScoreResult,
    answers: dict[str, Any],
    thresholds_override: dict[str, Number] | None = None,
    *,
    rules: LevelRules | None = None,
) -> LevelResult:
    """The balance level of one Balanscheck response, with every reason, task insights and urgency.

    The level is the highest-ranked level of all rules that hold (``balanced`` with a default reason
    when none holds). ``urgent`` is true when any urgent rule holds; it is independent of the level.
    ``thresholds_override`` replaces named thresholds (e.g. a gemeente's own policy). ``answers``
    are validated again unless they equal the answers the score was computed from.
    """
    rules = rules or load_level_rules()
    instrument = instrument_result.instrument
    if instrument.url != rules.instrument_url:
        raise ValueError(f"these level rules are for {rules.instrument_url}, not {instrument.url}")
    thresholds = effective_thresholds(rules, thresholds_override)
    cleaned = instrument_result.validated(answers)
    insights = _task_insights(instrument, cleaned, rules)
    bands = {k: b.code for k, b in instrument_result.bands.items()}
    facts = _facts(instrument, instrument_result.scores, bands, cleaned, insights)

    levels = {lvl.code: lvl for lvl in rules.levels}
    matched = [r for r in rules.rules if r.holds(facts, thresholds)]
    matched.sort(key=lambda r: -levels[r.level].rank)  # type: ignore[index]
    level = levels[matched[0].level] if matched else rules.levels[0]  # type: ignore[index]
    fill = _Filler(facts, thresholds).label
    reasons = [Reason(r.code, r.level, fill(r.reason), r.source) for r in matched or [rules.default_reason]]
    urgent = [
        Reason(r.code, None, fill(r.reason), r.source)
        for r in rules.urgent_rules
        if r.holds(facts, thresholds)
    ]
    return LevelResult(
        code=level.code,
        label=level.label,
        description=level.description,
        reasons=tuple(reasons),
        urgent=bool(urgent),
        urgent_reasons=tuple(urgent),
        tasks=insights["tasks"],
        pressure_points=insights["pressure_points"],
        energy_sources=insights["energy_sources"],
        transferable_tasks=insights["transferable_tasks"],
        scores=dict(instrument_result.scores),
        bands=bands,
        thresholds=thresholds,
        rules_version=rules.version,
        instrument=instrument,
        answers=cleaned,
        facts=facts,
    )


def advise(
    level_result: LevelResult, answers: dict[str, Any], *, rules: AdviceRules | None = None
) -> list[AdviceCard]:
    """The advice cards whose condition holds: urgent cards first, then by Zorgladder step.

    ``answers`` are the answers given to ``derive_level``; unless they equal the answers already
    validated there, they are validated again, so an answer to a disabled item never triggers
    advice. Ties keep the order of advice.json.
    """
    rules = rules or load_advice_rules()
    if level_result.facts and (answers is level_result.answers or answers == level_result.answers):
        facts = dict(level_result.facts)  # the same answers: the facts the level was derived from
    else:
        cleaned = validate_answers(level_result.instrument, answers)
        insights = {
            "tasks": level_result.tasks,
            "pressure_points": level_result.pressure_points,
            "energy_sources": level_result.energy_sources,
            "transferable_tasks": level_result.transferable_tasks,
        }
        facts = _facts(level_result.instrument, level_result.scores, level_result.bands, cleaned, insights)
    facts.update(level=level_result.code, urgent=level_result.urgent)
    thresholds = level_result.thresholds
    shown = [card for card, holds in rules.compiled if holds(facts, thresholds)]
    return sorted(shown, key=lambda c: (not c.urgent, 0 if c.urgent else c.ladder_step))  # stable: file order
