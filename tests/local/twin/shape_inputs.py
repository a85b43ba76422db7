"""Operation inputs drawn from botocore's shapes by a seeded generator: valid ones, and ones with a few things wrong.

``valid(shape, rng)`` fills the required members and some optional ones (one member of a tagged union), lists and
maps of a few items, scalars of every Python type botocore takes (datetimes and timestamp strings, bytes, text and
files for blobs, ``Decimal`` for doubles), lengths and values at or above the shape's ``min``. ``broken(shape,
rng)`` takes a valid input and breaks one to three places in it: a required member removed, an unknown member
added, a value of another type, a length or value below the ``min``, a tagged union with no member or two, a
timestamp botocore cannot parse, a JSON value ``json.dumps`` refuses, a document holding a set.
"""
from __future__ import annotations

import datetime
import decimal
import io
import random
import string
from typing import Any

from botocore.utils import is_json_value_header

#: how deep recursive shapes (DynamoDB's AttributeValue) are followed before only required members are drawn
DEPTH = 3


class Opaque:
    """A value of no type botocore takes, the same text in every copy (a report names it)."""

    def __repr__(self) -> str:
        return "<opaque>"


_WRONG = (None, 7, 2.5, True, "text", b"bytes", [], {}, ("a",), {"set"}, Opaque())


def valid(shape, rng: random.Random, depth: int = 0) -> Any:
    """A value of ``shape`` botocore's validator accepts."""
    kind = shape.type_name
    if is_json_value_header(shape):
        return rng.choice([{"a": [1, 2.5, None]}, "text", 3, []])
    if kind == "structure":
        return _document(rng, 0) if shape.is_document_type else _structure(shape, rng, depth)
    if kind == "list":
        size = max(shape.metadata.get("min", 0), rng.randint(0, 2) if depth < DEPTH else 0)
        return (list if rng.random() < 0.9 else tuple)(valid(shape.member, rng, depth + 1) for _ in range(size))
    if kind == "map":
        size = rng.randint(0, 2) if depth < DEPTH else 0
        return {valid(shape.key, rng, depth + 1): valid(shape.value, rng, depth + 1) for _ in range(size)}
    return _scalar(shape, rng)


def broken(shape, rng: random.Random) -> Any:
    """A valid input with one to three things wrong in it (or, rarely, none: a mutation can land where any value
    goes)."""
    value = valid(shape, rng)
    for _ in range(rng.randint(1, 3)):
        places = list(_places(value, shape))
        special = [place for place in places if _special(place[2])]  # rarer places, chosen as often as the rest
        _break(*rng.choice(special if special and rng.random() < 0.5 else places), rng)
    return value


def _structure(shape, rng: random.Random, depth: int) -> dict:
    members = shape.members
    if shape.is_tagged_union:
        scalars = [name for name, member in members.items() if member.type_name not in ("structure", "list", "map")]
        names = [rng.choice(scalars if depth >= DEPTH and scalars else list(members))]
    else:
        required = shape.metadata.get("required", [])
        token = [name for name, member in members.items() if member.metadata.get("idempotencyToken")]
        optional = [name for name in members if name not in required and name not in token]
        chosen = set(rng.sample(optional, rng.randint(0, len(optional)))) if depth < DEPTH else set()
        names = [name for name in members if name in required or name in token or name in chosen]
        rng.shuffle(names)
    return {name: valid(members[name], rng, depth + 1) for name in names}


def _scalar(shape, rng: random.Random) -> Any:
    kind = shape.type_name
    least = shape.metadata.get("min", 1 if shape.serialization.get("hostLabel") else 0)
    if kind == "string":
        enum = shape.metadata.get("enum")
        if enum:
            return rng.choice(enum)
        return "".join(rng.choice(string.ascii_letters + "-é") for _ in range(max(least, rng.randint(0, 8))))
    if kind in ("integer", "long"):
        return rng.randint(least, least + 1000)
    if kind in ("float", "double"):
        return rng.choice([least + 0.5, decimal.Decimal(least) + decimal.Decimal("0.25"), least + 3])
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "blob":
        return rng.choice([b"\x00\xffbytes", "text", bytearray(b"raw"), io.BytesIO(b"file")])
    if kind == "timestamp":
        return rng.choice([datetime.datetime(2024, 5, 1, 12, 30, 15, rng.choice([0, 123456])),
                           datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
                           "2024-05-01T12:30:15Z", 1714566615])
    return "text"


def _document(rng: random.Random, depth: int) -> Any:
    choices = [None, "text", 3, 2.5, True]
    if depth < 2:
        choices += [[_document(rng, depth + 1) for _ in range(2)], {"k": _document(rng, depth + 1)}]
    return rng.choice(choices)


def _places(value: Any, shape, container=None, key=None):
    """(container, key, shape, value) of every value inside ``value``, the top level's container None."""
    yield container, key, shape, value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict) and not shape.is_document_type:
        for name, item in list(value.items()):
            if name in shape.members:  # not one added by an earlier break
                yield from _places(item, shape.members[name], value, name)
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, shape.member, value, index)
    elif kind == "map" and isinstance(value, dict):
        for name, item in list(value.items()):
            yield from _places(item, shape.value, value, name)


def _special(shape) -> bool:
    """A shape with its own rules: a document, tagged union, timestamp, blob or JSON value."""
    return (shape.type_name in ("timestamp", "blob") or is_json_value_header(shape)
            or shape.type_name == "structure" and (shape.is_document_type or shape.is_tagged_union))


def _break(container, key, shape, value, rng: random.Random) -> None:
    """One thing wrong at this place: in a structure's members, or the value itself replaced."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict) and not shape.is_document_type and (
            container is None or rng.random() < 0.7):
        how = rng.choice(["drop", "unknown"] + ["union"] * (2 if shape.is_tagged_union else 0))
        required = [name for name in shape.metadata.get("required", [])
                    if not shape.members[name].metadata.get("idempotencyToken")]  # botocore fills those in
        others = [name for name in shape.members if name not in value]
        if how == "drop" and required:
            value.pop(rng.choice(required), None)
        elif how == "union" and (value and rng.random() < 0.5 or not others):
            value.clear()
        elif how == "union":
            name = rng.choice(others)
            value[name] = valid(shape.members[name], rng, DEPTH)
        else:
            value[rng.choice(["Unknown", "bogus", "tableName"])] = "x"
    elif container is not None:
        container[key] = _wrong(shape, rng)


def _wrong(shape, rng: random.Random) -> Any:
    """A value of another type, or one below the shape's ``min``, or one botocore cannot parse or encode."""
    kind = shape.type_name
    if kind == "structure" and shape.is_document_type:
        return {"k": [1, rng.choice([{"set"}, Opaque(), b"bytes"])]}
    if is_json_value_header(shape):
        return {"bad": rng.choice([{1, 2}, Opaque(), b"bytes"])}
    if rng.random() < 0.4:
        return rng.choice(_WRONG)
    if kind in ("string", "list"):
        return "" if kind == "string" else []
    if kind in ("integer", "long", "float", "double"):
        return -10 ** rng.randint(0, 3)
    if kind == "timestamp":
        return rng.choice(["not a time", "2024-13-45", ""])
    return rng.choice(_WRONG)
