"""VerifyMigration: is the launched instance healthy? After the cutover instance: MIGRATION_IN_PROGRESS -> VERIFIED;
after the test instance: no status change (``launch.mode`` says which).

EC2 is the authority when it knows the instance: it must be running with both status checks ``ok``. An
instance still ``pending`` (starting), or checks that are ``initializing`` or ``insufficient-data`` (EC2 has not
collected enough yet), give ``pending: true`` and the workflow polls again. When EC2 does not know the instance
ID MGN reports — the local twin's MGN emulator launches instances on paper only — MGN's own report stands in:
``launchedInstance.firstBoot`` SUCCEEDED passes (``checkedBy: mgn-first-boot``), WAITING is pending, anything
else fails; no IP address is known then. Where the instance is SSM-managed, an SSM post-launch check must
also pass (same mechanism as the source readiness check).
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from tasks.lib import aws
from tasks.lib.awserrors import error_code
from tasks.lib.cmf import report_status
from tasks.lib.errors import IllegalTransition, VerificationFailed
from tasks.lib.mgn import MgnGateway
from tasks.lib.stage import StageRun, entering, field_value, stage
from tasks.lib.status import Status
from tasks.prepare_source import os_family, run_ssm_check

#: Post-launch check per OS family (SSM document, commands).
POST_LAUNCH_CHECKS: dict[str, tuple[str, list[str]]] = {
    "linux": ("AWS-RunShellScript", ["systemctl is-system-running --wait | grep -Eq 'running|degraded'"]),
    "windows": ("AWS-RunPowerShellScript", ["if ((Get-Service -Name 'W32Time').Status -ne 'Running') { exit 1 }"]),
}
FIRST_BOOT_PENDING = frozenset({"WAITING"})
#: EC2 instance states and status-check values that are not a verdict yet.
STARTING_STATES = frozenset({"pending"})
CHECKS_PENDING = frozenset({"initializing", "insufficient-data"})


@stage("verification", requires=("sourceServerId", "launch.mode"), runs_in=entering(Status.VERIFIED))
def handler(document: dict, run: StageRun) -> dict:
    """Check the instance ``launch`` names; move to VERIFIED after a cutover instance passes."""
    launch = document["launch"]
    mode = launch["mode"]
    if mode == "test" and run.status is Status.VERIFIED:
        raise IllegalTransition(f"migration {run.migration_id} is VERIFIED; a test instance is no longer verified")
    if launch.get("skipped"):
        return {"mode": mode, "skipped": True, "passed": True, "pending": False}
    instance_id = launch.get("instanceId")
    if run.status is Status.VERIFIED and run.detail().get("instanceId") == instance_id:
        run.announce(Status.VERIFIED)  # a retry after the move: verified already, but perhaps not announced
        return run.detail()
    if not launch.get("done") or not instance_id:
        raise VerificationFailed(f"{mode} launch of {document['sourceServerId']} has no launched instance to verify")
    health = _instance_health(document, instance_id)
    detail = {"mode": mode, "instanceId": instance_id, "verifiedAt": aws.iso_now(), **health}
    if detail["pending"]:
        return detail
    if detail["ssm"]["checked"] is False and detail["checkedBy"] == "ec2":
        detail["ssm"] = run_ssm_check(instance_id, POST_LAUNCH_CHECKS[os_family(document)], run.migration_id)
    if mode == "cutover":
        detail["cmf"] = report_status(document, Status.VERIFIED)
        run.advance(Status.VERIFIED, detail)
    else:
        run.note(detail)
    return detail


def _instance_health(document: dict, instance_id: str) -> dict:
    ec2 = aws.client("ec2")
    try:
        statuses = ec2.describe_instance_status(InstanceIds=[instance_id], IncludeAllInstances=True)["InstanceStatuses"]
    except ClientError as exc:
        if error_code(exc) != "InvalidInstanceID.NotFound":
            raise
        statuses = []
    if not statuses:
        return _mgn_health(document["sourceServerId"], instance_id)
    status = statuses[0]
    state = status["InstanceState"]["Name"]
    checks = {
        "instance": field_value(status, "InstanceStatus.Status"),
        "system": field_value(status, "SystemStatus.Status"),
    }
    if state not in STARTING_STATES and state != "running":
        raise VerificationFailed(f"instance {instance_id} is {state}, not running")
    failing = {
        name: value
        for name, value in checks.items()
        if state not in STARTING_STATES and value not in ("ok", None, *CHECKS_PENDING)
    }
    if failing:
        raise VerificationFailed(f"instance {instance_id} fails its status checks: {failing}")
    pending = state in STARTING_STATES or any(value in CHECKS_PENDING for value in checks.values())
    reservation = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    return {
        "checkedBy": "ec2",
        "passed": not pending,
        "pending": pending,
        "state": state,
        "statusChecks": checks,
        "ipAddress": reservation.get("PrivateIpAddress"),
        "ssm": {"checked": False},
    }


def _mgn_health(server_id: str, instance_id: str) -> dict:
    launched = MgnGateway().source_server(server_id).get("launchedInstance") or {}
    if launched.get("ec2InstanceID") != instance_id:
        raise VerificationFailed(
            f"instance {instance_id} is unknown to EC2 and MGN reports {launched.get('ec2InstanceID')} for {server_id}"
        )
    first_boot = launched.get("firstBoot")
    if first_boot != "SUCCEEDED" and first_boot not in FIRST_BOOT_PENDING:
        raise VerificationFailed(f"instance {instance_id}: MGN reports first boot {first_boot}")
    return {
        "checkedBy": "mgn-first-boot",
        "passed": first_boot == "SUCCEEDED",
        "pending": first_boot in FIRST_BOOT_PENDING,
        "firstBoot": first_boot,
        "ipAddress": None,
        "ssm": {"checked": False, "reason": "instance unknown to EC2"},
    }
