"""A ``Report`` -> one self-contained HTML page: graphs, summary, cost, timeline, failures, dead letters, histories.

Everything is inline (styles, script, SVG, data), and the page's Content-Security-Policy forbids every request, so
it opens from a file, offline, and can never reach the network. The timeline and the history tables are drawn by
``assets/report.js`` from one JSON block (``<script type="application/json">``, never executed); the graphs,
summary and tables are HTML already. The same report gives the same bytes: nothing here reads a clock, and every
collection is written in the model's order or sorted.
"""
from __future__ import annotations

import json
from html import escape
from importlib import resources
from string import Template

from ..graph import read_graph, render_svg
from ..graph.html import legend, page_head, view_assets
from .model import Machine, Report
from .tables import (cost_tables, dead_letter_table, execution_table, failure_table, left_out_list,
                     summary_cards)
from .timeline import timeline_controls, timeline_data


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(f"assets/{name}").read_text(encoding="utf-8")


def history_data(report: Report) -> dict:
    """Every execution whose history the page holds: its facts and rows ``[id, type, state, at, detail]``, with
    event types and state names written once in ``words``."""
    words: dict[str, int] = {}

    def word(text: str | None) -> int:
        if text is None:
            return -1
        return words.setdefault(text, len(words))
    executions = {}
    for e in report.executions:
        if e.events is None:
            continue
        executions[e.name] = {"workflow": e.workflow, "status": e.status, "start": e.start, "end": e.end,
                              "error": e.error, "why": e.why, "arn": e.arn, "events": e.event_count,
                              "rows": [[ev.event_id, word(ev.type), word(ev.state), ev.at, ev.detail]
                                       for ev in e.events]}
    return {"words": list(words), "executions": executions}


def _machine_facts(machine: Machine) -> str:
    total = sum(machine.by_status.values())
    statuses = ", ".join(f"{n:,} {status.lower()}" for status, n in machine.by_status.items())
    return f"{total:,} execution{'s' if total != 1 else ''}: {statuses}" if total else "no execution"


def graphs(report: Report) -> tuple[str, str]:
    """``(tabs, panels)``: one graph view per state machine, with its counts over every execution of the run."""
    tabs, panels = [], []
    for n, machine in enumerate(report.machines):
        graph = read_graph(machine.definition, machine.workflow)
        selected = "true" if n == 0 else "false"
        tabs.append(f'<button type="button" role="tab" aria-selected="{selected}" data-tab="{escape(machine.workflow)}">'
                    f"{escape(machine.workflow)} <small>{escape(_machine_facts(machine))}</small></button>")
        panels.append(
            f'<div class="graph-panel" role="tabpanel" data-graph-view data-machine="{escape(machine.workflow)}"'
            f'{"" if n == 0 else " hidden"}>'
            f'<div class="graph-head"><p class="facts">{escape(machine.name)} · {escape(_machine_facts(machine))}. '
            f"Counts are over every execution of the run.</p>"
            '<div class="tools" role="toolbar" aria-label="Zoom">'
            '<button type="button" data-action="out" title="Zoom out (-)">&minus;</button>'
            '<button type="button" data-action="in" title="Zoom in (+)">+</button>'
            '<button type="button" data-action="fit" title="Fit the whole graph (0)">Fit</button>'
            '<button type="button" data-action="actual" title="Actual size (1)">1:1</button></div></div>'
            f'<ul class="legend">{legend(True)}</ul>'
            f'<div class="wf-canvas">{render_svg(graph, machine.counts, prefix=machine.workflow)}</div></div>')
    return "".join(tabs), "".join(panels)


def _json(data: dict) -> str:
    """JSON safe inside a ``<script>`` element: no ``<`` can close it."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False).replace("<", "\\u003c")


def render(report: Report) -> str:
    """The whole page."""
    view_css, view_script = view_assets()
    tabs, panels = graphs(report)
    executions = {m.migration_id: m.execution for m in report.migrations}
    data = {"run": report.run_id, "origin": report.origin, "timeline": timeline_data(report),
            "histories": history_data(report)}
    left = len(report.left_out)
    return Template(_asset("report.html")).substitute(
        head=page_head(title=f"Run {report.run_id} · waveflow report", style=view_css + _asset("report.css"),
                       generator="waveflow report"),
        run=report.run_id,
        command=escape(report.command),
        finished=escape(report.finished_at),
        origin=escape(report.origin),
        banner=(f'<p class="banner">This page leaves some things out to stay small: '
                f'<a href="#left-out">{left} note{"s" if left != 1 else ""}</a>.</p>' if left else ""),
        cards=summary_cards(report.summary),
        cost=cost_tables(report.summary, len(report.migrations)),
        tabs=tabs,
        panels=panels,
        controls=timeline_controls(report),
        failures=failure_table(report.failures, executions),
        failed=sum(len(g.migrations) for g in report.failures),
        dlq=dead_letter_table(report.dead_letters),
        letters=len(report.dead_letters),
        executions=execution_table(report.executions),
        left_out=left_out_list(report),
        data=_json(data),
        script=view_script + _asset("report.js"),
    )
