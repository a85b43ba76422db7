"""Migrates one server to AWS with MGN: validate, prepare, replicate, test, cut over, verify, finalize, call back."""
from waveflow.dsl import (Catch, Choice, Fail, LambdaTask, Poll, Retry, Succeed, Var, Workflow, days, hours, minutes,
                          seconds)

#: Errors worth another try: throttling and passing outages of MGN, AWS, Lambda and the callback receiver.
#: (IdempotencyAlreadyInProgressError: a duplicate invocation arrived while the first still runs; try again later.
#: Sandbox.Timedout: the function ran past its timeout; every stage is idempotent, so running it again is safe.)
TRANSIENT = ["MgnThrottled", "MgnUnavailable", "AwsThrottled", "CallbackUnavailable",
             "IdempotencyAlreadyInProgressError", "Lambda.ServiceException", "Lambda.AWSLambdaException",
             "Lambda.SdkClientException", "Lambda.TooManyRequestsException", "Sandbox.Timedout"]

# A rollback that fails for good must still notify and still end with the original error (kept at $.error).
# A rollback attempt that failed and whose idempotency lock could not be cleared (its table throttled) holds the lock
# until the function's deadline (5 minutes): its retries wait that out (1 + 2 + 4 + 8 minutes) rather than give up.
rollback = LambdaTask("RollbackHandler", handler="tasks.rollback.handler",
                      comment="Undo what was done: stop replication, terminate launched instances, restore DNS",
                      retry=[Retry(attempts=4, delay=minutes(1), backoff=2.0, max_delay=minutes(8),
                                   errors=["IdempotencyAlreadyInProgressError"]),
                             Retry(attempts=5, delay=seconds(10), backoff=2.0, max_delay=minutes(5), jitter=True,
                                   errors=[error for error in TRANSIENT
                                           if error != "IdempotencyAlreadyInProgressError"])],
                      catch=[Catch(["States.ALL"], next="NotifyFailure", result_path="$.rollbackError")])

with Workflow("ServerMigration", timeout=days(7), on_failure=rollback,
              # Six attempts, about 4.5 minutes in all: a stage makes several MGN calls, each of which a throttled MGN may
              # refuse, so three attempts rolled back one cutover in 200 of a flaky-mgn wave.
              default_retry=Retry(attempts=6, delay=seconds(5), backoff=2.0, max_delay=minutes(2), jitter=True,
                                  errors=TRANSIENT)) as wf:
    validate = LambdaTask("ValidateInput", handler="tasks.validate_input.handler", timeout=minutes(2))
    prepare = LambdaTask("PrepareSource", handler="tasks.prepare_source.handler", timeout=minutes(10))
    trigger = LambdaTask("TriggerMigration", handler="tasks.trigger_migration.handler", timeout=minutes(5))
    # Checks land just past MGN's ETA (the check's nextPollSeconds), at most 4 h apart: a long initial sync costs a
    # few checks, not one every 15 minutes.
    replicated = Poll("WaitForReplication", check="tasks.poll_status.handler",
                      until=Var("$.replication.ready") == True, interval=minutes(1), backoff=1.5,
                      max_interval=hours(4), interval_path="$.replication.nextPollSeconds", timeout=days(3),
                      timeout_error="ReplicationTimeout",
                      comment="Poll MGN until initial sync is done and replication is continuous")

    test_first = Choice("TestLaunchRequested", comment="MGN practice: launch a test instance before cutover")
    start_test = LambdaTask("StartTestLaunch", handler="tasks.launch.start_test", timeout=minutes(5))
    test_launched = Poll("WaitForTestLaunch", check="tasks.launch.poll_launch", until=Var("$.launch.done") == True,
                         interval=seconds(30), backoff=1.5, max_interval=minutes(10), wait_first=True,
                         interval_path="$.launch.nextPollSeconds", timeout=hours(2), timeout_error="LaunchTimeout")
    verify_test = Poll("VerifyTestInstance", check="tasks.verify_migration.handler",
                       until=Var("$.verification.pending") == False, interval=seconds(30), backoff=1.5,
                       max_interval=minutes(2), timeout=minutes(30), timeout_error="VerificationTimeout",
                       comment="Status checks of the test instance, until they are no longer initializing")
    ready = LambdaTask("MarkReadyForCutover", handler="tasks.launch.mark_ready_for_cutover", timeout=minutes(2))

    # The wave is the gate (docs/waves.md): no server cuts over before its wave's cutover is approved; a rejected
    # (or unanswered) approval fails this with WaveCutoverRejected, which on_failure rolls back.
    gate = LambdaTask("AwaitWaveCutover", handler="tasks.wave_gate.await_cutover", wait_for_token=True,
                      timeout=days(4), result_path="$.waveCutover",
                      comment="Wait for the wave's cutover decision (approved at once if the wave already decided)")
    cutover = LambdaTask("LaunchCutover", handler="tasks.launch.start_cutover", timeout=minutes(5))
    cutover_launched = Poll("WaitForCutoverLaunch", check="tasks.launch.poll_launch",
                            until=Var("$.launch.done") == True, interval=seconds(30), backoff=1.5,
                            max_interval=minutes(10), wait_first=True, interval_path="$.launch.nextPollSeconds",
                            timeout=hours(2), timeout_error="LaunchTimeout")
    verify = Poll("VerifyMigration", check="tasks.verify_migration.handler",
                  until=Var("$.verification.pending") == False, interval=seconds(30), backoff=1.5,
                  max_interval=minutes(2), timeout=minutes(30), timeout_error="VerificationTimeout",
                  comment="Status checks of the cutover instance, until they are no longer initializing")
    finalize = LambdaTask("FinalizeCutover", handler="tasks.finalize_cutover.handler", timeout=minutes(10))
    # The server is migrated by now: a callback that cannot be delivered must not roll it back.
    notify = LambdaTask("Callback", handler="tasks.callback.handler", timeout=minutes(2), on_failure=False,
                        catch=[Catch(["States.ALL"], next="MigrationSucceeded", result_path="$.callbackError")],
                        comment="Tell the requester and the operators how the migration ended")
    done = Succeed("MigrationSucceeded")

    validate >> prepare >> trigger >> replicated >> test_first
    test_first.when(Var("$.testLaunch").is_present() & (Var("$.testLaunch") == False), gate)
    test_first.otherwise(start_test)
    start_test >> test_launched >> verify_test >> ready >> gate
    gate >> cutover >> cutover_launched >> verify >> finalize >> notify >> done

    failed = Fail("MigrationFailed", error_path="$.error.Error", cause_path="$.error.Cause",
                  comment="Rolled back; the original error and cause are kept")
    rollback >> LambdaTask("NotifyFailure", handler="tasks.callback.handler", timeout=minutes(2),
                           catch=[Catch(["States.ALL"], next=failed, result_path="$.notifyError")],
                           comment="Tell the requester and the operators the migration was rolled back") >> failed
