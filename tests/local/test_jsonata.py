"""JSONata mode: Arguments, Output, Assign, Condition and $states, through jsonata-python."""
from waveflow.local.clock import DEFAULT_START
from waveflow.local.runtime import run_definition

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def jsonata(states, start=None):
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


def test_task_arguments_output_and_assign_see_states_input_and_result():
    definition = jsonata({
        "T": {"Type": "Task", "Resource": FN + "Add", "Arguments": {"n": "{% $states.input.n %}"},
              "Assign": {"total": "{% $states.result.sum %}"},
              "Output": {"sum": "{% $states.result.sum %}", "from": "{% $states.input.n %}"}, "Next": "Use"},
        "Use": {"Type": "Pass", "Output": "{% {'total': $total, 'twice': $total * 2} %}", "End": True}})
    result = run_definition(definition, {"n": 4}, handlers={"Add": lambda e, c: {"sum": e["n"] + 1}})
    assert result.status == "SUCCEEDED", result.cause
    assert result.output == {"total": 5, "twice": 10}


def test_choice_conditions_and_rule_output():
    definition = jsonata({
        "C": {"Type": "Choice", "Default": "Low", "Choices": [
            {"Condition": "{% $states.input.lag < 60 %}", "Next": "Ready", "Output": {"ready": True}}]},
        "Ready": {"Type": "Succeed"},
        "Low": {"Type": "Succeed", "Output": {"ready": False}}})
    assert run_definition(definition, {"lag": 5}).output == {"ready": True}
    assert run_definition(definition, {"lag": 500}).output == {"ready": False}


def test_wait_seconds_from_an_expression_and_now_reads_the_virtual_clock():
    definition = jsonata({
        "W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "Now"},
        "Now": {"Type": "Pass", "Output": "{% $now() %}", "End": True}})
    assert run_definition(definition, {"s": 3600}).output == "2026-01-01T01:00:00.000Z"


def test_map_items_and_item_selector_with_the_context():
    definition = jsonata({"M": {"Type": "Map", "Items": "{% $states.input.xs %}", "End": True,
                                "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}",
                                                 "v": "{% $states.context.Map.Item.Value %}"},
                                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}})
    assert run_definition(definition, {"xs": ["a", "b"]}).output == [{"i": 0, "v": "a"}, {"i": 1, "v": "b"}]


def test_catch_output_sees_the_error_output():
    definition = jsonata({
        "T": {"Type": "Task", "Resource": FN + "Boom", "Next": "Done",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                         "Output": {"failed": "{% $states.errorOutput.Error %}"}}]},
        "Done": {"Type": "Succeed"}})

    def boom(event, context):
        raise KeyError("x")
    assert run_definition(definition, {}, handlers={"Boom": boom}).output == {"failed": "KeyError"}


def test_an_expression_that_fails_is_a_query_evaluation_error():
    definition = jsonata({"P": {"Type": "Pass", "Output": "{% $states.input.a + 'text' %}", "End": True}})
    result = run_definition(definition, {"a": 1})
    assert result.error == "States.QueryEvaluationError"
    assert "'Output'" in result.cause


def test_an_expression_that_yields_nothing_is_a_query_evaluation_error_but_null_is_kept():
    nothing = jsonata({"P": {"Type": "Pass", "Output": {"x": "{% $states.input.missing %}"}, "End": True}})
    assert run_definition(nothing, {}).error == "States.QueryEvaluationError"
    null = jsonata({"P": {"Type": "Pass", "Output": {"x": "{% $states.input.n %}"}, "End": True}})
    assert run_definition(null, {"n": None}).output == {"x": None}


def test_fail_state_error_and_cause_from_expressions():
    definition = jsonata({"F": {"Type": "Fail", "Error": "{% $states.input.code %}",
                                "Cause": "{% 'server ' & $states.input.id %}"}})
    result = run_definition(definition, {"code": "Broken", "id": "s-1"})
    assert (result.error, result.cause) == ("Broken", "server s-1")


def test_uuid_and_random_follow_the_seed():
    definition = jsonata({"P": {"Type": "Pass", "Output": ["{% $uuid() %}", "{% $random() %}"], "End": True}})
    assert run_definition(definition, {}, seed=5).output == run_definition(definition, {}, seed=5).output
    assert run_definition(definition, {}, seed=5).output != run_definition(definition, {}, seed=6).output


def test_states_context_is_bound_in_wait_expressions():
    later = "{% $fromMillis($toMillis($states.context.Execution.StartTime) + 60000) %}"
    definition = jsonata({"W": {"Type": "Wait", "End": True, "Timestamp": later}})
    result = run_definition(definition, {})
    assert result.status == "SUCCEEDED", result.cause
    assert result.history[-1]["timestamp"].timestamp() == DEFAULT_START + 60
