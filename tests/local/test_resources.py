"""Task resources: Lambda routing and error reports, task tokens, child executions, SDK calls and S3 items."""
import json
import time
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from waveflow.local.errors import InvalidToken, TaskTimedOut
from waveflow.local.runtime import LocalRuntime, run_definition

FN = "arn:aws:lambda:us-east-1:123456789012:function:"
INVOKE = "arn:aws:states:::lambda:invoke"


def task(resource, **fields):
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **fields}}}


class MigrationNotFound(Exception):
    pass


def test_a_raising_handler_fails_with_its_class_name_and_lambdas_json_cause():
    def handler(event, context):
        raise MigrationNotFound("no m-1")
    result = run_definition(task(FN + "Find"), {}, handlers={"Find": handler})
    assert result.error == "MigrationNotFound"
    cause = json.loads(result.cause)
    assert (cause["errorType"], cause["errorMessage"]) == ("MigrationNotFound", "no m-1")
    trace = "".join(cause["stackTrace"])
    assert "raise MigrationNotFound" in trace and "waveflow/local" not in trace
    # each file where Lambda has it, below the package's root: never where the project is checked out
    assert trace.startswith('  File "/var/task/') and str(Path(__file__).resolve().parent.parent) not in trace
    assert [e["type"] for e in result.history][-2:] == ["LambdaFunctionFailed", "ExecutionFailed"]


@pytest.mark.parametrize("resource", ["${FindFunctionArn}", FN + "Find:live", "Find"])
def test_handlers_are_routed_by_function_name(resource):
    if resource == "Find":
        definition = task(INVOKE, Parameters={"FunctionName": resource, "Payload": {}}, OutputPath="$.Payload")
    else:
        definition = task(resource)
    assert run_definition(definition, {}, handlers={"Find": lambda e, c: "found"}).output == "found"


def test_a_missing_handler_is_lambdas_resource_not_found():
    result = run_definition(task(FN + "Ghost"), {})
    assert result.error == "Lambda.ResourceNotFoundException"
    assert "function:Ghost" in result.cause


def test_a_result_that_is_not_json_is_a_marshal_error():
    result = run_definition(task(FN + "Bad"), {}, handlers={"Bad": lambda e, c: {"when": object()}})
    assert result.error == "Runtime.MarshalError"
    assert "Unable to marshal response" in json.loads(result.cause)["errorMessage"]


def test_a_result_with_keys_json_writes_as_text_arrives_as_lambda_serialises_it():
    result = run_definition(task(FN + "Keys"), {}, handlers={"Keys": lambda e, c: {7: "a", 2.5: "b", None: "c"}})
    assert result.output == {"7": "a", "2.5": "b", "null": "c"}
    refused = run_definition(task(FN + "Tuple"), {}, handlers={"Tuple": lambda e, c: {(1, 2): "a"}})
    assert refused.error == "Runtime.MarshalError"


def test_a_result_over_256_kib_is_data_limit_exceeded():
    result = run_definition(task(FN + "Big"), {}, handlers={"Big": lambda e, c: "y" * 300_000})
    assert result.error == "States.DataLimitExceeded"


def test_handlers_get_a_private_copy_and_a_lambda_like_context():
    seen = {}

    def handler(event, context):
        event["mutated"] = True
        seen.update(name=context.function_name, arn=context.invoked_function_arn,
                    remaining=context.get_remaining_time_in_millis(), request=context.aws_request_id)
        return event
    definition = task(FN + "Ctx", TimeoutSeconds=30, ResultPath="$.r")
    result = run_definition(definition, {"a": 1}, handlers={"Ctx": handler})
    assert result.output == {"a": 1, "r": {"a": 1, "mutated": True}}
    assert seen["name"] == "Ctx" and seen["arn"].endswith(":function:Ctx")
    assert seen["remaining"] == 30_000


def test_a_part_the_payload_holds_twice_reaches_the_handler_as_two_objects_as_json_would_bring_it():
    def handler(event, context):
        event["first"]["touched"] = True
        return event
    definition = task(FN + "Twice", Parameters={"first.$": "$.server", "second.$": "$.server"})
    result = run_definition(definition, {"server": {"id": "s-1"}}, handlers={"Twice": handler})
    assert result.output == {"first": {"id": "s-1", "touched": True}, "second": {"id": "s-1"}}
    entered = json.loads(result.history[1]["stateEnteredEventDetails"]["input"])
    assert entered == {"server": {"id": "s-1"}}  # and the engine's own payloads are untouched


def test_lambda_invoke_returns_the_invoke_envelope():
    definition = task(INVOKE, Parameters={"FunctionName": "${EchoFunctionArn}", "Payload.$": "$"})
    output = run_definition(definition, {"x": 1}, handlers={"Echo": lambda e, c: e}).output
    assert output["Payload"] == {"x": 1}
    assert (output["StatusCode"], output["ExecutedVersion"]) == (200, "$LATEST")
    types = [e["type"] for e in run_definition(definition, {}, handlers={"Echo": lambda e, c: e}).history]
    assert ["TaskScheduled", "TaskStarted", "TaskSucceeded"] == [t for t in types if t.startswith("Task") and
                                                                 "State" not in t]


def test_a_handler_that_hangs_past_timeout_seconds_is_states_timeout():
    def hang(event, context):
        time.sleep(5)
    definition = task(FN + "Hang", TimeoutSeconds=1)
    result = run_definition(definition, {}, handlers={"Hang": hang})
    assert result.error == "States.Timeout"
    assert "LambdaFunctionTimedOut" in {e["type"] for e in result.history}


def _token_runtime(heartbeats_at=(), **fields):
    """A callback task whose handler publishes its token; heartbeats are sent at the given seconds."""
    published = []
    runtime = LocalRuntime({"Ask": lambda event, context: published.append(event["token"])})
    runtime.register_state_machine("M", task(INVOKE + ".waitForTaskToken", Parameters={
        "FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}}, **fields))
    execution = runtime.start_execution("M", {})
    for second in heartbeats_at:
        runtime.call_at(runtime.clock.now() + second, lambda: runtime.send_task_heartbeat(published[0]))
    runtime.run()
    return runtime, execution, published


def test_wait_for_task_token_resumes_on_send_task_success():
    runtime, execution, published = _token_runtime()
    assert execution.status == "RUNNING" and len(published) == 1
    runtime.send_task_success(published[0], '{"approved": true}')
    runtime.run()
    assert (execution.status, execution.output) == ("SUCCEEDED", {"approved": True})
    with pytest.raises(TaskTimedOut):
        runtime.send_task_success(published[0], "{}")
    with pytest.raises(InvalidToken):
        runtime.send_task_success("not-a-token", "{}")


def test_an_answer_after_the_task_timed_out_gets_task_timed_out():
    runtime, execution, published = _token_runtime(TimeoutSeconds=60)
    assert execution.error == "States.Timeout"
    with pytest.raises(TaskTimedOut):
        runtime.send_task_success(published[0], "{}")
    with pytest.raises(TaskTimedOut):
        runtime.send_task_heartbeat(published[0])


def test_send_task_failure_fails_the_task_with_the_given_error():
    runtime, execution, published = _token_runtime()
    runtime.send_task_failure(published[0], "Rejected", "operator said no")
    runtime.run()
    assert (execution.error, execution.cause) == ("Rejected", "operator said no")


def test_heartbeats_keep_a_callback_task_alive_until_timeout_seconds():
    runtime, execution, published = _token_runtime(heartbeats_at=(50, 100, 150), HeartbeatSeconds=60,
                                                   TimeoutSeconds=300)
    assert execution.error == "States.HeartbeatTimeout"
    assert execution.stop_time - execution.start_time == 210


def test_timeout_seconds_is_not_reset_by_heartbeats():
    runtime, execution, published = _token_runtime(heartbeats_at=(50, 100), HeartbeatSeconds=100,
                                                   TimeoutSeconds=150)
    assert execution.error == "States.Timeout"
    assert execution.stop_time - execution.start_time == 150


CHILD = {"StartAt": "Work", "States": {
    "Work": {"Type": "Wait", "Seconds": 60, "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}],
              "Default": "Broke"},
    "Done": {"Type": "Pass", "Parameters": {"child.$": "$$.Execution.Name"}, "End": True},
    "Broke": {"Type": "Fail", "Error": "ChildFailed", "Cause": "not ok"}}}


def _parent(suffix):
    return task("arn:aws:states:::states:startExecution" + suffix, Parameters={
        "StateMachineArn": "${ServerMigrationStateMachineArn}", "Input.$": "$", "Name.$": "$.id"})


def _run_parent(suffix, child_input):
    runtime = LocalRuntime()
    runtime.register_state_machine("ServerMigration", CHILD)
    runtime.register_state_machine("Wave", _parent(suffix))
    execution = runtime.start_execution("Wave", child_input)
    runtime.run()
    return runtime, execution


def test_start_execution_sync2_waits_for_the_child_and_returns_json_output():
    runtime, parent = _run_parent(".sync:2", {"ok": True, "id": "m-1"})
    assert parent.output["Output"] == {"child": "m-1"}
    assert parent.output["Status"] == "SUCCEEDED"
    assert parent.stop_time - parent.start_time == 60
    assert runtime.get_execution("m-1").status == "SUCCEEDED"


def test_start_execution_sync_returns_output_as_a_string_and_fails_with_the_description():
    _, parent = _run_parent(".sync", {"ok": True, "id": "m-1"})
    assert json.loads(parent.output["Output"]) == {"child": "m-1"}
    _, failed = _run_parent(".sync", {"ok": False, "id": "m-2"})
    assert failed.error == "States.TaskFailed"
    assert json.loads(failed.cause)["Error"] == "ChildFailed"


def test_start_execution_without_sync_returns_at_once():
    runtime, parent = _run_parent("", {"ok": True, "id": "m-3"})
    assert parent.output["ExecutionArn"].endswith(":execution:ServerMigration:m-3")
    assert parent.stop_time == parent.start_time


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.Session(region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")


def test_sdk_integrations_call_boto3_and_name_errors_like_step_functions(aws):
    aws.client("dynamodb").create_table(TableName="status", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                        BillingMode="PAY_PER_REQUEST")
    put = {"TableName": "status", "Item": {"id": {"S.$": "$.id"}}, "ConditionExpression": "attribute_not_exists(id)"}
    definition = {"StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "Parameters": put,
                "ResultPath": None, "Next": "Get"},
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "Parameters": {"TableName": "status", "Key": {"id": {"S.$": "$.id"}}}, "End": True}}}
    assert run_definition(definition, {"id": "m-1"}, boto_session=aws).output["Item"] == {"id": {"S": "m-1"}}
    again = run_definition(definition, {"id": "m-1"}, boto_session=aws)
    assert again.error == "DynamoDB.ConditionalCheckFailedException"
    sdk = task("arn:aws:states:::aws-sdk:s3:getObject", Parameters={"Bucket": "none", "Key": "k"})
    assert run_definition(sdk, {}, boto_session=aws).error == "S3.NoSuchBucketException"


def test_distributed_map_reads_its_items_from_s3(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="waves")
    s3.put_object(Bucket="waves", Key="wave-7.json", Body=json.dumps([{"id": f"s-{i}"} for i in range(5)]))
    definition = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "MaxConcurrency": 2,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
                       "Parameters": {"Bucket": "waves", "Key.$": "$.key"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "Id", "States": {"Id": {"Type": "Pass", "OutputPath": "$.id", "End": True}}}}}}
    result = run_definition(definition, {"key": "wave-7.json"}, boto_session=aws)
    assert result.output == [f"s-{i}" for i in range(5)]
    missing = run_definition(definition, {"key": "nope.json"}, boto_session=aws)
    assert missing.error == "States.ItemReaderFailed"
