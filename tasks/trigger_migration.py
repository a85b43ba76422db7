"""TriggerMigration: start MGN replication, or confirm it is running. SOURCE_PREPARED -> MIGRATION_IN_PROGRESS.

MGN starts replicating as soon as the agent is installed, so usually there is nothing to start: the stage
confirms the replication state and records it. A server whose replication was stopped is started again
(StartReplication). MGN has no job for replication; the IDs of any launch jobs MGN already holds for the
server (``lifeCycle.lastTest`` / ``lastCutover``) are recorded so a re-run migration shows what came before,
and the launch stages add theirs under ``launch``. CMF hears that replication started (best effort).

Crash safety: StartReplication is only called while MGN reports STOPPED, so a retry after the call went
through finds replication running and does not call it again.
"""

from __future__ import annotations

from tasks.lib import aws
from tasks.lib.cmf import report_status
from tasks.lib.errors import SourceNotReady
from tasks.lib.mgn import MgnGateway
from tasks.lib.stage import StageRun, entering, field_value, stage
from tasks.lib.status import Status
from tasks.validate_input import REPLICATING


@stage(
    "mgn",
    requires=("sourceServerId",),
    runs_in=entering(Status.MIGRATION_IN_PROGRESS),
    idempotent_on=("sourceServerId",),
)
def handler(document: dict, run: StageRun) -> dict:
    """Start or confirm replication, record MGN's view of the server, tell CMF."""
    mgn = MgnGateway()
    server_id = document["sourceServerId"]
    server = mgn.source_server(server_id)
    state = mgn.replication_view(server).state
    started = state == "STOPPED"
    if started:
        mgn.start_replication(server_id)
        server = mgn.source_server(server_id)
        state = mgn.replication_view(server).state
    elif state not in REPLICATING:
        raise SourceNotReady(f"source server {server_id} replication is {state}; it cannot be started from there")
    detail = {
        "sourceServerArn": server.get("arn"),
        "replicationState": state,
        "replicationStarted": started,
        "previousJobIds": _known_job_ids(server),
        "triggeredAt": aws.iso_now(),
        "cmf": report_status(document, Status.MIGRATION_IN_PROGRESS),
    }
    run.advance(Status.MIGRATION_IN_PROGRESS, detail)
    return detail


def _known_job_ids(server: dict) -> list[str]:
    """Launch job IDs MGN remembers for the server (last test, last cutover)."""
    ids = (field_value(server, f"lifeCycle.{milestone}.initiated.jobID") for milestone in ("lastTest", "lastCutover"))
    return [job_id for job_id in ids if job_id]
