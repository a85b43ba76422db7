"""Choice rules of the JSONPath query language, compiled into predicates ``fn(data, run) -> bool``.

Comparison operators are generated from two tables (value types x comparisons) rather than written out one by
one; each ``*Path`` variant reads its operand from the input. A Variable that does not resolve is an error
(States.Runtime), except for ``IsPresent``, whose whole purpose is to ask.
"""
from __future__ import annotations

import operator

from ..errors import RUNTIME
from ..jsonpath import JsonPath, PathNotFound
from ..paths import compile_template, reader, resolve
from ..timestamps import parse_timestamp
from ..wildcard import compile_wildcard


def _is_number(value) -> bool:
    return type(value) in (int, float)


def _as_string(value):
    return value if isinstance(value, str) else None


def _as_number(value):
    return value if _is_number(value) else None


def _as_boolean(value):
    return value if type(value) is bool else None


# value type -> converter returning None for a value of the wrong type
_TYPES = {"String": _as_string, "Numeric": _as_number, "Boolean": _as_boolean, "Timestamp": parse_timestamp}
_COMPARISONS = {"Equals": operator.eq, "LessThan": operator.lt, "GreaterThan": operator.gt,
                "LessThanEquals": operator.le, "GreaterThanEquals": operator.ge}
_TYPE_TESTS = {
    "IsNull": lambda value: value is None,
    "IsNumeric": _is_number,
    "IsString": lambda value: isinstance(value, str),
    "IsBoolean": lambda value: type(value) is bool,
    "IsTimestamp": lambda value: parse_timestamp(value) is not None,
}


def comparison_operators() -> list[str]:
    """Every comparison operator name ASL defines (validation uses this list)."""
    names = [t + c for t in _TYPES for c in _COMPARISONS if not (t == "Boolean" and c != "Equals")]
    names.append("StringMatches")
    return names + [name + "Path" for name in names if name != "StringMatches"]


def type_test_operators() -> list[str]:
    return [*_TYPE_TESTS, "IsPresent"]


def compile_rule(rule: dict):
    """Compile one rule (or a nested boolean expression) into a predicate."""
    if "And" in rule:
        parts = [compile_rule(r) for r in rule["And"]]
        return lambda data, run: all(part(data, run) for part in parts)
    if "Or" in rule:
        parts = [compile_rule(r) for r in rule["Or"]]
        return lambda data, run: any(part(data, run) for part in parts)
    if "Not" in rule:
        inner = compile_rule(rule["Not"])
        return lambda data, run: not inner(data, run)
    variable = JsonPath(rule["Variable"])
    name = next(key for key in rule if key not in ("Variable", "Next", "Comment", "Assign", "Output"))
    expected = rule[name]
    if name == "IsPresent":
        return lambda data, run: _exists(variable, data, run) == expected
    read = _reader(variable, rule["Variable"])
    if name in _TYPE_TESTS:
        test = _TYPE_TESTS[name]
        return lambda data, run: test(read(data, run)) == expected
    if name == "StringMatches":
        matches = compile_wildcard(expected)
        return lambda data, run: isinstance(v := read(data, run), str) and matches(v)
    base = name[:-4] if name.endswith("Path") else name
    kind = next(t for t in _TYPES if base.startswith(t))
    convert, compare = _TYPES[kind], _COMPARISONS[base[len(kind):]]
    if name.endswith("Path"):
        read_other = _reader(JsonPath(expected), expected)
        other = lambda data, run: convert(read_other(data, run))  # noqa: E731
    else:
        constant = convert(expected)
        other = lambda data, run: constant  # noqa: E731

    def predicate(data, run):
        left = convert(read(data, run))
        right = other(data, run)
        return left is not None and right is not None and compare(left, right)
    return predicate


def compile_rule_assign(rule: dict):
    return compile_template(rule["Assign"], "Assign") if "Assign" in rule else None


def _exists(path, data, run) -> bool:
    try:
        value = resolve(path, data, run)
    except PathNotFound:
        return False
    return path.definite or bool(value)


def _reader(path: JsonPath, text: str):
    get = reader(path)

    def read(data, run):
        try:
            return get(data, run)
        except PathNotFound:
            raise run.runtime_error(RUNTIME, f"Invalid path '{text}': The choice state's condition path references "
                                             f"an invalid value.") from None
    return read
