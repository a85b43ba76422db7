"""The engine through its public API: data flow, Retry/Catch on the virtual clock, errors worded like AWS."""
import random

import pytest

from waveflow.local.clock import DEFAULT_START, VirtualClock
from waveflow.local.errors import ExecutionAlreadyExists, InvalidDefinition
from waveflow.local.limits import MAX_EXECUTION_SECONDS
from waveflow.local.retry import Retrier
from waveflow.local.runtime import LocalRuntime, run_definition

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def machine(*states, start=None):
    """A definition from (name, spec) pairs; the first state starts."""
    return {"StartAt": start or states[0][0], "States": dict(states)}


def flaky(failures, error="Flaky", result=None):
    """A handler that raises ``error`` ``failures`` times, then returns ``result`` (or echoes)."""
    calls = []

    def handler(event, context):
        calls.append(context)
        if len(calls) <= failures:
            raise type(error, (Exception,), {})(f"failure {len(calls)}")
        return event if result is None else result
    handler.calls = calls
    return handler


def test_pass_with_parameters_context_and_result_path():
    definition = machine(("P", {"Type": "Pass", "End": True, "ResultPath": "$.built", "Parameters": {
        "who.$": "$.name", "execution.$": "$$.Execution.Name", "state.$": "$$.State.Name", "static": [1]}}))
    result = run_definition(definition, {"name": "ada"})
    assert result.status == "SUCCEEDED"
    assert result.output == {"name": "ada", "built": {"who": "ada", "execution": "local", "state": "P",
                                                      "static": [1]}}


def test_input_path_result_selector_and_output_path_chain_in_order():
    definition = machine(("T", {"Type": "Task", "Resource": FN + "Echo", "End": True, "InputPath": "$.in",
                                "ResultSelector": {"got.$": "$.value"}, "ResultPath": "$.out", "OutputPath": "$.out"}))
    result = run_definition(definition, {"in": {"value": 3}}, handlers={"Echo": lambda event, context: event})
    assert result.output == {"got": 3}


def test_result_path_null_keeps_the_input():
    definition = machine(("P", {"Type": "Pass", "Result": "x", "ResultPath": None, "End": True}))
    assert run_definition(definition, {"keep": 1}).output == {"keep": 1}


def test_missing_parameter_path_fails_with_states_runtime_worded_like_aws():
    definition = machine(("P", {"Type": "Pass", "Parameters": {"missing.$": "$.nope.deep"}, "End": True}))
    result = run_definition(definition, {"other": 1})
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert result.cause == ("An error occurred while executing the state 'P' (entered at the event id #2). The "
                            "JSONPath '$.nope.deep' specified for the field 'missing.$' could not be found in the "
                            "input '{\"other\":1}'")


def test_result_path_into_a_string_is_a_result_path_match_failure():
    definition = machine(("P", {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b", "End": True}))
    result = run_definition(definition, {"a": "text"})
    assert result.error == "States.ResultPathMatchFailure"


def test_wait_advances_the_virtual_clock_only():
    definition = machine(("W", {"Type": "Wait", "Seconds": 86400, "End": True}))
    result = run_definition(definition, {})
    stamps = [event["timestamp"].timestamp() for event in result.history]
    assert stamps[-1] - stamps[0] == 86400


def test_wait_timestamp_path_and_past_timestamps():
    definition = machine(("W", {"Type": "Wait", "TimestampPath": "$.at", "End": True}))
    future = run_definition(definition, {"at": "2026-01-02T00:00:00Z"})
    assert future.history[-1]["timestamp"].timestamp() == DEFAULT_START + 86400
    past = run_definition(definition, {"at": "2020-01-01T00:00:00Z"})
    assert past.history[-1]["timestamp"].timestamp() == DEFAULT_START


def test_wait_seconds_path_must_be_a_non_negative_integer():
    definition = machine(("W", {"Type": "Wait", "SecondsPath": "$.s", "End": True}))
    result = run_definition(definition, {"s": -5})
    assert result.error == "States.Runtime"
    assert "negative" in result.cause


def test_choice_first_match_wins_then_default_then_no_choice_matched():
    definition = machine(
        ("C", {"Type": "Choice", "Choices": [
            {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
            {"And": [{"Variable": "$.s", "StringMatches": "srv-*"}, {"Not": {"Variable": "$.n", "IsNull": True}}],
             "Next": "Named"}]}),
        ("Big", {"Type": "Pass", "Result": "big", "End": True}),
        ("Named", {"Type": "Pass", "Result": "named", "End": True}))
    assert run_definition(definition, {"n": 50, "s": "srv-1"}).output == "big"
    assert run_definition(definition, {"n": 5, "s": "srv-1"}).output == "named"
    unmatched = run_definition(definition, {"n": 5, "s": "db-1"})
    assert unmatched.error == "States.NoChoiceMatched"
    assert unmatched.cause.startswith("An error occurred while executing the state 'C'")


def test_choice_on_a_missing_variable_is_a_runtime_error_but_is_present_asks_safely():
    definition = machine(
        ("C", {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Has"}],
               "Default": "Cmp"}),
        ("Cmp", {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "Has"}]}),
        ("Has", {"Type": "Succeed"}))
    assert run_definition(definition, {"x": 1}).status == "SUCCEEDED"
    assert run_definition(definition, {}).error == "States.Runtime"


def test_retry_backoff_is_exponential_capped_and_counted_per_retrier():
    handler = flaky(4)
    definition = machine(("T", {"Type": "Task", "Resource": FN + "F", "End": True, "Retry": [
        {"ErrorEquals": ["Other"], "MaxAttempts": 1},
        {"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 3.0, "MaxAttempts": 4,
         "MaxDelaySeconds": 10}]}))
    result = run_definition(definition, {}, handlers={"F": handler})
    assert result.status == "SUCCEEDED"
    scheduled = [e["timestamp"].timestamp() - DEFAULT_START for e in result.history
                 if e["type"] == "LambdaFunctionScheduled"]
    assert scheduled == [0, 2, 8, 18, 28]  # 2, 6, then capped at 10 twice


def test_backoff_without_max_delay_is_clamped_to_the_execution_limit_instead_of_overflowing():
    retrier = Retrier({"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "BackoffRate": 2.0})
    assert retrier.delay(3, random.Random(0)) == 8
    assert retrier.delay(5000, random.Random(0)) == MAX_EXECUTION_SECONDS


def test_retries_exhausted_go_to_the_catcher_with_error_and_cause():
    definition = machine(
        ("T", {"Type": "Task", "Resource": FN + "F", "Next": "Done",
               "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 2, "IntervalSeconds": 1}],
               "Catch": [{"ErrorEquals": ["Nope"], "Next": "Done"},
                         {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}]}),
        ("Recover", {"Type": "Pass", "End": True}),
        ("Done", {"Type": "Succeed"}))
    handler = flaky(10)
    result = run_definition(definition, {"id": 1}, handlers={"F": handler})
    assert len(handler.calls) == 3
    assert result.output["id"] == 1
    assert result.output["error"]["Error"] == "Flaky"
    assert '"errorMessage":"failure 3"' in result.output["error"]["Cause"]


def test_max_attempts_zero_never_retries():
    handler = flaky(1)
    definition = machine(("T", {"Type": "Task", "Resource": FN + "F", "End": True,
                                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]}))
    assert run_definition(definition, {}, handlers={"F": handler}).error == "Flaky"
    assert len(handler.calls) == 1


def test_states_all_does_not_catch_states_runtime():
    definition = machine(
        ("T", {"Type": "Task", "Resource": FN + "F", "InputPath": "$.missing", "End": True,
               "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]}),
        ("Caught", {"Type": "Succeed"}))
    result = run_definition(definition, {}, handlers={"F": lambda e, c: e})
    assert result.error == "States.Runtime"
    assert "Invalid path '$.missing'" in result.cause


def test_full_jitter_is_seeded_and_bounded():
    definition = machine(("T", {"Type": "Task", "Resource": FN + "F", "End": True, "Retry": [
        {"ErrorEquals": ["Flaky"], "IntervalSeconds": 100, "MaxAttempts": 3, "JitterStrategy": "FULL"}]}))

    def delays(seed):
        result = run_definition(definition, {}, handlers={"F": flaky(3)}, seed=seed)
        times = [e["timestamp"].timestamp() for e in result.history if e["type"] == "LambdaFunctionScheduled"]
        return [b - a for a, b in zip(times, times[1:])]
    first = delays(1)
    assert first == delays(1)
    assert first != delays(2)
    assert all(0 <= delay <= cap for delay, cap in zip(first, (100, 200, 400)))


def test_parallel_collects_branch_outputs_and_a_failing_branch_fails_the_state():
    branch = lambda name, state: {"StartAt": name, "States": {name: state}}  # noqa: E731
    ok = machine(("P", {"Type": "Parallel", "End": True, "Branches": [
        branch("One", {"Type": "Pass", "Result": 1, "End": True}),
        branch("Two", {"Type": "Wait", "Seconds": 5, "End": True})]}))
    assert run_definition(ok, {"x": 0}).output == [1, {"x": 0}]
    failing = machine(
        ("P", {"Type": "Parallel", "Next": "Done", "Branches": [
            branch("Slow", {"Type": "Wait", "Seconds": 60, "End": True}),
            branch("Boom", {"Type": "Fail", "Error": "Boom", "Cause": "branch 2"})],
            "Catch": [{"ErrorEquals": ["Boom"], "Next": "Done"}]}),
        ("Done", {"Type": "Pass", "End": True}))
    result = run_definition(failing, {})
    assert result.output == {"Error": "Boom", "Cause": "branch 2"}
    assert result.history[-1]["timestamp"] == result.history[0]["timestamp"], "the waiting sibling was cancelled"


def test_map_respects_max_concurrency_and_keeps_order():
    definition = machine(("M", {"Type": "Map", "MaxConcurrency": 2, "ItemsPath": "$.xs", "End": True,
                                "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                                "ItemProcessor": {"StartAt": "W", "States": {
                                    "W": {"Type": "Wait", "SecondsPath": "$.v", "End": True}}}}))
    result = run_definition(definition, {"xs": [30, 10, 20, 5]})
    assert result.output == [{"v": 30, "i": 0}, {"v": 10, "i": 1}, {"v": 20, "i": 2}, {"v": 5, "i": 3}]
    duration = result.history[-1]["timestamp"].timestamp() - DEFAULT_START
    assert duration == 35  # slots: [30 | 10, 20, 5] -> the second slot ends at 35


def test_distributed_map_tolerates_failures_up_to_the_threshold():
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "C",
                 "States": {"C": {"Type": "Choice", "Choices": [
                     {"Variable": "$", "NumericGreaterThan": 2, "Next": "Bad"}], "Default": "Good"},
                     "Bad": {"Type": "Fail", "Error": "TooBig"}, "Good": {"Type": "Succeed"}}}
    tolerant = machine(("M", {"Type": "Map", "ItemProcessor": processor, "ToleratedFailureCount": 1, "End": True}))
    result = run_definition(tolerant, [1, 2, 3])
    assert result.status == "SUCCEEDED"
    assert result.output[2] == {"Error": "TooBig", "Cause": ""}
    strict = machine(("M", {"Type": "Map", "ItemProcessor": processor, "ToleratedFailurePercentage": 10,
                            "End": True}))
    failed = run_definition(strict, [1, 2, 3])
    assert failed.error == "States.ExceedToleratedFailureThreshold"
    assert "MapIterationStarted" not in {event["type"] for event in failed.history}


def test_fail_state_reports_error_and_cause_from_paths():
    definition = machine(("F", {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('id {}', $.id)"}))
    result = run_definition(definition, {"e": "Custom", "id": 7})
    assert (result.status, result.error, result.cause) == ("FAILED", "Custom", "id 7")


def test_output_over_256_kib_fails_with_data_limit_exceeded():
    definition = machine(("P", {"Type": "Pass", "Parameters": {"big.$": "$.s"}, "ResultPath": "$.copy",
                                "End": True}))
    result = run_definition(definition, {"s": "x" * 200_000})
    assert result.error == "States.DataLimitExceeded"


def test_history_limit_fails_the_execution_and_can_be_lifted():
    loop = machine(("A", {"Type": "Pass", "Next": "A"}))
    result = run_definition(loop, {}, history_limit=100)
    assert (result.status, result.error) == ("FAILED", "States.Runtime")
    assert "maximum number of history events (100)" in result.cause
    assert len(result.history) == 101


def test_execution_timeout_times_the_execution_out():
    definition = {**machine(("W", {"Type": "Wait", "Seconds": 100, "End": True})), "TimeoutSeconds": 10}
    result = run_definition(definition, {})
    assert (result.status, result.error) == ("TIMED_OUT", "States.Timeout")
    assert result.history[-1]["type"] == "ExecutionTimedOut"


def test_start_execution_is_idempotent_for_the_same_name_and_input_while_running():
    runtime = LocalRuntime()
    runtime.register_state_machine("M", machine(("W", {"Type": "Wait", "Seconds": 10, "End": True})))
    first = runtime.start_execution("M", {"a": 1}, name="run-1")
    assert runtime.start_execution("M", {"a": 1}, name="run-1") is first
    with pytest.raises(ExecutionAlreadyExists):
        runtime.start_execution("M", {"a": 2}, name="run-1")
    runtime.run()
    with pytest.raises(ExecutionAlreadyExists):
        runtime.start_execution("M", {"a": 1}, name="run-1")
    assert runtime.stats["executions_started"] == 1


def test_many_executions_interleave_on_one_clock_and_repeat_exactly_with_the_same_seed():
    definition = machine(("T", {"Type": "Task", "Resource": FN + "F", "Next": "W", "Retry": [
        {"ErrorEquals": ["Flaky"], "JitterStrategy": "FULL", "IntervalSeconds": 30}]}),
        ("W", {"Type": "Wait", "SecondsPath": "$.wait", "End": True}))

    def run(seed):
        runtime = LocalRuntime({"F": flaky(2)}, seed=seed)
        runtime.register_state_machine("M", definition)
        executions = [runtime.start_execution("M", {"wait": 100 - i}) for i in range(20)]
        runtime.run()
        return [(ex.name, ex.status, ex.stop_time) for ex in executions]
    assert run(3) == run(3)
    assert all(status == "SUCCEEDED" for _, status, _ in run(3))


def test_run_until_stops_at_the_given_virtual_time():
    clock = VirtualClock()
    runtime = LocalRuntime(clock=clock)
    runtime.register_state_machine("M", machine(("W", {"Type": "Wait", "Seconds": 100, "End": True})))
    execution = runtime.start_execution("M", {})
    runtime.run(until=clock.now() + 50)
    assert (execution.status, clock.now()) == ("RUNNING", DEFAULT_START + 50)
    runtime.run()
    assert execution.status == "SUCCEEDED"


def test_register_refuses_an_invalid_definition_listing_every_problem():
    with pytest.raises(InvalidDefinition) as caught:
        LocalRuntime().register_state_machine("Bad", {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "Nowhere"}, "B": {"Type": "Wait", "End": True}}})
    assert any("Nowhere" in problem for problem in caught.value.problems)
    assert any(problem.startswith("State 'B'") for problem in caught.value.problems)


def test_definition_substitutions_are_applied_like_aws():
    runtime = LocalRuntime({"Real": lambda event, context: "routed"}, substitutions={"FnArn": FN + "Real"})
    runtime.register_state_machine("M", machine(("T", {"Type": "Task", "Resource": "${FnArn}", "End": True})))
    execution = runtime.start_execution("M", {})
    runtime.run()
    assert execution.output == "routed"


def test_variables_assigned_in_jsonpath_are_readable_later_and_inside_a_map():
    definition = machine(
        ("Set", {"Type": "Pass", "Assign": {"wave.$": "$.wave"}, "Next": "M"}),
        ("M", {"Type": "Map", "ItemsPath": "$.xs", "End": True, "ItemProcessor": {"StartAt": "Use", "States": {
            "Use": {"Type": "Pass", "Parameters": {"item.$": "$", "wave.$": "$wave"}, "End": True}}}}))
    assert run_definition(definition, {"wave": 7, "xs": [1]}).output == [{"item": 1, "wave": 7}]


def test_stop_execution_aborts_and_cancels_pending_waits():
    runtime = LocalRuntime()
    runtime.register_state_machine("M", machine(("W", {"Type": "Wait", "Seconds": 3600, "End": True})))
    execution = runtime.start_execution("M", {}, name="to-stop")
    runtime.run(until=runtime.clock.now() + 10)
    runtime.stop_execution("to-stop", error="Operator", cause="wave paused")
    runtime.run()
    assert (execution.status, execution.error) == ("ABORTED", "Operator")
    assert execution.history[-1]["type"] == "ExecutionAborted"
    assert runtime.clock.now() - execution.start_time == 10
