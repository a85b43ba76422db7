"""Make a graph smaller by folding states into one box, for views with hard size limits (Mermaid's).

Two folds, tried in this order by ``shrink``: a Map's or Parallel's body into the container's box (deepest and
largest first), then part of a straight run of states into one box (``A … B``), as little as needed. Each fold
is recorded on the box (``Node.folded``), so the view can say what it left out. The input graph is not changed.
"""
from __future__ import annotations

import copy
import dataclasses
import math
from typing import Callable

from .model import CATCH, CHOICE, DEFAULT, NEXT, Edge, Graph, Node, Scope


class TooLarge(Exception):
    """Raised when folding everything that can be folded still leaves the view over its limits."""


def shrink(graph: Graph, render: Callable[[Graph], str], fits: Callable[[str], tuple[float, float]]) -> str:
    """``render(graph)``, folding states until ``fits(text)`` says the excess is gone.

    ``fits`` returns how far over the limits a text is, as two numbers (edges over, characters over), both
    <= 0 when it fits.
    """
    text = render(graph)
    over = fits(text)
    if max(over) <= 0:
        return text
    graph = copy.deepcopy(graph)
    while max(over) > 0:
        if not (_fold_container(graph) or _fold_run(graph, over, len(text))):
            raise TooLarge(f"{graph.name} is too large to draw within the limits even with every container and "
                           f"straight run folded")
        text = render(graph)
        over = fits(text)
    return text


def _states(scope: Scope) -> int:
    return sum(1 + sum(_states(inner) for inner in node.scopes) for node in scope.nodes.values())


def _containers(scope: Scope, depth: int = 0):
    for node in scope.nodes.values():
        if node.scopes:
            yield depth, node
            for inner in node.scopes:
                yield from _containers(inner, depth + 1)


def _fold_container(graph: Graph) -> bool:
    """Fold the body of the deepest, largest container that still has one (Polls are already one box)."""
    candidates = [(depth, sum(_states(s) for s in node.scopes), node) for depth, node in _containers(graph.root)
                  if node.kind in ("Map", "Parallel")]
    if not candidates:
        return False
    _, _, node = max(candidates, key=lambda c: (c[0], c[1]))
    for inner in node.scopes:
        node.folded += [n.name for n, _ in Graph("", inner).walk()]
    node.scopes = []
    return True


def _runs(scope: Scope):
    """Straight runs: each state's only way on is Next to the following one, whose only way in is that Next."""
    incoming: dict[str, int] = {}
    for edge in scope.edges:
        if edge.kind != CATCH:
            incoming[edge.target] = incoming.get(edge.target, 0) + 1
    incoming[scope.start] = incoming.get(scope.start, 0) + 1

    def follower(name: str) -> str | None:
        ways = [e for e in scope.out_edges(name) if e.kind in (NEXT, CHOICE, DEFAULT)]
        if len(ways) == 1 and ways[0].kind == NEXT and incoming.get(ways[0].target) == 1 \
                and scope.nodes[ways[0].target].kind != "Choice":
            return ways[0].target
        return None
    inside = {f for f in map(follower, scope.nodes) if f}
    for name, node in scope.nodes.items():
        if name in inside or node.kind == "Choice":
            continue
        run = [name]
        while (nxt := follower(run[-1])) is not None and nxt not in run:
            run.append(nxt)
        if len(run) >= 3:
            yield scope, run
    for node in scope.nodes.values():
        for inner in node.scopes:
            yield from _runs(inner)


def _fold_run(graph: Graph, over: tuple[float, float], length: int) -> bool:
    """Fold the middle of the longest straight run, about as many states as the excess asks for (each folded
    state takes away its share of the edges and of the text)."""
    runs = list(_runs(graph.root))
    if not runs:
        return False
    scope, run = max(runs, key=lambda r: len(r[1]))
    states = max(_states(graph.root), 1)
    edges = sum(len(s.edges) for s in _scopes(graph.root))
    wanted = 2 + max(math.ceil(over[0] * states / max(edges, 1)), math.ceil(over[1] * states / length), 0)
    size = min(len(run), wanted)
    begin = (len(run) - size) // 2
    _fold(scope, run[begin:begin + size])
    return True


def _scopes(scope: Scope):
    yield scope
    for node in scope.nodes.values():
        for inner in node.scopes:
            yield from _scopes(inner)


def _fold(scope: Scope, members: list[str]) -> None:
    """Replace ``members`` (a straight run) by one box; edges to and from outside keep going, deduplicated."""
    first, last = scope.nodes[members[0]], scope.nodes[members[-1]]
    box = Node(f"{members[0]} … {members[-1]}", "Folded",
               terminal=last.terminal, rollback=all(scope.nodes[m].rollback for m in members),
               folded=[m for name in members for m in [name, *scope.nodes[name].folded]])
    inside = set(members)
    edges: list[Edge] = []
    for edge in scope.edges:
        source = box.name if edge.source in inside else edge.source
        target = box.name if edge.target in inside else edge.target
        if source == box.name and target == box.name:
            continue
        moved = dataclasses.replace(edge, source=source, target=target)
        if moved not in edges:
            edges.append(moved)
    nodes = {}
    for name, node in scope.nodes.items():
        if name == first.name:
            nodes[box.name] = box
        elif name not in inside:
            nodes[name] = node
    if scope.start in inside:
        scope.start = box.name
    scope.nodes, scope.edges = nodes, edges
