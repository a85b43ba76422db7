"""History events: GetExecutionHistory shapes, ids and links, and the journal round trip."""
from waveflow.local.history import details_key
from waveflow.local.journal import Journal
from waveflow.local.runtime import LocalRuntime

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def test_details_keys_follow_get_execution_history():
    assert details_key("TaskStateEntered") == "stateEnteredEventDetails"
    assert details_key("MapStateExited") == "stateExitedEventDetails"
    assert details_key("LambdaFunctionSucceeded") == "lambdaFunctionSucceededEventDetails"
    assert details_key("ExecutionStarted") == "executionStartedEventDetails"


def _run(journal_path=None):
    runtime = LocalRuntime({"Echo": lambda e, c: e}, journal_path=journal_path)
    runtime.register_state_machine("M", {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": FN + "Echo", "End": True}}})
    execution = runtime.start_execution("M", {"a": 1}, name="h-1")
    runtime.run()
    return runtime, execution


def test_events_are_numbered_linked_and_carry_json_payloads():
    _, execution = _run()
    events = execution.history
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert [e["id"] for e in events] == list(range(1, 8))
    assert all(e["previousEventId"] == e["id"] - 1 for e in events)
    entered = events[1]["stateEnteredEventDetails"]
    assert entered == {"name": "T", "input": '{"a":1}', "inputDetails": {"truncated": False}}
    assert events[-1]["executionSucceededEventDetails"]["output"] == '{"a":1}'
    assert events[0]["timestamp"].tzinfo is not None


def test_the_journal_keeps_executions_and_their_history(tmp_path):
    path = tmp_path / ".waveflow" / "journal.sqlite3"
    _, execution = _run(path)
    journal = Journal(path)
    assert journal.find("h-1") == execution.arn
    assert [row["status"] for row in journal.executions()] == ["SUCCEEDED"]
    stored = journal.history(execution.arn)
    assert [e["type"] for e in stored] == [e["type"] for e in execution.history]
    assert stored[0]["timestamp"] == "2026-01-01T00:00:00Z"
