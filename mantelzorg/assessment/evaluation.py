"""Evaluating answers: scores, and for the Balanscheck the level (with the gemeente's thresholds)
and advice. A computation, not a read: nothing here touches the database except the registry's
cached thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

from . import balance, engine
from .registry import thresholds_for


def label(text: engine.Label) -> str:
    """A Label in the active language (Dutch unless English is chosen)."""
    return text.en if (get_language() or "nl").startswith("en") else text.nl


@dataclass
class Outcome:
    instrument: engine.Instrument
    result: engine.ScoreResult
    level: balance.LevelResult | None = None
    advice: list[balance.AdviceCard] = field(default_factory=list)
    place: Any = None  # core.geo.Place
    municipality: Any = None

    @property
    def answers(self) -> dict:
        return self.result.answers

    @property
    def support_domains(self) -> list[str]:
        """The vraaggebieden of the (non-urgent) advice, in advice order, without repeats."""
        seen: list[str] = []
        for card in self.advice:
            if not card.urgent and card.support_domain not in seen:
                seen.append(card.support_domain)
        return seen

    @property
    def helpline(self) -> balance.AdviceCard | None:
        """The helpline card (advice.json, ``helpline``) for a Balanscheck result."""
        return balance.load_advice_rules().helpline if self.level else None

    @property
    def urgent_cards(self) -> list[balance.AdviceCard]:
        return [c for c in self.advice if c.urgent]

    @property
    def other_cards(self) -> list[balance.AdviceCard]:
        return [c for c in self.advice if not c.urgent]

    @property
    def has_bands(self) -> bool:
        """Whether any score has a band (a meaning from a source); else the table has no such column."""
        return bool(self.result.bands)

    def score_rows(self) -> list[dict]:
        """(label, value, band label) for every score, in the instrument's order."""
        rows = []
        definitions = {d.code: d for d in self.instrument.scores}
        dimensions = dimension_labels(self.instrument)
        for key, value in self.result.scores.items():
            code, _, dimension = key.partition(".")
            definition = definitions.get(code)
            name = label(definition.label) if definition else key
            if dimension:
                name = f"{name}: {dimensions.get(dimension, dimension)}"
            band = self.result.bands.get(key)
            rows.append(
                {"code": key, "label": name, "value": value, "band": label(band.label) if band else ""}
            )
        return rows

    def score_summary(self) -> list[dict]:
        """The instrument's own scores (not per dimension) with their range and direction, for a
        sentence such as "7 of 14; higher is better" (the CarerQol has no bands to give meaning)."""
        rows = []
        for definition in self.instrument.scores:
            if definition.code not in self.result.scores:
                continue
            value_range = engine.score_ranges(definition, self.instrument.items).get(definition.code)
            band = self.result.bands.get(definition.code)
            rows.append(
                {
                    "code": definition.code,
                    "label": label(definition.label),
                    "value": self.result.scores[definition.code],
                    "low": value_range[0] if value_range else None,
                    "high": value_range[1] if value_range else None,
                    "better": definition.direction == "higher_is_better",
                    "band": label(band.label) if band else "",
                }
            )
        return rows

    def answer_groups(self) -> dict[str, list[tuple[str, str]]]:
        """The choice answers by how much they weigh: "heavy" (the option that weighs most),
        "some" (in between) and "fine" (the lightest). Ordinal values rise with burden in every
        instrument (README), so this needs no knowledge of the instrument."""
        groups: dict[str, list[tuple[str, str]]] = {"heavy": [], "some": [], "fine": []}
        for item in self.instrument.questions:
            code = self.answers.get(item.link_id)
            if item.type != "choice" or code is None or not item.ordinals:
                continue
            value, values = item.ordinals[code], item.ordinals.values()
            group = "heavy" if value == max(values) else "fine" if value == min(values) else "some"
            option = item.option(code)
            groups[group].append((label(item.text), label(option.display) if option else code))
        return groups

    @property
    def hard_answers(self) -> tuple[int, int]:
        """(answers that weigh somewhat or most, choice answers in all): "at 5 of the 7 questions"."""
        groups = self.answer_groups()
        hard = len(groups["heavy"]) + len(groups["some"])
        return hard, hard + len(groups["fine"])


def dimension_labels(instrument: engine.Instrument) -> dict[str, str]:
    """Display names of the instrument's dimension codes (the item codings' ``display``, with
    their translation), so that a per-dimension score is never shown by its code."""
    found: dict[str, str] = {}

    def walk(items):
        for item in items:
            for coding in item.get("code", [])[:1]:
                found.setdefault(coding["code"], label(engine.label_of(coding, "display")) or coding["code"])
            walk(item.get("item", []))

    walk(instrument.resource.get("item", []))
    return found


def evaluate(
    instrument: engine.Instrument, answers: dict, *, place=None, thresholds: dict | None = None
) -> Outcome:
    """Score answers; for the Balanscheck also the level (with the gemeente's thresholds) and advice.

    Raises ``engine.ResponseValidationError`` for invalid answers.
    """
    municipality = place.municipality if place is not None else None
    result = engine.score(instrument, answers)
    outcome = Outcome(instrument=instrument, result=result, place=place, municipality=municipality)
    if instrument.url == balance.load_level_rules().instrument_url:
        override = thresholds if thresholds is not None else thresholds_for(municipality)
        try:
            outcome.level = balance.derive_level(result, override)
        except engine.DefinitionError:  # a broken local override must not break the check
            outcome.level = balance.derive_level(result)
        outcome.advice = balance.advise(outcome.level)
    else:
        outcome.advice = balance.advise_answers(result)
    return outcome
