"""PrepareSource: make sure the source can be migrated and can be put back. VALIDATED -> SOURCE_PREPARED.

1. The MGN agent is installed and MGN has heard from it recently (agent-based replication only).
2. Where the source is SSM-managed, an SSM Run Command readiness check (agent service up, disk space) must
   succeed. A source is tried as SSM-managed when MGN identifies it as an EC2 instance; SSM answering
   ``InvalidInstanceId`` means it is not managed, which is recorded, not fatal.
3. Where the source is an EC2 instance visible to this account, every attached EBS volume gets a
   pre-migration snapshot, tagged with the migration ID. Snapshots are found by that tag before any is
   created, so a retry after a crash reuses the snapshots already taken instead of taking them again.

The readiness check is read-only on the source, so a retried stage may run it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from botocore.exceptions import ClientError, WaiterError

from tasks.lib import aws
from tasks.lib.awserrors import classify_response, error_code
from tasks.lib.errors import AwsThrottled, SourceNotReady, VerificationFailed
from tasks.lib.mgn import MgnGateway
from tasks.lib.stage import StageRun, entering, field_value, stage
from tasks.lib.status import Status

#: How long MGN may go without hearing from the agent before the source counts as unreachable.
AGENT_SILENCE_LIMIT = timedelta(hours=1)
MIGRATION_TAG = "waveflow:migrationId"

#: Readiness check per OS family: SSM document and its commands (exit non-zero = not ready).
READINESS_CHECKS: dict[str, tuple[str, list[str]]] = {
    "linux": (
        "AWS-RunShellScript",
        [
            "systemctl is-active --quiet aws-replication-agent || pgrep -f aws-replication >/dev/null",
            "df -P / | awk 'NR==2 && $4 < 1048576 { print \"less than 1 GiB free on /\"; exit 1 }'",
        ],
    ),
    "windows": (
        "AWS-RunPowerShellScript",
        [
            "$agent = Get-Service -Name 'AwsReplicationService' -ErrorAction Stop",
            "if ($agent.Status -ne 'Running') { Write-Output 'replication agent not running'; exit 1 }",
        ],
    ),
}
#: Bounded wait for an SSM check command (one usually finishes in seconds).
SSM_WAIT = {"Delay": 2, "MaxAttempts": 30}


@stage(
    "sourcePreparation",
    requires=("sourceServerId",),
    runs_in=entering(Status.SOURCE_PREPARED),
    idempotent_on=("sourceServerId",),
)
def handler(document: dict, run: StageRun) -> dict:
    """Check the agent, run the SSM readiness check, snapshot EC2 sources; record all three."""
    server = MgnGateway().source_server(document["sourceServerId"])
    instance_id = source_instance_id(server)
    detail = {
        "agent": _agent_check(document["sourceServerId"], server),
        "readiness": _readiness_check(instance_id, os_family(document, server), run.migration_id),
        "snapshots": _snapshots(instance_id, run.migration_id),
        "sourceInstanceId": instance_id,
        "preparedAt": aws.iso_now(),
    }
    run.advance(Status.SOURCE_PREPARED, detail)
    return detail


def source_instance_id(server: dict) -> str | None:
    """The EC2 instance ID of the source when MGN identifies it as one, else None."""
    return field_value(server, "sourceProperties.identificationHints.awsInstanceID") or None


def os_family(document: dict, server: dict | None = None) -> str:
    """``windows`` or ``linux``, from the request's ``source.os`` or else what the MGN agent reported."""
    stated = field_value(document, "source.os") or field_value(server or {}, "sourceProperties.os.fullString") or ""
    return "windows" if "windows" in stated.lower() else "linux"


def _agent_check(server_id: str, server: dict) -> dict:
    if server.get("replicationType", "AGENT_BASED") != "AGENT_BASED":
        return {"required": False, "replicationType": server["replicationType"]}
    lifecycle = field_value(server, "lifeCycle.state")
    if lifecycle in ("DISCOVERED", "PENDING_INSTALLATION"):
        raise SourceNotReady(f"source server {server_id}: the MGN agent is not installed (lifecycle {lifecycle})")
    last_seen = field_value(server, "lifeCycle.lastSeenByServiceDateTime")
    if not last_seen:
        raise SourceNotReady(f"source server {server_id}: MGN has never heard from its agent")
    silence = aws.now() - datetime.fromisoformat(last_seen.replace("Z", "+00:00"))
    if silence > AGENT_SILENCE_LIMIT:
        raise SourceNotReady(
            f"source server {server_id}: MGN last heard from its agent at {last_seen}, "
            f"{int(silence.total_seconds())} s ago (limit {int(AGENT_SILENCE_LIMIT.total_seconds())} s)"
        )
    return {"required": True, "lastSeen": last_seen}


def _readiness_check(instance_id: str | None, family: str, migration_id: str) -> dict:
    if instance_id is None:
        return {"checked": False, "reason": "source is not an EC2 instance; no SSM managed instance to ask"}
    return run_ssm_check(instance_id, READINESS_CHECKS[family], migration_id, failure=SourceNotReady)


def run_ssm_check(
    instance_id: str, check: tuple[str, list[str]], migration_id: str, *, failure: type[Exception] = VerificationFailed
) -> dict:
    """Run ``check`` (SSM document, commands) on ``instance_id`` and wait, bounded, for it to succeed.

    An instance SSM does not manage (``InvalidInstanceId``) is recorded as unchecked; a command that fails
    or times out raises ``failure`` with its status and output. A throttled or failed status poll says nothing
    about the source: ``AwsThrottled``, retried.
    """
    ssm = aws.client("ssm")
    document_name, commands = check
    try:
        command = ssm.send_command(
            InstanceIds=[instance_id],
            DocumentName=document_name,
            Parameters={"commands": commands},
            Comment=f"waveflow check for {migration_id}"[:100],
            TimeoutSeconds=60,
        )["Command"]
    except ClientError as exc:
        if error_code(exc) == "InvalidInstanceId":
            return {"checked": False, "reason": f"{instance_id} is not SSM-managed"}
        raise
    command_id = command["CommandId"]
    try:
        aws.waiter(ssm, "command_executed").wait(CommandId=command_id, InstanceId=instance_id, WaiterConfig=SSM_WAIT)
    except WaiterError as exc:
        outcome = exc.last_response or {}
        error = outcome.get("Error") or {}
        if classify_response(outcome) is not None:  # SSM throttled or failed the poll: nothing is known yet
            raise AwsThrottled(
                f"SSM GetCommandInvocation {command_id} on {instance_id} failed transiently: "
                f"{error.get('Code')}: {error.get('Message', '')}"
            ) from exc
        output = (outcome.get("StandardOutputContent") or outcome.get("StandardErrorContent") or "").strip()
        ended = outcome.get("Status") or (f"with {error.get('Code')}: {error.get('Message', '')}" if error else None)
        raise failure(
            f"SSM check {command_id} ({document_name}) on {instance_id} ended "
            f"{ended or 'without an answer'}: {output[:300]}"
        ) from exc
    return {"checked": True, "commandId": command_id, "document": document_name, "status": "Success"}


def _snapshots(instance_id: str | None, migration_id: str) -> list[dict]:
    """Pre-migration snapshot IDs per volume; existing ones (same migration, same volume) are reused."""
    if instance_id is None:
        return []
    ec2 = aws.client("ec2")
    try:
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except ClientError as exc:
        if error_code(exc) == "InvalidInstanceID.NotFound":
            return []
        raise
    volumes = [
        mapping["Ebs"]["VolumeId"]
        for reservation in reservations
        for instance in reservation["Instances"]
        for mapping in instance.get("BlockDeviceMappings", [])
        if "Ebs" in mapping
    ]
    taken = {
        snapshot["VolumeId"]: snapshot["SnapshotId"]
        for snapshot in ec2.describe_snapshots(
            OwnerIds=["self"], Filters=[{"Name": f"tag:{MIGRATION_TAG}", "Values": [migration_id]}]
        )["Snapshots"]
    }
    for volume_id in volumes:
        if volume_id not in taken:
            taken[volume_id] = ec2.create_snapshot(
                VolumeId=volume_id,
                Description=f"waveflow pre-migration snapshot of {instance_id} for {migration_id}",
                TagSpecifications=[
                    {"ResourceType": "snapshot", "Tags": [{"Key": MIGRATION_TAG, "Value": migration_id}]}
                ],
            )["SnapshotId"]
    return [{"volumeId": volume_id, "snapshotId": taken[volume_id]} for volume_id in volumes]
