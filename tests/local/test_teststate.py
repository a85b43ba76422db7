"""``test_state``: TestState's request and response, checked against the shapes the API reference documents and
AWS returns (statuses, nextState, inspectionData at DEBUG, errorDetails, mock validation and its messages)."""
import json

import pytest

from waveflow.local.teststate import TestStateError, test_state

IO_PASS = {"Type": "Pass", "InputPath": "$.initialData",
           "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
           "ResultPath": "$.modifiedData", "End": True}
IO_INPUT = {"initialData": {"fieldFromInput": "value from input", "otherField": "other"},
            "unrelatedData": {"someOtherField": 1234}}
RETRY_TASK = {"QueryLanguage": "JSONata", "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Arguments": {"FunctionName": "foo", "Payload": "bar"},
              "Retry": [{"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "MaxAttempts": 5,
                         "BackoffRate": 2.0}], "End": True}
CATCH_TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"},
              "Catch": [{"ErrorEquals": ["MockException"], "Next": "HandleMockError"},
                        {"ErrorEquals": ["States.ALL"], "Next": "HandleThreshold"}], "End": True}
MOCK_ERROR = {"errorOutput": {"error": "MockException", "cause": "Mock the cause of the error."}}


def _call(definition, **request):
    return test_state({"definition": json.dumps(definition), **request})


def _decoded(data):
    return {key: json.loads(value) if isinstance(value, str) else value for key, value in data.items()}


def test_debug_shows_the_input_after_each_processing_step():
    response = _call(IO_PASS, input=json.dumps(IO_INPUT), inspectionLevel="DEBUG")
    merged = {**IO_INPUT, "modifiedData": {"staticValue": "some value", "inputValue": "value from input"}}
    assert response["status"] == "SUCCEEDED" and json.loads(response["output"]) == merged
    assert _decoded(response["inspectionData"]) == {
        "input": IO_INPUT, "afterInputPath": IO_INPUT["initialData"],
        "afterParameters": merged["modifiedData"], "afterResultSelector": merged["modifiedData"],
        "afterResultPath": merged}


def test_info_gives_status_output_and_no_inspection_data():
    response = _call({"Type": "Pass", "End": True}, input='{"Value": "HelloWorld"}')
    assert response == {"status": "SUCCEEDED", "output": '{"Value":"HelloWorld"}'}


def test_choice_reports_the_next_state():
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.cost", "NumericLessThan": 10, "Next": "Approved"}],
              "Default": "Ask"}
    assert _call(choice, input='{"cost": 9}')["nextState"] == "Approved"
    assert _call(choice, input='{"cost": 10}')["nextState"] == "Ask"


def test_a_retrier_with_attempts_left_makes_it_retriable_with_its_backoff():
    response = _call(RETRY_TASK, input="{}", inspectionLevel="DEBUG", mock=MOCK_ERROR,
                     stateConfiguration={"retrierRetryCount": 4})
    assert response["status"] == "RETRIABLE" and "nextState" not in response
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 16}


def test_retries_spent_and_no_catcher_make_it_failed():
    response = _call(RETRY_TASK, input="{}", inspectionLevel="DEBUG", mock=MOCK_ERROR,
                     stateConfiguration={"retrierRetryCount": 5})
    assert (response["status"], response["error"]) == ("FAILED", "MockException")
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0}


def test_a_catcher_makes_it_caught_error_with_its_next_state_and_the_error_output():
    response = _call(CATCH_TASK, input='{"Value": "HelloWorld"}', inspectionLevel="DEBUG",
                     mock={"errorOutput": {"error": "States.TaskFailed", "cause": "The task failed."}})
    assert (response["status"], response["nextState"]) == ("CAUGHT_ERROR", "HandleThreshold")
    assert json.loads(response["output"]) == {"Error": "States.TaskFailed", "Cause": "The task failed."}
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 1}


def test_an_unmocked_lambda_task_calls_its_handler():
    task = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Greet",
            "ResultPath": "$.greeting", "Next": "After"}
    response = test_state({"definition": json.dumps(task), "input": '{"who": "wave"}'},
                          handlers={"Greet": lambda event, context: "hello " + event["who"]})
    assert json.loads(response["output"]) == {"who": "wave", "greeting": "hello wave"}
    assert response["nextState"] == "After"


def test_a_state_of_a_whole_machine_is_picked_by_name():
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}
    assert _call(machine, stateName="A", input="{}")["nextState"] == "B"
    with pytest.raises(TestStateError, match="State not found in definition"):
        _call(machine, stateName="C", input="{}")


@pytest.mark.parametrize("definition, request_fields, code, message", [
    ({"Type": "Pass", "End": True}, {"mock": {"result": "{}"}}, "ValidationException",
     "State type 'Pass' is not supported when a mock is specified"),
    ({"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True},
     {}, "InvalidDefinition", "TestState API does not support Map or Parallel states"),
    ({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "f"}, "End": True}, {}, "InvalidDefinition", ".waitForTaskToken"),
    (CATCH_TASK, {"mock": {"result": "{}", **MOCK_ERROR}}, "ValidationException",
     "A test mock should have only one of the following fields: [result, errorOutput]."),
    ({"Type": "Parallel", "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
      "End": True}, {"mock": {"result": "[1, 2]"}}, "ValidationException",
     "Mocked result must contain the same number of items as number of Parallel branches."),
])
def test_requests_testState_refuses_are_refused_with_its_messages(definition, request_fields, code, message):
    with pytest.raises(TestStateError) as caught:
        _call(definition, input="{}", **request_fields)
    assert caught.value.code == code and message in caught.value.message


@pytest.mark.parametrize("resource, result, message", [
    ("arn:aws:states:::events:putEvents", {"Entries": "x"}, "Field 'Entries' must be an array"),
    ("arn:aws:states:::events:putEvents", {"Entries": [{"EventId": "a"}, {"EventId": ["b"]}]},
     "Field 'EventId' must be a string"),
    ("arn:aws:states:::states:startExecution", {}, "Required field 'ExecutionArn' is missing"),
    ("arn:aws:states:::states:startExecution", {"ExecutionArn": "a", "StartDate": 1764103483},
     "Field 'StartDate' must be a string"),
    ("arn:aws:states:::lambda:invoke", {"StatusCode": "200"}, "Field 'StatusCode' must be a number"),
    ("arn:aws:states:::aws-sdk:s3:getObject", {"StorageClass": "Papyrus"}, "Field 'StorageClass' is not an "
                                                                            "expected value"),
])
def test_strict_field_validation_checks_the_mock_against_the_api_model(resource, result, message):
    task = {"Type": "Task", "Resource": resource, "Parameters": {}, "End": True}
    with pytest.raises(TestStateError) as caught:
        _call(task, input="{}", mock={"result": json.dumps(result)})
    assert caught.value.message == f"Mock result schema validation error: {message}"


def test_present_skips_required_fields_and_none_skips_everything():
    task = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution", "Parameters": {}, "End": True}
    assert _call(task, input="{}", mock={"result": "{}", "fieldValidationMode": "PRESENT"})["status"] == "SUCCEEDED"
    with pytest.raises(TestStateError, match="StartDate"):
        _call(task, input="{}", mock={"result": '{"StartDate": 1}', "fieldValidationMode": "PRESENT"})
    assert _call(task, input="{}", mock={"result": '{"StartDate": 1}', "fieldValidationMode": "NONE"})["status"] \
        == "SUCCEEDED"
    assert _call(task, input="{}", mock={"result": '{"random": "json"}', "fieldValidationMode": "PRESENT"})[
        "status"] == "SUCCEEDED"


def test_a_map_with_a_mocked_result_reports_its_limits_and_tolerated_failures():
    map_state = {"Type": "Map", "ItemsPath": "$.Values", "ToleratedFailureCount": 1,
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "HandleThreshold"}], "End": True}
    below = _call(map_state, input='{"Values": [1, 2, 3]}', mock={"result": "[1, 1, 1]"}, inspectionLevel="DEBUG",
                  stateConfiguration={"mapIterationFailureCount": 1})
    assert below["status"] == "SUCCEEDED" and below["inspectionData"]["toleratedFailureCount"] == 1
    above = _call(map_state, input='{"Values": [1, 2, 3]}', mock={"result": "[0, 0, 1]"},
                  stateConfiguration={"mapIterationFailureCount": 2})
    assert (above["status"], above["error"], above["nextState"]) == (
        "CAUGHT_ERROR", "States.ExceedToleratedFailureThreshold", "HandleThreshold")


def test_variables_are_visible_and_reported_after_the_state():
    assign = {"Type": "Pass", "Assign": {"doubled.$": "States.MathAdd($limit, $limit)"}, "End": True}
    response = _call(assign, input="{}", variables='{"limit": 2}', inspectionLevel="DEBUG")
    assert json.loads(response["inspectionData"]["variables"]) == {"limit": 2, "doubled": 4}
