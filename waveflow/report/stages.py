"""A migration's timeline, read from its execution's history: one bar per visit of a top-level state.

Nested states (a Poll's check and wait, a Parallel's branches) belong to the top-level visit that holds them, so a
bar is a stage as the reviewer knows it (``WaitForReplication``, not its ``...Check`` and ``...Wait``). Inside a
bar, the time spent in Wait states and a task's wait for its token are kept as ``waits``, and every failed attempt
that was followed by another attempt in the same visit is a ``Retry`` (the last failure of a visit is no retry: the
visit caught it, or failed with it). A visit still open when the execution failed or timed out failed there (as
does a Fail state); one open when the execution was aborted, or still running, is ``unfinished``, its bar drawn to
the history's last event.

Events are GetExecutionHistory-shaped; ``timestamp`` may be a ``datetime``, an ISO string or epoch seconds.
"""
from __future__ import annotations

from datetime import datetime
from operator import itemgetter
from typing import Iterable

from ..graph.model import Graph
from ..local.history import event_details
from ..local.timestamps import parse_timestamp
from .model import Retry, Stage

_ATTEMPT_STARTS = ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled", "ParallelStateStarted",
                   "MapStateStarted")


def epoch(stamp) -> float:
    """Seconds since the epoch of an event's ``timestamp``."""
    if isinstance(stamp, float):  # the journal's own events: the common case first
        return stamp
    if isinstance(stamp, datetime):
        return stamp.timestamp()
    if isinstance(stamp, str):
        value = parse_timestamp(stamp)
        if value is None:
            raise ValueError(f"not a timestamp: {stamp!r}")
        return value
    return float(stamp)


def _is_attempt_failure(event_type: str) -> bool:
    return event_type.endswith(("Failed", "TimedOut")) and not event_type.startswith(("Execution", "MapIteration",
                                                                                     "MapRun"))


class _Visit:
    __slots__ = ("name", "start", "waits", "retries", "pending", "wait_from")

    def __init__(self, name: str, start: float):
        self.name, self.start = name, start
        self.waits: list[tuple[float, float]] = []
        self.retries: list[Retry] = []
        self.pending: Retry | None = None
        self.wait_from: float | None = None

    def stage(self, graph: Graph, end: float, outcome: str) -> Stage:
        node = graph.root.nodes[self.name]
        if self.wait_from is not None:
            self.waits.append((self.wait_from, end))
        return Stage(self.name, node.kind, self.start, end, outcome, node.rollback, tuple(self.waits),
                     tuple(self.retries))


def stages_of(history: Iterable[dict], graph: Graph, origin: float) -> tuple[Stage, ...]:
    """The top-level visits of one execution of ``graph``'s state machine, times in seconds from ``origin``."""
    top = graph.root.nodes
    out: list[Stage] = []
    visit: _Visit | None = None
    last = origin
    for event in sorted(history, key=itemgetter("id")):
        kind, at = event["type"], epoch(event["timestamp"]) - origin
        last = at
        if kind.endswith("StateEntered"):
            if visit is None:
                name = event_details(event).get("name")
                if name in top:
                    visit = _Visit(name, at)
            elif kind == "WaitStateEntered":
                visit.wait_from = at
        elif visit is None:
            continue
        elif kind.endswith("StateExited"):
            if event_details(event).get("name") == visit.name:
                out.append(visit.stage(graph, at, "caught" if visit.pending else "succeeded"))
                visit = None
            elif kind == "WaitStateExited" and visit.wait_from is not None:
                visit.waits.append((visit.wait_from, at))
                visit.wait_from = None
        elif kind == "TaskSubmitted":  # a .waitForTaskToken task: from here it waits for its token
            visit.wait_from = at
        elif kind.startswith("Execution"):
            ended_badly = kind in ("ExecutionFailed", "ExecutionTimedOut") or top[visit.name].kind == "Fail"
            outcome = "failed" if ended_badly else "unfinished"
            out.append(visit.stage(graph, at, outcome))
            visit = None
        elif _is_attempt_failure(kind):
            _close_wait(visit, at)
            error = event_details(event).get("error")
            visit.pending = Retry(at, error or (visit.pending.error if visit.pending else kind))
        elif kind in _ATTEMPT_STARTS and visit.pending is not None:
            visit.retries.append(visit.pending)
            visit.pending = None
        elif kind.startswith(("Task", "LambdaFunction", "Activity")) and kind.endswith("Succeeded"):
            _close_wait(visit, at)
    if visit is not None:
        out.append(visit.stage(graph, last, "failed" if top[visit.name].kind == "Fail" else "unfinished"))
    return tuple(out)


def _close_wait(visit: _Visit, at: float) -> None:
    if visit.wait_from is not None:
        visit.waits.append((visit.wait_from, at))
        visit.wait_from = None
