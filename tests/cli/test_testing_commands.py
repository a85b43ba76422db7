"""``waveflow test`` (a Step Functions Local mock file, checked case by case) and ``waveflow test-state``."""
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from waveflow.cli import cli

GUIDE = Path(__file__).parents[1] / "local" / "sfn_local"


@pytest.fixture
def guide(tmp_path, monkeypatch):
    for name in ("MockConfigFile.json", "LambdaSQSIntegration.asl.json"):
        shutil.copy(GUIDE / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _expect(folder, cases):
    (folder / "expect.json").write_text(json.dumps({"StateMachines": {"LambdaSQSIntegration": {"TestCases": cases}}}))


def test_every_case_passes_its_expectations_and_the_table_says_so(guide):
    _expect(guide, {"HappyPath": {"Output": {"MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
                                             "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}},
                    "RetryPath": {"StatesEntered": ["LambdaState", "SQSState"]},
                    "HybridPath": {"Status": "FAILED", "Error": "SQS.ValidationException"}})
    result = CliRunner().invoke(cli, ["test", "MockConfigFile.json", "--expect", "expect.json"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3 passed, 0 failed"


def test_a_case_that_differs_fails_the_run_and_says_how(guide):
    _expect(guide, {"HappyPath": {"Output": {"MessageId": "other"}}})
    result = CliRunner().invoke(cli, ["test", "MockConfigFile.json", "--expect", "expect.json"])
    assert result.exit_code == 1
    happy = next(line for line in result.stdout.splitlines() if "HappyPath" in line)
    assert "FAIL" in happy and 'expected {"MessageId": "other"}' in happy
    assert result.stdout.splitlines()[-1] == "1 passed, 2 failed"  # HybridPath FAILED, and no expectation said so


def test_an_expectations_file_with_an_unknown_key_is_refused(guide):
    _expect(guide, {"HappyPath": {"Outptu": {}}})
    result = CliRunner().invoke(cli, ["test", "MockConfigFile.json", "--expect", "expect.json"])
    assert result.exit_code == 2
    assert "expect.json: StateMachines.LambdaSQSIntegration.TestCases.HappyPath.Outptu: unknown key" in result.stderr


def test_test_state_prints_the_testState_response(guide):
    result = CliRunner().invoke(cli, ["test-state", "LambdaSQSIntegration.asl.json", "--state", "LambdaState",
                                      "--input", "{}", "--mock-error", "Lambda.TimeoutException", "--retry-count",
                                      "1", "--inspection-level", "DEBUG"])
    response = json.loads(result.stdout)
    assert result.exit_code == 0
    assert response["status"] == "RETRIABLE"
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 4}


def test_test_state_takes_a_pasted_request(guide):
    definition = json.loads((guide / "LambdaSQSIntegration.asl.json").read_text())
    (guide / "request.json").write_text(json.dumps({
        "definition": json.dumps(definition), "stateName": "SQSState", "input": "{}",
        "mock": {"result": json.dumps({"MessageId": 7})}}))
    result = CliRunner().invoke(cli, ["test-state", "--request", "request.json"])
    assert result.exit_code == 2
    assert "ValidationException: Mock result schema validation error: Field 'MessageId' must be a string" \
        in result.stderr


def test_test_state_of_a_built_workflow_calls_the_build_s_handler(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "greeting.py").write_text("def handler(event, context):\n    return {'hi': event['who']}\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "Greet.asl.json").write_text(json.dumps({"StartAt": "Hi", "States": {"Hi": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload", "End": True,
        "Parameters": {"FunctionName": "${GreetingFunctionArn}", "Payload.$": "$"}}}}))
    (tmp_path / "build" / "manifest.json").write_text(json.dumps({
        "workflows": {"Greet": {"file": "workflows/greet.py", "definition": "Greet.asl.json",
                                "functions": ["Greeting"], "children": []}},
        "functions": {"Greeting": {"handler": "greeting.handler"}}}))
    result = CliRunner().invoke(cli, ["test-state", "Greet", "--state", "Hi", "--input", '{"who": "wave"}'])
    assert result.exit_code == 0, result.output
    assert json.loads(json.loads(result.stdout)["output"]) == {"hi": "wave"}
