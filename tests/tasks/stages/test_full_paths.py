"""One server end to end through every stage handler: the happy path, and failed launch -> rollback -> callback."""

from __future__ import annotations

import pytest
from stage_pipeline import OLD_IP, SERVER_ID, STEPS, a_record, dns_records, record_of

from tasks import callback, rollback
from tasks.lib.errors import LaunchFailed
from waveflow.local.mgn import FaultPlan


def test_happy_path_stage_by_stage(pipeline, emulator, infra, callback_receiver, notifications, clock):
    start = clock.now
    document = pipeline.through("callback")

    record = record_of(document)
    assert record["status"] == "SUCCESS"
    assert [h["status"] for h in record["history"]] == [
        "PENDING", "VALIDATED", "SOURCE_PREPARED", "MIGRATION_IN_PROGRESS", "VERIFIED", "COMPLETED", "SUCCESS"
    ]
    assert pipeline.polls["replication"] > 1 and clock.now > start  # the clock moved between polls
    assert document["launch"]["mode"] == "cutover" and document["launch"]["test"]["instanceId"]
    assert document["verification"]["mode"] == "cutover" and document["verification"]["passed"]

    new_ip = document["verification"]["ipAddress"]
    assert dns_records(document) == [a_record(new_ip, ttl=60)]
    assert document["cutover"]["dns"]["previous"] == [a_record(OLD_IP)]
    server = emulator.source_servers[SERVER_ID]
    assert server.lifecycle == "CUTOVER" and server.is_archived

    kinds = [e["detail-type"] for e in infra.events.events()]
    assert kinds == ["MigrationValidated"] + ["MigrationStatusUpdated"] * 4 + ["MigrationSucceeded"]
    assert [p["status"] for p in callback_receiver.verified] == ["SUCCESS"]
    assert [n["MessageAttributes"]["status"]["Value"] for n in notifications.messages()] == ["SUCCESS"]
    operations = [name for name, _ in emulator.calls]
    for once in ("StartTest", "StartCutover", "FinalizeCutover", "MarkAsArchived"):
        assert operations.count(once) == 1, once
    assert document["callback"]["posted"] and document["callback"]["notified"]


@pytest.mark.parametrize("fault_plan", [FaultPlan(failed_launch_servers=frozenset({SERVER_ID}))])
def test_failed_launch_rolls_back_and_calls_back(pipeline, emulator, infra, callback_receiver, notifications, lambda_context):
    pipeline.through("start_test")
    with pytest.raises(LaunchFailed, match="launch status FAILED") as failure:
        STEPS["test_launched"](pipeline)
    document = {**pipeline.document, "error": {"Error": "LaunchFailed", "Cause": str(failure.value)}}

    document = rollback.handler(document, lambda_context)
    document = callback.handler(document, lambda_context)

    record = record_of(document)
    assert record["status"] == "FAILED"
    assert record["executionDetails"]["rollback"]["error"]["Error"] == "LaunchFailed"
    assert document["rollback"]["steps"]["stopReplication"]["replicationState"] == "STOPPED"
    assert emulator.source_servers[SERVER_ID].replication.state == "STOPPED"
    assert dns_records(document) == [a_record(OLD_IP)]  # never switched, still the source
    kinds = [e["detail-type"] for e in infra.events.events()]
    assert kinds[-2:] == ["MigrationRolledBack", "MigrationFailed"]
    assert [(p["status"], p["error"]["Error"]) for p in callback_receiver.verified] == [("FAILED", "LaunchFailed")]
    assert [n["MessageAttributes"]["status"]["Value"] for n in notifications.messages()] == ["FAILED"]
