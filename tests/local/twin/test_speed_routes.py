"""moto's stubber with the method serving each URL remembered (``waveflow.local.twin.speed.direct.routes``): each
request still reaches its own method, draws the same request ID and is recorded as on botocore's normal path."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError
from moto import mock_aws, moto_api
from moto.moto_api._internal import mock_random
from twin_stacks import REGION

from waveflow.local.twin.speed import faster_moto
from waveflow.local.twin.speed.direct import routes


def _ids(answers: list[dict]) -> list[str]:
    return [answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] for answer in answers]


def _sessions():
    """A session on botocore's normal path (made before ``faster_moto()``), then one on the direct path (made while
    it is on), each in a fresh moto account, with ``faster_moto()`` on while it is used."""
    for direct in (False, True):
        with mock_aws():
            before = boto3.Session(region_name=REGION)
            with faster_moto():
                yield boto3.Session(region_name=REGION) if direct else before


def _both(conversation, service: str, **client: str) -> tuple[list, list]:
    """``conversation(client)`` on botocore's normal path and on the direct path, moto's random numbers seeded
    alike."""
    runs = []
    for session in _sessions():
        session.client("ec2").describe_vpcs()  # the default VPC, made with IDs drawn before the seed
        mock_random.seed(11)
        runs.append(conversation(session.client(service, **client)))
    return runs[0], runs[1]


def test_each_ec2_action_posted_to_the_same_url_is_answered_by_its_own_method(fake_aws):
    def conversation(ec2) -> list[dict]:
        vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")
        vpc_id = vpc["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.1.0/24")
        return [vpc, ec2.describe_vpcs(VpcIds=[vpc_id]), subnet,
                ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]),
                ec2.describe_vpcs(VpcIds=[vpc_id])]

    plain, direct = _both(conversation, "ec2")
    vpc_id = direct[0]["Vpc"]["VpcId"]
    assert [vpc["VpcId"] for vpc in direct[1]["Vpcs"]] == [vpc_id] == [vpc["VpcId"] for vpc in direct[4]["Vpcs"]]
    assert [subnet["SubnetId"] for subnet in direct[3]["Subnets"]] == [direct[2]["Subnet"]["SubnetId"]]
    assert [answer.get("Vpcs") for answer in direct] == [answer.get("Vpcs") for answer in plain]
    assert _ids(direct) == _ids(plain)  # moto's seeded random draws each request's ID in the same order


def test_route53_paths_with_ids_reach_the_zone_they_name(fake_aws):
    def conversation(route53) -> list:
        zones = [route53.create_hosted_zone(Name=f"{name}.example.", CallerReference=name)["HostedZone"]["Id"]
                 for name in ("first", "second")]
        answers: list = []
        for zone, name in zip(zones, ("first", "second")):
            answers.append(route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
                "Action": "CREATE", "ResourceRecordSet": {"Name": f"web.{name}.example.", "Type": "A", "TTL": 60,
                                                          "ResourceRecords": [{"Value": "10.0.0.1"}]}}]}))
        for zone in zones + zones:
            answers.append(route53.get_hosted_zone(Id=zone))
            answers.append(route53.list_resource_record_sets(HostedZoneId=zone))
        with pytest.raises(ClientError) as refused:
            route53.get_hosted_zone(Id="Z0000000000000000000")
        return answers + [refused.value.response["Error"]["Code"]]

    plain, direct = _both(conversation, "route53")
    names = [answer["HostedZone"]["Name"] for answer in direct[2:-1:2]]
    assert names == ["first.example.", "second.example.", "first.example.", "second.example."]
    records = [[record["Name"] for record in answer["ResourceRecordSets"] if record["Type"] == "A"]
               for answer in direct[3:-1:2]]
    assert records == [["web.first.example."], ["web.second.example."]] * 2
    assert direct[-1] == plain[-1] == "NoSuchHostedZone"
    assert _ids(direct[:-1]) == _ids(plain[:-1])


def test_requests_are_recorded_as_moto_records_them(fake_aws, tmp_path, monkeypatch):
    monkeypatch.setattr(moto_api.recorder, "_location", str(tmp_path / "recording"))
    recordings = []
    for session in _sessions():
        moto_api.recorder.reset_recording()
        moto_api.recorder.start_recording()
        try:
            session.client("sqs").create_queue(QueueName="recorded")
            session.client("route53").list_hosted_zones()
        finally:
            moto_api.recorder.stop_recording()
        recordings.append([json.loads(line) for line in moto_api.recorder.download_recording().splitlines()])
    for entries in recordings:  # what differs between two runs, and the headers botocore adds when it sends
        for entry in entries:
            for header in ("X-Amz-Date", "Authorization", "User-Agent", "Amz-Sdk-Invocation-Id", "Amz-Sdk-Request"):
                entry["headers"].pop(header, None)
    assert [entry["url"] for entry in recordings[1]] == ["https://sqs.us-east-1.amazonaws.com/",
                                                         "https://route53.amazonaws.com/2013-04-01/hostedzone"]
    assert recordings[1] == recordings[0]


def test_a_url_no_method_serves_takes_motos_own_way(fake_aws):
    def conversation(ec2) -> tuple[str, str]:
        with pytest.raises(ResponseParserError) as refused:
            ec2.describe_vpcs()
        return type(refused.value).__name__, str(refused.value)

    unknown = "https://unknown.us-east-1.amazonaws.com"
    plain, direct = _both(conversation, "ec2", endpoint_url=unknown)
    assert direct == plain
    assert "Not yet implemented" in direct[1]  # moto's answer to an AWS URL it does not serve
    assert not any(url.startswith(unknown) for url, _ in routes._ROUTES)
