"""The wave as gate and summary: the compiled AwaitWaveCutover state over the real gate handler, answered at once
or parked until the wave decides (race-free), and MigrationWave's OpenWave and WaitForWave steps."""

from __future__ import annotations

import pytest
from stage_walk import walk_to

from tasks import start_migration, wave_gate
from tasks.lib import aws
from tasks.lib.errors import InvalidMigrationDocument
from tasks.lib.store import StatusStore
from tasks.lib.waves import APPROVED, WaveTable

WAVE = {"wave": "7", "expectedMigrations": 1}


@pytest.fixture
def gate(step_functions, compiled_migration):
    """A state machine made of the shipped AwaitWaveCutover: cut over on success, fail with the error otherwise."""
    state = {**compiled_migration["States"]["AwaitWaveCutover"], "Next": "CutOver",
             "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RolledBack"}]}
    step_functions.runtime.handlers["WaveGateAwaitCutover"] = wave_gate.await_cutover
    step_functions.runtime.register_state_machine("Gate", {"StartAt": "AwaitWaveCutover", "States": {
        "AwaitWaveCutover": state, "CutOver": {"Type": "Succeed"},
        "RolledBack": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}}})
    runtime = step_functions.runtime

    def arrive(record: dict):
        execution = runtime.start_execution("Gate", record, name=record["migrationId"])
        runtime.run(until=runtime.clock.now() + 60)
        return execution

    return arrive


def test_a_migration_waits_at_the_gate_until_the_wave_is_approved(gate, requested, step_functions, lambda_context):
    [record] = requested(1)
    execution = gate(record)
    assert execution.status == "RUNNING"
    assert StatusStore().get(record["migrationId"])["waveGate"]["taskToken"]
    assert WaveTable().get("7").parked == (record["migrationId"],)

    out = wave_gate.open_cutover({**WAVE, "approval": {"approved": True, "by": "alice"}}, lambda_context)
    step_functions.runtime.run()

    assert out["cutover"] == {"decision": "APPROVED", "reason": 'approved: {"approved": true, "by": "alice"}',
                              "answered": 1}
    assert execution.status == "SUCCEEDED" and execution.output["migrationId"] == record["migrationId"]
    assert execution.output["waveCutover"] == {"decision": "APPROVED", "wave": "7",
                                               "reason": 'approved: {"approved": true, "by": "alice"}'}


def test_a_migration_reaching_an_approved_wave_passes_at_once(gate, requested, step_functions, lambda_context):
    [record] = requested(1)
    wave_gate.open_cutover({**WAVE, "approval": {"approved": True}}, lambda_context)

    execution = gate(record)

    assert execution.status == "SUCCEEDED" and WaveTable().get("7").parked == ()
    assert "waveGate" not in StatusStore().get(record["migrationId"])


def test_a_rejected_wave_fails_every_parked_migration_with_the_reason(gate, requested, step_functions, lambda_context):
    records = requested(2)
    executions = [gate(record) for record in records]

    out = wave_gate.close_cutover({**WAVE, "approvalError": {"Error": "ApprovalRejected",
                                                             "Cause": "rejected by bob"}}, lambda_context)
    step_functions.runtime.run()

    assert out["cutover"]["answered"] == 2
    assert [(e.status, e.error) for e in executions] == [("FAILED", "WaveCutoverRejected")] * 2
    assert executions[0].cause == "the cutover of wave 7 was rejected: ApprovalRejected: rejected by bob"


def test_a_migration_reaching_a_rejected_wave_fails_at_once(gate, requested, step_functions, lambda_context):
    [record] = requested(1)
    wave_gate.close_cutover({**WAVE, "approvalError": {"Error": "States.Timeout"}}, lambda_context)

    execution = gate(record)

    assert (execution.status, execution.error) == ("FAILED", "WaveCutoverRejected")
    assert execution.cause == "the cutover of wave 7 was rejected: States.Timeout"


def test_a_decision_landing_between_the_gates_read_and_its_park_is_not_missed(gate, requested, step_functions,
                                                                              aws_mock):
    """The gate read PENDING; the wave decides before the gate parks: the gate learns it from its refused park."""
    [record] = requested(1)
    decider = WaveTable(client=aws_mock.client("dynamodb"))
    raced = []

    def decide_first(params, **_):
        if b"parked" in params["body"] and not raced:
            raced.append(decider.decide("7", APPROVED, "approved meanwhile"))

    aws.client("dynamodb").meta.events.register_first("before-call.dynamodb.UpdateItem", decide_first)
    execution = gate(record)
    step_functions.runtime.run()

    assert raced[0].parked == ()  # the decider had nobody to answer...
    assert execution.status == "SUCCEEDED"  # ...and the gate answered itself
    assert execution.output["waveCutover"]["reason"] == "approved meanwhile"


def test_a_parked_token_answered_twice_is_answered_once(gate, requested, step_functions, lambda_context):
    [record] = requested(1)
    execution = gate(record)
    wave_gate.open_cutover({**WAVE, "approval": {"approved": True}}, lambda_context)
    again = wave_gate.open_cutover({**WAVE, "approval": {"approved": True}}, lambda_context)  # a retried OpenCutover
    step_functions.runtime.run()

    assert again["cutover"]["answered"] == 0 and execution.status == "SUCCEEDED"


@pytest.mark.parametrize("event, problems", [
    ({"wave": "7"}, "(input): 'expectedMigrations' is a required property"),
    ({"wave": "7", "expectedMigrations": -1, "maxConcurrency": 0},
     "expectedMigrations: -1 is less than the minimum of 0; maxConcurrency: 0 is less than the minimum of 1"),
    ({"wave": "seven weeks", "expectedMigrations": 1}, "wave: 'seven weeks' does not match"),
])
def test_a_wave_input_that_breaks_its_schema_is_refused_naming_every_problem(step_functions, event, problems, lambda_context):
    with pytest.raises(InvalidMigrationDocument, match="OpenWave: the wave's input is invalid: " + problems.replace(
            "(", r"\(").replace(")", r"\)")):
        wave_gate.open_wave(event, lambda_context)


def test_opening_a_wave_with_a_higher_limit_starts_queued_migrations(step_functions, requested, lambda_context):
    records = requested(4)
    for record in records:
        start_migration.on_requested({"detail": record}, lambda_context)
    assert len(step_functions.runtime.executions) == 2

    out = wave_gate.open_wave({"wave": 7, "expectedMigrations": 4, "maxConcurrency": 3}, lambda_context)

    assert (out["wave"], out["maxConcurrency"]) == ("7", 3)
    assert set(step_functions.executions()) == {r["migrationId"] for r in records[:3]}


def test_a_wave_opened_without_a_limit_takes_the_stacks_default(step_functions, lambda_context):
    assert wave_gate.open_wave({"wave": "9", "expectedMigrations": 0}, lambda_context)["maxConcurrency"] == 2


def test_each_watch_frees_the_slots_of_migrations_that_ended_unannounced_and_starts_the_queued(
        step_functions, requested, lambda_context):
    records = requested(4)
    for record in records:
        start_migration.on_requested({"detail": record}, lambda_context)
    walk_to(records[0]["migrationId"], "SUCCESS")  # its MigrationSucceeded never reached the starter
    step_functions.client.stop_execution(executionArn=StatusStore().get(records[1]["migrationId"])["executionArn"])

    out = wave_gate.watch_wave({"wave": "7", "expectedMigrations": 4}, lambda_context)

    assert out["progress"] == {"expected": 4, "finished": 2, "succeeded": 1, "running": 2, "queued": 0,
                               "done": False}
    assert set(WaveTable().get("7").running) == {r["migrationId"] for r in records[2:]}


def test_the_watch_is_done_once_every_expected_migration_has_finished(step_functions, requested, lambda_context):
    records = requested(2)
    for record in records:
        walk_to(record["migrationId"], "FAILED" if record is records[0] else "SUCCESS")

    progress = wave_gate.watch_wave({"wave": "7", "expectedMigrations": 2}, lambda_context)["progress"]

    assert (progress["finished"], progress["succeeded"], progress["done"]) == (2, 1, True)


def test_a_document_without_its_wave_fails_the_gate_by_name_and_is_rolled_back(gate, requested):
    [record] = requested(1)
    execution = gate({key: value for key, value in record.items() if key != "wave"})
    assert (execution.status, execution.error) == ("FAILED", "InvalidMigrationDocument")
    assert "the state document has no 'wave'" in execution.cause
