"""Workflow: the ``with`` block that owns a graph of states and the defaults its tasks inherit."""
from __future__ import annotations

from .scope import Scope


class Workflow(Scope):
    """A state machine. Everything created inside its ``with`` block belongs to it.

    >>> with Workflow("ServerMigration", default_retry=Retry(attempts=3, delay=seconds(5), backoff=2.0),
    ...               on_failure=rollback) as wf:
    ...     validate >> prepare >> trigger

    ``on_failure`` is the first state of the path every task's errors go to once retries are exhausted; that
    path ends in a Fail (one is added when it does not), so a rolled-back execution ends FAILED. The caught error
    is kept at ``error_path`` so the rollback sees the original input and the error. ``start`` names the first
    state when it is not the first one created. ``comment`` defaults to the workflow file's docstring.
    """

    def __init__(self, name: str, *, comment: str | None = None, timeout: int | None = None,
                 default_retry=None, on_failure=None, error_path: str = "$.error", start=None,
                 query_language: str | None = None):
        super().__init__(default_retry=default_retry, on_failure=on_failure)
        self.name = name
        self.comment = comment
        self.timeout = timeout
        self.error_path = error_path
        self.start = start
        self.query_language = query_language
        self.source_file: str | None = None

    def __repr__(self) -> str:
        return f"Workflow({self.name!r})"
