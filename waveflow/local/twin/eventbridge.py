"""EventBridge for the twin: PutEvents answered at the wire, events matched against the stack's rules, delivered.

moto cannot deliver to Lambda (or Step Functions) targets, and a rule holding one breaks its other targets, so the
twin answers ``PutEvents`` itself (other EventBridge calls go on to moto, which holds the buses and rules too).
Each accepted entry becomes the event EventBridge would deliver (``version``, ``id``, ``detail-type``,
``source``, ``account``, ``time``, ``region``, ``resources``, ``detail``), is kept in ``events`` (the bus's
archive, in order) and is matched against the enabled rules of its bus (``patterns``). Each matching target
gets its input (``transform``) on the clock's next turn, never inside the caller's invocation:

* a Lambda target is invoked asynchronously (``Functions.invoke_async``: Lambda's own retries and DLQ apply to
  function errors);
* an SQS target gets the input as a message;
* what cannot be delivered (no such function or queue, SQS failing) is retried with exponential backoff within
  the target's RetryPolicy (``maximum_retry_attempts``, ``maximum_event_age``; a missing resource is not
  retried), then sent to the target's dead-letter queue with EventBridge's attributes (``RULE_ARN``,
  ``TARGET_ARN``, ``ERROR_CODE``, ``ERROR_MESSAGE``, ``EXHAUSTED_RETRY_CONDITION``, ``RETRY_ATTEMPTS``), or
  kept in ``undelivered`` when it has none.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from botocore.exceptions import ClientError

from ..clock import iso8601
from .functions import Functions
from .patterns import EventPattern
from .stack import Rule, Stack, Target
from .transform import target_input
from .wire import Reply, Wiring

MAX_BACKOFF_SECONDS = 300


class DeliveryFailed(Exception):
    """A target could not take an event: its error code, and whether trying again can help."""

    def __init__(self, code: str, message: str, retriable: bool) -> None:
        super().__init__(message)
        self.code = code
        self.retriable = retriable


@dataclass(frozen=True)
class Undelivered:
    """An event a target never took, with why (when the target has no dead-letter queue)."""

    rule: str
    target: str
    event: dict
    error: str


class EventBridge:
    """The stack's buses and rules, delivering on ``scheduler``.

    >>> bridge = EventBridge(stack, functions, queues, scheduler); bridge.install(session, wiring)  # doctest: +SKIP
    """

    def __init__(self, stack: Stack, functions: Functions, send_to_queue: Callable[[str, str, dict], None],
                 scheduler) -> None:
        self.stack = stack
        self.functions = functions
        self.send_to_queue = send_to_queue
        self.scheduler = scheduler
        self.events: list[dict] = []
        self.undelivered: list[Undelivered] = []
        self._rules: dict[str, list[tuple[Rule, EventPattern]]] = {bus: [] for bus in (*stack.buses, "default")}
        for rule in stack.rules:
            if rule.bus not in self._rules:
                raise ValueError(f"rule {rule.name} is on bus {rule.bus!r}, which the stack does not declare")
            for target in rule.targets:
                _target_kind(target)
            self._rules[rule.bus].append((rule, EventPattern(rule.event_pattern)))

    def install(self, session, wiring: Wiring) -> None:
        wiring.answer(session, "eventbridge", self.serve)

    def serve(self, operation: str, params: dict) -> Reply | None:
        if operation != "PutEvents":
            return None  # moto serves the rest
        entries = [self._put(entry) for entry in params.get("Entries", [])]
        failed = sum(1 for entry in entries if "ErrorCode" in entry)
        # text and a count only: botocore's parser would hand the caller this very answer
        return Reply(200, {"FailedEntryCount": failed, "Entries": entries}, parsed=True)

    # -- accepting ------------------------------------------------------------------------------------------------

    def _put(self, entry: dict) -> dict:
        missing = [key for key in ("Source", "DetailType", "Detail") if not entry.get(key)]
        if missing:
            return {"ErrorCode": "InvalidArgument", "ErrorMessage": f"Parameter(s) {', '.join(missing)} not specified."}
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
        bus = (entry.get("EventBusName") or "default").rpartition("/")[2]
        if bus not in self._rules:
            return {"ErrorCode": "ResourceNotFoundException", "ErrorMessage": f"Event bus {bus} does not exist."}
        now = self.scheduler.clock.now()
        event = {
            "version": "0",
            "id": self.scheduler.uuid4(),
            "detail-type": entry["DetailType"],
            "source": entry["Source"],
            "account": self.stack.account,
            "time": iso8601(entry["Time"] if "Time" in entry else now)[:19] + "Z",
            "region": self.stack.region,
            "resources": list(entry.get("Resources") or []),
            "detail": detail,
        }
        self.events.append(event)
        for rule, pattern in self._rules[bus]:
            if rule.enabled and pattern.matches(event):
                reserved = {"aws.events.rule-arn": self.stack.rule_arn(rule), "aws.events.rule-name": rule.name,
                            "aws.events.event.ingestion-time": iso8601(now)}
                for target in rule.targets:
                    payload = target_input(event, target, reserved)
                    self.scheduler.soon(lambda r=rule, t=target, p=payload: self._deliver(r, t, event, p, 0, now))
        return {"EventId": event["id"]}

    # -- delivering -----------------------------------------------------------------------------------------------

    def _deliver(self, rule: Rule, target: Target, event: dict, payload: Any, attempt: int, put_at: float) -> None:
        try:
            self._send(target, payload)
        except DeliveryFailed as failure:
            delay = min(2 ** attempt, MAX_BACKOFF_SECONDS)
            too_old = self.scheduler.clock.now() - put_at + delay > target.maximum_event_age
            too_many = attempt >= target.maximum_retry_attempts
            if failure.retriable and not too_old and not too_many:
                self.scheduler.after(delay, lambda: self._deliver(rule, target, event, payload, attempt + 1, put_at))
                return
            exhausted = "MaximumRetryAttempts" if too_many else "MaximumEventAgeInSeconds"
            self._dead_letter(rule, target, event, failure, exhausted if failure.retriable else None, attempt)

    def _send(self, target: Target, payload: Any) -> None:
        kind, name = _target_kind(target)
        if kind == "lambda":
            if name not in self.functions.by_name:
                raise DeliveryFailed("ResourceNotFoundException", f"Function not found: {target.arn}", False)
            self.functions.invoke_async(name, payload)
            return
        try:
            self.send_to_queue(name, payload if isinstance(payload, str) else json.dumps(payload), {})
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "Unknown")
            raise DeliveryFailed(code, str(exc), retriable="NonExistentQueue" not in code) from exc

    def _dead_letter(self, rule: Rule, target: Target, event: dict, failure: DeliveryFailed, exhausted: str | None,
                     attempts: int) -> None:
        if target.dead_letter is None:
            self.undelivered.append(Undelivered(rule.name, target.id, event, f"{failure.code}: {failure}"))
            return
        attributes = {"RULE_ARN": self.stack.rule_arn(rule), "TARGET_ARN": target.arn, "ERROR_CODE": failure.code,
                      "ERROR_MESSAGE": str(failure)[:1024], "RETRY_ATTEMPTS": str(attempts)}
        if exhausted:
            attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
        self.send_to_queue(target.dead_letter, json.dumps(event), attributes)


def _target_kind(target: Target) -> tuple[str, str]:
    """``("lambda", function name)`` or ``("sqs", queue name)``; anything else is refused by name."""
    parts = target.arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return "lambda", parts[6]
    if len(parts) == 6 and parts[2] == "sqs":
        return "sqs", parts[5]
    raise ValueError(f"target {target.id} ({target.arn}): the local twin delivers to Lambda functions and SQS "
                     f"queues only")
