"""The interpreter never hangs, never eats the machine, never tracebacks: each hostile input ends in an ASL error
(or is refused as invalid) after a bounded amount of work, and seeded randomness behaves as documented."""
import math
import sys
import threading
import time

import pytest

from waveflow.local import jsonata_limits
from waveflow.local.errors import InvalidDefinition, InvalidExecutionInput, StatesError
from waveflow.local.jsonata import compile_expression
from waveflow.local.limits import MAX_NESTING_DEPTH
from waveflow.local.runtime import LocalRuntime, run_definition

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def task(name, **fields):
    return {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN + name, "End": True, **fields}}}


def nested(depth):
    value = 0
    for _ in range(depth):
        value = [value]
    return value


def test_importing_jsonata_leaves_the_recursion_limit_alone():
    assert sys.getrecursionlimit() < 10_000


def test_a_handler_calling_sys_exit_is_a_task_failure_never_a_success():
    def leave(event, context):
        sys.exit(0)
    result = run_definition(task("Leave"), {}, handlers={"Leave": leave})
    assert (result.status, result.error) == ("FAILED", "Runtime.ExitError")
    assert "Runtime exited without providing a reason" in result.cause


def test_a_handler_returning_nan_is_lambdas_marshal_error():
    result = run_definition(task("Nan"), {}, handlers={"Nan": lambda event, context: {"x": math.nan}})
    assert (result.status, result.error) == ("FAILED", "Runtime.MarshalError")


def test_a_hung_handler_times_out_timeout_seconds_after_it_was_scheduled():
    def hang(event, context):
        time.sleep(3)
    result = run_definition(task("Hang", TimeoutSeconds=1), {}, handlers={"Hang": hang})
    stamps = {e["type"]: e["timestamp"].timestamp() for e in result.history}
    assert result.error == "States.Timeout"
    assert stamps["LambdaFunctionTimedOut"] - stamps["LambdaFunctionScheduled"] == 1


def test_a_handler_that_swallows_the_timeout_and_hangs_on_times_out_and_the_run_goes_on():
    swallowed = []

    def stubborn(event, context):
        for _ in range(3):
            try:
                time.sleep(3)
            except BaseException as exc:  # noqa: B036 - a handler that catches everything, the worst case
                swallowed.append(type(exc).__name__)
        return {"late": True}
    definition = task("Stubborn", TimeoutSeconds=1, Next="After")
    definition["States"]["T"].pop("End")
    definition["States"]["After"] = {"Type": "Pass", "Result": "went on", "End": True}
    definition["States"]["T"]["Catch"] = [{"ErrorEquals": ["States.Timeout"], "Next": "After"}]
    result = run_definition(definition, {}, handlers={"Stubborn": stubborn})
    assert (result.status, result.output) == ("SUCCEEDED", "went on")
    assert "LambdaFunctionTimedOut" in {e["type"] for e in result.history}
    assert swallowed and set(swallowed) == {"HandlerInterrupted"}


def test_a_handler_that_raises_an_error_of_its_own_past_its_limit_has_timed_out():
    def slow_failure(event, context):
        try:
            time.sleep(3)
        except BaseException:  # noqa: B036 - the timeout, answered with an error of the handler's own
            raise RuntimeError("too late to matter") from None
    result = run_definition(task("Slow", TimeoutSeconds=1), {}, handlers={"Slow": slow_failure})
    assert result.error == "States.Timeout"


def test_a_hung_handler_times_out_when_the_engine_runs_on_another_thread():
    def hang(event, context):
        time.sleep(3)
    results = []
    worker = threading.Thread(target=lambda: results.append(
        run_definition(task("Hang", TimeoutSeconds=1), {}, handlers={"Hang": hang})))
    worker.start()
    worker.join()
    assert results[0].error == "States.Timeout"


def test_a_handler_whose_own_execution_hangs_past_the_outer_limit_times_out_the_outer_task():
    def hang(event, context):
        time.sleep(5)

    def outer(event, context):  # runs an execution of its own, whose task may take 4 s: the outer limit is 1 s
        inner = run_definition(task("Hang", TimeoutSeconds=4), {}, handlers={"Hang": hang})
        return {"inner": inner.status}
    result = run_definition(task("Outer", TimeoutSeconds=1), {}, handlers={"Outer": outer})
    assert result.error == "States.Timeout"
    assert run_definition(task("Quick", TimeoutSeconds=1), {}, handlers={"Quick": lambda e, c: 1}).output == 1


def test_full_jitter_draws_retry_delays_from_zero_to_the_interval():
    def fail(event, context):
        raise RuntimeError("again")
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 100, "BackoffRate": 1.0, "MaxAttempts": 40,
              "JitterStrategy": "FULL"}]
    result = run_definition(task("Fail", Retry=retry), {}, handlers={"Fail": fail}, seed=3)
    stamps = [e["timestamp"].timestamp() for e in result.history if e["type"] == "LambdaFunctionScheduled"]
    gaps = [later - earlier for earlier, later in zip(stamps, stamps[1:])]
    assert len(gaps) == 40 and all(0 <= gap <= 100 for gap in gaps)
    assert min(gaps) < 50 < max(gaps)  # the whole range is used, not only its upper half


def test_the_seed_decides_the_jitter():
    def fail(event, context):
        raise RuntimeError("again")
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 100, "MaxAttempts": 3, "JitterStrategy": "FULL"}]

    def elapsed(seed):
        history = run_definition(task("Fail", Retry=retry), {}, handlers={"Fail": fail}, seed=seed).history
        return history[-1]["timestamp"] - history[0]["timestamp"]
    assert elapsed(1) == elapsed(1)
    assert elapsed(1) != elapsed(2)


def test_a_parallel_nested_two_thousand_deep_is_refused_as_invalid():
    branch = {"StartAt": "Leaf", "States": {"Leaf": {"Type": "Pass", "End": True}}}
    for level in range(2000):
        branch = {"StartAt": f"P{level}", "States": {f"P{level}": {"Type": "Parallel", "Branches": [branch],
                                                                    "End": True}}}
    with pytest.raises(InvalidDefinition, match="nested more than"):
        LocalRuntime().register_state_machine("Deep", branch)


@pytest.mark.parametrize("depth", [MAX_NESTING_DEPTH + 1, 100_000])
def test_deeply_nested_input_is_refused_with_a_clear_message(depth):
    runtime = LocalRuntime()
    runtime.register_state_machine("M", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    with pytest.raises(InvalidExecutionInput, match="nested more than"):
        runtime.start_execution("M", nested(depth))


def test_input_at_the_nesting_limit_runs_through_parallel_and_jsonata():
    definition = {"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "J", "States": {"J": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input %}",
                                          "End": True}}}]}}}
    result = run_definition(definition, nested(MAX_NESTING_DEPTH - 1))
    assert result.status == "SUCCEEDED", result.cause


def test_an_endless_jsonata_loop_ends_in_a_query_evaluation_error():
    evaluate = compile_expression("{% ($f := function($x){ $f($x + 1) }; $f(1)) %}", "Output")
    with pytest.raises(StatesError) as caught:
        evaluate({}, None)
    assert caught.value.error == "States.QueryEvaluationError"
    assert caught.value.cause.endswith(": " + jsonata_limits.TIMEOUT)


class _Frame:
    is_parallel_call = False


def test_the_meter_allows_exactly_its_step_budget():
    meter, frame = jsonata_limits.Meter(), _Frame()
    for _ in range(jsonata_limits.MAX_STEPS):
        meter._enter(None, None, frame)
        meter._leave(None, None, frame, None)
    with pytest.raises(jsonata_limits.EvaluationBound, match="timeout"):
        meter._enter(None, None, frame)


def test_the_meter_allows_exactly_its_depth():
    meter, frame = jsonata_limits.Meter(), _Frame()
    for _ in range(jsonata_limits.MAX_DEPTH):
        meter._enter(None, None, frame)
    with pytest.raises(jsonata_limits.EvaluationBound, match="Stack overflow"):
        meter._enter(None, None, frame)
