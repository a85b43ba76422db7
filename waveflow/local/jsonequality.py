"""Equality of JSON values, as JSON defines it rather than as Python does.

Python holds ``True == 1`` and ``[True] == [1]``; JSON's booleans are not numbers, at any depth. Numbers compare
by value (``1`` equals ``1.0``), objects by their members whatever their order. Every place the interpreter
compares values it did not write itself (intrinsics, JSONPath filters) goes through here.
"""
from __future__ import annotations

from typing import Any


def json_equal(left: Any, right: Any) -> bool:
    """JSON equality.

    >>> json_equal([[True]], [[1]]), json_equal({"a": 1, "b": [2.0]}, {"b": [2], "a": 1})
    (False, True)
    """
    return json_key(left) == json_key(right)


def json_key(value: Any):
    """A hashable stand-in for ``value`` that is equal for JSON-equal values (``States.ArrayUnique``'s key)."""
    kind = type(value)
    if kind is bool:
        return ("boolean", value)
    if kind is int or kind is float:
        return ("number", value)
    if isinstance(value, str):
        return ("string", str(value))
    if value is None:
        return ("null",)
    if kind is list:
        return ("array", tuple(json_key(item) for item in value))
    return ("object", frozenset((key, json_key(item)) for key, item in value.items()))
