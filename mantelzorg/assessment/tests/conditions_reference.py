"""The reference forms of the condition language (``conditions.py``), for tests only: ``evaluate``
compiles and runs one condition once; ``evaluate_tree`` walks the JSON, the plain meaning the
compiled closures are tested against."""

from __future__ import annotations

from typing import Any

from mantelzorg.assessment.conditions import COMPARISONS, compile_condition


def evaluate(condition: Any, facts: dict[str, Any], thresholds: dict[str, Any]) -> Any:
    """The value of a condition (a bool for every operator except var and threshold), compiled
    each time."""
    return compile_condition(condition)(facts, thresholds)


def evaluate_tree(condition: Any, facts: dict[str, Any], thresholds: dict[str, Any]) -> Any:
    """``evaluate`` by walking the JSON (the reference the compiled form is tested against)."""
    if isinstance(condition, list):
        return [evaluate_tree(element, facts, thresholds) for element in condition]
    if not isinstance(condition, dict):
        return condition
    ((op, arg),) = condition.items()
    if op == "var":
        return facts.get(arg)
    if op == "threshold":
        return thresholds[arg]
    if op == "and":
        return all(bool(evaluate_tree(c, facts, thresholds)) for c in arg)
    if op == "or":
        return any(bool(evaluate_tree(c, facts, thresholds)) for c in arg)
    if op == "not":
        return not evaluate_tree(arg, facts, thresholds)
    left, right = (evaluate_tree(a, facts, thresholds) for a in arg)
    return COMPARISONS[op](left, right)
