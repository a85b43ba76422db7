"""PrepareSource: the agent check, the SSM readiness check and pre-migration snapshots of EC2 sources."""

from __future__ import annotations

import pytest
from stage_pipeline import SERVER_ID, SimulatedCrash, record_of

from tasks import prepare_source
from tasks.lib import aws
from tasks.lib.errors import AwsThrottled, IllegalTransition, SourceNotReady


@pytest.fixture
def ec2_source(pipeline, source_instance):
    """The source is an EC2 instance with two volumes (MGN reports it as ``identificationHints.awsInstanceID``),
    validated; its instance ID."""
    pipeline.through("validate")
    return source_instance


def snapshots_of(aws_mock, migration_id):
    return aws_mock.client("ec2").describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "tag:waveflow:migrationId", "Values": [migration_id]}]
    )["Snapshots"]


def test_on_premises_source_is_prepared_without_ssm_or_snapshots(pipeline, infra):
    document = pipeline.through("prepare")
    preparation = document["sourcePreparation"]
    assert preparation["agent"]["required"] is True
    assert preparation["readiness"]["checked"] is False and preparation["snapshots"] == []
    assert record_of(document)["status"] == "SOURCE_PREPARED"
    assert [e["detail"]["status"] for e in infra.events.events()] == ["VALIDATED", "SOURCE_PREPARED"]


def test_ec2_source_gets_readiness_check_and_one_snapshot_per_volume(pipeline, ec2_source, aws_mock):
    document = pipeline.run(prepare_source.handler)
    preparation = document["sourcePreparation"]
    assert preparation["sourceInstanceId"] == ec2_source
    assert preparation["readiness"]["checked"] is True and preparation["readiness"]["document"] == "AWS-RunShellScript"
    snapshots = snapshots_of(aws_mock, document["migrationId"])
    assert sorted(s["SnapshotId"] for s in snapshots) == sorted(s["snapshotId"] for s in preparation["snapshots"])
    assert len(snapshots) == 2


def test_crash_after_a_snapshot_does_not_take_it_again(pipeline, ec2_source, aws_mock, crash_after):
    crash_after("ec2", "CreateSnapshot")
    with pytest.raises(SimulatedCrash):
        pipeline.run(prepare_source.handler)
    assert len(snapshots_of(aws_mock, pipeline.document["migrationId"])) == 1
    document = pipeline.run(prepare_source.handler)
    assert len(snapshots_of(aws_mock, document["migrationId"])) == 2
    assert record_of(document)["status"] == "SOURCE_PREPARED"


def test_failed_readiness_check_means_source_not_ready(pipeline, ec2_source):
    def failed(parsed, **_):
        parsed.update(Status="Failed", StatusDetails="Failed", StandardOutputContent="less than 1 GiB free on /")

    aws.client("ssm").meta.events.register("after-call.ssm.GetCommandInvocation", failed)
    with pytest.raises(SourceNotReady, match="ended Failed: less than 1 GiB free"):
        pipeline.run(prepare_source.handler)
    assert record_of(pipeline.document)["status"] == "VALIDATED"


def test_agent_silent_for_too_long_is_not_ready(pipeline, aws_mock, clock):
    pipeline.through("validate")
    aws_mock.client("mgn").stop_replication(sourceServerID=SERVER_ID)
    clock.advance(2 * 3600)
    with pytest.raises(SourceNotReady, match="last heard from its agent"):
        pipeline.run(prepare_source.handler)


def test_same_input_twice_prepares_once(pipeline, ec2_source, aws_mock):
    pipeline.run(prepare_source.handler)
    version = record_of(pipeline.document)["version"]
    pipeline.run(prepare_source.handler)
    assert record_of(pipeline.document)["version"] == version
    assert len(aws_mock.client("ssm").list_commands()["Commands"]) == 1


def test_prepare_before_validation_is_refused(document, lambda_context):
    with pytest.raises(IllegalTransition, match="in status PENDING"):
        prepare_source.handler(document, lambda_context)
    assert record_of(document)["status"] == "PENDING"


def test_a_throttled_ssm_status_poll_is_transient_not_a_verdict(pipeline, ec2_source, faults):
    faults.fail("ssm", "GetCommandInvocation", "ThrottlingException", status=400)
    with pytest.raises(AwsThrottled, match="GetCommandInvocation .* failed transiently: ThrottlingException"):
        pipeline.run(prepare_source.handler)
    assert record_of(pipeline.document)["status"] == "VALIDATED"
    assert pipeline.run(prepare_source.handler)["sourcePreparation"]["readiness"]["checked"] is True
