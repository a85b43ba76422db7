"""Per-state counts from execution histories, like the Step Functions console's graph inspector.

A history is a list of ``GetExecutionHistory``-shaped events (``Execution.history`` of the local twin, or AWS's).
Each ``*StateEntered`` opens a visit of a state and its ``*StateExited`` closes it; the attempt events in between
(``TaskFailed``, ``LambdaFunctionTimedOut``, ``ParallelStateFailed``, ...) are tied to their visit through
``previousEventId``, walking back to the nearest visit of the right kind, so interleaved Parallel branches and Map
iterations are told apart. A visit that exits after a failure caught it; one that never exits failed if its last
attempt failed, if it is a Fail state, or if the execution's own failure points at it; otherwise it was still
running, or stopped with the execution. Every failed attempt that was (or, while the execution runs, will be)
followed by another is a retry.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Iterable

#: Prefix of an attempt event's type -> the kind of state it belongs to.
_FAMILIES = (("LambdaFunction", "Task"), ("Activity", "Task"), ("Task", "Task"), ("ParallelState", "Parallel"),
             ("MapState", "Map"), ("MapRun", "Map"), ("MapIteration", "Map"))
_ENDINGS = ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted")


@dataclass
class StateCounts:
    """How one state fared over one or more executions; ``outcome`` colours it."""

    entered: int = 0
    succeeded: int = 0
    failed: int = 0
    retried: int = 0
    caught: int = 0

    def __add__(self, other: "StateCounts") -> "StateCounts":
        return StateCounts(self.entered + other.entered, self.succeeded + other.succeeded, self.failed + other.failed,
                           self.retried + other.retried, self.caught + other.caught)

    @property
    def unfinished(self) -> int:
        """Visits still running, or stopped when their execution ended."""
        return self.entered - self.succeeded - self.failed - self.caught

    @property
    def outcome(self) -> str:
        """``failed``, ``caught``, ``running``, ``succeeded`` or ``none`` (never entered): the worst that happened."""
        if not self.entered:
            return "none"
        if self.failed:
            return "failed"
        if self.caught:
            return "caught"
        return "running" if self.unfinished else "succeeded"


class _Visit:
    __slots__ = ("name", "kind", "came_from", "failures", "last_failed", "open")

    def __init__(self, name: str, kind: str, came_from: int):
        self.name, self.kind, self.came_from = name, kind, came_from
        self.failures, self.last_failed, self.open = 0, False, True


@cache  # per event type: a wave's histories ask it once per event
def _family(event_type: str) -> str | None:
    return next((kind for prefix, kind in _FAMILIES if event_type.startswith(prefix)), None)


@cache
def _is_failure(event_type: str) -> bool:
    return event_type.endswith(("Failed", "TimedOut")) and not event_type.startswith(("MapIteration", "MapRun"))


def counts_from_history(events: Iterable[dict]) -> dict[str, StateCounts]:
    """State name -> counts, for one execution's history.

    >>> counts_from_history([
    ...     {"id": 1, "previousEventId": 0, "type": "ExecutionStarted"},
    ...     {"id": 2, "previousEventId": 1, "type": "PassStateEntered", "stateEnteredEventDetails": {"name": "P"}},
    ...     {"id": 3, "previousEventId": 2, "type": "PassStateExited", "stateExitedEventDetails": {"name": "P"}},
    ... ])["P"]
    StateCounts(entered=1, succeeded=1, failed=0, retried=0, caught=0)
    """
    visit_of: dict[int, _Visit] = {}
    visits: list[_Visit] = []
    open_by_name: dict[str, list[_Visit]] = {}
    ending, closed = None, False
    for event in sorted(events, key=itemgetter("id")):
        kind, eid, previous = event["type"], event["id"], event.get("previousEventId", 0)
        if kind.endswith("StateEntered"):
            visit = _Visit(event["stateEnteredEventDetails"]["name"], kind[:-len("StateEntered")], previous)
            visits.append(visit)
            open_by_name.setdefault(visit.name, []).append(visit)
            visit_of[eid] = visit
        elif kind.endswith("StateExited"):
            stack = open_by_name.get(event["stateExitedEventDetails"]["name"])
            if stack:
                visit = stack.pop()
                visit.open = False
                visit_of[eid] = visit
        elif kind.startswith("Execution") and kind != "ExecutionStarted":
            closed = True
            ending = _owner(visit_of, previous, None) if kind in _ENDINGS else None
        else:
            visit = _owner(visit_of, previous, _family(kind))
            if visit is not None:
                visit_of[eid] = visit
                if _is_failure(kind):
                    visit.failures += 1
                    visit.last_failed = True
                elif kind.endswith(("Scheduled", "Started", "Succeeded")):
                    visit.last_failed = False
    out: dict[str, StateCounts] = {}
    for visit in visits:
        counts = out.setdefault(visit.name, StateCounts())
        counts.entered += 1
        lost = visit.open and (visit.kind == "Fail" or (closed and (visit.last_failed or visit is ending)))
        counts.retried += visit.failures - (1 if visit.last_failed and (lost or not visit.open) else 0)
        if not visit.open:
            if visit.last_failed:
                counts.caught += 1
            else:
                counts.succeeded += 1
        elif lost:
            counts.failed += 1
    return out


def _owner(visit_of: dict[int, _Visit], previous: int, family: str | None) -> _Visit | None:
    """The visit an event belongs to: its predecessor's, or the nearest one of ``family`` walking back."""
    visit = visit_of.get(previous)
    while visit is not None and family is not None and visit.kind != family:
        visit = visit_of.get(visit.came_from)
    return visit


def counts_from_histories(histories: Iterable[Iterable[dict]]) -> dict[str, StateCounts]:
    """The counts of many executions of one state machine, added up state by state (a whole wave's run)."""
    total: dict[str, StateCounts] = {}
    for history in histories:
        for name, counts in counts_from_history(history).items():
            total[name] = total.get(name, StateCounts()) + counts
    return total
