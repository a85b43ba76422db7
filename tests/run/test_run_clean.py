"""Done when: a 50-server wave without faults goes through the whole twin, every server SUCCESS along the legal
path, with its events, callbacks, DNS and instances as AWS would leave them, and the run kept in the journal."""
from __future__ import annotations

import pytest
from wave_runs import LEGAL_SUCCESS, run

SERVERS = 50


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return run(tmp_path_factory, servers=SERVERS, seed=5)


def test_every_server_ends_success_along_the_legal_path(clean):
    assert clean.summary["byStatus"] == {"SUCCESS": SERVERS} and clean.summary["dlq"] == 0
    assert len(clean.records) == SERVERS
    for migration_id in clean.records:
        assert clean.statuses(migration_id) == LEGAL_SUCCESS, migration_id


def test_each_migration_announces_each_step_once(clean):
    for migration_id in clean.records:
        events = clean.events[migration_id]
        assert events[0] == "MigrationRequested" and events[-1] == "MigrationSucceeded", migration_id
        assert events.count("MigrationRequested") == events.count("MigrationSucceeded") == 1
        assert "MigrationFailed" not in events and "MigrationRolledBack" not in events


def test_one_execution_per_server_and_the_wave_succeeds(clean):
    migrations = clean.migrations()
    assert sorted(e["name"] for e in migrations) == sorted(clean.records)
    assert {e["status"] for e in migrations} == {"SUCCEEDED"}
    [wave] = [e for e in clean.executions if e["stateMachine"].endswith("MigrationWave")]
    assert (wave["name"], wave["status"]) == ("wave-1", "SUCCEEDED")
    assert clean.summary["executionsStarted"] == SERVERS + 1 and clean.summary["duplicatesSuppressed"] == 0
    assert "AwaitWaveCutover" in clean.entered(migrations[0]["name"])


def test_dns_points_at_the_cutover_instances_and_callbacks_arrived_signed(clean):
    switched = [r for r in clean.records.values() if r.get("dns")]
    assert switched
    for record in switched:
        assert clean.dns(record["dns"]["recordName"]) != [record["source"]["ipAddress"]]
    for record in clean.records.values():
        running = [i for i in clean.instances_of(record["sourceServerId"]) if i["state"] == "running"]
        assert running, record["migrationId"]
    callbacks = [r for r in clean.outcome.received if r["kind"] == "callback"]
    assert len(callbacks) == SERVERS and all(r["verified"] for r in clean.outcome.received)
    assert {c["body"]["status"] for c in callbacks} == {"SUCCESS"}


def test_a_fault_free_migration_costs_at_most_60_state_transitions(clean):
    assert clean.summary["stateTransitions"] / SERVERS <= 60
    cost = clean.summary["cost"]
    assert cost["perMigration"] == pytest.approx(cost["total"] / SERVERS, abs=1e-6) and cost["total"] > 0
    assert cost["perWave"] == {"1": pytest.approx(cost["total"], abs=1e-5)}


def test_the_run_is_in_the_journal_with_what_its_report_needs(clean):
    run_id = clean.result.run_id
    entry = clean.journal.run(run_id)
    assert entry["status"] == "completed" and entry["summary"] == clean.summary
    assert entry["command"] == "waveflow run --servers 50 --seed 5"
    assert len(clean.journal.items(run_id, "migration")) == SERVERS
    assert {key for key, _ in clean.journal.items(run_id, "stateMachine")} == {
        e["stateMachine"] for e in clean.executions}
    assert len(clean.journal.items(run_id, "received")) == len(clean.outcome.received)
    assert clean.journal.items(run_id, "deadLetter") == []
    assert clean.journal.latest_scope() == run_id
