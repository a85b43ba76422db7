"""moto's set-up of a response object with ``waveflow.local.twin.speed.response_setup`` against moto's own: the
parameters moto parses from each request, the access key it reads from a request's headers, and the ``Date`` text
(and the time it is written from) of its answers."""
from __future__ import annotations

import datetime

import pytest
from moto import mock_aws
from moto.core.request import normalize_request
from moto.ec2.responses import EC2Response
from moto.route53.responses import Route53
from moto.ssm.responses import SimpleSystemManagerResponse
from sent_requests import sent_requests
from werkzeug.http import http_date as werkzeugs_http_date

from waveflow.local.twin.speed import faster_moto, response_setup

RESPONSES = {"ec2": EC2Response, "ssm": SimpleSystemManagerResponse, "route53": Route53}


def _conversation(session) -> None:
    ec2, ssm, route53 = session.client("ec2"), session.client("ssm"), session.client("route53")
    ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["web*", "db"]}], MaxResults=5)
    ec2.describe_instance_status(Filters=[{"Name": "instance-state-name", "Values": ["running"]}],
                                 IncludeAllInstances=True)
    ec2.describe_vpcs()
    ssm.get_parameters(Names=["/waveflow/a", "/waveflow/b"], WithDecryption=True)
    ssm.list_commands(Filters=[{"key": "Status", "value": "Success"}], MaxResults=5)
    zone = route53.create_hosted_zone(Name="corp.example.", CallerReference="ref")["HostedZone"]["Id"]
    route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName="web.corp.example.", StartRecordType="A",
                                      MaxItems="1")
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {"Name": "web.corp.example.", "Type": "A", "TTL": 60,
                                                  "ResourceRecords": [{"Value": "10.0.0.1"}]}}]})


def test_each_request_is_parsed_into_the_parameters_moto_parses(fake_aws):
    sent = sent_requests(_conversation)
    assert len(sent) == 8
    parsed = []
    with mock_aws():
        for request in sent * 2:  # the parser made, then kept
            service = request.url.split("//")[1].split(".")[0]
            params = []
            for faster in (False, True):
                response = RESPONSES[service]()
                if faster:
                    with faster_moto():
                        response.setup_class(normalize_request(request))
                else:
                    response.setup_class(normalize_request(request))
                params.append((getattr(response, "params", None), response.uri_match, response.querystring))
            assert params[1] == params[0]
            if params[0][0]:
                parsed.append(service)
    assert set(parsed) == {"ec2", "route53"}  # the services moto parses the parameters of (SSM reads its body)


@pytest.mark.parametrize("timestamp", [
    datetime.datetime(2026, 11, 30, 18, 4, 48, 999999), datetime.datetime(2026, 11, 30, 18, 4, 48),
    datetime.datetime(2026, 11, 30, 18, 4, 48, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
    datetime.date(2024, 2, 29), 1_764_525_888.5, None])
def test_the_date_moto_writes_is_werkzeugs(timestamp):
    for _ in range(2):
        assert response_setup.http_date(timestamp) == werkzeugs_http_date(timestamp)


@pytest.mark.parametrize("authorization", [
    None, "", "AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/ssm/aws4_request, SignedHeaders=host, "
    "Signature=0123456789012345678901234567890123456789", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/2026/x",
    "AWS AKIAIOSFODNN7EXAMPLE:signature", "AWS XAKIAIOSFODNN7EXAMPLE:sig", "AKIAIOSFODNN7EXAMPLE/AWS",
    "AWS AKIAIOSFODNN7EXAMPLE/x AKIAIOSFODNN7EXAMPLF:y", "AWS akiaiosfodnn7example/x", "AWS 01234567890123456789/",
    "AWS AKIAIOSFODNN7EXAMPL/x", "aws AKIAIOSFODNN7EXAMPLE/x", "AWSAKIAIOSFODNN7EXAMPLE:x",
    "AWS:AKIAIOSFODNN7EXAMPLE:"])
@pytest.mark.parametrize("query_key", [None, "ASIAQUERYKEY"])
def test_the_access_key_is_the_one_moto_reads(authorization, query_key):
    keys = []
    for faster in (False, True):
        response = EC2Response()
        response.headers = {} if authorization is None else {"Authorization": authorization}
        response.querystring = {} if query_key is None else {"AWSAccessKeyId": [query_key]}
        if faster:
            with faster_moto():
                keys.append(response.get_access_key())
        else:
            keys.append(response.get_access_key())
    assert keys[1] == keys[0]


def test_the_time_is_read_as_motos_utcnow_reads_it():
    from moto.core.utils import utcnow as motos_utcnow
    before, ours, after = motos_utcnow(), response_setup.utcnow(), motos_utcnow()
    assert ours.tzinfo is None and before <= ours <= after
