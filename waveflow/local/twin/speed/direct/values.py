"""moto's serializers, writing the answer as botocore's parser would read it instead of as text.

moto turns a response method's result into XML or JSON by walking the operation's output shape, picking each
member's value from the result (``XFormedAttributePicker``: aliases, renames, transformers, omissions); botocore
then parses that text back, walking the same shape. A serializer made here by ``parsed_values_class`` keeps moto's
walk and value picking (the protocol's serializer is its base class; where a structure's members are in an object is
worked out once per class of object, ``members``; a structure inside one, or a list of them, is written with the
readings its parent's readings keep for it, without moto's dispatch by type or a look-up of readings by path) and
changes only what it writes: members under their model names, lists as lists, maps as dicts, and each scalar as
moto would write it (the text of an XML element, the value of a JSON member) turned by botocore's own parser for the
protocol into what the client gets (``True``, ``int``, a timezone-aware ``datetime``, ``bytes``); where the steps of
a scalar's writer and reader are known, in one (``scalars``).

Where the text keeps what the values would not, moto's own serializer writes the text: errors (their codes and
modelled fields are parsed by botocore as on the normal path), event streams, and outputs with members bound to
headers, status codes or a payload (REST).
"""
from __future__ import annotations

from functools import cache, lru_cache, partial
from typing import Any

from botocore.parsers import create_parser
from moto.core.serialize import BaseJSONSerializer, BaseXMLSerializer, ResponseSerializer
from moto.core.utils import MISSING

from .members import Readings, readings
from .scalars import THREE_STEPS, fast_scalars

#: moto's response protocol -> botocore's (a query request asking for JSON, ``query-json``, is not botocore's)
PROTOCOLS = {"ec2": "ec2", "query": "query", "json": "json", "rest-json": "rest-json", "rest-xml": "rest-xml"}
_BODY_ONLY: dict[tuple[str, str], bool] = {}
_SCALARS = frozenset({"string", "character", "boolean", "byte", "short", "integer", "long", "float", "double",
                      "timestamp", "blob"})


def _xml_text(value: Any) -> str:
    """The text xmltodict writes for a scalar (what moto's XML serializers hand it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


class _ParsedValues(ResponseSerializer):
    """Placed before a protocol's serializer: its walk, with parsed values as the body (a dict, ResponseMetadata
    aside)."""

    #: the protocol's serializer, which writes what this one does not
    WIRE: type[ResponseSerializer]
    #: botocore's parser of the protocol, for the scalars
    PARSER: Any
    XML: bool
    #: scalar type -> the protocol serializer's writer of it (None: the value as it is)
    WRITES: dict[str, Any]
    #: scalar type -> the parser's reader of it, as ``PARSER._parse_shape`` picks it
    READS: dict[str, Any]
    #: scalar type -> what writing and reading come to, in one step (``scalars``), where that is known
    FAST: dict[str, Any]

    def serialize(self, result: Any) -> Any:
        if self._is_error_result(result) or self.operation_model.has_event_stream_output or not self._body_only():
            wire = self.WIRE(self.operation_model, self.context, self.pretty_print, self._value_picker)
            return wire.serialize(result)
        return super().serialize(result)

    def _body_only(self) -> bool:
        """Whether the operation's output is all body: no payload member, none bound to headers or the status
        (per service and operation: the output shape follows from them)."""
        key = (self.service_model.service_name, self.operation_model.name)
        body_only = _BODY_ONLY.get(key)
        if body_only is None:
            shape = self.operation_model.output_shape
            body_only = _BODY_ONLY[key] = shape is None or ("payload" not in shape.serialization and not any(
                "location" in member.serialization for member in shape.members.values()))
        return body_only

    def _serialize_result(self, resp: Any, result: Any) -> Any:
        parsed: dict[str, Any] = {}
        if self.operation_model.output_shape is not None:
            self._serialize(parsed, result, self.operation_model.output_shape, "")
        resp["body"] = parsed
        resp["headers"]["Content-Type"] = self._get_protocol_specific_content_type() \
            if isinstance(self, BaseJSONSerializer) else self.CONTENT_TYPE
        return resp

    def _default_serialize(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        serialized[key] = value

    def _serialize_type_structure(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        """moto's walk of a structure's members, each read where ``members.readings`` says it may be."""
        if value is None:
            return
        plan = readings(self, shape, value)
        if plan is None:
            super()._serialize_type_structure(serialized, value, shape, key)
            return
        self._write_structure(serialized, value, key, plan)

    def _write_structure(self, serialized: Any, value: Any, key: str, plan: Readings) -> None:
        """The members ``plan`` reads from ``value``; a structure or a list of structures below is written with
        the readings ``plan`` remembers for it, the path kept as moto's walk keeps it."""
        read = value.get if type(value) is dict else partial(getattr, value)
        wrapper = {} if key else serialized
        path = self.path
        for name, member, keys, transform, _ in plan.to_read(value):
            for candidate in keys:
                member_value = read(candidate, MISSING)
                if member_value is not MISSING:
                    break
            else:
                member_value = None
            if transform is not None:
                member_value = transform(member_value)
            if member_value is None:
                continue
            type_name = member.type_name
            if type_name in _SCALARS:  # no path to keep: a scalar picks nothing
                fast = self.FAST.get(type_name)
                parsed = THREE_STEPS if fast is None else fast(member, member_value)
                if parsed is THREE_STEPS:
                    self._serialize_scalar(wrapper, member_value, member, name)
                else:
                    wrapper[name] = parsed
            elif type_name == "structure":
                path.append(name)
                inner = plan.inner(self, name, member, member_value)
                if inner is None:
                    super()._serialize_type_structure(wrapper, member_value, member, name)
                else:
                    self._write_structure(wrapper, member_value, name, inner)
                path.pop()
            elif type_name == "list" and member.member.type_name == "structure":
                path.append(name)
                self._write_structures(wrapper, member_value, member, name, plan)
                path.pop()
            else:
                self._serialize(wrapper, member_value, member, name)
        if key:
            serialized[key] = wrapper

    def _write_structures(self, serialized: Any, value: Any, shape: Any, key: str, plan: Readings) -> None:
        """``_serialize_type_list`` for a list of structures held by a member of ``plan``'s."""
        member = shape.member
        item_name = member.name
        items = []
        self.path.append(item_name)
        for item in value:
            if item is None:
                if not self.XML:
                    items.append(item)
                continue
            inner = plan.inner(self, key, member, item)
            wrapper: dict[str, Any] = {}
            if inner is None:
                super()._serialize_type_structure(wrapper, item, member, item_name)
            else:
                self._write_structure(wrapper, item, item_name, inner)
            if not self.XML:
                items.append(wrapper.get(item_name, item))
            elif wrapper and wrapper[item_name] != {}:
                items.append(wrapper[item_name])
        self.path.pop()
        if self.XML and not items and shape.is_flattened:
            return
        serialized[key] = items

    def _serialize_type_list(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        """moto's list rules: in XML an item that writes nothing or an empty element is left out, and an empty
        flattened list is no element at all; in JSON an item that writes nothing stays as it was."""
        member, items = shape.member, []
        for item in value:
            wrapper: dict[str, Any] = {}
            self._serialize(wrapper, item, member, member.name)
            if not self.XML:
                items.append(wrapper.get(member.name, item))
            elif wrapper and wrapper[member.name] != {}:
                items.append(wrapper[member.name])
        if self.XML and not items and shape.is_flattened:
            return
        serialized[key] = items

    def _serialize_type_map(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        """moto's map rules: XML leaves out an entry without a value; an entry whose value writes nothing is left
        out of either."""
        parsed = {}
        for entry_key, entry_value in value.items():
            if entry_value is None and self.XML:
                continue
            wrapper: dict[str, Any] = {}
            self._serialize(wrapper, entry_key, shape.key, "key")
            self._serialize(wrapper, entry_value, shape.value, "value")
            if "value" in wrapper:
                parsed[wrapper["key"]] = wrapper["value"]
        serialized[key] = parsed

    def _serialize_scalar(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        """The value moto's serializer writes for the scalar, as botocore parses it."""
        type_name = shape.type_name
        fast = self.FAST.get(type_name)
        if fast is not None:
            parsed = fast(shape, value)
            if parsed is not THREE_STEPS:
                serialized[key] = parsed
                return
        write = self.WRITES[type_name]
        if write is None:
            wire = value
        else:
            written: dict[str, Any] = {}
            write(self, written, value, shape, key)
            wire = written[key]
        if self.XML:
            wire = _xml_text(wire)
        if type_name == "timestamp":
            serialized[key] = _parsed_time(self.PARSER, wire)
        else:
            serialized[key] = self.READS[type_name](shape, wire)


@lru_cache(maxsize=65536)
def _parsed_time(parser: Any, wire: Any) -> Any:
    """What ``parser`` (botocore's, for any protocol: the shape plays no part) reads a time as, once per distinct
    time: it reads with dateutil, which costs more than the rest of a scalar, and a resource's times do not change
    between answers (a ``datetime`` is immutable, so answers can share one)."""
    return parser._timestamp_parser(wire)


for _type in _SCALARS:
    setattr(_ParsedValues, f"_serialize_type_{_type}", _ParsedValues._serialize_scalar)


@cache
def parsed_values_class(wire: type[ResponseSerializer], protocol: str) -> type[ResponseSerializer]:
    """``wire`` (moto's serializer for ``protocol``, one of ``PROTOCOLS``) writing parsed values instead of text."""
    parser = create_parser(PROTOCOLS[protocol])
    xml = issubclass(wire, BaseXMLSerializer)
    writes = {name: getattr(wire, f"_serialize_type_{name}", None) for name in _SCALARS}
    reads = {name: getattr(parser, f"_handle_{name}", parser._default_handle) for name in _SCALARS}
    return type(f"ParsedValues{wire.__name__}", (_ParsedValues, wire), {
        "WIRE": wire, "PARSER": parser, "XML": xml, "WRITES": writes, "READS": reads,
        "FAST": fast_scalars(writes, reads, xml)})
