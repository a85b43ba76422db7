"""The event publisher through real boto3 into moto: schemas, correlation ID, retries of failed entries."""

from __future__ import annotations

import pytest

from tasks.lib import events
from tasks.lib.errors import AwsThrottled, InvalidMigrationDocument
from tasks.lib.events import EventPublisher, build_detail, event_type_for
from tasks.lib.jsonschemas import validator
from tasks.lib.status import Status

RECORD = {
    "migrationId": "s-0a1b2c3d4e5f60718-7",
    "correlationId": "corr-1",
    "status": "PENDING",
    "wave": "7",
    "appName": "billing-api",
    "sourceServerId": "s-0a1b2c3d4e5f60718",
    "environment": "prod",
    "target": {"accountId": "111122223333"},
    "executionDetails": {"validation": {}},
}
FAILED_ENTRY = {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}]}


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def publisher(event_capture, sleeps) -> EventPublisher:
    return EventPublisher(sleep=sleeps.append)


def test_an_event_reaches_the_bus_with_the_records_identity_and_correlation_id(publisher, event_capture, clock):
    event_id = publisher.publish(events.MIGRATION_REQUESTED, RECORD)
    [event] = event_capture.events()
    assert event["id"] == event_id
    assert (event["source"], event["detail-type"]) == ("waveflow.migration", "MigrationRequested")
    assert event["time"] == "2026-01-01T00:00:00Z"
    assert event["detail"] == {key: RECORD[key] for key in (
        "migrationId", "correlationId", "status", "wave", "appName", "sourceServerId", "environment")}


def test_extra_fields_join_the_detail(publisher, event_capture):
    publisher.publish(
        events.MIGRATION_STATUS_UPDATED, {**RECORD, "status": "VERIFIED"}, {"stage": "verification", "previousStatus": "MIGRATION_IN_PROGRESS"}
    )
    [event] = event_capture.events()
    assert event["detail"]["stage"] == "verification" and event["detail"]["previousStatus"] == "MIGRATION_IN_PROGRESS"


@pytest.mark.parametrize(
    ("detail_type", "record", "complaint"),
    [
        (events.MIGRATION_REQUESTED, {k: v for k, v in RECORD.items() if k != "correlationId"}, "'correlationId' is a required property"),
        (events.MIGRATION_SUCCEEDED, RECORD, "status: 'SUCCESS' was expected"),
        (events.MIGRATION_ROLLED_BACK, {**RECORD, "status": "ROLLED_BACK"}, "'error' is a required property"),
        (events.MIGRATION_VALIDATED, {**RECORD, "status": "VALIDATED", "wave": 7}, "wave: 7 is not of type 'string'"),
    ],
)
def test_an_event_that_breaks_its_schema_is_not_sent(publisher, event_capture, detail_type, record, complaint):
    with pytest.raises(InvalidMigrationDocument, match=complaint):
        publisher.publish(detail_type, record)
    assert event_capture.events() == []


def test_an_unknown_event_type_is_refused():
    with pytest.raises(ValueError, match="unknown event type 'MigrationExploded'"):
        build_detail("MigrationExploded", RECORD)


def test_a_failed_entry_is_resent_with_backoff(publisher, event_capture, faults, sleeps):
    rule = faults.respond("events", "PutEvents", FAILED_ENTRY, times=2)
    event_id = publisher.publish(events.MIGRATION_REQUESTED, RECORD)
    assert rule.hits == 2 and sleeps == [0.2, 0.4]
    [event] = event_capture.events()
    assert event["id"] == event_id


def test_an_entry_that_keeps_failing_gives_up_as_a_transient_error(publisher, event_capture, faults, sleeps):
    faults.respond("events", "PutEvents", FAILED_ENTRY, times=None)
    with pytest.raises(AwsThrottled, match="failed 4 times; last: ThrottlingException: Rate exceeded"):
        publisher.publish(events.MIGRATION_REQUESTED, RECORD)
    assert sleeps == [0.2, 0.4, 0.8]
    assert event_capture.events() == []


def test_a_throttled_put_events_call_is_aws_throttled(publisher, faults):
    faults.fail("events", "PutEvents", "ThrottlingException", status=400)
    with pytest.raises(AwsThrottled, match="PutEvents MigrationRequested for 's-0a1b2c3d4e5f60718-7'"):
        publisher.publish(events.MIGRATION_REQUESTED, RECORD)


def test_each_status_has_its_announcing_event():
    assert {status: event_type_for(status) for status in Status} == {
        Status.PENDING: "MigrationRequested",
        Status.VALIDATED: "MigrationValidated",
        Status.SOURCE_PREPARED: "MigrationStatusUpdated",
        Status.MIGRATION_IN_PROGRESS: "MigrationStatusUpdated",
        Status.VERIFIED: "MigrationStatusUpdated",
        Status.COMPLETED: "MigrationStatusUpdated",
        Status.SUCCESS: "MigrationSucceeded",
        Status.ROLLED_BACK: "MigrationRolledBack",
        Status.FAILED: "MigrationFailed",
    }


@pytest.mark.parametrize("detail_type", events.EVENT_TYPES)
def test_every_event_type_has_a_schema_that_accepts_a_matching_detail(detail_type):
    status = {"MigrationValidated": "VALIDATED", "MigrationSucceeded": "SUCCESS", "MigrationFailed": "FAILED",
              "MigrationRolledBack": "ROLLED_BACK"}.get(detail_type, "PENDING")
    detail = build_detail(detail_type, {**RECORD, "status": status, "error": {"Error": "LaunchFailed", "Cause": "x"}})
    assert validator(f"events/{detail_type}.json").is_valid(detail)
