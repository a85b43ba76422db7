"""The journal: finished executions and their histories in SQLite (``.waveflow/journal.sqlite3``).

Written once per execution, when it closes, and cheap enough to leave on: the history is stored as one
compressed blob (``zlib(marshal(columns))``: the recorder's own columns, payloads shared between events stored
once), a few bytes per event, and only decoded when someone reads it. Commits are batched, so a wave of 10,000
executions is not 10,000 fsyncs; ``flush()`` (called at the end of ``LocalRuntime.run``) makes them durable.

This is an API for every long run, not only ``waveflow exec``::

    journal = Journal(".waveflow/journal.sqlite3")
    lazy_history = journal.record(execution)     # the execution's events leave memory; reads come from disk
    journal.executions(limit=20)                 # newest first by when they ran (wall clock)
    journal.find("m-0001")                       # every ARN with that name or ARN
    journal.history(arn)                         # GetExecutionHistory-shaped events (ISO timestamps)
    journal.recorded(arn)                        # the same as a history.History
    journal.prune(keep=1000)                     # bound it
"""
from __future__ import annotations

import json
import marshal
import sqlite3
import time
import zlib
from pathlib import Path

from .clock import iso8601
from .history import History, to_jsonable

DEFAULT_PATH = Path(".waveflow") / "journal.sqlite3"
SCHEMA_VERSION = 3
_MARSHAL = 1   # events blob = zlib(marshal(the recorder's columns))
_JSON = 2      # events blob = zlib(JSON of the same columns): for payloads marshal cannot encode (subclasses)
_COMMIT_EVERY = 256

_SCHEMA = f"""
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY, name TEXT NOT NULL, state_machine TEXT NOT NULL, status TEXT NOT NULL,
    start_date REAL NOT NULL, stop_date REAL, ran_at REAL NOT NULL, input TEXT, output TEXT, error TEXT,
    cause TEXT, event_count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_by_name ON executions (name);
CREATE INDEX IF NOT EXISTS executions_by_ran_at ON executions (ran_at);
CREATE TABLE IF NOT EXISTS histories (arn TEXT PRIMARY KEY, encoding INTEGER NOT NULL, events BLOB NOT NULL);
PRAGMA user_version = {SCHEMA_VERSION};
COMMIT;
"""


class JournalError(Exception):
    """Raised when a journal file cannot be opened, created or read; the message names the file."""


class Journal:
    """An SQLite file holding executions and their compressed histories."""

    def __init__(self, path: str | Path, create_folder: bool = False):
        """Open (or create) the journal at ``path``; ``create_folder`` makes a missing parent folder first.

        Raises JournalError for a missing folder, a file that is not SQLite, or a journal of another format.
        """
        self.path = Path(path)
        if self.path.is_dir():
            raise JournalError(f"{self.path} is a folder, not a journal file")
        folder = self.path.parent
        if not folder.is_dir():
            if not create_folder:
                raise JournalError(f"cannot create the journal {self.path}: the folder {folder} does not exist")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise JournalError(f"cannot create the folder {folder} for the journal: {exc.strerror}") from None
        try:
            self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables and version != SCHEMA_VERSION:
                raise JournalError(f"{self.path} holds a journal of another waveflow version (format {version}); "
                                   f"delete it or choose another --journal")
            self._db.execute("PRAGMA synchronous = NORMAL")  # a connection's setting; WAL mode is the file's
            if not tables:  # only a new file (one transaction): writing the schema on every open cost a sync
                self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path} is not a waveflow journal (not an SQLite database: {exc})") from None
        except sqlite3.Error as exc:
            raise JournalError(f"cannot open the journal {self.path}: {exc}") from None
        self._pending = 0

    # --- writing ------------------------------------------------------------------------------------------
    def record(self, execution) -> "JournalledHistory":
        """Store a closed execution, free its in-memory events, and return a history that reads them back."""
        history = execution.recorder
        count = len(history)
        encoding, blob = _encode(history)
        self._begin()
        self._db.execute("INSERT OR REPLACE INTO executions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (
            execution.arn, execution.name, execution.machine.name, execution.status, execution.start_time,
            execution.stop_time, time.time(), json.dumps(execution.input), json.dumps(execution.output),
            execution.error, execution.cause, count))
        self._db.execute("INSERT OR REPLACE INTO histories VALUES (?,?,?)", (execution.arn, encoding, blob))
        self._pending += 1
        if self._pending >= _COMMIT_EVERY:
            self.flush()
        history.clear()  # Runs of this execution still hold the recorder: empty it in place
        return JournalledHistory(self, execution.arn, count)

    def flush(self) -> None:
        """Commit what ``record`` wrote since the last flush."""
        if self._pending:
            self._db.execute("COMMIT")
            self._pending = 0

    def _begin(self) -> None:
        if not self._pending:
            self._db.execute("BEGIN")

    def delete(self, arn: str) -> None:
        """Remove one execution (``waveflow exec --replace``)."""
        self.flush()
        with self._transaction():
            self._db.execute("DELETE FROM executions WHERE arn = ?", (arn,))
            self._db.execute("DELETE FROM histories WHERE arn = ?", (arn,))

    def prune(self, keep: int) -> int:
        """Keep the ``keep`` executions that ran last; delete the rest and give the space back. Returns how
        many were deleted."""
        self.flush()
        with self._transaction():
            doomed = [row[0] for row in self._db.execute(
                "SELECT arn FROM executions ORDER BY ran_at DESC, arn LIMIT -1 OFFSET ?", (keep,))]
            self._db.executemany("DELETE FROM executions WHERE arn = ?", [(arn,) for arn in doomed])
            self._db.executemany("DELETE FROM histories WHERE arn = ?", [(arn,) for arn in doomed])
        if doomed:
            self._db.execute("VACUUM")
        return len(doomed)

    def _transaction(self):
        db = self._db

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN")

            def __exit__(self, kind, value, tb):
                db.execute("COMMIT" if kind is None else "ROLLBACK")
        return _Tx()

    def close(self) -> None:
        self.flush()
        self._db.close()

    # --- reading ------------------------------------------------------------------------------------------
    def executions(self, limit: int | None = None) -> list[dict]:
        """Recorded executions, the one that ran last first (wall clock), with their virtual duration."""
        rows = self._db.execute(
            "SELECT arn, name, state_machine, status, start_date, stop_date, ran_at, error, event_count "
            "FROM executions ORDER BY ran_at DESC, arn LIMIT ?", (-1 if limit is None else limit,))
        return [_summary(row) for row in rows]

    def find(self, name_or_arn: str) -> list[dict]:
        """Every execution whose ARN or name is ``name_or_arn`` (a name may be reused by several state
        machines), the one that ran last first."""
        rows = self._db.execute(
            "SELECT arn, name, state_machine, status, start_date, stop_date, ran_at, error, event_count "
            "FROM executions WHERE arn = ? OR name = ? ORDER BY ran_at DESC, arn", (name_or_arn, name_or_arn))
        return [_summary(row) for row in rows]

    def exists(self, arn: str) -> bool:
        return self._db.execute("SELECT 1 FROM executions WHERE arn = ?", (arn,)).fetchone() is not None

    def recorded(self, arn: str) -> History:
        """The recorded history of one execution (empty for an ARN the journal does not hold)."""
        row = self._db.execute("SELECT encoding, events FROM histories WHERE arn = ?", (arn,)).fetchone()
        if row is None:
            return History(None, None)
        return _decode(self.path, *row)

    def history(self, arn: str) -> list[dict]:
        """The events of one execution as GetExecutionHistory shapes them, timestamps as ISO strings."""
        return to_jsonable(self.recorded(arn).materialize())


class JournalledHistory:
    """What an execution's ``recorder`` becomes once journalled: the same read API, backed by the file."""

    __slots__ = ("journal", "arn", "count")

    def __init__(self, journal: Journal, arn: str, count: int):
        self.journal, self.arn, self.count = journal, arn, count

    def __len__(self) -> int:
        return self.count

    def materialize(self) -> list[dict]:
        self.journal.flush()
        return self.journal.recorded(self.arn).materialize()

    def add(self, *args) -> int:  # the execution is closed: nothing more is recorded, as in History
        return 0


def _encode(history: History) -> tuple[int, bytes]:
    columns = history.columns()
    try:
        return _MARSHAL, zlib.compress(marshal.dumps(columns), 1)
    except ValueError:  # a payload marshal cannot encode (a list or dict subclass): JSON takes any of them
        jsonable = [list(column) for column in columns]
        return _JSON, zlib.compress(json.dumps(jsonable, separators=(",", ":")).encode(), 1)


def _decode(path: Path, encoding: int, blob: bytes) -> History:
    try:
        data = zlib.decompress(blob)
        return History.from_columns(marshal.loads(data) if encoding == _MARSHAL else json.loads(data))
    except (ValueError, EOFError, TypeError, zlib.error) as exc:
        raise JournalError(f"{path}: a history cannot be read ({exc}); it may have been written by another "
                           f"Python version") from None


def _summary(row) -> dict:
    arn, name, machine, status, start, stop, ran_at, error, count = row
    return {"executionArn": arn, "name": name, "stateMachine": machine, "status": status,
            "startDate": iso8601(start), "stopDate": None if stop is None else iso8601(stop),
            "durationSeconds": None if stop is None else stop - start, "ranAt": ran_at, "error": error,
            "events": count}
