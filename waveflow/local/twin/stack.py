"""The description of a deployed stack that the local twin is built from: names, settings, wiring.

Everything the twin creates or joins is named here, resolved as CloudFormation would resolve it (names, URLs and
ARNs, not ``Ref``/``GetAtt``): queues with their redrive policy, buses and rules with their event patterns and
targets, tables with their CloudFormation properties, topics, secrets, buckets, functions with their handler and
environment, the SQS event source mapping, and the state machines with their definition and substitutions.
``waveflow run`` fills it from ``build/template.yaml``; tests build it by hand. It holds no behaviour beyond
naming: the twin's pieces (``provision``, ``functions``, ``event_source``, ``eventbridge``, ``sns``) read it.

    >>> stack = Stack(queues=(Queue("requests", dead_letter="requests-dlq", max_receive_count=3),
    ...                       Queue("requests-dlq")))
    >>> stack.queue_url("requests")
    'https://sqs.us-east-1.amazonaws.com/123456789012/requests'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Queue:
    """An SQS queue; ``dead_letter`` (a queue name) and ``max_receive_count`` make its redrive policy."""

    name: str
    visibility_timeout: int = 30
    dead_letter: str | None = None
    max_receive_count: int | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: its name and its ``AWS::DynamoDB::Table`` properties (without ``TableName``)."""

    name: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Target:
    """A rule's target: ``arn`` of a Lambda function or an SQS queue, with its input and retry settings.

    ``input_transformer`` is ``{"InputPathsMap": {...}, "InputTemplate": "..."}``; ``input`` a constant JSON text;
    ``input_path`` a JSONPath into the event. ``dead_letter`` is the name of the queue that gets what could not
    be delivered after ``maximum_retry_attempts`` or ``maximum_event_age`` seconds (its RetryPolicy).
    """

    id: str
    arn: str
    input_transformer: dict[str, Any] | None = None
    input: str | None = None
    input_path: str | None = None
    dead_letter: str | None = None
    maximum_retry_attempts: int = 185
    maximum_event_age: int = 86400


@dataclass(frozen=True)
class Rule:
    """An EventBridge rule on ``bus`` (a bus name): its event pattern and targets."""

    name: str
    bus: str
    event_pattern: dict[str, Any]
    targets: tuple[Target, ...]
    enabled: bool = True


@dataclass(frozen=True)
class Function:
    """A Lambda function: ``handler`` is ``module.function`` as Lambda imports it.

    ``dead_letter`` is the queue (a name) that gets an asynchronous invocation that failed ``async_retries`` + 1
    times (Lambda's DeadLetterConfig and MaximumRetryAttempts).
    """

    name: str
    handler: str
    environment: dict[str, str] = field(default_factory=dict)
    timeout: int = 60
    memory: int = 128
    dead_letter: str | None = None
    async_retries: int = 2


@dataclass(frozen=True)
class EventSourceMapping:
    """Lambda polling an SQS queue: ``function`` and ``queue`` are names; ``maximum_concurrency`` is the
    mapping's ScalingConfig (batches in flight at once; ``None``: as many as the queue holds)."""

    function: str
    queue: str
    batch_size: int = 10
    batching_window: int = 0
    report_batch_item_failures: bool = True
    maximum_concurrency: int | None = None


@dataclass(frozen=True)
class StateMachine:
    """A state machine: its definition (ASL, as built) and its DefinitionSubstitutions, resolved."""

    name: str
    definition: dict[str, Any]
    substitutions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Stack:
    """Every resource of the deployed stack the twin stands in for, in one account and region."""

    region: str = "us-east-1"
    account: str = "123456789012"
    queues: tuple[Queue, ...] = ()
    tables: tuple[Table, ...] = ()
    buses: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    topics: tuple[str, ...] = ()
    #: secret name or ARN (``arn:...:secret:<name>-<6 characters>``, as a template's Ref gives it) -> its value
    secrets: dict[str, str] = field(default_factory=dict)
    buckets: tuple[str, ...] = ()
    functions: tuple[Function, ...] = ()
    event_source_mappings: tuple[EventSourceMapping, ...] = ()
    state_machines: tuple[StateMachine, ...] = ()

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"

    def queue(self, name: str) -> Queue:
        return _named(self.queues, name, "queue")

    def queue_url(self, name: str) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"

    def queue_arn(self, name: str) -> str:
        return self._arn("sqs", name)

    def function(self, name: str) -> Function:
        return _named(self.functions, name, "function")

    def function_arn(self, name: str) -> str:
        return self._arn("lambda", f"function:{name}")

    def topic_arn(self, name: str) -> str:
        return self._arn("sns", name)

    def bus_arn(self, name: str) -> str:
        return self._arn("events", f"event-bus/{name}")

    def rule_arn(self, rule: Rule) -> str:
        return self._arn("events", f"rule/{rule.bus}/{rule.name}" if rule.bus != "default" else f"rule/{rule.name}")

    def state_machine_arn(self, name: str) -> str:
        return self._arn("states", f"stateMachine:{name}")


def _named(items, name: str, kind: str):
    for item in items:
        if item.name == name:
            return item
    known = ", ".join(sorted(item.name for item in items)) or "none"
    raise KeyError(f"the stack has no {kind} named {name!r}; its {kind}s: {known}")
