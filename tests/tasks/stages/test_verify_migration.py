"""VerifyMigration: EC2 status checks and SSM, or MGN's first-boot report for instances EC2 does not know."""

from __future__ import annotations

import pytest
from stage_pipeline import record_of, walk_record

from tasks import verify_migration
from tasks.lib import aws
from tasks.lib.errors import IllegalTransition, VerificationFailed


def test_test_instance_is_verified_without_a_status_change(pipeline):
    document = pipeline.through("verify_test")
    verification = document["verification"]
    assert verification["mode"] == "test" and verification["passed"] and verification["checkedBy"] == "ec2"
    assert verification["statusChecks"] == {"instance": "ok", "system": "ok"}
    assert verification["ssm"]["checked"] is True
    assert verification["ipAddress"].startswith("10.50.1.")
    assert record_of(document)["status"] == "MIGRATION_IN_PROGRESS"


def test_cutover_instance_verified_moves_to_verified(pipeline, infra):
    document = pipeline.through("verify_cutover")
    assert document["verification"]["mode"] == "cutover" and document["verification"]["passed"]
    assert record_of(document)["status"] == "VERIFIED"
    assert infra.events.events()[-1]["detail"]["status"] == "VERIFIED"
    version = record_of(document)["version"]
    pipeline.run(verify_migration.handler)  # verified again: no second move, no second event
    assert record_of(document)["version"] == version and infra.events.events() == []


def test_instance_unknown_to_ec2_is_judged_by_mgn_first_boot(pipeline):
    pipeline.emulator.use_instance_launcher(None)  # instance IDs EC2 does not know
    document = pipeline.through("verify_test")
    verification = document["verification"]
    assert verification["checkedBy"] == "mgn-first-boot" and verification["firstBoot"] == "SUCCEEDED"
    assert verification["passed"] and verification["ipAddress"] is None


def test_a_stopped_instance_fails_verification(pipeline, aws_mock):
    pipeline.through("test_launched")
    aws_mock.client("ec2").stop_instances(InstanceIds=[pipeline.document["launch"]["instanceId"]])
    with pytest.raises(VerificationFailed, match="is stopped, not running"):
        pipeline.run(verify_migration.handler)


def test_an_instance_ec2_has_no_verdict_on_yet_is_pending_not_failed(pipeline):
    pipeline.through("test_launched")
    seen: dict = {}

    def not_yet(parsed, **_):
        for status in parsed["InstanceStatuses"]:
            status["InstanceState"]["Name"] = seen["state"]
            status["InstanceStatus"]["Status"] = status["SystemStatus"]["Status"] = seen["checks"]

    aws.client("ec2").meta.events.register("after-call.ec2.DescribeInstanceStatus", not_yet)
    for state, checks in [("running", "initializing"), ("running", "insufficient-data"), ("pending", "not-applicable")]:
        seen.update(state=state, checks=checks)
        verification = pipeline.run(verify_migration.handler)["verification"]
        assert (verification["pending"], verification["passed"]) == (True, False), (state, checks)
    assert record_of(pipeline.document)["status"] == "MIGRATION_IN_PROGRESS"


def test_a_failing_post_launch_ssm_check_fails_verification(pipeline):
    pipeline.through("test_launched")

    def failed(parsed, **_):
        parsed.update(Status="Failed", StatusDetails="Failed", StandardErrorContent="systemd degraded")

    aws.client("ssm").meta.events.register("after-call.ssm.GetCommandInvocation", failed)
    with pytest.raises(VerificationFailed, match="AWS-RunShellScript.*ended Failed: systemd degraded"):
        pipeline.run(verify_migration.handler)


def test_verifying_a_test_instance_after_cutover_verification_is_refused(document, emulator, lambda_context):
    walk_record(document, "VERIFIED")
    launched = {"mode": "test", "done": True, "instanceId": "i-0123456789abcdef0"}
    with pytest.raises(IllegalTransition, match="VERIFIED"):
        verify_migration.handler({**document, "launch": launched}, lambda_context)
    assert emulator.calls == []


def test_missing_launch_is_an_invalid_document(pipeline):
    from tasks.lib.errors import InvalidMigrationDocument

    pipeline.through("replicate")
    with pytest.raises(InvalidMigrationDocument, match="no 'launch.mode'"):
        pipeline.run(verify_migration.handler)
