"""Mermaid stateDiagram-v2: what the text says, how it folds to fit Mermaid's limits, and that Mermaid itself
(the pinned npm release, in headless Chromium) parses and renders it with every state's name shown."""
import re

import pytest
from graph_samples import sample

from waveflow.graph import read_graph, render_mermaid
from waveflow.graph.collapse import TooLarge
from waveflow.graph.mermaid import MAX_CHARS, MAX_EDGES, escape


@pytest.fixture(scope="module")
def shipped(built):
    return {name: read_graph(definition, name) for name, definition in built.items()}


def chain(count: int, catch: bool = True) -> dict:
    """A straight line of ``count`` Lambda tasks, each retried and caught to one handler."""
    states = {}
    for i in range(count):
        states[f"Step{i:03d}"] = {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": f"${{Step{i}FunctionArn}}", "Payload.$": "$"},
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
            **({"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Undo"}]} if catch else {}),
            **({"Next": f"Step{i + 1:03d}"} if i < count - 1 else {"End": True})}
    states["Undo"] = {"Type": "Fail", "Error": "Undone"}
    return {"StartAt": "Step000", "States": states}


def ids(text: str) -> dict[str, str]:
    """State name -> Mermaid id, from the ``state "NAME" as ID`` lines."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('state "'):
            label, _, rest = line[7:].rpartition('" as ')
            out[label] = rest.split()[0]
    return out


def test_server_migration_reads_as_the_issue_asks(shipped):
    text = render_mermaid(shipped["ServerMigration"]).text
    names = ids(text)
    assert text.splitlines()[1] == "stateDiagram-v2"
    assert set(names) == set(shipped["ServerMigration"].root.nodes)
    s = names
    assert f"    [*] --> {s['ValidateInput']}" in text
    assert f"    {s['ValidateInput']} : retry 6× from 5s ×2 ≤2m jitter on MgnThrottled, MgnUnavailable +8" in text
    assert f"    {s['ValidateInput']} --> {s['RollbackHandler']} : catch States.ALL" in text
    assert (f"    {s['TestLaunchRequested']} --> {s['AwaitWaveCutover']} : "
            f"#36;.testLaunch is present and #36;.testLaunch == false") in text
    assert f"    {s['TestLaunchRequested']} --> {s['StartTestLaunch']} : Default" in text
    assert f"    {s['WaitForReplication']} : Poll: Lambda: Invoke PollStatus" in text
    assert (f"    {s['WaitForReplication']} : every 1m ×1.5 up to 4h or as #36;.replication.nextPollSeconds says, "
            f"at most 3d, then ReplicationTimeout") in text
    rollback = f"    class {s['RollbackHandler']},{s['NotifyFailure']},{s['MigrationFailed']} rollback"
    assert rollback in text and "    classDef rollback " in text
    assert f"    {s['MigrationSucceeded']} --> [*]" in text


def test_map_and_parallel_are_composite_states():
    objects = render_mermaid(read_graph(sample("distributed-map.asl.json"), "objects")).text
    outer = 'state "Process objects · Map: distributed · items from S3 · ≤ 500 at once · tolerates 5#37; failed" as s1 {'
    inner = '        state "Each item · Map: inline · items #36;.Items" as s2 {'
    assert objects.index(outer) < objects.index(inner)
    orders = render_mermaid(read_graph(sample("jsonata-orders.asl.json"), "orders")).text
    block = orders[orders.index('state "Fan out'):]
    assert block.index('state "Reserve stock') < block.index("        --\n") < block.index('state "Charge card')


def test_text_that_is_mermaid_syntax_is_escaped():
    assert escape('a "b"; $$c <d> #e %%f') == "a #34;b#34;#59; #36;#36;c #60;d#62; #35;e #37;#37;f"
    text = render_mermaid(read_graph(sample("odd-names.asl.json"), "odd")).text
    labels = [line.partition(" : ")[2] for line in text.splitlines() if " : " in line]
    labels += [line.split(' "', 1)[1].rpartition('" as ')[0] for line in text.splitlines() if '" as ' in line]
    assert len(labels) == 11
    for label in labels:
        assert not set(re.sub(r"#\d+;", "", label)) & set('";<>#%${}[]&'), label


def test_a_500_state_chain_is_folded_to_fit_and_says_so():
    diagram = render_mermaid(read_graph(chain(500), "Chain"))
    assert len(diagram.text) <= MAX_CHARS and diagram.edges <= MAX_EDGES
    (box, folded), = diagram.folded.items()
    assert box == f"{folded[0]} … {folded[-1]}" and 100 < len(folded) < 400
    assert f"%% {len(folded)} states folded into 1 box to stay within Mermaid's limits" in diagram.text
    assert f": {len(folded)} states folded to fit Mermaid's limits" in diagram.text
    shown = ids(diagram.text)
    assert {"Step000", "Step499", "Undo"} <= set(shown) and len(shown) == 501 - len(folded) + 1


def test_container_bodies_are_folded_before_straight_runs():
    big = chain(600, catch=False)
    definition = {"StartAt": "Before", "States": {
        "Before": {"Type": "Pass", "Next": "Each"},
        "Each": {"Type": "Map", "ItemProcessor": big, "Next": "After"},
        "After": {"Type": "Succeed"}}}
    diagram = render_mermaid(read_graph(definition, "Big"))
    assert list(diagram.folded) == ["Each"] and len(diagram.folded["Each"]) == 601
    assert 'state "Each" as s1' in diagram.text and "Each : 601 states folded" not in diagram.text


def test_a_graph_that_cannot_fit_even_folded_is_refused():
    fan = {"StartAt": "Pick", "States": {
        "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": i, "Next": f"Leaf{i}"}
                                               for i in range(600)], "Default": "Leaf0"},
        **{f"Leaf{i}": {"Type": "Succeed"} for i in range(600)}}}
    with pytest.raises(TooLarge, match="too large to draw within the limits"):
        render_mermaid(read_graph(fan, "Fan"))


def test_the_same_asl_gives_the_same_bytes(shipped):
    for graph in shipped.values():
        assert render_mermaid(graph).text == render_mermaid(graph).text


# --- Mermaid's own parser and renderer ------------------------------------------------------------------------
def mermaid_render(page, text: str, render: bool = True) -> dict:
    return page.evaluate("""async ([text, render]) => {
        try { await mermaid.parse(text); } catch (e) { return {error: 'parse: ' + (e.message || e)}; }
        if (!render) return {ok: true};
        try {
            const out = await mermaid.render('graph' + Math.floor(performance.now()), text);
            const holder = document.getElementById('out');
            holder.innerHTML = out.svg;
            return {ok: true, text: holder.textContent};
        } catch (e) { return {error: 'render: ' + (e.message || e)}; }
    }""", [text, render])


@pytest.mark.parametrize("which", ["ServerMigration", "MigrationWave", "jsonata-orders", "distributed-map",
                                   "odd-names"])
def test_mermaid_renders_every_state_by_name(which, shipped, mermaid_page, artifacts):
    graph = shipped.get(which) or read_graph(sample(f"{which}.asl.json"), which)
    result = mermaid_render(mermaid_page, render_mermaid(graph).text)
    assert "error" not in result, result
    for name in graph.state_names():
        if not any(name.startswith(poll.name) and name != poll.name for poll, _ in graph.walk()
                   if poll.kind == "Poll"):
            assert name in result["text"], name
    mermaid_page.locator("#out svg").screenshot(path=artifacts / f"mermaid-{which}.png")


def test_mermaid_parses_the_folded_500_state_chain(mermaid_page):
    assert mermaid_render(mermaid_page, render_mermaid(read_graph(chain(500), "Chain")).text, render=False) == \
        {"ok": True}
