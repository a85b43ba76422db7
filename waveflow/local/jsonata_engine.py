"""jsonata-python as Step Functions runs it: the one place the library is imported, and its values converted.

Importing it raises the process-wide recursion limit to 10,000 (its module initialiser calls
``sys.setrecursionlimit``); the limit is put back at once. The interpreter does not need it: JSONata evaluation is
bounded to depth 100 (``jsonata_limits``), far inside Python's default limit.
"""
from __future__ import annotations

import sys

_RECURSION_LIMIT = sys.getrecursionlimit()
from jsonata import JException, Jsonata  # noqa: E402
from jsonata.utils import Utils  # noqa: E402

sys.setrecursionlimit(_RECURSION_LIMIT)

__all__ = ["JException", "Jsonata", "NULL", "StepFunctionsJsonata", "Utils", "from_jsonata", "to_jsonata"]

NULL = Utils.NULL_VALUE


class StepFunctionsJsonata(Jsonata):
    """jsonata-python with jsonata-js's ``in``: an item matches by strict equality (``true in [1]`` is false;
    Python's ``==`` would say true), and an object or array only when it is the very same one."""

    def evaluate_includes_expression(self, lhs, rhs):
        if lhs is None or rhs is None:
            return False
        return any(_strictly_equal(item, lhs) for item in (rhs if isinstance(rhs, list) else [rhs]))


def _strictly_equal(a, b) -> bool:
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    return (type(a) is bool) == (type(b) is bool) and a == b


def to_jsonata(value):
    """Python None is JSONata 'undefined'; JSON null must be passed as jsonata's NULL marker."""
    if value is None:
        return NULL
    if type(value) is dict:
        return {key: to_jsonata(item) for key, item in value.items()}
    if type(value) is list:
        return [to_jsonata(item) for item in value]
    return value


def from_jsonata(value):
    """Back to plain JSON values: NULL becomes None, and jsonata's ``JList`` (and any other list or dict
    subclass) becomes a plain list or dict, because the JSONPath side and the intrinsics test ``type(v) is list``.
    """
    cls = type(value)
    if cls is str or cls is int or cls is float or cls is bool:
        return value
    if value is NULL:
        return None
    if isinstance(value, list):
        return [from_jsonata(item) for item in value]
    if isinstance(value, dict):
        return {key: from_jsonata(item) for key, item in value.items()}
    return value
