"""The HTML view in headless Chromium, checked through the DOM: every state of the ASL is drawn, nothing is
fetched, text fits its card, zoom, pan and hover work, the rollback path and run outcomes have their colours.
Screenshots are saved as test artifacts."""
import pytest
from asl_states import asl_names
from graph_samples import run, sample, stub_handlers

from waveflow.graph import counts_from_history, read_graph, render_html
from waveflow.graph.layout import LEdge, LNode, layout

DOCUMENTS = ["ServerMigration", "MigrationWave", "jsonata-orders", "distributed-map", "odd-names"]


def definition_of(which: str, built: dict) -> dict:
    return built[which] if which in built else sample(f"{which}.asl.json")


def write_page(tmp_path, name: str, html: str):
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


OVERFLOWING_TEXT = """() => {
    const out = [];
    for (const card of document.querySelectorAll('g.state')) {
        const box = card.querySelector(':scope > rect.box').getBBox();
        for (const text of card.querySelectorAll(':scope > text')) {
            const b = text.getBBox();
            if (b.x + b.width > box.width - 2) out.push(card.dataset.state + ': ' + text.textContent);
        }
    }
    return out;
}"""


@pytest.mark.parametrize("which", DOCUMENTS)
def test_every_state_is_drawn_and_nothing_is_fetched(which, built, open_page, tmp_path, artifacts):
    definition = definition_of(which, built)
    visit = open_page(write_page(tmp_path, which, render_html(read_graph(definition, which))))
    drawn = visit.page.eval_on_selector_all("svg [data-state]", "els => els.map(e => e.dataset.state)")
    assert sorted(drawn) == sorted(asl_names(definition))
    assert visit.page.evaluate(OVERFLOWING_TEXT) == []
    assert visit.fetched == [] and visit.errors == []
    visit.page.screenshot(path=artifacts / f"html-{which}.png")


def test_the_network_check_catches_a_page_that_fetches(open_page, tmp_path):
    page = write_page(tmp_path, "leaky", '<html><body><img src="https://registry.invalid/x.png"></body></html>')
    assert open_page(page).fetched == ["https://registry.invalid/x.png"]


def test_zoom_pan_and_hover_details(built, open_page, tmp_path, artifacts):
    visit = open_page(write_page(tmp_path, "zoom", render_html(read_graph(built["ServerMigration"], "S"))))
    page = visit.page
    svg = page.locator("svg.wf-graph")
    first = float(svg.get_attribute("data-scale"))
    page.click("button[data-action=in]")
    assert float(svg.get_attribute("data-scale")) == pytest.approx(first * 1.25, rel=1e-3)
    page.keyboard.press("0")
    fitted = float(svg.get_attribute("data-scale"))
    assert fitted < first
    page.mouse.move(600, 500)
    page.mouse.wheel(0, -400)
    assert float(svg.get_attribute("data-scale")) > fitted
    transform = page.locator("g.viewport").get_attribute("transform")
    page.mouse.down()
    page.mouse.move(700, 560, steps=4)
    page.mouse.up()
    moved = page.locator("g.viewport").get_attribute("transform")
    assert moved != transform
    before = [float(v) for v in transform.split("(")[1].split(")")[0].split(",")]
    after = [float(v) for v in moved.split("(")[1].split(")")[0].split(",")]
    assert after[0] - before[0] == pytest.approx(100, abs=1) and after[1] - before[1] == pytest.approx(60, abs=1)
    page.keyboard.press("0")
    page.locator('[data-state="ValidateInput"]').hover()
    tip = page.locator("#tip")
    assert tip.is_visible()
    assert "Validate MGN, the source server and the target" in tip.inner_text()
    assert "Catch States.ALL → RollbackHandler" in tip.inner_text()
    page.screenshot(path=artifacts / "html-hover.png")


def test_the_rollback_path_and_catches_have_their_own_colours(built, open_page, tmp_path):
    visit = open_page(write_page(tmp_path, "colours", render_html(read_graph(built["ServerMigration"], "S"))))

    def fill(state: str) -> str:
        return visit.page.locator(f'[data-state="{state}"] > rect.box').evaluate("e => getComputedStyle(e).fill")
    assert fill("RollbackHandler") == fill("MigrationFailed") == "rgb(253, 236, 234)"
    assert fill("ValidateInput") == "rgb(255, 255, 255)"
    catch = visit.page.locator('g.wire.kind-catch[data-from="ValidateInput"] path')
    assert catch.evaluate("e => getComputedStyle(e).strokeDasharray") == "5px, 3px"


def test_a_run_is_drawn_with_counts_and_outcomes(migration, open_page, tmp_path, artifacts):
    execution = run(migration, stub_handlers({}, fail_cutover=True))
    counts = counts_from_history(execution.history)
    html = render_html(read_graph(migration, "ServerMigration"), counts, facts="1 execution: FAILED (LaunchFailed)")
    visit = open_page(write_page(tmp_path, "run", html))
    page = visit.page
    shown = page.eval_on_selector_all("g.state[data-state]", """els => Object.fromEntries(els.map(e => [
        e.dataset.state, [e.dataset.entered, e.dataset.succeeded, e.dataset.failed, e.dataset.retried,
                          e.dataset.caught, e.getAttribute('class')]]))""")
    for name, (entered, succeeded, failed, retried, caught, css) in shown.items():
        c = counts.get(name)
        expected = [c.entered, c.succeeded, c.failed, c.retried, c.caught] if c else [0, 0, 0, 0, 0]
        assert [int(entered), int(succeeded), int(failed), int(retried), int(caught)] == expected, name
        assert f"outcome-{c.outcome if c else 'none'}" in css.split(), name
    assert shown["WaitForCutoverLaunch"][4] == "1" and shown["PrepareSource"][3] == "1"
    card = page.locator('[data-state="WaitForCutoverLaunch"] > rect.box')
    assert card.evaluate("e => getComputedStyle(e).fill") == "rgb(255, 244, 229)"
    assert page.locator('[data-state="WaitForReplicationCheck"] text').text_content() == "Check 3"
    assert page.locator('[data-state="PrepareSource"] > text.counts').text_content() == \
        "1 entered · 1 ok · 1 retried"
    assert "Caught error" in page.locator(".legend").inner_text()
    assert visit.fetched == []
    page.screenshot(path=artifacts / "html-run.png")


def test_a_500_state_chain_is_drawn_whole(open_page, tmp_path):
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(499)}
    states["S499"] = {"Type": "Succeed"}
    definition = {"StartAt": "S0", "States": states}
    visit = open_page(write_page(tmp_path, "chain", render_html(read_graph(definition, "Chain"))))
    assert visit.page.locator("g.state").count() == 500 and visit.fetched == []


def test_layout_handles_self_loops():
    placed = layout([LNode("a", 100, 40)], [LEdge("a", "a", label=(40, 16))])
    assert placed.routes[0].loop and placed.routes[0].label is not None
