"""Balance level, task insights and advice for the Balanscheck, from rule tables in ``rules/``.

``rules/levels.json`` says when the balance is ``balanced``, ``attention``, ``heavy`` or
``overloaded``, and when a result is ``urgent``; ``rules/advice.json`` says which advice cards to
show. Both use the condition language of ``conditions.py``. Thresholds live in ``levels.json`` and
can be overridden per gemeente with a plain dict (no code). The level model (own answers first,
context at most one step, protective factors, crisis) is described in README.md.

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
from .engine import DefinitionError, Instrument, Label, Number, ScoreResult

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
    source: Label  # shown on the thresholds page, so in both languages


# Kinds of rule (and of the reasons they give): what the caregiver said about the burden
# ("self_report", sets the base level), context that weighs ("risk", +1) or helps ("protective",
# -1), a crisis ("urgent"), the note that context raised the level ("raised"), and the text for
# when nothing holds ("default").
SELF_REPORT, RISK, PROTECTIVE, URGENT, RAISED, DEFAULT = (
    "self_report",
    "risk",
    "protective",
    "urgent",
    "raised",
    "default",
)


@dataclass(frozen=True)
class Rule:
    code: str
    level: str | None  # the level a self_report rule sets; None for the other kinds
    when: Any
    reason: Label
    source: str
    kind: str = SELF_REPORT
    weight: int = 0  # context rules: +1 a risk signal, -1 a protective factor
    reassures: bool = False  # never shown when the result is urgent
    helpline: bool = False  # the number for "do not know where to begin" (shown without a postcode too)

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
    self_report: tuple[Rule, ...]  # the base level: the highest level of those that hold
    context: tuple[Rule, ...]  # weights; at least the threshold RAISE_AT: one step up
    urgent_rules: tuple[Rule, ...]
    urgent_level: str  # the level is at least this one when a crisis rule holds
    urgent_description: Label  # replaces the level's description then
    default_reason: Rule
    raised_reason: Rule
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
    kind: str = SELF_REPORT


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
    # One per fact: what the caregiver said (highest level first), "raised" when context raised
    # the level, the risk signals, then what helps. Nothing that reassures when urgent.
    reasons: tuple[Reason, ...]
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
    base: str = ""  # the level of the caregiver's own answers, before context
    without_crisis: str = ""  # the level before a crisis answer lifted it (= code when not urgent)
    context_sum: int = 0  # risk signals minus protective factors that hold
    instrument: Instrument = field(repr=False, compare=False, default=None)  # type: ignore[assignment]
    answers: dict[str, Any] = field(default_factory=dict, repr=False)  # the validated answers used
    facts: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # rule inputs


@dataclass(frozen=True)
class OfferFilter:
    """Which local offer a card's next step is tied to: the gemeente's steunpunt, or the nearest
    offer of the sociale kaart with any of these vraaggebieden and (when given) target groups and
    respite forms (codes of ``directory.taxonomy``)."""

    support_centre: bool = False
    support_domains: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    respite_forms: tuple[str, ...] = ()
    ladder_steps: tuple[str, ...] = ()  # e.g. ladder_4: nursing and personal care at home


@dataclass(frozen=True)
class Chat:
    url: str
    text: Label


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
    priority: int = 100  # next steps: the shown cards with the lowest priority
    step: bool = True  # False: never a next step (advice without an offer to go to)
    offer: OfferFilter = OfferFilter()
    chat: Chat | None = None  # urgent cards: a chat service besides the phone number
    link: str | None = None  # a page of ours the card points to instead of the sociale kaart: "balanscheck"
    reassures: bool = False  # never shown when the result is urgent
    helpline: bool = False  # the number for "do not know where to begin" (shown without a postcode too)

    @cached_property
    def as_json(self) -> dict[str, Any]:
        """The card in a check result of the API, made once per card (the rule tables live as long
        as the process; shared: never change it)."""
        return {
            "code": self.code,
            "title": self.title.as_json,
            "text": self.text.as_json,
            "support_domain": self.support_domain,
            "ladder_step": self.ladder_step,
            "urgent": self.urgent,
            "contact": self.contact,
        }


@dataclass(frozen=True)
class AdviceRules:
    version: str
    instrument_url: str  # the Questionnaire whose answers the cards read
    support_domains: dict[str, Label]
    ladder: dict[int, Label]
    cards: tuple[tuple[AdviceCard, Any], ...]  # (card, condition) in file order

    @cached_property
    def helpline(self) -> AdviceCard | None:
        """The card marked ``helpline`` (the Mantelzorglijn): one place for its number."""
        return next((card for card, _ in self.cards if card.helpline and card.contact), None)

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
    return advice and name in ("level", "urgent", "level_without_crisis")


def _check_placeholders(text: Label, thresholds: dict[str, Any], where: str, problems: list[str]) -> None:
    for name in _PLACEHOLDER.findall(text.nl + text.en):
        if name not in thresholds and not name.startswith("score."):
            problems.append(f"{where}: unknown placeholder {{{name}}}")


RAISE_AT = "context_raise_at"  # the threshold: context signals needed for one step up


def _source_label(raw: Any, where: str, problems: list[str]) -> Label:
    """A source: a citation (the same in both languages) or {"nl": ..., "en": ...}."""
    if isinstance(raw, str) and raw:
        return Label(raw, raw)
    if isinstance(raw, dict):
        return _label(raw, where + " source", problems)
    problems.append(f"{where}: needs a source")
    return Label("", "")


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
        if not conditions.is_number(raw.get("value")) or not raw.get("source"):
            problems.append(f"threshold {name}: needs a numeric value and a source")
            continue
        where = f"threshold {name}"
        thresholds[name] = Threshold(
            name,
            raw["value"],
            _label(raw.get("description"), where, problems),
            _source_label(raw["source"], where, problems),
        )
    if RAISE_AT not in thresholds:
        problems.append(f"thresholds: needs {RAISE_AT} (how many context signals raise the level)")

    def parse_rule(raw: dict, key: str, kind: str) -> Rule:
        where = f"{key} {raw.get('code')}"
        level = raw.get("level") if kind == SELF_REPORT else None
        if kind == SELF_REPORT and level not in level_codes:
            problems.append(f"{where}: unknown level {level!r}")
        weight = raw.get("weight", 0) if kind != SELF_REPORT else 0
        if key == "context" and weight not in (1, -1):
            problems.append(f"{where}: weight must be 1 (a risk signal) or -1 (a protective factor)")
        if kind == "context":
            kind = RISK if weight > 0 else PROTECTIVE
        if not raw.get("source"):
            problems.append(f"{where}: needs a source (a citation, or 'local policy, not validated')")
        problems.extend(conditions.check(raw.get("when"), thresholds, _known_var, where))
        reason = _label(raw.get("reason"), where, problems)
        _check_placeholders(reason, thresholds, where, problems)
        return Rule(
            raw.get("code", ""),
            level,
            raw.get("when"),
            reason,
            raw.get("source", ""),
            kind=kind,
            weight=weight,
            reassures=bool(raw.get("reassures")),
            helpline=bool(raw.get("helpline")),
        )

    self_report = tuple(parse_rule(raw, "self_report", SELF_REPORT) for raw in data.get("self_report") or [])
    context = tuple(parse_rule(raw, "context", "context") for raw in data.get("context") or [])
    urgent_rules = tuple(parse_rule(raw, "urgent_rules", URGENT) for raw in data.get("urgent_rules") or [])
    if not self_report:
        problems.append("self_report: needs at least one rule (the base level)")
    codes = [r.code for r in (*self_report, *context, *urgent_rules)]
    if len(set(codes)) != len(codes) or not all(codes):
        problems.append("rules: every rule needs a code, unique across self_report, context and urgent_rules")
    urgent = data.get("urgent") or {}
    if urgent.get("level") not in level_codes:
        problems.append(f"urgent: unknown level {urgent.get('level')!r}")

    def fixed(key: str, code: str, kind: str) -> Rule:
        raw = data.get(key) or {}
        text = _label(raw.get("reason"), key, problems)
        _check_placeholders(text, thresholds, key, problems)
        return Rule(
            code, None, None, text, raw.get("source", ""), kind=kind, reassures=bool(raw.get("reassures"))
        )

    insights = data.get("task_insights") or {}
    if not all(insights.get(k) for k in ("pressure_point_energy", "energy_source_energy", "transferable")):
        problems.append("task_insights: needs pressure_point_energy, energy_source_energy and transferable")
    result = LevelRules(
        version=data.get("version", ""),
        instrument_url=data.get("instrument", ""),
        levels=tuple(levels),
        thresholds=thresholds,
        self_report=self_report,
        context=context,
        urgent_rules=urgent_rules,
        urgent_level=urgent.get("level", ""),
        urgent_description=_label(urgent.get("description"), "urgent", problems),
        default_reason=fixed("default_reason", "no_signals", DEFAULT),
        raised_reason=fixed("raised_reason", "raised", RAISED),
        pressure_point_energy=tuple(insights.get("pressure_point_energy") or ()),
        energy_source_energy=tuple(insights.get("energy_source_energy") or ()),
        transferable=tuple(insights.get("transferable") or ()),
    )
    if problems:
        raise DefinitionError(problems)
    return result


def _offer_filter(raw: Any, domain: str, where: str, problems: list[str]) -> OfferFilter:
    from mantelzorg.directory import taxonomy

    if raw is None:
        return OfferFilter(support_domains=(domain,))
    known = {
        "support_domains": taxonomy.codes(taxonomy.SUPPORT_DOMAINS),
        "target_groups": taxonomy.codes(taxonomy.TARGET_GROUPS),
        "respite_forms": taxonomy.codes(taxonomy.RESPITE_FORMS),
        "ladder_steps": taxonomy.codes(taxonomy.CARE_LADDER),
    }
    if not isinstance(raw, dict) or set(raw) - {"support_centre", *known}:
        problems.append(f"{where}: offer takes support_centre, {', '.join(known)}")
        return OfferFilter()
    for key, codes in known.items():
        unknown = set(raw.get(key) or ()) - set(codes)
        if unknown:
            problems.append(f"{where}: offer {key} has unknown codes {sorted(unknown)}")
    if raw.get("support_centre"):
        return OfferFilter(support_centre=True)
    # A target group, respite form or Zorgladder step narrows enough: then any vraaggebied will do.
    narrowed = raw.get("target_groups") or raw.get("respite_forms") or raw.get("ladder_steps")
    return OfferFilter(
        support_domains=tuple(raw.get("support_domains") or (() if narrowed else (domain,))),
        target_groups=tuple(raw.get("target_groups") or ()),
        respite_forms=tuple(raw.get("respite_forms") or ()),
        ladder_steps=tuple(raw.get("ladder_steps") or ()),
    )


def _chat(raw: Any, where: str, problems: list[str]) -> Chat | None:
    if raw is None:
        return None
    url = raw.get("url", "") if isinstance(raw, dict) else ""
    if not url.startswith("https://"):
        problems.append(f"{where}: chat needs an https url and a text")
        return None
    return Chat(url, _label(raw.get("text"), where + " chat", problems))


def parse_advice_rules(
    data: dict[str, Any], threshold_names: set[str] | None = None, *, inherit: AdviceRules | None = None
) -> AdviceRules:
    """Check and parse the contents of an advice file; raises DefinitionError listing every problem.

    An instrument's own advice file (e.g. ``carerqol_advice.json``) may leave out
    ``support_domains`` and ``ladder``: they come from ``inherit`` (the Balanscheck's advice)."""
    problems: list[str] = []
    if threshold_names is None:
        threshold_names = set(load_level_rules().thresholds)
    if inherit is not None and "support_domains" not in data:
        domains = dict(inherit.support_domains)
    else:
        domains = {
            code: _label(raw, f"support domain {code}", problems)
            for code, raw in (data.get("support_domains") or {}).items()
        }
    if set(domains) != set(SUPPORT_DOMAINS):
        problems.append(f"support_domains: must be exactly {list(SUPPORT_DOMAINS)}")
    if inherit is not None and "ladder" not in data:
        ladder = dict(inherit.ladder)
    else:
        ladder = {
            int(step): _label(raw, f"ladder step {step}", problems)
            for step, raw in (data.get("ladder") or {}).items()
        }
    if set(ladder) != {1, 2, 3, 4, 5}:
        problems.append("ladder: must describe steps 1 to 5")
    if not data.get("instrument"):
        problems.append("instrument: name the Questionnaire (canonical url) whose answers the cards read")
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
            priority=raw.get("priority", 100),
            step=raw.get("step", True) is not False and not raw.get("urgent"),
            offer=_offer_filter(raw.get("offer"), domain, where, problems),
            chat=_chat(raw.get("chat"), where, problems),
            link=raw.get("link"),
            reassures=bool(raw.get("reassures")),
            helpline=bool(raw.get("helpline")),
        )
        if card.link not in (None, "balanscheck"):
            problems.append(f"{where}: link must be 'balanscheck'")
        cards.append((card, raw.get("when")))
    if problems:
        raise DefinitionError(problems)
    return AdviceRules(
        version=data.get("version", ""),
        instrument_url=data.get("instrument", ""),
        support_domains=domains,
        ladder=ladder,
        cards=tuple(cards),
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
    """The shipped ``rules/advice.json`` (parsed once): the Balanscheck's advice."""
    return parse_advice_rules(_read("advice.json"))


# Advice files of other instruments (format of advice.json, no level rules): by Questionnaire url.
INSTRUMENT_ADVICE = ("carerqol_advice.json",)


@cache
def load_instrument_advice() -> dict[str, AdviceRules]:
    """The advice rules of every instrument that has its own (parsed once), by Questionnaire url."""
    base = load_advice_rules()
    found = {}
    for name in INSTRUMENT_ADVICE:
        rules = parse_advice_rules(_read(name), threshold_names=set(), inherit=base)
        found[rules.instrument_url] = rules
    return found


def advise_answers(instrument_result: ScoreResult, *, rules: AdviceRules | None = None) -> list[AdviceCard]:
    """The advice cards for an instrument without level rules (e.g. the CarerQol), from its
    answers and scores alone; [] when the instrument has no advice file."""
    rules = rules or load_instrument_advice().get(instrument_result.instrument.url)
    if rules is None:
        return []
    facts: dict[str, Any] = {f"score.{k}": v for k, v in instrument_result.scores.items()}
    facts.update({f"band.{k}": b.code for k, b in instrument_result.bands.items()})
    facts.update({f"answer.{k}": v for k, v in instrument_result.answers.items()})
    shown = [card for card, holds in rules.compiled if holds(facts, {})]
    return sorted(shown, key=lambda c: (not c.urgent, 0 if c.urgent else c.ladder_step))


# ------------------------------------------------------------------------------ levels and facts


def effective_thresholds(rules: LevelRules, override: dict[str, Number] | None = None) -> dict[str, Number]:
    """The thresholds of the rules, with a gemeente's override applied (unknown names are an error)."""
    values = {name: t.value for name, t in rules.thresholds.items()}
    problems = []
    for name, value in (override or {}).items():
        if name not in values:
            problems.append(f"threshold override: unknown threshold {name!r}")
        elif not conditions.is_number(value):
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
            found = self.formatted[name] = _format(value) if conditions.is_number(value) else f"{{{name}}}"
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
        if not _placeholders(text.nl, text.en):
            return text
        return Label(self.text(text.nl), self.text(text.en))


def derive_level(
    instrument_result: ScoreResult,
    thresholds_override: dict[str, Number] | None = None,
    *,
    rules: LevelRules | None = None,
) -> LevelResult:
    """The balance level of one Balanscheck response, with every reason, task insights and urgency.

    The model (README.md, "The level model"): the *base* level is the highest level of the
    ``self_report`` rules that hold (the caregiver's own rating of the burden and of "I cannot
    keep this up"). The ``context`` rules that hold add up their weights (+1 a risk signal, -1 a
    protective factor); at ``context_raise_at`` or more the level is one step above the base,
    never more. ``urgent`` is true when any urgent rule holds; the level is then at least the
    rules' ``urgent.level`` and its description says what the crisis means, and no reason that
    reassures is given. ``thresholds_override`` replaces named thresholds (e.g. a gemeente's own
    policy). The facts are read from the validated answers the score was computed from
    (``instrument_result.answers``).
    """
    rules = rules or load_level_rules()
    instrument = instrument_result.instrument
    if instrument.url != rules.instrument_url:
        raise ValueError(f"these level rules are for {rules.instrument_url}, not {instrument.url}")
    thresholds = effective_thresholds(rules, thresholds_override)
    cleaned = instrument_result.answers
    insights = _task_insights(instrument, cleaned, rules)
    bands = {k: b.code for k, b in instrument_result.bands.items()}
    facts = _facts(instrument, instrument_result.scores, bands, cleaned, insights)

    levels = rules.levels  # lowest rank first
    index = {lvl.code: i for i, lvl in enumerate(levels)}
    said = [r for r in rules.self_report if r.holds(facts, thresholds)]
    said.sort(key=lambda r: -index[r.level])  # type: ignore[index]
    base = index[said[0].level] if said else 0  # type: ignore[index]
    context = [r for r in rules.context if r.holds(facts, thresholds)]
    context_sum = sum(r.weight for r in context)
    raised = context_sum >= thresholds[RAISE_AT] and base < len(levels) - 1
    position = base + 1 if raised else base
    urgent_rules = [r for r in rules.urgent_rules if r.holds(facts, thresholds)]
    without_crisis = levels[position].code
    if urgent_rules:
        position = max(position, index[rules.urgent_level])
    level = levels[position]

    # "one step heavier than your own answers": only when that is what happened (a crisis may lift more)
    shown = [*said, *([rules.raised_reason] if raised and position == base + 1 else [])]
    shown += [r for r in context if r.weight > 0] + [r for r in context if r.weight < 0]
    if urgent_rules:
        shown = [r for r in shown if not r.reassures]
    elif not shown:
        shown = [rules.default_reason]
    fill = _Filler(facts, thresholds).label
    return LevelResult(
        code=level.code,
        label=level.label,
        description=rules.urgent_description if urgent_rules else level.description,
        reasons=tuple(Reason(r.code, r.level, fill(r.reason), r.source, r.kind) for r in shown),
        urgent=bool(urgent_rules),
        urgent_reasons=tuple(Reason(r.code, None, fill(r.reason), r.source, URGENT) for r in urgent_rules),
        tasks=insights["tasks"],
        pressure_points=insights["pressure_points"],
        energy_sources=insights["energy_sources"],
        transferable_tasks=insights["transferable_tasks"],
        scores=dict(instrument_result.scores),
        bands=bands,
        thresholds=thresholds,
        rules_version=rules.version,
        base=levels[base].code,
        without_crisis=without_crisis,
        context_sum=context_sum,
        instrument=instrument,
        answers=cleaned,
        facts=facts,
    )


def advise(level_result: LevelResult, *, rules: AdviceRules | None = None) -> list[AdviceCard]:
    """The advice cards whose condition holds: urgent cards first, then by Zorgladder step.

    The cards read the facts the level was derived from (validated answers: an answer to a
    disabled item never triggers advice). Ties keep the order of advice.json.
    """
    rules = rules or load_advice_rules()
    facts = dict(level_result.facts)
    facts.update(
        level=level_result.code,
        urgent=level_result.urgent,
        # What the load alone says: advice about the load (respite, nursing) follows this, not the
        # crisis, which has its own help (a calm "yes" to the safety question needs no nursing at home).
        level_without_crisis=level_result.without_crisis or level_result.code,
    )
    thresholds = level_result.thresholds
    urgent = level_result.urgent
    shown = [
        card for card, holds in rules.compiled if not (urgent and card.reassures) and holds(facts, thresholds)
    ]
    return sorted(shown, key=lambda c: (not c.urgent, 0 if c.urgent else c.ladder_step))  # stable: file order
