"""Rollback: safe from any non-terminal status, each step as far as MGN allows, DNS restored, FAILED."""

from __future__ import annotations

import pytest
from stage_pipeline import OLD_IP, SERVER_ID, calls, record_of, walk_record

from tasks import finalize_cutover, rollback
from tasks.finalize_cutover import read_record
from tasks.lib.errors import IllegalTransition, MgnUnavailable

ERROR = {"Error": "VerificationFailed", "Cause": "instance i-1 fails its status checks"}


def test_rollback_straight_from_pending(document, infra):
    out = rollback.handler({**document, "error": ERROR})
    assert out["rollback"]["fromStatus"] == "PENDING"
    assert out["rollback"]["steps"]["terminateInstances"] == {"done": True, "terminated": None}
    assert record_of(document)["status"] == "FAILED"
    events = infra.events.events()
    assert [e["detail-type"] for e in events] == ["MigrationRolledBack", "MigrationFailed"]
    assert events[0]["detail"]["error"] == ERROR


def test_rollback_during_a_test_ends_the_launch_and_terminates_the_instance(pipeline, emulator):
    document = pipeline.through("test_launched")
    out = rollback.handler({**document, "error": ERROR})
    terminate = out["rollback"]["steps"]["terminateInstances"]
    assert terminate["terminated"] == document["launch"]["instanceId"] and terminate["endedLaunchIn"] == "TESTING"
    assert emulator.jobs[terminate["jobId"]].type == "TERMINATE"
    assert emulator.source_servers[SERVER_ID].replication.state == "STOPPED"


def test_rollback_after_the_dns_switch_restores_the_saved_record(pipeline, faults):
    pipeline.through("verify_cutover")
    faults.fail("mgn", "FinalizeCutover", "InternalServerException", times=None)
    with pytest.raises(MgnUnavailable):
        pipeline.run(finalize_cutover.handler)
    assert read_record(pipeline.document["dns"])["values"] != [OLD_IP]
    out = rollback.handler({**pipeline.document, "error": {"Error": "MgnUnavailable", "Cause": "5xx"}})
    assert out["rollback"]["steps"]["dns"]["changed"] is True
    assert read_record(pipeline.document["dns"]) == {"ttl": 300, "values": [OLD_IP]}


def test_rollback_twice_rolls_back_once(document, infra):
    first = rollback.handler({**document, "error": ERROR})
    version = record_of(document)["version"]
    infra.events.events()
    second = rollback.handler({**document, "error": ERROR})
    assert second["rollback"] == first["rollback"]
    assert record_of(document)["version"] == version and infra.events.events() == []


def test_a_finished_rollback_asked_again_with_another_error_returns_what_it_did(document):
    first = rollback.handler({**document, "error": ERROR})
    # another server ID makes another idempotency key: the stage itself must see the FAILED record
    again = rollback.handler({**document, "sourceServerId": "s-00000000000000001", "error": {"Error": "Other"}})
    assert again["rollback"] == first["rollback"]


def test_rollback_without_an_error_records_unknown(document):
    out = rollback.handler(document)
    assert out["rollback"]["error"]["Error"] == "Unknown"


def test_a_successful_migration_cannot_be_rolled_back(document, emulator):
    walk_record(document, "SUCCESS")
    with pytest.raises(IllegalTransition, match="SUCCESS"):
        rollback.handler({**document, "error": ERROR})
    assert record_of(document)["status"] == "SUCCESS"
    assert emulator.calls == []


def test_crash_after_stopping_replication_does_not_stop_it_again(document, emulator, crash_after):
    crash_after("mgn", "StopReplication")
    with pytest.raises(Exception, match="crashed after mgn.StopReplication"):
        rollback.handler({**document, "error": ERROR})
    out = rollback.handler({**document, "error": ERROR})
    assert calls(emulator, "StopReplication") == 1
    assert out["rollback"]["steps"]["stopReplication"] == {"done": True, "replicationState": "STOPPED"}
    assert record_of(document)["status"] == "FAILED"
