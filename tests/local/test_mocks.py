"""Mocked test cases as Step Functions Local defines them, checked against the developer guide's own example
(``sfn_local/``: "Using mocked service integrations" and "Configuration file for mocked service integrations")."""
import json
from pathlib import Path

import pytest

from waveflow.local.mocks import MockConfig, MockConfigError
from waveflow.local.runtime import LocalRuntime

GUIDE = Path(__file__).parent / "sfn_local"
LAMBDA_OK = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}
SQS_OK = {"MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
          "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}


def _runtime(config, definition, name="LambdaSQSIntegration", handlers=None):
    if isinstance(config, dict):
        config = MockConfig.parse(config)
    runtime = LocalRuntime(handlers or {}, mock_config=config)
    runtime.register_state_machine(name, definition)
    return runtime


def _guide_run(case):
    runtime = _runtime(MockConfig.load(GUIDE / "MockConfigFile.json"),
                       (GUIDE / "LambdaSQSIntegration.asl.json").read_text())
    execution = runtime.start_execution(
        f"arn:aws:states:us-east-1:123456789012:stateMachine:LambdaSQSIntegration#{case}", {}, name=case)
    runtime.run()
    return execution


def test_happy_path_returns_the_mocked_lambda_and_sqs_responses_as_the_guide_shows():
    execution = _guide_run("HappyPath")
    assert execution.status == "SUCCEEDED"
    assert execution.output == SQS_OK
    sqs_input = [e for e in execution.history if e["type"] == "TaskStateEntered"][1]["stateEnteredEventDetails"]
    assert json.loads(sqs_input["input"]) == LAMBDA_OK  # the mocked result flows on like a real one


def test_retry_path_answers_each_attempt_by_its_retry_count():
    execution = _guide_run("RetryPath")
    assert execution.status == "SUCCEEDED"
    failures = [e["taskFailedEventDetails"]["error"] for e in execution.history if e["type"] == "TaskFailed"]
    assert failures == ["Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"]
    succeeded = [json.loads(e["taskSucceededEventDetails"]["output"]) for e in execution.history
                 if e["type"] == "TaskSucceeded"]
    assert succeeded == [LAMBDA_OK, SQS_OK]


def test_hybrid_path_runs_the_unmocked_state_for_real():
    execution = _guide_run("HybridPath")
    # SQSState is not mocked: it calls SQS through boto3, which refuses the non-string MessageBody
    assert (execution.status, execution.error) == ("FAILED", "SQS.ValidationException")


def test_running_past_the_last_response_fails_the_execution_with_states_runtime():
    config = json.loads((GUIDE / "MockConfigFile.json").read_text())
    config["MockedResponses"]["MockedLambdaRetry"].pop("3")
    runtime = _runtime(config, (GUIDE / "LambdaSQSIntegration.asl.json").read_text())
    execution = runtime.start_execution("LambdaSQSIntegration#RetryPath", {}, name="short")
    runtime.run()
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "invocation 3 of state 'LambdaState'" in execution.cause


LOOP = {"StartAt": "Items", "States": {
    "Items": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ItemProcessor": {
        "StartAt": "Work", "States": {"Work": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work",
            "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 1}], "End": True}}}, "Next": "Both"},
    "Both": {"Type": "Parallel", "Branches": [
        {"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:L",
                                                "End": True}}},
        {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "Result": "unmocked", "End": True}}}],
             "End": True}}}


def test_map_iterations_and_parallel_branches_are_mockable_and_share_one_counter_per_state():
    config = {"StateMachines": {"Loop": {"TestCases": {"Case": {"Work": "Seq", "Left": "Left"}}}},
              "MockedResponses": {
                  "Seq": {"0": {"Throw": {"Error": "Boom", "Cause": "attempt0"}}, "1": {"Return": "idx1"},
                          "2": {"Return": "idx2"}},
                  "Left": {"0": {"Return": {"from": "mock"}}}}}
    runtime = _runtime(config, LOOP, name="Loop")
    execution = runtime.start_execution("Loop#Case", {"items": [1, 2]}, name="loop")
    runtime.run()
    assert execution.status == "SUCCEEDED"
    assert execution.output == [{"from": "mock"}, "unmocked"]
    mapped = [json.loads(e["stateExitedEventDetails"]["output"]) for e in execution.history
              if e["type"] == "MapStateExited"]
    assert mapped == [["idx1", "idx2"]]  # the second iteration continues the count; it does not restart at 0


def test_a_mocked_wait_for_task_token_task_completes_at_once():
    definition = {"StartAt": "Ask", "States": {"Ask": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "TimeoutSeconds": 60,
        "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}}
    config = {"StateMachines": {"M": {"TestCases": {"Yes": {"Ask": "Approved"}}}},
              "MockedResponses": {"Approved": {"0": {"Return": {"approved": True}}}}}
    runtime = _runtime(config, definition, name="M")
    execution = runtime.start_execution("M#Yes", {}, name="m")
    runtime.run()
    assert (execution.status, execution.output) == ("SUCCEEDED", {"approved": True})


def test_states_a_test_case_does_not_name_call_their_handlers():
    config = {"StateMachines": {"LambdaSQSIntegration": {"TestCases": {"Only": {"SQSState": "S"}}}},
              "MockedResponses": {"S": {"0": {"Return": SQS_OK}}}}
    calls = []
    runtime = _runtime(config, (GUIDE / "LambdaSQSIntegration.asl.json").read_text(),
                       handlers={"HelloWorldFunction": lambda event, context: calls.append(event) or "real"})
    execution = runtime.start_execution("LambdaSQSIntegration#Only", {"x": 1}, name="only")
    runtime.run()
    assert (execution.status, calls) == ("SUCCEEDED", [{"x": 1}])


@pytest.mark.parametrize("edit, message", [
    (lambda c: c["MockedResponses"]["MockedLambdaRetry"].pop("1-2"),
     "MockedResponses.MockedLambdaRetry.3: Mock responses must be consecutively numbered"),
    (lambda c: c["MockedResponses"]["MockedLambdaSuccess"]["0"].update(Throw={"Error": "E", "Cause": "C"}),
     "MockedResponses.MockedLambdaSuccess.0: must hold exactly one of Return or Throw"),
    (lambda c: c["MockedResponses"]["MockedLambdaRetry"]["0"]["Throw"].pop("Cause"),
     "MockedResponses.MockedLambdaRetry.0.Throw.Cause: must be a string (missing)"),
    (lambda c: c["MockedResponses"]["MockedSQSSuccess"].update({"x": {"Return": 1}}),
     "MockedResponses.MockedSQSSuccess.x: not an invocation number or range"),
    (lambda c: c["StateMachines"]["LambdaSQSIntegration"]["TestCases"]["HappyPath"].update(SQSState="Nope"),
     "StateMachines.LambdaSQSIntegration.TestCases.HappyPath.SQSState: no mocked response named 'Nope'"),
    (lambda c: c.update(MockResponses={}), "MockResponses: unknown top-level key"),
])
def test_a_malformed_file_is_refused_naming_the_key(edit, message):
    config = json.loads((GUIDE / "MockConfigFile.json").read_text())
    edit(config)
    with pytest.raises(MockConfigError) as caught:
        MockConfig.parse(config, "MockConfigFile.json")
    assert f"MockConfigFile.json: {message}" in str(caught.value)


def test_a_test_case_naming_a_state_the_definition_lacks_is_refused_before_anything_runs():
    config = {"StateMachines": {"LambdaSQSIntegration": {"TestCases": {"T": {"LambdaStat": "S"}}}},
              "MockedResponses": {"S": {"0": {"Return": 1}}}}
    runtime = _runtime(config, (GUIDE / "LambdaSQSIntegration.asl.json").read_text())
    with pytest.raises(MockConfigError, match="no state named 'LambdaStat'; did you mean 'LambdaState'"):
        runtime.start_execution("LambdaSQSIntegration#T", {}, name="t")
    assert runtime.executions == {}
