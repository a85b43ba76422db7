"""The ingress Lambda: turns an SQS batch of migration requests into PENDING records and MigrationRequested events.

Per record: parse, validate, normalise, create the status record (conditional write), announce it. What happens
to a record decides what SQS sees:

* invalid (not JSON, nested over 16 levels, breaks the schema): sent at once to the DLQ with message attributes
  ``waveflow.reason`` (every problem as ``path: message``), ``waveflow.correlationId``, ``waveflow.receivedAt``
  and ``waveflow.sourceMessageId``; the record counts as handled, since redelivery cannot fix it. The body goes
  unchanged, base64 when SQS cannot carry it as text, or — too large to fit beside its reason in the DLQ's
  ``MaximumMessageSize`` — as a pointer to its copy in S3 (``tasks.lib.deadletter``);
* a request that meets a migration it cannot be: also to the DLQ with the reason. A migration's identity is its
  ``(sourceServerId, wave)``, whatever ``migrationId`` says: the status record and an identity item for the pair
  are written in one DynamoDB transaction, each conditional on its key being free (``tasks.lib.identity``). A
  request whose ``migrationId`` belongs to another server or wave, that names another ID for a server and wave
  that already have a migration, or whose content (every request field but ``migrationId``, ``correlationId``
  and ``requestedAt``, after normalisation) differs from the stored request, is refused;
* a true duplicate already announced: nothing is written or published;
* a transient failure (throttling, 5xx): reported in ``batchItemFailures``, so SQS redelivers that record only.

The status record remembers which events were published for it (``publishedEvents``). A record that was
created but whose MigrationRequested was lost (PutEvents failed after the write) is therefore announced on
redelivery instead of being swallowed as a duplicate. A crash between a successful publish and noting it can
publish twice; the state machine's execution name is the migration ID, so that second event starts nothing.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch import EventType as BatchEventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from tasks.lib import aws
from tasks.lib.config import load_config
from tasks.lib.deadletter import REASON_MAX_BYTES, DeadLetterQueue, clipped
from tasks.lib.errors import InvalidMigrationDocument, RequestConflict
from tasks.lib.events import MIGRATION_REQUESTED, EventPublisher
from tasks.lib.observability import logger, metrics, tracer
from tasks.lib.jsonschemas import load_schema
from tasks.lib.request import SCHEMA, RequestProblem, normalise_request, summarise
from tasks.lib.store import StatusStore

processor = BatchProcessor(event_type=BatchEventType.SQS)


#: A request nests three levels (request -> target -> securityGroupIds); anything far deeper is refused before
#: the schema check, whose messages would otherwise recurse through it.
MAX_NESTING = 16


def _nesting(value: Any, limit: int) -> int:
    """How deeply ``value`` nests lists and objects, counted without recursion and up to ``limit + 1``."""
    deepest, level = 0, [(value, 0)]
    while level and deepest <= limit:
        item, depth = level.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth + 1)
            level.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


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
        parsed = json.loads(body)
    except RecursionError:
        return None, RequestProblem("", "the message body is not JSON a request can be: it nests too deeply to read")
    except ValueError as exc:
        return None, RequestProblem("", f"the message body is not JSON: {str(exc)[:200]}")
    if _nesting(parsed, MAX_NESTING) > MAX_NESTING:
        return None, RequestProblem("", f"the request nests lists and objects more than {MAX_NESTING} levels deep")
    return parsed, None


@functools.cache
def _correlation_id_pattern() -> re.Pattern[str]:
    """The request schema's own pattern for correlation IDs."""
    return re.compile(load_schema(SCHEMA)["properties"]["correlationId"]["pattern"])


def _requested_correlation_id(parsed: Any) -> str | None:
    """The requester's correlation ID, if the body carries a valid one (even when the request is invalid)."""
    value = parsed.get("correlationId") if isinstance(parsed, dict) else None
    return value if isinstance(value, str) and _correlation_id_pattern().fullmatch(value) else None


@dataclass
class Ingress:
    """The per-record work of the handler, with its store, publisher and DLQ passed in."""

    store: StatusStore
    publisher: EventPublisher
    dlq: DeadLetterQueue

    @classmethod
    def from_config(cls) -> "Ingress":
        config = load_config()
        return cls(
            StatusStore(config.status_table), EventPublisher(config.event_bus), DeadLetterQueue(aws.client("sqs"), config.dlq_url)
        )

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
        """Dead-letter the record now with every problem in ``waveflow.reason`` (see ``tasks.lib.deadletter``)."""
        reason = summarise(problems, REASON_MAX_BYTES)
        where = self.dlq.send(
            record["body"],
            reason,
            {
                "waveflow.correlationId": correlation_id,
                "waveflow.receivedAt": aws.iso_now(),
                "waveflow.sourceMessageId": record.message_id,
            },
        )
        metrics.add_metric(name="RequestsRejected", unit=MetricUnit.Count, value=1)
        logger.warning("request rejected to the DLQ", extra={"reason": clipped(reason, 2000), "body": where})
        return "rejected"


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: Any) -> dict:
    """SQS event source mapping entry point (needs ``ReportBatchItemFailures``); returns ``batchItemFailures``."""
    ingress = Ingress.from_config()
    return process_partial_response(event=event, record_handler=ingress.admit, processor=processor, context=context)
