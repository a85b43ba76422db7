"""Live progress of a run on the terminal (stderr): servers per status, executions running, the simulated clock,
migrations per simulated hour, dead letters, rollbacks.

It reads what the twin already keeps — the events on the bus (each carries the migration's status), the
runtime's counters, the DLQ's depth (through the caller's unmetered client) — from a *background* timer on the
twin's clock every five simulated minutes, which fires only while other work is scheduled beyond it, so it
neither moves the clock nor keeps a finished run alive: a run shows the same results with or without progress.
The screen is redrawn at most four times a second of wall time. Nothing is drawn when stderr is not a terminal, and nothing ever goes to
stdout.

    >>> progress = LiveProgress(twin, dlq_url, total=200, console=Console(stderr=True))  # doctest: +SKIP
    >>> with progress: twin.run()                                                      # doctest: +SKIP
"""
from __future__ import annotations

import time
from collections import Counter

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from ..local.clock import iso8601

TICK_SECONDS = 300
REDRAW_SECONDS = 0.25
ORDER = ("PENDING", "VALIDATED", "SOURCE_PREPARED", "MIGRATION_IN_PROGRESS", "VERIFIED", "COMPLETED", "SUCCESS",
         "ROLLED_BACK", "FAILED")


class LiveProgress:
    """Draws the run's progress while the twin runs."""

    def __init__(self, twin, sqs, dlq_url: str, *, total: int, console: Console) -> None:
        self.twin = twin
        self.sqs = sqs
        self.dlq_url = dlq_url
        self.total = total
        self.console = console
        self.started = twin.clock.now()
        self.status: dict[str, str] = {}
        self.rollbacks = 0
        self._seen = 0
        self._drawn = 0.0
        self._live: Live | None = None

    def __enter__(self) -> "LiveProgress":
        if self.console.is_terminal:
            # redirect_*=False: what the functions print goes to the run's log, not above the progress on the terminal
            self._live = Live(self._view(0), console=self.console, auto_refresh=False, transient=True,
                              redirect_stdout=False, redirect_stderr=False)
            self._live.start()
            self._next()
        return self

    def __exit__(self, *exc_info) -> None:
        if self._live is not None:
            self._live.stop()

    def _next(self) -> None:
        self.twin.scheduler.at(self.twin.clock.now() + TICK_SECONDS, self._tick, background=True)

    def _tick(self) -> None:
        self._next()
        if time.perf_counter() - self._drawn >= REDRAW_SECONDS:
            self._drawn = time.perf_counter()
            depth = int(self.sqs.get_queue_attributes(QueueUrl=self.dlq_url, AttributeNames=[
                "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])
            self._live.update(self._view(depth), refresh=True)

    def _follow_events(self) -> None:
        events = self.twin.eventbridge.events
        for event in events[self._seen:]:
            detail = event.get("detail") or {}
            if "migrationId" in detail and "status" in detail:
                self.status[detail["migrationId"]] = detail["status"]
            self.rollbacks += event.get("detail-type") == "MigrationRolledBack"
        self._seen = len(events)

    def _view(self, dead_letters: int) -> Group:
        self._follow_events()
        stats = self.twin.runtime.stats
        closed = sum(stats[f"executions_{s}"] for s in ("succeeded", "failed", "timed_out", "aborted"))
        hours = (self.twin.clock.now() - self.started) / 3600
        counts = Counter(self.status.values())
        done = counts["SUCCESS"]
        statuses = Table.grid(padding=(0, 2))
        statuses.add_row(*(Text(f"{name} {counts[name]}", style=_style(name)) for name in ORDER if counts[name]))
        line = (f"simulated {iso8601(self.twin.clock.now())[:16].replace('T', ' ')} (+{hours:.1f} h)   "
                f"executions running {stats['executions_started'] - closed}   "
                f"migrated/simulated hour {done / hours if hours else 0:.1f}   "
                f"DLQ {dead_letters}   rollbacks {self.rollbacks}")
        head = f"waveflow run: {len(self.status)} of {self.total} requests admitted, {done} migrated"
        return Group(Text(head, style="bold"), statuses, Text(line, style="dim"))


def _style(status: str) -> str:
    return {"SUCCESS": "green", "FAILED": "red", "ROLLED_BACK": "yellow"}.get(status, "cyan")
