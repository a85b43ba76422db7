"""The bounds of one JSONata evaluation, and how a failed evaluation reads in a cause.

AWS ends an expression that nests too deep, holds too much or runs too long, and fails the state with
States.QueryEvaluationError. The bounds measured on AWS (see the README's interpreter section): evaluation depth 100
(a 100-term ``1+1+...`` evaluates, 101 terms do not), a sequence of 873,782 numbers, a string of 2^22 characters
(2^23 is refused). AWS's time bound is a wall clock and unpublished; here it is a count of evaluation steps, so a
run repeats exactly on any machine.

The meter rides on the library's own entry/exit callbacks (the hooks its Timebox uses), bound fresh for each
evaluation, so no state leaks from one evaluation into the next.
"""
from __future__ import annotations

import json
import re

from .jsonata_engine import JException, Utils

MAX_DEPTH = 100
MAX_STEPS = 1_000_000
MAX_ITEMS = 873_782       # elements of one sequence or array
MAX_CHARACTERS = 6_990_256  # characters of one string (AWS's bound is on bytes held; a character counts as one)

STACK_OVERFLOW = ("Stack overflow error: Check for non-terminating recursive function. Consider rewriting as "
                  "tail-recursive.")
TIMEOUT = "Expression evaluation timeout: Check for infinite loop"
MEMORY = "Expression evaluation memory limit exceeded: Check for excessive memory usage"


class EvaluationBound(Exception):
    """Raised inside an evaluation that passed one of AWS's bounds; the message is AWS's."""


class Meter:
    """Counts the depth and the steps of one evaluation and the size of what each step returns."""

    __slots__ = ("depth", "steps")

    def __init__(self):
        self.depth = 0
        self.steps = 0

    def bindings(self) -> dict:
        """The two callback bindings the library looks up on every evaluation step."""
        return {"__evaluate_entry": self._enter, "__evaluate_exit": self._leave}

    def _enter(self, expr, input, environment):
        if environment.is_parallel_call:
            return
        self.depth += 1
        self.steps += 1
        if self.depth > MAX_DEPTH:
            raise EvaluationBound(STACK_OVERFLOW)
        if self.steps > MAX_STEPS:
            raise EvaluationBound(TIMEOUT)

    def _leave(self, expr, input, environment, result):
        if environment.is_parallel_call:
            return
        self.depth -= 1
        check_held(result)


def check_held(value) -> None:
    """Refuse a value larger than AWS lets an expression hold (checked on sizes, in constant time)."""
    if isinstance(value, list) and _items(value) > MAX_ITEMS or isinstance(value, str) and len(value) > MAX_CHARACTERS:
        raise EvaluationBound(MEMORY)


def _items(sequence: list) -> int:
    # A lazy range ([1..n]) reports one element more than it yields (jsonata-python 0.7's RangeList.__len__).
    if isinstance(sequence, Utils.RangeList):
        return sequence.b - sequence.a
    return len(sequence)


# jsonata-js names an array signature's element type in words; jsonata-python keeps the signature letter.
_ARRAY_TYPES = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}
_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")


def describe(exc: Exception) -> str:
    """The tail of AWS's cause for a failed evaluation: ``. T1006: Attempted to invoke a non-function`` for a
    JSONata error (the code, then jsonata-js's message), ``: <message>`` for a bound or any other failure."""
    if isinstance(exc, JException):
        template = JException.error_codes.get(exc.error)
        if template is not None:
            return f". {exc.error}: {_render(exc, template)}"
        return f": {exc}"
    if isinstance(exc, EvaluationBound):
        return f": {exc}"
    return f": {type(exc).__name__}: {exc}"


def _render(exc: JException, template: str) -> str:
    """jsonata-js's message: its catalog says "function" where jsonata-python's says "Object", renders a
    ``{{value}}`` as JSON and a ``{{{value}}}`` as it is."""
    values = iter((exc.current, exc.expected, exc.extra))

    def fill(match):
        value = next(values, None)
        if match.group(1) is not None:
            return str(value)
        if match.group(2) == "type" and value in _ARRAY_TYPES:
            value = _ARRAY_TYPES[value]
        return json.dumps(value, default=str) if value is not None else "undefined"
    return _PLACEHOLDER.sub(fill, template.replace("Object", "function"))
