"""A scene -> one self-contained HTML page: the SVG inline, with zoom, pan, hover details and a legend.

Styles and script are inlined from ``assets/``; the page's Content-Security-Policy forbids every fetch, so it
opens from a file, offline, and can never reach the network. The view's own parts (``view.css``, ``view.js``:
zoom, pan, hover, legend) are shared with the run report, which shows a graph per state machine
(``view_assets``, ``legend``).
"""
from __future__ import annotations

from html import escape
from importlib import resources
from string import Template

from .model import Graph
from .scene import Frame
from .svg import to_svg

_KINDS = (("Task", "#0972d3"), ("Choice", "#b08400"), ("Poll", "#8456ce"), ("Parallel / Map", "#037f8c"),
          ("Succeed", "#1d8102"), ("Fail", "#d13212"))
_OUTCOMES = (("Succeeded", "#eaf6e6", "#1d8102"), ("Failed", "#fdecea", "#d13212"),
             ("Caught error", "#fff4e5", "#d45b07"), ("In progress or stopped", "#e8f2fc", "#0972d3"),
             ("Not entered", "#ffffff", "#c6c6cd"))


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(f"assets/{name}").read_text(encoding="utf-8")


def page_head(*, title: str, style: str, generator: str) -> str:
    """The ``<head>`` of a self-contained page (the graph's and the run report's): UTF-8, and a
    Content-Security-Policy that allows inline styles and scripts and forbids every request."""
    return Template(_asset("head.html")).substitute(title=escape(title), style=style, generator=escape(generator))


def view_assets() -> tuple[str, str]:
    """``(css, script)`` of a graph view: zoom, pan and hover for every ``[data-graph-view]`` of a page."""
    return _asset("view.css"), _asset("view.js")


def legend(with_counts: bool) -> str:
    """The legend's ``<li>`` items: kinds of state and of line, and the run outcomes' colours ``with_counts``."""
    items = [f'<li><span class="swatch" style="background:#fff;border-left:4px solid {colour}"></span>{kind}</li>'
             for kind, colour in _KINDS]
    items.append('<li><span class="swatch" style="background:#fdecea;border-color:#d13212"></span>Rollback path</li>')
    items.append('<li><span class="line"></span>Next / Choice rule</li>')
    items.append('<li><span class="line catch"></span>Catch</li>')
    if with_counts:
        items += [f'<li><span class="swatch" style="background:{fill};border-color:{stroke}"></span>{word}</li>'
                  for word, fill, stroke in _OUTCOMES]
    return "".join(items)


def to_html(graph: Graph, frame: Frame, *, title: str | None = None, facts: str = "", with_counts: bool = False) -> str:
    """The page of a laid-out graph; ``facts`` is a line under the title (what was drawn, or a run's summary)."""
    page = Template(_asset("page.html"))
    view_css, view_script = view_assets()
    return page.substitute(
        head=page_head(title=title or f"{graph.name} · waveflow graph", style=_asset("page.css") + view_css,
                       generator="waveflow graph"),
        name=escape(graph.name),
        comment=escape(graph.comment or ""),
        facts=escape(facts),
        legend=legend(with_counts),
        svg=to_svg(graph, frame),
        script=view_script,
    )
