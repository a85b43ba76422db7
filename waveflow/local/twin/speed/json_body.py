"""botocore's validation and serialisation of a JSON protocol request (DynamoDB, EventBridge, Step Functions, SSM,
SQS) and of a REST-JSON one whose parameters all go in the body (MGN's) in one walk of the parameters, and the
request around the body written from what the operation fixes.

A client with parameter validation on serialises through ``ParamValidationDecorator``: the validator walks the
parameters against the input shape, then the serialiser walks them again to convert them, and builds the request's
headers from the operation model (a REST serialiser also sorts each parameter by where it goes: URI, query string,
headers or body). DynamoDB's items (``AttributeValue`` maps within maps) make both walks long, and most of a task's
requests are DynamoDB's. Here each shape has one function (``shapes.PerShape``) that checks a value with
``validate``'s rules and converts it with ``serialize``'s in the same walk; a leaf is checked by ``validate``'s check
and converted by ``serialize``'s converter. Whatever the walk finds wrong (or anything it raises) sends the request
down botocore's own path, which reports or raises what botocore does; a valid request's method, URL path and headers
(target, content type, query-compatible mode) are remembered per operation, its host prefix expanded by botocore,
its body encoded as ``json.dumps`` encodes it. Validators, serialisers and maps of other classes, and REST operations
with members outside the body, keep botocore's path. ``tests/local/twin/test_speed_params.py`` compares the requests
and the reports over drawn inputs.
"""
from __future__ import annotations

import json
from json import encoder
from typing import Any, Callable, NamedTuple, Optional, Union

from botocore.model import OperationModel, Shape
from botocore.serialize import JSONSerializer, RestJSONSerializer
from botocore.utils import is_json_value_header
from botocore.validate import ParamValidationDecorator, ParamValidator

from . import serialize, validate
from .memo import Memo
from .shapes import PerShape

_botocore_serialize_to_request = ParamValidationDecorator.serialize_to_request
#: the serialisers whose requests this module writes
_SERIALIZERS = (JSONSerializer, RestJSONSerializer)

#: ``write(value, serializer)``: the value as the body holds it; raises ``_Refused`` (or botocore's error) if wrong
Writer = Callable[[Any, JSONSerializer], Any]


class _Refused(Exception):
    """A value the walk finds wrong: botocore's path says how."""


class _Leaf(NamedTuple):
    """A scalar, document or JSON-value shape: the types its value is checked by if nothing else is checked, else
    ``check``, which says if a value is valid; ``convert`` (None: the value stays itself) what it becomes."""
    types: Optional[tuple]
    check: Callable[[Any], bool]
    convert: Optional[Callable[[Any, JSONSerializer], Any]]


class _Request(NamedTuple):
    """What an operation fixes in its request: method, URL path, headers, whether it has a host prefix, its input's
    writer; for REST-JSON the members left out of the body when None (documents: None is a valid document) and the
    body of no parameters (``{}``, or nothing if the input has no members)."""
    method: str
    url_path: str
    headers: tuple
    host_prefix: bool
    write: Writer
    rest: bool
    none_left_out: frozenset
    empty_body: bytes


def serialize_to_request(self: ParamValidationDecorator, parameters: Any, operation_model: OperationModel) -> dict:
    """``ParamValidationDecorator.serialize_to_request``: a valid JSON request written in one walk, the rest by
    botocore."""
    serializer = self._serializer
    if type(serializer) in _SERIALIZERS and type(self._param_validator) is ParamValidator and \
            serializer.MAP_TYPE is dict:
        key = (operation_model, type(serializer))
        request = _REQUESTS.get(key)
        if request is None:
            request = _REQUESTS.keep(key, _request(operation_model, type(serializer)))
        if request:
            written = _written(request, serializer, parameters, operation_model)
            if written is not None:
                return written
    return _botocore_serialize_to_request(self, parameters, operation_model)


def _written(request: _Request, serializer: JSONSerializer, parameters: Any, operation_model: OperationModel):
    """The request dict botocore's serialiser writes, or None if the walk finds the parameters wrong."""
    body_parameters = parameters
    if request.none_left_out:
        left_out = request.none_left_out
        body_parameters = {name: value for name, value in parameters.items()
                           if value is not None or name not in left_out}
    try:
        body = request.write(body_parameters, serializer)
        encoded = _encoded(body) if body or not request.rest else request.empty_body
    except Exception:  # botocore's path reports it, or raises it
        return None
    headers = dict(request.headers)
    if request.rest and encoded:
        headers["Content-Type"] = "application/json"
    serialized = {"url_path": request.url_path, "query_string": {} if request.rest else "",
                  "method": request.method, "headers": headers, "body": encoded}
    if request.host_prefix:
        host_prefix = serializer._expand_host_prefix(parameters, operation_model)
        if host_prefix is not None:
            serialized["host_prefix"] = host_prefix
    return serialized


def _encoded(body: dict) -> bytes:
    """``json.dumps(body).encode()``: the same C encoder (when there is one) made once, and without json's watch
    for circular references: the walk has refused any value holding itself (by recursing until Python stops it)."""
    if _ENCODER is None:
        return json.dumps(body).encode("utf-8")
    return "".join(_ENCODER(body, 0)).encode("utf-8")


def _request(operation_model: OperationModel, serializer: type) -> Union[_Request, bool]:
    """What ``JSONSerializer.serialize_to_request`` (or ``RestJSONSerializer``'s) writes the same for every request
    of the operation; False for a REST operation with members outside the body, or with no input."""
    input_shape = operation_model.input_shape
    endpoint = operation_model.endpoint
    method = operation_model.http.get("method", JSONSerializer.DEFAULT_METHOD)
    host_prefix = endpoint is not None and "hostPrefix" in endpoint
    if serializer is JSONSerializer:
        metadata = operation_model.metadata
        headers = {"X-Amz-Target": f"{metadata['targetPrefix']}.{operation_model.name}",
                   "Content-Type": f"application/x-amz-json-{metadata['jsonVersion']}"}
        if operation_model.service_model.is_query_compatible:
            headers["x-amzn-query-mode"] = "true"
        write = _no_input if input_shape is None else _writers(input_shape)
        return _Request(method, "/", tuple(headers.items()), host_prefix, write, False, frozenset(), b"")
    url_path = operation_model.http["requestUri"]
    if input_shape is None or "{" in url_path or "}" in url_path or "authPath" in operation_model.http or \
            "payload" in input_shape.serialization or \
            any("location" in member.serialization for member in input_shape.members.values()):
        return False
    return _Request(method, url_path, (), host_prefix, _writers(input_shape), True,
                    frozenset(name for name, member in input_shape.members.items()
                              if member.type_name == "structure" and member.is_document_type),
                    b"{}" if input_shape.members else b"")


def _no_input(parameters: Any, serializer: JSONSerializer) -> dict:
    """An operation without an input shape: an empty body, whatever the parameters."""
    return {}


def _writer(shape: Shape, of: Callable[[Shape], Any]) -> Any:
    """A structure's, list's or map's writer, or a leaf's check and converter."""
    kind = shape.type_name
    if kind == "structure" and not shape.is_document_type and not is_json_value_header(shape):
        return _structure(shape, of)
    if kind == "list":
        return _list(shape, of)
    if kind == "map":
        return _map(shape, of)
    convert = serialize.converters(shape)
    return _Leaf(validate.types_alone(shape) if convert is None else None, validate.checks(shape), convert)


def _structure(shape: Shape, of: Callable[[Shape], Any]) -> Writer:
    members = {}
    for name, member_shape in shape.members.items():
        member = of(member_shape)
        wire_name = member_shape.serialization.get("name", name)
        members[name] = (wire_name, *member) if type(member) is _Leaf else (wire_name, None, None, member)
    required = tuple(shape.metadata.get("required", ()))
    union = shape.is_tagged_union

    def write(value: Any, serializer: JSONSerializer) -> dict:
        if not isinstance(value, dict) or (union and len(value) != 1):  # validate's rules for a structure
            raise _Refused
        for name in required:
            if name not in value:
                raise _Refused
        written = {}
        for name, item in value.items():
            wire_name, types, check, convert = members[name]  # an unknown member: KeyError
            if types is not None:  # most members: a string, number or boolean
                if not isinstance(item, types):
                    raise _Refused
                written[wire_name] = item
            elif check is None:
                written[wire_name] = convert(item, serializer)
            elif check(item):
                written[wire_name] = item if convert is None else convert(item, serializer)
            else:
                raise _Refused
        return written
    return write


def _list(shape: Shape, of: Callable[[Shape], Any]) -> Writer:
    member = of(shape.member)
    if type(member) is _Leaf:
        check, convert = validate.checks(shape), member.convert  # validate's check of the whole list
        if convert is None:
            def write_kept(value: Any, serializer: JSONSerializer) -> Any:
                if not check(value):
                    raise _Refused
                return value
            return write_kept

        def write_converted(value: Any, serializer: JSONSerializer) -> list:
            if not check(value):
                raise _Refused
            return [convert(item, serializer) for item in value]
        return write_converted
    minimum = validate.minimum_of(shape)

    def write(value: Any, serializer: JSONSerializer) -> list:
        if not validate.holds_list(value, minimum):
            raise _Refused
        return [member(item, serializer) for item in value]
    return write


def _map(shape: Shape, of: Callable[[Shape], Any]) -> Writer:
    key_types, check_key = validate.types_alone(shape.key), validate.checks(shape.key)
    member = of(shape.value)
    if type(member) is _Leaf:
        item_types, check_item, convert = member

        def write_leaves(value: Any, serializer: JSONSerializer) -> dict:
            if not isinstance(value, dict):
                raise _Refused
            written = {}
            for key, item in value.items():
                if not (isinstance(key, key_types) if key_types else check_key(key)) or \
                        not (isinstance(item, item_types) if item_types else check_item(item)):
                    raise _Refused
                written[key] = item if convert is None else convert(item, serializer)
            return written
        return write_leaves

    def write(value: Any, serializer: JSONSerializer) -> dict:
        if not isinstance(value, dict):
            raise _Refused
        written = {}
        for key, item in value.items():
            if not (isinstance(key, key_types) if key_types else check_key(key)):
                raise _Refused
            written[key] = member(item, serializer)
        return written
    return write


_writers = PerShape(_writer)
#: ``json.dumps``'s encoder (``JSONEncoder.iterencode`` with ``json.dumps``'s defaults), but for the circular watch
_ENCODER = None if encoder.c_make_encoder is None else encoder.c_make_encoder(
    None, json.JSONEncoder().default, encoder.encode_basestring_ascii, None, ": ", ", ", False, False, True)
#: operations' requests remembered before the memo starts again
_REQUESTS = Memo(1024)


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for botocore's validating serialiser."""
    return [(ParamValidationDecorator, "serialize_to_request", serialize_to_request)]
