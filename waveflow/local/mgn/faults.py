"""Injectable faults: what can go wrong in MGN, decided by seeded dice so a run replays exactly.

Per-call faults (throttling, 5xx) draw from one seeded stream, in call order. Per-server faults (a replication
stall, a failed launch) are keyed by server (and job), so they do not depend on the order of calls.
Servers in the ``*_servers`` sets may be named by source server id or by hostname.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from .seeded import Seeded

STALL_ERRORS = ("UNSTABLE_NETWORK", "AGENT_NOT_SEEN", "NOT_CONVERGING")


@dataclass(frozen=True)
class FaultPlan:
    """What to inject. ``FaultPlan(throttle_rate=0.1, stall_servers=frozenset({"web-01"}))``"""

    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    stall_servers: frozenset[str] = frozenset()
    stall_rate: float = 0.0
    #: share of stalls that RetryDataReplication does not clear: replication stalls again where it stopped
    stuck_stall_rate: float = 0.0
    failed_launch_servers: frozenset[str] = frozenset()
    failed_launch_rate: float = 0.0
    uninitialized: bool = False

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.name.endswith("_rate") and not 0.0 <= value <= 1.0:
                raise ValueError(f"FaultPlan.{spec.name} must be within [0, 1], got {value!r}")
            if spec.name.endswith("_servers"):
                object.__setattr__(self, spec.name, frozenset(value))


@dataclass(frozen=True)
class Stall:
    """Where an injected stall interrupts the initial sync, what MGN reports for it, and whether it stays
    (``stuck``: a retried replication stalls again at the same point)."""

    fraction: float
    error: str
    stuck: bool = False


class FaultDice:
    """Decides, deterministically, which faults of a plan happen."""

    def __init__(self, plan: FaultPlan, seeded: Seeded) -> None:
        self.plan = plan
        self._seeded = seeded
        self._calls = seeded.stream("faults.calls")

    def call_fault(self) -> str | None:
        """``"throttle"``, ``"server_error"`` or None for the next call."""
        if self.plan.throttle_rate and self._calls.random() < self.plan.throttle_rate:
            return "throttle"
        if self.plan.server_error_rate and self._calls.random() < self.plan.server_error_rate:
            return "server_error"
        return None

    def stall(self, server_id: str, hostname: str) -> Stall | None:
        """The stall this server's replication suffers once during its initial sync, if any."""
        named = {server_id, hostname} & self.plan.stall_servers
        if not named and self._seeded.unit("stall", server_id) >= self.plan.stall_rate:
            return None
        error = STALL_ERRORS[int(self._seeded.unit("stall-error", server_id) * len(STALL_ERRORS))]
        return Stall(fraction=self._seeded.between(0.2, 0.8, "stall-at", server_id), error=error,
                     stuck=self._seeded.unit("stall-stuck", server_id) < self.plan.stuck_stall_rate)

    def launch_fails(self, server_id: str, hostname: str, job_id: str) -> bool:
        """Whether this server's instance fails to launch in this job."""
        if {server_id, hostname} & self.plan.failed_launch_servers:
            return True
        return self._seeded.unit("launch", server_id, job_id) < self.plan.failed_launch_rate
