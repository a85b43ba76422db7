"""Replication progress of one source server, as a function of the clock.

INITIATING (replication server boots, ``init_seconds``) -> INITIAL_SYNC (bytes at ``speed``) -> CONTINUOUS
(launchable: ``lagDuration`` set). An injected stall stops the initial sync at a fraction of the bytes until
RetryDataReplication re-initiates (a *stuck* stall stops it there again). Bytes, lag and ETA are computed from the clock when asked; only the state
changes are scheduled (see ``due``), so the model is exact on a virtual clock.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import Refused
from .faults import Stall

INITIATION_STEPS = (
    "WAIT", "CREATE_SECURITY_GROUP", "LAUNCH_REPLICATION_SERVER", "BOOT_REPLICATION_SERVER",
    "AUTHENTICATE_WITH_SERVICE", "DOWNLOAD_REPLICATION_SOFTWARE", "CREATE_STAGING_DISKS", "ATTACH_STAGING_DISKS",
    "PAIR_REPLICATION_SERVER_WITH_AGENT", "CONNECT_AGENT_TO_REPLICATION_SERVER", "START_DATA_TRANSFER",
)
SNAPSHOT_INTERVAL = 600.0  # MGN snapshots a continuously replicating server every few minutes

RUNNING = frozenset({"INITIATING", "INITIAL_SYNC", "CONTINUOUS"})
ALLOWED_FROM = {
    "PauseReplication": RUNNING,
    "ResumeReplication": frozenset({"PAUSED"}),
    "StopReplication": RUNNING | {"PAUSED", "STALLED"},
    "StartReplication": frozenset({"STOPPED"}),
    "RetryDataReplication": frozenset({"STALLED"}),
}


@dataclass
class Replication:
    """One server's replication: its state, when that state began, and the bytes copied by then."""

    disks: tuple[int, ...]
    speed: float  # bytes per second
    init_seconds: float
    base_lag: float  # seconds of lag while continuously replicating
    stall: Stall | None
    since: float
    state: str = "INITIATING"
    done: float = 0.0  # bytes replicated at ``since``
    initiation_started: float = 0.0
    synced_at: float | None = None
    paused_from: str | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        self.initiation_started = self.since

    @property
    def total(self) -> int:
        return sum(self.disks)

    def replicated(self, now: float) -> float:
        """Bytes replicated at ``now``."""
        if self.state != "INITIAL_SYNC":
            return self.done
        return min(self._target(), self.done + self.speed * max(now - self.since, 0.0))

    def due(self) -> float | None:
        """When the current state ends by itself, or None if it waits for an API call."""
        if self.state == "INITIATING":
            return self.since + self.init_seconds
        if self.state == "INITIAL_SYNC":
            return self.since + (self._target() - self.done) / self.speed
        return None

    def fire(self, at: float) -> str:
        """Leave the current state at its due time; returns ``"syncing"``, ``"stalled"`` or ``"synced"``."""
        if self.state == "INITIATING" and self.done < self.total:
            self._enter("INITIAL_SYNC", at)
            return "syncing"
        self.done = self._target() if self.state == "INITIAL_SYNC" else self.done
        if self.stall and self.done < self.total:
            self.error = self.stall.error
            if not self.stall.stuck:
                self.stall = None
            self._enter("STALLED", at)
            return "stalled"
        self.synced_at = at if self.synced_at is None else self.synced_at
        self._enter("CONTINUOUS", at)
        return "synced"

    def require(self, operation: str) -> None:
        """Refuse ``operation`` unless the replication state allows it."""
        allowed = ALLOWED_FROM[operation]
        if self.state not in allowed:
            raise Refused(f"has data replication {self.state}; {operation} needs "
                          f"{' or '.join(sorted(allowed))}")

    def pause(self, now: float) -> None:
        self.require("PauseReplication")
        self.done, self.paused_from = self.replicated(now), self.state
        self._enter("PAUSED", now)

    def resume(self, now: float) -> None:
        self.require("ResumeReplication")
        if self.paused_from == "INITIATING":
            self._initiate(now)
        else:
            self._enter(self.paused_from or "INITIAL_SYNC", now)

    def stop(self, now: float) -> None:
        """Stop replicating; the staging data is discarded, so a later start re-syncs every byte."""
        self.require("StopReplication")
        self.done, self.synced_at = 0.0, None
        self._enter("STOPPED", now)

    def start(self, now: float) -> None:
        self.require("StartReplication")
        self._initiate(now)

    def retry(self, now: float) -> None:
        """Re-initiate a stalled replication; bytes already copied are kept."""
        self.require("RetryDataReplication")
        self.error = None
        self._initiate(now)

    def disconnect(self, now: float) -> None:
        self.done = self.replicated(now)
        self.synced_at, self.error = None, None
        self._enter("DISCONNECTED", now)

    def lag(self, now: float) -> float | None:
        """Seconds the staging copy trails the source; None until the server is launchable."""
        if self.synced_at is None or self.state in ("STOPPED", "DISCONNECTED"):
            return None
        if self.state == "CONTINUOUS":
            return self.base_lag
        return self.base_lag + max(now - self.since, 0.0)

    def eta(self, now: float) -> float | None:
        """When the initial sync is expected to finish (ignoring stalls nobody can foresee)."""
        if self.state == "INITIATING":
            return self.since + self.init_seconds + (self.total - self.done) / self.speed
        if self.state == "INITIAL_SYNC":
            return now + (self.total - self.replicated(now)) / self.speed
        return None

    def last_snapshot(self, now: float) -> float | None:
        if self.synced_at is None:
            return None
        until = now if self.state == "CONTINUOUS" else self.since
        return self.synced_at + math.floor(max(until - self.synced_at, 0.0) / SNAPSHOT_INTERVAL) * SNAPSHOT_INTERVAL

    def initiation_steps(self, now: float) -> list[tuple[str, str]]:
        """(step, status) pairs of the current (or last) initiation."""
        if self.state == "INITIATING":
            reached = int(len(INITIATION_STEPS) * max(now - self.since, 0.0) / self.init_seconds)
        else:
            reached = len(INITIATION_STEPS)
        statuses = ("SUCCEEDED",) * reached + ("IN_PROGRESS",) + ("NOT_STARTED",) * len(INITIATION_STEPS)
        return list(zip(INITIATION_STEPS, statuses))

    def _target(self) -> float:
        """Where the running initial sync stops next: the stall point, or the end."""
        if self.stall:
            return max(self.done, min(self.total, self.stall.fraction * self.total))
        return self.total

    def _initiate(self, now: float) -> None:
        self.initiation_started = now
        self._enter("INITIATING", now)

    def _enter(self, state: str, now: float) -> None:
        self.state, self.since = state, now
