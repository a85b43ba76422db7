"""``waveflow executions`` and ``waveflow history``: what ran, and what happened in it, read from the journal."""
from __future__ import annotations

import json
from datetime import datetime

import click

from ..local.history import detail_line, with_states
from .options import InvalidInvocation, journal_option, open_journal


@click.command("executions")
@journal_option
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show only the N that ran last.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.option("--prune", is_flag=True, help="Delete all but the --keep executions that ran last.")
@click.option("--keep", type=click.IntRange(min=0), default=100, show_default=True,
              help="How many executions --prune keeps.")
def executions_command(journal_path, limit, as_json, prune, keep):
    """List the journalled executions, the one that ran last first: status, duration, state machine, name."""
    journal = open_journal(journal_path, must_exist=True)
    if prune:
        removed = journal.prune(keep)
        click.echo(f"pruned {removed} execution(s); {len(journal.executions())} kept in {journal_path}")
        return
    rows = journal.executions(limit)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'RAN AT':<19}  {'STATUS':<9}  {'DURATION':>10}  {'STATE MACHINE':<24}  {'EVENTS':>7}  NAME")
    for row in rows:
        ran = datetime.fromtimestamp(row["ranAt"]).strftime("%Y-%m-%d %H:%M:%S")
        error = f"  ({row['error']})" if row["error"] else ""
        click.echo(f"{ran:<19}  {row['status']:<9}  {_duration(row['durationSeconds']):>10}  "
                   f"{row['stateMachine']:<24}  {row['events']:>7}  {row['name']}{error}")


@click.command("history")
@click.argument("execution")
@journal_option
@click.option("--state", "state_filter", help="Only events of this state (its name).")
@click.option("--type", "type_filter", help="Only events whose type contains this text (e.g. Failed, Task).")
@click.option("--json", "as_json", is_flag=True, help="Print the raw events (GetExecutionHistory shape) as JSON.")
def history_command(execution, journal_path, state_filter, type_filter, as_json):
    """Show the history of EXECUTION (a name or an ARN): time, elapsed, type, state, detail."""
    journal = open_journal(journal_path, must_exist=True)
    matches = journal.find(execution)
    if not matches:
        raise InvalidInvocation(f"Execution Does Not Exist: '{execution}' is not in {journal_path}")
    if len(matches) > 1:
        listed = "\n".join(f"  {row['executionArn']}  ({row['status']})" for row in matches)
        raise InvalidInvocation(f"'{execution}' names {len(matches)} executions; give one ARN:\n{listed}")
    events = journal.history(matches[0]["executionArn"])
    rows = list(with_states(events))
    rows = [(event, state) for event, state in rows
            if (state_filter is None or state == state_filter)
            and (type_filter is None or type_filter.lower() in event["type"].lower())]
    if as_json:
        click.echo(json.dumps([event for event, _ in rows], indent=2))
        return
    start = _seconds(events[0]["timestamp"]) if events else 0.0
    click.echo(f"{'ID':>6}  {'TIME':<24}  {'ELAPSED':>9}  {'TYPE':<28}  {'STATE':<24}  DETAIL")
    for event, state in rows:
        elapsed = _duration(_seconds(event["timestamp"]) - start)
        click.echo(f"{event['id']:>6}  {event['timestamp']:<24}  {elapsed:>9}  {event['type']:<28}  "
                   f"{state or '':<24}  {detail_line(event)}")


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.3f}s" if seconds % 1 else f"{seconds:.0f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h{minutes:02d}m" if days else f"{hours}h{minutes:02d}m{secs:02d}s" if hours \
        else f"{minutes}m{secs:02d}s"
