"""ValidateInput: is this migration possible at all? PENDING -> VALIDATED, event ``MigrationValidated``.

Checks, read-only: MGN is initialised and knows the source server, whose replication is running or done
(not stopped, stalled, disconnected or archived); the target is plausible — a known region, and where the
target is this account and this region, the subnet and security groups exist in EC2 and share a VPC.
A target in another account or region cannot be seen from here; MGN's launch template is checked there when
the instance launches, and the detail says the EC2 check was not made and why.
"""

from __future__ import annotations

import functools
import re

import botocore.session
from botocore.exceptions import ClientError

from tasks.lib import aws
from tasks.lib.awserrors import error_code
from tasks.lib.errors import SourceNotReady, ValidationFailed
from tasks.lib.mgn import MgnGateway
from tasks.lib.stage import StageRun, entering, stage
from tasks.lib.status import Status

#: Replication states from which a migration can proceed (running towards, or at, CONTINUOUS).
REPLICATING = frozenset(
    {"INITIATING", "INITIAL_SYNC", "BACKLOG", "CREATING_SNAPSHOT", "CONTINUOUS", "RESCAN",
     "PENDING_SNAPSHOT_SHIPPING", "SHIPPING_SNAPSHOT"}
)
#: Lifecycle states a server has before any launch; anything later belongs to another migration.
LAUNCHABLE_LIFECYCLES = frozenset({"NOT_READY", "READY_FOR_TEST"})
INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")


@stage(
    "validation",
    requires=("sourceServerId", "target.accountId", "target.region", "target.subnetId", "target.instanceType"),
    runs_in=entering(Status.VALIDATED),
)
def handler(document: dict, run: StageRun) -> dict:
    """Validate MGN, the source server and the target; record what was checked."""
    mgn = MgnGateway()
    server = mgn.source_server(document["sourceServerId"])
    view = mgn.replication_view(server)
    _check_source(document["sourceServerId"], server, view.state)
    detail = {
        "validatedAt": aws.iso_now(),
        "replicationState": view.state,
        "lifecycleState": server.get("lifeCycle", {}).get("state"),
        "target": _check_target(document["target"]),
    }
    run.advance(Status.VALIDATED, detail, counts=[("MigrationsStarted", "Count", 1)])  # counted with its event
    return detail


def _check_source(server_id: str, server: dict, replication_state: str) -> None:
    lifecycle = server.get("lifeCycle", {}).get("state")
    if server.get("isArchived"):
        raise SourceNotReady(f"source server {server_id} is archived in MGN")
    if replication_state not in REPLICATING:
        raise SourceNotReady(
            f"source server {server_id} replication is {replication_state}; "
            f"it must be one of {', '.join(sorted(REPLICATING))}"
        )
    if lifecycle not in LAUNCHABLE_LIFECYCLES:
        raise SourceNotReady(
            f"source server {server_id} is in lifecycle state {lifecycle}; a new migration needs "
            f"{' or '.join(sorted(LAUNCHABLE_LIFECYCLES))}"
        )


def _check_target(target: dict) -> dict:
    """Plausibility of the target; EC2 existence checks where this account and region can see it."""
    region = target["region"]
    if region not in _known_regions():
        raise ValidationFailed(f"target.region {region!r} is not an AWS region with EC2")
    if not INSTANCE_TYPE.match(target["instanceType"]):
        raise ValidationFailed(f"target.instanceType {target['instanceType']!r} is not an EC2 instance type")
    ec2 = aws.client("ec2")
    here = (aws.account_id(), ec2.meta.region_name)
    if (target["accountId"], region) != here:
        return {"ec2Checked": False, "reason": f"target {target['accountId']}/{region} is not this account/region"}
    subnets = _described(ec2.describe_subnets, "Subnets", SubnetIds=[target["subnetId"]])
    if not subnets:
        raise ValidationFailed(f"target.subnetId {target['subnetId']} does not exist in {target['accountId']}/{region}")
    vpc_id = subnets[0]["VpcId"]
    groups = target.get("securityGroupIds") or []
    found = _described(ec2.describe_security_groups, "SecurityGroups", GroupIds=groups) if groups else []
    missing = sorted(set(groups) - {g["GroupId"] for g in found})
    if missing:
        raise ValidationFailed(f"target.securityGroupIds {', '.join(missing)} do not exist in {region}")
    elsewhere = sorted(g["GroupId"] for g in found if g["VpcId"] != vpc_id)
    if elsewhere:
        raise ValidationFailed(
            f"target.securityGroupIds {', '.join(elsewhere)} are not in the subnet's VPC {vpc_id}"
        )
    return {"ec2Checked": True, "vpcId": vpc_id, "availabilityZone": subnets[0]["AvailabilityZone"]}


@functools.cache
def _known_regions() -> frozenset[str]:
    """EC2 regions of every partition, from botocore's bundled endpoint data (no network)."""
    session = botocore.session.get_session()
    return frozenset(
        region for partition in session.get_available_partitions()
        for region in session.get_available_regions("ec2", partition)
    )


def _described(call, key: str, **kwargs) -> list[dict]:
    """An EC2 Describe* result, with "not found" (or a malformed ID) as an empty list rather than an error."""
    try:
        return call(**kwargs)[key]
    except ClientError as exc:
        if error_code(exc).endswith((".NotFound", ".Malformed")):
            return []
        raise
