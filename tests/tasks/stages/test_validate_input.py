"""ValidateInput against moto EC2 and the MGN emulator."""

from __future__ import annotations

import pytest
from stage_pipeline import SERVER_ID, record_of

from tasks import validate_input
from tasks.lib.errors import AwsThrottled, IllegalTransition, InvalidMigrationDocument, SourceNotReady, ValidationFailed
from tasks.lib.status import Status
from tasks.lib.store import StatusStore
from waveflow.local.mgn import FaultPlan


def test_valid_migration_is_validated_and_announced(document, infra, network, lambda_context):
    out = validate_input.handler(document, lambda_context)
    assert out["validation"]["target"] == {"ec2Checked": True, "vpcId": network.vpc_id,
                                           "availabilityZone": out["validation"]["target"]["availabilityZone"]}
    assert out["validation"]["replicationState"] == "INITIATING"
    assert record_of(document)["status"] == "VALIDATED"
    events = infra.events.events()
    assert [e["detail-type"] for e in events] == ["MigrationValidated"]
    assert events[0]["detail"]["stage"] == "validation"


def test_target_in_another_account_is_not_checked_in_ec2(document, lambda_context):
    document["target"]["accountId"] = "111122223333"
    out = validate_input.handler(document, lambda_context)
    assert out["validation"]["target"]["ec2Checked"] is False
    assert "not this account" in out["validation"]["target"]["reason"]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"subnetId": "subnet-0000000000000dead"}, "target.subnetId subnet-0000000000000dead does not exist"),
        ({"securityGroupIds": ["sg-0000000000000dead"]}, "target.securityGroupIds sg-0000000000000dead do not exist"),
        ({"region": "mars-north-1"}, "target.region 'mars-north-1' is not an AWS region"),
        ({"instanceType": "large"}, "target.instanceType 'large' is not an EC2 instance type"),
    ],
)
def test_implausible_target_fails_validation_and_writes_nothing(document, infra, change, message, lambda_context):
    document["target"].update(change)
    with pytest.raises(ValidationFailed, match=message):
        validate_input.handler(document, lambda_context)
    assert record_of(document)["status"] == "PENDING"
    assert infra.events.events() == []


def test_security_group_of_another_vpc_is_refused(document, aws_mock, lambda_context):
    ec2 = aws_mock.client("ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    stray = ec2.create_security_group(GroupName="stray", Description="x", VpcId=other_vpc)["GroupId"]
    document["target"]["securityGroupIds"].append(stray)
    with pytest.raises(ValidationFailed, match=f"{stray} are not in the subnet's VPC"):
        validate_input.handler(document, lambda_context)


def test_source_unknown_to_mgn_is_not_ready(document, lambda_context):
    document["sourceServerId"] = "s-00000000000000001"
    with pytest.raises(SourceNotReady, match="not registered with MGN"):
        validate_input.handler(document, lambda_context)


@pytest.mark.parametrize("fault_plan", [FaultPlan(uninitialized=True)])
def test_uninitialised_mgn_fails_validation(document, lambda_context):
    with pytest.raises(ValidationFailed, match="not initialised"):
        validate_input.handler(document, lambda_context)


def test_stopped_replication_is_not_ready(document, emulator, aws_mock, lambda_context):
    aws_mock.client("mgn").stop_replication(sourceServerID=SERVER_ID)
    with pytest.raises(SourceNotReady, match="replication is STOPPED"):
        validate_input.handler(document, lambda_context)


def test_missing_field_names_it(document, lambda_context):
    del document["target"]["subnetId"]
    with pytest.raises(InvalidMigrationDocument, match="no 'target.subnetId'"):
        validate_input.handler(document, lambda_context)


def test_rerun_is_idempotent_one_event_one_write(document, infra, lambda_context):
    validate_input.handler(document, lambda_context)
    version = record_of(document)["version"]
    infra.events.events()
    validate_input.handler(document, lambda_context)
    assert record_of(document)["version"] == version
    assert infra.events.events() == []


def test_out_of_order_is_refused(document, lambda_context):
    StatusStore().transition(document["migrationId"], Status.VALIDATED)
    StatusStore().transition(document["migrationId"], Status.SOURCE_PREPARED)
    with pytest.raises(IllegalTransition, match="SOURCE_PREPARED"):
        validate_input.handler(document, lambda_context)
    assert record_of(document)["status"] == "SOURCE_PREPARED"


def test_a_migration_start_is_counted_once_as_an_emf_metric(document, infra, capsys, lambda_context):
    import json

    def started() -> list:
        lines = capsys.readouterr().out.splitlines()
        return [json.loads(line) for line in lines if '"MigrationsStarted"' in line]

    validate_input.handler(document, lambda_context)
    [emf] = started()
    assert emf["MigrationsStarted"] == [1.0]
    validate_input.handler(document, lambda_context)
    assert started() == []


def test_a_lost_announcement_is_made_good_by_the_retry_and_counted_once(document, infra, faults, capsys, lambda_context):
    faults.fail("events", "PutEvents", "ThrottlingException", status=400)
    with pytest.raises(AwsThrottled):
        validate_input.handler(document, lambda_context)
    assert record_of(document)["status"] == "VALIDATED"
    validate_input.handler(document, lambda_context)  # the workflow's retry
    assert [e["detail-type"] for e in infra.events.events()] == ["MigrationValidated"]
    started = [line for line in capsys.readouterr().out.splitlines() if '"MigrationsStarted"' in line]
    assert len(started) == 1
