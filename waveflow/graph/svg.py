"""A scene -> one self-contained SVG document (styles inside, no scripts, no external references).

States are ``<g class="state ..." data-state="NAME" data-type="TYPE">`` groups with a ``<title>`` holding their
details (shown on hover by any SVG viewer, and by the HTML page's own tooltip), so tests and the run report find
every state through the DOM. One drawing function per kind of card, found through ``_CARDS``; ``prefix`` keeps
marker ids unique when several graphs share one page.
"""
from __future__ import annotations

from html import escape
from importlib import resources

from . import metrics as m
from .model import CATCH, Graph
from .scene import START, Card, Frame, Wire

MARGIN = 24.0


def _attr(value) -> str:
    return escape(str(value), quote=True)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def stylesheet() -> str:
    return resources.files(__package__).joinpath("assets/graph.css").read_text(encoding="utf-8")


def to_svg(graph: Graph, frame: Frame, prefix: str = "wf") -> str:
    """The SVG text of a laid-out graph (``scene.build_scene``)."""
    width, height = frame.width + 2 * MARGIN, frame.height + 2 * MARGIN
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="wf-graph" data-workflow="{_attr(graph.name)}" '
           f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" height="{_num(height)}" '
           f'font-family="{_attr(m.FONT)}">',
           f"<title>{escape(graph.name)}</title>",
           f"<style>{stylesheet()}</style>",
           "<defs>"]
    for kind in ("plain", "catch", "rollback"):
        out.append(f'<marker id="{prefix}-arrow-{kind}" class="arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" '
                   f'markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/>'
                   f"</marker>")
    out.append("</defs>")
    out.append(f'<g class="viewport"><g class="canvas" transform="translate({_num(MARGIN)},{_num(MARGIN)})">')
    _frame(frame, out, prefix)
    out.append("</g></g></svg>")
    return "\n".join(out) + "\n"


def _frame(frame: Frame, out: list[str], prefix: str) -> None:
    rollback = {card.node.name for card in frame.cards if card.node.rollback}
    for wire in frame.wires:
        _wire(wire, rollback, out, prefix)
    for wire in frame.wires:
        if wire.label and wire.route.label is not None:
            _label(wire, out)
    for key, box in frame.pills.items():
        text = "Start" if key == START else "End"
        out.append(f'<g class="pill pill-{text.lower()}" transform="translate({_num(box.x)},{_num(box.y)})">'
                   f'<rect width="{_num(box.width)}" height="{_num(box.height)}" rx="{_num(box.height / 2)}"/>'
                   f'<text x="{_num(box.width / 2)}" y="{_num(box.height / 2 + 4)}">{text}</text></g>')
    for card in frame.cards:
        _CARDS.get(card.node.kind, _plain)(card, out, prefix)


def path_data(points, loop: bool = False) -> str:
    """Straight pieces where a route runs straight, vertical-tangent cubic curves between layers."""
    (x0, y0), rest = points[0], points[1:]
    if loop:
        (x1, y1), (x2, y2), (x3, y3) = rest
        return f"M{_num(x0)},{_num(y0)}C{_num(x1)},{_num(y1)} {_num(x2)},{_num(y2)} {_num(x3)},{_num(y3)}"
    d = [f"M{_num(x0)},{_num(y0)}"]
    for (ax, ay), (bx, by) in zip(points, rest):
        if ax == bx or ay == by:
            d.append(f"L{_num(bx)},{_num(by)}")
        else:
            mid = (ay + by) / 2
            d.append(f"C{_num(ax)},{_num(mid)} {_num(bx)},{_num(mid)} {_num(bx)},{_num(by)}")
    return "".join(d)


def _wire(wire: Wire, rollback: set[str], out: list[str], prefix: str) -> None:
    edge = wire.edge
    if edge is None:
        kind, source, target = "flow", "", ""
    else:
        kind, source, target = edge.kind, edge.source, edge.target
    css = ["wire", f"kind-{kind}"] + (["trunk"] if wire.trunk else []) + (["joins"] if wire.route.joins else [])
    arrow = "plain"
    if edge is not None and target in rollback:
        css.append("rollback")
        arrow = "rollback"
    elif kind == CATCH:
        arrow = "catch"
    if wire.trunk:
        source, title = "", f"catch {edge.label} → {target} (shared by every state catching it)"
    else:
        title = f"{source} → {target}" + (f": {edge.label}" if edge is not None and edge.label else "")
    marker = "" if wire.route.joins else f' marker-end="url(#{prefix}-arrow-{arrow})"'
    out.append(f'<g class="{" ".join(css)}" data-from="{_attr(source)}" data-to="{_attr(target)}">'
               f"<title>{escape(title) if edge is not None else ''}</title>"
               f'<path d="{path_data(wire.route.points, wire.route.loop)}"{marker}/></g>')


def _label(wire: Wire, out: list[str]) -> None:
    x, y = wire.route.label
    width, height = wire.label_width, m.SMALL_SIZE + 6
    kind = wire.edge.kind if wire.edge is not None else "flow"
    out.append(f'<g class="wire-label kind-{kind}" transform="translate({_num(x - width / 2)},{_num(y - height / 2)})">'
               f"<title>{escape(wire.edge.label)}</title>"
               f'<rect width="{_num(width)}" height="{_num(height)}" rx="3"/>'
               f'<text x="{_num(width / 2)}" y="{_num(height - 4.5)}">{escape(wire.label)}</text></g>')


def _open_card(card: Card, out: list[str], extra: str = "") -> None:
    node, box = card.node, card.box
    css = ["state", f"kind-{node.kind.lower()}"]
    if node.rollback:
        css.append("rollback")
    if card.counts is not None:
        css.append(f"outcome-{card.counts.outcome}")
    data = f' data-state="{_attr(node.name)}" data-type="{_attr(node.kind)}"'
    if card.counts is not None:
        c = card.counts
        data += (f' data-entered="{c.entered}" data-succeeded="{c.succeeded}" data-failed="{c.failed}"'
                 f' data-retried="{c.retried}" data-caught="{c.caught}"')
    out.append(f'<g class="{" ".join(css)}"{data} transform="translate({_num(box.x)},{_num(box.y)})" tabindex="0">'
               f"<title>{escape(chr(10).join(card.tip))}</title>"
               f'<rect class="box" width="{_num(box.width)}" height="{_num(box.height)}" rx="6"/>'
               f'<rect class="stripe" width="4" height="{_num(box.height)}" rx="2"/>{extra}')
    for line in card.lines:
        out.append(f'<text class="{line.css}" x="{_num(line.x)}" y="{_num(line.y)}">{escape(line.text)}</text>')
    for badge in card.badges:
        out.append(f'<g class="badge badge-{badge.css}" transform="translate({_num(badge.x)},{_num(m.PAD_Y - 3)})">'
                   f"<title>{escape(badge.title)}</title>"
                   f'<rect width="{_num(badge.width)}" height="{_num(m.BADGE_HEIGHT)}" rx="8"/>'
                   f'<text x="{_num(badge.width / 2)}" y="{_num(m.BADGE_HEIGHT - 4.5)}">'
                   f"{escape(badge.text)}</text></g>")


def _plain(card: Card, out: list[str], prefix: str) -> None:
    _open_card(card, out)
    out.append("</g>")


def _poll(card: Card, out: list[str], prefix: str) -> None:
    _open_card(card, out)
    for chip in card.chips:
        b = chip.box
        css = ["chip", f"kind-{chip.node.kind.lower()}"]
        if chip.counts is not None:
            css.append(f"outcome-{chip.counts.outcome}")
        out.append(f'<g class="{" ".join(css)}" data-state="{_attr(chip.node.name)}" '
                   f'data-type="{_attr(chip.node.kind)}" transform="translate({_num(b.x)},{_num(b.y)})">'
                   f"<title>{escape(chr(10).join(chip.tip))}</title>"
                   f'<rect width="{_num(b.width)}" height="{_num(b.height)}" rx="4"/>'
                   f'<text x="{_num(b.width / 2)}" y="{_num(b.height - 5)}">{escape(chip.label)}</text></g>')
    out.append("</g>")


def _container(card: Card, out: list[str], prefix: str) -> None:
    _open_card(card, out)
    for lane in card.lanes:
        out.append(f'<g class="lane" transform="translate({_num(lane.x)},{_num(lane.y)})">'
                   f'<rect class="lane-box" x="-6" y="-6" width="{_num(lane.width + 12)}" '
                   f'height="{_num(lane.height + 12)}" rx="4"/>')
        _frame(lane, out, prefix)
        out.append("</g>")
    out.append("</g>")


_CARDS = {"Poll": _poll, "Parallel": _container, "Map": _container}
