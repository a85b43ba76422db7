"""``waveflow executions`` and ``waveflow history`` read the journal as a person (and a script) wants to."""
import json

import pytest
from click.testing import CliRunner

from waveflow.cli import cli

TWO_STATES = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 90, "Next": "Done"},
                                             "Done": {"Type": "Pass", "Result": {"ok": 1}, "End": True}}}


@pytest.fixture
def journalled(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for machine in ("First", "Second"):
        (tmp_path / f"{machine}.asl.json").write_text(json.dumps(TWO_STATES))
        CliRunner().invoke(cli, ["exec", f"{machine}.asl.json", "--name", "shared"])
    return tmp_path


def test_executions_lists_the_newest_first_with_status_duration_and_state_machine(journalled):
    result = CliRunner().invoke(cli, ["executions"])
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["RAN", "AT", "STATUS", "DURATION", "STATE", "MACHINE", "EVENTS", "NAME"]
    assert lines[1].split()[2:] == ["SUCCEEDED", "1m30s", "Second", "6", "shared"]
    assert lines[2].split()[4] == "First"


def test_history_of_a_name_two_executions_share_lists_both_and_asks_for_one(journalled):
    result = CliRunner().invoke(cli, ["history", "shared"])
    assert result.exit_code == 2
    assert "'shared' names 2 executions; give one ARN" in result.stderr
    assert ":execution:First:shared" in result.stderr and ":execution:Second:shared" in result.stderr


def test_history_prints_a_table_and_filters_by_state_and_type(journalled):
    arn = "arn:aws:states:us-east-1:123456789012:execution:First:shared"
    table = CliRunner().invoke(cli, ["history", arn]).stdout.splitlines()
    assert table[0].split() == ["ID", "TIME", "ELAPSED", "TYPE", "STATE", "DETAIL"]
    assert table[3].split()[:5] == ["3", "2026-01-01T00:01:30Z", "1m30s", "WaitStateExited", "Hold"]
    done = CliRunner().invoke(cli, ["history", arn, "--state", "Done"]).stdout.splitlines()[1:]
    assert [line.split()[3] for line in done] == ["PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    raw = json.loads(CliRunner().invoke(cli, ["history", arn, "--type", "Exited", "--json"]).stdout)
    assert [event["type"] for event in raw] == ["WaitStateExited", "PassStateExited"]
    assert raw[1]["stateExitedEventDetails"]["output"] == '{"ok":1}'


def test_prune_bounds_the_journal(journalled):
    result = CliRunner().invoke(cli, ["executions", "--prune", "--keep", "1"])
    assert "pruned 1 execution(s); 1 kept" in result.stdout
    assert [row["stateMachine"] for row in json.loads(CliRunner().invoke(cli, ["executions", "--json"]).stdout)] \
        == ["Second"]
