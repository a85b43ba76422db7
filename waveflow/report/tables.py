"""The report's static parts as HTML: the summary, the cost, failures grouped by stage and error, the dead letters,
and the executions whose history the page holds.

Each is a plain table drawn once on the server side: they are small next to the timeline (a group per stage and
error, a row per dead letter) and read the same without the script. A button with ``data-history="NAME"`` opens
that execution's history (``assets/report.js``).
"""
from __future__ import annotations

from html import escape

from ..graph.words import duration
from .model import DeadLetter, Execution, FailureGroup, Report, Summary

#: Migrations named in one failure group before "and N more".
NAMED_PER_GROUP = 12


def _e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _usd(value: float) -> str:
    return f"${value:,.4f}" if value >= 0.01 else f"${value:.6f}"


def _span(seconds: float) -> str:
    return duration(round(seconds))


def history_button(name: str | None, text: str) -> str:
    """A button that opens ``name``'s history; plain text when the migration never had an execution."""
    if not name:
        return _e(text)
    return f'<button type="button" class="link" data-history="{_e(name)}">{_e(text)}</button>'


def summary_cards(summary: Summary) -> str:
    """The run at a glance: migrations per final status, dead letters, executions, transitions, time and cost."""
    statuses = "".join(f'<li class="status-{_e(s.lower())}"><b>{n:,}</b> {_e(s)}</li>'
                       for s, n in summary.by_status.items())
    cost = summary.cost
    cards = [
        ("Migrations by final status", f'<ul class="statuses">{statuses}</ul>'),
        ("Dead letters", f"<b>{summary.dlq:,}</b>"),
        ("Executions started", f"<b>{summary.executions_started:,}</b>"
                               f"<small>{summary.duplicates_suppressed:,} duplicates suppressed</small>"),
        ("State transitions", f"<b>{summary.state_transitions:,}</b>"
                              f"<small>{summary.lambda_invocations:,} Lambda invocations</small>"),
        ("Simulated time", f"<b>{_span(summary.simulated_seconds)}</b>"
                           f"<small>{_span(summary.wall_seconds)} wall clock</small>"),
        ("Cost", f"<b>{_usd(cost.total)}</b><small>{_usd(cost.per_migration)} per migration</small>"),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card" data-card="{_e(title)}"><h3>{_e(title)}</h3>{body}</div>' for title, body in cards) + "</div>"


def cost_tables(summary: Summary, migrations: int) -> str:
    """The estimate by priced item and by wave, with the prices' region and date."""
    cost = summary.cost
    items = "".join(f"<tr><td>{_e(item.replace('_', ' '))}</td><td class=num>{_usd(usd)}</td></tr>"
                    for item, usd in cost.lines.items() if usd)
    waves = "".join(f"<tr><td>wave {_e(wave)}</td><td class=num>{_usd(usd)}</td></tr>"
                    for wave, usd in summary.cost_per_wave.items())
    return (f'<p class="note">Orchestration only (Step Functions, Lambda, DynamoDB, EventBridge, SQS, SNS, Secrets '
            f"Manager, KMS) at list prices of {_e(cost.region)} as of {_e(cost.prices_as_of)}: "
            f"{_usd(cost.total)} for {migrations:,} migrations, {_usd(cost.per_migration)} each on average. Each "
            f"migration's own figure on the timeline is its execution's state transitions and Lambda requests, "
            f"plus an equal share of the rest.</p>"
            f'<div class="pair"><table class="cost-items"><thead><tr><th>Item</th><th>Cost</th></tr></thead>'
            f"<tbody>{items}</tbody></table>"
            f'<table class="cost-waves"><thead><tr><th>Wave</th><th>Cost</th></tr></thead><tbody>{waves}</tbody>'
            f"</table></div>")


def failure_table(groups: tuple[FailureGroup, ...], executions: dict[str, str | None]) -> str:
    """Failed migrations grouped by the stage that failed and the error; ``executions``: migration -> execution."""
    if not groups:
        return '<p class="empty">No migration failed.</p>'
    rows = []
    for group in groups:
        named = ", ".join(history_button(executions.get(m), m) for m in group.migrations[:NAMED_PER_GROUP])
        more = len(group.migrations) - NAMED_PER_GROUP
        if more > 0:
            named += f" and {more:,} more"
        rows.append(f'<tr data-stage="{_e(group.stage)}" data-error="{_e(group.error)}">'
                    f"<td>{_e(group.stage)}</td><td><code>{_e(group.error)}</code></td>"
                    f"<td class=num>{len(group.migrations):,}</td><td>{named}</td>"
                    f'<td class="cause">{_e(group.cause)}</td></tr>')
    return ('<table class="failures"><thead><tr><th>Stage</th><th>Error</th><th>Migrations</th><th>Which</th>'
            f"<th>Cause (the first one's)</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def dead_letter_table(letters: tuple[DeadLetter, ...]) -> str:
    """Every message of the requests' dead-letter queue with the reason ingress gave it."""
    if not letters:
        return '<p class="empty">The dead-letter queue is empty.</p>'
    rows = "".join(
        f'<tr data-message="{_e(d.message_id)}"><td class=num>{n}</td>'
        f'<td class="reason">{_e(d.reason or "redriven by SQS after its maximum receives (no reason given)")}</td>'
        f'<td class="sent-as">{_e(d.sent_as)}</td><td class="time">{_e(d.received_at)}</td>'
        f"<td><details><summary><code>{_e(d.message_id)}</code></summary>"
        f"<p>correlation ID <code>{_e(d.correlation_id)}</code></p><pre>{_e(d.body)}</pre></details></td></tr>"
        for n, d in enumerate(letters, 1))
    return ('<table class="dlq"><thead><tr><th>#</th><th>Reason (ingress)</th><th>Sent broken on purpose</th>'
            f"<th>Received</th><th>Message (correlation ID, body)</th></tr></thead><tbody>{rows}</tbody></table>")


def execution_table(executions: tuple[Execution, ...]) -> str:
    """The executions whose whole history the page holds, and why each was kept."""
    kept = [e for e in executions if e.events is not None]
    if not kept:
        return '<p class="empty">No history is kept in this report.</p>'
    rows = "".join(
        f'<tr data-execution="{_e(e.name)}"><td>{history_button(e.name, e.name)}</td><td>{_e(e.workflow)}</td>'
        f'<td class="status-{_e(e.status.lower())}">{_e(e.status)}</td><td>{_e(e.error)}</td>'
        f"<td class=num>{_span((e.end if e.end is not None else e.start) - e.start)}</td>"
        f"<td class=num>{e.event_count:,}</td><td>{_e(e.why)}</td></tr>"
        for e in kept)
    return ('<table class="executions"><thead><tr><th>Execution</th><th>State machine</th><th>Status</th>'
            "<th>Error</th><th>Duration</th><th>Events</th><th>Kept because</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def left_out_list(report: Report) -> str:
    """What the page does not hold, sentence by sentence."""
    if not report.left_out:
        return '<p class="empty">Nothing: every execution\'s history is in this page.</p>'
    return "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in report.left_out) + "</ul>"
