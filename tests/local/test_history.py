"""History events: GetExecutionHistory shapes, ids and links, and the journal round trip."""
from waveflow.local.history import History, details_key
from waveflow.local.journal import Journal
from waveflow.local.runtime import LocalRuntime

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def test_details_keys_follow_get_execution_history():
    assert details_key("TaskStateEntered") == "stateEnteredEventDetails"
    assert details_key("MapStateExited") == "stateExitedEventDetails"
    assert details_key("LambdaFunctionSucceeded") == "lambdaFunctionSucceededEventDetails"
    assert details_key("ExecutionStarted") == "executionStartedEventDetails"


def _run(journal_path=None):
    runtime = LocalRuntime({"Echo": lambda e, c: e}, journal=journal_path)
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


def test_a_payload_several_events_hold_is_written_in_each_and_an_equal_one_alike():
    history = History(None, None)
    shared, equal = {"record": {"status": "DONE"}}, {"record": {"status": "DONE"}}
    history.add("ExecutionStarted", 1.0, 0, {"input": shared})
    history.add("PassStateEntered", 2.0, 1, shared, name="P")
    history.add("PassStateExited", 3.0, 2, equal, name="P")
    history.add_final("ExecutionSucceeded", 4.0, 3, {"output": [shared, equal]})
    events = history.materialize()
    assert events[0]["executionStartedEventDetails"]["input"] == '{"record":{"status":"DONE"}}'
    assert events[1]["stateEnteredEventDetails"]["input"] == '{"record":{"status":"DONE"}}'
    assert events[2]["stateExitedEventDetails"]["output"] == '{"record":{"status":"DONE"}}'
    assert events[3]["executionSucceededEventDetails"]["output"] == '[{"record":{"status":"DONE"}},' \
                                                                   '{"record":{"status":"DONE"}}]'


def test_the_journal_keeps_executions_and_their_history(tmp_path):
    path = tmp_path / ".waveflow" / "journal.sqlite3"
    _, execution = _run(path)
    journal = Journal(path)
    assert [row["executionArn"] for row in journal.find("h-1")] == [execution.arn]
    assert [row["status"] for row in journal.executions()] == ["SUCCEEDED"]
    stored = journal.history(execution.arn)
    assert [e["type"] for e in stored] == [e["type"] for e in execution.history]
    assert stored[0]["timestamp"] == "2026-01-01T00:00:00Z"


def test_a_sync_child_execution_records_task_submitted_with_the_start_response():
    runtime = LocalRuntime()
    runtime.register_state_machine("Child", {"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 5, "End": True}}})
    runtime.register_state_machine("Parent", {"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "End": True,
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Child"}}}})
    parent = runtime.start_execution("Parent", {}, name="p")
    runtime.run()
    types = [e["type"] for e in parent.history]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    submitted = parent.history[4]["taskSubmittedEventDetails"]
    assert submitted["resource"] == "startExecution.sync:2"
    assert '"ExecutionArn":"arn:aws:states:us-east-1:123456789012:execution:Child:' in submitted["output"]
    assert parent.history[4]["timestamp"] < parent.history[5]["timestamp"]  # submitted at once, done 5 s later


def test_a_failing_map_records_the_iterations_it_aborts_before_failing():
    runtime = LocalRuntime()
    runtime.register_state_machine("M", {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemProcessor": {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "W"}],
                  "Default": "F"},
            "W": {"Type": "Wait", "Seconds": 60, "End": True},
            "F": {"Type": "Fail", "Error": "Boom"}}}}}})
    execution = runtime.start_execution("M", [0, 1], name="m")
    runtime.run()
    wanted = ("MapIteration", "MapStateStarted", "MapStateFailed")
    map_events = [(e["type"], (e.get("mapIterationAbortedEventDetails") or {}).get("index"))
                  for e in execution.history if e["type"].startswith(wanted)]
    assert map_events == [("MapStateStarted", None), ("MapIterationStarted", None), ("MapIterationStarted", None),
                          ("MapIterationFailed", None), ("MapIterationAborted", 0), ("MapStateFailed", None)]
