"""``waveflow dlq list | redrive``: what was dead-lettered and why, and sending fixed messages back.

``requests``: requests ingress refused (``waveflow.reason`` says why) or that failed ``MaxReceiveCount``
times; redriven to the migration queue, without the ``waveflow.*`` attributes ingress added. ``events``:
events a rule or an asynchronously invoked function could not handle; redriven to the bus as they were.
Listing does not consume: messages are received for a moment and made visible again.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from .stack import OpsError, Stack

QUEUES = {"requests": "RequestsDeadLetterQueueUrl", "events": "EventsDeadLetterQueueUrl"}
#: How long listed messages stay hidden from other readers while this command holds them.
HOLD_SECONDS = 30


@dataclass
class DeadLetter:
    message_id: str
    body: str
    attributes: dict[str, str] = field(default_factory=dict)
    receipt: str = ""

    @property
    def encoding(self) -> str | None:
        """How ingress carried the body (``tasks.lib.deadletter``): None (as it came), base64, empty or s3."""
        return self.attributes.get("waveflow.bodyEncoding")

    @property
    def preview(self) -> str:
        if self.encoding == "s3":
            pointer = json.loads(self.body)
            return f"(in s3://{pointer['bucket']}/{pointer['key']}, {pointer['bytes']:,} bytes)"
        return {"base64": f"(base64) {self.body}", "empty": "(empty)"}.get(self.encoding, self.body)

    @property
    def reason(self) -> str | None:
        return self.attributes.get("waveflow.reason") or self.attributes.get("ERROR_MESSAGE") or \
            self.attributes.get("ErrorMessage")


def messages(stack: Stack, queue: str = "requests", limit: int = 1000) -> list[DeadLetter]:
    """The messages of a dead-letter queue, oldest first, left in the queue."""
    sqs, url = stack.client("sqs"), _url(stack, queue)
    held = _receive(sqs, url, limit)
    _release(sqs, url, held)
    return held


def redrive(stack: Stack, queue: str = "requests", ids: list[str] | None = None) -> list[str]:
    """Send the chosen messages (all when ``ids`` is None) back where they came from; their IDs, as sent.

    An ID that is not in the queue is an ``OpsError`` and nothing is sent.
    """
    sqs, url = stack.client("sqs"), _url(stack, queue)
    held = _receive(sqs, url, 1000)
    chosen = held if ids is None else [m for m in held if m.message_id in set(ids)]
    missing = sorted(set(ids or ()) - {m.message_id for m in held})
    if missing:
        _release(sqs, url, held)
        raise OpsError(f"not in the {queue} dead-letter queue: {', '.join(missing)}; `waveflow dlq list` shows "
                       f"what is")
    sent: list[str] = []
    try:
        for message in chosen:
            _send_back(stack, queue, message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message.receipt)
            sent.append(message.message_id)
    finally:  # whatever was not sent back is visible again at once, not after HOLD_SECONDS
        _release(sqs, url, [m for m in held if m.message_id not in sent])
    return sent


def _url(stack: Stack, queue: str) -> str:
    if queue not in QUEUES:
        raise OpsError(f"unknown queue {queue!r}; choose {' or '.join(QUEUES)}")
    return stack.output(QUEUES[queue])


def _receive(sqs, url: str, limit: int) -> list[DeadLetter]:
    held: dict[str, DeadLetter] = {}
    while len(held) < limit:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=HOLD_SECONDS,
                                    MessageAttributeNames=["All"], AttributeNames=["All"]).get("Messages", [])
        fresh = [m for m in batch if m["MessageId"] not in held]
        if not fresh:
            break
        for m in fresh:
            attributes = {k: v.get("StringValue", "") for k, v in m.get("MessageAttributes", {}).items()}
            held[m["MessageId"]] = DeadLetter(m["MessageId"], m["Body"], attributes, m["ReceiptHandle"])
    return list(held.values())


def _release(sqs, url: str, held: list[DeadLetter]) -> None:
    for start in range(0, len(held), 10):
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m.receipt, "VisibilityTimeout": 0}
            for i, m in enumerate(held[start:start + 10])])


def original_body(stack: Stack, message: DeadLetter) -> str:
    """The request as it first arrived: decoded, or fetched from the payload bucket."""
    if message.encoding == "base64":
        return base64.b64decode(message.body).decode("utf-8", errors="replace")
    if message.encoding == "empty":
        return ""
    if message.encoding == "s3":
        pointer = json.loads(message.body)
        data = stack.client("s3").get_object(Bucket=pointer["bucket"], Key=pointer["key"])["Body"].read()
        return data.decode("utf-8", errors="replace")
    return message.body


def _send_back(stack: Stack, queue: str, message: DeadLetter) -> None:
    if queue == "requests":
        kept = {k: {"DataType": "String", "StringValue": v} for k, v in message.attributes.items()
                if not k.startswith("waveflow.")}
        sqs, url = stack.client("sqs"), stack.output("MigrationQueueUrl")
        body = original_body(stack, message)
        limit = int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])["Attributes"][
            "MaximumMessageSize"])
        if len(body.encode("utf-8")) > limit:
            raise OpsError(f"message {message.message_id} is {len(body.encode('utf-8')):,} bytes, more than the "
                           f"migration queue takes ({limit:,}); fix the request and send it with `aws sqs "
                           f"send-message`, then delete it from the dead-letter queue")
        sqs.send_message(QueueUrl=url, MessageBody=body, **({"MessageAttributes": kept} if kept else {}))
        return
    try:
        event = json.loads(message.body)
        entry = {"Source": event["source"], "DetailType": event["detail-type"], "Detail": json.dumps(event["detail"]),
                 "EventBusName": stack.output("EventBusName")}
    except (ValueError, KeyError, TypeError) as exc:
        raise OpsError(f"message {message.message_id} is not an EventBridge event ({exc}); it cannot go back to the "
                       f"bus") from exc
    stack.client("events").put_events(Entries=[entry])
