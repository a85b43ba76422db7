"""Reports written by hand for the renderer's tests: as many migrations as a test wants, with known statuses,
apps, waves, durations, retries and histories, so what the page shows can be checked against what was put in."""
from __future__ import annotations

from waveflow.graph import StateCounts
from waveflow.report.model import (DeadLetter, Event, Execution, FailureGroup, Machine, Migration, Report, Retry, Stage,
                                   Summary)
from waveflow.run.costs import CostEstimate

TWO_STEPS = {"StartAt": "Work", "States": {
    "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work", "Next": "Done",
             "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 2}],
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Undo"}]},
    "Done": {"Type": "Succeed"},
    "Undo": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Undo", "Next": "Failed"},
    "Failed": {"Type": "Fail", "Error": "Undone"}}}
APPS = ("crm", "billing", "hr")


def migration(n: int) -> Migration:
    """Migration ``n``: every seventh fails (its work caught, then undone), app and wave by turns (three apps, four
    waves: every pair occurs), ``n`` minutes long, ``n % 4`` retries."""
    key, start, length = f"m-{n:04d}", 30.0 * n, 60.0 * n + 10
    failed = n % 7 == 3
    retries = tuple(Retry(start + i + 1, "Flaky") for i in range(n % 4))
    stages = [Stage("Work", "Task", start, start + length, "caught" if failed else "succeeded",
                    waits=((start + 1, start + length / 2),), retries=retries)]
    end = start + length
    if failed:
        stages += [Stage("Undo", "Task", end, end + 5, "succeeded", rollback=True),
                   Stage("Failed", "Fail", end + 5, end + 5, "failed", rollback=True)]
    else:
        stages.append(Stage("Done", "Succeed", end, end, "succeeded"))
    return Migration(key, APPS[n % 3], str(n % 4 + 1), "FAILED" if failed else "SUCCESS", execution=key,
                     stages=tuple(stages), error="Flaky" if failed else None,
                     failed_stage="Work" if failed else None, cost=0.001 + n / 1e6)


def history(m: Migration) -> tuple[Event, ...]:
    """A short history of ``m``'s execution, one event per stage entered and its first attempt."""
    events = [Event(1, "ExecutionStarted", None, m.start, "input={}")]
    for stage in m.stages:
        events.append(Event(len(events) + 1, f"{stage.kind}StateEntered", stage.state, stage.start,
                            f"input={{\"migrationId\":\"{m.migration_id}\"}}"))
        if stage.kind == "Task":
            events.append(Event(len(events) + 1, "TaskScheduled", stage.state, stage.start, "resourceType=lambda"))
    events.append(Event(len(events) + 1, "ExecutionFailed" if m.status == "FAILED" else "ExecutionSucceeded", None,
                        m.end, "error=Undone" if m.status == "FAILED" else "output={}"))
    return tuple(events)


def constructed(count: int, kept: set[str] | None = None, **overrides) -> Report:
    """A report of ``count`` migrations; the executions named in ``kept`` (default: all) keep their history."""
    migrations = tuple(migration(n) for n in range(count))
    executions = tuple(
        Execution(m.execution, f"arn:aws:states:us-east-1:123456789012:execution:TwoSteps:{m.execution}", "TwoSteps",
                  "FAILED" if m.status == "FAILED" else "SUCCEEDED", m.start, m.end, len(history(m)), m.error,
                  history(m) if kept is None or m.execution in kept else None, "sample")
        for m in migrations)
    failed = [m for m in migrations if m.status == "FAILED"]
    statuses = {"FAILED": len(failed), "SUCCESS": count - len(failed)}
    counts = {"Work": StateCounts(entered=count, succeeded=count - len(failed), caught=len(failed),
                                  retried=sum(m.retries for m in migrations)),
              "Done": StateCounts(entered=count - len(failed), succeeded=count - len(failed)),
              "Undo": StateCounts(entered=len(failed), succeeded=len(failed)),
              "Failed": StateCounts(entered=len(failed), failed=len(failed))}
    fields = dict(
        run_id=7, command=f"waveflow run --servers {count} --seed 1", finished_at="2026-01-02T00:00:00.000Z",
        origin="2026-01-01T00:00:00.000Z",
        summary=Summary(statuses, 2, count, 1, 4 * count, 3 * count, max(m.end for m in migrations), 12.5,
                        CostEstimate({"state_transitions": 0.2, "lambda_requests": 0.05}, 0.25, 0.25 / count,
                                     "us-east-1", "2026-11-29"), {"1": 0.1, "2": 0.1, "3": 0.05}),
        machines=(Machine("TwoSteps", "waveflow-test-TwoSteps", TWO_STEPS, counts,
                          {"FAILED": len(failed), "SUCCEEDED": count - len(failed)}),),
        migrations=migrations, executions=executions,
        dead_letters=(DeadLetter("msg-1", "appName: is required", "2026-01-01T00:00:01.000Z", "c-1", '{"wave": "1"}'),
                      DeadLetter("msg-2", None, "2026-01-01T00:00:02.000Z", None, "not json")),
        failures=(FailureGroup("Work", "Flaky", tuple(m.migration_id for m in failed), "it flaked"),),
        left_out=("Nothing real was left out: this report is made up by a test",))
    fields.update(overrides)
    return Report(**fields)
