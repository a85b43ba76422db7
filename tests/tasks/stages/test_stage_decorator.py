"""The stage decorator: required fields, status guard, document merge, idempotency, errors by type."""

from __future__ import annotations

import hashlib
import json
import time

import pytest

from tasks.lib.errors import (
    AwsThrottled,
    IllegalTransition,
    InvalidMigrationDocument,
    MigrationNotFound,
    VerificationFailed,
)
from tasks.lib.stage import entering, field_value, stage
from tasks.lib.status import Status
from tasks.lib.store import StatusStore

CALLS: list[str] = []


@stage("probe", requires=("sourceServerId", "target.accountId"), runs_in=entering(Status.VALIDATED))
def moving_stage(document, run):
    CALLS.append("moving")
    detail = {"seen": document["sourceServerId"]}
    run.advance(Status.VALIDATED, detail)
    return detail


@stage("probe", requires=("sourceServerId",), runs_in={Status.PENDING}, idempotent_on=("sourceServerId",))
def side_effect_stage(document, run):
    CALLS.append("side-effect")
    return {"n": len(CALLS)}


@stage("probe", requires=("sourceServerId",), runs_in={Status.PENDING}, idempotent_on=("sourceServerId",))
def failing_stage(document, run):
    CALLS.append("failing")
    raise VerificationFailed("the probe's own, fatal error")


def on_idempotency_table(body: bytes) -> bool:
    return b"waveflow-idempotency" in body


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


@pytest.fixture
def document(infra, valid_request):
    record = {**valid_request, "migrationId": "billing-api-7-s-0a1b2c3d4e5f60718"}
    StatusStore().create(record)
    return record


def test_missing_field_raises_invalid_migration_document_naming_it(document, lambda_context):
    del document["target"]["accountId"]
    with pytest.raises(InvalidMigrationDocument, match="no 'target.accountId'"):
        moving_stage(document, lambda_context)
    assert CALLS == []


def test_non_object_input_is_an_invalid_document(lambda_context):
    with pytest.raises(InvalidMigrationDocument, match="expects the state document"):
        moving_stage(["not", "a", "document"], lambda_context)


def test_stage_adds_its_key_and_keeps_every_other_key(document, infra, lambda_context):
    document["somethingElse"] = {"kept": True}
    out = moving_stage(document, lambda_context)
    assert out == {**document, "probe": {"seen": document["sourceServerId"]}}
    record = StatusStore().get(document["migrationId"])
    assert record["status"] == "VALIDATED"
    assert record["executionDetails"]["probe"] == {"seen": document["sourceServerId"]}
    events = infra.events.events()
    assert [e["detail-type"] for e in events] == ["MigrationValidated"]
    assert events[0]["detail"]["correlationId"] == document["correlationId"]
    assert events[0]["detail"]["previousStatus"] == "PENDING"


def test_rerun_after_the_move_writes_nothing_and_announces_nothing(document, infra, lambda_context):
    moving_stage(document, lambda_context)
    infra.events.events()
    version = StatusStore().get(document["migrationId"])["version"]
    moving_stage(document, lambda_context)
    assert StatusStore().get(document["migrationId"])["version"] == version
    assert infra.events.events() == []


def test_rerun_after_a_lost_announcement_announces_once(document, infra, faults, capsys, lambda_context):
    faults.fail("events", "PutEvents", "ThrottlingException", status=400)
    with pytest.raises(AwsThrottled, match="PutEvents"):
        moving_stage(document, lambda_context)
    record = StatusStore().get(document["migrationId"])
    assert record["status"] == "VALIDATED" and record["publishedEvents"] == {}
    assert infra.events.events() == []

    moving_stage(document, lambda_context)  # the workflow's retry: the status is written, the announcement still owed
    moving_stage(document, lambda_context)
    [event] = infra.events.events()
    assert event["detail-type"] == "MigrationValidated"
    assert (event["detail"]["status"], event["detail"]["previousStatus"]) == ("VALIDATED", "PENDING")
    assert StatusStore().get(document["migrationId"])["publishedEvents"] == {"MigrationValidated": event["id"]}


def test_stage_out_of_order_is_refused_before_it_runs(document, lambda_context):
    moving_stage(document, lambda_context)
    StatusStore().transition(document["migrationId"], Status.SOURCE_PREPARED)
    CALLS.clear()
    with pytest.raises(IllegalTransition, match="in status SOURCE_PREPARED"):
        moving_stage(document, lambda_context)
    assert CALLS == []
    assert StatusStore().get(document["migrationId"])["status"] == "SOURCE_PREPARED"


def test_a_stages_log_lines_carry_its_correlation_id_migration_and_stage(document, lambda_context, task_logs):
    with pytest.raises(VerificationFailed):
        failing_stage(document, lambda_context)
    [line] = [line for line in task_logs() if line["level"] == "ERROR"]
    assert (line["correlation_id"], line["migrationId"], line["stage"]) == (
        document["correlationId"], document["migrationId"], "probe")


def test_unknown_migration_is_migration_not_found(infra, valid_request, lambda_context):
    with pytest.raises(MigrationNotFound):
        moving_stage({**valid_request, "migrationId": "nobody-knows-me"}, lambda_context)


def test_idempotent_stage_runs_once_for_the_same_input(document, lambda_context):
    first = side_effect_stage(document, lambda_context)
    second = side_effect_stage({**document, "unrelated": 1}, lambda_context)
    assert CALLS == ["side-effect"]
    assert first["probe"] == second["probe"] == {"n": 1}
    assert second["unrelated"] == 1


def test_idempotent_stage_runs_again_for_different_relevant_input(document, lambda_context):
    side_effect_stage(document, lambda_context)
    side_effect_stage({**document, "sourceServerId": "s-00000000000000001"}, lambda_context)
    assert CALLS == ["side-effect", "side-effect"]


def test_lambda_context_is_registered_for_idempotency(document, lambda_context, aws_mock):
    """With the context, Powertools knows the Lambda deadline and lets a crashed run's record expire with it."""
    side_effect_stage(document, lambda_context)
    [item] = aws_mock.client("dynamodb").scan(TableName="waveflow-idempotency")["Items"]
    deadline = time.time() + lambda_context.get_remaining_time_in_millis() / 1000
    assert abs(int(item["in_progress_expiration"]["N"]) / 1000 - deadline) < 60


def test_the_idempotency_record_is_keyed_on_the_hash_of_migration_stage_and_input(document, lambda_context, aws_mock):
    """The key stays Powertools' hash of the plain JSON of what it names, so records written by another release of
    the tasks still answer (and a record found by the key can be told from its parts)."""
    side_effect_stage(document, lambda_context)
    [item] = aws_mock.client("dynamodb").scan(TableName="waveflow-idempotency")["Items"]
    name = f"{side_effect_stage.__module__}.side_effect_stage"
    named = {"migrationId": document["migrationId"], "stage": name,
             "input": {"sourceServerId": document["sourceServerId"]}}
    digest = hashlib.md5(json.dumps(named, sort_keys=True).encode()).hexdigest()
    assert item["id"]["S"] == f"waveflow.{name}#{digest}"
    assert item["status"]["S"] == "COMPLETED"


@pytest.mark.parametrize(
    "operation", ["PutItem", "UpdateItem"], ids=["saving-in-progress", "saving-the-result"]
)
def test_a_throttled_idempotency_table_is_aws_throttled(document, faults, operation, lambda_context):
    faults.fail("dynamodb", operation, "ThrottlingException", status=400, when=on_idempotency_table)
    with pytest.raises(AwsThrottled, match=f"{operation} on the idempotency table failed transiently"):
        side_effect_stage(document, lambda_context)


def test_the_stage_error_survives_a_failed_idempotency_cleanup(document, faults, lambda_context):
    faults.fail("dynamodb", "DeleteItem", "ThrottlingException", status=400, when=on_idempotency_table)
    with pytest.raises(VerificationFailed, match="the probe's own"):
        failing_stage(document, lambda_context)
    assert CALLS == ["failing"]


def test_throttling_by_any_aws_service_becomes_aws_throttled(document, faults, lambda_context):
    faults.fail("dynamodb", "GetItem", "ProvisionedThroughputExceededException", status=400, times=None)
    with pytest.raises(AwsThrottled):
        moving_stage(document, lambda_context)


def test_errors_are_counted_by_type(document, capsys, lambda_context):
    del document["target"]["accountId"]
    capsys.readouterr()
    with pytest.raises(InvalidMigrationDocument):
        moving_stage(document, lambda_context)
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    errors = [m for m in emf if "StageErrors" in m]
    assert errors and errors[0]["ErrorType"] == "InvalidMigrationDocument" and errors[0]["Stage"] == "probe"


def test_entering_reads_the_transition_table():
    assert entering(Status.MIGRATION_IN_PROGRESS) == {Status.SOURCE_PREPARED, Status.MIGRATION_IN_PROGRESS}
    assert entering(Status.ROLLED_BACK) == frozenset(Status) - {Status.SUCCESS, Status.FAILED}


def test_field_value_walks_dotted_paths():
    assert field_value({"a": {"b": {"c": 1}}}, "a.b.c") == 1
    assert field_value({"a": {"b": 2}}, "a.b.c") is None
    assert field_value({}, "a") is None
