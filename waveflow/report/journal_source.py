"""The one adapter between the journal and the report: a run kept by ``waveflow run`` -> ``model.Report``.

``read_run`` asks the journal for what a run kept (docs/interfaces.md, "The journal": the run, its summary, its
items by kind, its executions and their histories) and ``report_of`` derives the report from that alone: per-state
counts over every history, each migration's stages and cost, failures grouped by stage and error, and the histories
the page keeps whole (``sampling``). Histories are decoded once each, as the recorder's columns; only the kept ones
are turned into GetExecutionHistory events with their payloads, so a 1,000-execution run is read in seconds.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

from ..graph import StateCounts, counts_from_history, read_graph
from ..local.clock import iso8601
from ..local.history import details_key
from ..local.history import History
from ..local.journal import Journal
from ..local.timestamps import parse_timestamp
from ..run.costs import CostEstimate
from .costs import own_usage, shares
from .events import DETAIL_WIDTH, history_rows
from .model import DeadLetter, Execution, FailureGroup, Machine, Migration, Report, Summary
from .sampling import Candidate, choose, kept_ids
from .stages import stages_of

#: Characters of a dead letter's body the page shows.
BODY_WIDTH = 400
REASON = "waveflow.reason"


class ReportError(Exception):
    """The report cannot be drawn (no such run, a run that did not finish, a journal without runs); the message
    says why. Exit code 2."""


@dataclass(frozen=True)
class RunRecord:
    """What the journal keeps of one run: its row (``Journal.run``), items by kind, executions (``Journal.executions``
    rows) and ``recorded(arn)``, one execution's recorded ``History``."""

    run: dict
    items: dict[str, list[tuple[str, object]]]
    executions: list[dict]
    recorded: Callable[[str], History]


ITEM_KINDS = ("migration", "failure", "deadLetter", "message", "stateMachine")


def read_run(journal: Journal, run_id: int | None = None) -> RunRecord:
    """Run ``run_id`` (default: the latest) as the journal keeps it; ``ReportError`` if it cannot be reported."""
    runs = journal.runs(limit=10)
    if run_id is None:
        if not runs:
            raise ReportError(f"{journal.path} holds no run of `waveflow run` yet")
        run_id = runs[0]["run"]
    run = journal.run(run_id)
    if run is None:
        known = ", ".join(str(r["run"]) for r in runs) or "none"
        raise ReportError(f"{journal.path} holds no run {run_id} (latest runs: {known})")
    if run["status"] != "completed" or run["summary"] is None:
        raise ReportError(f"run {run_id} did not finish (it is {run['status']}): there is nothing to report; "
                          f"`waveflow executions --run {run_id}` lists what it recorded")
    items = {kind: journal.items(run_id, kind) for kind in ITEM_KINDS}
    return RunRecord(run, items, journal.executions(scope=run_id),
                     lambda arn: journal.recorded(arn, scope=run_id))


def _light(history: History) -> list[dict]:
    """A recorded history as GetExecutionHistory events, timestamps in epoch seconds, with only what counts, stages
    and usage read (a state's name, an attempt's details): a fraction of ``materialize``'s cost."""
    out = []
    for number, (kind, stamp, back, name, details) in enumerate(zip(*history.columns()), 1):
        event = {"id": number, "type": kind, "previousEventId": number - back, "timestamp": stamp}
        if name is not None:
            event[details_key(kind)] = {"name": name}
        elif details is not None:
            event[details_key(kind)] = details
        out.append(event)
    return out


def report_of(record: RunRecord) -> Report:
    """The report of one finished run. Each history is decoded once, used for its state machine's counts and its
    migration's stages and cost, and dropped: a 1,000-server run is never in memory whole."""
    run, items = record.run, record.items
    machines = {name: value for name, value in items["stateMachine"]}
    graphs = {name: read_graph(m["definition"], m["workflow"]) for name, m in machines.items()}
    origin = min((parse_timestamp(row["startDate"]) for row in record.executions), default=run["startedAt"])
    records = [value for _, value in items["migration"]]
    of_migration = {r["executionArn"]: r["migrationId"] for r in records if r.get("executionArn")}
    summary = _summary(run["summary"])

    counts: dict[str, dict[str, StateCounts]] = {name: {} for name in machines}
    stages, usage = {}, {}
    for row in record.executions:
        history = _light(record.recorded(row["executionArn"]))
        machine = row["stateMachine"]
        if machine in counts:
            for state, c in counts_from_history(history).items():
                counts[machine][state] = counts[machine].get(state, StateCounts()) + c
        key = of_migration.get(row["executionArn"])
        if key is not None and machine in graphs:
            stages[key] = stages_of(history, graphs[machine], origin)
            usage[key] = own_usage(history)
    cost = shares(usage, summary.cost.total)
    by_arn = {row["executionArn"]: row for row in record.executions}
    failures = {value["migrationId"]: value for _, value in items["failure"]}
    migrations = tuple(_migration(r, by_arn, stages, cost, failures) for r in records)

    retries = {m.execution: m.retries for m in migrations}
    candidates = [Candidate(row["name"], row["status"], row["durationSeconds"] or 0.0, retries.get(row["name"], 0),
                            row["events"], row["executionArn"] in of_migration) for row in record.executions]
    kept, notes = choose(candidates)
    executions = tuple(_execution(row, record, origin, kept, machines)
                       for row in sorted(record.executions, key=lambda row: (row["startDate"], row["name"])))
    defects = {m["body"]: m["defect"] for _, m in items["message"] if m.get("kind") == "invalid"}
    letters = tuple(_dead_letter(value, defects) for _, value in items["deadLetter"])
    notes += _cuts(run["run"], executions, items["deadLetter"])
    statuses = {name: Counter(row["status"] for row in record.executions if row["stateMachine"] == name)
                for name in machines}
    return Report(
        run_id=run["run"], command=run["command"], finished_at=iso8601(run["finishedAt"]), origin=iso8601(origin),
        summary=summary,
        machines=tuple(Machine(m["workflow"], name, m["definition"], counts[name], dict(sorted(statuses[name].items())))
                       for name, m in sorted(machines.items(), key=_migration_first)),
        migrations=migrations, executions=executions, dead_letters=letters,
        failures=_groups(list(failures.values())), left_out=tuple(notes))


def _summary(data: dict) -> Summary:
    cost = data["cost"]
    return Summary(
        by_status=dict(data["byStatus"]), dlq=data["dlq"], executions_started=data["executionsStarted"],
        duplicates_suppressed=data["duplicatesSuppressed"], state_transitions=data["stateTransitions"],
        lambda_invocations=data["lambdaInvocations"], simulated_seconds=data["simulatedSeconds"],
        wall_seconds=data["wallSeconds"],
        cost=CostEstimate(lines=dict(cost["byItem"]), total=cost["total"], per_migration=cost["perMigration"],
                          region=cost["region"], prices_as_of=cost["pricesAsOf"]),
        cost_per_wave=dict(cost["perWave"]))


def _migration(record: dict, by_arn: dict, stages: dict, cost: dict, failures: dict) -> Migration:
    key = record["migrationId"]
    execution = by_arn.get(record.get("executionArn"))
    failure = failures.get(key, {})
    return Migration(key, str(record.get("appName") or "?"), str(record.get("wave") or "?"), record["status"],
                     execution["name"] if execution else None, stages.get(key, ()),
                     failure.get("error") or (execution or {}).get("error"), failure.get("stage"), cost.get(key))


def _execution(row: dict, record: RunRecord, origin: float, kept: dict[str, str], machines: dict) -> Execution:
    start = parse_timestamp(row["startDate"]) - origin
    end = None if row["durationSeconds"] is None else start + row["durationSeconds"]
    events = None
    if row["name"] in kept:
        spans = kept_ids(row["events"])
        events = tuple(event for event in history_rows(record.recorded(row["executionArn"]).materialize(), origin)
                       if any(event.event_id in span for span in spans))
    workflow = machines.get(row["stateMachine"], {}).get("workflow", row["stateMachine"])
    return Execution(row["name"], row["executionArn"], workflow, row["status"], start, end, row["events"],
                     row["error"], events, kept.get(row["name"], ""))


def _dead_letter(value: dict, defects: dict[str, str]) -> DeadLetter:
    """A dead letter as the page shows it; ``defects``: body -> what the run broke in it on purpose."""
    attributes = value.get("attributes") or {}
    body = value.get("body") or ""
    return DeadLetter(value["messageId"], attributes.get(REASON), attributes.get("waveflow.receivedAt"),
                      attributes.get("waveflow.correlationId"),
                      body if len(body) <= BODY_WIDTH else body[:BODY_WIDTH - 1] + "…", defects.get(body))


def _groups(failures: list[dict]) -> tuple[FailureGroup, ...]:
    """Failures by (stage, error), the largest group first."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for failure in failures:
        groups[(failure.get("stage") or "?", failure.get("error") or "(no error recorded)")].append(failure)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return tuple(FailureGroup(stage, error, tuple(sorted(f["migrationId"] for f in members)),
                              next((f["cause"] for f in members if f.get("cause")), ""))
                 for (stage, error), members in ordered)


def _migration_first(entry: tuple[str, dict]) -> tuple[bool, str]:
    return entry[1]["workflow"] != "ServerMigration", entry[1]["workflow"]


def _cuts(run_id: int, executions: tuple[Execution, ...], letters: list) -> list[str]:
    """Sentences for what the page shortens: event details and dead letters' bodies."""
    notes = []
    if any(len(ev.detail) >= DETAIL_WIDTH for e in executions if e.events for ev in e.events):
        notes.append(f"Event details (inputs, outputs, causes) are cut at {DETAIL_WIDTH} characters; "
                     f"`waveflow history NAME --run {run_id} --json` prints them whole")
    if any(len(value.get("body") or "") > BODY_WIDTH for _, value in letters):
        notes.append(f"Dead letters' bodies are cut at {BODY_WIDTH} characters; the journal keeps them whole")
    return notes
