"""What MGN knows about a source server, and the lifecycle rules it enforces.

Rules live in tables (which lifecycle states each action may start from), so the operations read them
instead of repeating if-chains, and a test can walk them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .replication import Replication

GIB = 1024**3

# ChangeServerLifeCycleState target -> lifecycle states it may be set from (and only once lagDuration is set).
LIFECYCLE_TARGETS = {
    "READY_FOR_TEST": frozenset({"READY_FOR_TEST", "TESTING", "READY_FOR_CUTOVER"}),
    "READY_FOR_CUTOVER": frozenset({"READY_FOR_TEST", "TESTING", "READY_FOR_CUTOVER", "CUTTING_OVER"}),
    "CUTOVER": frozenset({"CUTTING_OVER"}),
}
# (from, to) of a lifecycle change -> the milestone (lastTest/lastCutover) stage it records.
MILESTONE_OF_CHANGE = {
    ("TESTING", "READY_FOR_TEST"): ("lastTest", "reverted"),
    ("TESTING", "READY_FOR_CUTOVER"): ("lastTest", "finalized"),
    ("CUTTING_OVER", "READY_FOR_CUTOVER"): ("lastCutover", "reverted"),
    ("CUTTING_OVER", "CUTOVER"): ("lastCutover", "finalized"),
}
#: What MGN's BASIC right-sizing picks for every emulated server (sourceProperties.recommendedInstanceType).
RECOMMENDED_INSTANCE_TYPE = "m5.large"
TERMINATE_REFUSED_IN = frozenset({"TESTING", "CUTTING_OVER", "CUTOVER"})
ARCHIVABLE_FROM = frozenset({"DISCONNECTED", "CUTOVER"})


@dataclass(frozen=True)
class LaunchKind:
    """How StartTest / StartCutover behave: where they may start, what they turn the server into."""

    operation: str
    initiated_by: str
    allowed_from: frozenset[str]
    enters: str
    milestone: str
    result_prefix: str  # of the "MGN Source Server Launch Result" event state


LAUNCH_KINDS = {
    kind.initiated_by: kind
    for kind in (
        LaunchKind("StartTest", "START_TEST", frozenset({"READY_FOR_TEST", "TESTING", "READY_FOR_CUTOVER"}),
                   "TESTING", "lastTest", "TEST"),
        LaunchKind("StartCutover", "START_CUTOVER", frozenset({"READY_FOR_TEST", "TESTING", "READY_FOR_CUTOVER"}),
                   "CUTTING_OVER", "lastCutover", "CUTOVER"),
    )
}


@dataclass(frozen=True)
class OsProfile:
    """What the agent reports about an operating system family."""

    full_string: str
    device_format: str
    cpu_model: str


OS_PROFILES = {
    "LINUX": OsProfile("Linux version 5.10.0 (Amazon Linux 2)", "/dev/xvd{letter}", "Intel(R) Xeon(R) CPU @ 2.50GHz"),
    "WINDOWS": OsProfile("Microsoft Windows Server 2019 Datacenter", "\\\\.\\PHYSICALDRIVE{index}",
                         "Intel(R) Xeon(R) CPU @ 2.50GHz"),
}


def device_names(os_name: str, count: int) -> list[str]:
    """Disk device names as the agent reports them for ``os_name``."""
    fmt = OS_PROFILES[os_name].device_format
    return [fmt.format(letter=chr(ord("a") + index), index=index) for index in range(count)]


@dataclass
class SourceServer:
    """One source server known to MGN: its identity, lifecycle, replication, launched instance and settings."""

    source_server_id: str
    arn: str
    hostname: str
    ip: str
    os: str
    disks: tuple[int, ...]
    added: float
    replication: Replication
    launch_configuration: dict
    replication_configuration: dict
    tags: dict[str, str] = field(default_factory=dict)
    aws_instance_id: str | None = None  # the EC2 instance the source *is*, for a source already in AWS
    lifecycle: str = "NOT_READY"
    is_archived: bool = False
    replication_type: str = "AGENT_BASED"
    milestones: dict[str, dict[str, dict]] = field(default_factory=dict)
    launched_instance: dict | None = None
    first_byte: float | None = None
    announced_ready: bool = False
    active_job_id: str | None = None

    @property
    def launchable(self) -> bool:
        """MGN's own test for launching and lifecycle changes: ``dataReplicationInfo.lagDuration`` is set."""
        return self.replication.synced_at is not None and self.replication.state not in ("STOPPED", "DISCONNECTED")

    def record_milestone(self, milestone: str, stage: str, at: float, job_id: str | None = None) -> None:
        """Note a lastTest/lastCutover stage; a new ``initiated`` starts the milestone afresh."""
        entry = {"apiCallDateTime": at} | ({"jobID": job_id} if job_id else {})
        if stage == "initiated":
            self.milestones[milestone] = {}
        self.milestones.setdefault(milestone, {})[stage] = entry


def default_launch_configuration(server_id: str, hostname: str, template_id: str) -> dict:
    """MGN's launch settings for a newly added server (wire shape of GetLaunchConfiguration)."""
    return {
        "sourceServerID": server_id,
        "name": hostname,
        "ec2LaunchTemplateID": template_id,
        "launchDisposition": "STARTED",
        "targetInstanceTypeRightSizingMethod": "BASIC",
        "copyPrivateIp": False,
        "copyTags": False,
        "licensing": {"osByol": True},
        "bootMode": "USE_SOURCE",
        "postLaunchActions": {"deployment": "TEST_AND_CUTOVER", "ssmDocuments": []},
        "enableMapAutoTagging": False,
    }


def default_replication_configuration(server_id: str, hostname: str, devices: list[str], subnet_id: str) -> dict:
    """MGN's replication settings for a newly added server (wire shape of GetReplicationConfiguration)."""
    return {
        "sourceServerID": server_id,
        "name": hostname,
        "stagingAreaSubnetId": subnet_id,
        "associateDefaultSecurityGroup": True,
        "replicationServersSecurityGroupsIDs": [],
        "replicationServerInstanceType": "t3.small",
        "useDedicatedReplicationServer": False,
        "defaultLargeStagingDiskType": "GP3",
        "replicatedDisks": [
            {"deviceName": device, "isBootDisk": index == 0, "stagingDiskType": "AUTO"}
            for index, device in enumerate(devices)
        ],
        "ebsEncryption": "DEFAULT",
        "bandwidthThrottling": 0,
        "dataPlaneRouting": "PRIVATE_IP",
        "createPublicIP": False,
        "stagingAreaTags": {},
        "useFipsEndpoint": False,
        "internetProtocol": "IPV4",
        "storeSnapshotOnLocalZone": False,
    }
