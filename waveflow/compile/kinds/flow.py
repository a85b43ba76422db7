"""Pass, Wait, Choice, Succeed, Fail: how each is checked and how it is written as ASL."""
from __future__ import annotations

from ...dsl.conditions import condition_problems
from ...dsl.data import Expr, path_problem, template
from ...dsl.durations import as_seconds, utc_timestamp
from ...dsl.flow import Choice, Fail, Pass, Succeed, Wait
from ..asl import Compilation, data_flow, emits, head, target_name
from ..jsonata import from_reference_path, single_field_problem, tolerant_fail
from ..validate import Checker, checks


@checks(Pass)
def check_pass(state: Pass, c: Checker) -> None:
    c.template(state, "parameters", state.parameters)
    c.path(state, "result_path", state.result_path)
    if state.parameters is not None and state.result is not None:
        c.say(state, f"{state.describe()}: give parameters= or result=, not both")


@checks(Wait)
def check_wait(state: Wait, c: Checker) -> None:
    given = [f for f in ("seconds", "seconds_path", "timestamp", "timestamp_path") if getattr(state, f) is not None]
    if len(given) != 1:
        c.say(state, f"{state.describe()} needs exactly one of seconds=, seconds_path=, timestamp=, timestamp_path=; "
                     f"got {', '.join(given) or 'none'}")
    if not isinstance(state.seconds, Expr):
        c.seconds(state, "seconds", state.seconds, minimum=0)
    c.path(state, "seconds_path", state.seconds_path)
    c.path(state, "timestamp_path", state.timestamp_path)


@checks(Choice)
def check_choice(state: Choice, c: Checker) -> None:
    if not state.choices:
        c.say(state, f"{state.describe()} has no way out: add .when(condition, next_state)")
    for condition, _ in state.choices:
        for problem in condition_problems(condition):
            c.say(state, f"{state.describe()}: condition: {problem}")


@checks(Fail)
def check_fail(state: Fail, c: Checker) -> None:
    c.path(state, "error_path", state.error_path)
    c.path(state, "cause_path", state.cause_path)
    if state.error is not None and state.error_path is not None:
        c.say(state, f"{state.describe()}: give error= or error_path=, not both")
    if state.cause is not None and state.cause_path is not None:
        c.say(state, f"{state.describe()}: give cause= or cause_path=, not both")
    if isinstance(state.cause_path, str) and not c.jsonata_of(state):  # written in JSONata: see emit_fail
        for label in ("error_path", "cause_path"):
            path = getattr(state, label)
            if isinstance(path, str) and path_problem(path) is None and (problem := single_field_problem(path)):
                c.say(state, f"{state.describe()}: {label}: {problem}")


@emits(Pass)
def emit_pass(state: Pass, c: Compilation) -> dict:
    out = head(state, "Pass", state.comment)
    if state.result is not None and not c.jsonata:
        out["Result"] = state.result
    data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None,
               output=state.result if c.jsonata else None)
    return out


@emits(Wait)
def emit_wait(state: Wait, c: Compilation) -> dict:
    out = head(state, "Wait", state.comment)
    if isinstance(state.seconds, Expr) or isinstance(state.timestamp, Expr):
        out["Seconds" if state.seconds is not None else "Timestamp"] = (state.seconds or state.timestamp).to_asl()
    elif state.seconds is not None:
        out["Seconds"] = int(as_seconds(state.seconds))
    elif state.seconds_path is not None:
        out["SecondsPath"] = state.seconds_path
    elif state.timestamp is not None:
        out["Timestamp"] = state.timestamp if isinstance(state.timestamp, str) else utc_timestamp(state.timestamp)
    elif state.timestamp_path is not None:
        out["TimestampPath"] = state.timestamp_path
    data_flow(state, out, c)
    return out


@emits(Choice)
def emit_choice(state: Choice, c: Compilation) -> dict:
    out = head(state, "Choice", state.comment)
    out["Choices"] = [{**condition.to_asl(), "Next": target_name(target)} for condition, target in state.choices]
    if state.default is not None:
        out["Default"] = target_name(state.default)
    data_flow(state, out, c)
    return out


@emits(Succeed)
def emit_succeed(state: Succeed, c: Compilation) -> dict:
    out = head(state, "Succeed", state.comment)
    data_flow(state, out, c)
    return out


@emits(Fail)
def emit_fail(state: Fail, c: Compilation) -> dict:
    """A Fail that reads its cause from the input is written in JSONata, so that it still ends with the error
    when the cause is missing (see ``tolerant_fail``); everything else is written as given."""
    if state.cause_path is not None and not c.jsonata:
        out: dict = {"Type": "Fail", "QueryLanguage": "JSONata"}
        if state.comment:
            out["Comment"] = state.comment
        if state.error is not None:
            out["Error"] = state.error
        error = from_reference_path(state.error_path) if state.error_path is not None else None
        out.update(tolerant_fail(error, from_reference_path(state.cause_path)))
        return out
    out = head(state, "Fail", state.comment)
    for field, key in (("error", "Error"), ("error_path", "ErrorPath"), ("cause", "Cause"),
                       ("cause_path", "CausePath")):
        value = getattr(state, field)
        if value is not None:
            out[key] = value.to_asl() if isinstance(value, Expr) else value
    return out
