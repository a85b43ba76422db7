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
    c.path(state, "interval_path", state.interval_path)
    keeps = "a Poll passes the whole document to its check and keeps what the check returns"
    c.unused(state, {name: keeps for name in ("parameters", "arguments", "result_selector", "result_path")})
    if isinstance(state.backoff, (int, float)) and state.backoff > 1.0 and state.max_interval is None:
        c.say(state, f"{state.describe()}: a growing interval (backoff={state.backoff}) needs max_interval= "
                     f"to stay bounded")


@emits(Poll)
def emit_poll(state: Poll, c: Compilation) -> dict:
    """start -> check -> decide -> (done | timed out | wait -> check), inside a one-branch Parallel (with
    ``wait_first``, start -> wait -> check -> ...: the start picks the first wait).

    A pass costs three state transitions (check, decide, wait): the Choice that decides also picks the next wait
    and counts, in the Assign of the rule it takes — the check's ``interval_path`` kept between the first interval
    and ``max_interval``, else the backoff schedule's step for this pass. The counters are workflow variables of
    the branch (``$waveflowPollAttempt``, ``$waveflowPollElapsed``, ``$waveflowPollInterval``), not fields of the
    document: the check may return any document it likes without losing them, and they end with the branch, so
    nothing of the loop is left in the Poll's output.
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
    stops = [Var(ELAPSED) >= timeout] + ([Var(ATTEMPT) >= max_polls - 1] if max_polls else [])
    give_up = (stops[0] | stops[1]).to_asl() if len(stops) == 2 else stops[0].to_asl()
    limits = (schedule[0], schedule[-1] if state.max_interval is None else int(state.max_interval))
    steps = schedule[1:] or schedule if state.wait_first else schedule  # a wait_first Poll took the first already
    waits = _next_waits(state.interval_path, limits, steps, f"{n}Wait")
    choices = [{**state.until.to_asl(), "Next": f"{n}Done"}] if state.until is not None else []
    choices += [{**give_up, "Next": f"{n}TimedOut"}, *waits]
    start = {"Type": "Pass", "Comment": "Start counting checks and waiting time",
             "Assign": {ATTEMPT[1:]: 0, ELAPSED[1:]: 0}, "Next": f"{n}Check"}
    if state.wait_first and state.interval_path is None:
        start = {**start, "Assign": _first(schedule[0]), "Next": f"{n}Wait"}
    elif state.wait_first:
        start = {"Type": "Choice", "Comment": "Wait before the first check: start counting, pick the first wait",
                 "Choices": _bounded(state.interval_path, limits, f"{n}Wait", _first), "Default": f"{n}Wait",
                 "Assign": _first(schedule[0])}
    branch_states = {
        f"{n}Start": start,
        f"{n}Check": check_body,
        f"{n}Decide": {"Type": "Choice", "Comment": "Done, out of time, or pick the next wait",
                       "Choices": choices, "Default": f"{n}Wait", "Assign": _waiting(schedule[-1])},
        f"{n}Wait": {"Type": "Wait", "SecondsPath": INTERVAL, "Next": f"{n}Check"},
        f"{n}TimedOut": {"Type": "Fail", "Error": error,
                         "Cause": f"{n} gave up after {timeout} seconds of waiting"
                         + (f" or {max_polls} checks" if max_polls else "")},
        f"{n}Done": {"Type": "Succeed"},
    }
    for name in branch_states:
        c.name(name, state)
    out = head(state, "Parallel", state.comment or f"Poll until done: every {schedule[0]}s"
                + (f", growing x{state.backoff} up to {schedule[-1]}s" if len(schedule) > 1 else "")
                + (f", or when {state.interval_path} says" if state.interval_path else "")
                + f", for at most {timeout}s")
    out["Branches"] = [{"StartAt": f"{n}Start", "States": branch_states}]
    user = state.output_path[1:] if isinstance(state.output_path, str) else ""
    data_flow(state, out, c, output_path="$[0]" + user)
    return out


def _waiting(seconds) -> dict:
    """The Assign of a rule that waits ``seconds`` (a number, or a path or intrinsic giving one) next."""
    if isinstance(seconds, int):
        return {INTERVAL[1:]: seconds, f"{ATTEMPT[1:]}.$": f"States.MathAdd({ATTEMPT}, 1)",
                f"{ELAPSED[1:]}.$": f"States.MathAdd({ELAPSED}, {seconds})"}
    return {f"{INTERVAL[1:]}.$": seconds, f"{ATTEMPT[1:]}.$": f"States.MathAdd({ATTEMPT}, 1)",
            f"{ELAPSED[1:]}.$": f"States.MathAdd({ELAPSED}, {seconds})"}


def _first(seconds) -> dict:
    """The Assign of a ``wait_first`` Poll's start that waits ``seconds`` before the first check."""
    key = INTERVAL[1:] if isinstance(seconds, int) else f"{INTERVAL[1:]}.$"
    return {key: seconds, ATTEMPT[1:]: 0, (ELAPSED[1:] if isinstance(seconds, int) else f"{ELAPSED[1:]}.$"): seconds}


def _bounded(path: str | None, limits: tuple[int, int], wait: str, assign) -> list[dict]:
    """Rules taking the wait from ``path``, kept within ``limits`` (the first interval, ``max_interval``)."""
    if path is None:
        return []
    given = Var(path).is_present() & Var(path).is_numeric()
    floor, cap = limits
    return [{**(given & (Var.number(path) < floor)).to_asl(), "Next": wait, "Assign": assign(floor)},
            {**(given & (Var.number(path) > cap)).to_asl(), "Next": wait, "Assign": assign(cap)},
            {**given.to_asl(), "Next": wait, "Assign": assign(path)}]


def _next_waits(path: str | None, limits: tuple[int, int], steps: list[int], wait: str) -> list[dict]:
    """The rules that pick the next wait: the check's own (bounded), then the backoff schedule's step."""
    rules = _bounded(path, limits, wait, _waiting)
    if len(steps) > 1:
        step = f"States.ArrayGetItem(States.Array({', '.join(str(s) for s in steps)}), {ATTEMPT})"
        rules.append({**(Var(ATTEMPT) < len(steps)).to_asl(), "Next": wait, "Assign": _waiting(step)})
    return rules
