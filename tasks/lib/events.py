"""Publishing waveflow's migration events on the custom bus, each checked against its JSON Schema.

A consumer (the rule that starts the state machine, a dashboard, a CMDB sync) relies on the detail's shape, so
an event that breaks its schema is a bug caught here, before it leaves. PutEvents can accept the call and still
fail the entry (``FailedEntryCount``); the entry is then re-sent with backoff before giving up.
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable

from tasks.lib import aws
from tasks.lib.awserrors import transient_as_throttled
from tasks.lib.config import load_config
from tasks.lib.errors import AwsThrottled, InvalidMigrationDocument
from tasks.lib.jsonschemas import validator
from tasks.lib.status import Status

SOURCE = "waveflow.migration"

MIGRATION_REQUESTED = "MigrationRequested"
MIGRATION_VALIDATED = "MigrationValidated"
MIGRATION_STATUS_UPDATED = "MigrationStatusUpdated"
MIGRATION_SUCCEEDED = "MigrationSucceeded"
MIGRATION_FAILED = "MigrationFailed"
MIGRATION_ROLLED_BACK = "MigrationRolledBack"
EVENT_TYPES = (
    MIGRATION_REQUESTED,
    MIGRATION_VALIDATED,
    MIGRATION_STATUS_UPDATED,
    MIGRATION_SUCCEEDED,
    MIGRATION_FAILED,
    MIGRATION_ROLLED_BACK,
)

_EVENT_OF_STATUS = {
    Status.PENDING: MIGRATION_REQUESTED,
    Status.VALIDATED: MIGRATION_VALIDATED,
    Status.SUCCESS: MIGRATION_SUCCEEDED,
    Status.FAILED: MIGRATION_FAILED,
    Status.ROLLED_BACK: MIGRATION_ROLLED_BACK,
}
_CORE_FIELDS = ("migrationId", "correlationId", "status", "wave", "appName")
_OPTIONAL_FIELDS = ("sourceServerId", "environment", "executionArn", "error")


def event_type_for(status: Status | str) -> str:
    """The event announcing that a migration reached ``status``.

    >>> event_type_for("VALIDATED"), event_type_for("VERIFIED")
    ('MigrationValidated', 'MigrationStatusUpdated')
    """
    return _EVENT_OF_STATUS.get(Status(status), MIGRATION_STATUS_UPDATED)


def announcement_key(status: Status | str) -> str:
    """Where the status record notes that ``status`` was announced (a key of its ``publishedEvents``).

    The event type where it announces one status only (``MigrationRequested``, as ingress notes it), else the
    type and the status, since MigrationStatusUpdated announces four of them.

    >>> announcement_key("PENDING"), announcement_key("VERIFIED")
    ('MigrationRequested', 'MigrationStatusUpdated:VERIFIED')
    """
    status = Status(status)
    detail_type = event_type_for(status)
    return detail_type if status in _EVENT_OF_STATUS else f"{detail_type}:{status.value}"


def build_detail(detail_type: str, record: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The detail of a ``detail_type`` event about ``record`` (a status record or state document) plus ``extra``.

    Raises :class:`InvalidMigrationDocument` naming every field that breaks the event's schema.
    """
    if detail_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {detail_type!r}; known: {', '.join(EVENT_TYPES)}")
    detail = {key: record[key] for key in (*_CORE_FIELDS, *_OPTIONAL_FIELDS) if key in record}
    detail.update(extra or {})
    errors = validator(f"events/{detail_type}.json").iter_errors(detail)
    problems = "; ".join(sorted(f"{'.'.join(map(str, e.path)) or '(detail)'}: {e.message}" for e in errors))
    if problems:
        raise InvalidMigrationDocument(f"{detail_type} event for {record.get('migrationId')!r} is invalid: {problems}")
    return detail


class EventPublisher:
    """Puts migration events on the custom bus (``WAVEFLOW_EVENT_BUS``).

    >>> EventPublisher().publish(MIGRATION_REQUESTED, record)  # doctest: +SKIP
    'e3b0c442-...'
    """

    def __init__(
        self,
        bus_name: str | None = None,
        client: Any = None,
        *,
        attempts: int = 4,
        base_delay: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.bus_name = bus_name or load_config().event_bus
        self.client = client or aws.client("events")
        self.attempts = attempts
        self.base_delay = base_delay
        self.sleep = sleep

    def publish(self, detail_type: str, record: dict[str, Any], extra: dict[str, Any] | None = None) -> str:
        """Publish one event about ``record``; the EventBridge event ID.

        A failed entry is re-sent up to ``attempts`` times in all, waiting ``base_delay * 2**n`` between
        tries; then :class:`AwsThrottled` (transient: the caller's retry or SQS redelivery tries again).
        """
        detail = build_detail(detail_type, record, extra)
        entry = {
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail, separators=(",", ":")),
            "EventBusName": self.bus_name,
            "Time": aws.now(),
        }
        what = f"EventBridge PutEvents {detail_type} for {detail['migrationId']!r} on {self.bus_name}"
        failure: dict[str, Any] = {}
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.base_delay * 2 ** (attempt - 1))
            with transient_as_throttled(what):
                response = self.client.put_events(Entries=[entry])
            failure = response["Entries"][0]
            if not response.get("FailedEntryCount") and "EventId" in failure:
                return failure["EventId"]
        raise AwsThrottled(
            f"{what} failed {self.attempts} times; last: {failure.get('ErrorCode')}: {failure.get('ErrorMessage')}"
        )
