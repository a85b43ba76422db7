"""Runs a wave as its gate and summary: the approval before cutover, the concurrency limit, the wave's outcome.

The wave does not start its servers: every request enters through the queue and ingress, and the starter
(StartMigration, on MigrationRequested) starts one ServerMigration per server within the wave's limit
(docs/waves.md). Input: ``{"wave": "7", "expectedMigrations": 120, "maxConcurrency": 25}`` (the limit optional:
the stack's default, or what the wave already has). Each server waits at AwaitWaveCutover until the approval is
given (OpenCutover) or refused, timed out or failed (CloseCutover: those servers roll back). WaitForWave then
polls until every expected migration has finished, starting queued migrations where slots are free on each pass;
the wave succeeds only if every expected server ended SUCCESS (counted from the status table).
"""
from waveflow.dsl import (Approval, Catch, Choice, Fail, LambdaTask, Poll, Retry, Succeed, Var, Workflow, days, hours,
                          minutes, seconds)

with Workflow("MigrationWave", timeout=days(21),
              default_retry=Retry(attempts=3, delay=seconds(5), backoff=2.0, max_delay=minutes(1), jitter=True,
                                  errors=["AwsThrottled", "Lambda.ServiceException", "Lambda.AWSLambdaException",
                                          "Lambda.SdkClientException", "Lambda.TooManyRequestsException",
                                          "Sandbox.Timedout"])) as wf:
    open_wave = LambdaTask("OpenWave", handler="tasks.wave_gate.open_wave", timeout=minutes(2))
    approve = Approval("ApproveWaveCutover", notify="tasks.approval.request_approval", timeout=hours(72),
                       message="Approve the cutover of this wave: its servers replicate and test-launch, then wait "
                               "for this approval before they cut over",
                       catch=[Catch(["States.ALL"], next="CloseCutover", result_path="$.approvalError")])
    open_cutover = LambdaTask("OpenCutover", handler="tasks.wave_gate.open_cutover", timeout=minutes(5))
    close_cutover = LambdaTask("CloseCutover", handler="tasks.wave_gate.close_cutover", timeout=minutes(5))
    summary = LambdaTask("SummariseWave", handler="tasks.wave_summary.handler", timeout=minutes(2),
                         comment="Count the wave's servers by final status from the status table")
    waiting = Poll("WaitForWave", check="tasks.wave_gate.watch_wave", until=Var("$.progress.done") == True,
                   interval=minutes(5), backoff=2.0, max_interval=minutes(30), timeout=days(17),
                   timeout_error="WaveUnfinished",
                   catch=[Catch(["WaveUnfinished"], next=summary, result_path="$.waitError")],
                   comment="Until every expected migration has finished; each pass starts queued migrations")
    outcome = Choice("WaveOutcome")

    open_wave >> approve >> open_cutover >> waiting
    close_cutover >> waiting
    waiting >> summary >> outcome
    everyone = (Var.number("$.summary.succeeded") == Var("$.summary.total")) \
        & (Var.number("$.summary.total") >= Var("$.expectedMigrations"))
    outcome.when(everyone, Succeed("WaveSucceeded"))
    outcome.otherwise(Fail("WaveFinishedWithFailures", error="WavePartiallyFailed",
                           cause="Not every expected server of the wave ended SUCCESS; see the status table"))
