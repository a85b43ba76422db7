"""Running a wave for the end-to-end tests, through the library function ``waveflow run`` calls, and reading what it
left: status records, events, dead letters, instances and DNS (collected from moto at the end of the run) and the
executions' histories (from the run's journal)."""
from __future__ import annotations

import io
import threading
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rich.console import Console

from waveflow.local.journal import Journal
from waveflow.run.options import RunOptions
from waveflow.run.runner import RunResult, run_wave

REPO = Path(__file__).resolve().parents[2]
LEGAL_SUCCESS = ["PENDING", "VALIDATED", "SOURCE_PREPARED", "MIGRATION_IN_PROGRESS", "VERIFIED", "COMPLETED",
                 "SUCCESS"]


def run(tmp_path_factory, **options) -> "Ran":
    """One run of a wave in a folder of its own (build and journal).

    The run goes on a thread of its own, as it would at the top of ``waveflow run``: CPython 3.11 keeps frames in
    16 KB chunks it maps and unmaps as the stack crosses a chunk's edge, and from deep inside pytest the run's
    calls cross one on nearly every call (400,000 mmap/munmap pairs for ten servers, a third of the time).
    """
    folder = tmp_path_factory.mktemp("run")
    options = RunOptions(project=REPO, build=folder / "build", journal=folder / "journal.sqlite3", **options)
    outcome: list = []

    def target() -> None:
        try:
            outcome.append(run_wave(options, console=Console(file=io.StringIO())))
        except BaseException as exc:  # re-raised on the test's thread
            outcome.append(exc)
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return Ran(outcome[0], Journal(folder / "journal.sqlite3"))


@dataclass
class Ran:
    result: RunResult
    journal: Journal

    @property
    def summary(self) -> dict:
        return self.result.summary

    @property
    def outcome(self):
        return self.result.outcome

    @cached_property
    def records(self) -> dict[str, dict]:
        return {record["migrationId"]: record for record in self.outcome.records}

    @cached_property
    def events(self) -> dict[str, list[str]]:
        """Detail types of each migration's events, in order."""
        found = defaultdict(list)
        for event in self.outcome.events:
            found[event["detail"].get("migrationId")].append(event["detail-type"])
        return found

    @cached_property
    def executions(self) -> list[dict]:
        return self.journal.executions(scope=self.result.run_id)

    def migrations(self) -> list[dict]:
        return [e for e in self.executions if e["stateMachine"].endswith("ServerMigration")]

    def history(self, name: str) -> list[dict]:
        [execution] = [e for e in self.executions if e["name"] == name]
        return self.journal.history(execution["executionArn"], scope=self.result.run_id)

    def entered(self, name: str) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.history(name) if e["type"].endswith("StateEntered")]

    def statuses(self, migration_id: str) -> list[str]:
        return [entry["status"] for entry in self.records[migration_id]["history"]]

    def with_status(self, status: str) -> list[str]:
        return [m for m, record in self.records.items() if record["status"] == status]

    def dns(self, record_name: str) -> list[str]:
        name = record_name if record_name.endswith(".") else record_name + "."
        return next(r["values"] for r in self.outcome.dns if r["name"] == name)

    def instances_of(self, server_id: str) -> list[dict]:
        return [i for i in self.outcome.instances if i["sourceServerId"] == server_id]
