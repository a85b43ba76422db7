"""Lambda's SQS event source mapping, on the twin's clock: poll the queue, call the function, delete what succeeded.

As the service does it: a batch of up to ``batch_size`` records is gathered (waiting up to ``batching_window``
seconds after a message arrives), the function is called with the SQS event Lambda builds (``Records`` with
``messageId``, ``receiptHandle``, ``body``, ``attributes``, ``messageAttributes``, ``md5OfBody``, ``eventSource``,
``eventSourceARN``, ``awsRegion``) and a Lambda context; the records that succeeded are deleted. With
``report_batch_item_failures`` the records the function names in ``batchItemFailures`` stay in the queue (a
response naming a record not in the batch fails the whole batch, as Lambda does); a function that raises fails
the whole batch. Failed records become visible again when the queue's visibility timeout has passed *on the
twin's clock* — moto's SQS timers run on the wall clock, so the mapping makes them visible itself with
ChangeMessageVisibility — and the queue's redrive policy (``maxReceiveCount``) moves a record received too often
to the dead-letter queue, as moto's SQS applies it on receive.

The mapping does not poll an empty queue: it watches SendMessage/SendMessageBatch to its queue on the twin's
session and wakes up then, so an idle twin has nothing scheduled and its clock can run out.

Concurrency (``ScalingConfig.MaximumConcurrency``): at most that many invocations are in flight; each holds its
slot for its billed duration (``functions``' model) on the twin's clock, and the poller takes the next batch when
a slot frees. A message the twin's faults redeliver (``faults.TwinFaults.redelivers``) is left undeleted after it
was processed and comes back after the visibility timeout, as SQS's at-least-once delivery brings it back.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from .faults import TwinFaults
from .functions import LocalFunction
from .stack import EventSourceMapping, Stack
from .wire import Wiring

_SQS_BATCH = 10  # ReceiveMessage and DeleteMessageBatch take at most ten messages per call


@dataclass
class BatchOutcome:
    """One invocation: the message IDs it carried and those that failed."""

    message_ids: tuple[str, ...]
    failed: tuple[str, ...]


class SqsEventSource:
    """Feeds one queue to one function.

    >>> source = SqsEventSource(stack.event_source_mappings[0], stack, functions["Ingress"], scheduler)
    >>> source.install(session, wiring)  # doctest: +SKIP
    """

    def __init__(self, mapping: EventSourceMapping, stack: Stack, function: LocalFunction, scheduler,
                 faults: TwinFaults | None = None) -> None:
        queue = stack.queue(mapping.queue)
        self.mapping = mapping
        self.function = function
        self.sqs: Any = None
        self.scheduler = scheduler
        self.url = stack.queue_url(queue.name)
        self.arn = stack.queue_arn(queue.name)
        self.region = stack.region
        self.visibility_timeout = queue.visibility_timeout
        self.faults = faults or TwinFaults()
        self.limit = mapping.maximum_concurrency or 1000
        self.batches: list[BatchOutcome] = []
        self.redelivered = 0
        self._sent_at: dict[str, float] = {}
        self._first_received: dict[str, float] = {}
        self._poll = None
        self._busy = 0

    def install(self, session, wiring: Wiring) -> None:
        """Wake up on every message sent to the queue through clients of ``session`` built from now on."""
        wiring.watch(session, "sqs", "SendMessage", self._sent)
        wiring.watch(session, "sqs", "SendMessageBatch", self._sent)
        self.sqs = session.client("sqs", region_name=self.region)

    def _sent(self, params: dict, parsed: dict) -> None:
        if params.get("QueueUrl") != self.url:
            return
        now = self.scheduler.clock.now()
        for message_id in [parsed.get("MessageId")] + [entry["MessageId"] for entry in parsed.get("Successful", [])]:
            if message_id:
                self._sent_at.setdefault(message_id, now)
        self.wake(self.mapping.batching_window)

    def wake(self, after: float = 0) -> None:
        """Poll ``after`` seconds from now, unless a poll is already due."""
        if self._poll is None:
            self._poll = self.scheduler.after(after, self._run)

    def _run(self) -> None:
        self._poll = None
        while self._busy < self.limit:
            messages = self._receive()
            if not messages:
                return
            billed = self.function.counters.billed_ms
            self._invoke(messages)
            self._busy += 1
            self.scheduler.after((self.function.counters.billed_ms - billed) / 1000, self._freed)
            if len(messages) < self.mapping.batch_size:  # the queue is drained for now
                return

    def _freed(self) -> None:
        self._busy -= 1
        self.wake()

    def _receive(self) -> list[dict]:
        messages: list[dict] = []
        while len(messages) < self.mapping.batch_size:
            batch = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=min(_SQS_BATCH, self.mapping.batch_size - len(messages)),
                VisibilityTimeout=self.visibility_timeout, AttributeNames=["All"], MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                break
            messages.extend(batch)
        now = self.scheduler.clock.now()
        for message in messages:
            self._first_received.setdefault(message["MessageId"], now)
        return messages

    def _invoke(self, messages: list[dict]) -> None:
        ids = [message["MessageId"] for message in messages]
        try:
            response = self.function({"Records": [self._record(message) for message in messages]})
        except Exception:  # the function failed: the whole batch returns after the visibility timeout
            failed = set(ids)
        else:
            failed = self._failures(response, ids)
        self.batches.append(BatchOutcome(tuple(ids), tuple(i for i in ids if i in failed)))
        again = {m["MessageId"] for m in messages if m["MessageId"] not in failed and self.faults.redelivers(
            m["MessageId"], int(m.get("Attributes", {}).get("ApproximateReceiveCount", "1")))}
        self.redelivered += len(again)
        failed |= again
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), _SQS_BATCH):
            chunk = done[start:start + _SQS_BATCH]
            self.sqs.delete_message_batch(QueueUrl=self.url, Entries=[
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(chunk)])
        for message in messages:
            if message["MessageId"] in failed:
                self.scheduler.after(self.visibility_timeout, lambda m=message: self._visible_again(m))

    def _failures(self, response: Any, ids: list[str]) -> set[str]:
        """The message IDs a response reports failed; every ID when the report is malformed, as Lambda reads it."""
        if not self.mapping.report_batch_item_failures or response is None:
            return set()
        items = response.get("batchItemFailures") if isinstance(response, dict) else None
        if items is None:
            return set()
        named = [item.get("itemIdentifier") if isinstance(item, dict) else None for item in items] \
            if isinstance(items, list) else [None]
        if any(not name or name not in ids for name in named):
            return set(ids)
        return set(named)

    def _visible_again(self, message: dict) -> None:
        self.sqs.change_message_visibility(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"],
                                           VisibilityTimeout=0)
        self.wake()

    def _record(self, message: dict) -> dict:
        attributes = dict(message.get("Attributes", {}))
        message_id = message["MessageId"]
        if message_id in self._sent_at:
            attributes["SentTimestamp"] = str(int(self._sent_at[message_id] * 1000))
        attributes["ApproximateFirstReceiveTimestamp"] = str(int(self._first_received[message_id] * 1000))
        record = {
            "messageId": message_id,
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": attributes,
            "messageAttributes": {name: _lambda_attribute(value)
                                  for name, value in message.get("MessageAttributes", {}).items()},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": self.region,
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record


def _lambda_attribute(value: dict) -> dict:
    """An SQS message attribute as Lambda's event carries it (camelCase keys, binary values in base64)."""
    out: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    return out
