"""A layered (Sugiyama) layout of one directed graph: waveflow's own, pure Python, deterministic.

The classic four steps, each a function below: break cycles (DFS back edges are laid out reversed), assign
layers (longest path), order each layer to reduce crossings (barycenter sweeps plus adjacent swaps, keeping the
best order seen), then place nodes horizontally so edges run as straight as they can (each layer solved exactly
as an ordered weighted least-squares problem, sweeping down and up; long edges weigh most, as in Gansner et
al.). Edges spanning several layers pass through dummy points; edges that share a bundle key (the catchers of
many states that all go to one rollback handler) share one trunk of dummies, so they merge into one line
instead of a fan. The result is boxes and edge routes in pixels; drawing them is ``svg.py``'s job.
Why not grandalf: it has no bundling, its placement lets the main path drift diagonally under a fan of catch
edges, and a layout of our own keeps the output byte-stable by construction.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LNode:
    id: str
    width: float
    height: float


@dataclass
class LEdge:
    """An edge to lay out. ``bundle``: edges with the same key and target share their long part and their label."""

    source: str
    target: str
    weight: float = 1.0
    bundle: str | None = None
    label: tuple[float, float] | None = None


@dataclass
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass
class Route:
    """Points from the source's border to the target's; ``label``: the centre of the edge's label, if any.
    A bundled edge's route (``joins``) only reaches its trunk, which is drawn once (``Layout.trunks``)."""

    points: list[tuple[float, float]]
    label: tuple[float, float] | None = None
    reversed: bool = False
    loop: bool = False
    joins: bool = False


@dataclass
class Trunk:
    """The shared part of a bundle: from its top down to ``target``; ``edge`` indexes one of its edges."""

    route: Route
    target: str
    edge: int


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]
    trunks: list[Trunk]
    width: float
    height: float


@dataclass
class Spacing:
    rank: float = 40.0
    node: float = 36.0
    dummy: float = 14.0
    label_pad: float = 10.0
    port: float = 14.0


@dataclass
class _Graph:
    """The layered graph: real and dummy vertices, their layers and weighted links between adjacent layers."""

    rank: dict[str, int] = field(default_factory=dict)
    width: dict[str, float] = field(default_factory=dict)
    up: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    down: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    chains: list[list[str]] = field(default_factory=list)
    trunks: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def vertex(self, vid: str, rank: int, width: float) -> None:
        if vid not in self.rank:
            self.rank[vid], self.width[vid] = rank, width
            self.up[vid], self.down[vid] = [], []

    def link(self, a: str, b: str, weight: float) -> None:
        for i, (other, w) in enumerate(self.down[a]):
            if other == b:
                self.down[a][i] = (b, w + weight)
                self.up[b] = [(o, ww + weight if o == a else ww) for o, ww in self.up[b]]
                return
        self.down[a].append((b, weight))
        self.up[b].append((a, weight))


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
    layers = _order(graph)
    x = _place(graph, layers, spacing)
    return _geometry(graph, layers, x, nodes, edges, reversed_edges, spacing)


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


def _build(nodes, edges, flows, rank, size) -> _Graph:
    """Real vertices, dummies for long edges, one shared trunk per bundle; a chain of vertices per edge."""
    graph = _Graph()
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


def _order(graph: _Graph) -> list[list[str]]:
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


def _pair_crossings(graph: _Graph, upper: list[str], lower: list[str]) -> int:
    pos = {v: i for i, v in enumerate(lower)}
    ends = sorted((i, pos[v]) for i, u in enumerate(upper) for v, _ in graph.down[u] if v in pos)
    count, seen = 0, []
    for _, p in ends:
        count += sum(1 for q in seen if q > p)
        seen.append(p)
    return count


def _crossings(graph: _Graph, layers: list[list[str]]) -> int:
    return sum(_pair_crossings(graph, layers[r], layers[r + 1]) for r in range(len(layers) - 1))


def _transpose(graph: _Graph, layers: list[list[str]]) -> None:
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


def _gap(graph: _Graph, a: str, b: str, spacing: Spacing) -> float:
    dummies = (graph.width[a] == 0) + (graph.width[b] == 0)
    room = (spacing.node, (spacing.node + spacing.dummy) / 2, spacing.dummy)[dummies]
    return (graph.width[a] + graph.width[b]) / 2 + room


def _place(graph: _Graph, layers: list[list[str]], spacing: Spacing) -> dict[str, float]:
    """Centre x of every vertex: layers packed, then moved toward their neighbours, down and up, a few rounds."""
    x: dict[str, float] = {}
    for layer in layers:
        at = 0.0
        for i, vid in enumerate(layer):
            at += _gap(graph, layer[i - 1], vid, spacing) if i else 0.0
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


def _straighten(graph: _Graph, layers: list[list[str]], x: dict[str, float], spacing: Spacing) -> None:
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


def _room(graph: _Graph, layers, at: tuple[int, int], candidate: float, x, spacing: Spacing) -> bool:
    r, i = at
    layer = layers[r]
    if i > 0 and candidate < x[layer[i - 1]] + _gap(graph, layer[i - 1], layer[i], spacing):
        return False
    return not (i + 1 < len(layer) and candidate > x[layer[i + 1]] - _gap(graph, layer[i], layer[i + 1], spacing))


def _solve(graph: _Graph, layer: list[str], x: dict[str, float], sides, spacing: Spacing,
           hold: bool = False) -> None:
    """Place one layer (order kept, gaps respected) as close as possible to its neighbours' weighted mean:
    pool-adjacent-violators on the shifted problem, exact for weighted least squares. With ``hold``, dummies keep
    their place instead of following their neighbours."""
    offsets, at = [], 0.0
    for i, vid in enumerate(layer):
        at += _gap(graph, layer[i - 1], vid, spacing) if i else 0.0
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


def _geometry(graph, layers, x, nodes, edges, reversed_edges, spacing) -> Layout:
    """Pixels: layer heights and gaps (room for labels), boxes, ports and the points of every route."""
    size = {n.id: n for n in nodes}
    height = [max((size[v].height for v in layer if v in size), default=0.0) for layer in layers]
    label_room = [0.0] * len(layers)
    for i, (chain, e) in enumerate(zip(graph.chains, edges)):
        if e.label and len(chain) > 1:
            r = graph.rank[chain[-2] if _label_at_end(chain, i in reversed_edges) else chain[0]]
            label_room[r] = max(label_room[r], e.label[1] + spacing.label_pad)
    top, y = [], 0.0
    for r in range(len(layers)):
        top.append(y)
        y += height[r] + spacing.rank + label_room[r]
    left = min(x[v] - graph.width[v] / 2 for v in x)
    boxes = {v: Box(round(x[v] - size[v].width / 2 - left, 1), round(top[graph.rank[v]] + (height[graph.rank[v]]
                    - size[v].height) / 2, 1), size[v].width, size[v].height) for v in size}
    ports = _ports(graph, edges, x, boxes, spacing)

    def through(vid: str) -> list[tuple[float, float]]:
        r = graph.rank[vid]
        return [(round(x[vid] - left, 1), top[r]), (round(x[vid] - left, 1), top[r] + height[r])]

    def label_at(a, b) -> tuple[float, float]:
        return round((a[0] + b[0]) / 2, 1), round((a[1] + b[1]) / 2, 1)
    routes, trunks, drawn = [], [], set()
    for i, (chain, e) in enumerate(zip(graph.chains, edges)):
        if len(chain) == 1:
            b = boxes[chain[0]]
            right, mid = b.x + b.width, b.y + b.height / 2
            routes.append(Route([(right, mid - 8), (right + 26, mid - 8), (right + 26, mid + 8), (right, mid + 8)],
                                (right + 26, mid) if e.label else None, loop=True))
            continue
        key = (e.bundle, chain[-1])
        if chain[1] in graph.rank and chain[1].startswith("\x00trunk:"):
            routes.append(Route([ports[(i, "out")], through(chain[1])[0]], joins=True))
            if key not in drawn:
                drawn.add(key)
                points = [p for vid in sorted(graph.trunks[key], key=graph.rank.get) for p in through(vid)]
                points.append(ports[(i, "in")])
                trunks.append(Trunk(Route(points, label_at(points[-2], points[-1]) if e.label else None),
                                    chain[-1], i))
            continue
        points = [ports[(i, "out")]] + [p for vid in chain[1:-1] for p in through(vid)] + [ports[(i, "in")]]
        rev = i in reversed_edges
        label = None
        if e.label:
            label = label_at(points[-2], points[-1]) if rev else label_at(points[0], points[1])
        routes.append(Route(points[::-1] if rev else points, label, rev))
    _spread_labels([r for r in routes] + [t.route for t in trunks],
                   list(edges) + [edges[t.edge] for t in trunks])
    width = max(max((b.x + b.width for b in boxes.values()), default=0.0),
                max((p[0] for r in routes for p in r.points), default=0.0))
    return Layout(boxes, routes, trunks, round(width, 1), round(y - spacing.rank, 1))


def _label_at_end(chain: list[str], reversed_edge: bool) -> bool:
    """A label sits on the edge's first stretch out of its source, except on a bundle, whose trunk shows it once
    on its last stretch into the target (in layer order, the last stretch of a reversed edge is its first)."""
    return reversed_edge or (len(chain) > 2 and chain[1].startswith("\x00trunk:"))


def _ports(graph, edges, x, boxes, spacing) -> dict:
    """Where each edge leaves its source's bottom and enters its target's top: spread along the side in the
    order of where the edges go, so they do not cross at the border; a bundle enters through one port."""
    sides: dict[tuple[str, str], list[tuple[float, object, tuple[int, str]]]] = {}
    for i, chain in enumerate(graph.chains):
        if len(chain) == 1:
            continue
        first, last = chain[0], chain[-1]
        e = edges[i]
        share = (e.bundle, last) if _label_at_end(chain, False) else ("edge", i)
        sides.setdefault((first, "bottom"), []).append((x[chain[1]], ("edge", i), (i, "out")))
        sides.setdefault((last, "top"), []).append((x[chain[-2]], share, (i, "in")))
    ports = {}
    for (vid, side), items in sides.items():
        box = boxes[vid]
        slots: list[object] = []
        for _, key, _ in sorted(items, key=lambda item: item[0]):
            if key not in slots:
                slots.append(key)
        span = min(box.width - 24, spacing.port * (len(slots) - 1))
        y = box.y + box.height if side == "bottom" else box.y
        centre = box.x + box.width / 2
        for _, key, name in items:
            k = slots.index(key)
            offset = 0 if len(slots) == 1 else -span / 2 + span * k / (len(slots) - 1)
            ports[name] = (round(centre + offset, 1), round(y, 1))
    return ports


def _spread_labels(routes: list[Route], edges: list[LEdge]) -> None:
    """Labels sharing a row are pushed apart, left to right, so none covers another."""
    rows: dict[float, list[tuple[int, float]]] = {}
    for i, (route, e) in enumerate(zip(routes, edges)):
        if route.label is not None:
            rows.setdefault(route.label[1], []).append((i, e.label[0]))
    for y, items in rows.items():
        items.sort(key=lambda item: routes[item[0]].label[0])
        right = None
        for i, width in items:
            cx = routes[i].label[0]
            if right is not None and cx - width / 2 < right + 6:
                cx = right + 6 + width / 2
            routes[i].label = (round(cx, 1), y)
            right = cx + width / 2
