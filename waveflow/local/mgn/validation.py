"""Server-side request validation against the botocore input shape, answered as MGN's ``fieldList``.

botocore checks little on the client (required members, types, minimum lengths; no patterns, enums or maximums)
and can be told to check nothing, so MGN's own checks are repeated here from the same model, by a check made once
per shape.
"""
from __future__ import annotations

import re
from typing import Callable

from botocore.model import Shape


Check = Callable[[object, str], list]


def validate(shape: Shape, value: object, path: str = "") -> list[dict]:
    """Every violation of ``shape`` in ``value`` as ``{"name": path, "message": ...}``; empty when valid."""
    return _check(shape)(value, path)


#: id(shape) -> (shape, its check): a check is made once per shape, reading the model's constraints once (every MGN
#: request is validated, ~20 a migration); the shape is held so that its id names no other
_CHECKS: dict[int, tuple[Shape, Check]] = {}


def _check(shape: Shape) -> Check:
    made = _CHECKS.get(id(shape))
    if made is not None:
        return made[1]
    maker = _MAKERS.get(shape.type_name)
    if maker is None:
        _CHECKS[id(shape)] = (shape, _nothing)
        return _nothing
    itself: list[Check] = []  # a recursive shape's check, while it is made, refers to itself through this
    _CHECKS[id(shape)] = (shape, lambda value, path: itself[0](value, path))
    check = maker(shape)
    _CHECKS[id(shape)] = (shape, check)
    itself.append(check)
    return check


def _nothing(value: object, path: str) -> list[dict]:
    return []


def _field(path: str, message: str) -> list[dict]:
    return [{"name": path or "body", "message": message}]


def _structure(shape: Shape) -> Check:
    required = list(shape.required_members)
    members = [(name, _check(member)) for name, member in shape.members.items()]

    def check(value: object, path: str) -> list[dict]:
        if not isinstance(value, dict):
            return _field(path, "must be an object")
        problems = [entry for name in required if value.get(name) is None
                    for entry in _field(_join(path, name), "is required")]
        for name, member in members:
            if value.get(name) is not None:
                problems += member(value[name], _join(path, name))
        return problems
    return check


def _list(shape: Shape) -> Check:
    bounds = _bounds(shape, "items")
    item = _check(shape.member)

    def check(value: object, path: str) -> list[dict]:
        if not isinstance(value, list):
            return _field(path, "must be a list")
        problems = bounds(len(value), path)
        for index, entry in enumerate(value):
            problems += item(entry, f"{path}[{index}]")
        return problems
    return check


def _map(shape: Shape) -> Check:
    bounds = _bounds(shape, "entries")
    key_check, value_check = _check(shape.key), _check(shape.value)

    def check(value: object, path: str) -> list[dict]:
        if not isinstance(value, dict):
            return _field(path, "must be an object")
        problems = bounds(len(value), path)
        for key, entry in value.items():
            problems += key_check(key, f"{path}.{key}") + value_check(entry, f"{path}.{key}")
        return problems
    return check


def _string(shape: Shape) -> Check:
    enum = shape.enum
    bounds = _bounds(shape, "characters")
    pattern = shape.metadata.get("pattern")
    compiled = re.compile(pattern) if pattern else None

    def check(value: object, path: str) -> list[dict]:
        if not isinstance(value, str):
            return _field(path, "must be a string")
        if enum and value not in enum:
            return _field(path, f"must be one of {', '.join(enum)}; got {value!r}")
        problems = bounds(len(value), path)
        if compiled is not None and not compiled.fullmatch(value):
            problems += _field(path, f"must match pattern {pattern}; got {value!r}")
        return problems
    return check


def _integer(shape: Shape) -> Check:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")

    def check(value: object, path: str) -> list[dict]:
        if isinstance(value, bool) or not isinstance(value, int):
            return _field(path, "must be an integer")
        problems = []
        if low is not None and value < low:
            problems += _field(path, f"must be at least {low}; got {value}")
        if high is not None and value > high:
            problems += _field(path, f"must be at most {high}; got {value}")
        return problems
    return check


def _boolean(shape: Shape) -> Check:
    def check(value: object, path: str) -> list[dict]:
        return [] if isinstance(value, bool) else _field(path, "must be a boolean")
    return check


def _bounds(shape: Shape, unit: str) -> Callable[[int, str], list[dict]]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")

    def bounds(size: int, path: str) -> list[dict]:
        if low is not None and size < low:
            return _field(path, f"must have at least {low} {unit}; has {size}")
        if high is not None and size > high:
            return _field(path, f"must have at most {high} {unit}; has {size}")
        return []
    return bounds


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_MAKERS: dict[str, Callable[[Shape], Check]] = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "boolean": _boolean,
}
