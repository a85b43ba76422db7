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

**Runs.** Executions are kept per *scope*, as AWS keeps them per account: scope ``0`` holds what ``waveflow exec``
runs (a name used there stays taken, as on AWS), and each ``waveflow run`` is a fresh account of its own, a scope
numbered by :meth:`Journal.begin_run`, so the names a wave's executions share with an earlier run's never collide.
A run also keeps what its report is drawn from, as items by kind (``put_items``/``items``: the migrations'
records, dead letters with their reasons, callbacks and notifications received, the state machines) and its
summary (``finish_run``)::

    run_id = journal.begin_run("waveflow run --servers 200", {"servers": 200, "seed": 7})  # records go there
    journal.put_items(run_id, "migration", [(record["migrationId"], record) for record in records])
    journal.finish_run(run_id, "completed", summary)
    journal.runs()                               # newest first; journal.run(run_id) for one
    journal.executions(scope=run_id)             # a run's executions (default: the scope that ran last)
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
SCHEMA_VERSION = 4
EXEC_SCOPE = 0  # what ``waveflow exec`` runs; each ``waveflow run`` has a scope of its own, numbered from 1
LATEST = -1  # "the scope of the execution that ran last", for the readers' ``scope`` argument
_MARSHAL = 1   # events blob = zlib(marshal(the recorder's columns))
_JSON = 2      # events blob = zlib(JSON of the same columns): for payloads marshal cannot encode (subclasses)
_COMMIT_EVERY = 256

_TABLES = f"""
CREATE TABLE IF NOT EXISTS executions (
    scope INTEGER NOT NULL, arn TEXT NOT NULL, name TEXT NOT NULL, state_machine TEXT NOT NULL,
    status TEXT NOT NULL, start_date REAL NOT NULL, stop_date REAL, ran_at REAL NOT NULL, input TEXT, output TEXT,
    error TEXT, cause TEXT, event_count INTEGER NOT NULL, PRIMARY KEY (scope, arn)
);
CREATE INDEX IF NOT EXISTS executions_by_name ON executions (name);
CREATE INDEX IF NOT EXISTS executions_by_ran_at ON executions (ran_at);
CREATE TABLE IF NOT EXISTS histories (
    scope INTEGER NOT NULL, arn TEXT NOT NULL, encoding INTEGER NOT NULL, events BLOB NOT NULL,
    PRIMARY KEY (scope, arn)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, command TEXT NOT NULL, options TEXT NOT NULL, status TEXT NOT NULL,
    started_at REAL NOT NULL, finished_at REAL, summary TEXT
);
CREATE TABLE IF NOT EXISTS run_items (
    run_id INTEGER NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (run_id, kind, seq)
);
PRAGMA user_version = {SCHEMA_VERSION};
"""
#: A journal of format 3 (histories in columns, no scopes, no runs) becomes format 4: its executions are
#: ``waveflow exec``'s. (Format 2 stored histories as tuples; it is refused, as format 3 refused it.)
_FROM_3 = """
ALTER TABLE executions RENAME TO executions_3;
ALTER TABLE histories RENAME TO histories_3;
DROP INDEX IF EXISTS executions_by_name;
DROP INDEX IF EXISTS executions_by_ran_at;
"""
_COPY_3 = """
INSERT INTO executions SELECT 0, * FROM executions_3;
INSERT INTO histories SELECT 0, * FROM histories_3;
DROP TABLE executions_3;
DROP TABLE histories_3;
"""
_SUMMARY = ("SELECT arn, name, state_machine, status, start_date, stop_date, ran_at, error, event_count, scope "
            "FROM executions")


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
            if tables and version not in (3, SCHEMA_VERSION):
                raise JournalError(f"{self.path} holds a journal of another waveflow version (format {version}); "
                                   f"delete it or choose another --journal")
            self._db.execute("PRAGMA synchronous = NORMAL")  # a connection's setting; WAL mode is the file's
            if not tables:  # only a new file (one transaction): writing the schema on every open cost a sync
                self._db.executescript("PRAGMA journal_mode = WAL; BEGIN;" + _TABLES + "COMMIT;")
            elif version == 3:
                self._db.executescript("BEGIN;" + _FROM_3 + _TABLES + _COPY_3 + "COMMIT;")
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{self.path} is not a waveflow journal (not an SQLite database: {exc})") from None
        except sqlite3.Error as exc:
            raise JournalError(f"cannot open the journal {self.path}: {exc}") from None
        self._pending = 0
        #: the scope ``record``, ``exists`` and ``delete`` work in (``begin_run`` moves it to the new run's)
        self.scope = EXEC_SCOPE

    # --- runs ----------------------------------------------------------------------------------------------
    def begin_run(self, command: str, options: dict) -> int:
        """Start a run (a fresh scope): its number, and executions recorded from now on belong to it."""
        self.flush()
        with self._transaction():
            cursor = self._db.execute("INSERT INTO runs (command, options, status, started_at) VALUES (?,?,?,?)",
                                      (command, json.dumps(options, sort_keys=True), "running", time.time()))
        self.scope = int(cursor.lastrowid)
        return self.scope

    def finish_run(self, run_id: int, status: str, summary: dict | None = None) -> None:
        """Close a run: ``completed`` (with its summary) or ``broken``."""
        self.flush()
        with self._transaction():
            self._db.execute("UPDATE runs SET status = ?, finished_at = ?, summary = ? WHERE run_id = ?",
                             (status, time.time(), None if summary is None else json.dumps(summary), run_id))

    def put_items(self, run_id: int, kind: str, items) -> None:
        """Keep a run's items of one kind (``(key, JSON-able value)`` pairs, in order), replacing earlier ones."""
        self.flush()
        with self._transaction():
            self._db.execute("DELETE FROM run_items WHERE run_id = ? AND kind = ?", (run_id, kind))
            self._db.executemany("INSERT INTO run_items VALUES (?,?,?,?,?)", (
                (run_id, kind, seq, str(key), zlib.compress(json.dumps(value, default=str).encode(), 1))
                for seq, (key, value) in enumerate(items)))

    def items(self, run_id: int, kind: str) -> list[tuple[str, object]]:
        """A run's items of one kind, as ``(key, value)`` in the order they were put."""
        rows = self._db.execute("SELECT key, data FROM run_items WHERE run_id = ? AND kind = ? ORDER BY seq",
                                (run_id, kind))
        return [(key, json.loads(zlib.decompress(data))) for key, data in rows]

    def runs(self, limit: int | None = None) -> list[dict]:
        """Every run, the latest first."""
        rows = self._db.execute("SELECT run_id, command, options, status, started_at, finished_at, summary FROM runs "
                                "ORDER BY run_id DESC LIMIT ?", (-1 if limit is None else limit,))
        return [_run_row(row) for row in rows]

    def run(self, run_id: int) -> dict | None:
        row = self._db.execute("SELECT run_id, command, options, status, started_at, finished_at, summary FROM runs "
                               "WHERE run_id = ?", (run_id,)).fetchone()
        return None if row is None else _run_row(row)

    def latest_scope(self) -> int:
        """The scope of the execution recorded last (wall clock); the latest run when nothing is recorded yet."""
        self.flush()
        row = self._db.execute("SELECT scope FROM executions ORDER BY ran_at DESC, arn LIMIT 1").fetchone()
        if row is not None:
            return row[0]
        latest = self._db.execute("SELECT max(run_id) FROM runs").fetchone()[0]
        return EXEC_SCOPE if latest is None else latest

    def _scope(self, scope: int | None) -> int:
        return self.latest_scope() if scope == LATEST else self.scope if scope is None else scope

    # --- writing ------------------------------------------------------------------------------------------
    def record(self, execution) -> "JournalledHistory":
        """Store a closed execution, free its in-memory events, and return a history that reads them back."""
        history = execution.recorder
        count = len(history)
        encoding, blob = _encode(history)
        self._begin()
        self._db.execute("INSERT OR REPLACE INTO executions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", (
            self.scope, execution.arn, execution.name, execution.machine.name, execution.status, execution.start_time,
            execution.stop_time, time.time(), json.dumps(execution.input), json.dumps(execution.output),
            execution.error, execution.cause, count))
        self._db.execute("INSERT OR REPLACE INTO histories VALUES (?,?,?,?)", (self.scope, execution.arn, encoding,
                                                                                blob))
        self._pending += 1
        if self._pending >= _COMMIT_EVERY:
            self.flush()
        history.clear()  # Runs of this execution still hold the recorder: empty it in place
        return JournalledHistory(self, execution.arn, count, self.scope)

    def flush(self) -> None:
        """Commit what ``record`` wrote since the last flush."""
        if self._pending:
            self._db.execute("COMMIT")
            self._pending = 0

    def _begin(self) -> None:
        if not self._pending:
            self._db.execute("BEGIN")

    def delete(self, arn: str) -> None:
        """Remove one execution of the current scope (``waveflow exec --replace``)."""
        self.flush()
        with self._transaction():
            self._db.execute("DELETE FROM executions WHERE scope = ? AND arn = ?", (self.scope, arn))
            self._db.execute("DELETE FROM histories WHERE scope = ? AND arn = ?", (self.scope, arn))

    def prune(self, keep: int) -> int:
        """Keep the ``keep`` executions that ran last; delete the rest and give the space back, and the runs none
        of whose executions is left. Returns how many executions were deleted."""
        self.flush()
        with self._transaction():
            doomed = [row for row in self._db.execute(
                "SELECT scope, arn FROM executions ORDER BY ran_at DESC, arn LIMIT -1 OFFSET ?", (keep,))]
            self._db.executemany("DELETE FROM executions WHERE scope = ? AND arn = ?", doomed)
            self._db.executemany("DELETE FROM histories WHERE scope = ? AND arn = ?", doomed)
            emptied = "run_id NOT IN (SELECT DISTINCT scope FROM executions)"
            self._db.execute(f"DELETE FROM run_items WHERE {emptied}")
            self._db.execute(f"DELETE FROM runs WHERE {emptied}")
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
    # ``scope``: a run's number, EXEC_SCOPE, LATEST (the scope that ran last: the readers' default) or None (the
    # journal's current scope, where ``record`` writes).
    def executions(self, limit: int | None = None, scope: int | None = LATEST) -> list[dict]:
        """Recorded executions of one scope, the one that ran last first (wall clock), with their virtual
        duration."""
        self.flush()
        rows = self._db.execute(f"{_SUMMARY} WHERE scope = ? ORDER BY ran_at DESC, arn LIMIT ?",
                                (self._scope(scope), -1 if limit is None else limit))
        return [_summary(row) for row in rows]

    def find(self, name_or_arn: str, scope: int | None = LATEST) -> list[dict]:
        """Every execution of the scope whose ARN or name is ``name_or_arn`` (a name may be reused by several
        state machines), the one that ran last first."""
        self.flush()
        rows = self._db.execute(f"{_SUMMARY} WHERE scope = ? AND (arn = ? OR name = ?) ORDER BY ran_at DESC, arn",
                                (self._scope(scope), name_or_arn, name_or_arn))
        return [_summary(row) for row in rows]

    def scopes_of(self, name_or_arn: str) -> list[int]:
        """The scopes holding an execution of that name or ARN, the latest first."""
        self.flush()
        rows = self._db.execute("SELECT DISTINCT scope FROM executions WHERE arn = ? OR name = ? ORDER BY scope DESC",
                                (name_or_arn, name_or_arn))
        return [row[0] for row in rows]

    def exists(self, arn: str) -> bool:
        """Whether the current scope holds an execution of that ARN."""
        return self._db.execute("SELECT 1 FROM executions WHERE scope = ? AND arn = ?",
                                (self.scope, arn)).fetchone() is not None

    def recorded(self, arn: str, scope: int | None = LATEST) -> History:
        """The recorded history of one execution (empty for an ARN the scope does not hold)."""
        self.flush()
        row = self._db.execute("SELECT encoding, events FROM histories WHERE scope = ? AND arn = ?",
                               (self._scope(scope), arn)).fetchone()
        if row is None:
            return History(None, None)
        return _decode(self.path, *row)

    def history(self, arn: str, scope: int | None = LATEST) -> list[dict]:
        """The events of one execution as GetExecutionHistory shapes them, timestamps as ISO strings."""
        return to_jsonable(self.recorded(arn, scope).materialize())


class JournalledHistory:
    """What an execution's ``recorder`` becomes once journalled: the same read API, backed by the file."""

    __slots__ = ("journal", "arn", "count", "scope")

    def __init__(self, journal: Journal, arn: str, count: int, scope: int = EXEC_SCOPE):
        self.journal, self.arn, self.count, self.scope = journal, arn, count, scope

    def __len__(self) -> int:
        return self.count

    def materialize(self) -> list[dict]:
        return self.journal.recorded(self.arn, self.scope).materialize()

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
    arn, name, machine, status, start, stop, ran_at, error, count, scope = row
    return {"executionArn": arn, "name": name, "stateMachine": machine, "status": status,
            "startDate": iso8601(start), "stopDate": None if stop is None else iso8601(stop),
            "durationSeconds": None if stop is None else stop - start, "ranAt": ran_at, "error": error,
            "events": count, "run": scope or None}


def _run_row(row) -> dict:
    run_id, command, options, status, started, finished, summary = row
    return {"run": run_id, "command": command, "options": json.loads(options), "status": status,
            "startedAt": started, "finishedAt": finished, "summary": None if summary is None else json.loads(summary)}
