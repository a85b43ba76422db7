"""Done when, with faults: each fault profile's wave, and what AWS and MGN would have left behind.

One small run per profile (module-scoped), many assertions on each; the 200-server chaos wave is the one big run.
"""
from __future__ import annotations

from collections import Counter

import pytest
from wave_runs import LEGAL_SUCCESS, run

from tasks.lib.request import migration_id_for
from waveflow.local.mgn.faults import FaultDice
from waveflow.local.mgn.seeded import Seeded
from waveflow.run.defects import DEFECTS
from waveflow.run.faults import PROFILES

TERMINAL = {"SUCCESS", "FAILED"}
STALLS_SEED = 3


def _rolled_back_with(ran, migration_id: str, error: str) -> None:
    """FAILED after a completed rollback: ROLLED_BACK then FAILED, the reason kept, DNS and instances undone."""
    record = ran.records[migration_id]
    assert ran.statuses(migration_id)[-2:] == ["ROLLED_BACK", "FAILED"], migration_id
    rollback = record["executionDetails"]["rollback"]
    assert rollback["error"]["Error"] == error and rollback["error"]["Cause"]
    assert not [step for step in rollback["steps"].values() if step.get("done") is False], rollback["steps"]
    assert ran.events[migration_id][-2:] == ["MigrationRolledBack", "MigrationFailed"]
    if record.get("dns"):
        assert ran.dns(record["dns"]["recordName"]) == [record["source"]["ipAddress"]]
    assert all(i["state"] == "terminated" for i in ran.instances_of(record["sourceServerId"]))


def _everyone_else_succeeds(ran, failed: set[str]) -> None:
    for migration_id, record in ran.records.items():
        if migration_id not in failed:
            assert ran.statuses(migration_id) == LEGAL_SUCCESS, migration_id


@pytest.fixture(scope="module")
def bad_requests(tmp_path_factory):
    return run(tmp_path_factory, servers=30, seed=5, faults="bad-requests")


def test_invalid_requests_end_in_the_dlq_with_their_reasons(bad_requests):
    invalid = [m for m in bad_requests.result.plan.messages if m.kind == "invalid"]
    letters = bad_requests.outcome.dead_letters
    assert invalid and bad_requests.summary["dlq"] == len(letters) >= len(invalid)
    # every invalid request is there with its reason (one SQS delivered twice is dead-lettered twice)
    assert {letter["body"] for letter in letters} == {m.body for m in invalid}
    for letter in letters:
        message = next(m for m in invalid if m.body == letter["body"])
        field = next(d.field for d in DEFECTS if d.name == message.defect)
        assert field.split(".")[-1] in letter["attributes"]["waveflow.reason"] or field == "(body)"


def test_duplicates_and_redeliveries_start_no_second_execution(bad_requests):
    plan = bad_requests.result.plan
    assert plan.count("duplicate") and bad_requests.outcome.faults["redeliveredMessages"]
    names = [e["name"] for e in bad_requests.migrations()]
    assert len(names) == len(set(names)) == len(bad_requests.records)
    redelivered_invalid = bad_requests.summary["dlq"] - plan.count("invalid")  # dead-lettered a second time
    assert bad_requests.summary["duplicatesSuppressed"] == plan.count("duplicate") + bad_requests.outcome.faults[
        "redeliveredMessages"] - redelivered_invalid
    assert all(events.count("MigrationRequested") == 1 for events in bad_requests.events.values())


def test_every_valid_request_migrates(bad_requests):
    valid = {migration_id_for(m.row.request["sourceServerId"], m.row.request["wave"])
             for m in bad_requests.result.plan.messages if m.kind == "request"}
    assert set(bad_requests.records) == valid
    assert bad_requests.summary["byStatus"] == {"SUCCESS": len(valid)}


@pytest.fixture(scope="module")
def flaky_mgn(tmp_path_factory):
    return run(tmp_path_factory, servers=20, seed=2, faults="flaky-mgn")


def test_every_migration_succeeds_through_retries(flaky_mgn):
    assert flaky_mgn.summary["byStatus"] == {"SUCCESS": 20}
    retried = Counter(event["taskFailedEventDetails"]["error"] for e in flaky_mgn.migrations()
                      for event in flaky_mgn.history(e["name"]) if event["type"] == "TaskFailed")
    assert retried["MgnThrottled"] and retried["MgnUnavailable"], retried
    assert set(retried) <= {"MgnThrottled", "MgnUnavailable"}


def _affected(ran, seed: int, profile: str, fault) -> set[str]:
    """The migrations whose servers the emulator's dice give ``fault``, recomputed from the seed."""
    dice = FaultDice(PROFILES[profile].mgn, Seeded(seed))
    return {m for m, r in ran.records.items() if fault(dice, r)}


@pytest.fixture(scope="module")
def stalls(tmp_path_factory):
    return run(tmp_path_factory, servers=30, seed=STALLS_SEED, faults="stalls")


def test_stuck_stalls_fail_after_a_completed_rollback_and_the_rest_succeed(stalls):
    stuck = _affected(stalls, STALLS_SEED, "stalls", lambda dice, r: (
        (stall := dice.stall(r["sourceServerId"], r["source"]["hostname"])) is not None and stall.stuck))
    recovered = _affected(stalls, STALLS_SEED, "stalls", lambda dice, r: (
        (stall := dice.stall(r["sourceServerId"], r["source"]["hostname"])) is not None and not stall.stuck))
    assert stuck and recovered
    assert set(stalls.with_status("FAILED")) == stuck
    for migration_id in stuck:
        _rolled_back_with(stalls, migration_id, "ReplicationStalled")
    _everyone_else_succeeds(stalls, stuck)
    for migration_id in recovered:
        assert "stallRetriedAt" in str(stalls.history(migration_id))  # retried once, then it recovered


@pytest.fixture(scope="module")
def bad_launches(tmp_path_factory):
    return run(tmp_path_factory, servers=30, seed=6, faults="bad-launches")


def test_failed_launches_roll_back_and_everyone_else_succeeds(bad_launches):
    failed = set(bad_launches.with_status("FAILED"))
    assert failed
    for migration_id in failed:
        _rolled_back_with(bad_launches, migration_id, "LaunchFailed")
        assert bad_launches.outcome.failures and any(f["migrationId"] == migration_id and f["stage"].startswith("Wait")
                                            for f in bad_launches.outcome.failures)
    _everyone_else_succeeds(bad_launches, failed)


@pytest.fixture(scope="module")
def rejected(tmp_path_factory):
    return run(tmp_path_factory, servers=6, seed=1, approval="reject")


def test_no_server_is_cut_over(rejected):
    assert rejected.summary["byStatus"] == {"FAILED": 6}
    for migration_id in rejected.records:
        _rolled_back_with(rejected, migration_id, "WaveCutoverRejected")
        assert "LaunchCutover" not in rejected.entered(migration_id)
    [wave] = [e for e in rejected.executions if e["name"] == "wave-1"]
    assert (wave["status"], wave["error"]) == ("FAILED", "WavePartiallyFailed")


@pytest.fixture(scope="module")
def chaos(tmp_path_factory):
    return run(tmp_path_factory, servers=200, seed=9, faults="chaos")


def test_every_migration_ends_none_stuck_none_twice(chaos):
    assert set(chaos.summary["byStatus"]) <= TERMINAL
    assert {e["status"] for e in chaos.executions} <= {"SUCCEEDED", "FAILED"}
    names = [e["name"] for e in chaos.migrations()]
    assert len(names) == len(set(names)) == len(chaos.records)
    for record in chaos.records.values():
        launches = [i for i in chaos.instances_of(record["sourceServerId"])]
        assert len(launches) <= 2  # a test and a cutover instance, never a second of either
    assert chaos.outcome.faults["lambdaTimeouts"] and chaos.outcome.faults["dynamodbThrottled"]
    assert chaos.summary["dlq"] >= chaos.result.plan.count("invalid")
