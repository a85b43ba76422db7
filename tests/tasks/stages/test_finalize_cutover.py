"""FinalizeCutover: DNS switch with the old value saved first, MGN finalize + archive, source marked, SUCCESS."""

from __future__ import annotations

import pytest
from stage_pipeline import (
    OLD_IP,
    RECORD_NAME,
    SERVER_ID,
    SimulatedCrash,
    a_record,
    calls,
    dns_records,
    put_dns_records,
    record_of,
    verified_cutover,
    walk_record,
)

from tasks import finalize_cutover, rollback
from tasks.lib import aws
from tasks.lib.errors import AwsThrottled, IllegalTransition, UnsupportedDnsRecord, VerificationFailed


def test_cutover_switches_dns_finalizes_archives_and_succeeds(pipeline, emulator, infra, capsys):
    document = pipeline.through("finalize")
    cutover = document["cutover"]
    new_ip = document["verification"]["ipAddress"]
    assert cutover["dns"] == {"previous": [a_record(OLD_IP)], "target": new_ip,
                              "recordName": document["dns"]["recordName"]}
    assert dns_records(document) == [a_record(new_ip, ttl=60)]
    assert cutover["source"] == {"state": "decommission-pending", "tagged": False,
                                 "reason": "source is not an EC2 instance"}
    server = emulator.source_servers[SERVER_ID]
    assert (server.lifecycle, server.is_archived) == ("CUTOVER", True)
    record = record_of(document)
    assert record["status"] == "SUCCESS" and record["ttl"] > 0
    assert infra.events.events()[-1]["detail-type"] == "MigrationSucceeded"
    out = capsys.readouterr().out
    assert '"MigrationsSucceeded":[1.0]' in out and '"MigrationDurationSeconds"' in out

    pipeline.run(finalize_cutover.handler)  # the same input again: nothing more happens
    assert calls(emulator, "FinalizeCutover") == 1 and calls(emulator, "MarkAsArchived") == 1


def test_finalize_reads_the_server_once_and_archives_from_finalize_cutovers_answer(pipeline, emulator):
    pipeline.through("verify_cutover")
    asked = calls(emulator, "DescribeSourceServers")
    pipeline.run(finalize_cutover.handler)
    assert calls(emulator, "DescribeSourceServers") == asked + 1  # before FinalizeCutover, which answers the rest
    assert emulator.source_servers[SERVER_ID].is_archived


def test_an_ec2_source_is_tagged_for_decommissioning(pipeline, source_instance, aws_mock):
    document = pipeline.through("finalize")
    assert document["cutover"]["source"] == {"state": "decommission-pending", "tagged": True,
                                             "instanceId": source_instance}
    tags = aws_mock.client("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [source_instance]}])["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"waveflow:sourceState": "decommission-pending",
                                                    "waveflow:migrationId": document["migrationId"]}


def test_crash_after_the_dns_change_keeps_the_saved_value_and_changes_once(pipeline, crash_after):
    pipeline.through("verify_cutover")
    changes = []
    aws.client("route53").meta.events.register(
        "after-call.route53.ChangeResourceRecordSets", lambda **_: changes.append(1)
    )
    crash_after("route53", "ChangeResourceRecordSets")
    with pytest.raises(SimulatedCrash):
        pipeline.run(finalize_cutover.handler)
    assert record_of(pipeline.document)["executionDetails"]["cutover"]["dns"]["previous"] == [a_record(OLD_IP)]
    document = pipeline.run(finalize_cutover.handler)
    assert len(changes) == 1
    assert document["cutover"]["dns"]["previous"] == [a_record(OLD_IP)]
    assert record_of(document)["status"] == "SUCCESS"


def test_no_ip_for_the_cutover_instance_cannot_switch_dns(pipeline):
    pipeline.emulator.use_instance_launcher(None)  # instance IDs EC2 does not know
    pipeline.through("verify_cutover")
    with pytest.raises(VerificationFailed, match="no IP address is known"):
        pipeline.run(finalize_cutover.handler)
    assert dns_records(pipeline.document) == [a_record(OLD_IP)]


def test_finalize_before_verification_is_refused_and_dns_untouched(document, emulator, lambda_context):
    walk_record(document, "MIGRATION_IN_PROGRESS")
    early = {**document, "launch": {"mode": "cutover", "instanceId": "i-0123456789abcdef0"},
             "verification": {"ipAddress": "10.50.1.99"}}
    with pytest.raises(IllegalTransition, match="MIGRATION_IN_PROGRESS"):
        finalize_cutover.handler(early, lambda_context)
    assert dns_records(document) == [a_record(OLD_IP)]
    assert emulator.calls == []


ALIAS = {"Name": f"{RECORD_NAME}.", "Type": "A", "AliasTarget": {
    "HostedZoneId": "Z35SXDOTRQ7X7K", "DNSName": "my-alb-123.us-east-1.elb.amazonaws.com.", "EvaluateTargetHealth": False}}
WEIGHTED = [
    {"Name": f"{RECORD_NAME}.", "Type": "A", "SetIdentifier": "blue", "Weight": 90, "TTL": 60,
     "ResourceRecords": [{"Value": OLD_IP}]},
    {"Name": f"{RECORD_NAME}.", "Type": "A", "SetIdentifier": "green", "Weight": 10, "TTL": 60,
     "ResourceRecords": [{"Value": "10.20.30.42"}]},
]


@pytest.mark.parametrize("records", [[ALIAS], WEIGHTED], ids=["alias", "weighted"])
def test_an_alias_or_routed_record_is_refused_before_anything_changes(document, emulator, aws_mock, records, lambda_context):
    put_dns_records(aws_mock, document, records)
    verified = verified_cutover(document)
    with pytest.raises(UnsupportedDnsRecord, match="switches only plain A, AAAA and CNAME records and changed nothing"):
        finalize_cutover.handler(verified, lambda_context)
    assert dns_records(document) == records
    assert emulator.calls == [] and "cutover" not in record_of(document)["executionDetails"]

    out = rollback.handler({**verified, "error": {"Error": "UnsupportedDnsRecord", "Cause": "alias"}}, lambda_context)
    assert out["rollback"]["steps"]["dns"] == {"done": True, "changed": False, "reason": "DNS was not switched"}
    assert dns_records(document) == records and record_of(document)["status"] == "FAILED"


def test_after_the_final_cutover_a_failed_tag_is_recorded_and_a_lost_announcement_made_good(
    pipeline, source_instance, infra, faults, capsys
):
    pipeline.through("verify_cutover")
    infra.events.events()
    faults.fail("ec2", "CreateTags", "UnauthorizedOperation", status=403)
    faults.fail("events", "PutEvents", "ThrottlingException", status=400, when=lambda body: b"MigrationSucceeded" in body)
    with pytest.raises(AwsThrottled):
        pipeline.run(finalize_cutover.handler)
    assert record_of(pipeline.document)["status"] == "SUCCESS"

    document = pipeline.run(finalize_cutover.handler)  # the workflow's retry
    source = document["cutover"]["source"]
    assert source["tagged"] is False and "UnauthorizedOperation" in source["error"]
    assert [e["detail-type"] for e in infra.events.events()] == ["MigrationStatusUpdated", "MigrationSucceeded"]
    assert capsys.readouterr().out.count('"MigrationsSucceeded":[1.0]') == 1
