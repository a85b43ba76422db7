"""Poll: a sensor loop written as JSONPath states inside a one-branch Parallel."""
from __future__ import annotations

from ...dsl.conditions import Var, condition_problems, not_a_condition
from ...dsl.durations import as_seconds, readable
from ...dsl.poll import Poll
from ...dsl.tasks import LambdaTask
from ..asl import Compilation, data_flow, emits, head
from ..validate import Checker, checks
from .tasks import emit_lambda

#: The loop's counters, variables of the Poll's own branch (see ``emit_poll``).
ATTEMPT, ELAPSED, INTERVAL = "$waveflowPollAttempt", "$waveflowPollElapsed", "$waveflowPollInterval"


@checks(Poll)
def check_poll(state: Poll, c: Checker) -> None:
    c.handler(state, "check", state.handler_path, "the handler that looks at the status")
    if state.until is None:
        c.say(state, f"{state.describe()} needs until= (e.g. until=Var('$.replication.ready') == True)")
    elif problem := not_a_condition(state.until):
        c.say(state, f"{state.describe()}: until= needs a condition: {problem}")
    else:
        for problem in condition_problems(state.until):
            c.say(state, f"{state.describe()}: until: {problem}")
    if state.interval is None:
        c.say(state, f"{state.describe()} needs interval= (e.g. interval=minutes(1))")
    if state.timeout is None:
        c.say(state, f"{state.describe()} has no timeout; add timeout=hours(24)")
    c.seconds(state, "interval", state.interval)
    c.seconds(state, "max_interval", state.max_interval)
    c.seconds(state, "timeout", state.timeout)
    if not isinstance(state.backoff, (int, float)) or state.backoff < 1.0:
        c.say(state, f"{state.describe()}: backoff must be >= 1.0, got {state.backoff!r}")
    if isinstance(state.interval, int) and isinstance(state.max_interval, int) and state.max_interval < state.interval:
        c.say(state, f"{state.describe()}: max_interval ({readable(state.max_interval)}) is shorter than interval "
                     f"({readable(state.interval)})")
    if state.max_polls is not None and (not isinstance(state.max_polls, int) or state.max_polls < 1):
        c.say(state, f"{state.describe()}: max_polls must be a whole number >= 1, got {state.max_polls!r}")
    keeps = "a Poll passes the whole document to its check and keeps what the check returns"
    c.unused(state, {name: keeps for name in ("parameters", "arguments", "result_selector", "result_path")})
    if isinstance(state.backoff, (int, float)) and state.backoff > 1.0 and state.max_interval is None:
        c.say(state, f"{state.describe()}: a growing interval (backoff={state.backoff}) needs max_interval= "
                     f"to stay bounded")


@emits(Poll)
def emit_poll(state: Poll, c: Compilation) -> dict:
    """check -> decide -> (done | timed out | wait -> count [-> grow] -> check), inside a one-branch Parallel.

    The counters are workflow variables of the branch (``$waveflowPollAttempt``, ``$waveflowPollElapsed``,
    ``$waveflowPollInterval``), not fields of the document: the check may return any document it likes without
    losing them, and they end with the branch, so nothing of the loop is left in the Poll's output.
    """
    n = state.name
    schedule = state.schedule() if isinstance(state.interval, int) else [1]
    max_polls = state.max_polls
    timeout = int(as_seconds(state.timeout)) if isinstance(as_seconds(state.timeout), (int, float)) else 0
    error = state.timeout_error or f"{n}TimedOut"
    check = LambdaTask(f"{n}Check", handler=state.check, retry=state.retry, on_failure=False)
    c._catch_to.append(None)
    check_body = emit_lambda(check, c)
    c._catch_to.pop()
    check_body["Next"] = f"{n}Decide"
    limits = [Var(ELAPSED) >= timeout] + ([Var(ATTEMPT) >= max_polls - 1] if max_polls else [])
    give_up = (limits[0] | limits[1]).to_asl() if len(limits) == 2 else limits[0].to_asl()
    branch_states = {
        f"{n}Start": {"Type": "Pass", "Comment": "Start counting checks and waiting time",
                      "Assign": {ATTEMPT[1:]: 0, ELAPSED[1:]: 0, INTERVAL[1:]: schedule[0]}, "Next": f"{n}Check"},
        f"{n}Check": check_body,
        f"{n}Decide": {"Type": "Choice", "Choices": [
            {**state.until.to_asl(), "Next": f"{n}Done"} if state.until is not None else {"Next": f"{n}Done"},
            {**give_up, "Next": f"{n}TimedOut"}],
            "Default": f"{n}Wait"},
        f"{n}Wait": {"Type": "Wait", "SecondsPath": INTERVAL, "Next": f"{n}Count"},
        f"{n}Count": {"Type": "Pass", "Assign": {
            f"{ATTEMPT[1:]}.$": f"States.MathAdd({ATTEMPT}, 1)",
            f"{ELAPSED[1:]}.$": f"States.MathAdd({ELAPSED}, {INTERVAL})"},
            "Next": f"{n}Backoff" if len(schedule) > 1 else f"{n}Check"},
        f"{n}TimedOut": {"Type": "Fail", "Error": error,
                         "Cause": f"{n} gave up after {timeout} seconds of waiting"
                         + (f" or {max_polls} checks" if max_polls else "")},
        f"{n}Done": {"Type": "Succeed"},
    }
    if len(schedule) > 1:
        steps = ", ".join(str(s) for s in schedule)
        branch_states[f"{n}Backoff"] = {"Type": "Choice", "Choices": [
            {**(Var(ATTEMPT) < len(schedule)).to_asl(), "Next": f"{n}Grow"}], "Default": f"{n}Check"}
        branch_states[f"{n}Grow"] = {"Type": "Pass", "Comment": "Next wait from the backoff schedule", "Assign": {
            f"{INTERVAL[1:]}.$": f"States.ArrayGetItem(States.Array({steps}), {ATTEMPT})"}, "Next": f"{n}Check"}
    if state.until is None:
        branch_states[f"{n}Decide"]["Choices"].pop(0)
    for name in branch_states:
        c.name(name, state)
    out = head(state, "Parallel", state.comment or f"Poll until done: every {schedule[0]}s"
                + (f", growing x{state.backoff} up to {schedule[-1]}s" if len(schedule) > 1 else "")
                + f", for at most {timeout}s")
    out["Branches"] = [{"StartAt": f"{n}Start", "States": branch_states}]
    user = state.output_path[1:] if isinstance(state.output_path, str) else ""
    data_flow(state, out, c, output_path="$[0]" + user)
    return out
