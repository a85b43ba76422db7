"""The report of a real run (``report_runs.small_run``), opened in headless Chromium and checked through the DOM:
every state of both state machines is drawn with the counts of the journal's histories, the timeline has a row
per migration with its stages, the dead letters keep their reasons, failures are grouped, histories open, nothing is
fetched. Screenshots of each part are saved as artifacts (and the README's come from here)."""
import pytest
from asl_states import asl_names
from report_runs import BROKEN, SERVERS

from waveflow.graph import counts_from_histories
from waveflow.local.history import to_jsonable

PARTS = ("summary", "graphs", "timeline", "failures", "dlq", "executions")


@pytest.fixture(scope="module")
def visit(browser, page_file):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    fetched, errors = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("**/*", lambda route: route.continue_() if route.request.url == page_file.as_uri()
               else (fetched.append(route.request.url), route.abort()))
    page.goto(page_file.as_uri())
    yield page, fetched, errors
    context.close()


def test_every_state_is_drawn_with_the_counts_of_the_journals_histories(visit, record, definitions):
    page, fetched, errors = visit
    for machine in ("ServerMigration", "MigrationWave"):
        page.click(f'.tabs [data-tab="{machine}"]')
        panel = page.locator(f'.graph-panel[data-machine="{machine}"]')
        assert panel.is_visible()
        drawn = panel.locator("svg [data-state]").evaluate_all("els => els.map(e => e.dataset.state)")
        assert sorted(drawn) == sorted(asl_names(definitions[machine]))
        histories = [to_jsonable(record.recorded(row["executionArn"]).materialize()) for row in record.executions
                     if row["stateMachine"].endswith(machine)]
        expected = counts_from_histories(histories)
        shown = panel.locator("g.state[data-state]").evaluate_all("""els => els.map(e => [e.dataset.state,
            +e.dataset.entered, +e.dataset.succeeded, +e.dataset.failed, +e.dataset.retried, +e.dataset.caught])""")
        for name, *numbers in shown:
            c = expected.get(name)
            assert numbers == ([c.entered, c.succeeded, c.failed, c.retried, c.caught] if c else [0] * 5), name
        assert float(panel.locator("svg.wf-graph").get_attribute("data-scale")) > 0  # fitted when shown
    assert fetched == [] and errors == []


def test_the_timeline_has_a_row_per_migration_with_its_stages(visit, report):
    page, _, _ = visit
    rows = page.eval_on_selector_all("#timeline .row", "els => els.map(e => [e.dataset.migration, e.dataset.status, "
                                     "e.dataset.app, e.dataset.wave])")
    assert rows == [[m.migration_id, m.status, m.app, m.wave] for m in sorted(report.migrations,
                                                                              key=lambda m: m.start)]
    assert [key for key, (_, _, behaviour) in SERVERS.items() if behaviour == "throttled"] == ["mig-002"]
    assert page.locator('#timeline .row[data-migration="mig-002"] .retry').get_attribute("data-state") == \
        "PrepareSource"
    # the five waits of its replication poll, checked in no time, are one stretch; each launch poll waits the
    # launch's typical time before its first check; and the wait at the gate
    assert page.locator('#timeline .row[data-migration="mig-003"] .wait').count() == 4
    page.select_option("[data-filter=status]", "FAILED")
    assert page.eval_on_selector_all("#timeline .row", "els => els.map(e => e.dataset.migration)") == \
        ["mig-004", "mig-005"]
    page.select_option("[data-filter=status]", "")


def test_the_dead_letter_table_lists_the_invalid_requests_with_their_reasons(visit, report):
    page, _, _ = visit
    table = page.locator("#dlq table.dlq")
    assert table.locator("tbody tr").count() == len(BROKEN)
    reasons = table.locator("td.reason").all_inner_texts()
    bodies = table.locator("pre").evaluate_all("els => els.map(e => e.textContent)")
    assert list(zip(bodies, reasons)) == [(d.body, d.reason) for d in report.dead_letters]
    assert bodies == BROKEN
    assert "appName" not in reasons[0] and "sourceServerId: is required" in reasons[0]
    assert "priority: unknown field" in reasons[1] and "not of type 'object'" in reasons[2]


def test_failures_are_grouped_and_open_their_histories(visit):
    page, _, _ = visit
    groups = page.eval_on_selector_all("#failures tbody tr", "els => els.map(e => [e.dataset.stage, e.dataset.error,"
                                       " e.cells[2].innerText])")
    assert groups == [["ValidateInput", "ValidationFailed", "1"], ["WaitForCutoverLaunch", "LaunchFailed", "1"]]
    page.click('#failures [data-history="mig-004"]')
    dialog = page.locator("dialog#history")
    types = dialog.locator("tbody td:nth-child(2)").all_inner_texts()
    assert "TaskFailed" in types and types[-1] == "ExecutionFailed"
    states = dialog.locator("tbody td:nth-child(3)").all_inner_texts()
    assert "RollbackHandler" in states
    page.keyboard.press("Escape")


def test_screenshots_of_each_part(visit, artifacts):
    page, fetched, _ = visit
    page.click('.tabs [data-tab="ServerMigration"]')
    for part in PARTS:
        section = page.locator(f"#{part}")
        section.scroll_into_view_if_needed()
        section.screenshot(path=artifacts / f"report-{part}.png")
    page.click('#timeline .row[data-migration="mig-004"] [data-history]')
    page.locator("dialog#history tbody tr.failure").first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "report-history.png")
    page.keyboard.press("Escape")
    assert all((artifacts / f"report-{part}.png").stat().st_size > 10_000 for part in PARTS)
    assert fetched == []
