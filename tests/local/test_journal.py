"""The journal as an API: compact histories that leave memory once written, lookups, pruning, refusals."""
import sqlite3

import pytest

from waveflow.local.errors import ExecutionAlreadyExists
from waveflow.local.journal import Journal, JournalError
from waveflow.local.runtime import LocalRuntime

LOOP = {"StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Result": {"i": 0}, "Next": "Count"},
    "Count": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "More"},
    "More": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 3000, "Next": "Count"}],
             "Default": "Done"},
    "Done": {"Type": "Succeed"}}}


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
