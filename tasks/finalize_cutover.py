"""FinalizeCutover: make the new instance the server. VERIFIED -> COMPLETED -> SUCCESS, event ``MigrationSucceeded``.

1. DNS: ``dns.recordName`` (A record) is UPSERTed to the cutover instance's IP. The record's previous value
   is written to the status record *before* the change (``cutover.dns.previous``), so rollback can restore
   it even after a crash between the two; a retry reads the live record first and skips the change when it
   already points at the new IP.
2. MGN: FinalizeCutover, then MarkAsArchived — each skipped when MGN already shows it done.
3. The source is marked for decommissioning: tagged when it is an EC2 instance this account sees, recorded
   either way. Nothing is shut down.
4. CMF hears "Cutover - Completed"; metrics MigrationsSucceeded and MigrationDurationSeconds.
"""

from __future__ import annotations

from datetime import datetime

from tasks.lib import aws
from tasks.lib.cmf import report_status
from tasks.lib.errors import VerificationFailed
from tasks.lib.mgn import MgnGateway
from tasks.lib.observability import metrics
from tasks.lib.stage import StageRun, field_value, stage
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
    if run.status is Status.SUCCESS:
        return run.detail()
    detail = {"instanceId": document["launch"]["instanceId"]}
    if document.get("dns"):
        detail["dns"] = _switch_dns(document, run, detail)
    mgn = MgnGateway()
    server_id = document["sourceServerId"]
    server = mgn.source_server(server_id)
    if field_value(server, "lifeCycle.state") not in FINALIZED_LIFECYCLES:
        mgn.finalize_cutover(server_id)
        server = mgn.source_server(server_id)
    if not server.get("isArchived"):
        mgn.archive(server_id)
    detail.update(
        mgn={"finalized": True, "archived": True},
        source=mark_source(server, run.migration_id, "decommission-pending"),
        cmf=report_status(document, Status.SUCCESS),
        completedAt=aws.iso_now(),
    )
    run.advance(Status.COMPLETED, detail)
    run.advance(Status.SUCCESS, detail)
    metrics.add_metric(name="MigrationsSucceeded", unit="Count", value=1)
    record_duration(run.record)
    return detail


def _switch_dns(document: dict, run: StageRun, detail: dict) -> dict:
    dns = document["dns"]
    ip = field_value(document, "verification.ipAddress")
    if not ip:
        raise VerificationFailed(
            f"no IP address is known for cutover instance {detail['instanceId']}; "
            f"{dns['recordName']} cannot be switched"
        )
    noted = run.detail().get("dns") or {}
    previous = noted["previous"] if "previous" in noted else read_record(dns)
    if "previous" not in noted:
        run.note({**detail, "dns": {"previous": previous, "target": ip}})
    if read_record(dns) != {"ttl": int(dns.get("ttl", 300)), "values": [ip]}:
        change_record(dns, "UPSERT", {"ttl": int(dns.get("ttl", 300)), "values": [ip]})
    return {"previous": previous, "target": ip, "recordName": dns["recordName"]}


def read_record(dns: dict) -> dict | None:
    """The A record ``dns.recordName`` as ``{ttl, values}``, or None when there is none."""
    name = _fqdn(dns["recordName"])
    sets = aws.client("route53").list_resource_record_sets(
        HostedZoneId=dns["hostedZoneId"], StartRecordName=name, StartRecordType="A", MaxItems="1"
    )["ResourceRecordSets"]
    found = [s for s in sets if _fqdn(s["Name"]) == name and s["Type"] == "A"]
    if not found:
        return None
    return {"ttl": int(found[0].get("TTL", 300)), "values": [r["Value"] for r in found[0].get("ResourceRecords", [])]}


def change_record(dns: dict, action: str, value: dict) -> None:
    """Apply one Route 53 change (UPSERT or DELETE) of the A record ``dns.recordName``."""
    aws.client("route53").change_resource_record_sets(
        HostedZoneId=dns["hostedZoneId"],
        ChangeBatch={
            "Comment": "waveflow cutover",
            "Changes": [
                {
                    "Action": action,
                    "ResourceRecordSet": {
                        "Name": _fqdn(dns["recordName"]),
                        "Type": "A",
                        "TTL": value["ttl"],
                        "ResourceRecords": [{"Value": v} for v in value["values"]],
                    },
                }
            ],
        },
    )


def _fqdn(name: str) -> str:
    return name if name.endswith(".") else f"{name}."


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


def record_duration(record: dict) -> None:
    """Metric MigrationDurationSeconds: from the request's record creation to now."""
    created = record.get("createdAt")
    if created:
        started = datetime.fromisoformat(created.replace("Z", "+00:00"))
        metrics.add_metric(
            name="MigrationDurationSeconds", unit="Seconds", value=(aws.now() - started).total_seconds()
        )
