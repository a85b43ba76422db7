"""A layered (Sugiyama) layout of one directed graph: waveflow's own, pure Python, deterministic.

The classic steps: break cycles (DFS back edges are laid out reversed) and assign layers (longest path), here;
order each layer to reduce crossings (barycenter sweeps plus adjacent swaps, keeping the best order seen:
``ordering.py``); place nodes horizontally so edges run as straight as they can (each layer solved exactly as an
ordered weighted least-squares problem, sweeping down and up; long edges weigh most, as in Gansner et al.:
``placement.py``); then pixels (``routing.py``). Edges spanning several layers pass through dummy points; edges
that share a bundle key (the catchers of many states that all go to one rollback handler) share one trunk of
dummies, so they merge into one line instead of a fan. Drawing the result is ``svg.py``'s job.
Why not grandalf: it has no bundling, its placement lets the main path drift diagonally under a fan of catch
edges, and a layout of our own keeps the output byte-stable by construction.
"""
from __future__ import annotations

from .layered import Layered, Layout, LEdge, LNode, Spacing
from .ordering import order
from .placement import place
from .routing import geometry

__all__ = ["LEdge", "LNode", "Layout", "Spacing", "layout"]


def layout(nodes: list[LNode], edges: list[LEdge], spacing: Spacing | None = None) -> Layout:
    """Lay out ``nodes`` (the first is the start) and ``edges``; the same input always gives the same output.

    >>> out = layout([LNode("a", 100, 40), LNode("b", 100, 40)], [LEdge("a", "b")])
    >>> out.boxes["b"].y > out.boxes["a"].y
    True
    """
    spacing = spacing or Spacing()
    size = {n.id: n for n in nodes}
    order_of = {n.id: i for i, n in enumerate(nodes)}
    reversed_edges = _back_edges(nodes, edges)
    flows = [(e.target, e.source) if i in reversed_edges else (e.source, e.target) for i, e in enumerate(edges)]
    rank = _ranks(nodes, [f for f, e in zip(flows, edges) if e.source != e.target], order_of)
    graph = _build(nodes, edges, flows, rank, size)
    layers = order(graph)
    x = place(graph, layers, spacing)
    return geometry(graph, layers, x, nodes, edges, reversed_edges, spacing)


def _back_edges(nodes: list[LNode], edges: list[LEdge]) -> set[int]:
    """Indices of the edges that close a cycle in a depth-first walk from the start (in the given order)."""
    out: dict[str, list[tuple[int, str]]] = {n.id: [] for n in nodes}
    for i, e in enumerate(edges):
        if e.source != e.target:
            out[e.source].append((i, e.target))
    state: dict[str, int] = {}
    back: set[int] = set()
    for root in nodes:
        if root.id in state:
            continue
        state[root.id] = 1
        stack = [(root.id, iter(out[root.id]))]
        while stack:
            vid, children = stack[-1]
            for i, target in children:
                if state.get(target) == 1:
                    back.add(i)
                elif target not in state:
                    state[target] = 1
                    stack.append((target, iter(out[target])))
                    break
            else:
                state[vid] = 2
                stack.pop()
    return back


def _ranks(nodes: list[LNode], flows: list[tuple[str, str]], order_of: dict[str, int]) -> dict[str, int]:
    """Longest-path layering of the acyclic flows, in topological order with ties broken by input order."""
    indegree = {n.id: 0 for n in nodes}
    succ: dict[str, list[str]] = {n.id: [] for n in nodes}
    for a, b in flows:
        succ[a].append(b)
        indegree[b] += 1
    rank = {n.id: 0 for n in nodes}
    ready = sorted((v for v, d in indegree.items() if d == 0), key=order_of.get)
    while ready:
        vid = ready.pop(0)
        for nxt in succ[vid]:
            rank[nxt] = max(rank[nxt], rank[vid] + 1)
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
                ready.sort(key=order_of.get)
    return rank


def _build(nodes, edges, flows, rank, size) -> Layered:
    """Real vertices, dummies for long edges, one shared trunk per bundle; a chain of vertices per edge."""
    graph = Layered()
    for n in nodes:
        graph.vertex(n.id, rank[n.id], n.width)
    members: dict[tuple[str, str], int] = {}
    for (a, b), e in zip(flows, edges):
        if e.bundle is not None and (a, b) == (e.source, e.target) and rank[b] - rank[a] > 1:
            members[(e.bundle, b)] = members.get((e.bundle, b), 0) + 1
    linked: set[tuple[str, str]] = set()
    for index, ((a, b), e) in enumerate(zip(flows, edges)):
        if a == b:
            graph.chains.append([a])
            continue
        bundled = members.get((e.bundle, b), 0) > 1 and (a, b) == (e.source, e.target) and rank[b] - rank[a] > 1
        key = (e.bundle, b) if bundled else None
        if key is None:
            chain = [a]
            for r in range(rank[a] + 1, rank[b]):
                graph.vertex(f"\x00edge:{index}:{r}", r, 0.0)
                chain.append(f"\x00edge:{index}:{r}")
            chain.append(b)
            for u, v in zip(chain, chain[1:]):
                graph.link(u, v, e.weight * _factor(u in size, v in size, False))
            graph.chains.append(chain)
            continue
        trunk = [f"\x00trunk:{key[0]}:{key[1]}:{r}" for r in range(rank[a] + 1, rank[b])]
        for vid in trunk:
            if vid not in graph.rank:
                graph.vertex(vid, int(vid.rsplit(":", 1)[1]), 0.0)
                graph.trunks.setdefault(key, []).append(vid)
        graph.link(a, trunk[0], e.weight * _factor(True, False, True))
        for u, v in zip(trunk, trunk[1:] + [b]):
            if (u, v) not in linked:
                linked.add((u, v))
                graph.link(u, v, e.weight * _factor(False, v == b, False))
        graph.chains.append([a, trunk[0]] + trunk[1:][-1:] + [b])
    return graph


def _factor(real_u: bool, real_v: bool, bundled: bool) -> float:
    """How hard a link pulls its ends into line: long edges most (their dummies 8, their ends 2, real pairs 1).
    A state's short stub into a shared trunk barely pulls, or the trunk would drag the states it passes."""
    if real_u and real_v:
        return 1.0
    if real_u or real_v:
        return 0.01 if bundled and real_u else 2.0
    return 8.0
