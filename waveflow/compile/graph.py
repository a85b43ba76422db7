"""The shape of one scope (a workflow, a Parallel branch, a Map processor): its start, its states, its edges.

Names given as strings are resolved here; states created outside any ``with`` block are adopted by the scope
that links to them. Problems found while resolving are collected, not raised.
"""
from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass, field

from ..dsl.base import State
from ..dsl.common import Guarded
from ..dsl.flow import Choice
from ..dsl.scope import Scope


@dataclass
class Issue:
    """A problem about a state (or about the scope when ``state`` is None), located later by the source map:
    at the line that writes the link to ``link`` when that is where the mistake is, at ``where`` (a file and line
    of its own, such as a broken handler module) when given, else at the state's line."""

    state: State | None
    message: str
    link: str | None = None
    where: tuple[str, int] | None = None


@dataclass
class ScopeGraph:
    scope: Scope
    start: State | None = None
    states: list[State] = field(default_factory=list)
    by_name: dict[str, State] = field(default_factory=dict)
    failure_path: set = field(default_factory=set)
    failure_head: State | None = None
    issues: list[Issue] = field(default_factory=list)

    def resolve(self, source: State, target: State | str | None, role: str) -> State | None:
        """The state ``target`` names, or None with an issue recorded."""
        if target is None or isinstance(target, State):
            return target
        found = self.by_name.get(target)
        if found is None:
            close = difflib.get_close_matches(target, list(self.by_name), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.issues.append(Issue(source, f"{source.describe()} {role} {target!r}, which is not a state of this "
                                             f"{_scope_word(self.scope)}{hint}", link=target))
        return found

    def successors(self, state: State) -> list[tuple[str, State | str | None]]:
        """Every edge out of ``state``: (role, target)."""
        edges: list[tuple[str, State | str | None]] = [("goes to", state.next)]
        if isinstance(state, Choice):
            edges = [("branches to", target) for _, target in state.choices]
            if state.default is not None:
                edges.append(("branches to", state.default))
        if isinstance(state, Guarded):
            edges += [("catches errors to", c.next) for c in state.catch or ()]
            if state.on_failure not in (None, False, True):
                edges.append(("sends failures to", state.on_failure))
        return [(role, target) for role, target in edges if target is not None]


def _scope_word(scope: Scope) -> str:
    owner = getattr(scope, "owner", None)
    return f"{type(owner).__name__} {owner.name!r}" if owner is not None else "workflow"


def analyse(scope: Scope, start=None, on_failure=None) -> ScopeGraph:
    """Resolve names, adopt free states, find the start, the reachable set and the failure path."""
    graph = ScopeGraph(scope)
    for state in scope.states:
        if state.name in graph.by_name and graph.by_name[state.name] is not state:
            graph.issues.append(Issue(state, f"duplicate state name {state.name!r} "
                                             f"(names must be unique in the whole state machine)"))
        graph.by_name.setdefault(state.name, state)

    graph.start = graph.resolve(scope.states[0], start, "starts at") if start is not None and scope.states else None
    if graph.start is None:
        graph.start = _first_root(graph)
    if graph.start is None:
        return graph

    reached = _walk(graph, [graph.start])
    head = graph.resolve(graph.start, on_failure, "sends failures to") if on_failure not in (None, False) else None
    if head is not None and any(isinstance(s, Guarded) and s.on_failure is None for s in reached):
        graph.failure_head = head
        graph.failure_path = _walk(graph, [head])
        reached += [s for s in graph.failure_path if s not in reached]
    # Main path in the order it was written, then the failure path in the order it runs.
    main = [s for s in scope.states if s in reached and s not in graph.failure_path]
    main += [s for s in reached if s not in main and s not in graph.failure_path]
    graph.states = main + [s for s in graph.failure_path]
    for state in scope.states:
        if state not in reached:
            graph.issues.append(Issue(state, f"{state.describe()} is unreachable: nothing leads to it from "
                                             f"{graph.start.name!r}; link it with >> or remove it"))
    return graph


def _first_root(graph: ScopeGraph) -> State | None:
    """The first state written that nothing leads to; in a workflow that loops back to its beginning, simply
    the first state written (other than the failure path's head)."""
    failure_head = graph.scope.on_failure
    if isinstance(failure_head, str):
        failure_head = graph.by_name.get(failure_head)
    targets = {failure_head}
    for state in graph.scope.states:
        for _, target in graph.successors(state):
            targets.add(target if isinstance(target, State) else graph.by_name.get(target))
    roots = [s for s in graph.scope.states if s not in targets]
    candidates = roots or [s for s in graph.scope.states if s is not failure_head]
    return candidates[0] if candidates else None


def _walk(graph: ScopeGraph, heads: list[State]) -> list:
    """States reachable from ``heads`` in breadth-first order, adopting free states into the scope."""
    seen: dict = {}  # insertion-ordered set
    queue = deque(heads)
    while queue:
        state = queue.popleft()
        if state in seen:
            continue
        if state.scope is not None and state.scope is not graph.scope:
            graph.issues.append(Issue(state, f"{state.describe()} belongs to {_scope_word(state.scope)} and "
                                             f"cannot be reached from {_scope_word(graph.scope)}"))
            continue
        if state.scope is None and graph.by_name.get(state.name, state) is not state:
            graph.issues.append(Issue(state, f"duplicate state name {state.name!r}"))
        graph.by_name.setdefault(state.name, state)
        seen[state] = None
        for role, target in graph.successors(state):
            resolved = graph.resolve(state, target, role)
            if resolved is not None:
                queue.append(resolved)
    return list(seen)
