"""The compiled ServerMigration run by waveflow's interpreter over the real task handlers, moto and the MGN
emulator, on one virtual timeline: the build output, the tasks and the local twin, working together. The server's
wave has already approved its cutover, so the gate before LaunchCutover answers its own token through the twin's
Step Functions API (the whole wave path is in tests/local/twin/test_wave_path.py)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from stage_pipeline import SERVER_ID

from tasks.lib.config import load_config
from tasks.lib.store import StatusStore
from tasks.lib.tables import WAVE_TABLE, create_table
from tasks.lib.waves import APPROVED, WaveTable
from waveflow.compile import build
from waveflow.local.mgn import FaultPlan
from waveflow.local.runtime import LocalRuntime
from waveflow.local.twin.stepfunctions import StepFunctionsApi

REPO = Path(__file__).resolve().parents[3]


class SharedClock:
    """The interpreter moves the tests' clock, so the tasks, MGN and the interpreter share one timeline."""

    def __init__(self, clock) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock.now

    def advance_to(self, when: float) -> None:
        self.clock.now = max(self.clock.now, when)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> tuple[dict, dict]:
    files = build(REPO, tmp_path_factory.mktemp("build"))
    return json.loads(files["ServerMigration.asl.json"]), json.loads(files["manifest.json"])


def _handlers(manifest: dict) -> dict:
    """Every function the build names, resolved to its handler in tasks/ — as Lambda would import it."""
    handlers = {}
    for logical, entry in manifest["functions"].items():
        module, _, name = entry["handler"].rpartition(".")
        handlers[logical] = getattr(importlib.import_module(module), name)
    return handlers


@pytest.fixture
def approved_wave(aws_mock, document, monkeypatch):
    """The wave table, with the document's wave already approved."""
    monkeypatch.setenv("WAVEFLOW_WAVE_TABLE", "waveflow-waves")
    load_config.cache_clear()
    create_table(aws_mock.client("dynamodb"), WAVE_TABLE, "waveflow-waves")
    WaveTable().decide(document["wave"], APPROVED, "approved before the test")


def _migrate(compiled, document, clock, session):
    definition, manifest = compiled
    runtime = LocalRuntime(_handlers(manifest), clock=SharedClock(clock), seed=3)
    runtime.register_state_machine("ServerMigration", definition)
    api = StepFunctionsApi(runtime)
    api.install(session)
    try:
        execution = runtime.start_execution("ServerMigration", document, name=document["migrationId"])
        runtime.run()
    finally:
        api.uninstall()
    return execution


def test_a_server_migrates_end_to_end(compiled, document, clock, infra, network, callback_receiver, aws_mock,
                                      approved_wave):
    started = clock.now
    execution = _migrate(compiled, document, clock, aws_mock)

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    record = StatusStore().get(document["migrationId"])
    assert record["status"] == "SUCCESS"
    assert [e["detail-type"] for e in infra.events.events()][-1] == "MigrationSucceeded"
    answer = aws_mock.client("route53").list_resource_record_sets(HostedZoneId=network.hosted_zone_id)
    switched = [r for r in answer["ResourceRecordSets"] if r["Type"] == "A"][0]["ResourceRecords"][0]["Value"]
    assert switched.startswith("10.50.1.")  # the cutover instance in the target subnet
    assert [r.json()["status"] for r in callback_receiver.received] == ["SUCCESS"]
    assert clock.now - started > 600  # replication, launches and polls took virtual time, not wall time


@pytest.mark.parametrize("fault_plan", [FaultPlan(failed_launch_servers=frozenset({SERVER_ID}))])
def test_a_failed_launch_is_rolled_back_and_the_execution_fails_with_it(compiled, document, clock, infra,
                                                                        callback_receiver, aws_mock, approved_wave):
    execution = _migrate(compiled, document, clock, aws_mock)

    assert (execution.status, execution.error) == ("FAILED", "LaunchFailed")
    assert StatusStore().get(document["migrationId"])["status"] == "FAILED"
    assert [e["detail-type"] for e in infra.events.events()][-2:] == ["MigrationRolledBack", "MigrationFailed"]
    assert [r.json()["status"] for r in callback_receiver.received] == ["FAILED"]
