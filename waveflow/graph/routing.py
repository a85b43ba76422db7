"""From layers and x positions to pixels: layer heights and gaps, boxes, ports, edge routes and label places."""
from __future__ import annotations

from .layered import Box, Layout, LEdge, Route, Trunk


def geometry(graph, layers, x, nodes, edges, reversed_edges, spacing) -> Layout:
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
