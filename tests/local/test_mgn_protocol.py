"""The MGN emulator on the wire: routing, status codes, errors, validation, faults, pagination and installation."""
from __future__ import annotations

import json

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config
from moto import mock_aws

from waveflow.local.mgn import FaultPlan, MgnEmulator
from waveflow.local.mgn.operations import OPERATIONS
from waveflow.local.mgn.protocol import load_service_model
from waveflow.local.mgn.validation import validate

T0 = 1_700_000_000.0
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1})


@pytest.fixture
def aws_env(monkeypatch):
    """Dummy credentials and a fresh boto3 default session, as a handler under test would see."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def test_every_registered_operation_is_an_mgn_operation():
    assert set(OPERATIONS) <= set(load_service_model().operation_names)


def test_installed_on_the_default_session_serves_a_plain_boto3_client(aws_env):
    emu = MgnEmulator(clock=lambda: T0)
    sid = emu.add_source_server(hostname="web-01")
    emu.install()
    try:
        mgn = boto3.client("mgn", region_name="us-east-1")
        assert [s["sourceServerID"] for s in mgn.describe_source_servers()["items"]] == [sid]
        assert emu.calls == [("DescribeSourceServers", {})]
    finally:
        emu.uninstall()


def test_install_serves_clients_created_afterwards_only_and_attach_serves_an_existing_one(aws_env):
    session = botocore.session.get_session()
    with mock_aws():  # moto answers MGN requests the emulator does not serve: 404 "Not yet implemented"
        before = session.create_client("mgn", region_name="us-east-1")
        emu = MgnEmulator(clock=lambda: T0)
        emu.install(session)
        after = session.create_client("mgn", region_name="us-east-1")
        assert after.describe_source_servers()["items"] == []
        with pytest.raises(before.exceptions.ClientError, match="404"):
            before.describe_source_servers()
        emu.attach(before)
        assert before.describe_source_servers()["items"] == []
        emu.uninstall()
    assert len(emu.calls) == 2


def test_uninstall_stops_serving_clients_made_while_installed(aws_env):
    with mock_aws():  # moto answers what the emulator no longer does: 404 "Not yet implemented"
        emu = MgnEmulator(clock=lambda: T0)
        emu.install()
        mgn = boto3.client("mgn", region_name="us-east-1")
        mgn.describe_source_servers()
        emu.uninstall()
        with pytest.raises(mgn.exceptions.ClientError, match="404"):
            mgn.describe_source_servers()
    assert len(emu.calls) == 1


def test_other_services_under_moto_are_unaffected(aws_env):
    with mock_aws():
        emu = MgnEmulator(clock=lambda: T0)
        emu.install()
        try:
            sqs = boto3.client("sqs", region_name="us-east-1")
            queue = sqs.create_queue(QueueName="requests")["QueueUrl"]
            sqs.send_message(QueueUrl=queue, MessageBody="hello")
            assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == "hello"
            sid = emu.add_source_server(hostname="web-01")
            mgn = boto3.client("mgn", region_name="us-east-1")
            assert mgn.describe_source_servers()["items"][0]["sourceServerID"] == sid
            assert [name for name, _ in emu.calls] == ["DescribeSourceServers"]
        finally:
            emu.uninstall()


def test_status_codes_follow_the_model():
    emu = MgnEmulator(clock=lambda: T0)
    mgn = emu.client()
    assert mgn.describe_source_servers()["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert mgn.initialize_service()["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_server_side_validation_answers_with_field_list():
    emu = MgnEmulator(clock=lambda: T0)
    mgn = emu.client(Config(parameter_validation=False))
    with pytest.raises(mgn.exceptions.ValidationException) as caught:
        mgn.describe_source_servers(filters={"lifeCycleStates": ["BOGUS"]}, maxResults=5000)
    response = caught.value.response
    assert response["reason"] == "fieldValidationFailed"
    assert [field["name"] for field in response["fieldList"]] == ["filters.lifeCycleStates[0]", "maxResults"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_pattern_violations_that_botocore_lets_through_are_refused():
    mgn = MgnEmulator(clock=lambda: T0).client()
    with pytest.raises(mgn.exceptions.ValidationException, match="sourceServerID must match pattern"):
        mgn.get_launch_configuration(sourceServerID="s-!!!!!!!!!!!!!!!!!")


def test_unimplemented_operation_answers_unknown_operation():
    emu = MgnEmulator(clock=lambda: T0)
    mgn = emu.client()
    with pytest.raises(mgn.exceptions.ClientError) as caught:
        mgn.list_waves()
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "ListWaves is not implemented" in caught.value.response["Error"]["Message"]


def _raw(emu: MgnEmulator, method: str, path: str, body: bytes | None):
    request = AWSPreparedRequest(method=method, url=f"https://mgn.us-east-1.amazonaws.com{path}", headers={},
                                 body=body, stream_output=False)
    response = emu.serve(request)
    return response.status_code, response.headers, json.loads(response.content)


def test_unknown_route_and_unparsable_body_are_answered_not_crashed():
    emu = MgnEmulator(clock=lambda: T0)
    status, headers, body = _raw(emu, "POST", "/NoSuchThing", b"{}")
    assert (status, headers["x-amzn-ErrorType"]) == (404, "UnknownOperationException")
    assert "POST /NoSuchThing" in body["message"]
    status, headers, body = _raw(emu, "POST", "/DescribeSourceServers", b"{not json")
    assert (status, headers["x-amzn-ErrorType"], body["reason"]) == (400, "ValidationException", "cannotParse")


def test_throttling_surfaces_as_throttling_exception_with_retry_after():
    emu = MgnEmulator(clock=lambda: T0, faults=FaultPlan(throttle_rate=1.0))
    mgn = emu.client(ONE_ATTEMPT)
    with pytest.raises(mgn.exceptions.ThrottlingException) as caught:
        mgn.describe_source_servers()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert caught.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "1"
    assert len(emu.calls) == 1


def test_throttling_at_a_rate_is_seeded():
    def throttled(seed: int) -> list[bool]:
        emu = MgnEmulator(clock=lambda: T0, seed=seed, faults=FaultPlan(throttle_rate=0.3))
        mgn = emu.client(ONE_ATTEMPT)
        outcome = []
        for _ in range(40):
            try:
                mgn.describe_source_servers()
                outcome.append(False)
            except mgn.exceptions.ThrottlingException:
                outcome.append(True)
        return outcome

    assert throttled(4) == throttled(4)
    assert throttled(4) != throttled(5), "another seed throttles other calls"
    assert 4 <= sum(throttled(4)) <= 20


def test_server_errors_surface_as_internal_server_exception():
    emu = MgnEmulator(clock=lambda: T0, faults=FaultPlan(server_error_rate=1.0))
    mgn = emu.client(ONE_ATTEMPT)
    with pytest.raises(mgn.exceptions.InternalServerException):
        mgn.describe_jobs()


@pytest.mark.parametrize("emu_args", [{"initialized": False}, {"faults": FaultPlan(uninitialized=True)}])
def test_uninitialized_account_until_initialize_service(emu_args):
    mgn = MgnEmulator(clock=lambda: T0, **emu_args).client()
    with pytest.raises(mgn.exceptions.UninitializedAccountException):
        mgn.describe_source_servers()
    mgn.initialize_service()
    assert mgn.describe_source_servers()["items"] == []


def test_a_region_the_emulator_does_not_hold_is_uninitialized():
    emu = MgnEmulator(clock=lambda: T0, region="eu-west-1")
    other = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b").client("mgn", region_name="us-east-1")
    emu.attach(other)
    with pytest.raises(other.exceptions.UninitializedAccountException, match="us-east-1"):
        other.describe_source_servers()


def test_describe_source_servers_pages_with_tokens_and_botocore_paginator():
    emu = MgnEmulator(clock=lambda: T0)
    ids = [emu.add_source_server(hostname=f"h{i}") for i in range(25)]
    mgn = emu.client()
    first = mgn.describe_source_servers(maxResults=10)
    second = mgn.describe_source_servers(maxResults=10, nextToken=first["nextToken"])
    third = mgn.describe_source_servers(maxResults=10, nextToken=second["nextToken"])
    assert "nextToken" not in third
    assert [s["sourceServerID"] for s in first["items"] + second["items"] + third["items"]] == ids
    pages = mgn.get_paginator("describe_source_servers").paginate(PaginationConfig={"PageSize": 7})
    assert [len(page["items"]) for page in pages] == [7, 7, 7, 4]
    with pytest.raises(mgn.exceptions.ValidationException, match="nextToken"):
        mgn.describe_source_servers(nextToken="garbage")
    with pytest.raises(mgn.exceptions.ValidationException, match="nextToken"):
        mgn.describe_jobs(nextToken=first["nextToken"])


def test_describe_source_servers_filters():
    clock = [T0]
    emu = MgnEmulator(clock=lambda: clock[0])
    fast = emu.add_source_server(hostname="fast", disks_gib=(1,), replication_speed_mib_s=1024)
    slow = emu.add_source_server(hostname="slow", disks_gib=(1000,), replication_speed_mib_s=1)
    clock[0] += 3600
    mgn = emu.client()

    def ids(**filters):
        return [s["sourceServerID"] for s in mgn.describe_source_servers(filters=filters)["items"]]

    assert ids(lifeCycleStates=["READY_FOR_TEST"]) == [fast]
    assert ids(lifeCycleStates=["NOT_READY", "READY_FOR_TEST"]) == [fast, slow]
    assert ids(sourceServerIDs=[slow, "s-00000000000000000"]) == [slow]
    assert ids(replicationTypes=["AGENT_BASED"]) == [fast, slow]
    assert ids(replicationTypes=["SNAPSHOT_SHIPPING"]) == []
    assert ids(isArchived=False, lifeCycleStates=["NOT_READY"]) == [slow]


def test_tags_on_servers_and_jobs_and_unknown_arns():
    clock = [T0]
    emu = MgnEmulator(clock=lambda: clock[0])
    sid = emu.add_source_server(hostname="web-01", tags={"app": "shop"}, disks_gib=(1,), replication_speed_mib_s=1024)
    clock[0] += 3600
    mgn = emu.client()
    server_arn = emu.source_servers[sid].arn
    mgn.tag_resource(resourceArn=server_arn, tags={"wave": "7", "owner": "ops"})
    mgn.untag_resource(resourceArn=server_arn, tagKeys=["owner"])
    assert mgn.list_tags_for_resource(resourceArn=server_arn)["tags"] == {"app": "shop", "wave": "7"}
    job_arn = mgn.start_test(sourceServerIDs=[sid], tags={"by": "waveflow"})["job"]["arn"]
    assert mgn.list_tags_for_resource(resourceArn=job_arn)["tags"] == {"by": "waveflow"}
    with pytest.raises(mgn.exceptions.ResourceNotFoundException):
        mgn.list_tags_for_resource(resourceArn="arn:aws:mgn:us-east-1:123456789012:source-server/s-00000000000000000")
    assert [name for name, _ in emu.calls][:3] == ["TagResource", "UntagResource", "ListTagsForResource"]
    assert emu.calls[1][1] == {"resourceArn": server_arn, "tagKeys": ["owner"]}


def test_responses_conform_to_the_output_shapes():
    clock = [T0]
    emu = MgnEmulator(clock=lambda: clock[0], faults=FaultPlan(stall_servers=frozenset({"db-01"})))
    sid = emu.add_source_server(hostname="web-01", disks_gib=(1, 2), replication_speed_mib_s=1024)
    emu.add_source_server(hostname="db-01", disks_gib=(50,), os="WINDOWS")
    model = load_service_model()
    mgn = emu.client()
    responses = []
    for _ in range(3):
        responses.append(("DescribeSourceServers", mgn.describe_source_servers()))
        clock[0] += 1500
    job = mgn.start_test(sourceServerIDs=[sid])
    responses.append(("StartTest", job))
    clock[0] += 1800
    responses.append(("DescribeJobs", mgn.describe_jobs()))
    responses.append(("DescribeJobLogItems", mgn.describe_job_log_items(jobID=job["job"]["jobID"])))
    responses.append(("GetLaunchConfiguration", mgn.get_launch_configuration(sourceServerID=sid)))
    responses.append(("GetReplicationConfiguration", mgn.get_replication_configuration(sourceServerID=sid)))
    for name, response in responses:
        response.pop("ResponseMetadata")
        assert validate(model.operation_model(name).output_shape, response) == [], name


def test_an_ec2_source_reports_its_instance_as_an_identification_hint():
    emu = MgnEmulator(clock=lambda: T0)
    ec2_source = emu.add_source_server(hostname="app-01", aws_instance_id="i-0123456789abcdef0")
    on_premises = emu.add_source_server(hostname="app-02")
    answer = emu.client().describe_source_servers()
    hints = {item["sourceServerID"]: item["sourceProperties"]["identificationHints"] for item in answer["items"]}
    assert hints[ec2_source] == {"hostname": "app-01", "fqdn": "app-01.corp.internal",
                                 "awsInstanceID": "i-0123456789abcdef0"}
    assert "awsInstanceID" not in hints[on_premises]
    answer.pop("ResponseMetadata")
    assert validate(load_service_model().operation_model("DescribeSourceServers").output_shape, answer) == []
