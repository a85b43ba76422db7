"""A migration's stages read from its history: the small run's real histories (a throttle retried, a slow
replication's waits, the gate's wait for its token, a cutover rolled back, a request refused at once), and the
endings a run may leave (timed out, still running)."""
from report_runs import HOUR

from waveflow.graph import read_graph
from waveflow.report.stages import stages_of


def by_state(report, migration_id):
    migration = next(m for m in report.migrations if m.migration_id == migration_id)
    return {stage.state: stage for stage in migration.stages}, migration


def test_a_throttled_attempt_is_a_retry_at_the_time_it_failed(report, record):
    stages, migration = by_state(report, "mig-002")
    prepare = stages["PrepareSource"]
    assert [r.error for r in prepare.retries] == ["MgnThrottled"] and migration.retries == 1
    assert prepare.start == prepare.retries[0].at < prepare.end  # failed at once, tried again after the backoff
    assert prepare.outcome == "succeeded" and not prepare.rollback
    assert all(not s.retries for name, s in stages.items() if name != "PrepareSource")


def test_a_polls_waits_and_the_gates_wait_for_its_token_are_kept(report):
    stages, _ = by_state(report, "mig-003")
    replication = stages["WaitForReplication"]
    assert replication.kind == "Poll" and len(replication.waits) == 5  # ready at the sixth look
    assert all(replication.start <= a < b <= replication.end for a, b in replication.waits)
    gate = stages["AwaitWaveCutover"]
    assert len(gate.waits) == 1 and gate.waits[0] == (gate.start, gate.end)
    assert gate.end >= 2 * HOUR  # released when its wave's cutover was approved


def test_a_cutover_that_fails_is_caught_and_the_rollback_path_follows(report):
    stages, migration = by_state(report, "mig-004")
    assert stages["WaitForCutoverLaunch"].outcome == "caught"
    assert [s.state for s in migration.stages if s.rollback] == ["RollbackHandler", "NotifyFailure", "MigrationFailed"]
    assert stages["MigrationFailed"].outcome == "failed"
    assert "FinalizeCutover" not in stages
    ordered = [s.start for s in migration.stages]
    assert ordered == sorted(ordered)


def test_stages_are_on_the_runs_clock(report):
    first = min(m.start for m in report.migrations)
    assert first == 0.0
    starts = {m.migration_id: m.start for m in report.migrations}
    assert starts["mig-002"] - starts["mig-001"] == 60  # the small run starts one server a minute


def event(number, kind, at, previous=None, **details):
    out = {"id": number, "type": kind, "previousEventId": number - 1 if previous is None else previous,
           "timestamp": at}
    if details:
        key = "stateEnteredEventDetails" if kind.endswith("StateEntered") else \
            "stateExitedEventDetails" if kind.endswith("StateExited") else kind[0].lower() + kind[1:] + "EventDetails"
        out[key] = details
    return out


WAIT_THEN_WORK = {"StartAt": "Pause", "States": {
    "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Work"},
    "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work", "End": True}}}


def test_an_execution_that_timed_out_failed_in_the_stage_it_was_in():
    history = [event(1, "ExecutionStarted", 100.0), event(2, "WaitStateEntered", 100.0, name="Pause"),
               event(3, "WaitStateExited", 160.0, name="Pause"), event(4, "TaskStateEntered", 160.0, name="Work"),
               event(5, "TaskScheduled", 160.0, resourceType="lambda"), event(6, "ExecutionTimedOut", 400.0)]
    stages = stages_of(history, read_graph(WAIT_THEN_WORK, "W"), origin=100.0)
    assert [(s.state, s.kind, s.start, s.end, s.outcome) for s in stages] == [
        ("Pause", "Wait", 0.0, 60.0, "succeeded"), ("Work", "Task", 60.0, 300.0, "failed")]


def test_a_running_execution_ends_unfinished_at_its_last_event():
    history = [event(1, "ExecutionStarted", 0.0), event(2, "WaitStateEntered", 0.0, name="Pause")]
    stages = stages_of(history, read_graph(WAIT_THEN_WORK, "W"), origin=0.0)
    assert [(s.state, s.outcome, s.end) for s in stages] == [("Pause", "unfinished", 0.0)]
