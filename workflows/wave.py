"""Migrates a wave of servers: approval, then one ServerMigration child execution per server, in parallel.

Input: ``{"wave": "7", "manifest": {"bucket": ..., "key": ...}, "maxConcurrency": 50, "defaults": {...}}``. The
manifest is a JSON array in S3 of the wave's normalised migration requests (as ingress stored them); ``defaults``
(optional) holds wave-wide request fields, e.g. ``{"testLaunch": false}``, which a server's own request overrides.
"""
from waveflow.dsl import (DISCARD, Approval, Choice, Fail, LambdaTask, Map, Pass, Ref, RunWorkflow, Succeed, Var,
                          Workflow, days, hours, intrinsics, s3_json_items)

with Workflow("MigrationWave", timeout=days(14)) as wf:
    has_defaults = Choice("WaveDefaultsGiven")
    no_defaults = Pass("NoWaveDefaults", result={}, result_path="$.defaults")
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

    has_defaults.when(Var("$.defaults").is_present(), approve).otherwise(no_defaults)
    no_defaults >> approve >> migrate >> summary >> outcome
    outcome.when(Var("$.summary.failed") > 0, Fail("WaveFinishedWithFailures", error="WavePartiallyFailed",
                                                   cause="Some servers of the wave were rolled back"))
    outcome.otherwise(Succeed("WaveSucceeded"))
