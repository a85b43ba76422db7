"""The drawing model read from ASL: what each state shows, Choice labels, the rollback path and polls derived
from structure alone, and documents that cannot be drawn reported place by place."""
import pytest
from asl_states import asl_names
from graph_samples import sample

from waveflow.graph import GraphError, read_graph
from waveflow.graph.conditions import describe


@pytest.fixture(scope="module")
def shipped(built):
    return built


def test_every_state_of_every_document_is_in_the_model(shipped):
    documents = {**shipped, **{n: sample(f"{n}.asl.json") for n in ("jsonata-orders", "distributed-map", "odd-names")}}
    for name, definition in documents.items():
        assert sorted(read_graph(definition, name).state_names()) == sorted(asl_names(definition)), name


def test_the_rollback_path_is_what_only_a_catcher_reaches(shipped):
    graph = read_graph(shipped["ServerMigration"], "ServerMigration")
    rollback = sorted(node.name for node, _ in graph.walk() if node.rollback)
    assert rollback == ["MigrationFailed", "NotifyFailure", "RollbackHandler"]
    # Callback's catcher goes to MigrationSucceeded, which the normal flow reaches too: not a rollback state.
    assert not graph.root.nodes["MigrationSucceeded"].rollback
    foreign = read_graph(sample("jsonata-orders.asl.json"), "orders")
    assert sorted(n.name for n, _ in foreign.walk() if n.rollback) == ["Order failed", "Refund"]


def test_a_poll_is_recognised_by_its_shape_and_its_schedule_read_from_the_asl(shipped):
    graph = read_graph(shipped["ServerMigration"], "ServerMigration")
    poll = graph.root.nodes["WaitForReplication"]
    assert poll.kind == "Poll"
    assert poll.schedule == ("every 1m ×1.5 up to 4h or as $.replication.nextPollSeconds says, at most 3d, "
                             "then ReplicationTimeout")
    launch = graph.root.nodes["WaitForTestLaunch"]
    assert launch.schedule.startswith("waits first, every 30s ×1.5 up to 10m or as $.launch.nextPollSeconds says")
    assert poll.until == "$.replication.ready == true"
    assert poll.detail == "Lambda: Invoke PollStatus"
    assert poll.retries and poll.retries[0].attempts == 6
    assert [n.kind for n in graph.root.nodes.values()].count("Poll") == 5
    # A one-branch Parallel that does not loop stays a Parallel.
    task = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True}
    plain = read_graph({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "T", "States": {"T": task}}]}}}, "plain")
    assert plain.root.nodes["P"].kind == "Parallel"


def test_tasks_say_what_they_call():
    graph = read_graph(sample("distributed-map.asl.json"), "objects")
    nodes = {node.name: node for node, _ in graph.walk()}
    assert nodes["Prepare"].detail == "Activity: prepare-batch"
    assert nodes["Transform"].detail == "Lambda: Invoke transform"
    assert nodes["Alert"].detail == "SNS: Publish"
    assert nodes["Process objects"].detail == ("Map: distributed · items from S3 · ≤ 500 at once · "
                                               "tolerates 5% failed")
    assert nodes["Each item"].detail == "Map: inline · items $.Items"
    orders = {node.name: node for node, _ in read_graph(sample("jsonata-orders.asl.json"), "o").walk()}
    assert orders["Needs review"].detail == "Lambda: Invoke ask-reviewer · waits for a callback"
    assert orders["Refund"].detail == "Step Functions: StartExecution refunds"
    assert orders["Charge card"].detail == "HTTP: Invoke"


def test_choice_rules_read_as_conditions():
    assert describe({"And": [{"Variable": "$.remaining", "NumericGreaterThan": 0},
                             {"Not": {"Variable": "$.stop", "BooleanEquals": True}}]}) == \
        "$.remaining > 0 and not ($.stop == true)"
    assert describe({"Or": [{"And": [{"Variable": "$.a", "IsPresent": True}, {"Variable": "$.b", "IsNull": False}]},
                            {"Variable": "$.c", "StringMatches": "web-*"}]}) == \
        '($.a is present and $.b is not null) or $.c matches "web-*"'
    assert describe({"Variable": "$.n", "NumericLessThanEqualsPath": "$.max"}) == "$.n <= $.max"
    assert describe({"Condition": "{% $count($states.input.items) = 0 %}"}) == "$count($states.input.items) = 0"
    edges = read_graph(sample("jsonata-orders.asl.json"), "o").root.out_edges("Check order")
    assert [(e.kind, e.label, e.target) for e in edges] == [
        ("choice", "$states.input.total > 1000 and $states.input.country != 'NL'", "Needs review"),
        ("choice", "$count($states.input.items) = 0", "Empty order"), ("default", "Default", "Fan out")]


def test_a_document_that_cannot_be_drawn_is_reported_place_by_place():
    broken = {"StartAt": "Frist", "States": {
        "First": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Next": "Sceond"},
        "Second": {"Type": "Parallel", "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass"}}}],
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nowhere"}], "End": True},
        "Third": {"Type": "Sleep", "End": True}}}
    with pytest.raises(GraphError) as caught:
        read_graph(broken, "broken", "broken.asl.json")
    assert caught.value.problems == [
        "broken.asl.json: StartAt: 'Frist' is not a state here; did you mean 'First'?",
        "broken.asl.json: States.First.Next: 'Sceond' is not a state here; did you mean 'Second'?",
        "broken.asl.json: States.Second.Branches[0].States.X: has neither Next nor End",
        "broken.asl.json: States.Second.Catch[0].Next: 'Nowhere' is not a state here",
        "broken.asl.json: States.Third.Type: 'Sleep' is not a state type; expected one of Choice, Fail, Map, "
        "Parallel, Pass, Succeed, Task, Wait"]
    with pytest.raises(GraphError, match="not an ASL document"):
        read_graph(["not", "a", "document"], "list")
