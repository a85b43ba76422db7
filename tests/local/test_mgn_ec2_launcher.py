"""``Ec2InstanceLauncher``: MGN launch jobs of the emulator run and terminate real instances in moto's EC2."""
from __future__ import annotations

import ipaddress

import boto3
import pytest
from mgn_clock import Clock
from moto import mock_aws

from waveflow.local.mgn import Ec2InstanceLauncher, MgnEmulator
from waveflow.local.twin.speed import faster_moto

JOB_DONE_SECONDS = 1800  # longer than any emulated LAUNCH or TERMINATE job takes


@pytest.fixture
def session(monkeypatch):
    """moto for every service; EC2 without its thousands of default AMIs (any AMI id launches then)."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        yield boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture
def world(session):
    """An emulator with one replicated server (READY_FOR_TEST), its MGN client, and the EC2 client."""
    clock = Clock()
    emu = MgnEmulator(clock=clock, seed=11)
    sid = emu.add_source_server(hostname="web-01", ip="10.60.1.25", disks_gib=(1,), replication_speed_mib_s=1024,
                                tags={"app": "billing", "aws:cloudformation:stack-name": "x"})
    clock.now += 3600
    return clock, emu, emu.client(), session.client("ec2"), sid


def instance(ec2, instance_id: str) -> dict:
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]


def tags_of(item: dict) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in item.get("Tags", [])}


def launch_test(clock: Clock, mgn, sid: str) -> tuple[str, dict]:
    """StartTest and wait it out; (instance id MGN reports, the finished job)."""
    job_id = mgn.start_test(sourceServerIDs=[sid])["job"]["jobID"]
    clock.now += JOB_DONE_SECONDS
    job = mgn.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]
    launched = mgn.describe_source_servers(filters={"sourceServerIDs": [sid]})["items"][0]["launchedInstance"]
    return launched["ec2InstanceID"], job


def test_start_test_runs_a_tagged_instance_in_the_default_subnet_and_mgn_reports_its_id(world, session):
    clock, emu, mgn, ec2, sid = world
    emu.use_instance_launcher(Ec2InstanceLauncher(session))
    assert ec2.describe_instances()["Reservations"] == []

    instance_id, job = launch_test(clock, mgn, sid)

    assert job["status"] == "COMPLETED"
    assert job["participatingServers"] == [
        {"sourceServerID": sid, "launchStatus": "LAUNCHED", "launchedEc2InstanceID": instance_id}]
    launched = instance(ec2, instance_id)
    assert launched["State"]["Name"] == "running"
    assert launched["InstanceType"] == "m5.large"  # BASIC right-sizing: MGN's recommendation
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(SubnetIds=[launched["SubnetId"]])["Subnets"][0]
    assert (subnet["VpcId"], subnet["AvailabilityZone"], subnet["DefaultForAz"]) == (default_vpc, "us-east-1a", True)
    assert ipaddress.ip_address(launched["PrivateIpAddress"]) in ipaddress.ip_network(subnet["CidrBlock"])
    assert tags_of(launched) == {
        "Name": "web-01",
        "AWSApplicationMigrationServiceManaged": "mgn.amazonaws.com",
        "AWSApplicationMigrationServiceSourceServerID": sid,
        "mgn.amazonaws.com-job": job["jobID"],
    }
    image = ec2.describe_images(ImageIds=[launched["ImageId"]])["Images"][0]
    assert image["Name"] == "waveflow-mgn-linux"


def test_terminate_target_instances_terminates_the_instance(world, session):
    clock, emu, mgn, ec2, sid = world
    emu.use_instance_launcher(Ec2InstanceLauncher(session))
    instance_id, _ = launch_test(clock, mgn, sid)
    mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "READY_FOR_TEST"})

    job_id = mgn.terminate_target_instances(sourceServerIDs=[sid])["job"]["jobID"]
    assert instance(ec2, instance_id)["State"]["Name"] == "running"  # not before the job runs
    clock.now += JOB_DONE_SECONDS
    job = mgn.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]

    assert job["participatingServers"][0]["launchStatus"] == "TERMINATED"
    assert instance(ec2, instance_id)["State"]["Name"] == "terminated"
    assert "launchedInstance" not in mgn.describe_source_servers()["items"][0]


def test_a_cutover_launch_replaces_the_test_instance(world, session):
    clock, emu, mgn, ec2, sid = world
    emu.use_instance_launcher(Ec2InstanceLauncher(session))
    test_instance, _ = launch_test(clock, mgn, sid)
    mgn.change_server_life_cycle_state(sourceServerID=sid, lifeCycle={"state": "READY_FOR_CUTOVER"})
    mgn.start_cutover(sourceServerIDs=[sid])
    assert instance(ec2, test_instance)["State"]["Name"] == "terminated"
    clock.now += JOB_DONE_SECONDS
    cutover = mgn.describe_source_servers()["items"][0]["launchedInstance"]["ec2InstanceID"]
    assert cutover != test_instance and instance(ec2, cutover)["State"]["Name"] == "running"


def test_given_subnet_groups_and_image_are_used_and_the_launch_configuration_is_honoured(world, session):
    clock, emu, mgn, ec2, sid = world
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)["GroupId"]
    emu.use_instance_launcher(Ec2InstanceLauncher(session, subnet_id=subnet_id, security_group_ids=[group_id],
                                                  image_id="ami-0123456789abcdef0", instance_type="c5.xlarge"))
    mgn.update_launch_configuration(sourceServerID=sid, copyPrivateIp=True, copyTags=True,
                                    launchDisposition="STOPPED", targetInstanceTypeRightSizingMethod="NONE")

    launched = instance(ec2, launch_test(clock, mgn, sid)[0])

    assert (launched["SubnetId"], launched["ImageId"], launched["InstanceType"]) == (
        subnet_id, "ami-0123456789abcdef0", "c5.xlarge")
    assert [group["GroupId"] for group in launched["SecurityGroups"]] == [group_id]
    assert launched["PrivateIpAddress"] == "10.60.1.25"  # copyPrivateIp: the source's own address
    assert launched["State"]["Name"] == "stopped"  # launchDisposition STOPPED
    tags = tags_of(launched)
    assert tags["app"] == "billing" and "aws:cloudformation:stack-name" not in tags  # copyTags, minus aws: keys
    assert tags["AWSApplicationMigrationServiceSourceServerID"] == sid


def test_a_source_ip_outside_the_subnet_is_not_copied(world, session):
    clock, emu, mgn, ec2, sid = world
    vpc_id = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.70.1.0/24")["Subnet"]["SubnetId"]
    emu.use_instance_launcher(Ec2InstanceLauncher(session, subnet_id=subnet_id))
    mgn.update_launch_configuration(sourceServerID=sid, copyPrivateIp=True)

    launched = instance(ec2, launch_test(clock, mgn, sid)[0])

    assert launched["PrivateIpAddress"].startswith("10.70.1.")


def test_without_a_default_vpc_one_is_created_and_the_image_is_registered_once(world, session):
    clock, emu, mgn, ec2, sid = world
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.delete_vpc(VpcId=default_vpc)
    other = emu.add_source_server(hostname="web-02", disks_gib=(1,), replication_speed_mib_s=1024)
    clock.now += 3600
    emu.use_instance_launcher(Ec2InstanceLauncher(session))

    first = instance(ec2, launch_test(clock, mgn, sid)[0])
    # A second launcher (a restarted twin) finds the same default VPC and the same image instead of making more.
    emu.use_instance_launcher(Ec2InstanceLauncher(session))
    second = instance(ec2, launch_test(clock, mgn, other)[0])

    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1 and vpcs[0]["VpcId"] != default_vpc
    assert first["SubnetId"] == second["SubnetId"] and first["VpcId"] == vpcs[0]["VpcId"]
    assert first["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert first["ImageId"] == second["ImageId"]
    assert len(ec2.describe_images(Owners=["self"])["Images"]) == 1


def test_a_windows_server_gets_its_own_image(world, session):
    clock, emu, mgn, ec2, _ = world
    sid = emu.add_source_server(hostname="db-01", os="WINDOWS", disks_gib=(1,), replication_speed_mib_s=1024)
    clock.now += 3600
    emu.use_instance_launcher(Ec2InstanceLauncher(session))

    launched = instance(ec2, launch_test(clock, mgn, sid)[0])

    assert ec2.describe_images(ImageIds=[launched["ImageId"]])["Images"][0]["Name"] == "waveflow-mgn-windows"


def test_terminating_an_instance_ec2_no_longer_knows_is_not_an_error(session):
    ec2 = session.client("ec2")
    assert Ec2InstanceLauncher(session).terminate("i-00000000000000000") is None
    assert ec2.describe_instances()["Reservations"] == []


def test_going_back_to_invented_ids_leaves_ec2_alone(world, session):
    clock, emu, mgn, ec2, sid = world
    emu.use_instance_launcher(Ec2InstanceLauncher(session))
    emu.use_instance_launcher(None)

    instance_id, _ = launch_test(clock, mgn, sid)

    assert instance_id.startswith("i-") and ec2.describe_instances()["Reservations"] == []


def test_with_the_twins_faster_moto_a_launch_reaches_ec2_without_a_request_sent(monkeypatch):
    """A run's launcher client is made while ``faster_moto()`` is on: moto answers its EC2 calls at
    ``before-call`` (``waveflow.local.twin.speed.direct``), nothing is signed and sent to moto's stubber."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws(), faster_moto():
        session = boto3.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        sent = []
        session.events.register("before-send.ec2", lambda request, **_: sent.append(request.url))
        clock = Clock()
        emu = MgnEmulator(clock=clock, seed=11)
        sid = emu.add_source_server(hostname="web-01", ip="10.60.1.25", disks_gib=(1,), replication_speed_mib_s=1024)
        clock.now += 3600
        emu.use_instance_launcher(Ec2InstanceLauncher(session))

        instance_id, job = launch_test(clock, emu.client(), sid)

        assert job["status"] == "COMPLETED"
        assert instance(session.client("ec2"), instance_id)["State"]["Name"] == "running"
        assert sent == []
