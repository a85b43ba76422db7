"""Samples and runs the graph tests share. A module of its own, not conftest.py: ``from conftest import`` finds
whichever conftest.py of the suite was imported first."""
from __future__ import annotations

import json
from pathlib import Path

from waveflow.local.runtime import LocalRuntime

SAMPLES = Path(__file__).parent / "asl"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


class MgnThrottled(Exception):
    pass


class LaunchFailed(Exception):
    pass


def stub_handlers(calls: dict, fail_cutover: bool) -> dict:
    """Every function ServerMigration calls: PrepareSource is throttled once, replication is ready at the third
    look, and the cutover launch fails when ``fail_cutover``."""
    def stage(name):
        def handler(event, context):
            calls[name] = calls.get(name, 0) + 1
            if name == "PrepareSource" and calls[name] == 1:
                raise MgnThrottled("slow down")
            if name == "PollStatus":
                event["replication"] = {"ready": calls[name] >= 3}
            elif name == "LaunchStartCutover":
                event["launch"] = {"mode": "cutover"}
            elif name == "LaunchPollLaunch":
                if fail_cutover and event.get("launch", {}).get("mode") == "cutover":
                    raise LaunchFailed("the cutover instance did not start")
                event["launch"] = {**event.get("launch", {}), "done": True}
            elif name == "VerifyMigration":
                event["verification"] = {"pending": False}
            return event
        return handler
    def gate(event, context):
        gate.tokens.append(event["taskToken"])  # answered by the wave: run() approves it
    gate.tokens = []
    names = ["ValidateInput", "PrepareSource", "TriggerMigration", "PollStatus", "LaunchStartTest",
             "LaunchPollLaunch", "VerifyMigration", "LaunchMarkReadyForCutover", "LaunchStartCutover",
             "FinalizeCutover", "Rollback", "Callback"]
    return {**{name: stage(name) for name in names}, "WaveGateAwaitCutover": gate}


def run(definition: dict, handlers: dict, name: str = "m-1"):
    """Run ``definition`` to its end, approving the wave's cutover whenever the migration waits at its gate."""
    runtime = LocalRuntime(handlers, seed=1)
    runtime.register_state_machine("Machine", definition)
    execution = runtime.start_execution("Machine", {"migrationId": name}, name=name)
    tokens = handlers["WaveGateAwaitCutover"].tokens
    while execution.status == "RUNNING":
        runtime.run_for(3600)  # run() would let the gate time out: the wave answers within the hour
        while tokens:
            runtime.send_task_success(tokens.pop(), {"decision": "APPROVED"})
    return execution
