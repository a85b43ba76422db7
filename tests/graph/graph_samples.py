"""Samples and runs the graph tests share. A module of its own, not conftest.py: ``from conftest import`` finds
whichever conftest.py of the suite was imported first."""
from __future__ import annotations

import json
from pathlib import Path

import migration_stubs
from migration_stubs import Behaviour

from waveflow.local.runtime import LocalRuntime

SAMPLES = Path(__file__).parent / "asl"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def stub_handlers(calls: dict, fail_cutover: bool) -> dict:
    """Every function ServerMigration calls: PrepareSource is throttled once, replication is ready at the third
    look, and the cutover launch fails when ``fail_cutover``."""
    return migration_stubs.stub_handlers(calls, lambda migration_id: Behaviour(throttled=True, ready_at=3,
                                                                                cutover_fails=fail_cutover))


def run(definition: dict, handlers: dict, name: str = "m-1"):
    """Run ``definition`` to its end, approving the wave's cutover whenever the migration waits at its gate."""
    runtime = LocalRuntime(handlers, seed=1)
    runtime.register_state_machine("Machine", definition)
    execution = runtime.start_execution("Machine", {"migrationId": name}, name=name)
    parked = handlers["WaveGateAwaitCutover"].parked
    while execution.status == "RUNNING":
        runtime.run_for(3600)  # run() would let the gate time out: the wave answers within the hour
        while parked:
            runtime.send_task_success(parked.pop()[1], {"decision": "APPROVED"})
    return execution
