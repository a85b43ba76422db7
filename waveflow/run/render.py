"""The summary a person reads at the end of ``waveflow run``: per final status, per app, each failure with its
stage and reason, the dead letters, the durations and the cost.

    >>> print_summary(Console(), result)  # doctest: +SKIP
"""
from __future__ import annotations

import json
import re

from collections import Counter

from rich.console import Console
from rich.table import Table

_APPS_SHOWN = 12
_FAILURES_SHOWN = 20


def duration(seconds: float) -> str:
    """``1d 04:12:09``, ``3:05:00``, ``42.1 s``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    clock = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{days}d {hours:02d}:{minutes:02d}:{secs:02d}" if days else clock


def print_summary(console: Console, result) -> None:
    """The whole text summary of ``result`` (a ``runner.RunResult``)."""
    summary, outcome = result.summary, result.outcome
    total = sum(summary["byStatus"].values())
    console.print(f"[bold]Run {result.run_id}[/bold]: {total} migration(s) in "
                  f"{len(outcome.waves)} wave(s), {result.sent} request(s) sent "
                  f"(simulated {duration(summary['simulatedSeconds'])}, wall {duration(summary['wallSeconds'])})")
    statuses = "   ".join(f"{status} {count}" for status, count in summary["byStatus"].items())
    console.print(f"  final status: {statuses or 'no migration was admitted'}")
    console.print(f"  dead letters: {summary['dlq']}   duplicates suppressed: {summary['duplicatesSuppressed']}   "
                  f"executions started: {summary['executionsStarted']}   state transitions: "
                  f"{summary['stateTransitions']:,}   Lambda invocations: {summary['lambdaInvocations']:,}")
    _apps(console, outcome.by_app())
    _failures(console, outcome.failures)
    _dead_letters(console, outcome.dead_letters)
    undelivered = {queue: n for queue, n in outcome.undelivered.items() if n}
    if undelivered:
        console.print(f"  [yellow]undelivered events[/yellow]: {undelivered}")
    _received(console, outcome.received)
    _cost(console, summary["cost"], total)


_ERROR_MESSAGE = re.compile(r'\{\s*"errorMessage"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _apps(console: Console, apps: dict[str, dict[str, int]]) -> None:
    statuses = sorted({status for counts in apps.values() for status in counts})
    table = Table("app", *statuses, title="Per application", title_justify="left", box=None, pad_edge=False)
    # the apps with failures first, then the largest: a wave of 1,000 servers has a hundred apps
    ranked = sorted(apps.items(), key=lambda item: (-sum(n for s, n in item[1].items() if s != "SUCCESS"),
                                                    -sum(item[1].values()), item[0]))
    for app, counts in ranked[:_APPS_SHOWN]:
        table.add_row(app, *(str(counts.get(status, "")) for status in statuses))
    console.print(table)
    if len(apps) > _APPS_SHOWN:
        console.print(f"  ... and {len(apps) - _APPS_SHOWN} more apps (the report filters its timeline by app)")


def _failures(console: Console, failures: list[dict]) -> None:
    if not failures:
        return
    table = Table("migration", "app", "failed in", "error", "cause", title=f"Failures ({len(failures)})",
                  title_justify="left", box=None, pad_edge=False)
    for failure in failures[:_FAILURES_SHOWN]:
        table.add_row(failure["migrationId"], failure["appName"] or "", failure["stage"], failure["error"] or "",
                      _short(_message(failure["cause"]), 90))
    console.print(table)
    by_error = Counter((f["stage"], f["error"]) for f in failures)
    if len(failures) > _FAILURES_SHOWN:
        console.print(f"  ... and {len(failures) - _FAILURES_SHOWN} more: "
                      + ", ".join(f"{stage}/{error} x{n}" for (stage, error), n in by_error.most_common()))


def _dead_letters(console: Console, letters: list[dict]) -> None:
    if not letters:
        return
    table = Table("#", "reason", title=f"Dead letters ({len(letters)})", title_justify="left", box=None,
                  pad_edge=False)
    for number, letter in enumerate(letters[:_FAILURES_SHOWN], 1):
        reason = letter["attributes"].get("waveflow.reason") or "redriven after maxReceiveCount deliveries"
        table.add_row(str(number), _short(reason, 120))
    console.print(table)


def _received(console: Console, received: list[dict]) -> None:
    kinds = Counter((r["kind"], r["verified"]) for r in received)
    if kinds:
        console.print("  local receiver: " + ", ".join(
            f"{n} {kind}{'s' if n != 1 else ''} ({'signature verified' if ok else 'SIGNATURE REFUSED'})"
            for (kind, ok), n in sorted(kinds.items())))


def _cost(console: Console, cost: dict, migrations: int) -> None:
    items = ", ".join(f"{item} ${usd:.4f}" for item, usd in cost["byItem"].items() if usd)
    console.print(f"  cost (list prices, {cost['region']}, {cost['pricesAsOf']}): ${cost['total']:.4f} in all, "
                  f"${cost['perMigration']:.5f} per migration over {migrations}; per wave "
                  + ", ".join(f"{wave} ${usd:.4f}" for wave, usd in cost["perWave"].items()))
    console.print(f"    {items}")


def _message(cause: str | None) -> str:
    """A Lambda error's cause is its JSON error document (cut at 2,000 characters where the status record keeps
    it); what a reader wants is its ``errorMessage``."""
    found = _ERROR_MESSAGE.match(cause or "")
    return json.loads(f'"{found.group(1)}"') if found else cause or ""


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"
