"""Answering and watching AWS calls at the wire, on botocore's event hooks of one session.

The twin answers some APIs itself (Step Functions, EventBridge's PutEvents) and watches others that moto serves
(SQS sends, SNS publishes), so the tasks' boto3 clients stay unmodified:

* an *answer* is a ``before-send`` handler registered first: it returns an HTTP response and the request never
  reaches moto's own ``before-send`` handler (which ``mock_aws`` puts on every session);
* a *watch* sees each successful call's parameters (kept from ``before-parameter-build``) and parsed answer
  (``after-call``), after moto has served it.

botocore copies a session's handlers into each client when the client is built, so the wiring must be installed
before the clients it should reach are made; ``uninstall`` switches every hook off, on clients already built too.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Callable

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

Answer = Callable[[AWSPreparedRequest], "AWSResponse | None"]
Watch = Callable[[dict, dict], None]
_PARAMS = "waveflow.twin.params"


class _RawBody:
    """What botocore reads a response body from (``raw.stream()``)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any):
        yield self._data


def json_response(request: AWSPreparedRequest, body: dict, *, status: int = 200,
                  error_type: str | None = None) -> AWSResponse:
    """An ``application/x-amz-json`` answer; with ``error_type``, the error shape botocore raises by that code."""
    payload = {"__type": error_type, **body} if error_type else body
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": str(uuid.uuid4())}
    return AWSResponse(request.url, status, headers, _RawBody(json.dumps(payload).encode()))


def json_request(request: AWSPreparedRequest) -> tuple[str, dict]:
    """The operation (from ``X-Amz-Target``) and parameters of a JSON-protocol request."""
    target = request.headers.get("X-Amz-Target") or b""
    target = target.decode() if isinstance(target, bytes) else target
    body = request.body or b"{}"
    return target.rpartition(".")[2], json.loads(body.decode() if isinstance(body, bytes) else body)


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
        """Serve every request of ``service`` (botocore's hyphenated service id, e.g. ``sfn``) with ``fn``."""
        active = [True]
        self._register(session, f"before-send.{service}", lambda request, **_: fn(request) if active[0] else None,
                       active, first=True)

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
