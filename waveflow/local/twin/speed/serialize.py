"""botocore's JSON serialisation (DynamoDB, Step Functions, EventBridge, SSM, SQS; MGN's REST-JSON bodies): the
body's values converted by a function made once per shape, not by a method looked up for each value.

``JSONSerializer._serialize`` finds, for every value of the parameters, its shape's ``_serialize_type_<type>``
method by name, and builds a structure's member names, a list's items (each through a one-key wrapper dict) and a
map's entries one call at a time. What a value becomes follows from its shape alone: a structure a new dict under
its members' wire names, lists and maps new ones of their converted items, a timestamp botocore's text or number for
the shape's format, a blob its base64 text, a float or ``Decimal`` a float or botocore's name for an infinity or
NaN, anything else itself. Here each shape has that conversion as one function (``shapes.PerShape``; a list or map
of values that stay themselves is copied whole), applied where botocore starts a body: ``_serialize`` with no key,
the operation's input structure (or a REST payload's). What ``json.dumps`` writes from it is botocore's body byte
for byte; ``tests/local/twin/test_speed_params.py`` compares the requests. Subclasses of botocore's two JSON
serialisers, and a ``MAP_TYPE`` other than ``dict``, keep botocore's own walk.
"""
from __future__ import annotations

import decimal
from typing import Any, Callable, Optional

from botocore.model import Shape
from botocore.serialize import JSONSerializer, RestJSONSerializer

from .shapes import PerShape

_botocore_serialize = JSONSerializer._serialize
_PLAIN = (JSONSerializer, RestJSONSerializer)

#: ``convert(value, serializer)``; None where the value is written as it is
Converter = Optional[Callable[[Any, JSONSerializer], Any]]


def serialize(self: JSONSerializer, serialized: dict, value: Any, shape: Shape, key: Any = None) -> None:
    """``JSONSerializer._serialize``: a body's structure converted by its shape's function, the rest as botocore."""
    if (key is None and type(self) in _PLAIN and self.MAP_TYPE is dict and shape.type_name == "structure"
            and not shape.is_document_type):
        serialized.update(converters(shape)(value, self))
    else:
        _botocore_serialize(self, serialized, value, shape, key)


def _converter(shape: Shape, of: Callable[[Shape], Converter]) -> Converter:
    """What a value of ``shape`` becomes in the body botocore writes, or None if it stays itself."""
    kind = shape.type_name
    if kind == "structure":
        return None if shape.is_document_type else _structure(shape, of)
    if kind == "list":
        return _list(of(shape.member))
    if kind == "map":
        return _map(of(shape.value))
    if kind == "timestamp":
        timestamp_format = shape.serialization.get("timestampFormat")
        return lambda value, serializer: serializer._convert_timestamp_to_str(value, timestamp_format)
    if kind == "blob":
        return lambda value, serializer: serializer._get_base64(value)
    if kind in ("float", "double"):
        return _float
    return None


def _structure(shape: Shape, of: Callable[[Shape], Converter]) -> Callable:
    members = {name: (member.serialization.get("name", name), of(member)) for name, member in shape.members.items()}

    def convert(value: dict, serializer: JSONSerializer) -> dict:
        converted = {}
        for name, item in value.items():
            wire_name, member = members[name]  # an unknown member raises botocore's KeyError
            converted[wire_name] = item if member is None else member(item, serializer)
        return converted
    return convert


def _list(member: Converter) -> Callable:
    if member is None:
        return lambda value, serializer: value if type(value) is list else list(value)
    return lambda value, serializer: [member(item, serializer) for item in value]


def _map(member: Converter) -> Callable:
    if member is None:
        return lambda value, serializer: value if type(value) is dict else dict(value.items())
    return lambda value, serializer: {key: member(item, serializer) for key, item in value.items()}


def _float(value: Any, serializer: JSONSerializer) -> Any:
    return serializer._handle_float(float(value) if isinstance(value, decimal.Decimal) else value)


#: a shape's converter: what its value becomes in the body (None: itself)
converters = PerShape(_converter)


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for botocore's JSON serialiser."""
    return [(JSONSerializer, "_serialize", serialize)]
