"""FinalizeCutover: make the new instance the server. VERIFIED -> COMPLETED -> SUCCESS, event ``MigrationSucceeded``.

1. DNS (``tasks.lib.dns``): every A/AAAA/CNAME record of ``dns.recordName`` is replaced by one A record with the
   cutover instance's IP. An alias or a record with a routing policy is refused (``UnsupportedDnsRecord``)
   before anything is changed. The records as they were, whole, are written to the status record *before* the
   change (``cutover.dns.previous``), so rollback can restore them even after a crash between the two; a retry
   reads the live records first and changes nothing when they already point at the new IP.
2. MGN: FinalizeCutover, then MarkAsArchived — each skipped when MGN already shows it done. This cannot be
   undone: a failure after it would roll back DNS while MGN keeps the cutover, so nothing after it may fail.
3. The source is marked for decommissioning: tagged when it is an EC2 instance this account sees, recorded
   either way, and a tagging failure is recorded, not raised. Nothing is shut down.
4. CMF hears "Cutover - Completed" (best effort); metrics MigrationsSucceeded and MigrationDurationSeconds go out
   with the MigrationSucceeded event, which a retry publishes if it was lost.
"""

from __future__ import annotations

from datetime import datetime

from tasks.lib import aws, dns
from tasks.lib.cmf import report_status
from tasks.lib.errors import VerificationFailed
from tasks.lib.mgn import MgnGateway
from tasks.lib.observability import logger
from tasks.lib.stage import Count, StageRun, field_value, stage
from tasks.lib.status import Status
from tasks.prepare_source import MIGRATION_TAG, source_instance_id

SOURCE_STATE_TAG = "waveflow:sourceState"
FINALIZED_LIFECYCLES = frozenset({"CUTOVER", "DISCONNECTED"})


@stage(
    "cutover",
    requires=("sourceServerId", "launch.instanceId", "verification"),
    runs_in={Status.VERIFIED, Status.COMPLETED, Status.SUCCESS},
    idempotent_on=("sourceServerId", "launch.instanceId", "dns"),
)
def handler(document: dict, run: StageRun) -> dict:
    """Switch DNS, finalize and archive in MGN, mark the source, tell CMF; end in SUCCESS."""
    detail = run.detail() if run.status is Status.SUCCESS else _cut_over(document, run)
    run.advance(Status.COMPLETED, detail)
    run.advance(Status.SUCCESS, detail, counts=[("MigrationsSucceeded", "Count", 1), *duration(run.record)])
    return detail


def _cut_over(document: dict, run: StageRun) -> dict:
    detail = {"instanceId": document["launch"]["instanceId"]}
    if document.get("dns"):
        detail["dns"] = _switch_dns(document, run, detail)
    mgn = MgnGateway()
    server_id = document["sourceServerId"]
    server = mgn.source_server(server_id)
    if field_value(server, "lifeCycle.state") not in FINALIZED_LIFECYCLES:
        server = mgn.finalize_cutover(server_id)  # MGN answers with the server as the finalize left it
    if not server.get("isArchived"):
        mgn.archive(server_id)
    detail.update(
        mgn={"finalized": True, "archived": True},
        source=_source_marked(server, run.migration_id),
        cmf=report_status(document, Status.SUCCESS),
        completedAt=aws.iso_now(),
    )
    return detail


def _switch_dns(document: dict, run: StageRun, detail: dict) -> dict:
    wanted = document["dns"]
    ip = field_value(document, "verification.ipAddress")
    if not ip:
        raise VerificationFailed(
            f"no IP address is known for cutover instance {detail['instanceId']}; "
            f"{wanted['recordName']} cannot be switched"
        )
    current = dns.records_at(wanted)
    dns.require_plain(wanted, current)
    noted = run.detail().get("dns") or {}
    previous = noted["previous"] if "previous" in noted else current
    if "previous" not in noted:
        run.note({**detail, "dns": {"previous": previous, "target": ip}})
    dns.replace(wanted, current, [dns.a_record(wanted, ip)])
    return {"previous": previous, "target": ip, "recordName": wanted["recordName"]}


def _source_marked(server: dict, migration_id: str) -> dict:
    """:func:`mark_source` after the cutover became final: a failure is recorded, never raised (see step 2)."""
    try:
        return mark_source(server, migration_id, "decommission-pending")
    except Exception as exc:
        logger.warning("could not tag the source for decommissioning", extra={"error": f"{type(exc).__name__}: {exc}"})
        return {"state": "decommission-pending", "tagged": False, "error": f"{type(exc).__name__}: {exc}"}


def mark_source(server: dict, migration_id: str, state: str) -> dict:
    """Tag the source EC2 instance (when this account sees it) with ``state``; what was done, for the record."""
    instance_id = source_instance_id(server)
    if instance_id is None:
        return {"state": state, "tagged": False, "reason": "source is not an EC2 instance"}
    ec2 = aws.client("ec2")
    if not ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": [instance_id]}])["Reservations"]:
        return {"state": state, "tagged": False, "reason": f"{instance_id} is not visible to this account"}
    ec2.create_tags(
        Resources=[instance_id],
        Tags=[{"Key": SOURCE_STATE_TAG, "Value": state}, {"Key": MIGRATION_TAG, "Value": migration_id}],
    )
    return {"state": state, "tagged": True, "instanceId": instance_id}


def duration(record: dict) -> list[Count]:
    """Metric MigrationDurationSeconds, from the request's record creation to now (none without ``createdAt``)."""
    created = record.get("createdAt")
    if not created:
        return []
    started = datetime.fromisoformat(created.replace("Z", "+00:00"))
    return [("MigrationDurationSeconds", "Seconds", (aws.now() - started).total_seconds())]
