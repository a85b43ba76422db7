"""MGN's wire protocol (rest-json, botocore model ``mgn`` 2020-02-26), both directions, from the service model.

Requests are routed by HTTP method and path as a real endpoint would (most operations are ``POST /<Operation>``,
the tagging ones ``GET|POST|DELETE /tags/{resourceArn}``), members are read from the URI, the query string and
the JSON body as the model places them. Responses carry the operation's status code and a JSON body; errors
carry ``x-amzn-ErrorType``, the status code of their shape and their members, so botocore raises
``client.exceptions.<Name>`` with every field filled.
"""
from __future__ import annotations

import json
import marshal
import re
from urllib.parse import parse_qs, unquote, urlsplit

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel, ServiceModel

from .errors import ConflictException, MgnError, Refused, UnknownOperationException, ValidationException


class Reply:
    """An HTTP answer: status, headers, body bytes.

    A success's JSON body may be left unwritten until something reads it (``members``: a copy of what it holds,
    taken when the answer was made): an answer given at ``before-call`` hands botocore its parsed result, and the
    text is seldom read.
    """

    __slots__ = ("status", "headers", "_body", "_members")

    def __init__(self, status: int, headers: dict[str, str], body: bytes = b"", members: bytes | None = None):
        self.status = status
        self.headers = headers
        self._body = body
        self._members = members  # marshal's copy of the body's members, written as JSON on first read

    @property
    def body(self) -> bytes:
        if self._members is not None:
            self._body = json.dumps(marshal.loads(self._members)).encode()
            self._members = None
        return self._body

    def http(self, url: str) -> AWSResponse:
        """The reply as the HTTP response botocore reads (for the request to ``url``)."""
        return AWSResponse(url, self.status, self.headers, _Body(self))


class _Body:
    """The raw stream botocore reads a response body from."""

    def __init__(self, reply: Reply) -> None:
        self._reply = reply

    def stream(self, **_: object):
        yield self._reply.body


def _decoded(match: re.Match) -> dict[str, str]:
    """A route's URI labels, percent-decoded."""
    return {name: unquote(value) for name, value in match.groupdict().items()}


def load_service_model() -> ServiceModel:
    """The botocore model of MGN installed with botocore."""
    return botocore.session.get_session().get_service_model("mgn")


def _placed_members(operation: OperationModel) -> list[tuple[str, str, str, bool]]:
    """(member, location, name on the wire, whether a list) of each input member the URI or query string holds."""
    shape = operation.input_shape
    return [(name, member.serialization["location"], member.serialization.get("name", name),
             member.type_name == "list")
            for name, member in (shape.members.items() if shape is not None else ())
            if member.serialization.get("location") in ("uri", "querystring")]


class Protocol:
    """Routes, parses and answers MGN requests per a botocore ``ServiceModel``."""

    def __init__(self, model: ServiceModel) -> None:
        self.model = model
        self._routes = {name: self._route_of(model.operation_model(name)) for name in model.operation_names}
        #: operation name -> its input members read from the URI or the query string (most operations have none)
        self._placed: dict[str, list[tuple[str, str, str, bool]]] = {}

    @staticmethod
    def _route_of(operation: OperationModel) -> tuple[str, re.Pattern, OperationModel]:
        path = operation.http["requestUri"].split("?")[0]
        regex = re.sub(r"\\\{(\w+)(\\\+)?\\\}",
                       lambda m: f"(?P<{m.group(1)}>{'.+' if m.group(2) else '[^/]+'})", re.escape(path))
        return operation.http["method"], re.compile(regex + "$"), operation

    def route(self, method: str, url: str) -> tuple[OperationModel, dict[str, str]]:
        """The operation a request addresses and its URI labels (decoded)."""
        path = urlsplit(url).path
        for route_method, regex, operation in self._routes.values():
            match = regex.match(path)
            if match and route_method == method:
                return operation, _decoded(match)
        raise UnknownOperationException(f"No MGN operation answers {method} {path}")

    def labels(self, operation: OperationModel, url: str) -> dict[str, str]:
        """The URI labels (decoded) of a request botocore built for ``operation``."""
        path = urlsplit(url).path
        match = self._routes[operation.name][1].match(path)
        if match is None:
            raise UnknownOperationException(f"No MGN operation answers {operation.http['method']} {path}")
        return _decoded(match)

    def parse(self, operation: OperationModel, url: str, labels: dict[str, str], body: bytes | None) -> dict:
        """The request's parameters, keyed by member name as the client passed them."""
        try:
            params = json.loads(body) if body else {}
        except ValueError as exc:
            raise ValidationException(f"Request body is not valid JSON: {exc}", reason="cannotParse") from None
        if not isinstance(params, dict):
            raise ValidationException("Request body must be a JSON object", reason="cannotParse")
        placed = self._placed.get(operation.name)
        if placed is None:
            placed = self._placed[operation.name] = _placed_members(operation)
        if not placed:
            return params
        query = parse_qs(urlsplit(url).query, keep_blank_values=True)
        for name, location, wire_name, is_list in placed:
            if location == "uri":
                params[name] = labels[wire_name]
            elif location == "querystring" and wire_name in query:
                values = query[wire_name]
                params[name] = values if is_list else values[0]
        return params

    def answer(self, operation: OperationModel, output: dict | None, request_id: str) -> Reply:
        """A success reply: header members as headers, the rest as the JSON body."""
        headers = {"x-amzn-RequestId": request_id, "Content-Type": "application/json"}
        body_members = dict(output or {})
        shape = operation.output_shape
        for name, member in (shape.members.items() if shape else ()):
            if member.serialization.get("location") == "header" and name in body_members:
                headers[member.serialization["name"]] = str(body_members.pop(name))
        status = operation.http.get("responseCode", 200)
        if status == 204 and not body_members:
            return Reply(status, headers)
        try:
            # a copy of the members as they are now (the estate may change them later), 5x cheaper than the text
            return Reply(status, headers, members=marshal.dumps(body_members))
        except ValueError:  # what marshal cannot copy (a subclass) is written now
            return Reply(status, headers, json.dumps(body_members).encode())

    def fail(self, error: MgnError, request_id: str) -> Reply:
        """An error reply as MGN sends it: ``x-amzn-ErrorType``, the shape's status, members in body/headers."""
        headers = {"x-amzn-RequestId": request_id, "Content-Type": "application/json",
                   "x-amzn-ErrorType": error.code}
        body = {"message": error.message}
        status = error.status
        if error.code in self.model.shape_names:
            shape = self.model.shape_for(error.code)
            status = shape.metadata.get("error", {}).get("httpStatusCode", status)
            for name, value in error.fields.items():
                member = shape.members[name]
                if member.serialization.get("location") == "header":
                    headers[member.serialization["name"]] = str(value)
                else:
                    body[name] = value
        else:
            body |= error.fields
        return Reply(status, headers, json.dumps(body).encode())

    @staticmethod
    def refusal(operation: OperationModel, refused: Refused) -> MgnError:
        """The error MGN answers a state refusal with: ConflictException if the operation declares it."""
        declared = {shape.name for shape in operation.error_shapes}
        if ConflictException.code in declared:
            return ConflictException(refused.message, resourceId=refused.resource_id,
                                     resourceType="SOURCE_SERVER" if refused.resource_id else None)
        return ValidationException(refused.message, reason="other")
