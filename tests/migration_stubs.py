"""Stub handlers for every function ServerMigration calls, for the tests that run the compiled workflow in process
(the graph's counts, the run report's small run). A module of its own, named so no other test module shadows it.

Each migration behaves as ``behaviour(migration ID)`` says: PrepareSource throttled at its first call, replication
ready at the n-th look, a cutover instance that never starts, a request ValidateInput refuses. ``calls`` counts the
calls by ``(function, migration ID)``; the gate's handler keeps ``(migration ID, task token)`` in its ``parked``
list for the test to answer, as the wave would.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

FUNCTIONS = ("ValidateInput", "PrepareSource", "TriggerMigration", "PollStatus", "LaunchStartTest",
             "LaunchPollLaunch", "VerifyMigration", "LaunchMarkReadyForCutover", "LaunchStartCutover",
             "FinalizeCutover", "Rollback", "Callback")


class MgnThrottled(Exception):
    pass


class LaunchFailed(Exception):
    pass


class ValidationFailed(Exception):
    pass


@dataclass(frozen=True)
class Behaviour:
    throttled: bool = False
    ready_at: int = 2
    cutover_fails: bool = False
    refused: str | None = None


CUTOVER_FAILURE = "the cutover instance did not start"


def stub_handlers(calls: dict, behaviour: Callable[[str], Behaviour]) -> dict:
    """Handlers by function name, ``WaveGateAwaitCutover`` included."""
    def stage(name):
        def handler(event, context):
            key = (name, event["migrationId"])
            calls[key] = calls.get(key, 0) + 1
            how = behaviour(event["migrationId"])
            if name == "ValidateInput" and how.refused:
                raise ValidationFailed(how.refused)
            if name == "PrepareSource" and how.throttled and calls[key] == 1:
                raise MgnThrottled("Rate exceeded")
            if name == "PollStatus":
                event["replication"] = {"ready": calls[key] >= how.ready_at}
            elif name == "LaunchStartCutover":
                event["launch"] = {"mode": "cutover"}
            elif name == "LaunchPollLaunch":
                if how.cutover_fails and event.get("launch", {}).get("mode") == "cutover":
                    raise LaunchFailed(CUTOVER_FAILURE)
                event["launch"] = {**event.get("launch", {}), "done": True}
            elif name == "VerifyMigration":
                event["verification"] = {"pending": False}
            return event
        return handler

    def gate(event, context):
        gate.parked.append((event["input"]["migrationId"], event["taskToken"]))
    gate.parked = []
    return {**{name: stage(name) for name in FUNCTIONS}, "WaveGateAwaitCutover": gate}
