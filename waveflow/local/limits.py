"""Service quotas of Step Functions that the local runtime enforces, and JSON read, written and measured as they
count against them.

Sizes are measured by walking the value, not by serialising it: a value may hold the same object many times (a
``Parameters`` that copies ``$`` twice, the matches of ``$..*``), and its JSON text can then be far larger than
the memory it takes. The walk stops as soon as the value is known to be over the limit, so refusing a value
costs at most one payload's worth of work, however large the value would be as text.
"""
from __future__ import annotations

import json
import marshal
from json.encoder import encode_basestring
from typing import Any, NamedTuple

MAX_PAYLOAD_BYTES = 262_144  # 256 KiB per state input/output, task result and execution input
DEFAULT_HISTORY_LIMIT = 25_000
MAX_EXECUTION_SECONDS = 365 * 24 * 3600  # a Standard execution runs for at most one year
# Nesting depth of any document (definition, input, result). AWS documents none; this one keeps every walk of a
# document far inside Python's default recursion limit, and no migration document comes near it.
MAX_NESTING_DEPTH = 256

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


class NestingTooDeep(ValueError):
    """Raised when a JSON text or value nests deeper than MAX_NESTING_DEPTH."""

    def __init__(self):
        super().__init__(f"JSON nested more than {MAX_NESTING_DEPTH} levels deep")


def dumps(value) -> str:
    """Compact JSON, the way Step Functions serialises payloads. NaN and Infinity are refused (ValueError): they
    are not JSON."""
    return _ENCODER.encode(value)


def json_copy(value):
    """A private copy of an engine payload, as a JSON round trip (``json.loads(dumps(value))``) makes it: nothing
    shared with ``value``, nor between two places that held the same object.

    Payloads inside the engine hold only plain JSON values (every way in parses or converts them), and for those
    marshal's version 2 (no back-references, so a repeated part comes back as distinct objects) is that round
    trip at a quarter of its cost; what marshal refuses (a subclass) takes the JSON road.
    """
    try:
        return marshal.loads(marshal.dumps(value, 2))
    except ValueError:
        return json.loads(dumps(value))


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def loads(text: str):
    """Parse JSON strictly: no NaN/Infinity, and nothing deeper than MAX_NESTING_DEPTH (NestingTooDeep)."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise NestingTooDeep() from None
    if measure(value)[1] > MAX_NESTING_DEPTH:
        raise NestingTooDeep()
    return value


def _string_size(text: str) -> int:
    if text.isascii():
        if text.isprintable() and '"' not in text and "\\" not in text:
            return len(text) + 2
        return len(encode_basestring(text))
    return len(encode_basestring(text).encode("utf-8", "surrogatepass"))


def _key_text(key) -> str:
    """A dict key as JSON writes it: a handler may return ``{1: "a"}``, which Lambda serialises as ``{"1": "a"}``;
    a key JSON cannot write (a tuple) raises TypeError, as serialising it would."""
    return key if type(key) is str else next(iter(json.loads(_ENCODER.encode({key: 0}))))


_SCALAR_SIZE = {
    bool: lambda value: 4 if value else 5,
    type(None): lambda value: 4,
    int: lambda value: len(int.__repr__(value)),
    float: lambda value: len(float.__repr__(value)),
    str: _string_size,
}


def _scalar_size(value) -> int:
    size = _SCALAR_SIZE.get(type(value))
    if size is None:
        return len(dumps(value).encode("utf-8"))  # a JSON subclass (raises TypeError for what is not JSON)
    return size(value)


class Measured(NamedTuple):
    """A payload found within the quota, with its numbers: where a later payload holds this very object (a task's
    Parameters ``{"Payload.$": "$"}`` holds the state's input), ``measure`` counts them instead of walking it again.
    Payloads are never mutated in place (``jsonpath.set_path``), so the numbers stay true."""

    value: Any
    bytes: int
    depth: int


def measure(value, max_bytes: int = MAX_PAYLOAD_BYTES, known: Measured | None = None) -> tuple[int, int]:
    """``(bytes, depth)`` of ``value`` as compact UTF-8 JSON; the walk stops once either passes its limit
    (``max_bytes``, MAX_NESTING_DEPTH), so the numbers are exact below the limits and only "over" above them.
    Where ``value`` holds ``known.value`` (or is it), that part counts ``known``'s numbers.

    >>> measure({"id": "s-1", "disks": [100, 200]})
    (30, 2)
    """
    kind = type(value)
    if kind is not dict and kind is not list:
        return _scalar_size(value), 0
    part = None
    if known is not None:
        part = known.value
        if value is part:
            return known.bytes, known.depth
    total = deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if depth > MAX_NESTING_DEPTH:
                break
        if type(node) is dict:
            total += 2 * len(node) + 1 if node else 2
            for key in node:
                total += _string_size(key if type(key) is str else _key_text(key))
            items = node.values()
        else:
            total += len(node) + 1 if node else 2
            items = node
        for item in items:
            kind = type(item)
            if kind is dict or kind is list:
                if item is part:
                    total += known.bytes
                    deepest = max(deepest, depth + known.depth)
                else:
                    stack.append((item, depth + 1))
            elif kind is str:  # the commonest leaves, sized without the table's indirection
                total += _string_size(item)
            elif kind is int:
                total += len(int.__repr__(item))
            else:
                total += _scalar_size(item)
        if total > max_bytes:
            break
    return total, deepest


def json_depth(value) -> int:
    """How deep ``value``, a value JSON text parses to (dicts, lists, scalars), nests: ``measure``'s depth, found
    level by level without looking at the scalars' sizes.

    >>> json_depth({"id": "s-1", "disks": [100, 200]}), json_depth("s-1")
    (2, 0)
    """
    kind = type(value)
    if kind is not dict and kind is not list:
        return 0
    level, depth = [value], 0
    while level:
        depth += 1
        inner = []
        for node in level:
            for item in (node.values() if type(node) is dict else node):
                kind = type(item)
                if kind is dict or kind is list:
                    inner.append(item)
        level = inner
    return depth


def over_limit(value) -> str | None:
    """Why ``value`` cannot be a payload, as a phrase ("with a size exceeding ..."), or None when it can be.

    >>> over_limit("x" * 300_000)
    'with a size exceeding the maximum number of bytes service limit'
    """
    return quota_problem(*measure(value))


def quota_problem(size: int, depth: int) -> str | None:
    """``over_limit`` for the numbers ``measure`` gave."""
    if depth > MAX_NESTING_DEPTH:
        return f"nested more than {MAX_NESTING_DEPTH} levels deep"
    if size > MAX_PAYLOAD_BYTES:
        return "with a size exceeding the maximum number of bytes service limit"
    return None
