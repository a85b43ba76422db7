"""Per-state counts from execution histories: the compiled ServerMigration run by the local twin with stub
handlers (a throttle retried, a launch that fails and is rolled back), and interleaved branches and iterations."""
from graph_samples import run, stub_handlers

from waveflow.graph import StateCounts, counts_from_histories, counts_from_history
from waveflow.local.runtime import LocalRuntime


def test_a_rolled_back_migration_counts_retries_catches_and_failures(migration):
    calls: dict = {}
    execution = run(migration, stub_handlers(calls, fail_cutover=True))
    assert execution.status == "FAILED" and execution.error == "LaunchFailed"
    counts = counts_from_history(execution.history)
    assert counts["PrepareSource"] == StateCounts(entered=1, succeeded=1, retried=1)
    assert counts["WaitForReplicationCheck"] == StateCounts(entered=3, succeeded=3)
    assert counts["WaitForReplicationWait"] == StateCounts(entered=2, succeeded=2)
    assert counts["WaitForCutoverLaunchCheck"] == StateCounts(entered=1, failed=1)
    assert counts["WaitForCutoverLaunch"] == StateCounts(entered=1, caught=1)
    assert counts["RollbackHandler"] == StateCounts(entered=1, succeeded=1)
    assert counts["MigrationFailed"] == StateCounts(entered=1, failed=1)
    assert "MigrationSucceeded" not in counts and "FinalizeCutover" not in counts
    assert [counts[n].outcome for n in ("PrepareSource", "WaitForCutoverLaunch", "WaitForCutoverLaunchCheck")] == \
        ["succeeded", "caught", "failed"]
    assert calls[("PrepareSource", "m-1")] == 2 and calls[("PollStatus", "m-1")] == 3


def test_counts_add_up_over_many_executions(migration):
    failed = run(migration, stub_handlers({}, fail_cutover=True), "m-1")
    succeeded = run(migration, stub_handlers({}, fail_cutover=False), "m-2")
    assert succeeded.status == "SUCCEEDED"
    total = counts_from_histories([failed.history, succeeded.history])
    assert total["PrepareSource"] == StateCounts(entered=2, succeeded=2, retried=2)
    assert total["WaitForCutoverLaunch"] == StateCounts(entered=2, succeeded=1, caught=1)
    assert total["MigrationSucceeded"] == StateCounts(entered=1, succeeded=1)
    assert total["MigrationFailed"].outcome == "failed"


def test_interleaved_iterations_and_a_cancelled_branch_are_told_apart():
    work = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work", "End": True,
            "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 1}]}
    each = {"Type": "Map", "ItemsPath": "$.items", "End": True,
            "ItemProcessor": {"StartAt": "Work", "States": {"Work": work}}}
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 60, "End": True}}},
        {"StartAt": "Each", "States": {"Each": each}}]}}}
    attempts: dict = {}

    class Flaky(Exception):
        pass

    def handler(event, context):
        attempts[event["n"]] = attempts.get(event["n"], 0) + 1
        if event["n"] == 2:
            raise Flaky("item 2 never works")
        return event
    runtime = LocalRuntime({"Work": handler}, seed=1)
    runtime.register_state_machine("Machine", definition)
    execution = runtime.start_execution("Machine", {"items": [{"n": 1}, {"n": 2}, {"n": 3}]}, name="x")
    runtime.run()
    assert execution.status == "FAILED"
    counts = counts_from_history(execution.history)
    work_counts = counts["Work"]
    assert work_counts.entered == 3 and work_counts.failed == 1 and work_counts.retried == 1
    assert counts["Each"] == StateCounts(entered=1, failed=1)
    assert counts["Both"] == StateCounts(entered=1, failed=1)
    assert counts["Slow"] == StateCounts(entered=1) and counts["Slow"].outcome == "running"
