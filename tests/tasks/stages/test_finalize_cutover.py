"""FinalizeCutover: DNS switch with the old value saved first, MGN finalize + archive, source marked, SUCCESS."""

from __future__ import annotations

import pytest
from stage_pipeline import OLD_IP, SERVER_ID, SimulatedCrash, calls, record_of, walk_record

from tasks import finalize_cutover
from tasks.finalize_cutover import read_record
from tasks.lib import aws
from tasks.lib.errors import IllegalTransition, VerificationFailed


def test_cutover_switches_dns_finalizes_archives_and_succeeds(pipeline, emulator, infra, capsys):
    document = pipeline.through("finalize")
    cutover = document["cutover"]
    new_ip = document["verification"]["ipAddress"]
    assert cutover["dns"] == {"previous": {"ttl": 300, "values": [OLD_IP]}, "target": new_ip,
                              "recordName": document["dns"]["recordName"]}
    assert read_record(document["dns"]) == {"ttl": 60, "values": [new_ip]}
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
    assert record_of(pipeline.document)["executionDetails"]["cutover"]["dns"]["previous"]["values"] == [OLD_IP]
    document = pipeline.run(finalize_cutover.handler)
    assert len(changes) == 1
    assert document["cutover"]["dns"]["previous"] == {"ttl": 300, "values": [OLD_IP]}
    assert record_of(document)["status"] == "SUCCESS"


def test_no_ip_for_the_cutover_instance_cannot_switch_dns(pipeline):
    pipeline.emulator.use_instance_launcher(None)  # instance IDs EC2 does not know
    pipeline.through("verify_cutover")
    with pytest.raises(VerificationFailed, match="no IP address is known"):
        pipeline.run(finalize_cutover.handler)
    assert read_record(pipeline.document["dns"])["values"] == [OLD_IP]


def test_finalize_before_verification_is_refused_and_dns_untouched(document, emulator):
    walk_record(document, "MIGRATION_IN_PROGRESS")
    early = {**document, "launch": {"mode": "cutover", "instanceId": "i-0123456789abcdef0"},
             "verification": {"ipAddress": "10.50.1.99"}}
    with pytest.raises(IllegalTransition, match="MIGRATION_IN_PROGRESS"):
        finalize_cutover.handler(early)
    assert read_record(document["dns"])["values"] == [OLD_IP]
    assert emulator.calls == []
