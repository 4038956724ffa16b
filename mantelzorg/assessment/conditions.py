"""A tiny condition language for the rule files (a small subset of JsonLogic, https://jsonlogic.com).

A condition is JSON. Literals are numbers, strings, booleans, null and lists of literals. An
operation is an object with exactly one key, the operator:

    {"var": "score.overall_burden"}      the value of a fact (null when there is no such fact)
    {"threshold": "burden_heavy"}        the value of a named threshold (overridable per gemeente)
    {"and": [c1, c2, ...]}               true when every condition is true
    {"or": [c1, c2, ...]}                true when at least one condition is true
    {"not": c}                           true when c is false
    {"==": [a, b]}   {"!=": [a, b]}      equal / not equal (a number never equals a boolean)
    {">=": [a, b]}   {">": [a, b]}       numeric comparisons; false when either side is not a number
    {"<=": [a, b]}   {"<": [a, b]}
    {"in": [a, list]}                    a is one of the elements of list
    {"intersects": [list1, list2]}       the lists share at least one element

Example: "the overall burden is at least the heavy threshold and nobody helps"::

    {"and": [{">=": [{"var": "score.overall_burden"}, {"threshold": "burden_heavy"}]},
             {"==": [{"var": "answer.network.help"}, "none"]}]}

Nothing is ever evaluated as code. ``check`` finds mistakes when a rule file is loaded;
``compile_condition`` turns a condition into a tree of closures, a function of (facts,
thresholds), which the rule tables keep (``balance.Rule.holds``). The plain tree walk it is
tested against lives with the tests (``tests/conditions_reference.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any


def is_number(value: Any) -> bool:
    """A number for the rules: int or float (also a subclass), never a bool."""
    kind = type(value)
    if kind is int or kind is float:
        return True
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers(a: Any, b: Any) -> bool:
    return is_number(a) and is_number(b)


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return _numbers(a, b) or type(a) is type(b)


def _intersects(a: Any, b: Any) -> bool:
    return isinstance(a, list) and isinstance(b, list) and any(x in b for x in a)


COMPARISONS = {
    "==": lambda a, b: _same_kind(a, b) and a == b,
    "!=": lambda a, b: not (_same_kind(a, b) and a == b),
    ">=": lambda a, b: _numbers(a, b) and a >= b,
    ">": lambda a, b: _numbers(a, b) and a > b,
    "<=": lambda a, b: _numbers(a, b) and a <= b,
    "<": lambda a, b: _numbers(a, b) and a < b,
    "in": lambda a, b: isinstance(b, list) and any(_same_kind(a, x) and a == x for x in b),
    "intersects": _intersects,
}
OPERATORS = frozenset(COMPARISONS) | {"var", "threshold", "and", "or", "not"}


def check(
    condition: Any, thresholds: Collection[str], known_var: Callable[[str], bool], where: str
) -> list[str]:
    """Every problem in a condition: unknown operators, wrong arity, unknown thresholds or facts."""
    problems: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for element in node:
                walk(element)
            return
        if not isinstance(node, dict):
            return  # a literal
        if len(node) != 1:
            problems.append(f"{where}: an operation must have exactly one key, got {sorted(node)}")
            return
        ((op, arg),) = node.items()
        if op not in OPERATORS:
            problems.append(f"{where}: unknown operator {op!r}")
        elif op == "var":
            if not isinstance(arg, str) or not known_var(arg):
                problems.append(f"{where}: unknown fact {arg!r}")
        elif op == "threshold":
            if arg not in thresholds:
                problems.append(f"{where}: unknown threshold {arg!r}")
        elif op == "not":
            walk(arg)
        elif op in ("and", "or"):
            if not isinstance(arg, list) or not arg:
                problems.append(f"{where}: {op!r} needs a non-empty list")
            else:
                walk(arg)
        elif not isinstance(arg, list) or len(arg) != 2:
            problems.append(f"{where}: {op!r} needs a list of two operands")
        else:
            walk(arg)

    walk(condition)
    return problems


Compiled = Callable[[dict[str, Any], dict[str, Any]], Any]


def compile_condition(condition: Any) -> Compiled:
    """The condition as a Python function of (facts, thresholds), built from closures (never from
    source text); it gives the same value as the tree walk of ``tests/conditions_reference.py`` and runs
    several times faster.

    The common shapes get a closure of their own: a fact compared with a threshold or a literal,
    ``in`` a literal list of texts or of numbers, ``intersects`` a literal list."""
    if isinstance(condition, list):
        parts = [compile_condition(element) for element in condition]
        return lambda facts, thresholds: [part(facts, thresholds) for part in parts]
    if not isinstance(condition, dict):
        return lambda facts, thresholds: condition
    ((op, arg),) = condition.items()
    if op == "var":
        return lambda facts, thresholds: facts.get(arg)
    if op == "threshold":
        return lambda facts, thresholds: thresholds[arg]
    if op in ("and", "or"):
        return _all_of([compile_condition(c) for c in arg], op == "and")
    if op == "not":
        inner = compile_condition(arg)
        return lambda facts, thresholds: not inner(facts, thresholds)
    return _compare(op, *arg)


def _all_of(parts: list[Compiled], every: bool) -> Compiled:
    """``and`` (every part true) or ``or`` (some part true), stopping at the first that decides."""

    def all_of(facts: dict[str, Any], thresholds: dict[str, Any]) -> bool:
        for part in parts:
            if not part(facts, thresholds):
                return False
        return True

    def any_of(facts: dict[str, Any], thresholds: dict[str, Any]) -> bool:
        for part in parts:
            if part(facts, thresholds):
                return True
        return False

    return all_of if every else any_of


def _is_fact(node: Any) -> bool:
    return isinstance(node, dict) and len(node) == 1 and "var" in node


def _is_literal(node: Any) -> bool:
    return not isinstance(node, dict | list)


def _compare(op: str, left: Any, right: Any) -> Compiled:
    compare = COMPARISONS[op]
    if _is_fact(left):
        name = left["var"]
        if isinstance(right, dict) and len(right) == 1 and "threshold" in right:
            threshold = right["threshold"]
            return lambda facts, thresholds: compare(facts.get(name), thresholds[threshold])
        if _is_literal(right):
            if op == "==" and isinstance(right, bool):
                return lambda facts, thresholds: facts.get(name) is right
            if op == "==" and type(right) is str:
                return lambda facts, thresholds: type(value := facts.get(name)) is str and value == right
            return lambda facts, thresholds: compare(facts.get(name), right)
        if isinstance(right, list) and right and all(_is_literal(x) for x in right):
            if op == "in" and all(type(x) is str for x in right):
                texts = frozenset(right)  # same kind as a text: exactly a str
                return lambda facts, thresholds: type(value := facts.get(name)) is str and value in texts
            if op == "in" and all(is_number(x) and x == x for x in right):  # x == x: not NaN
                numbers = frozenset(right)  # a number equals a number of the list (1 == 1.0)
                return lambda facts, thresholds: is_number(value := facts.get(name)) and value in numbers
            if op == "intersects":
                return lambda facts, thresholds: (
                    isinstance(value := facts.get(name), list) and any(x in right for x in value)
                )
    if op == "in" and type(left) is str and _is_fact(right):  # "night_care" in the tasks
        name = right["var"]
        return lambda facts, thresholds: (
            isinstance(value := facts.get(name), list)
            and left in value  # necessary; then exactly as COMPARISONS["in"] (plain text only)
            and any(type(x) is str and x == left for x in value)
        )
    first, second = compile_condition(left), compile_condition(right)
    return lambda facts, thresholds: compare(first(facts, thresholds), second(facts, thresholds))
