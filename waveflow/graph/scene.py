"""The drawing model -> a scene: every state as a card with its size, text, badges and place, every edge routed.

Containers are laid out inside out: each Parallel branch and Map processor is laid out on its own (a lane), and
the container's card is made big enough to hold its lanes, so the outer layout treats it as one large box, as
the Step Functions console does. A Poll is one card listing its loop's states as chips. With counts (from a run),
cards get a counts line and an outcome; sizes are computed here (``metrics.py``), so ``svg.py`` only draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import metrics as m
from . import words
from .counts import StateCounts
from .layered import Box, LEdge, LNode, Route
from .layout import layout
from .model import CATCH, Edge, Graph, Node, Scope

START, END = "\x00start", "\x00end"
CATCH_WEIGHT = 0.05   # catch edges barely pull: the main path stays straight, the rollback trunk runs beside it
LABEL_ROOM = 220.0


@dataclass
class Text:
    text: str
    x: float
    y: float
    size: float
    css: str
    bold: bool = False


@dataclass
class Badge:
    text: str
    title: str
    css: str
    x: float = 0.0
    width: float = 0.0


@dataclass
class Chip:
    node: Node
    label: str
    box: Box
    counts: StateCounts | None = None
    tip: list[str] = field(default_factory=list)


@dataclass
class Card:
    node: Node
    box: Box
    lines: list[Text] = field(default_factory=list)
    badges: list[Badge] = field(default_factory=list)
    chips: list[Chip] = field(default_factory=list)
    lanes: list["Frame"] = field(default_factory=list)
    counts: StateCounts | None = None
    tip: list[str] = field(default_factory=list)


@dataclass
class Wire:
    """A drawn edge: the model's edge (None for the Start and End pills' edges), its route and label text. A
    ``trunk`` is the shared line of bundled catch edges into one target (``edge`` is one of them)."""

    edge: Edge | None
    route: Route
    label: str = ""
    label_width: float = 0.0
    trunk: bool = False


@dataclass
class Frame:
    """One laid-out scope; ``x``/``y`` place it inside its container's card (0, 0 for the workflow)."""

    width: float
    height: float
    cards: list[Card]
    wires: list[Wire]
    pills: dict[str, Box] = field(default_factory=dict)
    x: float = 0.0
    y: float = 0.0


def build_scene(graph: Graph, counts: dict[str, StateCounts] | None = None) -> Frame:
    """Lay out ``graph``; with ``counts`` every card shows its counts and is coloured by outcome."""
    return _frame(graph.root, counts, top=True)


def _frame(scope: Scope, counts: dict[str, StateCounts] | None, top: bool = False) -> Frame:
    cards = {name: _card(node, counts, len(scope.catches(name))) for name, node in scope.nodes.items()}
    for name, card in cards.items():
        card.tip = tip(card.node, scope, card.counts)
    order = [scope.start] + [name for name in scope.nodes if name != scope.start]
    lnodes = [LNode(name, cards[name].box.width, cards[name].box.height) for name in order]
    edges: list[tuple[Edge | None, LEdge, str, float]] = []
    if top:
        lnodes.insert(0, LNode(START, *m.PILL))
        lnodes.append(LNode(END, *m.PILL))
        edges.append((None, LEdge(START, scope.start), "", 0.0))
    for edge in scope.edges:
        label = _label(edge)
        size = (m.width(label, m.SMALL_SIZE) + 10, m.SMALL_SIZE + 6) if label else None
        if edge.kind == CATCH:
            edges.append((edge, LEdge(edge.source, edge.target, CATCH_WEIGHT, f"catch:{edge.label}", size),
                          label, size[0]))
        else:
            edges.append((edge, LEdge(edge.source, edge.target, 1.0, None, size), label, size[0] if size else 0.0))
    if top:
        edges += [(None, LEdge(name, END), "", 0.0) for name in order if scope.nodes[name].terminal]
    placed = layout(lnodes, [e[1] for e in edges])
    for name, card in cards.items():
        card.box = placed.boxes[name]
    wires = [Wire(edge, route, label if route.label else "", width)
             for (edge, _, label, width), route in zip(edges, placed.routes)]
    wires += [Wire(edges[t.edge][0], t.route, edges[t.edge][2], edges[t.edge][3], trunk=True) for t in placed.trunks]
    pills = {key: placed.boxes[key] for key in (START, END) if key in placed.boxes}
    return Frame(placed.width, placed.height, [cards[name] for name in scope.nodes], wires, pills)


def _label(edge: Edge) -> str:
    text = f"catch {words.errors(edge.errors)}" if edge.kind == CATCH else edge.label
    return m.fit(text, LABEL_ROOM, m.SMALL_SIZE) if text else ""


def _badges(node: Node, catches: int) -> list[Badge]:
    out = []
    if node.retries:
        attempts = max(r.attempts for r in node.retries)
        out.append(Badge(f"retry {attempts}", "\n".join(words.retry_line(r) for r in node.retries), "retry"))
    if catches:
        out.append(Badge(f"catch {catches}", "", "catch"))
    x = 0.0
    for badge in out:
        badge.width = m.width(badge.text, m.SMALL_SIZE) + 10
        badge.x = x
        x += badge.width + 4
    return out


def _card(node: Node, counts: dict[str, StateCounts] | None, catches: int) -> Card:
    """The card of one state; a container's card holds its laid-out lanes, a Poll's its chips."""
    card = Card(node, Box(0, 0, 0, 0), counts=counts.get(node.name, StateCounts()) if counts is not None else None)
    card.badges = _badges(node, catches)
    badge_room = sum(b.width + 4 for b in card.badges)
    texts = [(node.name, m.NAME_SIZE, True, "name")]
    texts.append((node.detail, m.DETAIL_SIZE, False, "detail"))
    if node.schedule:
        texts.append((node.schedule, m.DETAIL_SIZE, False, "schedule"))
    if node.until:
        texts.append((f"until {node.until}", m.DETAIL_SIZE, False, "schedule"))
    if counts is not None:
        texts.append((_counts_line(card.counts), m.DETAIL_SIZE, True, "counts"))
    limit = m.MAX_WIDTH + (60 if node.kind == "Poll" else 0)
    needed = max(m.width(t, s, b) + (badge_room + 8 if css == "name" else 0) for t, s, b, css in texts)
    width = min(max(needed + 2 * m.PAD_X + 4, m.MIN_WIDTH), limit)
    y = m.PAD_Y
    for text, size, bold, css in texts:
        if css == "name":
            y += size
            card.lines.append(Text(m.fit(text, width - 2 * m.PAD_X - badge_room - 8, size, bold), m.PAD_X, y, size,
                                   css, bold))
            continue
        for piece in ([m.fit(text, width - 2 * m.PAD_X, size, bold)] if bold else
                      m.wrap(text, width - 2 * m.PAD_X, size)):
            y += m.LINE
            card.lines.append(Text(piece, m.PAD_X, round(y, 1), size, css, bold))
    height = y + m.PAD_Y
    if node.kind == "Poll":
        height = _chips(card, node, counts, width, height)
    elif node.scopes:
        lanes = [_frame(scope, counts) for scope in node.scopes]
        inner = sum(lane.width for lane in lanes) + m.LANE_PAD * (len(lanes) + 1)
        width = max(width, inner)
        x = (width - inner) / 2 + m.LANE_PAD
        for lane in lanes:
            lane.x, lane.y = round(x, 1), round(height + m.LANE_PAD, 1)
            x += lane.width + m.LANE_PAD
        height += 2 * m.LANE_PAD + max(lane.height for lane in lanes)
        card.lanes = lanes
    for badge in card.badges:
        badge.x = round(width - m.PAD_X - badge_room + 4 + badge.x, 1)
    card.box = Box(0, 0, round(width, 1), round(height, 1))
    return card


def _chips(card: Card, node: Node, counts, width: float, height: float) -> float:
    """Lay the Poll's loop states out as chips in rows; returns the card's new height."""
    x, y = m.PAD_X, height
    for inner in _loop_order(node.scopes[0]):
        label = inner.name[len(node.name):] if inner.name.startswith(node.name) and inner.name != node.name \
            else inner.name
        state_counts = counts.get(inner.name, StateCounts()) if counts is not None else None
        if state_counts is not None and state_counts.entered:
            label += f" {state_counts.entered}"
        chip_width = m.width(label, m.SMALL_SIZE) + 12
        if x + chip_width > width - m.PAD_X and x > m.PAD_X:
            x, y = m.PAD_X, y + m.CHIP_HEIGHT + m.CHIP_GAP
        card.chips.append(Chip(inner, label, Box(round(x, 1), round(y, 1), round(chip_width, 1), m.CHIP_HEIGHT),
                               state_counts, tip(inner, node.scopes[0], state_counts)))
        x += chip_width + m.CHIP_GAP
    return y + m.CHIP_HEIGHT + m.PAD_Y


def _loop_order(scope: Scope) -> list[Node]:
    """A loop's states in the order a pass runs them: depth first from the start, a Choice's Default (the way
    round the loop) before its rules (the ways out)."""
    order: list[str] = []
    stack = [scope.start]
    while stack:
        name = stack.pop()
        if name in order or name not in scope.nodes:
            continue
        order.append(name)
        edges = [e for e in scope.out_edges(name) if e.kind != CATCH]
        edges.sort(key=lambda e: e.kind != "default" and e.kind != "next")
        stack.extend(reversed([e.target for e in edges]))
    return [scope.nodes[n] for n in order] + [node for name, node in scope.nodes.items() if name not in order]


def _counts_line(counts: StateCounts) -> str:
    if not counts.entered:
        return "not entered"
    parts = [f"{counts.entered} entered", f"{counts.succeeded} ok"]
    for value, word in ((counts.failed, "failed"), (counts.caught, "caught"), (counts.retried, "retried")):
        if value:
            parts.append(f"{value} {word}")
    return " · ".join(parts)


KIND_NAMES = {"Poll": "Poll (a Parallel looping over its check)", "Succeed": "Succeed", "Fail": "Fail"}


def tip(node: Node, scope: Scope, counts: StateCounts | None) -> list[str]:
    """Everything known about a state, one line each, for the hover details (the card shows a summary)."""
    lines = [f"{node.name} · {KIND_NAMES.get(node.kind, node.kind)}", node.detail]
    if node.comment:
        lines.append(node.comment)
    if node.schedule:
        lines.append(f"Schedule: {node.schedule}")
    if node.until:
        lines.append(f"Until: {node.until}")
    lines += [f"On {', '.join(r.errors)}: {words.retry(r)}" for r in node.retries]
    for edge in scope.out_edges(node.name):
        if edge.kind == CATCH:
            lines.append(f"Catch {edge.label} → {edge.target}")
        elif edge.kind == "choice":
            lines.append(f"If {edge.label} → {edge.target}")
        elif edge.kind == "default":
            lines.append(f"Otherwise → {edge.target}")
    if node.rollback:
        lines.append("On the rollback path: reached only when an error is caught")
    if counts is not None:
        unfinished = f", {counts.unfinished} unfinished" if counts.unfinished else ""
        lines.append(f"Run: {_counts_line(counts)}{unfinished}")
    return [line for line in lines if line]
