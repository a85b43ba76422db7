"""What botocore's rest-json parser makes of the emulator's replies, for answers given before a request is signed.

An answer at botocore's ``before-call`` is the HTTP response *and* the parsed result: botocore's parser never
sees it. So the emulator hands over what that parser would have made of the same reply. A success is built
straight from the operation's output (no JSON round trip) by a converter compiled once per output shape that
does what the parser does to a JSON body: members in the model's order, absent and null values left out,
unknown keys dropped, timestamps as ``datetime`` and blobs as ``bytes`` (MGN's model keeps most times as
strings, so they stay strings); the copy it builds shares nothing with the emulator's state. An error reply goes
through botocore's own parser, modelled fields included as its endpoint adds them: errors are rare, and their
header members (``Retry-After``) make the exact route worth it. What botocore's retry handler adds to a first
attempt's answer that it does not retry is added too: ``MaxAttemptsReached`` when the client may try only once.
"""
from __future__ import annotations

import base64
from typing import Any, Callable

from botocore.config import Config
from botocore.endpoint import convert_to_response_dict
from botocore.model import OperationModel, Shape
from botocore.parsers import DEFAULT_TIMESTAMP_PARSER, create_parser

from .protocol import Reply

Converter = Callable[[Any], Any]
_LEAVES: dict[str, Converter] = {"timestamp": DEFAULT_TIMESTAMP_PARSER, "blob": base64.b64decode}


class ParsedReplies:
    """Parsed results of MGN replies, as a botocore client would have them."""

    def __init__(self) -> None:
        self._parser = create_parser("rest-json")
        self._converters: dict[str, Converter] = {}

    def of(self, operation: OperationModel, output: dict | None, reply: Reply, client_config: Config) -> dict:
        """The parsed result of ``reply``, the answer to ``operation`` for a client configured by
        ``client_config``; ``output`` is what the reply carries."""
        parsed = self._error(operation, reply) if reply.status >= 300 else self._success(operation, output, reply)
        metadata = parsed["ResponseMetadata"]
        if _single_attempt(client_config):
            metadata["MaxAttemptsReached"] = True
        metadata["RetryAttempts"] = 0
        return parsed

    def _success(self, operation: OperationModel, output: dict | None, reply: Reply) -> dict:
        metadata = {"RequestId": reply.headers["x-amzn-RequestId"], "HTTPStatusCode": reply.status,
                    "HTTPHeaders": {name.lower(): value for name, value in reply.headers.items()}}
        shape = operation.output_shape
        if shape is None or not output:
            return {"ResponseMetadata": metadata}
        if shape.name not in self._converters:
            self._converters[shape.name] = _converter(shape, {})
        return {"ResponseMetadata": metadata, **self._converters[shape.name](output)}

    def _error(self, operation: OperationModel, reply: Reply) -> dict:
        response = convert_to_response_dict(reply.http(""), operation)
        parsed = self._parser.parse(response, operation.output_shape)
        error_shape = operation.service_model.shape_for_error_code(parsed.get("Error", {}).get("Code"))
        if error_shape is not None:
            parsed.update(self._parser.parse(response, error_shape))
        return parsed


def _single_attempt(config: Config) -> bool:
    """Whether the client may make one attempt only (``AWS_MAX_ATTEMPTS=1``, as the local twin's functions run):
    botocore's standard retry handler then marks every answer ``MaxAttemptsReached``, retryable or not."""
    retries = config.retries or {}
    return retries.get("mode") in ("standard", "adaptive") and retries.get("total_max_attempts") == 1


def _converter(shape: Shape, compiled: dict[str, Converter]) -> Converter | None:
    """A function from the operation's output (as the reply's JSON body holds it) to its parsed value; None where
    the value is taken as it is (strings, numbers, booleans). ``compiled`` holds the structures already compiled,
    so a recursive shape refers to itself."""
    kind = shape.type_name
    if kind in _LEAVES:
        return _LEAVES[kind]
    if kind == "list":
        item = _converter(shape.member, compiled)
        return list if item is None else lambda values: [None if v is None else item(v) for v in values]
    if kind == "map":
        value = _converter(shape.value, compiled)
        return dict if value is None else lambda pairs: {k: value(v) for k, v in pairs.items()}
    if kind != "structure":
        return None
    if shape.is_document_type:
        return None
    if shape.name in compiled:
        return compiled[shape.name]
    members: list[tuple[str, Converter | None]] = []

    def structure(value: dict) -> dict:
        parsed = {}
        for name, convert in members:
            member = value.get(name)
            if member is not None:
                parsed[name] = member if convert is None else convert(member)
        return parsed

    compiled[shape.name] = structure
    for name, member in shape.members.items():
        if "location" in member.serialization or "name" in member.serialization:
            raise NotImplementedError(f"{shape.name}.{name} is not in the JSON body under its own name; answering "
                                      "it before signing needs botocore's parser")
        members.append((name, _converter(member, compiled)))
    return structure
