"""StartMigration and StartMigrationNext: one execution per migration, named after it, within the wave's limit;
queued migrations started oldest first as slots free. Through boto3 into moto and the twin's Step Functions API."""

from __future__ import annotations

import json

import pytest

from tasks import start_migration
from tasks.lib.config import load_config
from tasks.lib.errors import ConfigError, InvalidMigrationDocument, MigrationNotFound
from tasks.lib.starter import execution_input
from tasks.lib.store import StatusStore
from tasks.lib.waves import WaveTable


def _event(record: dict, detail_type: str = "MigrationRequested") -> dict:
    """The event as EventBridge delivers it to the rule's Lambda target."""
    detail = {key: record[key] for key in ("migrationId", "correlationId", "status", "wave", "appName")}
    return {"version": "0", "id": "e-1", "detail-type": detail_type, "source": "waveflow.migration",
            "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
            "detail": detail}


def test_a_request_starts_its_migration_named_after_its_id_with_the_request_as_input(step_functions, requested, lambda_context):
    [record] = requested(1)

    out = start_migration.on_requested(_event(record), lambda_context)

    execution = step_functions.executions()[record["migrationId"]]
    assert out == {"migrationId": record["migrationId"], "wave": "7", "outcome": "started"}
    assert execution.input == execution_input(record) and "status" not in execution.input
    assert execution.input["correlationId"] == record["correlationId"]
    assert StatusStore().get(record["migrationId"])["executionArn"] == execution.arn
    wave = WaveTable().get("7")
    assert (wave.max_concurrency, wave.running) == (2, (record["migrationId"],))  # WAVEFLOW_WAVE_CONCURRENCY


def test_a_duplicate_event_starts_nothing(step_functions, requested, lambda_context):
    [record] = requested(1)
    start_migration.on_requested(_event(record), lambda_context)

    assert start_migration.on_requested(_event(record), lambda_context)["outcome"] == "duplicate"
    assert len(step_functions.runtime.executions) == 1


def test_a_start_lost_before_it_was_noted_is_found_again_without_a_second_execution(step_functions, requested, lambda_context):
    [record] = requested(1)
    step_functions.client.start_execution(stateMachineArn=step_functions.runtime.machines["ServerMigration"].arn,
                                          name=record["migrationId"],
                                          input=json.dumps(execution_input(record), sort_keys=True))

    start_migration.on_requested(_event(record), lambda_context)  # StartExecution answers with the execution already running

    assert len(step_functions.runtime.executions) == 1
    assert StatusStore().get(record["migrationId"])["executionArn"].endswith(":" + record["migrationId"])


def test_a_duplicate_of_an_execution_that_has_ended_gives_its_slot_back(step_functions, requested, lambda_context):
    [record] = requested(1)
    step_functions.client.start_execution(stateMachineArn=step_functions.runtime.machines["ServerMigration"].arn,
                                          name=record["migrationId"], input="{}")
    step_functions.runtime.run()  # the execution ends; its record is still PENDING and unnoted

    assert start_migration.on_requested(_event(record), lambda_context)["outcome"] == "duplicate"
    assert WaveTable().get("7").running == ()


def test_a_full_wave_queues_and_each_finished_migration_starts_the_oldest_queued(step_functions, requested, lambda_context):
    records = requested(5)
    outcomes = [start_migration.on_requested(_event(r), lambda_context)["outcome"] for r in reversed(records)]
    assert outcomes == ["started", "started", "queued", "queued", "queued"]
    first_started = {records[4]["migrationId"], records[3]["migrationId"]}

    out = start_migration.on_finished(_event(records[4], "MigrationSucceeded"), lambda_context)

    assert out["started"] == [records[0]["migrationId"]]  # the oldest queued, not the latest requested
    assert set(WaveTable().get("7").running) == {records[3]["migrationId"], records[0]["migrationId"]}
    assert set(step_functions.executions()) == first_started | {records[0]["migrationId"]}
    assert StatusStore().get(records[1]["migrationId"]).get("executionArn") is None


def test_a_repeated_finish_frees_one_slot_only(step_functions, requested, lambda_context):
    records = requested(4)
    for record in records:
        start_migration.on_requested(_event(record), lambda_context)
    finished = _event(records[0], "MigrationFailed")
    start_migration.on_finished(finished, lambda_context)
    start_migration.on_finished(finished, lambda_context)

    assert len(WaveTable().get("7").running) == 2
    assert set(step_functions.executions()) == {r["migrationId"] for r in records[:3]}


def test_a_record_past_pending_is_a_duplicate_and_takes_no_slot(step_functions, requested, lambda_context):
    [record] = requested(1)
    StatusStore().transition(record["migrationId"], "VALIDATED")

    assert start_migration.on_requested(_event(record), lambda_context)["outcome"] == "duplicate"
    assert WaveTable().get("7").running == () and not step_functions.runtime.executions


def test_the_detail_alone_is_accepted_as_an_input_transformer_would_pass_it(step_functions, requested, lambda_context):
    [record] = requested(1)
    assert start_migration.on_requested(_event(record)["detail"], lambda_context)["outcome"] == "started"


@pytest.mark.parametrize("event, message", [
    ({"detail": {"wave": "7"}}, "no 'migrationId'"),
    ({"detail": "text"}, "expects an EventBridge event"),
    ([], "expects an EventBridge event"),
])
def test_a_malformed_event_is_an_invalid_document(step_functions, event, message, lambda_context):
    with pytest.raises(InvalidMigrationDocument, match=message):
        start_migration.on_requested(event, lambda_context)


def test_an_event_without_a_record_is_named(step_functions, lambda_context):
    with pytest.raises(MigrationNotFound, match="no status record for migration 'm-404'"):
        start_migration.on_requested({"detail": {"migrationId": "m-404", "wave": "7"}}, lambda_context)


def test_a_starter_deployed_without_the_state_machine_arn_says_which_setting(step_functions, requested,
                                                                             monkeypatch, lambda_context):
    [record] = requested(1)
    monkeypatch.delenv("WAVEFLOW_MIGRATION_STATE_MACHINE_ARN")
    load_config.cache_clear()
    with pytest.raises(ConfigError, match="WAVEFLOW_MIGRATION_STATE_MACHINE_ARN is not set"):
        start_migration.on_requested(_event(record), lambda_context)


def test_a_state_machine_arn_that_names_nothing_is_a_config_error(step_functions, requested, monkeypatch, lambda_context):
    [record] = requested(1)
    monkeypatch.setenv("WAVEFLOW_MIGRATION_STATE_MACHINE_ARN",
                       "arn:aws:states:us-east-1:123456789012:stateMachine:Nope")
    load_config.cache_clear()
    with pytest.raises(ConfigError, match="state machine .*:Nope does not exist"):
        start_migration.on_requested(_event(record), lambda_context)


def test_a_throttled_start_is_transient_and_takes_no_second_slot_on_retry(step_functions, requested, faults, lambda_context):
    from tasks.lib.errors import AwsThrottled
    [record] = requested(1)
    faults.fail("stepfunctions", "StartExecution", "ThrottlingException", status=400)
    with pytest.raises(AwsThrottled, match="StartExecution"):
        start_migration.on_requested(_event(record), lambda_context)

    assert start_migration.on_requested(_event(record), lambda_context)["outcome"] == "started"
    assert WaveTable().get("7").running == (record["migrationId"],)
