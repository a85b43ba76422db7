"""Migrates a wave of servers: approval, then one ServerMigration child execution per server, in parallel."""
from waveflow.dsl import (DISCARD, Approval, Choice, Fail, LambdaTask, Map, Ref, RunWorkflow, Succeed, Var,
                          Workflow, days, hours, s3_json_items)

with Workflow("MigrationWave", timeout=days(14)) as wf:
    approve = Approval("ApproveWaveCutover", notify="tasks.approval.request_approval", timeout=hours(72),
                       message="Approve the cutover of this wave: its servers will be migrated and cut over")
    migrate = Map("MigrateServers", mode="DISTRIBUTED",
                  item_reader=s3_json_items(bucket=Ref("$.manifest.bucket"), key=Ref("$.manifest.key")),
                  max_concurrency_path="$.maxConcurrency", tolerated_failure_percentage=10,
                  result_path=DISCARD,
                  comment="One ServerMigration per server; up to 10% of the wave may fail before the wave fails")
    with migrate:
        RunWorkflow("MigrateServer", workflow="ServerMigration", execution_name=Ref("$.migrationId"),
                    result_selector={"status": Ref("$.Status")},
                    comment="A child execution named after the migration ID: a retry never migrates twice")
    summary = LambdaTask("SummariseWave", handler="tasks.wave_summary.handler",
                         comment="Count the wave's servers by final status from the status table")
    outcome = Choice("WaveOutcome")
    approve >> migrate >> summary >> outcome
    outcome.when(Var("$.summary.failed") > 0, Fail("WaveFinishedWithFailures", error="WavePartiallyFailed",
                                                   cause="Some servers of the wave were rolled back"))
    outcome.otherwise(Succeed("WaveSucceeded"))
