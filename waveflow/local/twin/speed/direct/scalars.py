"""What a scalar comes to on the direct path, in one step, for the writers and readers whose steps are known.

``values`` turns each scalar of an answer into what the client gets in three steps: moto's serializer writes it
(``_serialize_type_<type>``), an XML answer makes that text, and botocore's parser for the protocol reads it
(``_handle_<type>``). EC2's DescribeInstances has ~70 scalars per instance, so the three calls, a dict and the text
are a good part of the answer's cost. For the writers and readers below (found by identity on the protocol's
serializer and parser classes, so a moto or botocore that changes them takes the three steps again) the steps come
to one expression:

- XML: a string is ``str(value)`` (moto writes ``str``, the text is that string, botocore reads the text; Route 53's
  reader also decodes JSON from headers, so a member marked ``jsonvalue`` takes the three steps); an integer or long
  ``int(value)`` (moto writes ``int``, botocore reads ``int`` of its text); a boolean ``True`` where moto writes
  ``true`` (the value is ``True`` or reads ``true`` as text).
- JSON: a string is what moto writes (an ``Enum``'s value, as text unless empty), botocore keeps it; an integer or
  long ``int(value)``; a boolean, which neither touches, the value itself.

Times, blobs and floats take the three steps (times are remembered per text there, ``values._parsed_time``).
``tests/local/twin/test_speed_values.py`` holds one step and three side by side.
"""
from __future__ import annotations

from enum import Enum
from typing import Any, Callable

from botocore import parsers
from moto.core import serialize

#: what a scalar comes to: (shape, value) -> value, or ``THREE_STEPS`` where they must be taken
Fast = Callable[[Any, Any], Any]
THREE_STEPS = object()


def _xml_string(shape: Any, value: Any) -> Any:
    return THREE_STEPS if shape.serialization.get("jsonvalue") else str(value)


def _xml_boolean(shape: Any, value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _integer(shape: Any, value: Any) -> int:
    return int(value)


def _json_string(shape: Any, value: Any) -> Any:
    if isinstance(value, Enum):
        value = value.value
    return str(value) if value not in [None, {}, []] else value


def _as_is(shape: Any, value: Any) -> Any:
    return value


def _reader(function: Any) -> Any:
    return getattr(function, "__func__", function)


#: per protocol family: type -> (moto's writer, botocore's readers, the one step); a writer of None: none, as is
_XML = {"string": (serialize.BaseXMLSerializer._serialize_type_string,
                   {parsers.BaseXMLResponseParser._handle_string, parsers.RestXMLParser._handle_string}, _xml_string),
        "integer": (serialize.BaseXMLSerializer._serialize_type_integer,
                    {parsers.BaseXMLResponseParser._handle_integer}, _integer),
        "long": (serialize.BaseXMLSerializer._serialize_type_integer,
                 {parsers.BaseXMLResponseParser._handle_integer}, _integer),
        "boolean": (serialize.BaseXMLSerializer._serialize_type_boolean,
                    {parsers.BaseXMLResponseParser._handle_boolean}, _xml_boolean)}
_JSON = {"string": (serialize.BaseJSONSerializer._serialize_type_string,
                    {parsers.ResponseParser._default_handle}, _json_string),
         "integer": (serialize.ResponseSerializer._serialize_type_integer,
                     {parsers.ResponseParser._default_handle}, _integer),
         "long": (serialize.ResponseSerializer._serialize_type_integer,
                  {parsers.ResponseParser._default_handle}, _integer),
         "boolean": (None, {parsers.ResponseParser._default_handle}, _as_is)}


def fast_scalars(writes: dict[str, Any], reads: dict[str, Any], xml: bool) -> dict[str, Fast]:
    """Scalar type -> its one step, for the types whose writer (``writes``) and reader (``reads``) are known."""
    known = _XML if xml else _JSON
    return {type_name: step for type_name, (writer, readers, step) in known.items()
            if writes.get(type_name) is writer and _reader(reads.get(type_name)) in readers}
