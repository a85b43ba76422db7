"""Rollback: safe from any non-terminal status, each step as far as MGN allows, DNS restored, FAILED."""

from __future__ import annotations

import pytest
from stage_pipeline import (
    NEW_IP,
    OLD_IP,
    RECORD_NAME,
    SERVER_ID,
    a_record,
    calls,
    dns_records,
    put_dns_records,
    record_of,
    verified_cutover,
    walk_record,
)

from tasks import finalize_cutover, rollback
from tasks.lib.errors import AwsThrottled, IllegalTransition, MgnUnavailable

ERROR = {"Error": "VerificationFailed", "Cause": "instance i-1 fails its status checks"}


def test_rollback_straight_from_pending(document, infra, lambda_context):
    out = rollback.handler({**document, "error": ERROR}, lambda_context)
    assert out["rollback"]["fromStatus"] == "PENDING"
    assert out["rollback"]["steps"]["terminateInstances"] == {"done": True, "terminated": None}
    assert record_of(document)["status"] == "FAILED"
    events = infra.events.events()
    assert [e["detail-type"] for e in events] == ["MigrationRolledBack", "MigrationFailed"]
    assert events[0]["detail"]["error"] == ERROR


def test_rollback_during_a_test_ends_the_launch_and_terminates_the_instance(pipeline, emulator, lambda_context):
    document = pipeline.through("test_launched")
    out = rollback.handler({**document, "error": ERROR}, lambda_context)
    terminate = out["rollback"]["steps"]["terminateInstances"]
    assert terminate["terminated"] == document["launch"]["instanceId"] and terminate["endedLaunchIn"] == "TESTING"
    assert emulator.jobs[terminate["jobId"]].type == "TERMINATE"
    assert emulator.source_servers[SERVER_ID].replication.state == "STOPPED"


def test_rollback_after_the_dns_switch_restores_the_saved_record(pipeline, faults, lambda_context):
    pipeline.through("verify_cutover")
    faults.fail("mgn", "FinalizeCutover", "InternalServerException", times=None)
    with pytest.raises(MgnUnavailable):
        pipeline.run(finalize_cutover.handler)
    assert dns_records(pipeline.document) != [a_record(OLD_IP)]
    out = rollback.handler({**pipeline.document, "error": {"Error": "MgnUnavailable", "Cause": "5xx"}}, lambda_context)
    assert out["rollback"]["steps"]["dns"]["changed"] is True
    assert dns_records(pipeline.document) == [a_record(OLD_IP)]


def test_rollback_twice_rolls_back_once(document, infra, lambda_context):
    first = rollback.handler({**document, "error": ERROR}, lambda_context)
    version = record_of(document)["version"]
    infra.events.events()
    second = rollback.handler({**document, "error": ERROR}, lambda_context)
    assert second["rollback"] == first["rollback"]
    assert record_of(document)["version"] == version and infra.events.events() == []


def test_a_finished_rollback_asked_again_with_another_error_returns_what_it_did(document, lambda_context):
    first = rollback.handler({**document, "error": ERROR}, lambda_context)
    # another server ID makes another idempotency key: the stage itself must see the FAILED record
    again = rollback.handler({**document, "sourceServerId": "s-00000000000000001", "error": {"Error": "Other"}}, lambda_context)
    assert again["rollback"] == first["rollback"]


def test_rollback_without_an_error_records_unknown(document, lambda_context):
    out = rollback.handler(document, lambda_context)
    assert out["rollback"]["error"]["Error"] == "Unknown"


def test_a_successful_migration_cannot_be_rolled_back(document, emulator, lambda_context):
    walk_record(document, "SUCCESS")
    with pytest.raises(IllegalTransition, match="SUCCESS"):
        rollback.handler({**document, "error": ERROR}, lambda_context)
    assert record_of(document)["status"] == "SUCCESS"
    assert emulator.calls == []


def test_a_rerun_after_a_crash_does_not_stop_replication_again(document, emulator, crash_after, lambda_context):
    crash_after("events", "PutEvents")  # the Lambda dies after ROLLED_BACK was written and announced
    with pytest.raises(Exception, match="crashed after events.PutEvents"):
        rollback.handler({**document, "error": ERROR}, lambda_context)
    assert record_of(document)["status"] == "ROLLED_BACK"
    out = rollback.handler({**document, "error": ERROR}, lambda_context)
    assert calls(emulator, "StopReplication") == 1
    assert out["rollback"]["steps"]["stopReplication"] == {"done": True, "replicationState": "STOPPED"}
    assert record_of(document)["status"] == "FAILED"


def test_a_lost_failed_announcement_is_made_good_by_the_retry(document, infra, faults, capsys, lambda_context):
    faults.fail("events", "PutEvents", "ThrottlingException", status=400, when=lambda body: b"MigrationFailed" in body)
    with pytest.raises(AwsThrottled):
        rollback.handler({**document, "error": ERROR}, lambda_context)
    assert record_of(document)["status"] == "FAILED"
    rollback.handler({**document, "error": ERROR}, lambda_context)  # the workflow's retry
    assert [e["detail-type"] for e in infra.events.events()] == ["MigrationRolledBack", "MigrationFailed"]
    out = capsys.readouterr().out
    assert out.count('"MigrationsRolledBack":[1.0]') == 1 and out.count('"MigrationsFailed":[1.0]') == 1


DUAL_STACK = [
    {"Name": f"{RECORD_NAME}.", "Type": "A", "TTL": 120, "ResourceRecords": [{"Value": OLD_IP}, {"Value": "10.20.30.42"}]},
    {"Name": f"{RECORD_NAME}.", "Type": "AAAA", "TTL": 120, "ResourceRecords": [{"Value": "fd00::41"}]},
]
CNAME = [{"Name": f"{RECORD_NAME}.", "Type": "CNAME", "TTL": 600, "ResourceRecords": [{"Value": "old.corp.example.com"}]}]


@pytest.mark.parametrize("before", [DUAL_STACK, CNAME], ids=["a-and-aaaa", "cname"])
def test_rollback_restores_the_switched_records_whole(document, emulator, aws_mock, faults, before, lambda_context):
    put_dns_records(aws_mock, document, before)
    switching = verified_cutover(document)
    faults.fail("mgn", "FinalizeCutover", "InternalServerException", times=None)
    with pytest.raises(MgnUnavailable):
        finalize_cutover.handler(switching, lambda_context)
    assert dns_records(document) == [a_record(NEW_IP, ttl=60)]
    out = rollback.handler({**switching, "error": {"Error": "MgnUnavailable", "Cause": "5xx"}}, lambda_context)
    assert out["rollback"]["steps"]["dns"]["changed"] is True
    assert dns_records(document) == before


def test_a_step_failing_for_good_is_recorded_and_the_rollback_goes_on(document, source_instance, faults, emulator, lambda_context):
    faults.fail("ec2", "CreateTags", "UnauthorizedOperation", status=403)
    out = rollback.handler({**document, "error": ERROR}, lambda_context)
    steps = out["rollback"]["steps"]
    assert steps["source"]["done"] is False and "UnauthorizedOperation" in steps["source"]["error"]
    assert steps["dns"]["done"] is True and steps["stopReplication"]["done"] is True
    assert record_of(document)["status"] == "FAILED"


def test_a_transient_step_failure_is_raised_for_the_retry(document, source_instance, faults, emulator, lambda_context):
    faults.fail("ec2", "CreateTags", "RequestLimitExceeded", status=503)
    with pytest.raises(AwsThrottled, match="CreateTags"):
        rollback.handler({**document, "error": ERROR}, lambda_context)
    assert record_of(document)["status"] == "PENDING"
    out = rollback.handler({**document, "error": ERROR}, lambda_context)
    assert out["rollback"]["steps"]["source"]["tagged"] is True
