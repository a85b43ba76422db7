"""The Step Functions API served from the interpreter to unmodified boto3 clients, inside moto's mock_aws: AWS's
answers and error codes, and a handler answering its own task token during its own invocation."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from waveflow.local.runtime import LocalRuntime
from waveflow.local.twin.stepfunctions import StepFunctionsApi

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Hold"
WAIT = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "Next": "Done"},
                                      "Done": {"Type": "Pass", "End": True}}}
TOKEN_TASK = {"StartAt": "Ask", "States": {"Ask": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "HeartbeatSeconds": 60,
    "Parameters": {"FunctionName": "Answerer", "Payload": {"token.$": "$$.Task.Token", "mode.$": "$.mode"}},
    "End": True}}}


@pytest.fixture
def sfn(moto_session):
    """A runtime with two machines, its API installed on the session, and a client built after."""
    runtime = LocalRuntime({}, boto_session=moto_session, seed=5)
    runtime.register_state_machine("Hold", WAIT)
    runtime.register_state_machine("Tokens", TOKEN_TASK)
    api = StepFunctionsApi(runtime)
    api.install(moto_session)
    client = moto_session.client("stepfunctions")
    client.runtime = runtime
    yield client
    api.uninstall()


def _without_metadata(answer: dict) -> dict:
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


def test_a_start_is_answered_by_the_interpreter_and_moto_never_sees_it(sfn):
    from moto.stepfunctions.models import stepfunctions_backends
    moto_machine = stepfunctions_backends["123456789012"]["us-east-1"].create_state_machine(
        name="Hold", definition=json.dumps(WAIT), roleArn="arn:aws:iam::123456789012:role/sfn")  # moto's twin of it
    started = sfn.start_execution(stateMachineArn=ARN, name="m-1", input='{"a": 1}')
    assert started["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:Hold:m-1"
    assert isinstance(started["startDate"], datetime)
    assert sfn.runtime.get_execution("m-1").input == {"a": 1}
    assert moto_machine.executions == []


def test_the_same_name_and_input_while_running_is_the_same_execution_anything_else_already_exists(sfn):
    first = sfn.start_execution(stateMachineArn=ARN, name="m-1", input='{"a": 1}')
    again = sfn.start_execution(stateMachineArn=ARN, name="m-1", input='{"a": 1}')
    assert _without_metadata(again) == _without_metadata(first)
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists, match="Execution Already Exists"):
        sfn.start_execution(stateMachineArn=ARN, name="m-1", input='{"a": 2}')
    sfn.runtime.run()
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=ARN, name="m-1", input='{"a": 1}')


@pytest.mark.parametrize("call, code", [
    (lambda c: c.start_execution(stateMachineArn=ARN + "x", name="n"), "StateMachineDoesNotExist"),
    (lambda c: c.start_execution(stateMachineArn=ARN, name="has space"), "InvalidName"),
    (lambda c: c.start_execution(stateMachineArn=ARN, input="{nope"), "InvalidExecutionInput"),
    (lambda c: c.describe_execution(executionArn=ARN), "InvalidArn"),
    (lambda c: c.describe_execution(executionArn=ARN.replace("stateMachine", "execution") + ":x"),
     "ExecutionDoesNotExist"),
    (lambda c: c.send_task_success(taskToken="never-issued", output="{}"), "InvalidToken"),
])
def test_refusals_carry_awss_error_codes(sfn, call, code):
    with pytest.raises(getattr(sfn.exceptions, code)):
        call(sfn)


def test_describe_list_stop_and_history_read_the_interpreters_executions(sfn):
    arns = [sfn.start_execution(stateMachineArn=ARN, name=f"m-{n}", input="{}")["executionArn"] for n in range(3)]
    sfn.runtime.run(until=sfn.runtime.clock.now() + 1)
    assert sfn.stop_execution(executionArn=arns[1], error="Stopped", cause="by the test")["stopDate"]
    sfn.runtime.run()

    described = sfn.describe_execution(executionArn=arns[0])
    assert (described["status"], json.loads(described["output"]), described["stopDate"] > described["startDate"]) \
        == ("SUCCEEDED", {}, True)
    stopped = sfn.describe_execution(executionArn=arns[1])
    assert (stopped["status"], stopped["error"], stopped["cause"]) == ("ABORTED", "Stopped", "by the test")
    page = sfn.list_executions(stateMachineArn=ARN, maxResults=2)
    assert [e["name"] for e in page["executions"]] == ["m-2", "m-1"] and page["nextToken"]
    rest = sfn.list_executions(stateMachineArn=ARN, maxResults=2, nextToken=page["nextToken"])
    assert [e["name"] for e in rest["executions"]] == ["m-0"] and "nextToken" not in rest
    assert [e["name"] for e in sfn.list_executions(stateMachineArn=ARN, statusFilter="ABORTED")["executions"]] \
        == ["m-1"]
    history = sfn.get_execution_history(executionArn=arns[0])["events"]
    assert [e["type"] for e in history][:2] == ["ExecutionStarted", "WaitStateEntered"]
    assert isinstance(history[0]["timestamp"], datetime)


@pytest.mark.parametrize("mode, status", [("success", "SUCCEEDED"), ("failure", "FAILED")])
def test_a_handler_answers_its_own_token_during_its_own_invocation(sfn, mode, status):
    def answerer(event, context):
        if event["mode"] == "success":
            sfn.send_task_heartbeat(taskToken=event["token"])
            sfn.send_task_success(taskToken=event["token"], output='{"answered": "in its own invocation"}')
        else:
            sfn.send_task_failure(taskToken=event["token"], error="Refused", cause="by itself")
        return {"sent": True}

    sfn.runtime.handlers["Answerer"] = answerer
    arn = sfn.start_execution(stateMachineArn=ARN.replace("Hold", "Tokens"), name="t-1",
                              input=json.dumps({"mode": mode}))["executionArn"]
    sfn.runtime.run()

    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == status
    if status == "SUCCEEDED":
        assert json.loads(described["output"]) == {"answered": "in its own invocation"}
    else:
        assert (described["error"], described["cause"]) == ("Refused", "by itself")


def test_a_token_whose_task_is_over_has_timed_out(sfn):
    tokens = []
    sfn.runtime.handlers["Answerer"] = lambda event, context: tokens.append(event["token"]) or {}
    sfn.start_execution(stateMachineArn=ARN.replace("Hold", "Tokens"), name="t-2", input='{"mode": "none"}')
    sfn.runtime.run()  # no heartbeat within 60 s: the task times out
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=tokens[0], output="{}")


def test_an_operation_the_twin_does_not_serve_is_named(sfn):
    with pytest.raises(sfn.exceptions.ClientError, match="CreateStateMachine is not served by waveflow's local Step"):
        sfn.create_state_machine(name="x", definition="{}", roleArn="arn:aws:iam::123456789012:role/x")
