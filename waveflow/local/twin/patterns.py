"""EventBridge event patterns, as the EventBridge user guide defines them ("Creating event patterns").

A pattern mirrors the event: an object matches an object field by field (every field must match), a list holds
the conditions of one leaf (any one may match). Where the event holds an array, the pattern matches if any element
does — arrays of objects included, whose fields are matched across the elements as EventBridge flattens them
(moto's matcher misses that case, hence this module). Conditions: exact values (strings, numbers compared as
numbers, booleans, ``null``), ``prefix``, ``suffix`` (each also ``{"equals-ignore-case": ...}``),
``equals-ignore-case``, ``anything-but`` (a value, a list, or a ``prefix``/``suffix``/``equals-ignore-case``/
``wildcard`` condition), ``numeric`` (``["<", 10, ">=", 5]``), ``exists``, ``cidr``, ``wildcard``, and ``$or``.
A field absent from the event matches only ``{"exists": false}``. A malformed pattern is refused when loaded.

    >>> EventPattern({"detail-type": ["MigrationSucceeded", "MigrationFailed"]}).matches(
    ...     {"detail-type": "MigrationFailed", "detail": {}})
    True
"""
from __future__ import annotations

import ipaddress
import operator
import re
from typing import Any, Callable

_NUMERIC = {"<": operator.lt, "<=": operator.le, "=": operator.eq, ">=": operator.ge, ">": operator.gt}


class InvalidEventPattern(ValueError):
    """A pattern EventBridge would refuse (PutRule's InvalidEventPatternException)."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text_test(spec: Any, fold: Callable[[str], str], test: Callable[[str, str], bool]) -> Callable[[Any], bool]:
    if isinstance(spec, dict) and set(spec) == {"equals-ignore-case"}:
        return _text_test(spec["equals-ignore-case"], str.casefold, test)
    wanted = spec if isinstance(spec, list) else [spec]
    if not wanted or not all(isinstance(w, str) for w in wanted):
        raise InvalidEventPattern(f"expected a string or a list of strings, got {spec!r}")
    return lambda value: isinstance(value, str) and any(test(fold(value), fold(w)) for w in wanted)


def _wildcard(spec: Any) -> Callable[[Any], bool]:
    wanted = spec if isinstance(spec, list) else [spec]
    regexes = [re.compile("".join(".*" if part == "*" else re.escape(part.replace("\\*", "*"))
                                  for part in re.split(r"(?<!\\)(\*)", w)), re.DOTALL) for w in wanted]
    return lambda value: isinstance(value, str) and any(r.fullmatch(value) for r in regexes)


def _numeric(spec: Any) -> Callable[[Any], bool]:
    if not isinstance(spec, list) or len(spec) % 2 or not spec:
        raise InvalidEventPattern(f"numeric needs operator/number pairs, got {spec!r}")
    pairs = list(zip(spec[::2], spec[1::2]))
    for op, number in pairs:
        if op not in _NUMERIC or not _is_number(number):
            raise InvalidEventPattern(f"numeric: {op!r} {number!r} is not an operator and a number")
    return lambda value: _is_number(value) and all(_NUMERIC[op](value, number) for op, number in pairs)


def _cidr(spec: Any) -> Callable[[Any], bool]:
    network = ipaddress.ip_network(spec, strict=False)

    def test(value: Any) -> bool:
        try:
            return isinstance(value, str) and ipaddress.ip_address(value) in network
        except ValueError:
            return False
    return test


def _anything_but(spec: Any) -> Callable[[Any], bool]:
    if isinstance(spec, dict):
        inner = _condition(spec)
        return lambda value: value is not None and not inner(value)
    excluded = [_exact(item) for item in (spec if isinstance(spec, list) else [spec])]
    return lambda value: not any(test(value) for test in excluded)


def _exact(expected: Any) -> Callable[[Any], bool]:
    if _is_number(expected):
        return lambda value: _is_number(value) and float(value) == float(expected)
    if isinstance(expected, (str, bool)) or expected is None:
        return lambda value: type(value) is type(expected) and value == expected
    raise InvalidEventPattern(f"{expected!r} is not a value a pattern can match")


_CONDITIONS: dict[str, Callable[[Any], Callable[[Any], bool]]] = {
    "prefix": lambda spec: _text_test(spec, str, str.startswith),
    "suffix": lambda spec: _text_test(spec, str, str.endswith),
    "equals-ignore-case": lambda spec: _text_test(spec, str.casefold, str.__eq__),
    "anything-but": _anything_but,
    "numeric": _numeric,
    "cidr": _cidr,
    "wildcard": _wildcard,
}


def _condition(spec: Any) -> Callable[[Any], bool]:
    """The test of one condition of a leaf list (not ``exists``, which looks at presence)."""
    if not isinstance(spec, dict):
        return _exact(spec)
    if len(spec) != 1 or next(iter(spec)) not in _CONDITIONS:
        raise InvalidEventPattern(f"unknown condition {spec!r}; known: exists, {', '.join(sorted(_CONDITIONS))}")
    name, value = next(iter(spec.items()))
    return _CONDITIONS[name](value)


class EventPattern:
    """A compiled pattern; ``matches(event)`` for an event as EventBridge delivers it (``detail`` an object)."""

    def __init__(self, pattern: dict[str, Any]) -> None:
        if not isinstance(pattern, dict) or not pattern:
            raise InvalidEventPattern("an event pattern is a non-empty JSON object")
        self.pattern = pattern
        self._test = self._compile(pattern, "")

    def matches(self, event: dict[str, Any]) -> bool:
        return self._test([event])

    def _compile(self, pattern: dict, where: str) -> Callable[[list], bool]:
        tests = []
        for key, rule in pattern.items():
            path = f"{where}.{key}" if where else key
            if key == "$or":
                if not isinstance(rule, list) or len(rule) < 2 or not all(isinstance(r, dict) for r in rule):
                    raise InvalidEventPattern(f"{path}: $or needs a list of at least two patterns")
                alternatives = [self._compile(alternative, where) for alternative in rule]
                tests.append(lambda nodes, alternatives=alternatives: any(alt(nodes) for alt in alternatives))
            elif isinstance(rule, dict):
                tests.append(self._object_test(key, self._compile(rule, path)))
            elif isinstance(rule, list) and rule:
                tests.append(self._leaf_test(key, rule, path))
            else:
                raise InvalidEventPattern(f"{path}: must be an object or a non-empty list, got {rule!r}")
        return lambda nodes: all(test(nodes) for test in tests)

    @staticmethod
    def _object_test(key: str, inner: Callable[[list], bool]) -> Callable[[list], bool]:
        def test(nodes: list) -> bool:
            children = [value for value in _values(nodes, key) if isinstance(value, dict)]
            return bool(children) and inner(children)
        return test

    @staticmethod
    def _leaf_test(key: str, rule: list, path: str) -> Callable[[list], bool]:
        exists = [c["exists"] for c in rule if isinstance(c, dict) and set(c) == {"exists"}]
        if any(not isinstance(flag, bool) for flag in exists):
            raise InvalidEventPattern(f"{path}: exists takes true or false")
        try:
            conditions = [_condition(c) for c in rule if not (isinstance(c, dict) and set(c) == {"exists"})]
        except InvalidEventPattern as exc:
            raise InvalidEventPattern(f"{path}: {exc}") from None

        def test(nodes: list) -> bool:
            leaves = [value for value in _values(nodes, key) if not isinstance(value, dict)]
            return any(bool(leaves) == flag for flag in exists) or any(
                condition(leaf) for condition in conditions for leaf in leaves)
        return test


def _values(nodes: list, key: str) -> list:
    """The values of ``key`` in every node, with arrays flattened into their elements."""
    found = []
    for node in nodes:
        if isinstance(node, dict) and key in node:
            value = node[key]
            found.extend(value if isinstance(value, list) else [value])
    return found
