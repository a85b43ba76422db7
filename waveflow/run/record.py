"""What a run keeps in the journal besides its executions, so ``waveflow report RUN`` can draw everything from the
journal alone (docs/interfaces.md, "The journal": the run's items by kind).

| kind | key | value |
|---|---|---|
| ``migration`` | migration ID | its status record at the end (every field, history and executionDetails included) |
| ``failure`` | migration ID | ``{migrationId, appName, wave, stage, error, cause}`` (the state that failed) |
| ``deadLetter`` | SQS message ID | ``{messageId, body, attributes (waveflow.reason, ...), sentTimestamp}`` |
| ``received`` | sequence | ``{kind: callback|notification, path, verified, body}`` |
| ``message`` | sequence | what the requester sent: ``{kind: request|duplicate|invalid, line, defect, body}`` |
| ``stateMachine`` | the stack's state machine name | ``{workflow, definition}`` (the ASL, as built) |
| ``event`` | the event's ID | every event put on the bus, in order (EventBridge's shape: its ``detail`` names the
  migration, its status and correlation ID) |
| ``instance`` | EC2 instance ID | ``{instanceId, state, sourceServerId}``: what MGN launched, and what is left |
| ``dnsRecord`` | sequence | ``{zoneId, name, type, values}``: the requests' DNS at the end |
| ``counters`` | ``functions`` / ``faults`` / ``undelivered`` | per-function invocations, errors, timeouts and billed ms; faults injected; other DLQs' depths |
"""
from __future__ import annotations

import json

from ..local.journal import Journal
from .outcome import Outcome
from .submit import Plan


def state_machines(stack, files: dict[str, bytes]) -> dict[str, str]:
    """Workflow name -> the stack's state machine running it, matched by definition (the template's is the
    build's)."""
    built = {name[:-len(".asl.json")]: json.loads(data) for name, data in files.items() if name.endswith(".asl.json")}
    found = {}
    for machine in stack.state_machines:
        workflow = next((name for name, definition in built.items() if definition == machine.definition), None)
        if workflow is None:
            raise ValueError(f"the template's state machine {machine.name} runs no workflow of this build; "
                             f"rebuild (python build.py)")
        found[workflow] = machine.name
    return found


def keep_run(journal: Journal, run_id: int, summary: dict, outcome: Outcome, plan: Plan,
             machines: dict[str, str], files: dict[str, bytes]) -> None:
    """Store the run's items and close it with its summary."""
    journal.put_items(run_id, "migration", [(r["migrationId"], r) for r in outcome.records])
    journal.put_items(run_id, "failure", [(f["migrationId"], f) for f in outcome.failures])
    journal.put_items(run_id, "deadLetter", [(d["messageId"], d) for d in outcome.dead_letters])
    journal.put_items(run_id, "received", list(enumerate(outcome.received)))
    journal.put_items(run_id, "message", [(n, {"kind": m.kind, "line": m.row.line, "file": m.row.file,
                                               "defect": m.defect, "body": m.body})
                                          for n, m in enumerate(plan.messages)])
    journal.put_items(run_id, "stateMachine", [
        (name, {"workflow": workflow, "definition": json.loads(files[f"{workflow}.asl.json"])})
        for workflow, name in sorted(machines.items())])
    journal.put_items(run_id, "event", [(e["id"], e) for e in outcome.events])
    journal.put_items(run_id, "instance", [(i["instanceId"], i) for i in outcome.instances])
    journal.put_items(run_id, "dnsRecord", list(enumerate(outcome.dns)))
    journal.put_items(run_id, "counters", [("functions", outcome.functions), ("faults", outcome.faults),
                                           ("undelivered", outcome.undelivered)])
    journal.finish_run(run_id, "completed", summary)
