"""The workflow's ``timeout`` against the waiting its states may do.

An execution that reaches its TimeoutSeconds stops with States.Timeout, which no catcher sees: a Poll's own
``timeout_error``, an approval's timeout and the whole ``on_failure`` path never run. So the build refuses a
workflow timeout that a single wait (a Poll's timeout, a Wait, an approval's timeout) or the waits along one path
would reach. Waits inside a Map count for nothing here: how many items run, and how many at once, is known only
at run time.
"""
from __future__ import annotations

from ..dsl.base import State
from ..dsl.common import Guarded
from ..dsl.containers import Parallel
from ..dsl.durations import as_seconds, readable
from ..dsl.flow import Wait
from ..dsl.poll import Poll
from ..dsl.tasks import Approval
from .graph import ScopeGraph
from .validate import Checker


def check_time_budget(workflow, graphs: dict, checker: Checker) -> None:
    """Refuse a workflow timeout that the waiting on some path would reach (see the module docstring)."""
    timeout = _whole(as_seconds(workflow.timeout))
    top = graphs.get(workflow)
    if timeout is None or top is None or top.start is None:
        return
    alone = [(state, wait) for graph in graphs.values() for state in graph.states
             if (wait := _own_wait(state)) >= timeout]
    for state, wait in alone:
        checker.say(state, f"{state.describe()} may wait {readable(wait)}, but the workflow times out after "
                           f"{readable(timeout)}: the execution would stop with States.Timeout before this state "
                           f"gives up{_skipped(workflow)}; raise Workflow(timeout=) above {readable(wait)} or "
                           f"shorten this wait")
    if alone:
        return
    total, path = _longest(top, graphs)
    if total >= timeout:
        steps = " + ".join(f"{state.name} ({readable(wait)})" for state, wait in path)
        checker.say(None, f"workflow {workflow.name!r}: timeout={readable(timeout)} is shorter than the waiting on "
                          f"one path: {steps} = {readable(total)}; the execution would stop with States.Timeout "
                          f"first{_skipped(workflow)}; raise timeout= above {readable(total)} or shorten those waits")


def _skipped(workflow) -> str:
    return ", and on_failure would never run" if workflow.on_failure is not None else ""


def _whole(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 1:
        return None
    return int(value)


def _own_wait(state: State) -> int:
    """How long the state itself may wait, in seconds (0 when it does not wait or it is not known)."""
    if isinstance(state, Wait):
        return _whole(as_seconds(state.seconds)) or 0
    if isinstance(state, (Poll, Approval)):
        return _whole(as_seconds(state.timeout)) or 0
    return 0


def _longest(graph: ScopeGraph, graphs: dict) -> tuple[int, list[tuple[State, int]]]:
    """The most waiting along one path of ``graph`` from its start, and that path's waiting states.

    A depth-first walk that ignores edges back into the path being walked, so each path is a simple one (loops
    already must contain a Wait or a Poll; counting one pass of them is enough to find a timeout that is too short).
    """
    best: dict[State, tuple[int, list]] = {}
    on_path: set[State] = set()
    stack: list[tuple[State, list[State]]] = [(graph.start, _next_states(graph, graph.start))]
    on_path.add(graph.start)
    while stack:
        state, pending = stack[-1]
        while pending and (pending[-1] in on_path or pending[-1] in best):
            pending.pop()
        if pending:
            follower = pending.pop()
            on_path.add(follower)
            stack.append((follower, _next_states(graph, follower)))
            continue
        stack.pop()
        on_path.discard(state)
        own = _wait_of(state, graphs)
        after = max((best[t] for t in _next_states(graph, state) if t in best), key=lambda b: b[0], default=(0, []))
        best[state] = (own + after[0], ([(state, own)] if own else []) + after[1])
    return best[graph.start]


def _wait_of(state: State, graphs: dict) -> int:
    """A state's own wait, or for a Parallel the most waiting of its branches (they run side by side)."""
    if isinstance(state, Parallel):
        branches = [graphs[b] for b in state.branches if b in graphs and graphs[b].start is not None]
        return max((_longest(branch, graphs)[0] for branch in branches), default=0)
    return _own_wait(state)


def _next_states(graph: ScopeGraph, state: State) -> list[State]:
    """The states ``state`` may lead to: its links, and the failure path when its errors go there."""
    found = [graph.by_name.get(t) if isinstance(t, str) else t for _, t in graph.successors(state)]
    if graph.failure_head is not None and state not in graph.failure_path \
            and isinstance(state, Guarded) and state.on_failure is None:
        found.append(graph.failure_head)
    return [t for t in found if t is not None and graph.by_name.get(t.name) is t]
