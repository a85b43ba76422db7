"""The adapter on a real journal: the small run's executions and histories read back from the file, and the items
a run keeps beside them, become the report's model."""
import json

from report_runs import BROKEN, FAILS, SERVERS, STACK

from tasks.lib.request import summarise, validate_request
from waveflow.graph import counts_from_histories
from waveflow.local.history import to_jsonable
from waveflow.report import render
from waveflow.report.events import DETAIL_WIDTH
from waveflow.report.journal_source import report_of


def full_histories(record, machine):
    """GetExecutionHistory events of every execution of ``machine``, as `waveflow history` reads them."""
    return [to_jsonable(record.recorded(row["executionArn"]).materialize()) for row in record.executions
            if row["stateMachine"] == machine]


def test_counts_are_over_every_history_of_each_state_machine(report, record):
    assert [(m.workflow, m.name) for m in report.machines] == [
        ("ServerMigration", f"{STACK}-ServerMigration"), ("MigrationWave", f"{STACK}-MigrationWave")]
    for machine in report.machines:
        assert machine.counts == counts_from_histories(full_histories(record, machine.name))
    migration, wave = report.machines
    assert migration.by_status == {"FAILED": 2, "SUCCEEDED": 4} and wave.by_status == {"FAILED": 1, "SUCCEEDED": 1}
    assert migration.counts["PrepareSource"].retried == 1
    assert migration.counts["RollbackHandler"].entered == 2


def test_each_migration_has_its_record_its_stages_and_its_failure(report):
    assert [(m.migration_id, m.app, m.wave) for m in report.migrations] == [
        (key, app, wave) for key, (app, wave, _) in SERVERS.items()]
    failed = {m.migration_id: (m.status, m.failed_stage, m.error) for m in report.migrations if m.status == "FAILED"}
    assert failed == {"mig-004": ("FAILED", *FAILS["launch-fails"][:2]), "mig-005": ("FAILED", *FAILS["invalid"][:2])}
    assert all(m.execution == m.migration_id and m.stages for m in report.migrations)


def test_failures_are_grouped_by_stage_and_error(report):
    assert [(g.stage, g.error, g.migrations, g.cause) for g in report.failures] == [
        ("ValidateInput", "ValidationFailed", ("mig-005",), FAILS["invalid"][2]),
        ("WaitForCutoverLaunch", "LaunchFailed", ("mig-004",), FAILS["launch-fails"][2])]


def test_dead_letters_keep_ingress_reasons(report):
    assert [(d.body, d.reason) for d in report.dead_letters] == [
        (body, summarise(validate_request(json.loads(body) if body.endswith("}") else body))) for body in BROKEN]


def test_a_small_run_keeps_every_history_and_says_what_it_cuts(report, record):
    assert {e.name: e.why for e in report.executions} == {
        "mig-001": "longest", "mig-002": "longest", "mig-003": "longest", "mig-004": "failed", "mig-005": "failed",
        "mig-006": "longest", "wave-1": "wave", "wave-2": "failed"}
    for execution in report.executions:
        row = next(r for r in record.executions if r["name"] == execution.name)
        assert len(execution.events) == row["events"] == execution.event_count
        assert [e.event_id for e in execution.events] == list(range(1, row["events"] + 1))
    assert any(len(e.detail) == DETAIL_WIDTH for x in report.executions for e in x.events)
    assert report.left_out == (f"Event details (inputs, outputs, causes) are cut at {DETAIL_WIDTH} characters; "
                               f"`waveflow history NAME --run 1 --json` prints them whole",)


def test_the_same_journal_gives_the_same_bytes(report, record):
    assert render(report_of(record)) == render(report)
