"""moto's answers, as the text it writes, through the twin's faster dispatch (``speed.dispatch``, ``request_ids``,
``response_setup``) and through moto's own: the same status, headers (request IDs included) and bodies, errors
too, for every service the direct path answers; and the request IDs drawn as moto draws them."""
from __future__ import annotations

import re

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.moto_api._internal import mock_random
from twin_stacks import REGION

from waveflow.local.twin.speed import _replaced, dispatch, request_ids, response_setup

#: the parts every request moto answers goes through (the services' own parts change what some answers say)
PARTS = (dispatch, request_ids, response_setup)
#: times in a body (ISO, epoch seconds or milliseconds): the two runs happen seconds apart
TIMES = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*Z?|\b\d{10}(\d{3}|\.\d+)?\b")


def _refused(call) -> None:
    with pytest.raises(ClientError):
        call()


def _conversation(session) -> None:
    """What the tasks and the MGN emulator ask moto, and refusals of each service (moto's validation, its errors)."""
    ec2, ssm, route53 = session.client("ec2"), session.client("ssm"), session.client("route53")
    sns, sqs, secrets, sts = (session.client(name) for name in ("sns", "sqs", "secretsmanager", "sts"))
    image = ec2.register_image(Name="linux", Architecture="x86_64", RootDeviceName="/dev/xvda")["ImageId"]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet, ClientToken="launch",
                                TagSpecifications=[{
        "ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"}]}])["Instances"][0]["InstanceId"]
    ec2.describe_instances(InstanceIds=[instance])
    ec2.describe_instances(Filters=[{"Name": "instance-id", "Values": [instance]}])
    ec2.describe_instance_status(InstanceIds=[instance], IncludeAllInstances=True)
    ec2.describe_subnets(SubnetIds=[subnet])
    _refused(lambda: ec2.describe_instances(InstanceIds=["i-0123456789abcdef0"]))
    _refused(lambda: ec2.describe_subnets(SubnetIds=["subnet-0123456789abcdef0"]))
    command = ssm.send_command(InstanceIds=[instance], DocumentName="AWS-RunShellScript", TimeoutSeconds=60,
                               Parameters={"commands": ["true"]}, Comment="waveflow check")["Command"]["CommandId"]
    ssm.get_command_invocation(CommandId=command, InstanceId=instance)
    _refused(lambda: ssm.get_command_invocation(CommandId=command, InstanceId="i-0123456789abcdef0"))
    _refused(lambda: ssm.get_parameter(Name="missing"))
    zone = route53.create_hosted_zone(Name="corp.example.", CallerReference="wave-1")["HostedZone"]["Id"]
    changed = route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {"Name": "web.corp.example.", "Type": "A", "TTL": 60,
                                                "ResourceRecords": [{"Value": "10.0.0.1"}]}}]})
    route53.get_change(Id=changed["ChangeInfo"]["Id"])
    for _ in range(2):
        route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName="web.corp.example.", MaxItems="1")
    _refused(lambda: route53.list_resource_record_sets(HostedZoneId="Z0000000000000000000"))
    topic = sns.create_topic(Name="events")["TopicArn"]
    sns.publish(TopicArn=topic, Message="hello", Subject="s",
                MessageAttributes={"kind": {"DataType": "String", "StringValue": "x"}})
    _refused(lambda: sns.publish(TopicArn=topic + "-missing", Message="hello"))
    url = sqs.create_queue(QueueName="requests")["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}])
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
    _refused(lambda: sqs.get_queue_url(QueueName="missing"))
    secrets.create_secret(Name="callback", SecretString='{"key": "k"}', ClientRequestToken="version-1" * 4)
    secrets.get_secret_value(SecretId="callback")
    _refused(lambda: secrets.get_secret_value(SecretId="missing"))
    sts.get_caller_identity()


def _answers(faster: bool) -> list[tuple[int, dict, bytes]]:
    """Each answer of the conversation as moto wrote it (status, headers but its date, body with its times marked)
    on botocore's normal path, through the twin's parts or moto's own, with moto's random numbers seeded alike."""
    answers: list[tuple[int, dict, bytes]] = []

    def received(response_dict, **_) -> None:
        headers = {name: value for name, value in response_dict["headers"].items() if name.lower() != "date"}
        answers.append((response_dict["status_code"], headers, TIMES.sub(b"<time>", response_dict["body"])))

    mock_random.seed(7)
    with mock_aws():
        session = boto3.Session(region_name=REGION)  # made first: moto's stubber answers, on the normal path
        session.events.register("response-received", received)
        if faster:
            with _replaced([replacement for part in PARTS for replacement in part.replacements()]):
                _conversation(session)
        else:
            _conversation(session)
    return answers


def test_every_answer_is_the_text_moto_writes_request_ids_and_errors_included(fake_aws):
    plain, fast = _answers(faster=False), _answers(faster=True)
    assert len(fast) == len(plain) == 31
    for fast_answer, plain_answer in zip(fast, plain):
        assert fast_answer == plain_answer
    assert len({headers["x-amzn-requestid"] for _, headers, _ in fast}) == len(fast)
    assert sum(status >= 400 for status, _, _ in fast) == 8


@pytest.mark.parametrize("seed", range(200))
def test_a_request_id_is_drawn_from_the_numbers_moto_draws_it_from(seed):
    mock_random.seed(seed)
    motos = [mock_random.get_random_string(length=52) for _ in range(3)], mock_random.getrandbits(32)
    mock_random.seed(seed)
    ours = [request_ids.request_id() for _ in range(3)], mock_random.getrandbits(32)
    assert ours == motos
