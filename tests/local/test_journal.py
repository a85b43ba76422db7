"""The journal as an API: compact histories that leave memory once written, lookups, pruning, refusals."""
import marshal
import sqlite3
import zlib

import pytest

from waveflow.local.errors import ExecutionAlreadyExists
from waveflow.local.history import History
from waveflow.local.journal import Journal, JournalError
from waveflow.local.runtime import LocalRuntime

LOOP = {"StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Result": {"i": 0}, "Next": "Count"},
    "Count": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "More"},
    "More": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 3000, "Next": "Count"}],
             "Default": "Done"},
    "Done": {"Type": "Succeed"}}}


ARN_OLD = "arn:aws:states:us-east-1:123456789012:execution:Loop:old"


def _columns_blob():
    """One ExecutionStarted event as format 3 stored it: zlib(marshal(the recorder's columns))."""
    history = History(None, None)
    history.add("ExecutionStarted", 0.0, 0, {"input": "{}", "roleArn": "arn:aws:iam::123456789012:role/r"})
    return zlib.compress(marshal.dumps(history.columns()), 1)


def _run(journal, machine="Loop", name="loop", definition=LOOP):
    runtime = LocalRuntime(history_limit=None, journal=journal)
    runtime.register_state_machine(machine, definition)
    execution = runtime.start_execution(machine, {}, name=name)
    runtime.run()
    return runtime, execution


def test_a_history_costs_a_few_bytes_per_event(tmp_path):
    path = tmp_path / "j.sqlite3"
    _, execution = _run(Journal(path))
    assert execution.history_length == 12_006
    assert path.stat().st_size / execution.history_length < 20


def test_a_journalled_history_leaves_memory_and_reads_back_the_same(tmp_path):
    in_memory = LocalRuntime(history_limit=None)
    in_memory.register_state_machine("Loop", LOOP)
    expected = in_memory.start_execution("Loop", {}, name="loop")
    in_memory.run()

    runtime, execution = _run(Journal(tmp_path / "j.sqlite3"))
    assert len(execution.root.history) == 0  # the runs' recorder was emptied in place
    assert execution.history == expected.history
    assert runtime.journal.history(execution.arn)[-1]["type"] == "ExecutionSucceeded"


def test_find_lists_every_execution_of_a_name_newest_first(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    _run(journal, machine="A", name="same")
    _run(journal, machine="B", name="same")
    assert [row["stateMachine"] for row in journal.find("same")] == ["B", "A"]
    assert [row["name"] for row in journal.executions()] == ["same", "same"]


def test_a_name_already_journalled_is_refused_as_aws_refuses_it(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    _run(journal)
    with pytest.raises(ExecutionAlreadyExists, match="Execution Already Exists: 'arn:aws:states:.*:loop'"):
        _run(journal)


def test_prune_keeps_the_newest(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    for index in range(5):
        _run(journal, name=f"n{index}")
    assert journal.prune(keep=2) == 3
    assert [row["name"] for row in journal.executions()] == ["n4", "n3"]
    assert journal.find("n0") == []


def test_files_that_are_not_journals_are_refused_by_name(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello, this is not a database" * 100)
    with pytest.raises(JournalError, match="notes.txt is not a waveflow journal"):
        Journal(text)
    with pytest.raises(JournalError, match="the folder .*missing does not exist"):
        Journal(tmp_path / "missing" / "j.sqlite3")
    with pytest.raises(JournalError, match="is a folder"):
        Journal(tmp_path)
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as db:
        db.execute("CREATE TABLE events (arn TEXT)")
    with pytest.raises(JournalError, match="another waveflow version"):
        Journal(old)


def test_a_journal_of_format_3_keeps_its_executions_and_histories_as_those_of_waveflow_exec(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE executions (arn TEXT PRIMARY KEY, name TEXT NOT NULL, state_machine TEXT NOT NULL,
                status TEXT NOT NULL, start_date REAL NOT NULL, stop_date REAL, ran_at REAL NOT NULL, input TEXT,
                output TEXT, error TEXT, cause TEXT, event_count INTEGER NOT NULL);
            CREATE TABLE histories (arn TEXT PRIMARY KEY, encoding INTEGER NOT NULL, events BLOB NOT NULL);
            INSERT INTO executions VALUES ('arn:aws:states:us-east-1:123456789012:execution:Loop:old', 'old', 'Loop', 'SUCCEEDED', 0, 1, 5, '{}', '{}', NULL, NULL, 0);
            PRAGMA user_version = 3;""")
        db.execute("INSERT INTO histories VALUES (?, 1, ?)", (ARN_OLD, _columns_blob()))
    journal = Journal(path)
    assert [(row["name"], row["run"]) for row in journal.executions()] == [("old", None)]
    assert [event["type"] for event in journal.history(ARN_OLD)] == ["ExecutionStarted"]
    with pytest.raises(ExecutionAlreadyExists):
        _run(journal, name="old")  # still taken in waveflow exec's scope


def test_each_run_is_a_scope_of_its_own_and_the_readers_default_to_the_latest(tmp_path):
    journal = Journal(tmp_path / "j.sqlite3")
    _run(journal, name="shared")
    first = journal.begin_run("waveflow run --servers 1", {"servers": 1})
    _run(journal, name="shared")  # the same name in another run: no collision
    journal.put_items(first, "migration", [("m-1", {"status": "SUCCESS"})])
    journal.finish_run(first, "completed", {"byStatus": {"SUCCESS": 1}})
    second = journal.begin_run("waveflow run --servers 2", {"servers": 2})
    _run(journal, name="shared")
    assert (first, second) == (1, 2)
    assert [row["run"] for row in journal.executions()] == [2]
    assert [row["run"] for row in journal.find("shared", scope=1)] == [1]
    assert journal.scopes_of("shared") == [2, 1, 0]
    assert journal.items(first, "migration") == [("m-1", {"status": "SUCCESS"})]
    assert [(run["run"], run["status"]) for run in journal.runs()] == [(2, "running"), (1, "completed")]
    assert journal.run(1)["summary"] == {"byStatus": {"SUCCESS": 1}}
    assert journal.prune(keep=1) == 2 and [run["run"] for run in journal.runs()] == [2]
