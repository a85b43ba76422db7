"""The per-migration timeline: the data the page's script draws it from, and its controls.

The rows are drawn by ``assets/report.js`` from compact data (a state's name is written once, a stage is a short
array), a page at a time, so a 1,000-server wave costs the page a few hundred kilobytes and the browser a hundred
rows at a time, however it is sorted or filtered. The filters offer the values the run holds (statuses, apps,
waves); sorting and paging need nothing more.

A stage is ``[state, start, end, outcome, waits, retries]``: ``state`` an index into ``states`` (each with its kind
and whether it is on the rollback path), times in run seconds to a tenth, ``outcome`` an index into
``model.OUTCOMES``, ``waits`` ``[[from, to], ...]`` (``merged`` at the timeline's resolution), ``retries``
``[[at, error], ...]``.
"""
from __future__ import annotations

from html import escape

from .model import OUTCOMES, Migration, Report

#: Points across the timeline's width that waits are told apart at (a wide screen's pixels).
RESOLUTION = 2000
#: --sort choices of the timeline: (key the script sorts by, label).
SORTS = (("start", "Start"), ("duration", "Duration"), ("id", "Migration ID"), ("status", "Status"), ("app", "App"),
         ("wave", "Wave"), ("retries", "Retries"), ("cost", "Cost"))


def _t(seconds: float) -> float:
    return round(seconds, 1)


def merged(waits: tuple[tuple[float, float], ...], resolution: float) -> list[list[float]]:
    """Waits with the gaps between them shorter than ``resolution`` closed: a poll's waits, a few seconds of
    checking apart, are one stretch at the timeline's scale (and one element, not hundreds)."""
    out: list[list[float]] = []
    for start, end in waits:
        if out and start - out[-1][1] <= resolution:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [[_t(a), _t(b)] for a, b in out]


def timeline_data(report: Report) -> dict:
    """The timeline's rows and the state table their stages point into."""
    states: dict[str, int] = {}
    table: list[list] = []
    rows = []
    ends = [m.end for m in report.migrations if m.end is not None]
    span = max(ends, default=0.0)
    for migration in report.migrations:
        stages = []
        for stage in migration.stages:
            if stage.state not in states:
                states[stage.state] = len(table)
                table.append([stage.state, stage.kind, stage.rollback])
            stages.append([states[stage.state], _t(stage.start), _t(stage.end), OUTCOMES.index(stage.outcome),
                           merged(stage.waits, span / RESOLUTION), [[_t(r.at), r.error] for r in stage.retries]])
        rows.append(_row(migration, stages))
    return {"states": table, "outcomes": list(OUTCOMES), "rows": rows, "span": _t(span)}


def _row(migration: Migration, stages: list) -> dict:
    return {"id": migration.migration_id, "app": migration.app, "wave": migration.wave, "status": migration.status,
            "exec": migration.execution, "error": migration.error, "stage": migration.failed_stage,
            "cost": migration.cost, "retries": migration.retries, "stages": stages}


def _select(name: str, label: str, values: list[str]) -> str:
    options = "".join(f'<option value="{escape(v, quote=True)}">{escape(v)}</option>' for v in values)
    return (f'<label>{label} <select data-filter="{name}"><option value="">all</option>{options}</select>'
            f"</label>")


def timeline_controls(report: Report) -> str:
    """Filters (status, app, wave, a migration ID's text), sorting and paging, above the rows."""
    migrations = report.migrations
    sorts = "".join(f'<option value="{key}">{label}</option>' for key, label in SORTS)
    return (
        '<div class="controls" role="group" aria-label="Filter and sort the timeline">'
        + _select("status", "Status", sorted({m.status for m in migrations}))
        + _select("app", "App", sorted({m.app for m in migrations}))
        + _select("wave", "Wave", sorted({m.wave for m in migrations}, key=lambda w: (len(w), w)))
        + '<label>Migration <input type="search" data-filter="id" placeholder="ID contains"></label>'
        + f'<label>Sort by <select data-sort>{sorts}</select></label>'
        + '<button type="button" data-order="asc" title="Reverse the order">ascending</button>'
        + '<span class="pager"><button type="button" data-page="-1">&lsaquo; previous</button>'
        + '<span class="shown" aria-live="polite"></span>'
        + '<button type="button" data-page="1">next &rsaquo;</button></span>'
        + "</div>"
    )
