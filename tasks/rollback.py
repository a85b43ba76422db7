"""Rollback: put the source back in charge after a failure, from ANY non-terminal status. -> ROLLED_BACK -> FAILED,
events ``MigrationRolledBack`` and ``MigrationFailed``; reads ``error`` = {Error, Cause} from the document.

Every step is safe to repeat and does only what MGN's state allows; a step MGN refuses is recorded, not fatal,
because the rollback must always reach the end:

1. launched test/cutover instances are terminated (a server in TESTING or CUTTING_OVER is first moved to
   READY_FOR_CUTOVER, since MGN refuses to terminate during those; a finalized CUTOVER is left alone —
   MGN refuses it, and the record says so);
2. replication is stopped;
3. the DNS record saved by FinalizeCutover is restored (or deleted, if there was none before);
4. the source is marked to keep serving.

A rollback that already ended (FAILED) returns what it recorded; SUCCESS cannot be rolled back.
"""

from __future__ import annotations

from collections.abc import Callable

from tasks.lib import aws
from tasks.lib.cmf import report_status
from tasks.lib.errors import MgnConflict, SourceNotReady
from tasks.lib.mgn import MgnGateway
from tasks.lib.observability import metrics
from tasks.lib.stage import StageRun, stage
from tasks.lib.status import TERMINAL, Status
from tasks.finalize_cutover import change_record, mark_source, read_record, record_duration

ROLLBACK_FROM = frozenset(Status) - TERMINAL | {Status.FAILED}
UNKNOWN_ERROR = {"Error": "Unknown", "Cause": "the rollback was started without an error"}


@stage("rollback", runs_in=ROLLBACK_FROM, idempotent_on=("sourceServerId",))
def handler(document: dict, run: StageRun) -> dict:
    """Undo what the migration did so far, record each step, end in FAILED."""
    if run.status is Status.FAILED:
        return run.detail()
    error = _error_of(document)
    steps: dict[str, object] = {}
    if document.get("sourceServerId"):
        mgn = MgnGateway()
        server_id = document["sourceServerId"]
        steps["terminateInstances"] = _attempt(lambda: _terminate_instances(mgn, server_id))
        steps["stopReplication"] = _attempt(lambda: _stop_replication(mgn, server_id))
        steps["source"] = _attempt(lambda: mark_source(mgn.source_server(server_id), run.migration_id, "keep-serving"))
    steps["dns"] = _attempt(lambda: _restore_dns(document, run))
    detail = {
        "error": error,
        "steps": steps,
        "fromStatus": run.detail().get("fromStatus", run.status.value),
        "cmf": report_status(document, Status.FAILED),
        "rolledBackAt": aws.iso_now(),
    }
    run.advance(Status.ROLLED_BACK, detail, extra={"error": error})
    run.advance(Status.FAILED, detail, extra={"error": error})
    metrics.add_metric(name="MigrationsRolledBack", unit="Count", value=1)
    metrics.add_metric(name="MigrationsFailed", unit="Count", value=1)
    record_duration(run.record)
    return detail


def _error_of(document: dict) -> dict:
    error = document.get("error")
    if not isinstance(error, dict) or not error.get("Error"):
        return dict(UNKNOWN_ERROR)
    return {"Error": str(error["Error"]), "Cause": str(error.get("Cause", ""))[:2000]}


def _attempt(step: Callable[[], object]) -> object:
    """Run one rollback step; MGN's refusals are recorded as the step's outcome instead of ending the rollback."""
    try:
        return step()
    except (MgnConflict, SourceNotReady) as exc:
        return {"done": False, "refused": f"{type(exc).__name__}: {exc}"}


#: Lifecycle states in which MGN refuses TerminateTargetInstances but lets the launch be ended first, by
#: moving the server to READY_FOR_CUTOVER (the one lifecycle change the gateway offers from both).
END_LAUNCH_BEFORE_TERMINATE = frozenset({"TESTING", "CUTTING_OVER"})


def _terminate_instances(mgn: MgnGateway, server_id: str) -> dict:
    server = mgn.source_server(server_id)
    lifecycle = server.get("lifeCycle", {}).get("state")
    instance = (server.get("launchedInstance") or {}).get("ec2InstanceID")
    if not instance:
        return {"done": True, "terminated": None}
    ended_launch = lifecycle in END_LAUNCH_BEFORE_TERMINATE
    if ended_launch:
        mgn.mark_ready_for_cutover(server_id)
    job = mgn.terminate_target_instances(server_id)
    return {"done": True, "terminated": instance, "jobId": (job or {}).get("jobID"), "endedLaunchIn": lifecycle}


def _stop_replication(mgn: MgnGateway, server_id: str) -> dict:
    state = mgn.replication_view(mgn.source_server(server_id)).state
    if state in ("STOPPED", "DISCONNECTED"):
        return {"done": True, "replicationState": state}
    mgn.stop_replication(server_id)
    return {"done": True, "replicationState": "STOPPED", "was": state}


def _restore_dns(document: dict, run: StageRun) -> dict:
    saved = run.detail("cutover").get("dns")
    if not document.get("dns") or not saved or "previous" not in saved:
        return {"done": True, "changed": False, "reason": "DNS was not switched"}
    dns, previous = document["dns"], saved["previous"]
    current = read_record(dns)
    if current == previous:
        return {"done": True, "changed": False, "restored": previous}
    if previous is None:
        change_record(dns, "DELETE", current)
    else:
        change_record(dns, "UPSERT", previous)
    return {"done": True, "changed": True, "restored": previous}
