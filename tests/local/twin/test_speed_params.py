"""botocore's parameter validation and serialisation with ``waveflow.local.twin.speed``'s replacements on against
botocore's own, over inputs drawn from the operations' shapes (``shape_inputs``): the same inputs refused with the
same report, and the same request (URL, headers, body byte for byte) handed to ``before-call`` for the rest."""
from __future__ import annotations

import copy
import decimal
import functools
import io
import random

import boto3
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ParamValidationError
from twin_stacks import REGION

import shape_inputs
from waveflow.local.twin.speed import faster_moto

#: the operations a wave's tasks call, and some with the traits they lack (JSON-value headers, documents, host
#: labels, timestamps in JSON and query bodies, renamed JSON members)
OPERATIONS = {
    "dynamodb": ["UpdateItem", "GetItem", "PutItem", "Query", "TransactWriteItems", "BatchWriteItem"],
    "ec2": ["RunInstances", "DescribeInstances", "DescribeInstanceStatus", "DescribeSubnets", "CreateTags"],
    "ssm": ["SendCommand", "GetCommandInvocation", "PutParameter"],
    "route53": ["ChangeResourceRecordSets", "ListResourceRecordSets"],
    "sns": ["Publish"],
    "sqs": ["SendMessage", "SendMessageBatch"],
    "stepfunctions": ["StartExecution", "SendTaskSuccess", "SendTaskFailure"],
    "events": ["PutEvents", "PutRule"],
    "mgn": ["DescribeJobs", "DescribeSourceServers", "StartCutover", "UpdateLaunchConfiguration", "TagResource"],
    "lex-runtime": ["PostContent"],
    "bedrock-runtime": ["Converse"],
    "s3control": ["CreateJob", "GetPublicAccessBlock"],
    "cloudwatch": ["PutMetricData"],
    "apigatewayv2": ["CreateDomainName"],  # an ISO 8601 timestamp in a JSON body
    "amplifybackend": ["CreateBackend"],  # body members under another wire name
    "servicediscovery": ["DiscoverInstances"],  # a JSON request's host prefix
    "application-autoscaling": ["PutScalingPolicy"],  # doubles in a JSON body
    "controltower": ["CreateLandingZone"],  # a document in a REST-JSON body
    "inspector-scan": ["ScanSbom"],
}
#: members left out of drawn inputs: EventBridge's global endpoint needs SigV4a (botocore's CRT extra) before any
#: validation
LEFT_OUT = {("events", "PutEvents"): "EndpointId"}
CASES = [(service, operation) for service, operations in OPERATIONS.items() for operation in operations]
DRAWN = 40


def _request(params: dict) -> dict:
    """What a ``before-call`` handler receives, but the context: URL, method, headers and body."""
    body = params["body"]
    if isinstance(body, io.IOBase):
        body = ("file", body.read())
    return {"url": params["url"], "method": params["method"], "headers": dict(params["headers"]), "body": body}


class _Sent:
    """A client whose requests get an empty success at ``before-call``, and the requests it sent."""

    def __init__(self, session: boto3.Session, service: str) -> None:
        self.client = session.client(service)
        self.sent: list[dict] = []
        self.client.meta.events.register_last("before-call", self._answer)

    def _answer(self, params: dict, **_) -> tuple[AWSResponse, dict]:
        self.sent.append(_request(params))
        return AWSResponse(params["url"], 200, {}, None), {}

    def outcomes(self, operation: str, inputs: list[dict]) -> list:
        """Per input: the request sent, or the error raised (a ``ParamValidationError`` by its report)."""
        method = getattr(self.client, xform_name(operation))
        outcomes = []
        for params in copy.deepcopy(inputs):
            try:
                method(**params)
                outcomes.append(("sent", self.sent.pop()))
            except ParamValidationError as refused:
                outcomes.append(("refused", str(refused)))
            except Exception as failed:  # botocore's serialiser on a value it cannot take (a file in JSON)
                outcomes.append((type(failed).__name__, str(failed)))
        return outcomes


@functools.cache
def _session(side: str) -> boto3.Session:
    """One session per side, its clients made in the same order on both (the first client of a session marks
    its user agent with where the credentials came from)."""
    return boto3.Session(region_name=REGION)


@functools.cache
def _sent(service: str, side: str) -> _Sent:
    return _Sent(_session(side), service)


def _both(service: str, operation: str, inputs: list[dict]) -> tuple[list, list]:
    """The outcomes on botocore's own client side and with the replacements on."""
    plain, replaced = _sent(service, "plain"), _sent(service, "replaced")
    seen = plain.outcomes(operation, inputs)
    with faster_moto():
        return seen, replaced.outcomes(operation, inputs)


def _inputs(service: str, operation: str, make) -> list[dict]:
    shape = _sent(service, "plain").client.meta.service_model.operation_model(operation).input_shape
    rng = random.Random(f"{service}.{operation}")
    inputs = [make(shape, rng) for _ in range(DRAWN)]
    for params in inputs:
        params.pop(LEFT_OUT.get((service, operation)), None)
    return inputs


@pytest.mark.parametrize("service, operation", CASES)
def test_valid_inputs_are_sent_as_botocore_sends_them(fake_aws, service, operation):
    plain, replaced = _both(service, operation, _inputs(service, operation, shape_inputs.valid))
    assert replaced == plain
    assert sum(kind == "sent" for kind, _ in plain) >= DRAWN // 2


@functools.cache
def _broken(service: str, operation: str) -> tuple[list, list]:
    """``_both`` over the operation's broken inputs (the same for every test that asks)."""
    return _both(service, operation, _inputs(service, operation, shape_inputs.broken))


@pytest.mark.parametrize("service, operation", CASES)
def test_broken_inputs_are_refused_as_botocore_refuses_them(fake_aws, service, operation):
    plain, replaced = _broken(service, operation)
    assert replaced == plain
    # some fail before validation, in endpoint resolution (DynamoDB's table names searched from the input)
    assert sum(kind == "refused" for kind, _ in plain) >= DRAWN // 3


def test_every_kind_of_error_botocore_reports_is_among_the_compared(fake_aws):
    reports = "\n".join(report for service, operation in CASES
                        for kind, report in _broken(service, operation)[0] if kind == "refused")
    for kind in ("Missing required parameter in", "Unknown parameter in", "Invalid type for parameter",
                 "Invalid length for parameter", "Invalid value for parameter", "must be json serializable",
                 "Invalid type for document parameter", "Invalid number of parameters set for tagged union",
                 "Must set one of the following keys for tagged union", "valid types: <class 'datetime.datetime'>"):
        assert kind in reports


def test_infinities_and_nan_are_written_as_botocore_writes_them(fake_aws):
    policy = {"PolicyName": "p", "ServiceNamespace": "ecs", "ResourceId": "service/c/s",
              "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling"}
    inputs = [{**policy, "TargetTrackingScalingPolicyConfiguration": {"TargetValue": value}}
              for value in (float("inf"), float("-inf"), float("nan"), decimal.Decimal("Infinity"), 1e300)]
    plain, replaced = _both("application-autoscaling", "PutScalingPolicy", inputs)
    assert replaced == plain
    assert [kind for kind, _ in plain] == ["sent"] * len(inputs)


def test_an_item_holding_itself_fails_as_on_botocore(fake_aws):
    nested: list = []
    nested.append({"L": nested})
    item = {"TableName": "t", "Item": {"a": {"L": nested}}}
    plain, replaced = _both("dynamodb", "PutItem", [item])
    assert [kind for kind, _ in replaced] == [kind for kind, _ in plain] == ["RecursionError"]


def test_none_in_a_rest_json_body_is_left_out_or_refused_as_on_botocore(fake_aws):
    """A document may be None (left out of a REST-JSON body); any other member or an unknown one may not."""
    inputs = [{"sbom": None, "outputFormat": "CYCLONE_DX_1_5"}, {"sbom": {"a": [1, None]}, "outputFormat": None},
              {"sbom": {}, "bogus": None}, {"sbom": {}}]
    plain, replaced = _both("inspector-scan", "ScanSbom", inputs)
    assert replaced == plain
    assert [kind for kind, _ in plain] == ["sent", "refused", "refused", "sent"]
    assert plain[0][1]["body"] == b'{"outputFormat": "CYCLONE_DX_1_5"}'
