"""The stack's functions in process: each invocation in its own environment, with a Lambda context of its own,
counted; the process environment untouched afterwards."""

from __future__ import annotations

import os

import pytest
from twin_stacks import small_stack

from waveflow.local.scheduler import Scheduler
from waveflow.local.clock import VirtualClock
from waveflow.local.twin.functions import Functions


@pytest.fixture
def functions(handler_calls, monkeypatch):
    monkeypatch.setenv("WAVEFLOW_CMF_SECRET_ID", "left-over-in-the-process")
    monkeypatch.setenv("WAVEFLOW_EVENT_BUS", "the-process-bus")
    return Functions(small_stack(), Scheduler(VirtualClock(), seed=3), lambda *args: None)


def test_a_function_sees_its_own_waveflow_settings_only_and_the_process_keeps_its_own(functions, handler_calls):
    functions["Recorder"]({"x": 1})
    functions["Batch"]({"Records": []})

    recorder, batch = handler_calls.CALLS
    assert recorder["env"]["WAVEFLOW_WAVE_TABLE"] == "waves" and "WAVEFLOW_CMF_SECRET_ID" not in recorder["env"]
    assert "WAVEFLOW_WAVE_TABLE" not in batch["env"]  # set by another function only
    assert recorder["event_bus"] == "bus"  # the tasks' configuration is read again, from the function's variables
    assert os.environ["WAVEFLOW_EVENT_BUS"] == "the-process-bus" and "WAVEFLOW_WAVE_TABLE" not in os.environ
    assert os.environ["WAVEFLOW_CMF_SECRET_ID"] == "left-over-in-the-process"


def test_a_waveflow_variable_the_process_gains_later_is_hidden_too(functions, handler_calls, monkeypatch):
    monkeypatch.setenv("WAVEFLOW_LATECOMER", "set-after-the-functions-were-built")
    functions["Recorder"]({})
    [call] = handler_calls.CALLS
    assert "WAVEFLOW_LATECOMER" not in call["env"]
    assert os.environ["WAVEFLOW_LATECOMER"] == "set-after-the-functions-were-built"


def test_the_context_is_the_functions_own_on_the_twins_clock(functions, handler_calls):
    functions["Recorder"]({})
    [call] = handler_calls.CALLS
    assert (call["function"], call["memory"], call["remaining_ms"]) == ("Recorder", 512, 30_000)


def test_invocations_errors_and_billed_time_are_counted(functions):
    functions["Recorder"]({})
    with pytest.raises(RuntimeError, match="always fails"):
        functions["Crash"]({})
    recorder, crash = functions["Recorder"].counters, functions["Crash"].counters
    assert (recorder.invocations, recorder.errors, crash.invocations, crash.errors) == (1, 0, 1, 1)
    assert recorder.billed_ms >= 1 and recorder.gb_seconds(512) == recorder.billed_ms / 1000 / 2


def test_an_unknown_function_or_handler_is_named(functions, moto_session):
    from waveflow.local.twin.functions import LocalFunction
    from waveflow.local.twin.stack import Function
    with pytest.raises(KeyError, match="no function 'Nope'; its functions: Batch, BrokenReport, Crash, Recorder"):
        functions["Nope"]
    broken = LocalFunction(Function("Lost", "twin_handlers.missing"), small_stack(), VirtualClock(), lambda: "r")
    with pytest.raises(LookupError, match="function Lost: cannot import its handler twin_handlers.missing"):
        broken({})
