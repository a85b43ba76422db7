"""Loads the ASL conformance fixtures and turns their declarative parts into Python.

A fixture file (`*.json` beside this module) holds `{"cases": [...]}`; each case is a small ASL
document with its input, the stub Lambda handlers it needs, and what Step Functions is documented
to do with it. Handlers and checks are a small vocabulary interpreted here, so no case needs Python
of its own and the same documents can be replayed through other engines (moto's executor).

Case fields:
    name        unique id (test id)
    rule        developer-guide page and the sentence the case checks
    definition  the ASL document
    input       execution input; `{"$repeat": "x", "times": N}` anywhere expands to a long string, `{"$nest": N}`
                to N arrays nested in one another
    handlers    {FunctionName: behaviour}, see `HandlerStub` (return, echo, raise, fail_times,
                sequence, answer_token for .waitForTaskToken workers)
    options     extra keyword arguments for `run_definition` (history_limit, seed)
    expect      {"status", "output", "error" | "error_any_of", "cause_contains", "checks": [...]}
    invalid     {"problems_mention": [...]}: `validate_definition` must refuse the document
    xfail       reason naming the rule the engine breaks (case still runs, strict)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from waveflow.local.errors import LocalRuntimeError
from waveflow.local.runtime import ExecutionResult, LocalRuntime, run_definition

FIXTURE_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Case:
    """One conformance case as read from a fixture file."""

    name: str
    rule: str
    definition: dict
    input: Any = None
    handlers: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    expect: dict = field(default_factory=dict)
    invalid: dict | None = None
    xfail: str | None = None
    source: str = ""


def load_cases(directory: Path = FIXTURE_DIR) -> list[Case]:
    """Every case of every fixture file, in file then array order; names must be unique."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.json")):
        for raw in json.loads(path.read_text())["cases"]:
            unknown = set(raw) - set(Case.__dataclass_fields__)
            if unknown:
                raise ValueError(f"{path.name}: case {raw.get('name')!r} has unknown fields {sorted(unknown)}")
            cases.append(Case(source=path.name, **raw))
    seen: set[str] = set()
    for case in cases:
        if case.name in seen:
            raise ValueError(f"{case.source}: duplicate case name {case.name!r}")
        seen.add(case.name)
    return cases


def expand_input(value: Any) -> Any:
    """Expand `{"$repeat": s, "times": n}` into `s * n` and `{"$nest": n}` into `[[...[0]...]]` (n arrays) so big
    or deep payloads stay out of the fixtures."""
    if isinstance(value, dict):
        if set(value) == {"$repeat", "times"}:
            return value["$repeat"] * value["times"]
        if set(value) == {"$nest"}:
            nested = 0
            for _ in range(value["$nest"]):
                nested = [nested]
            return nested
        return {key: expand_input(item) for key, item in value.items()}
    if isinstance(value, list):
        return [expand_input(item) for item in value]
    return value


# --- stub handlers -------------------------------------------------------------------------------

_ERROR_CLASSES: dict[str, type[Exception]] = {}


def error_class(name: str) -> type[Exception]:
    """An exception class whose __name__ is `name`: Step Functions reports the class name as Error."""
    if name not in _ERROR_CLASSES:
        _ERROR_CLASSES[name] = type(name, (Exception,), {})
    return _ERROR_CLASSES[name]


def _outcome_return(stub: "HandlerStub", spec: dict, event: Any) -> Any:
    return spec["return"]


def _outcome_echo(stub: "HandlerStub", spec: dict, event: Any) -> Any:
    return event


def _outcome_raise(stub: "HandlerStub", spec: dict, event: Any) -> Any:
    raise error_class(spec["raise"])(spec.get("message", f"{spec['raise']} raised by the stub"))


def _outcome_answer_token(stub: "HandlerStub", spec: dict, event: Any) -> Any:
    """Play the worker of a .waitForTaskToken task: heartbeat at the given offsets, then answer (or not).

    `{"answer_token": {"token_path": "$.token", "heartbeats": [s, ...], "after": s, "output": X}}`;
    `"error"`/`"cause"` instead of `"output"` send SendTaskFailure; no `"after"` never answers.
    Errors the API returns to the worker (TaskTimedOut, ...) are kept in `stub.token_errors`.
    """
    plan, runtime = spec["answer_token"], stub.runtime
    token, now = read_path(event, plan.get("token_path", "$.token")), runtime.clock.now()

    def as_worker(call: Callable[[], None]) -> Callable[[], None]:
        def send() -> None:
            try:
                call()
            except LocalRuntimeError as exc:
                stub.token_errors.append(type(exc).__name__)
        return send

    for offset in plan.get("heartbeats", []):
        runtime.call_at(now + offset, as_worker(lambda: runtime.send_task_heartbeat(token)))
    if "after" in plan:
        if "error" in plan:
            answer = lambda: runtime.send_task_failure(token, plan["error"], plan.get("cause"))  # noqa: E731
        else:
            answer = lambda: runtime.send_task_success(token, json.dumps(plan.get("output")))  # noqa: E731
        runtime.call_at(now + plan["after"], as_worker(answer))
    return {"accepted": True}


OUTCOMES: dict[str, Callable[["HandlerStub", dict, Any], Any]] = {
    "return": _outcome_return,
    "echo": _outcome_echo,
    "raise": _outcome_raise,
    "answer_token": _outcome_answer_token,
}


def _plan_single(spec: dict) -> list[dict]:
    return [spec]


def _plan_sequence(spec: dict) -> list[dict]:
    return list(spec["sequence"])


def _plan_fail_times(spec: dict) -> list[dict]:
    failure = {"raise": spec["raise"], "message": spec.get("message", "transient")}
    final = {"return": spec["then_return"]} if "then_return" in spec else {"echo": True}
    return [failure] * spec["fail_times"] + [final]


PLANS: dict[str, Callable[[dict], list[dict]]] = {
    "sequence": _plan_sequence,
    "fail_times": _plan_fail_times,
}


class HandlerStub:
    """A Lambda handler built from a fixture behaviour; records every event it receives.

    Behaviours: `{"return": X}`, `{"echo": true}`, `{"raise": "Name", "message": "..."}`,
    `{"fail_times": n, "raise": "Name", "then_return": X}` (echo when `then_return` is absent),
    `{"sequence": [behaviour, ...]}` (one per call, the last one repeats), and `answer_token` (see above).
    A stub that answers task tokens needs `runtime` (the LocalRuntime running it) set before the run.
    """

    def __init__(self, name: str, spec: dict):
        self.name = name
        plan_key = next((key for key in PLANS if key in spec), None)
        self.plan = PLANS[plan_key](spec) if plan_key else _plan_single(spec)
        for step in self.plan:
            kinds = [key for key in OUTCOMES if key in step]
            if len(kinds) != 1:
                raise ValueError(f"handler {name!r}: behaviour {step} needs exactly one of {sorted(OUTCOMES)}")
        self.events: list[Any] = []
        self.runtime = None
        self.token_errors: list[str] = []

    @property
    def answers_tokens(self) -> bool:
        return any("answer_token" in step for step in self.plan)

    def __call__(self, event: Any, context: Any) -> Any:
        step = self.plan[min(len(self.events), len(self.plan) - 1)]
        self.events.append(event)
        kind = next(key for key in OUTCOMES if key in step)
        return OUTCOMES[kind](self, step, event)


def build_handlers(specs: dict) -> dict[str, HandlerStub]:
    """One stub per function name; `$repeat` in a behaviour expands like in inputs."""
    return {name: HandlerStub(name, expand_input(spec)) for name, spec in specs.items()}


# --- running a case -----------------------------------------------------------------------------

def execute(case: Case) -> tuple[Any, dict[str, HandlerStub]]:
    """Run a case through `run_definition`; cases whose stubs answer task tokens need the runtime
    itself (SendTaskSuccess/Failure/Heartbeat on the virtual clock), so they use LocalRuntime."""
    stubs = build_handlers(case.handlers)
    document = expand_input(case.input)
    if not any(stub.answers_tokens for stub in stubs.values()):
        return run_definition(case.definition, document, handlers=stubs, **case.options), stubs
    runtime = LocalRuntime(stubs, **case.options)
    for stub in stubs.values():
        stub.runtime = runtime
    runtime.register_state_machine("Conformance", case.definition)
    execution = runtime.start_execution("Conformance", document, name=case.name[:80])
    runtime.run()
    return ExecutionResult(execution.status, execution.output, execution.error, execution.cause,
                           execution.history, execution.arn), stubs


# --- reading results -----------------------------------------------------------------------------

_PATH_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def read_path(document: Any, path: str) -> Any:
    """Plain reader for `$.a.b[0]` paths used by checks (deliberately not the engine's)."""
    if not path.startswith("$"):
        raise ValueError(f"check path {path!r} must start with '$'")
    position, value = 1, document
    while position < len(path):
        match = _PATH_TOKEN.match(path, position)
        if not match:
            raise ValueError(f"check path {path!r}: cannot parse at {path[position:]!r}")
        value = value[match.group(1)] if match.group(1) is not None else value[int(match.group(2))]
        position = match.end()
    return value


def to_seconds(stamp: Any) -> float:
    """History timestamps may be datetimes, ISO 8601 strings or epoch numbers."""
    if isinstance(stamp, datetime):
        return stamp.timestamp()
    if isinstance(stamp, (int, float)):
        return float(stamp)
    return datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()


def state_name(event: dict) -> str | None:
    details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails") or {}
    return details.get("name")


def entered(history: list[dict], state: str) -> list[dict]:
    return [e for e in history if e["type"].endswith("StateEntered") and state_name(e) == state]


def gaps(stamps: list[float]) -> list[float]:
    return [round(later - earlier, 6) for earlier, later in zip(stamps, stamps[1:])]


# --- checks --------------------------------------------------------------------------------------

def same_json(left: Any, right: Any) -> bool:
    """Equality as JSON sees it: unlike Python, true is not 1 and false is not 0 (1 and 1.0 are equal)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict):
        return (isinstance(right, dict) and left.keys() == right.keys()
                and all(same_json(left[key], right[key]) for key in left))
    if isinstance(left, list):
        return isinstance(right, list) and len(left) == len(right) and all(map(same_json, left, right))
    return left == right


def compare(actual: Any, check: dict, what: str) -> None:
    """Apply whichever of equals / not_equals / min / max / regex / any_of / within the check carries."""
    if "equals" in check:
        assert same_json(actual, check["equals"]), f"{what}: expected {check['equals']!r}, got {actual!r}"
    if "not_equals" in check:
        assert not same_json(actual, check["not_equals"]), f"{what}: expected anything but {actual!r}"
    if "min" in check:
        assert actual >= check["min"], f"{what}: {actual!r} is below {check['min']!r}"
    if "max" in check:
        assert actual <= check["max"], f"{what}: {actual!r} is above {check['max']!r}"
    if "regex" in check:
        assert isinstance(actual, str) and re.fullmatch(check["regex"], actual), \
            f"{what}: {actual!r} does not match /{check['regex']}/"
    if "any_of" in check:
        assert actual in check["any_of"], f"{what}: {actual!r} is none of {check['any_of']!r}"
    if "within" in check:
        bounds = check["within"]
        assert len(actual) == len(bounds), f"{what}: expected {len(bounds)} values, got {actual!r}"
        for value, (low, high) in zip(actual, bounds):
            assert low <= value <= high, f"{what}: {value!r} outside [{low}, {high}] in {actual!r}"


def _check_output_path(check: dict, result: Any, stubs: dict) -> None:
    compare(read_path(result.output, check["path"]), check, f"output {check['path']}")


def _check_output_type(check: dict, result: Any, stubs: dict) -> None:
    value = read_path(result.output, check["path"])
    compare(type(value).__name__, check, f"type of output {check['path']}")


def _check_seconds_between(check: dict, result: Any, stubs: dict) -> None:
    """Two timestamps the execution wrote into its output (e.g. from $$.State.EnteredTime)."""
    start = to_seconds(read_path(result.output, check["from"]))
    end = to_seconds(read_path(result.output, check["to"]))
    compare(round(end - start, 6), check, f"seconds from {check['from']} to {check['to']}")


def _check_state_gap(check: dict, result: Any, stubs: dict) -> None:
    """Virtual seconds between the first entry into state `from` and the first entry into `to`."""
    start, end = entered(result.history, check["from"]), entered(result.history, check["to"])
    assert start and end, f"history lacks StateEntered for {check['from']!r} or {check['to']!r}"
    compare(round(to_seconds(end[0]["timestamp"]) - to_seconds(start[0]["timestamp"]), 6), check,
            f"seconds from entering {check['from']} to entering {check['to']}")


def _check_event_gaps(check: dict, result: Any, stubs: dict) -> None:
    """Gaps between consecutive history events of the given types (retry intervals)."""
    stamps = [to_seconds(e["timestamp"]) for e in result.history if e["type"] in check["types"]]
    compare(gaps(stamps), check, f"gaps between {check['types']} events")


def _check_elapsed(check: dict, result: Any, stubs: dict) -> None:
    stamps = [to_seconds(e["timestamp"]) for e in result.history]
    compare(round(stamps[-1] - stamps[0], 6), check, "virtual seconds from first to last history event")


def _check_calls(check: dict, result: Any, stubs: dict) -> None:
    compare(len(stubs[check["handler"]].events), check, f"calls of handler {check['handler']}")


def _check_handler_event(check: dict, result: Any, stubs: dict) -> None:
    events = stubs[check["handler"]].events
    assert len(events) > check["call"], f"handler {check['handler']} was called {len(events)} times"
    value = events[check["call"]]
    compare(read_path(value, check.get("path", "$")), check, f"event of call {check['call']} to {check['handler']}")


def _check_token_errors(check: dict, result: Any, stubs: dict) -> None:
    compare(stubs[check["handler"]].token_errors, check, f"errors returned to {check['handler']}'s SendTask* calls")


def _check_history_count(check: dict, result: Any, stubs: dict) -> None:
    compare(sum(1 for e in result.history if e["type"] == check["type"]), check, f"{check['type']} events")


def _check_history_length(check: dict, result: Any, stubs: dict) -> None:
    compare(len(result.history), check, "history length")


CHECKS: dict[str, Callable[[dict, Any, dict], None]] = {
    "output_path": _check_output_path,
    "output_type": _check_output_type,
    "seconds_between": _check_seconds_between,
    "state_gap": _check_state_gap,
    "event_gaps": _check_event_gaps,
    "elapsed": _check_elapsed,
    "calls": _check_calls,
    "handler_event": _check_handler_event,
    "token_errors": _check_token_errors,
    "history_count": _check_history_count,
    "history_length": _check_history_length,
}


def run_checks(checks: list[dict], result: Any, stubs: dict) -> None:
    for check in checks:
        if check["kind"] not in CHECKS:
            raise ValueError(f"unknown check kind {check['kind']!r}; known: {sorted(CHECKS)}")
        CHECKS[check["kind"]](check, result, stubs)


def assert_expectation(expect: dict, result: Any, stubs: dict) -> None:
    """Compare an ExecutionResult-like object (status, output, error, cause, history) with `expect`."""
    status = expect.get("status", "SUCCEEDED")
    assert result.status == status, \
        f"status: expected {status}, got {result.status} (error={result.error!r}, cause={result.cause!r})"
    if "output" in expect:
        assert same_json(result.output, expect["output"]), \
            f"output: expected {expect['output']!r}, got {result.output!r}"
    if "error" in expect:
        assert result.error == expect["error"], \
            f"error: expected {expect['error']!r}, got {result.error!r} ({result.cause!r})"
    if "error_any_of" in expect:
        assert result.error in expect["error_any_of"], f"error {result.error!r} is none of {expect['error_any_of']}"
    if "cause_contains" in expect:
        assert expect["cause_contains"] in (result.cause or ""), \
            f"cause {result.cause!r} lacks {expect['cause_contains']!r}"
    run_checks(expect.get("checks", []), result, stubs)


def iter_states(definition: dict) -> Iterator[tuple[str, dict]]:
    """Every (name, state) of a document, descending into Parallel branches and Map processors."""
    for name, state in definition.get("States", {}).items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from iter_states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from iter_states(state[key])
