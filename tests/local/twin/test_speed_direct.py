"""moto's answers handed over at ``before-call`` as parsed values (``waveflow.local.twin.speed.direct``) against
the same conversations sent, written and parsed on botocore's normal path: the same answers, errors and IDs."""
from __future__ import annotations

import base64
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.moto_api._internal import mock_random
from comparable import comparable
from twin_stacks import REGION

from waveflow.local.twin.speed import faster_moto
from waveflow.local.twin.wire import Wiring, json_reply

UNKNOWN_INSTANCE = "i-0123456789abcdef0"


def _refusal(call) -> dict:
    with pytest.raises(ClientError) as refused:
        call()
    return {"exception": type(refused.value).__name__, **refused.value.response}


class _Seen:
    """What botocore's events saw of one client's calls: requests sent, answers after the call."""

    def __init__(self, client) -> None:
        self.sent: list[str] = []
        self.answered: list[str] = []
        client.meta.events.register("before-send", lambda request, **_: self.sent.append(request.url))
        client.meta.events.register("after-call", lambda model, **_: self.answered.append(model.name))


def _both(conversation, *services: str) -> tuple[list, list, list[_Seen]]:
    """``conversation(*clients)`` through botocore's normal path (clients of a session made before
    ``faster_moto()``: moto's stubber answers at ``before-send``) and through the direct path (a session made
    while it is on), with moto's random IDs seeded alike."""
    answers, seen = [], []
    for direct in (False, True):
        mock_random.seed(7)
        with mock_aws():
            before = boto3.Session(region_name=REGION)
            with faster_moto():
                session = boto3.Session(region_name=REGION) if direct else before
                session.client("ec2").describe_vpcs()
                mock_random.seed(7)
                clients = [session.client(service) for service in services]
                seen.append(_Seen(clients[0]))
                answers.append(comparable(conversation(*clients)))
    return answers[0], answers[1], seen


def _ec2_conversation(ec2) -> list:
    """What the tasks and the MGN emulator ask EC2, errors included. (Only the VPC made here is listed: moto makes
    a region's default VPC again when ``mock_aws`` resets it, before the seed, so its IDs depend on what ran
    before; client tokens are not drawn from moto's seeded random numbers.)"""
    image = ec2.register_image(Name="waveflow-mgn-linux", Architecture="x86_64", VirtualizationType="hvm",
                               RootDeviceName="/dev/xvda")
    image_id = image["ImageId"]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.20.1.0/24")["Subnet"]
    group = ec2.create_security_group(VpcId=vpc["VpcId"], GroupName="web", Description="web servers")
    launched = ec2.run_instances(ImageId=image_id, MinCount=2, MaxCount=2, SubnetId=subnet["SubnetId"],
                                 InstanceType="t3.medium", SecurityGroupIds=[group["GroupId"]], ClientToken="launch-1",
                                 TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                     {"Key": "Name", "Value": "web-1"}, {"Key": "wave", "Value": "7"}]}])
    ids = [instance["InstanceId"] for instance in launched["Instances"]]
    pinned = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"],
                               PrivateIpAddress="10.20.1.50", ClientToken="launch-2")
    ids.append(pinned["Instances"][0]["InstanceId"])
    answers = [image, vpc, subnet, group, launched, pinned,
               ec2.describe_images(Owners=["self"]),
               ec2.describe_images(Filters=[{"Name": "name", "Values": ["waveflow-mgn-linux"]}]),
               ec2.describe_vpcs(VpcIds=[vpc["VpcId"]]),
               ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]),
               ec2.describe_security_groups(GroupIds=[group["GroupId"]]),
               ec2.describe_instances(InstanceIds=[ids[1]]),
               ec2.describe_instances(InstanceIds=ids, Filters=[{"Name": "instance-state-name",
                                                                 "Values": ["running"]}]),
               ec2.describe_instance_status(InstanceIds=ids[:2]),
               ec2.create_tags(Resources=[ids[2]], Tags=[{"Key": "later", "Value": "yes"}]),
               ec2.stop_instances(InstanceIds=[ids[2]]),
               ec2.terminate_instances(InstanceIds=[ids[0]]),
               ec2.describe_instance_status(InstanceIds=ids, IncludeAllInstances=True),
               ec2.describe_instances()]
    for refused in (lambda: ec2.describe_instances(InstanceIds=[ids[1], UNKNOWN_INSTANCE]),
                    lambda: ec2.describe_instance_status(InstanceIds=[UNKNOWN_INSTANCE]),
                    lambda: ec2.terminate_instances(InstanceIds=[UNKNOWN_INSTANCE]),
                    lambda: ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1, SubnetId="subnet-12345678"),
                    lambda: ec2.describe_subnets(SubnetIds=["subnet-12345678"]),
                    lambda: ec2.describe_security_groups(GroupIds=["sg-12345678"]),
                    lambda: ec2.create_vpc(CidrBlock="10.20.0.0/40")):
        answers.append(_refusal(refused))
    return answers


def test_ec2_answers_the_same_directly_as_sent_and_parsed(fake_aws):
    plain, direct, seen = _both(_ec2_conversation, "ec2")
    assert direct == plain
    assert direct[11]["Reservations"][0]["Instances"][0]["Tags"] == [{"Key": "Name", "Value": "web-1"},
                                                                     {"Key": "wave", "Value": "7"}]
    assert direct[11]["Reservations"][0]["Instances"][0]["LaunchTime"] == "<time tzlocal>"
    # a member's transformer follows its place in the answer: RunInstances says pending, DescribeInstances running,
    # and an instance without tags has no Tags at all (moto's transformers, for the same Instance objects)
    assert direct[4]["Instances"][0]["State"] == {"Code": 0, "Name": "pending"}
    assert direct[11]["Reservations"][0]["Instances"][0]["State"] == {"Code": 16, "Name": "running"}
    assert "Tags" not in direct[5]["Instances"][0]
    assert [refusal["Error"]["Code"] for refusal in direct[-7:]] == [
        "InvalidInstanceID.NotFound", "InvalidInstanceID.NotFound", "InvalidInstanceID.NotFound",
        "InvalidSubnetID.NotFound", "InvalidSubnetID.NotFound", "InvalidGroup.NotFound", "InvalidParameterValue"]
    assert seen[0].sent and not seen[1].sent  # moto's stubber answers before-send; the direct path sends nothing
    assert seen[1].answered == seen[0].answered  # after-call sees every call either way


def test_ssm_sts_and_secrets_answer_the_same_directly(fake_aws):
    def conversation(ssm, ec2, sts, secrets) -> list:
        image = ec2.register_image(Name="linux", Architecture="x86_64", RootDeviceName="/dev/xvda")["ImageId"]
        instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        command = ssm.send_command(InstanceIds=[instance], DocumentName="AWS-RunShellScript", TimeoutSeconds=60,
                                   Parameters={"commands": ["true"]}, Comment="waveflow check")
        secrets.create_secret(Name="callback", SecretString='{"key": "k"}', ClientRequestToken="version-1" * 4)
        secrets.create_secret(Name="blob", SecretBinary=b"\x00\x01binary", ClientRequestToken="version-2" * 4)
        answers = [command,
                   ssm.get_command_invocation(CommandId=command["Command"]["CommandId"], InstanceId=instance),
                   sts.get_caller_identity(),
                   secrets.get_secret_value(SecretId="callback"), secrets.get_secret_value(SecretId="blob")]
        for refused in (lambda: ssm.get_command_invocation(CommandId="c0ffee00-0000-4000-8000-000000000000",
                                                           InstanceId=instance),
                        lambda: ssm.get_command_invocation(CommandId=command["Command"]["CommandId"],
                                                           InstanceId=UNKNOWN_INSTANCE),
                        lambda: ssm.get_parameter(Name="missing"),
                        lambda: secrets.get_secret_value(SecretId="missing")):
            answers.append(_refusal(refused))
        return answers

    plain, direct, seen = _both(conversation, "ssm", "ec2", "sts", "secretsmanager")
    assert direct == plain
    assert direct[1]["Status"] in {"Success", "InProgress", "Pending"}
    assert direct[4]["SecretBinary"] == b"\x00\x01binary"
    assert [refusal["exception"] for refusal in direct[-4:]] == [
        "InvalidCommandId", "InvocationDoesNotExist", "ParameterNotFound", "ResourceNotFoundException"]
    assert seen[0].sent and not seen[1].sent


def test_sns_and_sqs_answer_the_same_directly(fake_aws):
    def conversation(sns, sqs) -> list:
        topic = sns.create_topic(Name="events")["TopicArn"]
        queue = sqs.create_queue(QueueName="waveflow-requests", Attributes={"VisibilityTimeout": "30"})
        url = queue["QueueUrl"]
        answers = [queue, sns.publish(TopicArn=topic, Message="hello", Subject="s", MessageAttributes={
                       "kind": {"DataType": "String", "StringValue": "x"}}),
                   sns.list_topics(),
                   sqs.send_message(QueueUrl=url, MessageBody="body", MessageAttributes={
                       "kind": {"DataType": "Binary", "BinaryValue": base64.b64decode("AAE=")}}),
                   sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"], AttributeNames=["All"]),
                   sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])]
        for refused in (lambda: sns.publish(TopicArn=topic + "-missing", Message="hello"),
                        lambda: sns.publish(TopicArn=topic, Message="hello", MessageAttributes={
                            "count": {"DataType": "Number", "StringValue": "many"}}),
                        lambda: sqs.get_queue_url(QueueName="missing")):
            answers.append(_refusal(refused))
        return answers

    plain, direct, seen = _both(conversation, "sns", "sqs")
    assert direct == plain
    assert direct[4]["Messages"][0]["MessageAttributes"]["kind"]["BinaryValue"] == b"\x00\x01"
    assert [refusal["exception"] for refusal in direct[-3:]] == [
        "NotFoundException", "InvalidParameterException", "QueueDoesNotExist"]
    assert seen[0].sent and not seen[1].sent


def test_route53_answers_the_same_directly(fake_aws):
    def change(action: str, ip: str) -> dict:
        return {"Changes": [{"Action": action, "ResourceRecordSet": {
            "Name": "web.corp.example.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": ip}]}}]}

    def conversation(route53) -> list:
        zone = route53.create_hosted_zone(Name="corp.example.", CallerReference="wave-1")
        zone_id = zone["HostedZone"]["Id"]
        changed = route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=change("CREATE", "10.0.0.1"))
        answers = [zone, changed, route53.get_change(Id=changed["ChangeInfo"]["Id"]),
                   route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=change("UPSERT", "10.0.0.2")),
                   route53.list_resource_record_sets(HostedZoneId=zone_id),
                   route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName="web.corp.example.",
                                                     StartRecordType="A", MaxItems="1")]
        for refused in (lambda: route53.list_resource_record_sets(HostedZoneId="Z0000000000000000000"),
                        lambda: route53.change_resource_record_sets(HostedZoneId=zone_id,
                                                                    ChangeBatch=change("DELETE", "10.9.9.9"))):
            answers.append(_refusal(refused))
        return answers

    plain, direct, seen = _both(conversation, "route53")
    assert direct == plain
    assert direct[4]["ResourceRecordSets"][-1]["ResourceRecords"] == [{"Value": "10.0.0.2"}]
    assert [refusal["exception"] for refusal in direct[-2:]] == ["NoSuchHostedZone", "InvalidInput"]
    assert seen[0].sent and not seen[1].sent


def test_the_twins_own_answers_still_come_first(fake_aws):
    with mock_aws(), faster_moto():
        session = boto3.Session(region_name=REGION)
        wiring = Wiring()
        wiring.answer(session, "sqs", lambda operation, params: json_reply(
            {"QueueUrl": "https://twin.example/queue"}) if operation == "GetQueueUrl" else None)
        sqs = session.client("sqs")
        try:
            assert sqs.get_queue_url(QueueName="anything")["QueueUrl"] == "https://twin.example/queue"
            assert sqs.create_queue(QueueName="real")["QueueUrl"].endswith("/real")  # moto, directly
        finally:
            wiring.uninstall()


def test_clients_made_while_it_was_on_take_the_normal_path_after(fake_aws):
    with mock_aws():
        with faster_moto():
            sts = boto3.Session(region_name=REGION).client("sts")
        seen = _Seen(sts)
        assert sts.get_caller_identity()["Account"]
        assert seen.sent


def test_a_covered_answer_is_never_written_as_text(fake_aws, monkeypatch):
    import xmltodict

    written = []
    unparse = xmltodict.unparse
    monkeypatch.setattr(xmltodict, "unparse", lambda *args, **kwargs: written.append(args) or unparse(*args, **kwargs))
    with mock_aws(), faster_moto():
        ec2 = boto3.Session(region_name=REGION).client("ec2")
        assert ec2.describe_vpcs()["Vpcs"][0]["IsDefault"] is True
        assert written == []
        _refusal(lambda: ec2.describe_subnets(SubnetIds=["subnet-12345678"]))
        assert len(written) == 1  # an error is written and parsed, as on the normal path


def test_moto_records_the_same_requests_either_way(fake_aws, monkeypatch, tmp_path):
    """moto's recorder sees the same method, URL, body and headers on both paths (aside from the signature's time
    and what is derived from it, the retry stage's headers, which botocore adds at ``before-send``, and the user
    agent, which lists the features the process has used so far): a form is
    encoded once on the direct path, as botocore's preparer encodes it."""
    from moto.moto_api import recorder
    monkeypatch.setattr(recorder, "_location", str(tmp_path / "recording"))
    recorded = []

    def conversation(ec2, ssm, route53) -> list:
        recorder.reset_recording()
        recorder.start_recording()
        try:
            ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["caf\u00e9 web*"]}], MaxResults=5)
            ssm.get_parameters(Names=["/waveflow/none"])
            route53.list_hosted_zones()
        finally:
            recorder.stop_recording()
        recorded.append([json.loads(line) for line in recorder.download_recording().splitlines()])
        return []

    _both(conversation, "ec2", "ssm", "route53")
    timed = {"X-Amz-Date", "Authorization", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request", "User-Agent"}
    plain, direct = ([{**entry, "headers": {key: value for key, value in entry["headers"].items() if key not in timed}}
                      for entry in entries] for entries in recorded)
    assert direct == plain
    assert [entry["url"] for entry in direct] == ["https://ec2.us-east-1.amazonaws.com/",
                                                  "https://ssm.us-east-1.amazonaws.com/",
                                                  "https://route53.amazonaws.com/2013-04-01/hostedzone"]
    assert "Filter.1.Value.1=caf%C3%A9+web%2A" in base64.b64decode(direct[0]["body"]).decode()
    assert all(entry["headers"]["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=") for entry in recorded[1])
