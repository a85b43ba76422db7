"""``waveflow executions`` and ``waveflow history``: what ran, and what happened in it, read from the journal.

Both read one scope of the journal (see ``waveflow.local.journal``): by default the one that ran last — the
latest ``waveflow run``, or ``waveflow exec``'s executions if one of those ran since — and with ``--run N`` (or
``--run exec``) another.
"""
from __future__ import annotations

import json
from datetime import datetime

import click

from ..local.history import detail_line, with_states
from ..local.journal import EXEC_SCOPE, Journal
from .options import InvalidInvocation, journal_option, open_journal


class RunScope(click.ParamType):
    """``--run``: a run's number, or ``exec`` for what ``waveflow exec`` ran."""

    name = "RUN"

    def convert(self, value, param, ctx):
        if isinstance(value, int) or value == "exec":
            return EXEC_SCOPE if value == "exec" else value
        if str(value).isdigit() and int(value) > 0:
            return int(value)
        self.fail(f"{value!r} is neither a run's number nor 'exec'", param, ctx)


def run_option(command):
    return click.option("--run", "scope", type=RunScope(), default=None,
                        help="A run's number (see the first line of the list), or 'exec' for what waveflow exec "
                             "ran. Default: whichever ran last.")(command)


def _scope(journal: Journal, scope: int | None) -> int:
    """The scope asked for, refusing a run the journal does not hold."""
    if scope is None:
        return journal.latest_scope()
    if scope != EXEC_SCOPE and journal.run(scope) is None:
        known = ", ".join(str(run["run"]) for run in journal.runs(limit=10)) or "none yet"
        raise InvalidInvocation(f"Invalid value for --run: the journal holds no run {scope} (runs: {known})")
    return scope


def _title(journal: Journal, scope: int) -> str | None:
    """``run 3 (completed): waveflow run --servers 200``, or None for waveflow exec's executions."""
    run = journal.run(scope) if scope != EXEC_SCOPE else None
    return None if run is None else f"run {scope} ({run['status']}): {run['command']}"


@click.command("executions")
@journal_option
@run_option
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show only the N that ran last.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.option("--prune", is_flag=True, help="Delete all but the --keep executions that ran last.")
@click.option("--keep", type=click.IntRange(min=0), default=100, show_default=True,
              help="How many executions --prune keeps.")
def executions_command(journal_path, scope, limit, as_json, prune, keep):
    """List the journalled executions of a run, the one that ran last first: status, duration, state machine,
    name."""
    journal = open_journal(journal_path, must_exist=True)
    if prune:
        removed = journal.prune(keep)
        click.echo(f"pruned {removed} execution(s); {len(journal.executions())} kept in {journal_path}")
        return
    scope = _scope(journal, scope)
    rows = journal.executions(limit, scope=scope)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    title = _title(journal, scope)
    if title:
        click.echo(title)
    click.echo(f"{'RAN AT':<19}  {'STATUS':<9}  {'DURATION':>10}  {'STATE MACHINE':<24}  {'EVENTS':>7}  NAME")
    for row in rows:
        ran = datetime.fromtimestamp(row["ranAt"]).strftime("%Y-%m-%d %H:%M:%S")
        error = f"  ({row['error']})" if row["error"] else ""
        click.echo(f"{ran:<19}  {row['status']:<9}  {_duration(row['durationSeconds']):>10}  "
                   f"{row['stateMachine']:<24}  {row['events']:>7}  {row['name']}{error}")


@click.command("history")
@click.argument("execution")
@journal_option
@run_option
@click.option("--state", "state_filter", help="Only events of this state (its name).")
@click.option("--type", "type_filter", help="Only events whose type contains this text (e.g. Failed, Task).")
@click.option("--json", "as_json", is_flag=True, help="Print the raw events (GetExecutionHistory shape) as JSON.")
def history_command(execution, journal_path, scope, state_filter, type_filter, as_json):
    """Show the history of EXECUTION (a name or an ARN) in a run: time, elapsed, type, state, detail."""
    journal = open_journal(journal_path, must_exist=True)
    asked, scope = scope, _scope(journal, scope)
    matches = journal.find(execution, scope=scope)
    if not matches:
        elsewhere = [s for s in journal.scopes_of(execution) if s != scope]
        where = "" if asked is not None or not elsewhere else "; it is in " + ", ".join(
            "waveflow exec's executions (--run exec)" if s == EXEC_SCOPE else f"run {s} (--run {s})"
            for s in elsewhere)
        raise InvalidInvocation(f"Execution Does Not Exist: '{execution}' is not in "
                                f"{_title(journal, scope) or 'the executions of waveflow exec'}{where}")
    if len(matches) > 1:
        listed = "\n".join(f"  {row['executionArn']}  ({row['status']})" for row in matches)
        raise InvalidInvocation(f"'{execution}' names {len(matches)} executions; give one ARN:\n{listed}")
    events = journal.history(matches[0]["executionArn"], scope=scope)
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
