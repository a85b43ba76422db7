"""Choice rules as short readable text (``$.testLaunch is present and $.testLaunch == false``), for edge labels.

JSONPath rules are spelled with the operators a reviewer reads in code; a JSONata ``Condition`` is shown as its
expression. A rule this module does not know is shown by its comparison key, never dropped.
"""
from __future__ import annotations

import json

_COMPARISONS = {
    "Equals": "==", "LessThan": "<", "GreaterThan": ">", "LessThanEquals": "<=", "GreaterThanEquals": ">=",
}
_TYPES = ("String", "Numeric", "Boolean", "Timestamp")
_TESTS = {"IsPresent": ("is present", "is absent"), "IsNull": ("is null", "is not null"),
          "IsNumeric": ("is numeric", "is not numeric"), "IsString": ("is a string", "is not a string"),
          "IsBoolean": ("is a boolean", "is not a boolean"),
          "IsTimestamp": ("is a timestamp", "is not a timestamp")}


def describe(rule: dict) -> str:
    """``{"Variable": "$.n", "NumericLessThan": 3}`` -> ``$.n < 3``.

    >>> describe({"Not": {"Variable": "$.ok", "BooleanEquals": True}})
    'not ($.ok == true)'
    """
    if not isinstance(rule, dict):
        return "?"
    if "Condition" in rule:
        return _jsonata(rule["Condition"])
    if "And" in rule:
        return " and ".join(_grouped(r, "Or") for r in rule["And"] or [])
    if "Or" in rule:
        return " or ".join(_grouped(r, "And") for r in rule["Or"] or [])
    if "Not" in rule:
        return f"not ({describe(rule['Not'])})"
    variable = rule.get("Variable", "?")
    for key, value in rule.items():
        if key in _TESTS:
            yes, no = _TESTS[key]
            return f"{variable} {yes if value else no}"
        text = _comparison(key, value)
        if text is not None:
            return f"{variable} {text}"
    return f"{variable} ?"


def _grouped(rule: dict, other: str) -> str:
    """A nested And inside an Or (or the reverse) keeps its parentheses."""
    text = describe(rule)
    return f"({text})" if isinstance(rule, dict) and other in rule else text


def _comparison(key: str, value) -> str | None:
    path = key.endswith("Path")
    bare = key[:-4] if path else key
    if bare == "StringMatches":
        return f"matches {value if path else json.dumps(value)}"
    for kind in _TYPES:
        if bare.startswith(kind) and bare[len(kind):] in _COMPARISONS:
            shown = value if path else json.dumps(value, ensure_ascii=False)
            return f"{_COMPARISONS[bare[len(kind):]]} {shown}"
    return None


def _jsonata(condition) -> str:
    text = condition if isinstance(condition, str) else json.dumps(condition)
    text = text.strip()
    if text.startswith("{%") and text.endswith("%}"):
        text = text[2:-2].strip()
    return text
