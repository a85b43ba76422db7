"""Rollback: put the source back in charge after a failure, from ANY non-terminal status. -> ROLLED_BACK -> FAILED,
events ``MigrationRolledBack`` and ``MigrationFailed``; reads ``error`` = {Error, Cause} from the document.

Every step is safe to repeat and does only what MGN's state allows. The rollback must always reach the end, so
a step that fails for good (MGN refusing, access denied, a record changed by hand) is recorded as that step's
outcome and the next step runs; a transient failure (throttling, 5xx) is raised instead, and the workflow
retries the whole, repeatable rollback:

1. launched test/cutover instances are terminated (a server in TESTING or CUTTING_OVER is first moved to
   READY_FOR_CUTOVER, since MGN refuses to terminate during those; a finalized CUTOVER is left alone —
   MGN refuses it, and the record says so);
2. replication is stopped;
3. the DNS records saved by FinalizeCutover are restored whole (or the switched record deleted, if the name had
   none before);
4. the source is marked to keep serving.

A rollback that already ended (FAILED) returns what it recorded, after publishing any of its two events (and
their metrics) that a failed PutEvents left owed; SUCCESS cannot be rolled back.
"""

from __future__ import annotations

from collections.abc import Callable

from tasks.lib import aws, dns
from tasks.lib.awserrors import is_transient
from tasks.lib.cmf import report_status
from tasks.lib.mgn import MgnGateway
from tasks.lib.observability import logger
from tasks.lib.stage import StageRun, stage
from tasks.lib.status import TERMINAL, Status
from tasks.finalize_cutover import duration, mark_source

ROLLBACK_FROM = frozenset(Status) - TERMINAL | {Status.FAILED}
UNKNOWN_ERROR = {"Error": "Unknown", "Cause": "the rollback was started without an error"}


@stage("rollback", runs_in=ROLLBACK_FROM, idempotent_on=("sourceServerId",))
def handler(document: dict, run: StageRun) -> dict:
    """Undo what the migration did so far, record each step, end in FAILED."""
    detail = run.detail() if run.status is Status.FAILED else _roll_back(document, run)
    extra = {"error": detail.get("error", UNKNOWN_ERROR)}
    run.advance(Status.ROLLED_BACK, detail, extra=extra, counts=[("MigrationsRolledBack", "Count", 1)])
    run.advance(Status.FAILED, detail, extra=extra, counts=[("MigrationsFailed", "Count", 1), *duration(run.record)])
    return detail


def _roll_back(document: dict, run: StageRun) -> dict:
    steps: dict[str, object] = {}
    if document.get("sourceServerId"):
        mgn = MgnGateway()
        server_id = document["sourceServerId"]
        steps["terminateInstances"] = _attempt(lambda: _terminate_instances(mgn, server_id))
        steps["stopReplication"] = _attempt(lambda: _stop_replication(mgn, server_id))
        steps["source"] = _attempt(lambda: mark_source(mgn.source_server(server_id), run.migration_id, "keep-serving"))
    steps["dns"] = _attempt(lambda: _restore_dns(document, run))
    return {
        "error": _error_of(document),
        "steps": steps,
        "fromStatus": run.detail().get("fromStatus", run.status.value),
        "cmf": report_status(document, Status.FAILED),
        "rolledBackAt": aws.iso_now(),
    }


def _error_of(document: dict) -> dict:
    error = document.get("error")
    if not isinstance(error, dict) or not error.get("Error"):
        return dict(UNKNOWN_ERROR)
    return {"Error": str(error["Error"]), "Cause": str(error.get("Cause", ""))[:2000]}


def _attempt(step: Callable[[], object]) -> object:
    """Run one rollback step: its outcome, or the failure that ended it when retrying cannot help (see above)."""
    try:
        return step()
    except Exception as exc:
        if is_transient(exc):
            raise
        logger.warning("rollback step failed; going on", extra={"error": f"{type(exc).__name__}: {exc}"})
        return {"done": False, "error": f"{type(exc).__name__}: {exc}"}


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
    previous = saved["previous"]
    changed = dns.replace(document["dns"], dns.records_at(document["dns"]), previous)
    return {"done": True, "changed": changed, "restored": previous}
