"""Server-side request validation against the botocore input shape, answered as MGN's ``fieldList``.

botocore checks little on the client (required members, types, minimum lengths; no patterns, enums or maximums)
and can be told to check nothing, so MGN's own checks are repeated here from the same model.
"""
from __future__ import annotations

import re
from functools import lru_cache

from botocore.model import Shape


@lru_cache(maxsize=None)
def _pattern(expression: str) -> re.Pattern:
    return re.compile(expression)


def validate(shape: Shape, value: object, path: str = "") -> list[dict]:
    """Every violation of ``shape`` in ``value`` as ``{"name": path, "message": ...}``; empty when valid."""
    checker = _CHECKERS.get(shape.type_name)
    return checker(shape, value, path) if checker else []


def _field(path: str, message: str) -> list[dict]:
    return [{"name": path or "body", "message": message}]


def _structure(shape: Shape, value: object, path: str) -> list[dict]:
    if not isinstance(value, dict):
        return _field(path, "must be an object")
    problems = [entry for name in shape.required_members if value.get(name) is None
                for entry in _field(_join(path, name), "is required")]
    for name, member in shape.members.items():
        if value.get(name) is not None:
            problems += validate(member, value[name], _join(path, name))
    return problems


def _list(shape: Shape, value: object, path: str) -> list[dict]:
    if not isinstance(value, list):
        return _field(path, "must be a list")
    problems = _bounds(shape, len(value), path, "items")
    for index, item in enumerate(value):
        problems += validate(shape.member, item, f"{path}[{index}]")
    return problems


def _map(shape: Shape, value: object, path: str) -> list[dict]:
    if not isinstance(value, dict):
        return _field(path, "must be an object")
    problems = _bounds(shape, len(value), path, "entries")
    for key, item in value.items():
        problems += validate(shape.key, key, f"{path}.{key}") + validate(shape.value, item, f"{path}.{key}")
    return problems


def _string(shape: Shape, value: object, path: str) -> list[dict]:
    if not isinstance(value, str):
        return _field(path, "must be a string")
    if shape.enum and value not in shape.enum:
        return _field(path, f"must be one of {', '.join(shape.enum)}; got {value!r}")
    problems = _bounds(shape, len(value), path, "characters")
    pattern = shape.metadata.get("pattern")
    if pattern and not _pattern(pattern).fullmatch(value):
        problems += _field(path, f"must match pattern {pattern}; got {value!r}")
    return problems


def _integer(shape: Shape, value: object, path: str) -> list[dict]:
    if isinstance(value, bool) or not isinstance(value, int):
        return _field(path, "must be an integer")
    problems = []
    if "min" in shape.metadata and value < shape.metadata["min"]:
        problems += _field(path, f"must be at least {shape.metadata['min']}; got {value}")
    if "max" in shape.metadata and value > shape.metadata["max"]:
        problems += _field(path, f"must be at most {shape.metadata['max']}; got {value}")
    return problems


def _boolean(shape: Shape, value: object, path: str) -> list[dict]:
    return [] if isinstance(value, bool) else _field(path, "must be a boolean")


def _bounds(shape: Shape, size: int, path: str, unit: str) -> list[dict]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        return _field(path, f"must have at least {low} {unit}; has {size}")
    if high is not None and size > high:
        return _field(path, f"must have at most {high} {unit}; has {size}")
    return []


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_CHECKERS = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "boolean": _boolean,
}
