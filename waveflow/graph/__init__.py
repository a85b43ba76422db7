"""Pictures of state machines, drawn offline from their ASL: Mermaid for pull requests, SVG and HTML for browsers.

One pipeline: ASL -> ``read_graph`` (the model) -> Mermaid text, or -> a laid-out scene -> SVG / HTML. With
``counts`` (per-state counts from execution histories, ``counts_from_history``) the SVG and HTML show every state's
counts and colour it by outcome, like the console's graph inspector; the run report draws its graph this way::

    from waveflow.graph import counts_from_history, read_graph, render_html
    graph = read_graph(definition, "ServerMigration")
    page = render_html(graph, counts=counts_from_history(execution.history), facts="1 execution")
"""
from __future__ import annotations

from .counts import StateCounts, counts_from_histories, counts_from_history
from .html import to_html
from .mermaid import Mermaid, to_mermaid
from .model import Graph
from .reader import GraphError, read_graph
from .scene import build_scene
from .svg import to_svg

__all__ = ["Graph", "GraphError", "Mermaid", "StateCounts", "counts_from_histories", "counts_from_history",
           "read_graph", "render_html", "render_mermaid", "render_svg"]


def render_mermaid(graph: Graph) -> Mermaid:
    """The Mermaid ``stateDiagram-v2`` of ``graph``, folded to Mermaid's limits when needed (see ``.folded``)."""
    return to_mermaid(graph)


def render_svg(graph: Graph, counts: dict[str, StateCounts] | None = None, prefix: str = "wf") -> str:
    """A standalone SVG; ``prefix`` keeps ids unique when several graphs share one page."""
    return to_svg(graph, build_scene(graph, counts), prefix)


def render_html(graph: Graph, counts: dict[str, StateCounts] | None = None, *, title: str | None = None,
                facts: str | None = None) -> str:
    """A self-contained HTML page (zoom, pan, hover details); ``facts`` replaces the line under the title."""
    total = len(graph.state_names())
    if facts is None:
        top = len(graph.root.nodes)
        facts = f"{top} states" + (f" ({total} counting those inside Polls, Parallels and Maps)" if total > top else "")
    return to_html(graph, build_scene(graph, counts), title=title, facts=facts, with_counts=counts is not None)
