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
    assert result.exit_code == 2 and "run `waveflow exec` or `waveflow run` here first" in result.stderr


def _built(workdir):
    """A build folder as `waveflow build` leaves it: a definition and a manifest naming its handler."""
    build = workdir / "build"
    build.mkdir()
    (build / "Greet.asl.json").write_text((workdir / "Greet.asl.json").read_text())
    (build / "manifest.json").write_text(json.dumps({
        "workflows": {"Greet": {"file": "workflows/greet.py", "definition": "Greet.asl.json", "functions": ["Greet"],
                                "children": []}},
        "functions": {"Greet": {"handler": "wf_handlers.greet", "placeholder": "GreetFunctionArn"}}}))


def test_exec_of_a_workflow_name_takes_definition_and_handlers_from_the_build(cli, workdir):
    _built(workdir)
    result = CliRunner().invoke(cli, ["exec", "Greet", "--input", '{"who": "build"}'])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"greeting": "hello build"}


def test_a_handler_override_accepts_the_dsl_dotted_form(cli, workdir):
    _built(workdir)
    result = CliRunner().invoke(cli, ["exec", "Greet", "--handler", "Greet=wf_handlers.boom"])
    assert result.exit_code == 1 and json.loads(result.stdout)["error"] == "ValueError"


@pytest.mark.parametrize("args, message", [
    (["--handler", "Gret=wf_handlers:greet"], "--handler Gret: the definition never calls a function named 'Gret' "
                                              "(it calls: Greet)"),
    (["--handler", "Greet=wf_handlers:greet", "--handler", "Greet=wf_handlers:boom"], "--handler Greet: given twice"),
])
def test_a_handler_the_definition_never_calls_or_given_twice_is_refused(cli, workdir, args, message):
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", *args])
    assert result.exit_code == 2 and message in result.stderr


def test_input_from_stdin(cli, workdir):
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--input", "@-", "--handler",
                                      "Greet=wf_handlers:greet"], input='{"who": "stdin"}')
    assert json.loads(result.stdout) == {"greeting": "hello stdin"}


def test_what_a_handler_prints_or_logs_goes_to_stderr_not_into_the_json(cli, workdir):
    (workdir / "noisy.py").write_text(textwrap.dedent("""
        import logging, sys
        log = logging.getLogger("noisy")
        log.addHandler(logging.StreamHandler(sys.stdout))
        def greet(event, context):
            print("hello from the handler")
            log.warning("a log line")
            return {"ok": True}
    """))
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--handler", "Greet=noisy:greet"])
    assert json.loads(result.stdout) == {"ok": True}
    assert "hello from the handler" in result.stderr and "a log line" in result.stderr


APPROVAL = {"StartAt": "Approve", "States": {"Approve": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "TimeoutSeconds": 3600,
    "Parameters": {"FunctionName": "Ask", "Payload": {"token.$": "$$.Task.Token"}}, "End": True}}}


@pytest.mark.parametrize("respond, code, expected", [
    ("Approve=success:{\"approved\": true}@30m", 0, {"approved": True}),
    ("Approve=failure:Rejected:not today", 1, {"error": "Rejected", "cause": "not today"}),
    ("Approve=none", 1, {"error": "States.Timeout", "cause": None}),
])
def test_respond_answers_a_task_token_from_the_command_line(cli, workdir, respond, code, expected):
    (workdir / "approval.json").write_text(json.dumps(APPROVAL))
    (workdir / "ask.py").write_text("def handler(event, context):\n    return {}\n")
    result = CliRunner().invoke(cli, ["exec", "approval.json", "--handler", "Ask=ask:handler", "--respond", respond])
    assert (result.exit_code, json.loads(result.stdout)) == (code, expected)


def test_respond_to_a_state_that_issues_no_token_is_refused(cli, workdir):
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--respond", "T=success:{}"])
    assert result.exit_code == 2 and "--respond T: no .waitForTaskToken task of that name" in result.stderr


def test_default_names_are_unique_and_a_reused_name_needs_replace(cli, workdir):
    runner = CliRunner()
    for _ in range(2):
        runner.invoke(cli, ["exec", "Greet.asl.json", "--handler", "Greet=wf_handlers:greet", "--input",
                            '{"who": "x"}'])
    assert len(json.loads(runner.invoke(cli, ["executions", "--json"]).stdout)) == 2
    args = ["exec", "Greet.asl.json", "--handler", "Greet=wf_handlers:greet", "--input", '{"who": "x"}', "--name",
            "fixed"]
    assert runner.invoke(cli, args).exit_code == 0
    again = runner.invoke(cli, args)
    assert again.exit_code == 2 and "Execution Already Exists" in again.stderr and "--replace" in again.stderr
    assert runner.invoke(cli, [*args, "--replace"]).exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["--state-machine", "Child=missing.json"], "--state-machine Child: cannot read missing.json"),
    (["--state-machine", "Child=."], "--state-machine Child: . is a folder, not a file"),
    (["--journal", "nowhere/j.sqlite3"], "the folder nowhere does not exist"),
    (["--journal", "wf_handlers.py"], "wf_handlers.py is not a waveflow journal"),
])
def test_bad_files_in_options_exit_2_with_a_message_not_a_traceback(cli, workdir, args, message):
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--handler", "Greet=wf_handlers:greet", *args])
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.output


def test_a_definition_or_input_that_is_not_utf8_is_refused_by_name(cli, workdir):
    (workdir / "latin1.json").write_bytes('{"StartAt": "é"}'.encode("latin-1"))
    result = CliRunner().invoke(cli, ["exec", "latin1.json"])
    assert result.exit_code == 2 and "latin1.json is not UTF-8 text (byte 0xe9" in result.stderr
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--input", "@latin1.json"])
    assert result.exit_code == 2 and "--input: latin1.json is not UTF-8 text" in result.stderr


def test_mock_config_from_the_environment_runs_a_test_case(cli, workdir, monkeypatch):
    (workdir / "mocks.json").write_text(json.dumps({
        "StateMachines": {"Greet": {"TestCases": {"Mocked": {"T": "Hi"}}}},
        "MockedResponses": {"Hi": {"0": {"Return": {"StatusCode": 200, "Payload": {"greeting": "mocked"}}}}}}))
    monkeypatch.setenv("SFN_MOCK_CONFIG", "mocks.json")
    result = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--test-case", "Mocked"])
    assert result.exit_code == 0 and json.loads(result.stdout) == {"greeting": "mocked"}
    other = CliRunner().invoke(cli, ["exec", "Greet.asl.json", "--test-case", "Mocked", "--state-machine-name", "X"])
    assert other.exit_code == 2 and "no state machine named 'X' (the file has: Greet)" in other.stderr


def test_a_stalled_execution_is_journalled_as_running(cli, workdir):
    waiting = {key: value for key, value in APPROVAL["States"]["Approve"].items() if key != "TimeoutSeconds"}
    (workdir / "approval.json").write_text(json.dumps({"StartAt": "Approve", "States": {"Approve": waiting}}))
    (workdir / "ask.py").write_text("def handler(event, context):\n    return {}\n")
    runner = CliRunner()
    result = runner.invoke(cli, ["exec", "approval.json", "--handler", "Ask=ask:handler", "--name", "waiting"])
    assert result.exit_code == 1 and json.loads(result.stdout)["error"] == "waveflow.Stalled"
    assert [row["status"] for row in json.loads(runner.invoke(cli, ["executions", "--json"]).stdout)] == ["RUNNING"]
    assert "TaskSubmitted" in runner.invoke(cli, ["history", "waiting"]).stdout


def test_exec_imports_neither_the_compiler_nor_what_the_run_does_not_ask_for(workdir):
    import subprocess
    import sys
    unused = ('waveflow.compile', 'waveflow.dsl', 'statelint', 'waveflow.local.mocks', 'waveflow.local.responders')
    code = ("import sys; from waveflow.cli import main\n"
            "try:\n    main(['exec', 'Greet.asl.json', '--handler', 'Greet=wf_handlers:greet', '--input', "
            "'{\"who\": \"x\"}'])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in sys.modules if m.startswith({unused!r})))")
    done = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "[]", done.stderr
