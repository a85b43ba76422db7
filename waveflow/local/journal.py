"""The journal: finished executions and their history in SQLite (``.waveflow/journal.sqlite3``).

Written once per execution, when it closes, so the hot path never touches the disk. ``waveflow history`` and
``waveflow executions`` read it back.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .clock import iso8601
from .history import to_jsonable

DEFAULT_PATH = Path(".waveflow") / "journal.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, state_machine TEXT NOT NULL, status TEXT NOT NULL,
    start_date TEXT NOT NULL, stop_date TEXT, input TEXT, output TEXT, error TEXT, cause TEXT,
    event_count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_by_name ON executions (name);
CREATE TABLE IF NOT EXISTS events (
    arn TEXT NOT NULL, id INTEGER NOT NULL, event TEXT NOT NULL, PRIMARY KEY (arn, id)
);
"""


class Journal:
    """An SQLite file holding executions and their events."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path))
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def record(self, execution) -> None:
        events = to_jsonable(execution.history)
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO executions VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (execution.arn, execution.name, execution.machine.name, execution.status,
                 iso8601(execution.start_time),
                 None if execution.stop_time is None else iso8601(execution.stop_time),
                 json.dumps(execution.input), json.dumps(execution.output), execution.error, execution.cause,
                 len(events)))
            self._db.execute("DELETE FROM events WHERE arn = ?", (execution.arn,))
            self._db.executemany("INSERT INTO events VALUES (?,?,?)",
                                 [(execution.arn, event["id"], json.dumps(event)) for event in events])

    def executions(self) -> list[dict]:
        """Every recorded execution, newest first."""
        cursor = self._db.execute("SELECT arn, name, state_machine, status, start_date, stop_date, error, "
                                  "event_count FROM executions ORDER BY start_date DESC, arn")
        keys = ("executionArn", "name", "stateMachine", "status", "startDate", "stopDate", "error", "events")
        return [dict(zip(keys, row)) for row in cursor]

    def find(self, name_or_arn: str) -> str | None:
        """The ARN of the execution with that ARN or name (the most recent one for a name)."""
        row = self._db.execute("SELECT arn FROM executions WHERE arn = ? OR name = ? ORDER BY start_date DESC "
                               "LIMIT 1", (name_or_arn, name_or_arn)).fetchone()
        return row[0] if row else None

    def history(self, arn: str) -> list[dict]:
        rows = self._db.execute("SELECT event FROM events WHERE arn = ? ORDER BY id", (arn,))
        return [json.loads(row[0]) for row in rows]
