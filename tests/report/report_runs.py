"""A small run for the report's tests, made in process: both shipped workflows, compiled by the build, executed by
``LocalRuntime`` on one virtual clock with stub handlers (``migration_stubs``) and journalled, as ``waveflow run``
journals a wave.

Two waves of three servers. Each server has a behaviour: ``ok``; ``throttled`` (PrepareSource throttled once,
retried); ``slow`` (replication ready at the sixth look); ``launch-fails`` (the cutover instance never starts: rolled
back); ``invalid`` (ValidateInput refuses it: rolled back); ``no-test`` (no test launch). Each wave approves its
cutover two hours in, releasing the servers parked at its gate; its WaitForWave watches the migrations' executions
and SummariseWave counts them. Three broken requests are dead-lettered with the reasons of the real request
validator (``tasks.lib.request``), as ingress gives them.

``small_run`` returns what the journal keeps of it as ``journal_source.RunRecord``: the executions and histories
read back from the journal file, and the items a run keeps beside them (status records, failures, dead letters,
state machines, the summary).
"""
from __future__ import annotations

import json

from migration_stubs import CUTOVER_FAILURE, Behaviour, stub_handlers

from tasks.lib.request import summarise, validate_request
from waveflow.local.journal import Journal
from waveflow.local.runtime import LocalRuntime
from waveflow.report.journal_source import RunRecord
from waveflow.run.costs import estimate

STACK = "waveflow-test"
HOUR = 3600
SERVERS = {"mig-001": ("crm", "1", "ok"), "mig-002": ("crm", "1", "throttled"), "mig-003": ("billing", "1", "slow"),
           "mig-004": ("billing", "2", "launch-fails"), "mig-005": ("hr", "2", "invalid"),
           "mig-006": ("hr", "2", "no-test")}
BROKEN = ['{"appName": "crm", "wave": "1"}',
          '{"sourceServerId": "srv-0042", "appName": "crm", "wave": "1", "priority": "high"}',
          '{"sourceServerId": "s-0123456789abcdef0", "wave": "2", "environment": "staging']  # cut short
#: Where each failing behaviour fails, and with what: the failures a run keeps.
FAILS = {"launch-fails": ("WaitForCutoverLaunch", "LaunchFailed", CUTOVER_FAILURE),
         "invalid": ("ValidateInput", "ValidationFailed", "target.subnetId subnet-XYZ does not exist")}


def behaviour_of(migration_id: str) -> Behaviour:
    how = SERVERS[migration_id][2]
    return Behaviour(throttled=how == "throttled", ready_at=6 if how == "slow" else 2,
                     cutover_fails=how == "launch-fails", refused=FAILS["invalid"][2] if how == "invalid" else None)


def _wave_handlers(runtime_ref: list, approvals: list) -> dict:
    def finished(wave: str) -> list:
        return [e for e in runtime_ref[0].executions.values()
                if e.machine.name.endswith("ServerMigration") and SERVERS[e.name][1] == wave]

    def watch(event, context):
        done = finished(event["wave"])
        event["progress"] = {"done": all(e.status != "RUNNING" for e in done) and len(done) == event["expectedMigrations"]}
        return event

    def summarise_wave(event, context):
        done = finished(event["wave"])
        event["summary"] = {"total": len(done), "succeeded": sum(e.status == "SUCCEEDED" for e in done)}
        return event

    def request_approval(event, context):
        approvals.append(event["taskToken"])
    return {"WaveGateOpenWave": lambda event, context: event, "ApprovalRequestApproval": request_approval,
            "WaveGateOpenCutover": lambda event, context: event, "WaveGateCloseCutover": lambda event, context: event,
            "WaveGateWatchWave": watch, "WaveSummary": summarise_wave}


def small_run(definitions: dict[str, dict], journal_path) -> RunRecord:
    """Run both waves to their end, journalled at ``journal_path``; what the journal keeps of the run."""
    approvals, runtime_ref = [], []
    migration_handlers = stub_handlers({}, behaviour_of)
    gate = migration_handlers["WaveGateAwaitCutover"].parked
    journal = Journal(journal_path)
    runtime = LocalRuntime({**migration_handlers, **_wave_handlers(runtime_ref, approvals)}, seed=3, journal=journal)
    runtime_ref.append(runtime)
    machines = {f"{STACK}-{workflow}": workflow for workflow in ("ServerMigration", "MigrationWave")}
    for name, workflow in machines.items():
        runtime.register_state_machine(name, definitions[workflow])
    waves = sorted({wave for _, wave, _ in SERVERS.values()})
    for wave in waves:
        expected = sum(1 for _, w, _ in SERVERS.values() if w == wave)
        runtime.start_execution(f"{STACK}-MigrationWave", {"wave": wave, "expectedMigrations": expected},
                                name=f"wave-{wave}")
    for n, (key, (app, wave, behaviour)) in enumerate(SERVERS.items()):
        document = {"migrationId": key, "appName": app, "wave": wave, **({"testLaunch": False}
                                                                        if behaviour == "no-test" else {})}
        runtime.call_at(runtime.clock.now() + 60 * n,
                        lambda document=document: runtime.start_execution(f"{STACK}-ServerMigration", document,
                                                                          name=document["migrationId"]))
    approved: set[str] = set()
    while any(e.status == "RUNNING" for e in runtime.executions.values()):
        runtime.run_for(HOUR / 2)
        if runtime.clock.now() >= runtime.executions[next(iter(runtime.executions))].start_time + 2 * HOUR:
            while approvals:
                runtime.send_task_success(approvals.pop(0), {"decision": "APPROVED"})
            approved.update(waves)
        for key, token in [pair for pair in gate if SERVERS[pair[0]][1] in approved]:
            gate.remove((key, token))
            runtime.send_task_success(token, {"decision": "APPROVED"})
    journal.flush()
    return _record(runtime, journal, machines, definitions)


def _record(runtime, journal: Journal, machines: dict, definitions: dict) -> RunRecord:
    executions = sorted(journal.executions(), key=lambda row: row["name"])
    by_name = {row["name"]: row for row in executions}
    records, failures = [], []
    for key, (app, wave, behaviour) in SERVERS.items():
        row = by_name[key]
        records.append((key, {"migrationId": key, "appName": app, "wave": wave, "executionArn": row["executionArn"],
                              "status": "SUCCESS" if row["status"] == "SUCCEEDED" else "FAILED"}))
        if behaviour in FAILS:
            stage, error, cause = FAILS[behaviour]
            failures.append((key, {"migrationId": key, "appName": app, "wave": wave, "stage": stage, "error": error,
                                   "cause": cause}))
    letters = [(f"dlq-{n}", {"messageId": f"dlq-{n}", "body": body, "sentTimestamp": 1767225600000 + n,
                             "attributes": {"waveflow.reason": summarise(validate_request(_parsed(body))),
                                            "waveflow.correlationId": f"corr-{n}",
                                            "waveflow.receivedAt": f"2026-01-01T00:0{n}:00.000Z"}})
               for n, body in enumerate(BROKEN, 1)]
    statuses = {}
    for _, record in records:
        statuses[record["status"]] = statuses.get(record["status"], 0) + 1
    usage = {"state_transitions": runtime.stats["state_transitions"],
             "lambda_requests": runtime.stats["lambda_invocations"]}
    cost = estimate(usage, len(records))
    summary = {"byStatus": dict(sorted(statuses.items())), "dlq": len(letters),
               "executionsStarted": runtime.stats["executions_started"], "duplicatesSuppressed": 0,
               "stateTransitions": runtime.stats["state_transitions"],
               "lambdaInvocations": runtime.stats["lambda_invocations"],
               "simulatedSeconds": runtime.clock.now() - min(e.start_time for e in runtime.executions.values()),
               "wallSeconds": 1.5, "cost": {**cost.as_json(), "perWave": {"1": cost.total / 2, "2": cost.total / 2}}}
    items = {"migration": records, "failure": failures, "deadLetter": letters, "message": [],
             "stateMachine": [(name, {"workflow": workflow, "definition": definitions[workflow]})
                              for name, workflow in sorted(machines.items())]}
    run = {"run": 1, "command": "waveflow run --wave tests/report/small-run --seed 3", "status": "completed",
           "startedAt": 1767225600.0, "finishedAt": 1767225700.0, "summary": summary}
    return RunRecord(run, items, executions, journal.recorded)


def _parsed(body: str):
    try:
        return json.loads(body)
    except ValueError:
        return body
