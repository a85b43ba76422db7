"""``Ec2InstanceLauncher``: the emulator's launched test/cutover instances as real EC2 instances.

Why: the verification, DNS and rollback stages look the instance MGN reports up in EC2 (status checks, private
IP, SSM). With the emulator's invented ids they find nothing, so the local twin (and the tests, on moto) plug
this launcher in: ``emu.use_instance_launcher(Ec2InstanceLauncher(session))``. Each launch runs one instance,
each TERMINATE job terminates it; the id MGN reports (``launchedInstance.ec2InstanceID``) is the EC2 id.

What it takes from the emulator's server, as MGN does:
- the launch configuration: ``name`` -> the Name tag; right-sizing ``BASIC`` -> the type MGN recommends
  (``sourceProperties.recommendedInstanceType``), ``NONE`` -> ``instance_type`` below; ``copyPrivateIp`` -> the
  source's IP when it lies in the target subnet (else EC2 picks one; real MGN would fail that launch);
  ``copyTags`` -> the server's tags (``aws:`` keys left out, EC2 refuses them); ``launchDisposition`` STOPPED ->
  the instance is stopped once launched;
- the tags MGN puts on what it launches: ``AWSApplicationMigrationServiceManaged``,
  ``AWSApplicationMigrationServiceSourceServerID`` and ``mgn.amazonaws.com-job``.

What stands in for the EC2 launch template: the emulator's ``ec2LaunchTemplateID`` is invented and names nothing
in EC2, so the launcher's own ``subnet_id``, ``security_group_ids`` and ``instance_type`` say where and what to
launch. Without ``subnet_id``: the default subnet of the alphabetically first availability zone of the default
VPC, which is created when the account has none (``CreateDefaultVpc``). Without ``image_id``: one AMI per OS
family, named ``waveflow-mgn-linux`` / ``waveflow-mgn-windows``, registered on first use and found by name after
(the stand-in for the image MGN converts the replicated disks into). Both are looked up once per launcher.

EC2 errors are not caught: a launcher that cannot launch is a broken twin, not an MGN launch failure (inject
those with ``FaultPlan.failed_launch_servers``).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import ClientError

from .jobs import Job
from .model import RECOMMENDED_INSTANCE_TYPE, SourceServer

#: Keys of the tags MGN puts on every instance it launches (besides Name); the first always says mgn.amazonaws.com.
MANAGED_TAG = "AWSApplicationMigrationServiceManaged"
SOURCE_SERVER_TAG = "AWSApplicationMigrationServiceSourceServerID"
JOB_TAG = "mgn.amazonaws.com-job"
DEFAULT_INSTANCE_TYPE = "t3.medium"


class Ec2InstanceLauncher:
    """An ``InstanceLauncher`` that runs and terminates real instances through ``session``'s EC2 client.

    >>> emu.use_instance_launcher(Ec2InstanceLauncher(session, subnet_id="subnet-0abc"))  # doctest: +SKIP
    """

    def __init__(self, session: Any, *, subnet_id: str | None = None, security_group_ids: Iterable[str] = (),
                 image_id: str | None = None, instance_type: str = DEFAULT_INSTANCE_TYPE) -> None:
        self._ec2 = session.client("ec2")
        self._subnet_id = subnet_id
        self._subnet: dict | None = None
        self._security_group_ids = list(security_group_ids)
        self._image_id = image_id
        self._images: dict[str, str] = {}
        self._instance_type = instance_type

    def launch(self, server: SourceServer, job: Job) -> str:
        """Run the target instance of ``server`` for ``job``; its EC2 id."""
        settings = server.launch_configuration
        subnet = self.subnet()
        request: dict[str, Any] = {
            "ImageId": self._image_for(server.os),
            "InstanceType": self._instance_type_for(settings),
            "SubnetId": subnet["SubnetId"],
            "MinCount": 1,
            "MaxCount": 1,
            "TagSpecifications": [{"ResourceType": "instance", "Tags": [
                {"Key": key, "Value": value} for key, value in self._tags(server, job).items()]}],
        }
        if self._security_group_ids:
            request["SecurityGroupIds"] = self._security_group_ids
        if settings.get("copyPrivateIp") and _within(server.ip, subnet["CidrBlock"]):
            request["PrivateIpAddress"] = server.ip
        instance_id = self._ec2.run_instances(**request)["Instances"][0]["InstanceId"]
        if settings.get("launchDisposition") == "STOPPED":
            self._ec2.stop_instances(InstanceIds=[instance_id])
        return instance_id

    def terminate(self, instance_id: str) -> None:
        """Terminate the instance; one already gone from EC2 counts as terminated, as MGN's job would report."""
        try:
            self._ec2.terminate_instances(InstanceIds=[instance_id])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "InvalidInstanceID.NotFound":
                raise

    def subnet(self) -> dict:
        """The subnet instances are launched into (``SubnetId``, ``CidrBlock``...), resolved on first use."""
        if self._subnet is None:
            if self._subnet_id:
                self._subnet = self._ec2.describe_subnets(SubnetIds=[self._subnet_id])["Subnets"][0]
            else:
                self._subnet = self._default_subnet()
        return self._subnet

    def _default_subnet(self) -> dict:
        vpcs = self._ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
        vpc_id = vpcs[0]["VpcId"] if vpcs else self._ec2.create_default_vpc()["Vpc"]["VpcId"]
        subnets = self._ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                      {"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        if not subnets:
            zones = self._ec2.describe_availability_zones()["AvailabilityZones"]
            first = min(zone["ZoneName"] for zone in zones)
            return self._ec2.create_default_subnet(AvailabilityZone=first)["Subnet"]
        return min(subnets, key=lambda subnet: subnet["AvailabilityZone"])

    def _image_for(self, os_name: str) -> str:
        if self._image_id:
            return self._image_id
        if os_name not in self._images:
            name = f"waveflow-mgn-{os_name.lower()}"
            found = self._ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"]
            if found:
                self._images[os_name] = min(image["ImageId"] for image in found)
            else:
                self._images[os_name] = self._ec2.register_image(
                    Name=name, Description=f"waveflow MGN emulator: converted {os_name} source servers",
                    Architecture="x86_64", VirtualizationType="hvm", RootDeviceName="/dev/xvda")["ImageId"]
        return self._images[os_name]

    def _instance_type_for(self, settings: dict) -> str:
        if settings.get("targetInstanceTypeRightSizingMethod") == "BASIC":
            return RECOMMENDED_INSTANCE_TYPE
        return self._instance_type

    @staticmethod
    def _tags(server: SourceServer, job: Job) -> dict[str, str]:
        copied = ({key: value for key, value in server.tags.items() if not key.lower().startswith("aws:")}
                  if server.launch_configuration.get("copyTags") else {})
        return copied | {
            "Name": server.launch_configuration.get("name") or server.hostname,
            MANAGED_TAG: "mgn.amazonaws.com",
            SOURCE_SERVER_TAG: server.source_server_id,
            JOB_TAG: job.job_id,
        }


def _within(ip: str, cidr: str) -> bool:
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)
    except ValueError:
        return False
