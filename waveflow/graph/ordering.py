"""Crossing reduction: the order of the vertices in each layer (Sugiyama's third step)."""
from __future__ import annotations

from .layered import Layered


def order(graph: Layered) -> list[list[str]]:
    """Layers ordered to reduce crossings: depth-first initial order, then barycenter sweeps and swaps."""
    depth = max(graph.rank.values()) + 1
    layers: list[list[str]] = [[] for _ in range(depth)]
    seen: set[str] = set()
    for root in graph.rank:
        if root in seen:
            continue
        stack = [root]
        while stack:
            vid = stack.pop()
            if vid in seen:
                continue
            seen.add(vid)
            layers[graph.rank[vid]].append(vid)
            stack.extend(reversed([v for v, _ in graph.down[vid]]))
    best, best_crossings = [list(layer) for layer in layers], _crossings(graph, layers)
    for sweep in range(12):
        downward = sweep % 2 == 0
        ranks = range(1, depth) if downward else range(depth - 2, -1, -1)
        for r in ranks:
            fixed = layers[r - 1] if downward else layers[r + 1]
            pos = {v: i for i, v in enumerate(fixed)}
            near = graph.up if downward else graph.down
            current = {v: i for i, v in enumerate(layers[r])}

            def barycenter(vid: str) -> tuple[float, int]:
                links = [(pos[o], w) for o, w in near[vid] if o in pos]
                total = sum(w for _, w in links)
                return (sum(p * w for p, w in links) / total if total else current[vid], current[vid])
            layers[r].sort(key=barycenter)
        _transpose(graph, layers)
        crossings = _crossings(graph, layers)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
        if best_crossings == 0:
            break
    return best


def _pair_crossings(graph: Layered, upper: list[str], lower: list[str]) -> int:
    pos = {v: i for i, v in enumerate(lower)}
    ends = sorted((i, pos[v]) for i, u in enumerate(upper) for v, _ in graph.down[u] if v in pos)
    count, seen = 0, []
    for _, p in ends:
        count += sum(1 for q in seen if q > p)
        seen.append(p)
    return count


def _crossings(graph: Layered, layers: list[list[str]]) -> int:
    return sum(_pair_crossings(graph, layers[r], layers[r + 1]) for r in range(len(layers) - 1))


def _transpose(graph: Layered, layers: list[list[str]]) -> None:
    """Swap neighbours in a layer while that removes crossings with the layers above and below."""
    def local(r: int) -> int:
        total = _pair_crossings(graph, layers[r - 1], layers[r]) if r > 0 else 0
        return total + (_pair_crossings(graph, layers[r], layers[r + 1]) if r + 1 < len(layers) else 0)
    for r, layer in enumerate(layers):
        if len(layer) < 2 or len(layer) > 60:
            continue
        improved = True
        while improved:
            improved = False
            for i in range(len(layer) - 1):
                before = local(r)
                layer[i], layer[i + 1] = layer[i + 1], layer[i]
                if local(r) < before:
                    improved = True
                else:
                    layer[i], layer[i + 1] = layer[i + 1], layer[i]
