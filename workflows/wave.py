"""Migrates a wave of servers: approval, then one ServerMigration child execution per server, in parallel.

Input: ``{"wave": "7", "manifest": {"bucket": ..., "key": ...}, "maxConcurrency": 50, "defaults": {...}}``. The
manifest is a JSON array in S3 of the wave's normalised migration requests (as ingress stored them);
``maxConcurrency`` (optional, default 25) caps the servers migrating at once; ``defaults`` (optional) holds
wave-wide request fields, e.g. ``{"testLaunch": false}``, which a server's own request overrides. The wave fails
unless every server ended SUCCESS (counted from the status table, so a server whose rollback itself failed counts).
"""
from waveflow.dsl import (DISCARD, Approval, Choice, Fail, LambdaTask, Map, Pass, Ref, RunWorkflow, Succeed, Var,
                          Workflow, days, hours, intrinsics, s3_json_items)

with Workflow("MigrationWave", timeout=days(14)) as wf:
    has_defaults = Choice("WaveDefaultsGiven")
    no_defaults = Pass("NoWaveDefaults", result={}, result_path="$.defaults")
    has_limit = Choice("ConcurrencyGiven", comment="Settle the input before a human is asked to approve")
    default_limit = Pass("DefaultConcurrency", result=25, result_path="$.maxConcurrency")
    approve = Approval("ApproveWaveCutover", notify="tasks.approval.request_approval", timeout=hours(72),
                       message="Approve the cutover of this wave: its servers will be migrated and cut over")
    migrate = Map("MigrateServers", mode="DISTRIBUTED",
                  item_reader=s3_json_items(bucket=Ref("$.manifest.bucket"), key=Ref("$.manifest.key")),
                  item_selector={"request": Ref("$$.Map.Item.Value"), "defaults": Ref("$.defaults")},
                  max_concurrency_path="$.maxConcurrency", tolerated_failure_percentage=10,
                  result_path=DISCARD,
                  comment="One ServerMigration per server; up to 10% of the wave may fail before the wave fails")
    with migrate:
        RunWorkflow("MigrateServer", workflow="ServerMigration", execution_name=Ref("$.request.migrationId"),
                    input=intrinsics.JsonMerge(Ref("$.defaults"), Ref("$.request"), False),
                    result_selector={"status": Ref("$.Status")},
                    comment="A child execution named after the migration ID: a retry never migrates twice")
    summary = LambdaTask("SummariseWave", handler="tasks.wave_summary.handler",
                         comment="Count the wave's servers by final status from the status table")
    outcome = Choice("WaveOutcome")

    has_defaults.when(Var("$.defaults").is_present(), has_limit).otherwise(no_defaults)
    no_defaults >> has_limit
    has_limit.when(Var("$.maxConcurrency").is_present(), approve).otherwise(default_limit)
    default_limit >> approve >> migrate >> summary >> outcome
    outcome.when(Var.number("$.summary.succeeded") == Var("$.summary.total"), Succeed("WaveSucceeded"))
    outcome.otherwise(Fail("WaveFinishedWithFailures", error="WavePartiallyFailed",
                           cause="Not every server of the wave ended SUCCESS; see the status table"))
