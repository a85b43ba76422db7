"""Answering and watching AWS calls on botocore's event hooks of one session, so boto3 clients stay unmodified.

The twin answers some APIs itself (Step Functions, EventBridge's PutEvents) and watches others that moto serves
(SQS sends, SNS publishes):

* an *answer* takes the request as botocore serialised it (the JSON body the service would receive) and returns
  the service's HTTP reply (status, headers, JSON body, ``__type`` for errors), which botocore's own parser for the
  service's protocol turns into the result or the modeled exception — the wire format both ways. It hooks
  ``before-call``, not ``before-send``: every ``before-send`` handler runs, so moto's (which ``mock_aws`` puts on
  every session) would serve the same request a second time, side effects included;
* a *watch* sees each successful call's parameters (kept from ``before-parameter-build``) and parsed answer
  (``after-call``), after moto has served it.

botocore copies a session's handlers into each client when the client is built, so the wiring must be installed
before the clients it should reach are made; ``uninstall`` switches every hook off, on clients already built too.
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable

from botocore.awsrequest import AWSResponse
from botocore.endpoint import Endpoint, convert_to_response_dict
from botocore.parsers import create_parser

_PARAMS = "waveflow.twin.params"
_REQUEST_NUMBERS = itertools.count(1)


@dataclass(frozen=True)
class Reply:
    """An HTTP answer of a JSON-protocol service."""

    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)
    #: the body is already what botocore's parser makes of the reply (a success whose answer has no timestamps
    #: and carries binaries as bytes): handed over as it is, without a JSON round trip through the parser
    parsed: bool = False


def json_reply(body: dict, *, status: int = 200, error_type: str | None = None) -> Reply:
    """A success, or with ``error_type`` the error botocore raises by that code (``client.exceptions.<Code>``)."""
    return Reply(status, {"__type": error_type, **body} if error_type else body)


Answer = Callable[[str, dict], "Reply | None"]
Watch = Callable[[dict, dict], None]


class _RawBody:
    """What botocore reads a response body from (``raw.stream()``)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any):
        yield self._data


def _served(model, params: dict, reply: Reply) -> tuple[AWSResponse, dict]:
    """The reply as an HTTP response and as botocore's parser reads it for ``model`` (an operation model)."""
    request_id = f"00000000-0000-4000-8000-{next(_REQUEST_NUMBERS):012x}"  # unique; no system entropy per request
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": request_id, **reply.headers}
    if reply.parsed:
        http = AWSResponse(params.get("url", ""), reply.status, headers, _RawBody(b""))
        return http, {**reply.body, "ResponseMetadata": response_metadata(http, request_id)}
    http = AWSResponse(params.get("url", ""), reply.status, headers, _RawBody(json.dumps(reply.body).encode()))
    return http, parsed_reply(model, http)


def response_metadata(http: AWSResponse, request_id: str) -> dict:
    """The ``ResponseMetadata`` botocore puts on a parsed answer to one attempt (handed over already parsed).

    The header names, in lower case, are read from the keys of the ``HeadersDict``'s own map, which hold them so:
    its public view makes a key object to find each value again (10 us an answer, against 2; ~75 answers a
    migration are handed over parsed, by the twin and by the direct path)."""
    return {"RequestId": request_id, "HTTPStatusCode": http.status_code,
            "HTTPHeaders": {key._lower: str(value) for key, value in http.headers._dict.items()}, "RetryAttempts": 0}


def parsed_reply(model, http: AWSResponse) -> dict:
    """What botocore makes of ``http``, a reply to ``model`` (an operation model): its protocol's parser's answer,
    with an error's modelled fields (``Item``, ``CancellationReasons``) as botocore's endpoint adds them."""
    parser = _parser(model.service_model.resolved_protocol)
    response = convert_to_response_dict(http, model)
    parsed = parser.parse(response, model.output_shape)
    if http.status_code >= 300:
        Endpoint._add_modeled_error_fields(None, response, parsed, model, parser)
    parsed.setdefault("ResponseMetadata", {})["RetryAttempts"] = 0
    return parsed


@cache
def _parser(protocol: str):
    """botocore's parser for ``protocol``, made once: a parser keeps nothing of what it parsed, and a new one per
    reply (as botocore's endpoint makes them) is a reference cycle the collector has to find."""
    return create_parser(protocol)


class Wiring:
    """The hooks one piece of the twin put on sessions, removable as one.

    >>> wiring = Wiring()
    >>> wiring.answer(session, "sfn", step_functions.serve)          # doctest: +SKIP
    >>> wiring.watch(session, "sqs", "SendMessage", queue_woken)      # doctest: +SKIP
    >>> wiring.uninstall()                                            # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._hooks: list[tuple[Any, str, str, list[bool]]] = []

    def answer(self, session, service: str, fn: Answer) -> None:
        """Let ``fn(operation, params)`` answer requests of ``service`` (botocore's hyphenated service id, e.g.
        ``sfn``); where it returns ``None`` the request goes on to moto."""
        active = [True]

        def handler(model, params, **_):
            if not active[0]:
                return None
            reply = fn(model.name, json.loads(params.get("body") or b"{}"))
            return None if reply is None else _served(model, params, reply)

        self._register(session, f"before-call.{service}", handler, active, first=True)

    def watch(self, session, service: str, operation: str, fn: Watch) -> None:
        """Call ``fn(params, parsed)`` after each successful ``operation`` of ``service``."""
        active = [True]

        def keep(params, context, **_):
            context[_PARAMS] = params

        def seen(http_response, parsed, context, **_):
            if active[0] and http_response.status_code < 300 and _PARAMS in context:
                fn(context[_PARAMS], parsed)

        self._register(session, f"before-parameter-build.{service}.{operation}", keep, active)
        self._register(session, f"after-call.{service}.{operation}", seen, active)

    def _register(self, session, event: str, handler, active: list[bool], first: bool = False) -> None:
        emitter = session.events if hasattr(session, "events") else session.get_component("event_emitter")
        unique_id = f"waveflow-twin-{id(self)}-{len(self._hooks)}"
        (emitter.register_first if first else emitter.register)(event, handler, unique_id=unique_id)
        self._hooks.append((emitter, event, unique_id, active))

    def uninstall(self) -> None:
        for emitter, event, unique_id, active in self._hooks:
            active[0] = False
            emitter.unregister(event, unique_id=unique_id)
        self._hooks.clear()
