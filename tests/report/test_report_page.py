"""The page drawn from reports written by hand, in headless Chromium, through the DOM: the timeline filters, sorts and
pages what was put in, its bars show stages, waits, retries and the rollback path, a history opens on a click,
what the page leaves out is said, nothing is fetched, and text from the run can never become markup."""
import pytest
from report_builders import constructed, history

from waveflow.report import render

ROWS = "#timeline .rows .row"


@pytest.fixture(scope="module")
def many():
    return constructed(250)


@pytest.fixture
def shown(open_page, tmp_path):
    """``shown(report)`` -> the page of ``report``, opened."""
    def opener(report, name="report"):
        path = tmp_path / f"{name}.html"
        path.write_text(render(report), encoding="utf-8")
        visit = open_page(path, width=1400, height=900)
        assert visit.errors == []
        return visit
    return opener


def rows(page) -> list[dict]:
    return page.eval_on_selector_all(ROWS, "els => els.map(e => ({...e.dataset}))")


def test_the_timeline_filters_by_status_app_and_wave(many, shown):
    page = shown(many).page
    assert len(rows(page)) == 100 and page.locator("#timeline .shown").inner_text() == "1–100 of 250"
    page.select_option("[data-filter=status]", "FAILED")
    failed = [m.migration_id for m in many.migrations if m.status == "FAILED"]
    assert [r["migration"] for r in rows(page)] == failed
    assert page.locator("#timeline .shown").inner_text() == f"1–{len(failed)} of {len(failed)} (of 250)"
    page.select_option("[data-filter=app]", "hr")
    expected = [m.migration_id for m in many.migrations if (m.status, m.app) == ("FAILED", "hr")]
    assert [r["migration"] for r in rows(page)] == expected
    page.select_option("[data-filter=wave]", "3")
    expected = [m.migration_id for m in many.migrations if (m.status, m.app, m.wave) == ("FAILED", "hr", "3")]
    assert expected and [r["migration"] for r in rows(page)] == expected
    page.select_option("[data-filter=status]", "")
    page.select_option("[data-filter=app]", "")
    page.select_option("[data-filter=wave]", "")
    page.fill("[data-filter=id]", "m-012")
    assert [r["migration"] for r in rows(page)] == [f"m-012{n}" for n in range(10)]
    page.fill("[data-filter=id]", "no such migration")
    assert rows(page) == [] and page.locator("#timeline .shown").inner_text() == "no migration matches"


def test_the_timeline_sorts_and_pages(many, shown):
    page = shown(many).page
    assert [r["migration"] for r in rows(page)][:3] == ["m-0000", "m-0001", "m-0002"]  # by start
    page.select_option("[data-sort]", "duration")
    page.click("[data-order]")
    by_duration = sorted(many.migrations, key=lambda m: (-(m.end - m.start), m.migration_id))
    assert [r["migration"] for r in rows(page)] == [m.migration_id for m in by_duration[:100]]
    page.select_option("[data-sort]", "app")
    page.click("[data-order]")  # ascending again
    apps = [r["app"] for r in rows(page)]
    assert apps == sorted(apps) and apps[0] == "billing"
    page.select_option("[data-sort]", "retries")
    page.click("[data-page='1']")
    page.click("[data-page='1']")
    last = rows(page)
    by_retries = sorted(many.migrations, key=lambda m: (m.retries, m.migration_id))
    assert [r["migration"] for r in last] == [m.migration_id for m in by_retries[200:]]
    assert page.locator("#timeline .shown").inner_text() == "201–250 of 250"
    assert page.locator("[data-page='1']").is_disabled() and not page.locator("[data-page='-1']").is_disabled()


def test_bars_show_stages_waits_retries_and_the_rollback_path(shown):
    report = constructed(8)
    page = shown(report).page
    for migration in report.migrations:
        row = page.locator(f'{ROWS}[data-migration="{migration.migration_id}"]')
        bars = row.locator(".bar")
        assert bars.evaluate_all("els => els.map(e => e.dataset.state)") == [s.state for s in migration.stages]
        assert row.locator(".retry").count() == migration.retries
        assert row.locator(".wait").count() == sum(len(s.waits) for s in migration.stages)
        rollback = row.locator(".bar.rollback").evaluate_all("els => els.map(e => e.dataset.state)")
        assert rollback == [s.state for s in migration.stages if s.rollback]
    failed = page.locator(f'{ROWS}[data-migration="m-0003"]')
    assert failed.locator('.bar[data-state="Work"]').get_attribute("data-outcome") == "caught"
    assert failed.locator('.bar[data-state="Work"]').evaluate("e => getComputedStyle(e).backgroundColor") == \
        "rgb(212, 91, 7)"
    track = failed.locator(".track").bounding_box()
    work = failed.locator('.bar[data-state="Work"]').bounding_box()
    m = report.migrations[3]
    span = max(x.end for x in report.migrations)
    assert work["x"] - track["x"] == pytest.approx(track["width"] * m.start / span, abs=1.5)
    assert work["width"] == pytest.approx(track["width"] * (m.stages[0].end - m.stages[0].start) / span, abs=1.5)


def test_a_history_opens_on_a_click_as_a_table(shown, artifacts):
    report = constructed(12)
    visit = shown(report)
    page = visit.page
    assert not page.locator("dialog#history").is_visible()
    page.click(f'{ROWS}[data-migration="m-0003"] [data-history]')
    dialog = page.locator("dialog#history")
    assert dialog.is_visible() and dialog.get_attribute("data-execution") == "m-0003"
    assert dialog.locator("thead th").all_inner_texts() == ["#", "Type", "State", "Time", "Elapsed", "Details"]
    cells = dialog.locator("tbody tr").evaluate_all("trs => trs.map(tr => [...tr.cells].map(c => c.innerText))")
    events = history(report.migrations[3])
    assert [(int(c[0]), c[1], c[2], c[5]) for c in cells] == [(e.event_id, e.type, e.state or "", e.detail)
                                                               for e in events]
    assert cells[0][3] == "2026-01-01T00:01:30.000Z" and cells[-1][4] == "+3m15s"  # 90 s in; 195 s long
    assert dialog.locator("tbody tr.failure").count() == 1  # ExecutionFailed
    page.screenshot(path=artifacts / "page-history.png")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    page.click('#failures [data-history="m-0010"]')  # the failure groups open histories too
    assert dialog.get_attribute("data-execution") == "m-0010"
    assert visit.fetched == []


def test_an_execution_left_out_shows_its_stages_and_says_how_to_get_the_rest(shown):
    report = constructed(5, kept={"m-0001"})
    page = shown(report).page
    assert page.locator("#executions tbody tr").count() == 1
    page.click(f'{ROWS}[data-migration="m-0002"] [data-history]')
    dialog = page.locator("dialog#history")
    assert "waveflow history m-0002 --run 7" in dialog.locator(".facts").inner_text()
    assert dialog.locator("tbody td:first-child").all_inner_texts() == ["Work", "Done"]
    assert page.locator("#left-out li").all_inner_texts() == list(report.left_out)
    assert page.locator(".banner").is_visible()


def test_the_summary_cost_and_dead_letters_show_the_models_figures(shown):
    report = constructed(14)
    page = shown(report).page
    cards = dict(zip(page.locator(".card h3").all_inner_texts(), page.locator(".card").all_inner_texts()))
    assert "12 SUCCESS" in cards["Migrations by final status"] and "2 FAILED" in cards["Migrations by final status"]
    assert cards["Cost"].splitlines() == ["Cost", "$0.2500", "$0.0179 per migration"]
    assert page.locator(".cost-waves tbody tr").all_inner_texts() == ["wave 1\t$0.1000", "wave 2\t$0.1000",
                                                                       "wave 3\t$0.0500"]
    reasons = page.locator("#dlq td.reason").all_inner_texts()
    assert reasons == ["appName: is required", "redriven by SQS after its maximum receives (no reason given)"]
    costs = page.locator(f"{ROWS} .cost").all_inner_texts()
    assert costs[:2] == ["$0.001000", "$0.001001"]


def test_text_from_the_run_never_becomes_markup(shown):
    hostile = '<img src="https://attacker.invalid/x.png" onerror="document.title=1">'
    report = constructed(3)
    first = report.migrations[0].__class__(**{**report.migrations[0].__dict__, "app": hostile, "error": hostile})
    report = constructed(3, migrations=(first, *report.migrations[1:]),
                         left_out=(hostile,), command=hostile)
    visit = shown(report, "hostile")
    page = visit.page
    assert page.locator("img").count() == 0 and visit.fetched == []
    assert page.locator(f'{ROWS}[data-migration="m-0000"]').get_attribute("data-app") == hostile
    assert hostile in page.locator("#left-out").inner_text()
    assert page.title() == "Run 7 · waveflow report"


def test_a_long_history_marks_the_events_it_leaves_out(shown):
    report = constructed(2)
    execution = report.executions[1]
    events = execution.events
    trimmed = (events[0], *events[3:])
    long = execution.__class__(**{**execution.__dict__, "events": trimmed})
    page = shown(constructed(2, executions=(report.executions[0], long))).page
    page.click(f'{ROWS}[data-migration="m-0001"] [data-history]')
    dialog = page.locator("dialog#history")
    assert dialog.locator("tbody tr.gap").inner_text() == "… events 2–3 are left out of this page (2 events) …"
    assert f"{len(events)} events ({len(trimmed)} shown)" in dialog.locator(".facts").inner_text()


def test_a_run_that_admitted_nothing_still_draws(shown):
    report = constructed(1)
    empty = constructed(1, migrations=(), executions=(), failures=(), left_out=(),
                        summary=report.summary.__class__(**{**report.summary.__dict__, "by_status": {}}))
    visit = shown(empty, "empty")
    page = visit.page
    assert page.locator("#timeline .shown").inner_text() == "no migration matches"
    assert page.locator("#failures .empty").inner_text() == "No migration failed."
    assert page.locator("#executions .empty").is_visible() and not page.locator(".banner").count()
    assert visit.errors == [] and visit.fetched == []
