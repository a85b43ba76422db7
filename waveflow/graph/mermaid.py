"""The drawing model -> Mermaid ``stateDiagram-v2``, which GitHub renders in pull requests and Markdown.

Each state is a box titled with its ASL name, with what it does, its retries and (for a Poll) its schedule as
description lines; Parallel and Map are composite states; Choice rules and catchers label their edges; the
rollback path has its own ``classDef``. Mermaid refuses more than 50,000 characters (and GitHub's renderer more
than 500 edges), so a larger diagram is folded (``collapse.py``) until it fits, and says so in a ``%%`` comment
and on the folded boxes. Text is escaped as ``#NN;`` codes: ``$$`` would otherwise start KaTeX math and
``"``, ``;``, ``#``, ``<`` break or vanish.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import words
from .collapse import shrink
from .model import CATCH, Graph, Node, Scope

MAX_CHARS = 50_000
MAX_EDGES = 500
ARROW = "-->"

CLASSES = {
    "rollback": "fill:#fdecea,stroke:#d13212,stroke-width:2px,color:#5f1a12",
    "poll": "fill:#e8f2fc,stroke:#0972d3,color:#0b2a4a",
    "choice": "fill:#fff8e1,stroke:#b08400,color:#3d2e00",
    "succeed": "fill:#eaf6e6,stroke:#1d8102,color:#133d06",
    "fail": "fill:#ffffff,stroke:#d13212,stroke-width:2px,color:#5f1a12",
    "folded": "fill:#f2f3f3,stroke:#687078,stroke-dasharray:4 3,color:#16191f",
}
_KIND_CLASS = {"Poll": "poll", "Choice": "choice", "Succeed": "succeed", "Fail": "fail", "Folded": "folded"}
_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._-,()/*=!?'@+:")


@dataclass
class Mermaid:
    """A rendered diagram and the boxes that stand for folded states (box name -> the states it holds)."""

    text: str
    folded: dict[str, list[str]]

    @property
    def edges(self) -> int:
        return edge_count(self.text)


def escape(text: str) -> str:
    """Text for a Mermaid label: every character Mermaid could read as syntax becomes a ``#NN;`` code.

    >>> escape('say "hi"; pay $$')
    'say #34;hi#34;#59; pay #36;#36;'
    """
    return "".join(c if c in _SAFE or ord(c) > 127 else f"#{ord(c)};" for c in text)


def edge_count(text: str) -> int:
    return sum(line.count(ARROW) for line in text.splitlines())


def to_mermaid(graph: Graph) -> Mermaid:
    """The diagram of ``graph``, folded as much as needed to stay within Mermaid's limits.

    >>> from waveflow.graph.reader import read_graph
    >>> to_mermaid(read_graph({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}, "Hi")).text.splitlines()[3:6]
    ['    state "A" as s0', '    s0 : Succeed', '    [*] --> s0']
    """
    drawn: list[Graph] = []

    def render(candidate: Graph) -> str:
        drawn.append(candidate)
        return _render(candidate)

    text = shrink(graph, render, _excess)
    folded = {node.name: node.folded for node, _ in drawn[-1].walk() if node.folded}
    return Mermaid(text, folded)


def _excess(text: str) -> tuple[float, float]:
    return edge_count(text) - MAX_EDGES, len(text) - MAX_CHARS


class _Writer:
    """Assigns short ids (``s0``, ``s1``, ...) in document order and collects lines and classes."""

    def __init__(self):
        self.lines: list[str] = []
        self.ids: dict[str, str] = {}
        self.classes: dict[str, list[str]] = {}

    def id(self, name: str) -> str:
        return self.ids.setdefault(name, f"s{len(self.ids)}")


def _render(graph: Graph) -> str:
    out = _Writer()
    folded = [node for node, _ in graph.walk() if node.folded]
    head = [f"%% {graph.name}: drawn by `waveflow graph` from its ASL"]
    if folded:
        count = sum(len(node.folded) for node in folded)
        boxes = f"{len(folded)} box{'es' if len(folded) > 1 else ''}"
        head.append(f"%% {count} states folded into {boxes} to stay within Mermaid's limits "
                    f"({MAX_CHARS:,} characters, {MAX_EDGES} edges); `waveflow graph --format html` draws them all")
    out.lines += head + ["stateDiagram-v2", "    direction TB"]
    _scope(graph.root, out, "    ")
    for name, style in CLASSES.items():
        if name in out.classes:
            out.lines.append(f"    classDef {name} {style}")
    for name, members in out.classes.items():
        out.lines.append(f"    class {','.join(members)} {name}")
    return "\n".join(out.lines) + "\n"


def _scope(scope: Scope, out: _Writer, indent: str) -> None:
    for node in scope.nodes.values():
        _state(node, out, indent)
    out.lines.append(f"{indent}[*] {ARROW} {out.id(scope.start)}")
    for edge in scope.edges:
        label = f" : {escape(_edge_label(edge))}" if edge.label else ""
        out.lines.append(f"{indent}{out.id(edge.source)} {ARROW} {out.id(edge.target)}{label}")
    for node in scope.nodes.values():
        if node.terminal:
            out.lines.append(f"{indent}{out.id(node.name)} {ARROW} [*]")


def _edge_label(edge) -> str:
    return f"catch {words.errors(edge.errors)}" if edge.kind == CATCH else edge.label


def _state(node: Node, out: _Writer, indent: str) -> None:
    sid = out.id(node.name)
    css = "rollback" if node.rollback else _KIND_CLASS.get(node.kind)
    if css:
        out.classes.setdefault(css, []).append(sid)
    if node.scopes and node.kind != "Poll":
        out.lines.append(f'{indent}state "{escape(node.name)} · {escape(node.detail)}" as {sid} {{')
        for index, inner in enumerate(node.scopes):
            if index:
                out.lines.append(f"{indent}    --")
            _scope(inner, out, indent + "    ")
        out.lines.append(f"{indent}}}")
        return
    out.lines.append(f'{indent}state "{escape(node.name)}" as {sid}')
    for line in describe(node):
        out.lines.append(f"{indent}{sid} : {escape(line)}")


def describe(node: Node) -> list[str]:
    """The description lines of a plain (non-composite) box."""
    lines = [f"Poll: {node.detail}" if node.kind == "Poll" else node.detail] if node.detail else []
    if node.schedule:
        lines.append(node.schedule)
    if node.until:
        lines.append(f"until {node.until}")
    lines += [words.retry_line(r) for r in node.retries]
    if node.folded:
        lines.append(f"{len(node.folded)} states folded to fit Mermaid's limits")
    return lines
