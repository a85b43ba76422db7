"""The ingress Lambda: turns an SQS batch of migration requests into PENDING records and MigrationRequested events.

Per record: parse, validate, normalise, create the status record (conditional write), announce it. What happens
to a record decides what SQS sees:

* invalid (not JSON, breaks the schema): sent at once to the DLQ, body unchanged, with message attributes
  ``waveflow.reason`` (every problem as ``path: message``), ``waveflow.correlationId``, ``waveflow.receivedAt``
  and ``waveflow.sourceMessageId``; the record counts as handled, since redelivery cannot fix it. A body SQS
  cannot carry (not UTF-8, control characters, empty) goes base64 with ``waveflow.bodyEncoding``. Messages
  that SQS itself moves to the DLQ after too many receives have no ``waveflow.reason``;
* a duplicate already announced: nothing is written or published;
* a transient failure (throttling, 5xx): reported in ``batchItemFailures``, so SQS redelivers that record only.

The status record remembers which events were published for it (``publishedEvents``). A record that was
created but whose MigrationRequested was lost (PutEvents failed after the write) is therefore announced on
redelivery instead of being swallowed as a duplicate. A crash between a successful publish and noting it can
publish twice; the state machine's execution name is the migration ID, so that second event starts nothing.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch import EventType as BatchEventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from tasks.lib import aws
from tasks.lib.awserrors import transient_as_throttled
from tasks.lib.config import load_config
from tasks.lib.errors import InvalidMigrationDocument, RequestConflict
from tasks.lib.events import MIGRATION_REQUESTED, EventPublisher
from tasks.lib.observability import logger, metrics, tracer
from tasks.lib.request import RequestProblem, normalise_request, summarise
from tasks.lib.store import StatusStore

REASON_MAX_CHARS = 8192
# The characters SQS accepts in a message body or attribute (the XML 1.0 character set).
_NOT_SQS_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

processor = BatchProcessor(event_type=BatchEventType.SQS)


def _sqs_text(text: str) -> str:
    """``text`` with every character SQS refuses written as a ``\\uXXXX`` escape."""
    return _NOT_SQS_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _dlq_body(body: Any) -> tuple[str, str | None]:
    """The body to dead-letter and its encoding: unchanged whenever SQS can carry it, else base64."""
    if isinstance(body, str) and body and not _NOT_SQS_TEXT.search(body):
        return body, None
    if isinstance(body, (bytes, bytearray)):
        data = bytes(body)
    elif isinstance(body, str):
        data = body.encode("utf-8", "surrogatepass")
    else:
        data = repr(body).encode("utf-8")
    return (base64.b64encode(data).decode("ascii"), "base64") if data else ("(empty body)", "empty")


def _parse(body: Any) -> tuple[Any, RequestProblem | None]:
    """The JSON value in an SQS body, or the problem that keeps it from being one."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, RequestProblem("", f"the message body is not UTF-8 text ({exc.reason} at byte {exc.start})")
    if not isinstance(body, str):
        return None, RequestProblem("", f"the message body is not text but {type(body).__name__}")
    try:
        return json.loads(body), None
    except (ValueError, RecursionError) as exc:
        return None, RequestProblem("", f"the message body is not JSON: {str(exc)[:200]}")


def _requested_correlation_id(parsed: Any) -> str | None:
    """The requester's correlation ID, if the body carries a usable one (even when the request is invalid)."""
    value = parsed.get("correlationId") if isinstance(parsed, dict) else None
    return value if isinstance(value, str) and 0 < len(value) <= 128 else None


@dataclass
class Ingress:
    """The per-record work of the handler, with its store, publisher and DLQ passed in."""

    store: StatusStore
    publisher: EventPublisher
    sqs: Any
    dlq_url: str

    @classmethod
    def from_config(cls) -> "Ingress":
        config = load_config()
        return cls(StatusStore(config.status_table), EventPublisher(config.event_bus), aws.client("sqs"), config.dlq_url)

    def admit(self, record: SQSRecord) -> str:
        """Handle one SQS record: ``"requested"``, ``"duplicate"`` or ``"rejected"``; transient errors raise."""
        logger.remove_keys(["migrationId"])
        parsed, problem = _parse(record["body"])
        correlation_id = _requested_correlation_id(parsed) or record.message_id
        logger.set_correlation_id(correlation_id)
        if problem is not None:
            return self.reject(record, [problem], correlation_id)
        try:
            document = normalise_request(parsed, default_correlation_id=record.message_id)
        except InvalidMigrationDocument as exc:
            return self.reject(record, list(exc.problems), correlation_id)
        try:
            stored, created = self.store.create(document, id_given="migrationId" in parsed)
        except RequestConflict as exc:
            return self.reject(record, [exc.problem], correlation_id)
        logger.set_correlation_id(stored["correlationId"])  # a duplicate logs under the migration's own ID
        logger.append_keys(migrationId=stored["migrationId"])
        if MIGRATION_REQUESTED in stored.get("publishedEvents", {}):
            logger.info("duplicate request ignored: migration already requested", extra={"status": stored["status"]})
            metrics.add_metric(name="DuplicateRequests", unit=MetricUnit.Count, value=1)
            return "duplicate"
        event_id = self.publisher.publish(MIGRATION_REQUESTED, stored)
        self.store.record_event(stored["migrationId"], MIGRATION_REQUESTED, event_id)
        metrics.add_metric(name="MigrationsRequested", unit=MetricUnit.Count, value=1)
        logger.info("migration requested", extra={"eventId": event_id, "newRecord": created})
        return "requested"

    def reject(self, record: SQSRecord, problems: list[RequestProblem], correlation_id: str) -> str:
        """Dead-letter the record now, body unchanged and every problem in ``waveflow.reason``."""
        reason = summarise(problems, REASON_MAX_CHARS)
        body, encoding = _dlq_body(record["body"])
        attributes = {
            "waveflow.reason": reason,
            "waveflow.correlationId": correlation_id,
            "waveflow.receivedAt": aws.iso_now(),
            "waveflow.sourceMessageId": record.message_id,
            **({"waveflow.bodyEncoding": encoding} if encoding else {}),
        }
        with transient_as_throttled(f"SQS SendMessage to {self.dlq_url}"):
            self.sqs.send_message(
                QueueUrl=self.dlq_url,
                MessageBody=body,
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": _sqs_text(value)} for name, value in attributes.items()
                },
            )
        metrics.add_metric(name="RequestsRejected", unit=MetricUnit.Count, value=1)
        logger.warning("request rejected to the DLQ", extra={"reason": reason})
        return "rejected"


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: Any) -> dict:
    """SQS event source mapping entry point (needs ``ReportBatchItemFailures``); returns ``batchItemFailures``."""
    ingress = Ingress.from_config()
    return process_partial_response(event=event, record_handler=ingress.admit, processor=processor, context=context)
