"""The MGN emulator's answers before signing (botocore's ``before-call``) against its answers over the full wire
(``wire_only``: signed, sent, parsed by botocore): the same conversations give the same results and exceptions,
and injected call faults are still retried by a client that retries."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from mgn_clock import Clock

from waveflow.local.mgn import FaultPlan, MgnEmulator

NO_CLIENT_VALIDATION = Config(parameter_validation=False)
ONE_ATTEMPT = Config(retries={"total_max_attempts": 1})
RETRYING = Config(retries={"mode": "standard", "total_max_attempts": 3})


def outcome(call) -> tuple:
    """What a caller sees of one call: the result, or the exception's class name, message and response."""
    try:
        return ("answer", call())
    except ClientError as error:
        return ("raised", type(error).__name__, str(error), error.response)


def conversation(wire_only: bool, config: Config | None) -> tuple[list[tuple], MgnEmulator, list[str]]:
    """Launch a test and a cutover, tag, page, and make MGN refuse in every way a stage can meet; returns what
    the caller saw, the emulator and the operations whose requests were signed."""
    clock = Clock()
    emu = MgnEmulator(clock=clock, seed=11, wire_only=wire_only)
    web = emu.add_source_server(hostname="web-01", disks_gib=(1, 2), replication_speed_mib_s=1024,
                                tags={"app": "shop"})
    slow = emu.add_source_server(hostname="db-01", disks_gib=(500,), replication_speed_mib_s=1, os="WINDOWS")
    others = [emu.add_source_server(hostname=f"app-{i:02}") for i in range(5)]
    clock.now += 3600
    mgn = emu.client(config)
    unvalidated = emu.client(NO_CLIENT_VALIDATION.merge(config) if config else NO_CLIENT_VALIDATION)
    elsewhere = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b").client("mgn", region_name="eu-west-1",
                                                                                       config=config)
    emu.attach(elsewhere)
    signed: list[str] = []
    for client in (mgn, unvalidated, elsewhere):
        client.meta.events.register("before-sign.mgn", lambda operation_name, **_: signed.append(operation_name))
    server_arn = emu.source_servers[web].arn
    seen = [
        outcome(lambda: mgn.describe_source_servers(filters={"sourceServerIDs": [web, "s-00000000000000000"]})),
        outcome(lambda: mgn.describe_source_servers(filters={"lifeCycleStates": ["READY_FOR_TEST"],
                                                             "isArchived": False})),
        outcome(lambda: mgn.describe_source_servers(maxResults=3)),
    ]
    seen += [
        outcome(lambda: mgn.describe_source_servers(maxResults=3, nextToken=seen[2][1]["nextToken"])),
        outcome(lambda: mgn.update_launch_configuration(sourceServerID=web, copyPrivateIp=True,
                                                        licensing={"osByol": False},
                                                        targetInstanceTypeRightSizingMethod="NONE")),
        outcome(lambda: mgn.get_launch_configuration(sourceServerID=web)),
        outcome(lambda: mgn.tag_resource(resourceArn=server_arn, tags={"wave": "7", "owner": "ops"})),
        outcome(lambda: mgn.untag_resource(resourceArn=server_arn, tagKeys=["owner", "no such key"])),
        outcome(lambda: mgn.list_tags_for_resource(resourceArn=server_arn)),
        outcome(lambda: mgn.start_test(sourceServerIDs=[web], tags={"by": "waveflow"})),
        outcome(lambda: mgn.start_test(sourceServerIDs=[slow])),                          # ConflictException
        outcome(lambda: mgn.update_launch_configuration(sourceServerID=web, copyTags=True)),  # locked in a launch
    ]
    job_id = seen[9][1]["job"]["jobID"]
    clock.now += 60
    seen.append(outcome(lambda: mgn.describe_jobs(filters={"jobIDs": [job_id]})))
    clock.now += 1800
    seen += [
        outcome(lambda: mgn.describe_jobs(filters={"jobIDs": [job_id]})),
        outcome(lambda: mgn.describe_jobs()),
        outcome(lambda: mgn.describe_job_log_items(jobID=job_id)),
        outcome(lambda: mgn.list_tags_for_resource(resourceArn=seen[9][1]["job"]["arn"])),
        outcome(lambda: mgn.change_server_life_cycle_state(sourceServerID=web,
                                                           lifeCycle={"state": "READY_FOR_CUTOVER"})),
        outcome(lambda: mgn.change_server_life_cycle_state(sourceServerID=others[0],
                                                           lifeCycle={"state": "READY_FOR_TEST"})),
        outcome(lambda: mgn.start_cutover(sourceServerIDs=[web])),
        outcome(lambda: mgn.finalize_cutover(sourceServerID=web)),                     # not launched yet
        outcome(lambda: mgn.finalize_cutover(sourceServerID="s-00000000000000000")),   # ResourceNotFoundException
        outcome(lambda: mgn.list_tags_for_resource(
            resourceArn="arn:aws:mgn:us-east-1:123456789012:source-server/s-00000000000000000")),
        outcome(lambda: unvalidated.describe_source_servers(filters={"lifeCycleStates": ["BOGUS"]}, maxResults=5000)),
        outcome(lambda: mgn.get_launch_configuration(sourceServerID="s-!!!!!!!!!!!!!!!!!")),
        outcome(lambda: mgn.describe_source_servers(nextToken="garbage")),
        outcome(lambda: elsewhere.describe_source_servers()),                          # UninitializedAccount
        outcome(lambda: mgn.list_waves()),                                             # UnknownOperationException
        outcome(lambda: mgn.initialize_service()),                                     # 204, no body
        outcome(lambda: mgn.retry_data_replication(sourceServerID=web)),               # ValidationException
        outcome(lambda: mgn.get_replication_configuration(sourceServerID=others[1])),
        outcome(lambda: mgn.update_replication_configuration(sourceServerID=others[1],
                                                             useDedicatedReplicationServer=True)),
        outcome(lambda: mgn.pause_replication(sourceServerID=others[1])),
        outcome(lambda: mgn.resume_replication(sourceServerID=others[1])),
        outcome(lambda: mgn.stop_replication(sourceServerID=others[2])),
        outcome(lambda: mgn.start_replication(sourceServerID=others[2])),
        outcome(lambda: mgn.disconnect_from_service(sourceServerID=others[3])),
        outcome(lambda: mgn.delete_source_server(sourceServerID=others[3])),
        outcome(lambda: mgn.terminate_target_instances(sourceServerIDs=[web])),
    ]
    clock.now += 1800
    seen.append(outcome(lambda: mgn.mark_as_archived(sourceServerID=web)))
    seen.append(outcome(lambda: mgn.finalize_cutover(sourceServerID=web)))
    seen.append(outcome(lambda: mgn.mark_as_archived(sourceServerID=web)))
    emu.uninstall()
    return seen, emu, signed


def in_order(value) -> str:
    """``value`` as JSON with its keys in the order they were made, so the comparison sees member order too."""
    return json.dumps(value, default=repr)


@pytest.mark.parametrize("config", [None, ONE_ATTEMPT], ids=["retrying client", "one attempt"])
def test_a_conversation_answered_before_signing_equals_the_one_over_the_wire(config):
    fast, fast_emu, fast_signed = conversation(wire_only=False, config=config)
    wire, wire_emu, wire_signed = conversation(wire_only=True, config=config)
    assert fast_signed == [], "no request was signed: all were answered before"
    assert len(wire_signed) == len(wire)
    for number, (before_call, over_the_wire) in enumerate(zip(fast, wire)):
        assert before_call == over_the_wire, f"call {number}"
        assert in_order(before_call) == in_order(over_the_wire), f"call {number}: members in another order"
    assert fast_emu.calls == wire_emu.calls
    assert fast_emu.events == wire_emu.events
    raised = {entry[1] for entry in fast if entry[0] == "raised"}
    assert raised == {"ConflictException", "ResourceNotFoundException", "ValidationException",
                      "UninitializedAccountException", "ClientError"}
    answered = {name for (name, _), entry in zip(fast_emu.calls, fast) if entry[0] == "answer"}
    assert answered >= {"DescribeSourceServers", "StartTest", "DescribeJobs", "StartCutover", "TagResource",
                        "ChangeServerLifeCycleState", "UpdateLaunchConfiguration", "DeleteSourceServer"}


def test_errors_answered_before_signing_carry_every_modelled_field():
    emu = MgnEmulator(clock=Clock())
    mgn = emu.client(NO_CLIENT_VALIDATION)
    kind, name, _, response = outcome(lambda: mgn.describe_source_servers(filters={"lifeCycleStates": ["BOGUS"]}))
    assert (kind, name, response["reason"]) == ("raised", "ValidationException", "fieldValidationFailed")
    assert response["fieldList"][0]["name"] == "filters.lifeCycleStates[0]"
    assert response["Error"]["Code"] == "ValidationException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_before_call_answer_is_a_copy_the_caller_may_change():
    emu = MgnEmulator(clock=Clock())
    sid = emu.add_source_server(hostname="web-01", tags={"app": "shop"})
    mgn = emu.client()
    first = mgn.describe_source_servers()["items"][0]
    first["tags"]["app"] = "changed"
    first["sourceProperties"]["disks"].clear()
    again = mgn.describe_source_servers()["items"][0]
    assert (again["sourceServerID"], again["tags"]) == (sid, {"app": "shop"})
    assert again["sourceProperties"]["disks"]


def throttled_calls(wire_only: bool, config: Config, calls: int) -> tuple[list[tuple], MgnEmulator]:
    """``calls`` DescribeSourceServers under a 50 % throttle; seed 18 throttles the first attempt only."""
    emu = MgnEmulator(clock=Clock(), seed=18, faults=FaultPlan(throttle_rate=0.5), wire_only=wire_only)
    emu.add_source_server(hostname="web-01")
    mgn = emu.client(config)
    return [outcome(mgn.describe_source_servers) for _ in range(calls)], emu


def test_the_same_seed_throttles_the_same_calls_before_signing_as_over_the_wire():
    fast, fast_emu = throttled_calls(wire_only=False, config=ONE_ATTEMPT, calls=40)
    wire, wire_emu = throttled_calls(wire_only=True, config=ONE_ATTEMPT, calls=40)
    assert fast == wire
    assert fast_emu.calls == wire_emu.calls
    assert 5 <= sum(entry[0] == "raised" for entry in fast) <= 35


def test_throttles_are_retried_by_a_client_that_retries():
    fast, fast_emu = throttled_calls(wire_only=False, config=RETRYING, calls=3)
    wire, wire_emu = throttled_calls(wire_only=True, config=RETRYING, calls=3)
    assert fast == wire
    assert [entry[0] for entry in fast] == ["answer"] * 3
    assert [entry[1]["ResponseMetadata"]["RetryAttempts"] for entry in fast] == [1, 0, 0]
    assert len(fast_emu.calls) == len(wire_emu.calls) == 4


def test_an_emulator_hooked_twice_on_one_client_draws_once_per_attempt():
    once, _ = throttled_calls(wire_only=False, config=ONE_ATTEMPT, calls=20)
    emu = MgnEmulator(clock=Clock(), seed=18, faults=FaultPlan(throttle_rate=0.5))
    emu.add_source_server(hostname="web-01")
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name="us-east-1")
    emu.install(session)
    mgn = session.client("mgn", config=ONE_ATTEMPT)
    emu.attach(mgn)
    assert [outcome(mgn.describe_source_servers) for _ in range(20)] == once
