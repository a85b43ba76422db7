"""The stack's Lambda functions, in process: each handler invoked with its own environment and a Lambda context,
counted, and — for asynchronous invocations (EventBridge targets) — retried and dead-lettered as Lambda does.

A function's environment is its own: the ``WAVEFLOW_*`` settings of every function differ (only the starter
knows the state machine's ARN), so each invocation sees its function's variables and no other ``WAVEFLOW_*``
variable nor any variable another function sets, and the tasks' cached configuration is re-read. The process
environment is restored after the call.

Billed duration is a deterministic model, not the wall time a call took here (which would make the same run cost
differently on another machine): :data:`BASE_MS` per invocation plus :data:`REQUEST_MS` per AWS request the
invocation made (counted on the twin's session), the whole timeout for one that timed out (``faults``).

Asynchronous invocation (docs: "Lambda retries function errors twice, waiting one minute, then two minutes")
is scheduled on the twin's clock; an event that still fails goes to the function's dead-letter queue with
Lambda's message attributes (``RequestID``, ``ErrorCode``, ``ErrorMessage``), or, without one, is kept in
``dropped``.
"""
from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from ..environment import Overlay
from ..lambda_context import LambdaContext
from .faults import SandboxTimedout, TwinFaults
from .stack import Function, Stack

_OWN_PREFIX = "WAVEFLOW_"
#: Waits before Lambda's retries of a failed asynchronous invocation.
ASYNC_RETRY_DELAYS = (60, 120)
#: The duration model: a Lambda invocation's own overhead, and what each AWS request it makes adds (a DynamoDB
#: or MGN call from Lambda in the same region takes some 10-30 ms).
BASE_MS = 10
REQUEST_MS = 20


@dataclass
class Counters:
    """What a function cost: invocations, errors (timeouts among them), and billed duration (the model above)."""

    invocations: int = 0
    errors: int = 0
    timeouts: int = 0
    billed_ms: int = 0

    def gb_seconds(self, memory_mb: int) -> float:
        return self.billed_ms / 1000 * memory_mb / 1024


@dataclass
class Dropped:
    """An asynchronous event that failed every attempt and had no dead-letter queue to go to."""

    function: str
    event: Any
    error: str


class LocalFunction:
    """One function of the stack: call it as Lambda calls a handler, ``fn(event, context)``.

    >>> fn = LocalFunction(stack.function("StartMigration"), stack, clock, uuid)  # doctest: +SKIP
    >>> fn({"detail": {...}})                                                    # doctest: +SKIP
    """

    def __init__(self, spec: Function, stack: Stack, clock, uuid: Callable[[], str],
                 foreign_keys: frozenset[str] = frozenset(), requests: Callable[[], int] = lambda: 0,
                 faults: TwinFaults | None = None) -> None:
        """``foreign_keys``: the variables any function of the stack sets (hidden unless this one sets them);
        ``requests``: how many AWS requests have been made so far (the duration model reads it)."""
        self.spec = spec
        self.stack = stack
        self.clock = clock
        self.uuid = uuid
        self.requests = requests
        self.faults = faults or TwinFaults()
        self.counters = Counters()
        self._environment = Overlay(spec.environment, sorted(foreign_keys), prefix=_OWN_PREFIX)
        self._handler: Callable | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def handler(self) -> Callable:
        if self._handler is None:
            module, _, attribute = self.spec.handler.rpartition(".")
            try:
                self._handler = getattr(importlib.import_module(module), attribute)
            except (ImportError, AttributeError) as exc:
                raise LookupError(f"function {self.name}: cannot import its handler {self.spec.handler}: {exc}") \
                    from exc
        return self._handler

    def __call__(self, event: Any, context: Any = None) -> Any:
        """Invoke the handler once, in this function's environment, with a Lambda context of this function."""
        request_id = getattr(context, "aws_request_id", None) or self.uuid()
        own_context = LambdaContext(self.name, request_id, self.stack.region, self.stack.account, self.clock,
                                    self.spec.timeout, self.spec.memory)
        self.counters.invocations += 1
        before = self.requests()
        try:
            saved = self._environment.put_on()
            try:
                result = self.handler(event, own_context)
            finally:
                self._environment.take_off(saved)
        except Exception:
            self.counters.errors += 1
            self.counters.billed_ms += BASE_MS + REQUEST_MS * (self.requests() - before)
            raise
        if self.faults.times_out(self.name, request_id):
            self.counters.errors += 1
            self.counters.timeouts += 1
            self.counters.billed_ms += self.spec.timeout * 1000
            raise SandboxTimedout(f"RequestId: {request_id} Error: Task timed out after {self.spec.timeout:.2f} "
                                  f"seconds")
        self.counters.billed_ms += min(BASE_MS + REQUEST_MS * (self.requests() - before), self.spec.timeout * 1000)
        return result


@dataclass
class Functions:
    """Every function of the stack by name, and Lambda's asynchronous invocation on the twin's scheduler."""

    stack: Stack
    scheduler: Any
    send_to_queue: Callable[[str, str, dict], None]
    faults: TwinFaults = field(default_factory=TwinFaults)
    by_name: dict[str, LocalFunction] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    requests: int = 0

    def __post_init__(self) -> None:
        keys = frozenset(key for spec in self.stack.functions for key in spec.environment)
        for spec in self.stack.functions:
            self.by_name[spec.name] = LocalFunction(spec, self.stack, self.scheduler.clock, self.scheduler.uuid4, keys,
                                                    lambda: self.requests, self.faults)

    def install(self, session) -> None:
        """Count the AWS requests made through ``session`` (the duration model's input)."""
        session.events.register("after-call", self._counted, unique_id=f"waveflow-twin-requests-{id(self)}")

    def uninstall(self, session) -> None:
        session.events.unregister("after-call", unique_id=f"waveflow-twin-requests-{id(self)}")

    def _counted(self, **_: Any) -> None:
        self.requests += 1

    def __getitem__(self, name: str) -> LocalFunction:
        if name not in self.by_name:
            raise KeyError(f"the stack has no function {name!r}; its functions: {', '.join(sorted(self.by_name))}")
        return self.by_name[name]

    def invoke_async(self, name: str, event: Any) -> None:
        """InvocationType=Event: run soon; retry failures after 1 and 2 minutes; then the function's DLQ."""
        function = self[name]
        self.scheduler.soon(lambda: self._attempt(function, event, 0))

    def _attempt(self, function: LocalFunction, event: Any, attempt: int) -> None:
        request_id = self.scheduler.uuid4()
        try:
            function(event, _RequestId(request_id))
        except Exception as exc:  # a function error: Lambda's own retry, then its dead-letter queue
            if attempt < min(function.spec.async_retries, len(ASYNC_RETRY_DELAYS)):
                delay = ASYNC_RETRY_DELAYS[attempt]
                self.scheduler.after(delay, lambda: self._attempt(function, event, attempt + 1))
                return
            self._dead_letter(function, event, request_id, exc)

    def _dead_letter(self, function: LocalFunction, event: Any, request_id: str, exc: Exception) -> None:
        message = f"{type(exc).__name__}: {exc}"[:1024]
        if function.spec.dead_letter is None:
            self.dropped.append(Dropped(function.name, event, message))
            return
        self.send_to_queue(function.spec.dead_letter, json.dumps(event), {
            "RequestID": request_id, "ErrorCode": "200", "ErrorMessage": message})


@dataclass(frozen=True)
class _RequestId:
    """The one field of a context that the async invoker decides: the request ID of this attempt."""

    aws_request_id: str
