"""The MGN gateway: exact calls and error mapping (botocore Stubber), and behaviour against the MGN emulator."""

from __future__ import annotations

import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from tasks.lib.errors import (
    MgnConflict,
    MgnThrottled,
    MgnUnavailable,
    SourceNotReady,
    ValidationFailed,
)
from tasks.lib.mgn import MgnGateway, translate
from waveflow.local.mgn import FaultPlan, MgnEmulator

SERVER = "s-0a1b2c3d4e5f60718"


@pytest.fixture
def stubbed(boto_session):
    client = boto_session.client("mgn")
    with Stubber(client) as stubber:
        yield MgnGateway(client), stubber
        stubber.assert_no_pending_responses()


ERROR_MAP = [
    ("ThrottlingException", 429, MgnThrottled),
    ("InternalServerException", 500, MgnUnavailable),
    ("ServiceUnavailable", 503, MgnUnavailable),
    ("SomethingNew", 502, MgnUnavailable),
    ("ConflictException", 409, MgnConflict),
    ("ResourceNotFoundException", 404, SourceNotReady),
    ("ValidationException", 400, ValidationFailed),
    ("AccessDeniedException", 403, ValidationFailed),
    ("ServiceQuotaExceededException", 402, ValidationFailed),
    ("UninitializedAccountException", 400, ValidationFailed),
    ("SomethingElseNew", 400, ValidationFailed),
]


@pytest.mark.parametrize(("code", "status", "expected"), ERROR_MAP, ids=[row[0] for row in ERROR_MAP])
def test_each_mgn_error_code_maps_to_its_waveflow_error(stubbed, code, status, expected):
    gateway, stubber = stubbed
    stubber.add_client_error("start_test", service_error_code=code, service_message="nope", http_status_code=status)
    with pytest.raises(expected, match=f"StartTest {SERVER}") as raised:
        gateway.start_test(SERVER)
    assert type(raised.value) is expected
    assert raised.value.__cause__ is not None


def test_an_uninitialised_account_says_what_to_do(stubbed):
    gateway, stubber = stubbed
    stubber.add_client_error("describe_source_servers", service_error_code="UninitializedAccountException")
    with pytest.raises(ValidationFailed, match="MGN is not initialised .* InitializeService"):
        gateway.source_server(SERVER)


def test_a_lost_connection_is_mgn_unavailable():
    error = translate(EndpointConnectionError(endpoint_url="https://mgn.us-east-1.amazonaws.com"), "StartTest x")
    assert isinstance(error, MgnUnavailable)
    assert translate(ValueError("not AWS"), "x") is None


def test_each_operation_sends_the_expected_request(stubbed):
    gateway, stubber = stubbed
    job = {"jobID": "mgnjob-0123456789abcdef0", "type": "LAUNCH", "status": "PENDING"}
    expect = [
        ("start_test", {"sourceServerIDs": [SERVER]}, {"job": job}, lambda: gateway.start_test(SERVER), job),
        ("start_cutover", {"sourceServerIDs": [SERVER]}, {"job": job}, lambda: gateway.start_cutover(SERVER), job),
        ("describe_jobs", {"filters": {"jobIDs": [job["jobID"]]}}, {"items": [job]}, lambda: gateway.job(job["jobID"]), job),
        (
            "change_server_life_cycle_state",
            {"sourceServerID": SERVER, "lifeCycle": {"state": "READY_FOR_CUTOVER"}},
            {"sourceServerID": SERVER},
            lambda: gateway.mark_ready_for_cutover(SERVER),
            {"sourceServerID": SERVER},
        ),
        ("finalize_cutover", {"sourceServerID": SERVER}, {"sourceServerID": SERVER}, lambda: gateway.finalize_cutover(SERVER), None),
        ("mark_as_archived", {"sourceServerID": SERVER}, {"sourceServerID": SERVER}, lambda: gateway.archive(SERVER), None),
        ("start_replication", {"sourceServerID": SERVER}, {"sourceServerID": SERVER}, lambda: gateway.start_replication(SERVER), {"sourceServerID": SERVER}),
        ("stop_replication", {"sourceServerID": SERVER}, {"sourceServerID": SERVER}, lambda: gateway.stop_replication(SERVER), None),
        ("retry_data_replication", {"sourceServerID": SERVER}, {"sourceServerID": SERVER}, lambda: gateway.retry_replication(SERVER), None),
    ]
    for operation, params, response, call, result in expect:
        stubber.add_response(operation, response, params)
        returned = call()
        if result is not None:
            assert returned == result, operation


def test_an_unknown_server_is_not_ready_with_a_hint(stubbed):
    gateway, stubber = stubbed
    stubber.add_response("describe_source_servers", {"items": []}, {"filters": {"sourceServerIDs": [SERVER]}})
    with pytest.raises(SourceNotReady, match="install the replication agent"):
        gateway.source_server(SERVER)


def test_an_unknown_job_is_a_validation_failure(stubbed):
    gateway, stubber = stubbed
    stubber.add_response("describe_jobs", {"items": []})
    with pytest.raises(ValidationFailed, match="no job mgnjob-00000000000000000"):
        gateway.job("mgnjob-00000000000000000")


def test_a_malformed_id_is_a_validation_failure_before_any_call(boto_session):
    gateway = MgnGateway(boto_session.client("mgn"))  # botocore refuses it before sending anything
    with pytest.raises(ValidationFailed, match="DescribeJobs job-1.*jobIDs"):
        gateway.job("job-1")


def test_terminating_without_a_launched_instance_does_nothing(stubbed):
    gateway, stubber = stubbed
    stubber.add_response("describe_source_servers", {"items": [{"sourceServerID": SERVER}]})
    assert gateway.terminate_target_instances(SERVER) is None


def test_terminating_a_launched_instance_returns_the_job(stubbed):
    gateway, stubber = stubbed
    launched = {"ec2InstanceID": "i-0123456789abcdef0", "jobID": "mgnjob-11111111111111111", "firstBoot": "SUCCEEDED"}
    stubber.add_response("describe_source_servers", {"items": [{"sourceServerID": SERVER, "launchedInstance": launched}]})
    stubber.add_response("terminate_target_instances", {"job": {"jobID": "mgnjob-22222222222222222"}}, {"sourceServerIDs": [SERVER]})
    assert gateway.terminate_target_instances(SERVER) == {"jobID": "mgnjob-22222222222222222"}


# -- against the MGN emulator ------------------------------------------------------------------------------------


@pytest.fixture
def emulated(clock):
    def build(**kwargs):
        emulator = MgnEmulator(clock=clock, seed=3, **kwargs)
        return emulator, MgnGateway(emulator.client())

    return build


def test_replication_becomes_ready_as_the_virtual_clock_runs(emulated, clock):
    emulator, gateway = emulated()
    server_id = emulator.add_source_server(hostname="web-01", disks_gib=(1,))
    first = gateway.replication_view(gateway.source_server(server_id))
    assert not first.ready and not first.stalled
    for _ in range(48):
        clock.advance(3600)
        view = gateway.replication_view(gateway.source_server(server_id))
        if view.ready:
            break
    assert view.ready and view.state == "CONTINUOUS" and view.backlog_bytes == 0
    assert view.lag_seconds is not None and view.lag_seconds <= 60


def test_a_stalled_server_is_reported_with_its_error(emulated, clock):
    emulator, gateway = emulated(faults=FaultPlan(stall_servers=frozenset({"web-02"})))
    server_id = emulator.add_source_server(hostname="web-02", disks_gib=(1,))
    for _ in range(48):
        clock.advance(3600)
        view = gateway.replication_view(gateway.source_server(server_id))
        if view.stalled:
            break
    assert view.stalled and not view.ready and view.error


def test_emulated_throttling_and_5xx_map_to_transient_errors(emulated):
    for plan, expected in ((FaultPlan(throttle_rate=1.0), MgnThrottled), (FaultPlan(server_error_rate=1.0), MgnUnavailable)):
        emulator, gateway = emulated(faults=plan)
        with pytest.raises(expected):
            gateway.source_server("s-00000000000000001")


def test_an_emulated_uninitialised_account_is_a_validation_failure(emulated):
    _, gateway = emulated(initialized=False)
    with pytest.raises(ValidationFailed, match="not initialised"):
        gateway.source_server("s-00000000000000001")


def test_starting_a_cutover_before_replication_is_ready_conflicts(emulated):
    emulator, gateway = emulated()
    server_id = emulator.add_source_server(hostname="web-03")
    with pytest.raises(MgnConflict, match="NOT_READY"):
        gateway.start_cutover(server_id)


def test_start_replication_errors_are_named_with_the_operation_and_server(stubbed):
    gateway, stubber = stubbed
    stubber.add_client_error("start_replication", service_error_code="ThrottlingException", http_status_code=429)
    stubber.add_client_error("start_replication", service_error_code="ConflictException", http_status_code=409)
    with pytest.raises(MgnThrottled, match=f"StartReplication {SERVER}"):
        gateway.start_replication(SERVER)
    with pytest.raises(MgnConflict, match=f"StartReplication {SERVER}"):
        gateway.start_replication(SERVER)


def test_start_replication_restarts_a_stopped_server_and_conflicts_on_a_running_one(emulated):
    emulator, gateway = emulated()
    server_id = emulator.add_source_server(hostname="web-04")
    with pytest.raises(MgnConflict, match=f"StartReplication {server_id}"):
        gateway.start_replication(server_id)  # replicating since the agent was installed
    gateway.stop_replication(server_id)
    started = gateway.start_replication(server_id)
    assert started["sourceServerID"] == server_id
    assert started["dataReplicationInfo"]["dataReplicationState"] == "INITIATING"
    assert started["lifeCycle"]["state"] == "NOT_READY"
