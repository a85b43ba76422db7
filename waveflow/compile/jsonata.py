"""JSONata at build time: every ``{% %}`` expression the build writes is parsed with the parser the local
interpreter uses (jsonata-python), so one that does not parse fails the build instead of the execution; and
JSONPath reference paths are written as JSONata where a state must tolerate a missing field.
"""
from __future__ import annotations

import re
import sys
from functools import lru_cache

#: Fields holding other states, checked where those states are compiled.
_NESTED = ("Branches", "ItemProcessor", "Iterator")
_STEP = re.compile(r"\.([^.\[\]\s'\"]+)|\['([^']*)'\]|\[(\d+)\]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = {"and", "or", "in", "true", "false", "null", "function"}


@lru_cache(maxsize=1)
def _parser():
    """The parser class, imported on first use. Importing jsonata raises the process-wide recursion limit to
    10,000; the build has no use for that, so the limit it found is put back."""
    limit = sys.getrecursionlimit()
    try:
        from jsonata import Jsonata
    finally:
        sys.setrecursionlimit(limit)
    return Jsonata


def parse_problem(expression: str) -> str | None:
    """Why ``expression`` (the text between ``{%`` and ``%}``) does not parse, or ``None`` when it does."""
    try:
        _parser()(expression)
    except Exception as exc:  # the parser raises JException, and plain Python errors on odd input
        return str(exc) or type(exc).__name__
    return None


def expression_problems(body: dict) -> list[str]:
    """Every ``{% %}`` expression of one JSONata state's ASL (not of the states nested in it) that does not
    parse, as ``'<field>: JSONata ... does not parse: <reason>'``."""
    found: list[str] = []
    stack = [(key, value) for key, value in body.items() if key not in _NESTED]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack += [(f"{where}.{key}", item) for key, item in value.items()]
        elif isinstance(value, list):
            stack += [(f"{where}[{index}]", item) for index, item in enumerate(value)]
        elif isinstance(value, str) and value.startswith("{%") and value.endswith("%}"):
            text = value[2:-2].strip()
            if problem := parse_problem(text):
                found.append(f"{where}: JSONata {text!r} does not parse: {problem}")
    return sorted(found)


def from_reference_path(path: str) -> str:
    """The JSONata that reads what a JSONPath reference path reads.

    >>> from_reference_path("$.error['Cause']")
    '$states.input.error.Cause'

    Raises ``ValueError`` for a path that may select several values (``*``, filters).
    """
    context = path.startswith("$$")
    rest = path[2:] if context else path[1:]
    out = ["$states.context" if context else "$states.input"]
    at = 0
    while at < len(rest):
        step = _STEP.match(rest, at)
        if step is None or step.group(1) == "*":
            raise ValueError(f"{path!r} may select several values; give a path to one field, such as '$.error.Cause'")
        name, quoted, index = step.groups()
        key = name if name is not None else quoted
        if index is not None:
            out.append(f"[{index}]")
        elif _NAME.fullmatch(key) and key not in _KEYWORDS:
            out.append(f".{key}")
        elif "`" not in key:
            out.append(f".`{key}`")
        else:
            raise ValueError(f"{path!r}: a field name with a backquote cannot be read in JSONata")
        at = step.end()
    return "".join(out)


def single_field_problem(path: str) -> str | None:
    """Why ``from_reference_path`` cannot read ``path`` (a valid JSONPath that may select several values), or None."""
    try:
        from_reference_path(path)
    except ValueError as exc:
        return str(exc)
    return None


def tolerant_fail(error: str | None, cause: str) -> dict:
    """``Error`` (when read from the input) and ``Cause`` of a JSONata Fail that still ends with the error when
    the cause is missing: a caught error's output only "usually contains the field Cause" (developer guide,
    "Error output"), and a JSONPath Fail whose CausePath is missing ends with States.Runtime instead."""
    out = {"Error": "{% " + error + " %}"} if error is not None else {}
    out["Cause"] = "{% $exists(" + cause + ") ? " + cause + " : '' %}"
    return out
