"""A Map's MaxConcurrency and tolerated-failure thresholds, read when the Map starts and checked as AWS checks them.

A static value is checked with the definition; a ``...Path`` value (JSONPath) or an expression (JSONata) is only
known at run time, and one that is not a number, is negative, or is a percentage outside 0..100 fails the
execution with States.Runtime and AWS's own message (never a Python error leaking as an internal one).
"""
from __future__ import annotations

from ..errors import RUNTIME
from ..jsonata import compile_typed
from ..jsonpath import JsonPath
from ..limits import dumps
from ..paths import required_reader

# field -> (what the value must be, the kind named when it is not, the message when it is out of range)
_RULES = {
    "MaxConcurrency": ("integer", lambda value: value >= 0,
                       "Expected non-negative integer for MaxConcurrency, got '{value}' instead."),
    "ToleratedFailureCount": ("integer", lambda value: value >= 0, "ToleratedFailureCount cannot be negative."),
    "ToleratedFailurePercentage": ("float", lambda value: 0 <= value <= 100,
                                   "ToleratedFailurePercentage must be between 0 and 100."),
}


def compile_limit(state, spec: dict, field: str, default):
    """``fn(run, raw, data)`` giving the field's value: static, from ``<field>Path``, or from an expression."""
    kind, in_range, out_of_range = _RULES[field]
    if field in spec and state.jsonata and isinstance(spec[field], str):
        evaluate = compile_typed(spec[field], field, "number")

        def from_expression(run, raw, data):
            value = evaluate(state.flow.states(run, raw), run)
            if (kind == "integer" and type(value) is float and not value.is_integer()) or not in_range(value):
                raise run.runtime_error(RUNTIME, out_of_range.format(value=dumps(value)))
            return int(value) if kind == "integer" else value
        return from_expression
    if field in spec:
        value = spec[field]
        return lambda run, raw, data: value
    path_field = field + "Path"
    if path_field not in spec:
        return lambda run, raw, data: default
    text = spec[path_field]
    read = required_reader(JsonPath(text))

    def from_path(run, raw, data):
        found = read(data, run)
        value = _parse(found, kind)
        if value is None:
            shown = found if isinstance(found, str) else dumps(found)
            raise run.runtime_error(RUNTIME, f'The {path_field} field refers to value "{shown}" which is not a '
                                             f'valid {kind}: {text}')
        if not in_range(value):
            raise run.runtime_error(RUNTIME, out_of_range.format(value=value))
        return value
    return from_path


def _parse(value, kind):
    """The number ``value`` stands for (a numeric string counts, as AWS reads one), or None."""
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            return None
    if type(value) is int or (kind == "float" and type(value) is float):
        return value
    return None
