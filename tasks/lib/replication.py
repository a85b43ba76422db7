"""What the tasks need to know about one MGN source server's replication, read from ``dataReplicationInfo``.

MGN reports lag as an ISO 8601 duration (``PT1M30S``), the backlog per disk and the ETA as text; the poll stage
needs numbers and one verdict, ``ready``, so the reading is done once, here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

READY_LAG_SECONDS = 60  # at most this far behind, with no backlog, counts as ready to launch
READY_STATE = "CONTINUOUS"
STALLED_STATE = "STALLED"

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
_SECONDS_PER = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


def duration_seconds(text: str | None) -> float | None:
    """An ISO 8601 duration in seconds; ``None`` for no or an unreadable duration.

    >>> duration_seconds("PT1M30S"), duration_seconds("P1DT2H"), duration_seconds(None)
    (90.0, 93600.0, None)
    """
    match = _DURATION.match(text or "")
    if not match or text in ("P", "PT") or text.endswith("T"):
        return None
    return float(sum(float(value) * _SECONDS_PER[unit] for unit, value in match.groupdict().items() if value))


def _datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True)
class ReplicationView:
    """One look at a server's replication: its state, how far behind, and whether it is ready or stalled."""

    state: str
    ready: bool
    lag_seconds: float | None
    backlog_bytes: int
    eta: datetime | None
    stalled: bool
    error: str | None

    @classmethod
    def of(cls, server: dict[str, Any], *, ready_lag_seconds: float = READY_LAG_SECONDS) -> "ReplicationView":
        """Read a DescribeSourceServers item.

        Ready means CONTINUOUS replication, no backlog and a known lag of at most ``ready_lag_seconds``.
        """
        info = server.get("dataReplicationInfo") or {}
        state = info.get("dataReplicationState") or "UNKNOWN"
        lag = duration_seconds(info.get("lagDuration"))
        backlog = sum(int(disk.get("backloggedStorageBytes") or 0) for disk in info.get("replicatedDisks") or [])
        raw_error = info.get("dataReplicationError") or {}
        error = ": ".join(part for part in (raw_error.get("error"), raw_error.get("rawError")) if part) or None
        ready = state == READY_STATE and backlog == 0 and lag is not None and lag <= ready_lag_seconds
        return cls(state, ready, lag, backlog, _datetime(info.get("etaDateTime")), state == STALLED_STATE, error)
