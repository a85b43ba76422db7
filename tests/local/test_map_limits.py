"""A Map's limits from JSONata expressions and paths, as AWS reads them: a whole number for MaxConcurrency (2.0
counts, 2.5 does not), any number in 0..100 for ToleratedFailurePercentage, a numeric string from a path."""
import pytest

from waveflow.local.runtime import LocalRuntime

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}


def _run(map_fields: dict, *, jsonata: bool, data=None):
    state = {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **PASS}, "End": True,
             **map_fields}
    if jsonata:
        state["Items"] = "{% [1, 2, 3] %}"
        definition = {"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": state}}
    else:
        state["ItemsPath"] = "$.items"
        definition = {"StartAt": "M", "States": {"M": state}}
    runtime = LocalRuntime()
    runtime.register_state_machine("Limits", definition)
    execution = runtime.start_execution("Limits", {"items": [1, 2, 3], **(data or {})})
    runtime.run()
    return execution


@pytest.mark.parametrize("expression, status", [("{% 2 %}", "SUCCEEDED"), ("{% 2.0 %}", "SUCCEEDED"),
                                                ("{% 2.5 %}", "FAILED")])
def test_max_concurrency_from_an_expression_is_a_whole_number(expression, status):
    execution = _run({"MaxConcurrency": expression}, jsonata=True)
    assert execution.status == status
    if status == "FAILED":
        assert execution.error == "States.Runtime"
        assert execution.cause.endswith("Expected non-negative integer for MaxConcurrency, got '2.5' instead.")


def test_a_tolerated_percentage_from_an_expression_may_be_a_fraction():
    assert _run({"ToleratedFailurePercentage": "{% 2.5 %}"}, jsonata=True).status == "SUCCEEDED"
    failed = _run({"ToleratedFailurePercentage": "{% 100.5 %}"}, jsonata=True)
    assert failed.error == "States.Runtime"
    assert failed.cause.endswith("(entered at the event id #2). ToleratedFailurePercentage must be between 0 and 100.")


def test_a_path_may_give_a_numeric_string_but_not_a_fraction_for_a_count():
    assert _run({"MaxConcurrencyPath": "$.limit"}, jsonata=False, data={"limit": "2"}).status == "SUCCEEDED"
    failed = _run({"MaxConcurrencyPath": "$.limit"}, jsonata=False, data={"limit": 2.5})
    assert failed.error == "States.Runtime" and "not a valid integer: $.limit" in failed.cause
