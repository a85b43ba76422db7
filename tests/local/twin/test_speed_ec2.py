"""moto's EC2 launches, subnets and instance-type offerings through the twin's faster parts
(``waveflow.local.twin.speed``: ``ec2``, ``ec2_subnets``, ``ec2_import``) and through moto's own."""
from __future__ import annotations

import json
import subprocess
import sys

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws, settings
from test_speed_services import _both, _refusal
from twin_stacks import REGION

from waveflow.local.twin.speed import faster_moto


def _network(ec2) -> tuple[str, str, str]:
    """An AMI and two subnets of one VPC."""
    image = ec2.register_image(Name="waveflow-mgn-linux", Architecture="x86_64", VirtualizationType="hvm",
                               RootDeviceName="/dev/xvda")["ImageId"]
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    first, second = (ec2.create_subnet(VpcId=vpc, CidrBlock=block)["Subnet"]["SubnetId"]
                     for block in ("10.30.1.0/24", "10.30.2.0/28"))
    return image, first, second


def test_a_subnets_free_addresses_are_counted_as_by_motos_walk_through_every_interface(fake_aws):
    def conversation(ec2) -> list:
        image, first, second = _network(ec2)
        subnets = [first, second]
        answers = [ec2.describe_subnets(SubnetIds=subnets)]
        launched = ec2.run_instances(ImageId=image, MinCount=3, MaxCount=3, SubnetId=first)["Instances"]
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": second, "SecondaryPrivateIpAddressCount": 2}])
        answers.append(ec2.describe_subnets(SubnetIds=subnets))
        own = ec2.create_network_interface(SubnetId=second, PrivateIpAddresses=[
            {"PrivateIpAddress": "10.30.2.10", "Primary": True}, {"PrivateIpAddress": "10.30.2.11"}])
        eni = own["NetworkInterface"]["NetworkInterfaceId"]
        answers.append(ec2.describe_subnets(SubnetIds=subnets))
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, SecondaryPrivateIpAddressCount=1)
        answers.append(ec2.describe_subnets(SubnetIds=[second]))
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=["10.30.2.11"])
        answers.append(ec2.describe_subnets(SubnetIds=[second]))
        ec2.terminate_instances(InstanceIds=[launched[1]["InstanceId"]])
        ec2.delete_network_interface(NetworkInterfaceId=eni)
        answers.append(ec2.describe_subnets(SubnetIds=subnets))
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=first, PrivateIpAddress="10.30.1.200")
        answers.append(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [own["NetworkInterface"]["VpcId"]]}]))
        answers.append(_refusal(lambda: ec2.delete_network_interface(NetworkInterfaceId=eni)))
        return answers
    plain, fast = _both(conversation, "ec2")
    assert fast == plain
    counts = [[subnet["AvailableIpAddressCount"] for subnet in answer["Subnets"]] for answer in fast[:2]]
    assert counts == [[11, 251], [10, 248]]
    assert fast[-1]["Code"] == "InvalidNetworkInterfaceID.NotFound"


def test_interfaces_made_and_deleted_while_moto_counts_alone_are_counted_after(fake_aws):
    with mock_aws():
        ec2 = boto3.Session(region_name=REGION).client("ec2")
        _, first, _ = _network(ec2)

        def made() -> str:
            return ec2.create_network_interface(SubnetId=first)["NetworkInterface"]["NetworkInterfaceId"]

        def free() -> int:
            return ec2.describe_subnets(SubnetIds=[first])["Subnets"][0]["AvailableIpAddressCount"]

        older = made()
        with faster_moto():
            assert free() == 250
        newer = made()
        ec2.delete_network_interface(NetworkInterfaceId=older)
        ec2.create_network_interface(SubnetId=first, SecondaryPrivateIpAddressCount=1)
        ec2.delete_network_interface(NetworkInterfaceId=newer)
        by_moto = free()
        with faster_moto():
            assert free() == by_moto == 249


def test_a_launch_checks_its_instance_type_as_motos_walk_through_the_regions_offerings(fake_aws, monkeypatch):
    monkeypatch.setattr(settings, "EC2_ENABLE_INSTANCE_TYPE_VALIDATION", True)

    def conversation(ec2) -> list:
        image, first, _ = _network(ec2)
        template = ec2.create_launch_template(LaunchTemplateName="sized", LaunchTemplateData={
            "InstanceType": "t3.gigantic"})["LaunchTemplate"]["LaunchTemplateId"]

        tokens = iter(range(100))

        def launch(**request) -> dict:
            try:
                return ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, ClientToken=f"launch-{next(tokens)}",
                                         **request)
            except ClientError as refused:
                return refused.response["Error"]

        return [launch(InstanceType="m5.large", SubnetId=first),
                launch(InstanceType="t3.medium", SubnetId=first),
                launch(InstanceType="xm5.large", SubnetId=first),  # moto passes a type an offered one lies within
                launch(SubnetId=first),
                launch(InstanceType="m5.large", Placement={"AvailabilityZone": "us-east-1b"}),
                launch(InstanceType="m5.large", LaunchTemplate={"LaunchTemplateId": template}),
                launch(InstanceType="t3.gigantic", SubnetId=first),
                launch(InstanceType="m5.large", Placement={"AvailabilityZone": "us-west-2a"}),
                launch(LaunchTemplate={"LaunchTemplateId": template})]
    plain, fast = _both(conversation, "ec2")
    assert fast == plain
    assert [answer["Instances"][0]["InstanceType"] for answer in fast[:6]] == [
        "m5.large", "t3.medium", "xm5.large", "m1.small", "m5.large", "m5.large"]
    assert [refusal["Code"] for refusal in fast[6:]] == ["InvalidInstanceType.NotFound", "InvalidParameterValue",
                                                         "InvalidInstanceType.NotFound"]


_OFFERINGS_TABLE = """
import json, sys
{first}
from moto.ec2.models import instance_types
table = instance_types.INSTANCE_TYPE_OFFERINGS
print(json.dumps([type(table["region"]).__name__, {{kind: dict(regions) for kind, regions in table.items()}}]))
"""


def _offerings_table(first: str) -> tuple[str, dict]:
    shown = subprocess.run([sys.executable, "-c", _OFFERINGS_TABLE.format(first=first)], check=True,
                           capture_output=True, text=True).stdout
    return json.loads(shown, object_pairs_hook=list)


def test_instance_type_offerings_read_when_asked_for_are_motos_table_in_motos_order():
    read_when_asked = _offerings_table("import waveflow.local.twin.speed")
    read_at_import = _offerings_table("")
    assert read_when_asked[0] == "OfferingsByRegion" and read_at_import[0] == "dict"
    assert read_when_asked[1] == read_at_import[1]
    assert [kind for kind, _ in read_at_import[1]] and all(regions for _, regions in read_at_import[1])
