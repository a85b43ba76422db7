"""Fixtures of the stage tests: the HTTPS stand-ins (callback receiver, CMF API) with their certificate, and a
migration ready to run: the MGN emulator with its source server, a VPC/subnet/security group, the DNS zone
with the record to switch, the callback secret, the notify topic, and the PENDING status record.

The emulator launches test/cutover instances as real moto EC2 instances in the migration's target subnet
(``Ec2InstanceLauncher``), so verification and DNS see an instance with a private IP. A test that requests
``source_instance`` gets a source server that is itself an EC2 instance (MGN's ``identificationHints.awsInstanceID``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from stage_pipeline import (
    CALLBACK_SECRET,
    CALLBACK_SECRET_ID,
    HOSTNAME,
    OLD_IP,
    RECORD_NAME,
    SERVER_ID,
    SOURCE_IP,
    Pipeline,
    SimulatedCrash,
)
from stage_standins import CallbackReceiver, CmfStandIn, SelfSignedCertificate, loopback_poster

from tasks.lib import aws, http
from tasks.lib.request import normalise_request
from tasks.lib.store import StatusStore
from waveflow.local.mgn import Ec2InstanceLauncher, FaultPlan, MgnEmulator


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> SelfSignedCertificate:
    return SelfSignedCertificate.create(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def callback_receiver(certificate):
    receiver = CallbackReceiver(certificate, CALLBACK_SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def cmf(certificate):
    standin = CmfStandIn(certificate).start()
    yield standin
    standin.stop()


# -- a migration with everything it touches: MGN emulator, network, DNS zone, secrets, topic ----------------


@dataclass
class Network:
    vpc_id: str
    subnet_id: str
    security_group_id: str
    image_id: str
    hosted_zone_id: str


@pytest.fixture
def fault_plan() -> FaultPlan:
    """No faults; a test overrides this fixture (or parametrises it) to inject some."""
    return FaultPlan()


@pytest.fixture
def emulator(request, aws_mock, clock, fault_plan, network):
    """The MGN emulator on the tasks' session and the virtual clock, with one small, fast source server.

    Launched instances run in moto's EC2, in the network's subnet and security group. The source server is
    on premises unless the test requests ``source_instance``: then it is that EC2 instance.
    """
    emu = MgnEmulator(clock=clock, seed=0, faults=fault_plan)
    emu.install(aws_mock)
    emu.use_instance_launcher(
        Ec2InstanceLauncher(aws_mock, subnet_id=network.subnet_id, security_group_ids=[network.security_group_id])
    )
    aws.configure(aws_mock, clock=clock)
    source_instance = request.getfixturevalue("source_instance") if "source_instance" in request.fixturenames else None
    emu.add_source_server(
        hostname=HOSTNAME, ip=SOURCE_IP, source_server_id=SERVER_ID, disks_gib=(2,), replication_speed_mib_s=200,
        aws_instance_id=source_instance,
    )
    yield emu
    emu.uninstall()


@pytest.fixture
def network(aws_mock) -> Network:
    ec2 = aws_mock.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.50.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)["GroupId"]
    image_id = "ami-0123456789abcdef0"
    route53 = aws_mock.client("route53")
    zone_id = route53.create_hosted_zone(Name="corp.example.com", CallerReference="waveflow-tests")["HostedZone"]["Id"]
    zone_id = zone_id.rsplit("/", 1)[-1]
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
            "Name": RECORD_NAME + ".", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": OLD_IP}]}}]},
    )
    return Network(vpc_id, subnet_id, group_id, image_id, zone_id)


@pytest.fixture
def source_instance(aws_mock, network) -> str:
    """An EC2 instance with a second volume that the source server is (see ``emulator``); its ID."""
    ec2 = aws_mock.client("ec2")
    instance = ec2.run_instances(ImageId=network.image_id, SubnetId=network.subnet_id, MinCount=1, MaxCount=1)
    instance = instance["Instances"][0]
    volume = ec2.create_volume(AvailabilityZone=instance["Placement"]["AvailabilityZone"], Size=8)
    ec2.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance["InstanceId"], Device="/dev/sdf")
    return instance["InstanceId"]


@dataclass
class Notifications:
    """The notify topic with an SQS subscription, to read what SNS was asked to send."""

    sqs: object
    url: str

    def messages(self) -> list[dict]:
        out = []
        while batch := self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", []):
            out.extend(json.loads(m["Body"]) for m in batch)
            for m in batch:
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])
        return out


@pytest.fixture
def notifications(aws_mock) -> Notifications:
    sns, sqs = aws_mock.client("sns"), aws_mock.client("sqs")
    topic = sns.create_topic(Name="waveflow-notify")["TopicArn"]
    url = sqs.create_queue(QueueName="notify-capture")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    aws_mock.client("secretsmanager").create_secret(Name=CALLBACK_SECRET_ID, SecretString=CALLBACK_SECRET)
    return Notifications(sqs, url)


@pytest.fixture
def document(infra, emulator, network, notifications, valid_request, callback_receiver, certificate) -> dict:
    """A normalised request for the emulator's server, targeting this account's subnet; its record PENDING."""
    request = {
        **valid_request,
        "target": {**valid_request["target"], "accountId": "123456789012", "region": "us-east-1",
                   "subnetId": network.subnet_id, "securityGroupIds": [network.security_group_id]},
        "callbackUrl": callback_receiver.url,
    }
    request["source"]["hostname"] = HOSTNAME
    normalised = normalise_request(request, now=aws.now())
    normalised["dns"] = {**normalised["dns"], "hostedZoneId": network.hosted_zone_id, "recordName": RECORD_NAME}
    StatusStore().create(normalised)
    http.configure(loopback_poster(certificate))
    yield normalised
    http.configure()


@pytest.fixture
def pipeline(document, clock, emulator, lambda_context) -> Pipeline:
    return Pipeline(document, clock, emulator, lambda_context)


@pytest.fixture
def crash_after(aws_mock):
    """``crash_after("mgn", "StartTest")``: the next such call succeeds, then the process 'dies' (once)."""

    def arm(service: str, operation: str) -> None:
        armed = [True]

        def crash(**_):
            if armed.pop() if armed else False:
                raise SimulatedCrash(f"crashed after {service}.{operation} succeeded")

        aws.client(service).meta.events.register(f"after-call.{service}.{operation}", crash)

    return arm
