"""botocore's client side with ``waveflow.local.twin.speed.client``'s replacements on against botocore's own: the
request every ``before-call`` handler receives (URL, headers with the user agent, body, context) and the answer
the caller gets back are the same, and what should change an endpoint still does (the memo is keyed right)."""
from __future__ import annotations

import copy
import io
from contextlib import nullcontext

import boto3
from botocore import awsrequest, useragent
from botocore import client as botocore_client
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.regions import EndpointRulesetResolver
from botocore.validate import ParamValidationDecorator
from moto import mock_aws
from moto.moto_api._internal import mock_random
from comparable import comparable
from twin_stacks import REGION

from waveflow.local.twin.speed import faster_moto

#: the tasks' client configuration (``tasks/lib/aws.py``)
TASKS = Config(user_agent_extra="waveflow")
TABLE = "waveflow-status"


def _snapshot(request: dict) -> dict:
    """A copy of the request dict a ``before-call`` handler receives (the client's config object aside, a body
    S3 wraps in a file object by its content)."""
    context = {key: value for key, value in request["context"].items() if key != "client_config"}
    return _plain({**request, "context": context})


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, io.BytesIO):
        return ("file", value.getvalue())
    return copy.deepcopy(value)


class _Requests:
    """The requests a client's first and last ``before-call`` handlers receive, in order."""

    def __init__(self, client) -> None:
        self.first: list[dict] = []
        self.last: list[dict] = []
        client.meta.events.register_first("before-call", lambda params, **_: self.first.append(_snapshot(params)))
        client.meta.events.register_last("before-call", lambda params, **_: self.last.append(_snapshot(params)))


def _answer(call) -> dict:
    try:
        return call()
    except ClientError as refused:
        return {"exception": type(refused).__name__, **refused.response}


def _canned(params: dict, **_) -> tuple[AWSResponse, dict]:
    """A ``before-call`` answer for requests to hosts moto does not serve: an empty success."""
    return AWSResponse(params["url"], 200, {}, None), {}


def _both(conversation, *clients: tuple, canned: bool = False) -> tuple[tuple, tuple]:
    """(answers, requests per client) of ``conversation(*clients)`` on botocore's own client side and with the
    replacements on (clients of a session made before ``faster_moto()``, so moto's stubber answers both, or
    ``_canned`` if ``canned``), each in a fresh moto account with moto's random IDs seeded alike. ``clients`` are
    (service, region, config)."""
    runs = []
    for replaced in (False, True):
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            session.client("ec2").describe_vpcs()  # moto's default VPC, drawn before the seed (see test_speed_direct)
            mock_random.seed(7)
            made = [session.client(service, region_name=region, config=config) for service, region, config in clients]
            requests = [_Requests(client) for client in made]
            for client in made if canned else ():
                client.meta.events.register_last("before-call", _canned)
            with faster_moto() if replaced else nullcontext():
                answers = comparable([_answer(call) for call in conversation(*made)])
            runs.append((answers, [(seen.first, seen.last) for seen in requests]))
    return runs[0], runs[1]


def _urls(requests: list[tuple[list, list]], client: int) -> list[str]:
    return [request["url"] for request in requests[client][0]]


def test_dynamodb_requests_and_answers_are_botocores(fake_aws):
    def conversation(dynamodb):
        key = {"pk": {"S": "srv-1"}, "sk": {"S": "STATUS"}}
        return [lambda: dynamodb.create_table(
                    TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "sk", "AttributeType": "S"}]),
                lambda: dynamodb.put_item(TableName=TABLE, Item={**key, "state": {"S": "replicating"}}),
                lambda: dynamodb.get_item(TableName=TABLE, Key=key),
                lambda: dynamodb.update_item(TableName=TABLE, Key=key, UpdateExpression="SET #s = :s",
                                             ExpressionAttributeNames={"#s": "state"},
                                             ExpressionAttributeValues={":s": {"S": "cutover"}}, ReturnValues="ALL_NEW"),
                # an endpoint parameter taken from the args as a list (the table names): not remembered
                lambda: dynamodb.batch_get_item(RequestItems={TABLE: {"Keys": [key]}}),
                lambda: dynamodb.get_item(TableName="missing", Key=key),
                lambda: list(dynamodb.get_paginator("scan").paginate(TableName=TABLE))]

    plain, replaced = _both(conversation, ("dynamodb", REGION, TASKS))
    assert replaced == plain
    answers, requests = replaced
    assert answers[2]["Item"]["state"] == {"S": "replicating"}
    assert answers[5]["Error"]["Code"] == "ResourceNotFoundException"
    first, last = requests[0]
    assert first == last and len(first) == 7
    assert {request["url"] for request in first} == {f"https://dynamodb.{REGION}.amazonaws.com/"}
    agents = [request["headers"]["User-Agent"] for request in first]
    assert agents[0].endswith(" waveflow") and agents[-1] != agents[0]  # a paginator's call carries its feature


def test_ec2_route53_and_sqs_requests_and_answers_are_botocores(fake_aws):
    def conversation(ec2, route53, sqs):
        zones = []

        def zone(name: str):
            made = route53.create_hosted_zone(Name=name, CallerReference=name)
            zones.append(made["HostedZone"]["Id"])
            return made

        queue = []

        def create_queue():
            made = sqs.create_queue(QueueName="waveflow-requests")
            queue.append(made["QueueUrl"])
            return made

        return [lambda: ec2.create_vpc(CidrBlock="10.20.0.0/16"),
                lambda: ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.20.0.0/16"]}]),
                lambda: ec2.describe_instances(InstanceIds=["i-0123456789abcdef0"]),
                lambda: zone("corp.example."), lambda: zone("other.example."),
                lambda: route53.list_resource_record_sets(HostedZoneId=zones[0]),
                lambda: route53.list_resource_record_sets(HostedZoneId=zones[1]),
                create_queue,
                lambda: sqs.send_message(QueueUrl=queue[0], MessageBody="hello"),
                lambda: sqs.receive_message(QueueUrl=queue[0], AttributeNames=["All"])]

    plain, replaced = _both(conversation, ("ec2", REGION, TASKS), ("route53", REGION, TASKS), ("sqs", REGION, TASKS))
    assert replaced == plain
    answers, requests = replaced
    assert answers[2]["Error"]["Code"] == "InvalidInstanceID.NotFound"
    assert all(first == last for first, last in requests)
    listed = _urls(requests, 1)[2:]  # a URI parameter in the path: each zone's own URL
    assert len(set(listed)) == 2 and all(url.endswith("/rrset") for url in listed)
    assert requests[0][0][0]["body"]["Action"] == "CreateVpc"  # the query protocol's parameters, not yet encoded


def test_step_functions_and_secrets_manager_requests_and_answers_are_botocores(fake_aws):
    definition = '{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}'
    role = "arn:aws:iam::123456789012:role/waveflow"

    def conversation(sfn, secrets):
        machine = []

        def create():
            made = sfn.create_state_machine(name="migration", definition=definition, roleArn=role)
            machine.append(made["stateMachineArn"])
            return made

        return [create,
                lambda: sfn.start_execution(stateMachineArn=machine[0], name="srv-1", input="{}"),
                lambda: sfn.describe_state_machine(stateMachineArn=machine[0]),
                lambda: secrets.create_secret(Name="callback", SecretString='{"key": "k"}',
                                              ClientRequestToken="version-1" * 4),
                lambda: secrets.get_secret_value(SecretId="callback"),
                lambda: secrets.get_secret_value(SecretId="missing")]

    plain, replaced = _both(conversation, ("stepfunctions", REGION, TASKS), ("secretsmanager", REGION, TASKS))
    assert replaced == plain
    answers, requests = replaced
    assert answers[4]["SecretString"] == '{"key": "k"}'
    assert answers[5]["Error"]["Code"] == "ResourceNotFoundException"
    assert all(first == last for first, last in requests)


def test_an_endpoint_changes_with_each_input_it_is_resolved_from(fake_aws):
    """Another parameter value (a bucket, and one S3's ``before-endpoint-resolution`` handler sends path-style),
    another region, another client configuration: each its own endpoint, the one botocore resolves."""
    def conversation(s3, west, path_style, dynamodb, fips):
        return [lambda: s3.create_bucket(Bucket="waveflow-a"),
                lambda: s3.put_object(Bucket="waveflow-a", Key="payload.json", Body=b"{}"),
                lambda: s3.put_object(Bucket="waveflow-b", Key="payload.json", Body=b"{}"),
                lambda: s3.put_object(Bucket="waveflow_c", Key="payload.json", Body=b"{}"),
                lambda: west.put_object(Bucket="waveflow-a", Key="payload.json", Body=b"{}"),
                lambda: path_style.put_object(Bucket="waveflow-a", Key="payload.json", Body=b"{}"),
                lambda: list(s3.get_paginator("list_objects_v2").paginate(Bucket="waveflow-a")),
                lambda: dynamodb.list_tables(), lambda: fips.list_tables()]

    plain, replaced = _both(conversation, ("s3", REGION, TASKS), ("s3", "eu-west-1", TASKS),
                            ("s3", REGION, Config(user_agent_extra="waveflow", s3={"addressing_style": "path"})),
                            ("dynamodb", "eu-west-1", TASKS),
                            ("dynamodb", "eu-west-1", Config(user_agent_extra="waveflow", use_fips_endpoint=True)))
    assert replaced == plain
    answers, requests = replaced
    assert answers[1]["ETag"] and answers[2]["Error"]["Code"] == "NoSuchBucket"
    assert all(first == last for first, last in requests)
    s3 = _urls(requests, 0)
    assert s3[:4] == ["https://waveflow-a.s3.amazonaws.com/", "https://waveflow-a.s3.amazonaws.com/payload.json",
                      "https://waveflow-b.s3.amazonaws.com/payload.json",
                      "https://s3.amazonaws.com/waveflow_c/payload.json"]
    assert _urls(requests, 1) == ["https://waveflow-a.s3.eu-west-1.amazonaws.com/payload.json"]
    assert _urls(requests, 2) == ["https://s3.amazonaws.com/waveflow-a/payload.json"]
    assert _urls(requests, 3) == ["https://dynamodb.eu-west-1.amazonaws.com/"]
    assert _urls(requests, 4) == ["https://dynamodb-fips.eu-west-1.amazonaws.com/"]
    # S3's PutObject has checksum traits: botocore's own steps decide its checksum, as without the replacements
    assert requests[0][0][1]["context"]["checksum"]["request_algorithm"]["algorithm"] == "crc32"


def test_an_endpoint_follows_static_context_params_call_args_and_built_ins_a_handler_changes(fake_aws):
    """S3 Object Lambda's static context param and host prefix, a DynamoDB table named by its ARN (another
    account's endpoint), in a call's args or in a list searched from them, a built-in a
    ``before-endpoint-resolution`` handler changes between two calls."""
    def conversation(s3, dynamodb):
        fips = [False]
        dynamodb.meta.events.register("before-endpoint-resolution.dynamodb",
                                      lambda builtins, **_: builtins.update({"AWS::UseFIPS": fips[0]}))
        key = {"pk": {"S": "srv-1"}}
        arn = f"arn:aws:dynamodb:{REGION}:444455556666:table/{TABLE}"

        def listed_with_fips():
            fips[0] = True
            return dynamodb.list_tables()

        return [lambda: s3.get_object(Bucket="waveflow-a", Key="route-1"),
                lambda: s3.write_get_object_response(RequestRoute="route-1", RequestToken="token", Body=b"{}"),
                lambda: s3.write_get_object_response(RequestRoute="route-2", RequestToken="token", Body=b"{}"),
                lambda: dynamodb.get_item(TableName=TABLE, Key=key),
                lambda: dynamodb.get_item(TableName=arn, Key=key),
                lambda: dynamodb.batch_get_item(RequestItems={arn: {"Keys": [key]}}),  # a list, from a search
                lambda: dynamodb.list_tables(), listed_with_fips]

    plain, replaced = _both(conversation, ("s3", REGION, TASKS), ("dynamodb", REGION, TASKS), canned=True)
    assert replaced == plain
    _, requests = replaced
    assert _urls(requests, 0) == ["https://waveflow-a.s3.amazonaws.com/route-1",
                                  f"https://route-1.s3-object-lambda.{REGION}.amazonaws.com/WriteGetObjectResponse",
                                  f"https://route-2.s3-object-lambda.{REGION}.amazonaws.com/WriteGetObjectResponse"]
    assert _urls(requests, 1) == [f"https://dynamodb.{REGION}.amazonaws.com/",
                                  f"https://444455556666.ddb.{REGION}.amazonaws.com/",
                                  f"https://444455556666.ddb.{REGION}.amazonaws.com/",
                                  f"https://dynamodb.{REGION}.amazonaws.com/",
                                  f"https://dynamodb-fips.{REGION}.amazonaws.com/"]


def test_a_call_made_inside_another_and_new_params_from_a_handler_are_as_on_botocore(fake_aws):
    """A ``provide-client-params`` handler's new parameters are the ones sent; a request made by a ``before-call``
    handler (as the twin's do) works on a copy of the outer request's context: the outer paginator's feature in
    its user agent, its own features not in the outer's."""
    def conversation(dynamodb, sfn):
        inner = []

        def call_inside(params, **_):
            if not inner:
                inner.append(sfn.list_state_machines())
            return None
        dynamodb.meta.events.register_first("before-call.dynamodb.Scan", call_inside)
        dynamodb.meta.events.register("provide-client-params.dynamodb.GetItem",
                                      lambda params, **_: {**params, "ConsistentRead": True})
        return [lambda: dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "srv-1"}}),
                lambda: list(dynamodb.get_paginator("scan").paginate(TableName=TABLE)),
                lambda: dynamodb.list_tables(), lambda: inner]

    plain, replaced = _both(conversation, ("dynamodb", REGION, TASKS), ("stepfunctions", REGION, TASKS),
                            canned=True)
    assert replaced == plain
    _, requests = replaced
    assert b'"ConsistentRead": true' in requests[0][0][0]["body"]
    outer, inner = requests[0][0][1]["headers"]["User-Agent"], requests[1][0][0]["headers"]["User-Agent"]
    assert outer.split(" m/")[1].split(" ")[0] in inner


def test_a_make_api_call_someone_else_wrapped_is_left_in_place(fake_aws, monkeypatch):
    botocores = botocore_client.BaseClient._make_api_call

    def traced(self, operation_name, api_params):
        return botocores(self, operation_name, api_params)
    monkeypatch.setattr(botocore_client.BaseClient, "_make_api_call", traced)
    with faster_moto():
        assert botocore_client.BaseClient._make_api_call is traced


def _botocores() -> tuple:
    return (EndpointRulesetResolver.construct_endpoint, useragent.UserAgentString.to_string, awsrequest._urljoin,
            botocore_client.resolve_checksum_context, botocore_client.BaseClient._make_api_call,
            ParamValidationDecorator.serialize_to_request)


def test_the_replacements_leave_with_faster_moto(fake_aws):
    owners = _botocores()
    with faster_moto():
        assert all(replaced is not own for replaced, own in zip(_botocores(), owners))
    assert _botocores() == owners
