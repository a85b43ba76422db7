"""Horizontal placement: the centre x of every vertex, so edges run as straight as the layers allow."""
from __future__ import annotations

from .layered import Layered, Spacing


def gap(graph: Layered, a: str, b: str, spacing: Spacing) -> float:
    dummies = (graph.width[a] == 0) + (graph.width[b] == 0)
    room = (spacing.node, (spacing.node + spacing.dummy) / 2, spacing.dummy)[dummies]
    return (graph.width[a] + graph.width[b]) / 2 + room


def place(graph: Layered, layers: list[list[str]], spacing: Spacing) -> dict[str, float]:
    """Centre x of every vertex: layers packed, then moved toward their neighbours, down and up, a few rounds."""
    x: dict[str, float] = {}
    for layer in layers:
        at = 0.0
        for i, vid in enumerate(layer):
            at += gap(graph, layer[i - 1], vid, spacing) if i else 0.0
            x[vid] = at
    for _ in range(6):
        for near, ranks in ((graph.up, range(1, len(layers))), (graph.down, range(len(layers) - 2, -1, -1))):
            for r in ranks:
                _solve(graph, layers[r], x, [near], spacing)
    _straighten(graph, layers, x, spacing)
    for r in range(1, len(layers)):  # last, states line up under their heads; the straightened rails stay put
        _solve(graph, layers[r], x, [graph.up], spacing, hold=True)
    _straighten(graph, layers, x, spacing)
    return x


def _straighten(graph: Layered, layers: list[list[str]], x: dict[str, float], spacing: Spacing) -> None:
    """Make each long edge's (or trunk's) run of dummies one vertical line where its layers leave room: at its
    rightmost, leftmost or middle position, whichever fits first. The sweeps leave small steps where a wide
    card pushed a dummy aside; a rail with steps reads worse than one that keeps its distance."""
    index = {v: (r, i) for r, layer in enumerate(layers) for i, v in enumerate(layer)}
    runs = [sorted(trunk, key=graph.rank.get) for trunk in graph.trunks.values()]
    runs += [[v for v in chain if v.startswith("\x00edge:")] for chain in graph.chains]
    for dummies in runs:
        if len(dummies) < 2:
            continue
        spots = sorted(x[v] for v in dummies)
        for candidate in (spots[-1], spots[0], spots[len(spots) // 2]):
            if all(_room(graph, layers, index[v], candidate, x, spacing) for v in dummies):
                for v in dummies:
                    x[v] = candidate
                break


def _room(graph: Layered, layers, at: tuple[int, int], candidate: float, x, spacing: Spacing) -> bool:
    r, i = at
    layer = layers[r]
    if i > 0 and candidate < x[layer[i - 1]] + gap(graph, layer[i - 1], layer[i], spacing):
        return False
    return not (i + 1 < len(layer) and candidate > x[layer[i + 1]] - gap(graph, layer[i], layer[i + 1], spacing))


def _solve(graph: Layered, layer: list[str], x: dict[str, float], sides, spacing: Spacing,
           hold: bool = False) -> None:
    """Place one layer (order kept, gaps respected) as close as possible to its neighbours' weighted mean:
    pool-adjacent-violators on the shifted problem, exact for weighted least squares. With ``hold``, dummies keep
    their place instead of following their neighbours."""
    offsets, at = [], 0.0
    for i, vid in enumerate(layer):
        at += gap(graph, layer[i - 1], vid, spacing) if i else 0.0
        offsets.append(at)
    blocks: list[list[float]] = []  # [weight, weighted sum, count]
    for vid, offset in zip(layer, offsets):
        links = [] if hold and graph.width[vid] == 0 else [(x[o], w) for side in sides for o, w in side[vid]]
        weight = sum(w for _, w in links)
        wanted = sum(p * w for p, w in links) / weight if weight else x[vid]
        weight = weight or (1.0 if hold else 1e-3)
        blocks.append([weight, weight * (wanted - offset), 1])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]:
            w, s, c = blocks.pop()
            blocks[-1][0] += w
            blocks[-1][1] += s
            blocks[-1][2] += c
    i = 0
    for w, s, c in blocks:
        for _ in range(c):
            x[layer[i]] = s / w + offsets[i]
            i += 1
