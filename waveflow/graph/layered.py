"""The data of a layered layout: what goes in (nodes, edges, spacing), what the stages share (the layered graph)
and what comes out (boxes and routes in pixels). ``layout.py`` runs the stages over it."""
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
class Layered:
    """The layered graph the stages share: real and dummy vertices, their layers, weighted links between adjacent
    layers, each edge's chain of vertices and each bundle's trunk."""

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
