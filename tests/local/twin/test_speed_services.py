"""moto's answers to the tasks' other AWS calls (EC2, SSM, Route 53) through the twin's faster parts
(``waveflow.local.twin.speed``) and through moto's own."""
from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import responses
from moto.moto_api._internal import mock_random
from comparable import comparable
from twin_stacks import REGION

from waveflow.local.twin.speed import faster_moto

NAMED = {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"}, {"Key": "wave", "Value": "7"}]}


def _both(conversation, service: str) -> tuple[list, list]:
    """``conversation(client)`` through moto's own parts and through the twin's, with the same random IDs (drawn
    once the region's EC2, which moto builds on first use with random IDs of its own, is there)."""
    answers = []
    for faster in (False, True):
        mock_random.seed(7)
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            session.client("ec2").describe_vpcs()
            mock_random.seed(7)
            client = session.client(service)
            if faster:
                with faster_moto():
                    answers.append(comparable(conversation(client)))
            else:
                answers.append(comparable(conversation(client)))
    return answers[0], answers[1]


def _refusal(call) -> dict:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]


def _estate(ec2) -> tuple[str, list[str]]:
    """Instances in three reservations (the second holds two) in a subnet of their own, the first one terminated.
    (moto's default VPC is made, with IDs of their own, whenever moto resets the region; client tokens are not
    drawn from moto's seeded random numbers.)"""
    image = ec2.register_image(Name="waveflow-mgn-linux", Architecture="x86_64", VirtualizationType="hvm",
                               RootDeviceName="/dev/xvda")["ImageId"]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    ids = []
    for count in (1, 2, 1):
        reservation = ec2.run_instances(ImageId=image, MinCount=count, MaxCount=count, SubnetId=subnet,
                                        ClientToken=f"launch-{len(ids)}", TagSpecifications=[NAMED])
        ids += [instance["InstanceId"] for instance in reservation["Instances"]]
    ec2.terminate_instances(InstanceIds=[ids[0]])
    return image, ids


def _ec2_conversation(ec2) -> list:
    """Every way the tasks and the MGN emulator find instances by ID, errors included."""
    image, ids = _estate(ec2)
    answers = [ec2.describe_instances(InstanceIds=[ids[2]]),
               ec2.describe_instances(InstanceIds=[ids[3], ids[2], ids[1]]),
               ec2.describe_instances(InstanceIds=ids, Filters=[{"Name": "instance-state-name",
                                                                 "Values": ["running"]}]),
               ec2.describe_instances(),
               ec2.describe_instance_status(InstanceIds=[ids[2], ids[0]], IncludeAllInstances=True),
               ec2.describe_instance_status(InstanceIds=[ids[0]]),
               ec2.stop_instances(InstanceIds=[ids[1]]),
               ec2.describe_instance_attribute(InstanceId=ids[3], Attribute="instanceType"),
               ec2.describe_volumes(),
               ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [ids[2]]}])]
    volumes = [volume["VolumeId"] for volume in answers[-2]["Volumes"]]
    answers += [ec2.describe_volumes(VolumeIds=[volumes[1]]),
                ec2.describe_volumes(VolumeIds=[volumes[2], volumes[0]]),
                ec2.describe_volumes(VolumeIds=[volumes[1]], Filters=[{"Name": "size", "Values": ["8"]}]),
                ec2.describe_volumes(VolumeIds=[volumes[1]], Filters=[{"Name": "size", "Values": ["9"]}]),
                ec2.describe_instance_type_offerings(Filters=[{"Name": "instance-type", "Values": ["t3.medium"]}]),
                ec2.describe_instance_type_offerings(LocationType="availability-zone",
                                                     Filters=[{"Name": "location", "Values": ["us-east-1a"]}])]
    ec2.create_tags(Resources=[ids[3]], Tags=[{"Key": "later", "Value": "yes"}])
    answers.append(ec2.describe_instances(InstanceIds=[ids[3]]))
    subnet = answers[0]["Reservations"][0]["Instances"][0]["SubnetId"]
    answers.append(ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.gigantic",
                                     SubnetId=subnet, ClientToken="launch-unknown-type"))
    for refused in (lambda: ec2.describe_instances(InstanceIds=[ids[1], "i-0123456789abcdef0"]),
                    lambda: ec2.describe_instance_status(InstanceIds=["i-0123456789abcdef0", ids[1], "i-00000000"]),
                    lambda: ec2.terminate_instances(InstanceIds=["i-0123456789abcdef0"]),
                    lambda: ec2.describe_volumes(VolumeIds=["vol-0123456789abcdef0"])):
        answers.append(_refusal(refused))
    return answers


def test_instances_are_found_by_id_as_by_motos_walk_through_every_reservation(fake_aws):
    plain, fast = _both(_ec2_conversation, "ec2")
    assert fast == plain
    assert [instance["Tags"] for instance in fast[0]["Reservations"][0]["Instances"]] == [NAMED["Tags"]]
    assert [len(reservation["Instances"]) for reservation in fast[1]["Reservations"]] == [2, 1]
    assert [refusal["Code"] for refusal in fast[-4:]] == ["InvalidInstanceID.NotFound"] * 3 + [
        "InvalidVolume.NotFound"]


def _by_id(*instance_ids: str) -> dict:
    return {"Name": "instance-id", "Values": list(instance_ids)}


def test_instances_filtered_by_id_are_found_as_by_motos_filter_of_every_reservation(fake_aws):
    def conversation(ec2) -> list:
        image, ids = _estate(ec2)
        running = {"Name": "instance-state-name", "Values": ["running"]}
        answers = [ec2.describe_instances(Filters=[_by_id(ids[2])]),
                   ec2.describe_instances(Filters=[_by_id(ids[3], ids[1], ids[2], ids[3])]),
                   ec2.describe_instances(Filters=[_by_id(ids[0], ids[2]), running]),
                   ec2.describe_instances(Filters=[running, _by_id(ids[0], ids[1], "i-0123456789abcdef0")]),
                   ec2.describe_instances(Filters=[_by_id(ids[1]), {"Name": "tag:Name", "Values": ["web-*"]}]),
                   ec2.describe_instances(Filters=[_by_id("i-0123456789abcdef0")]),
                   ec2.describe_instances(Filters=[_by_id(ids[1])], MaxResults=5)]
        subnet = answers[0]["Reservations"][0]["Instances"][0]["SubnetId"]
        later = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet, ClientToken="launch-later")
        return [*answers, ec2.describe_instances(Filters=[_by_id(later["Instances"][0]["InstanceId"], ids[2])])]
    plain, fast = _both(conversation, "ec2")
    assert fast == plain
    assert [len(answer["Reservations"]) for answer in fast] == [1, 2, 1, 1, 1, 0, 1, 2]
    assert [len(reservation["Instances"]) for reservation in fast[1]["Reservations"]] == [2, 1]


def test_an_instance_is_found_again_after_the_account_is_reset(fake_aws):
    with mock_aws(), faster_moto():
        ec2 = boto3.Session(region_name=REGION).client("ec2")
        _, ids = _estate(ec2)
        assert ec2.describe_instances(InstanceIds=[ids[1]])["Reservations"]
    with mock_aws(), faster_moto():
        ec2 = boto3.Session(region_name=REGION).client("ec2")
        assert _refusal(lambda: ec2.describe_instances(InstanceIds=[ids[1]]))["Code"] == "InvalidInstanceID.NotFound"


def test_a_command_is_sent_to_the_instances_it_names_not_to_every_instance(fake_aws):
    def conversation(ssm) -> list:
        _, ids = _estate(boto3.Session(region_name=REGION).client("ec2"))
        command = ssm.send_command(InstanceIds=[ids[2]], DocumentName="AWS-RunShellScript", TimeoutSeconds=60,
                                   Parameters={"commands": ["true"]}, Comment="waveflow check")["Command"]
        return [command, ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=ids[2]),
                ssm.list_commands(CommandId=command["CommandId"]), ids]

    plain, fast = _both(conversation, "ssm")
    ids = fast[3]
    assert sorted(plain[0]["InstanceIds"]) == sorted(ids)  # moto's: every instance of the account
    assert fast[0]["InstanceIds"] == [ids[2]]
    assert fast[2]["Commands"][0]["InstanceIds"] == [ids[2]]
    every_instance = ("InstanceIds", "TargetCount", "CompletedCount")
    assert {key: value for key, value in fast[0].items() if key not in every_instance} == \
        {key: value for key, value in plain[0].items() if key not in every_instance}
    assert fast[1] == plain[1]


def test_a_response_class_lists_its_methods_once(fake_aws, monkeypatch):
    listed = []
    original = responses.method_names_from_class
    monkeypatch.setattr(responses, "method_names_from_class",
                        lambda clazz: listed.append(clazz.__name__) or original(clazz))

    def conversation(sts) -> list:
        return [sts.get_caller_identity() for _ in range(3)]

    plain, fast = _both(conversation, "sts")
    assert fast == plain
    assert listed.count("TokenResponse") == 4  # three requests through moto's own, one through the twin's


def _records(route53) -> list:
    """Record sets of several names, depths and types listed whole, page by page and from a start, changed in
    between (appended, replaced in place, deleted), and a CREATE of a record set already there, or there before."""
    zone = route53.create_hosted_zone(Name="corp.example.", CallerReference="zone")["HostedZone"]["Id"]

    def change(action: str, name: str, kind: str = "A", value: str = "10.0.0.1") -> None:
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
            "Action": action, "ResourceRecordSet": {"Name": name, "Type": kind, "TTL": 60,
                                                    "ResourceRecords": [{"Value": value}]}}]})

    for name in ("web-2.corp.example.", "app.web-1.corp.example.", "web-1.corp.example.", "db.corp.example.",
                 "a.corp.example."):
        change("CREATE", name)
    change("CREATE", "web-1.corp.example.", "TXT", '"owner=wave-7"')
    answers = [route53.list_resource_record_sets(HostedZoneId=zone)]
    for start in ({"StartRecordName": "web-1.corp.example."},
                  {"StartRecordName": "web-1.corp.example.", "StartRecordType": "TXT"},
                  {"StartRecordName": "web-1.corp.example", "StartRecordType": "MX"},
                  {"StartRecordName": "b.corp.example."},
                  {"StartRecordName": "zz.corp.example."},
                  {"MaxItems": "2"},
                  {"StartRecordName": "corp.example.", "MaxItems": "3"}):
        answers.append(route53.list_resource_record_sets(HostedZoneId=zone, **start))
    change("UPSERT", "db.corp.example.", value="10.0.0.9")
    change("DELETE", "a.corp.example.")
    change("CREATE", "c.corp.example.")
    answers.append(route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName="c.corp.example."))
    answers.append(route53.list_resource_record_sets(HostedZoneId=zone))
    answers.append(_refusal(lambda: change("CREATE", "c.corp.example.")))
    for name, kind in (("aa.corp.example.", "A"), ("web-1.corp.example.", "MX"), ("zz.corp.example.", "A")):
        change("CREATE", name, kind, "10 mail.corp.example." if kind == "MX" else "10.0.0.1")  # appended, one by one
        answers.append(route53.list_resource_record_sets(HostedZoneId=zone))
    for weighted in ("blue", "green"):  # one name and type twice: in the order they came
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
            "Action": "CREATE", "ResourceRecordSet": {"Name": "api.corp.example.", "Type": "A", "TTL": 60,
                                                    "SetIdentifier": weighted, "Weight": 50,
                                                    "ResourceRecords": [{"Value": "10.0.0.2"}]}}]})
        answers.append(route53.list_resource_record_sets(HostedZoneId=zone))
    change("DELETE", "zz.corp.example.")
    change("CREATE", "zz.corp.example.")  # made again: its first CREATE is in the zone's journal, the record is not
    answers.append(_refusal(lambda: change("CREATE", "zz.corp.example.")))
    answers.append(route53.list_resource_record_sets(HostedZoneId=zone))
    return answers


def test_record_sets_are_listed_and_paged_as_by_motos_sort_of_the_whole_zone(fake_aws):
    plain, fast = _both(_records, "route53")
    assert fast == plain
    assert [record["Name"] for record in fast[2]["ResourceRecordSets"]] == [
        "web-1.corp.example.", "app.web-1.corp.example.", "web-2.corp.example."]  # TXT of web-1 first: A < TXT
    assert fast[6]["IsTruncated"] and len(fast[6]["ResourceRecordSets"]) == 2
    assert "10.0.0.9" in str(fast[-9]) and "a.corp.example." not in str(fast[-9])
    assert fast[-8]["Code"] == fast[-2]["Code"] == "InvalidChangeBatch"
    assert [(record["Name"], record["Type"]) for record in fast[-5]["ResourceRecordSets"]][:4] == [
        ("corp.example.", "NS"), ("corp.example.", "SOA"), ("aa.corp.example.", "A"), ("c.corp.example.", "A")]
    assert [record.get("SetIdentifier") for record in fast[-3]["ResourceRecordSets"]
            if record["Name"] == "api.corp.example."] == ["blue", "green"]


def _upserts(route53) -> list:
    """UPSERTs (as the cutover makes them) between lookups: of record sets there from the start, appended since,
    not there yet, weighted ones (by set identifier), after a DELETE rebuilt the zone's list, and one replaced twice."""
    zone = route53.create_hosted_zone(Name="corp.example.", CallerReference="zone")["HostedZone"]["Id"]

    def change(action: str, name: str, value: str = "10.0.0.1", weighted: str | None = None) -> None:
        record = {"Name": name, "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": value}]}
        if weighted:
            record.update(SetIdentifier=weighted, Weight=50)
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
            "Action": action, "ResourceRecordSet": record}]})

    for number in range(12):
        change("CREATE", f"app-{number:02d}.corp.example.")
    for weighted in ("blue", "green"):
        change("CREATE", "api.corp.example.", weighted=weighted)
    answers = [route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName="app-05.corp.example.",
                                                 MaxItems="4")]
    steps = [("UPSERT", "app-05.corp.example.", "10.0.1.5", None), ("CREATE", "app-12.corp.example.", "10.0.0.1", None),
             ("UPSERT", "app-12.corp.example.", "10.0.1.12", None), ("UPSERT", "new.corp.example.", "10.0.2.1", None),
             ("UPSERT", "api.corp.example.", "10.0.3.2", "green"), ("DELETE", "app-03.corp.example.", "10.0.0.1", None),
             ("UPSERT", "app-07.corp.example.", "10.0.1.7", None), ("UPSERT", "app-07.corp.example.", "10.0.4.7", None),
             ("UPSERT", "api.corp.example.", "10.0.3.9", "blue")]
    for action, name, value, weighted in steps:
        change(action, name, value, weighted)
        answers.append(route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName=name, MaxItems="3"))
        answers.append(route53.list_resource_record_sets(HostedZoneId=zone))
    return answers


def test_an_upsert_replaces_its_record_set_where_moto_does_and_lookups_see_it(fake_aws):
    plain, fast = _both(_upserts, "route53")
    assert fast == plain
    everything = {(record["Name"], record.get("SetIdentifier")): record["ResourceRecords"][0]["Value"]
                  for record in fast[-1]["ResourceRecordSets"] if record["Type"] == "A"}
    assert everything[("app-07.corp.example.", None)] == "10.0.4.7"
    assert everything[("api.corp.example.", "blue")] == "10.0.3.9"
    assert everything[("api.corp.example.", "green")] == "10.0.3.2"
    assert ("app-03.corp.example.", None) not in everything and ("new.corp.example.", None) in everything


def test_an_upsert_keeps_the_zones_order_rather_than_sorting_it_again(fake_aws):
    from moto.route53.models import route53_backends
    from waveflow.local.twin.speed import route53 as kept

    with mock_aws(), faster_moto():
        route53 = boto3.client("route53", region_name=REGION)
        _upserts(route53)
        zone = next(iter(route53_backends["123456789012"]["global"].zones.values()))
        order = kept._ORDERS[zone]
        route53.change_resource_record_sets(HostedZoneId=zone.id, ChangeBatch={"Changes": [{
            "Action": "UPSERT", "ResourceRecordSet": {"Name": "app-09.corp.example.", "Type": "A", "TTL": 60,
                                                      "ResourceRecords": [{"Value": "10.0.5.9"}]}}]})
        listed = route53.list_resource_record_sets(HostedZoneId=zone.id, StartRecordName="app-09.corp.example.",
                                                   MaxItems="1")["ResourceRecordSets"]
        assert kept._ORDERS[zone] is order
        assert listed[0]["ResourceRecords"] == [{"Value": "10.0.5.9"}]


def test_a_command_is_found_by_its_id_among_many(fake_aws):
    def conversation(ssm) -> list:
        _, ids = _estate(boto3.Session(region_name=REGION).client("ec2"))
        commands = [ssm.send_command(InstanceIds=[instance], DocumentName="AWS-RunShellScript",
                                     Parameters={"commands": [f"echo {n}"]})["Command"]["CommandId"]
                    for n, instance in enumerate(ids[1:])]
        answers = [ssm.get_command_invocation(CommandId=command, InstanceId=instance)
                   for command, instance in zip(commands, ids[1:])]
        answers.append(_refusal(lambda: ssm.get_command_invocation(CommandId="00000000-0000-4000-8000-000000000000",
                                                                   InstanceId=ids[1])))
        return answers

    plain, fast = _both(conversation, "ssm")
    assert fast == plain
    assert len({answer["CommandId"] for answer in fast[:3]}) == 3
    assert fast[-1]["Code"] == "InvalidCommandId"


def test_received_messages_are_kept_to_their_queues_retention_period_as_by_moto(fake_aws):
    def conversation(sqs) -> list:
        answers = []
        for name, attributes in (("standard", {}), ("short", {"MessageRetentionPeriod": "60"}),
                                 ("ordered.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"})):
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            group = {"MessageGroupId": "wave"} if name.endswith(".fifo") else {}
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": f"m{n}", **group}
                                                          for n in range(4)])
            answers += [sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3, AttributeNames=["All"]),
                        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)]
        return answers

    moto, faster = _both(conversation, "sqs")
    assert faster == moto
    assert [len(answer.get("Messages", [])) for answer in faster] == [3, 1, 3, 1, 3, 0]


def _ssm_and_secrets(ssm) -> list:
    """A command (to the instances its targets select, as moto sends one both ways) with parameters present, absent
    and of every JSON kind, its invocations, secrets by ID, version and stage, and the refusals."""
    session = boto3.Session(region_name=REGION)
    _, ids = _estate(session.client("ec2"))
    secrets = session.client("secretsmanager")
    secrets.create_secret(Name="callback", SecretString='{"key": "k"}', ClientRequestToken="version-1" * 4)
    secrets.put_secret_value(SecretId="callback", SecretString='{"key": "k2"}', ClientRequestToken="version-2" * 4)
    command = ssm.send_command(Targets=[{"Key": "tag:Name", "Values": ["web-1"]}], DocumentName="AWS-RunShellScript",
                               TimeoutSeconds=60,
                               Parameters={"commands": ["uptime", "df -h"], "workingDirectory": ["/tmp"]},
                               Comment="waveflow check", MaxConcurrency="2", MaxErrors="1",
                               OutputS3BucketName="logs", OutputS3KeyPrefix="ssm/")["Command"]
    return [command,
            ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=ids[3]),
            ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=ids[2],
                                       PluginName="aws:runShellScript"),
            ssm.list_commands(CommandId=command["CommandId"]),
            secrets.get_secret_value(SecretId="callback"),
            secrets.get_secret_value(SecretId="callback", VersionStage="AWSPREVIOUS"),
            secrets.get_secret_value(SecretId="callback", VersionId="version-2" * 4),
            _refusal(lambda: ssm.get_command_invocation(CommandId=command["CommandId"],
                                                        InstanceId="i-0123456789abcdef0")),
            _refusal(lambda: ssm.get_command_invocation(CommandId=command["CommandId"], InstanceId=ids[2],
                                                        PluginName="aws:other")),
            _refusal(lambda: secrets.get_secret_value(SecretId="missing")),
            _refusal(lambda: secrets.get_secret_value(SecretId="callback", VersionId="version-9" * 4))]


def test_ssm_and_secrets_manager_read_each_parameter_as_moto_does_from_one_decoding(fake_aws):
    plain, fast = _both(_ssm_and_secrets, "ssm")
    assert fast == plain
    assert fast[0]["Parameters"] == {"commands": ["uptime", "df -h"], "workingDirectory": ["/tmp"]}
    assert fast[0]["OutputS3BucketName"] == "logs" and fast[0]["MaxErrors"] == "1"
    assert [answer["SecretString"] for answer in fast[4:7]] == ['{"key": "k2"}', '{"key": "k"}', '{"key": "k2"}']
    assert [refusal["Code"] for refusal in fast[7:]] == ["InvocationDoesNotExist", "InvocationDoesNotExist",
                                                         "ResourceNotFoundException", "ResourceNotFoundException"]


def test_a_parameter_read_twice_is_a_value_of_its_own_each_time():
    from moto.ssm.responses import SimpleSystemManagerResponse

    from waveflow.local.twin.speed import json_params

    response = SimpleSystemManagerResponse()
    response.body, response.querystring, response.uri_match = '{"Parameters": {"commands": ["true"]}}', {}, {}
    first = json_params.get_param(response, "Parameters")
    first["commands"].append("changed by its reader")
    assert json_params.get_param(response, "Parameters") == {"commands": ["true"]}
    assert json_params.get_param(response, "Targets", []) == []
    response.body = "not json"
    assert json_params.get_param(response, "Parameters", "none") == "none"


def test_a_queues_messages_are_counted_and_handed_out_as_by_moto_in_flight_and_delayed_ones_among_them(fake_aws):
    def conversation(sqs) -> list:
        answers = []
        for name, attributes in (("standard", {"VisibilityTimeout": "600"}),
                                 ("ordered.fifo", {"FifoQueue": "true", "ContentBasedDeduplication": "true"})):
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            group = {"MessageGroupId": "wave"} if name.endswith(".fifo") else {}
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": f"m{n}", **group}
                                                          for n in range(6)])
            answers.append(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2))  # in flight for 600 s
            if not group:
                sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=300)
            sqs.send_message(QueueUrl=url, MessageBody="m1", **group)  # a copy, deduplicated by content in FIFO
            answers += [sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"]),
                        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0),
                        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                               "ApproximateNumberOfMessagesDelayed"])]
        return answers

    moto, faster = _both(conversation, "sqs")
    assert faster == moto
    counts = [{name: value for name, value in answer["Attributes"].items() if name.startswith("Approximate")}
              for answer in faster[1::4]]
    assert counts == [{"ApproximateNumberOfMessages": "5", "ApproximateNumberOfMessagesNotVisible": "2",
                       "ApproximateNumberOfMessagesDelayed": "1"},
                      {"ApproximateNumberOfMessages": "4", "ApproximateNumberOfMessagesNotVisible": "2",
                       "ApproximateNumberOfMessagesDelayed": "0"}]
