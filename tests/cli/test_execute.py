"""``waveflow exec | history | executions`` through click's CliRunner, with the exit-code contract."""
import json
import textwrap

import pytest
from click.testing import CliRunner

from waveflow.cli import cli as waveflow_cli


@pytest.fixture
def cli():
    return waveflow_cli


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "wf_handlers.py").write_text(textwrap.dedent("""
        def greet(event, context):
            return {"greeting": "hello " + event["who"]}

        def boom(event, context):
            raise ValueError("bad input")
    """))
    (tmp_path / "Greet.asl.json").write_text(json.dumps({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload", "End": True,
        "Parameters": {"FunctionName": "${GreetFunctionArn}", "Payload.$": "$"}}}}))
    return tmp_path


def test_exec_prints_the_output_and_exits_0(cli, workdir):
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--input", '{"who": "wave"}',
                                      "--handler", "Greet=wf_handlers:greet", "--name", "first"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"greeting": "hello wave"}


def test_exec_of_a_failing_execution_prints_error_and_cause_and_exits_1(cli, workdir):
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--input", '{"who": "x"}',
                                      "--handler", "Greet=wf_handlers:boom"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["error"] == "ValueError"
    assert json.loads(report["cause"])["errorMessage"] == "bad input"


def test_exec_reads_input_from_a_file(cli, workdir):
    (workdir / "in.json").write_text('{"who": "file"}')
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--input", "@in.json",
                                      "--handler", "Greet=wf_handlers:greet"])
    assert json.loads(result.stdout) == {"greeting": "hello file"}


@pytest.mark.parametrize("args, fragment", [
    (["--input", "{nope"], "Invalid value for --input"),
    (["--handler", "Greet"], "NAME=module:function"),
    (["--handler", "Greet=wf_handlers:missing"], "has no attribute 'missing'"),
])
def test_bad_options_exit_2_with_a_clear_message(cli, workdir, args, fragment):
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", *args])
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_an_invalid_definition_exits_2_listing_every_problem(cli, workdir):
    (workdir / "bad.json").write_text(json.dumps({"StartAt": "X", "States": {"A": {"Type": "Pass"}}}))
    result = CliRunner().invoke(cli, ["exec", "bad.json"])
    assert result.exit_code == 2
    assert "StartAt 'X'" in result.stderr
    assert "State 'A': must have either 'Next' or 'End'" in result.stderr


def test_history_limit_applies_unless_lifted(cli, workdir):
    (workdir / "loop.json").write_text(json.dumps({"StartAt": "L", "States": {"L": {
        "Type": "Pass", "Result": {"i": 0}, "Next": "Count"}, "Count": {
        "Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "More"}, "More": {
        "Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 6300, "Next": "Count"}],
        "Default": "Done"}, "Done": {"Type": "Succeed"}}}))
    limited = CliRunner().invoke(cli, ["exec", "loop.json"])
    assert limited.exit_code == 1 and "maximum number of history events" in limited.stdout
    lifted = CliRunner().invoke(cli, ["exec", "loop.json", "--no-history-limit"])
    assert lifted.exit_code == 0 and json.loads(lifted.stdout) == {"i": 6300}


def test_history_and_executions_read_the_journal(cli, workdir):
    runner = CliRunner()
    runner.invoke(cli, ["exec", "Greet.asl.json", "--input", '{"who": "j"}', "--handler", "Greet=wf_handlers:greet",
                        "--name", "journaled"])
    listing = runner.invoke(cli, ["executions", "--json"])
    assert [row["name"] for row in json.loads(listing.stdout)] == ["journaled"]
    history = runner.invoke(cli, ["history", "journaled", "--json"])
    events = json.loads(history.stdout)
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    text = runner.invoke(cli, ["history", "journaled"])
    assert "TaskScheduled" in text.stdout
    missing = runner.invoke(cli, ["history", "nope"])
    assert missing.exit_code == 2 and "Execution Does Not Exist" in missing.stderr


def test_history_without_a_journal_explains_what_to_do(cli, workdir):
    result = CliRunner().invoke(cli, ["executions"])
    assert result.exit_code == 2 and "run `waveflow exec` here first" in result.stderr
