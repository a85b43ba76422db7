"""DSL graph -> ASL dict. One emitter per state kind, found through ``EMITTERS``; keys in ASL's reading order.

The output is deterministic: the same workflow always gives the same dict, key for key, in the same order.
"""
from __future__ import annotations

from typing import Callable

from ..dsl.base import DISCARD, State
from ..dsl.common import Guarded
from ..dsl.conditions import Var
from ..dsl.containers import Map, Parallel
from ..dsl.data import Expr, template
from ..dsl.durations import as_seconds
from ..dsl.flow import Choice, Fail, Pass, Succeed, Wait
from ..dsl.poll import Poll
from ..dsl.retry import ALL_ERRORS, merge_retries
from ..dsl.scope import Scope
from ..dsl.tasks import Approval, LambdaTask, RunWorkflow, SdkTask, ServiceTask, Task
from .graph import Issue, analyse
from .handlers import HandlerIndex, function_name
from .validate import Checker, check_loops, check_names, check_state

EMITTERS: dict[type, Callable[[State, "Compilation"], dict]] = {}
POLL_KEY = "$.waveflowPoll"


def emits(kind: type):
    def register(fn):
        EMITTERS[kind] = fn
        return fn
    return register


def function_placeholder(handler_path: str) -> str:
    """``tasks.validate_input.handler`` -> ``${ValidateInputFunctionArn}`` (a DefinitionSubstitutions key)."""
    return "${" + function_name(handler_path) + "FunctionArn}"


def state_machine_placeholder(name: str) -> str:
    return "${" + name + "StateMachineArn}"


class Compilation:
    """Compiles one workflow, remembering the functions and child workflows it refers to."""

    def __init__(self, workflow, handlers: HandlerIndex):
        self.workflow = workflow
        self.handlers = handlers
        self.checker = Checker(handlers, workflow)
        self.functions: dict[str, str] = {}
        self.state_machines: set[str] = set()
        self._group_retry: list = []
        self._catch_to: list = []
        self._language: list[str] = [workflow.query_language or "JSONPath"]

    @property
    def jsonata(self) -> bool:
        """Whether the state being emitted uses JSONata (its own QueryLanguage, or its scope's)."""
        return self._language[-1] == "JSONata"

    @property
    def issues(self) -> list[Issue]:
        return self.checker.issues

    def compile(self) -> dict:
        wf = self.workflow
        out: dict = {}
        if wf.comment:
            out["Comment"] = wf.comment
        if wf.query_language:
            out["QueryLanguage"] = wf.query_language
        body = self.scope(wf, start=wf.start, on_failure=wf.on_failure)
        out["StartAt"] = body["StartAt"]
        if wf.timeout is not None:
            out["TimeoutSeconds"] = int(as_seconds(wf.timeout))
        out["States"] = body["States"]
        return out

    def scope(self, scope: Scope, *, start=None, on_failure=None, group_retry=None) -> dict:
        """``{"StartAt", "States"}`` for one scope, checking it on the way."""
        graph = analyse(scope, start=start, on_failure=on_failure)
        self.issues.extend(graph.issues)
        check_names(graph, self.checker)
        check_loops(graph, self.checker)
        if graph.start is None:
            if not scope.states and getattr(scope, "owner", None) is None:
                self.issues.append(Issue(None, f"workflow {self.workflow.name!r} has no states"))
            return {"StartAt": "", "States": {}}
        self._group_retry.append(group_retry)
        states: dict = {}
        auto_fail = self._auto_fail_name(graph)
        for state in graph.states:
            self._language.append(state.query_language or self._language[-1])
            check_state(state, self.checker, group_retry, self._language[-1])
            catch_to = None
            if graph.failure_head is not None and state not in graph.failure_path:
                catch_to = graph.failure_head
            self._catch_to.append(catch_to)
            body = EMITTERS[_kind(state)](state, self)
            self._catch_to.pop()
            self._language.pop()
            _finish(state, body, graph, auto_fail if state in graph.failure_path else None)
            states[state.name] = body
        if auto_fail:
            states[auto_fail] = self._auto_fail()
        self._group_retry.pop()
        return {"StartAt": graph.start.name, "States": states}

    def _auto_fail(self) -> dict:
        """The Fail that ends a failure path, re-raising the original error kept at ``error_path``."""
        kept = self.workflow.error_path
        out = {"Type": "Fail", "Comment": f"The migration was rolled back; the original error is kept at {kept}"}
        if self.jsonata:
            field = kept[2:]
            out.update({"Error": f"{{% $states.input.{field}.Error %}}", "Cause": f"{{% $states.input.{field}.Cause %}}"})
        else:
            out.update({"ErrorPath": f"{kept}.Error", "CausePath": f"{kept}.Cause"})
        return out

    def _auto_fail_name(self, graph) -> str | None:
        """The name of the Fail added at the end of the failure path, when that path does not end in one."""
        ends = [s for s in graph.failure_path if s.next is None and not isinstance(s, (Fail, Choice))]
        for state in graph.failure_path:
            if isinstance(state, Succeed):
                self.checker.say(state, f"{state.describe()} is on the on_failure path; a rolled-back execution "
                                        f"must end FAILED, so end that path with Fail(...)")
        return f"{self.workflow.name}Failed" if ends else None

    # -- pieces shared by emitters -------------------------------------------------------------------------
    def retries(self, state: State) -> list[dict]:
        group = next((g for g in reversed(self._group_retry) if g is not None), None)
        return [r.to_asl() for r in merge_retries(self.workflow.default_retry, group, state.retry)]

    def catchers(self, state: Guarded) -> list[dict]:
        out = [self._catcher(list(catch.errors), catch.next, catch.result_path) for catch in state.catch or ()]
        target = self._catch_to[-1]
        if state.on_failure is False:
            target = None
        elif state.on_failure not in (None, True):
            target = state.on_failure
        if target is not None:
            out.append(self._catcher([ALL_ERRORS], target, self.workflow.error_path))
        return out

    def _catcher(self, errors: list[str], target, keep_at) -> dict:
        """One catcher; the error is kept at ``keep_at`` (a ResultPath, or in JSONata an Output merging it in)."""
        entry: dict = {"ErrorEquals": errors}
        if keep_at is None:
            pass
        elif not self.jsonata:
            entry["ResultPath"] = None if keep_at is DISCARD else keep_at
        elif keep_at is DISCARD:
            entry["Output"] = "{% $states.input %}"
        else:
            entry["Output"] = f"{{% $merge([$states.input, {{'{keep_at[2:]}': $states.errorOutput}}]) %}}"
        entry["Next"] = _name(target)
        return entry

    def function(self, handler_path: str) -> str:
        self.functions[function_name(handler_path)] = handler_path
        return function_placeholder(handler_path)

    def comment(self, state: State, handler_path: str | None = None) -> str | None:
        if state.comment:
            return state.comment
        if handler_path and not self.handlers.problem(handler_path):
            return self.handlers.summary(handler_path)
        return None


def _kind(state: State) -> type:
    for kind in type(state).__mro__:
        if kind in EMITTERS:
            return kind
    raise TypeError(f"Unsupported state type {type(state).__name__}: no ASL emitter is registered for it")


def _name(target) -> str:
    return target if isinstance(target, str) else target.name


def _path_or_null(value):
    return None if value is DISCARD else value


def _head(state: State, kind: str, comment: str | None) -> dict:
    out: dict = {"Type": kind}
    if state.query_language:
        out["QueryLanguage"] = state.query_language
    if comment:
        out["Comment"] = comment
    return out


def _data_flow(state: State, out: dict, compilation: Compilation, parameters=None, *, result_selector=None,
               result_path=None, output_path=None, output=None) -> None:
    """The data-flow fields, Retry and Catch, in ASL's reading order. The keyword arguments are the kind's
    defaults, used where the user set nothing; ``parameters`` becomes ``Arguments`` in a JSONata state."""
    if compilation.jsonata:
        arguments = getattr(state, "arguments", None)
        if arguments is not None or parameters is not None:
            out["Arguments"] = template(arguments) if arguments is not None else parameters
        if getattr(state, "output", None) is not None or output is not None:
            out["Output"] = template(state.output) if getattr(state, "output", None) is not None else output
    else:
        if getattr(state, "input_path", None) is not None:
            out["InputPath"] = _path_or_null(state.input_path)
        if parameters is not None:
            out["Parameters"] = parameters
        selector = getattr(state, "result_selector", None)
        if selector is not None or result_selector is not None:
            out["ResultSelector"] = template(selector) if selector is not None else result_selector
        path = getattr(state, "result_path", None)
        if path is not None or result_path is not None:
            out["ResultPath"] = _path_or_null(path) if path is not None else result_path
        path = getattr(state, "output_path", None)
        if path is not None or output_path is not None:
            out["OutputPath"] = output_path if output_path is not None else _path_or_null(path)
    if getattr(state, "assign", None) is not None:
        out["Assign"] = template(state.assign)
    if isinstance(state, Task):
        retries = compilation.retries(state)
        if retries:
            out["Retry"] = retries
    if isinstance(state, Guarded):
        catchers = compilation.catchers(state)
        if catchers:
            out["Catch"] = catchers


def _finish(state: State, out: dict, graph, auto_fail: str | None) -> None:
    if isinstance(state, (Choice, Succeed, Fail)):
        return
    if state.next is not None:
        out["Next"] = _name(state.next)
    elif auto_fail:
        out["Next"] = auto_fail
    else:
        out["End"] = True


def _timeouts(state: Task, out: dict) -> None:
    for field, key in (("timeout", "TimeoutSeconds"), ("timeout_path", "TimeoutSecondsPath"),
                       ("heartbeat", "HeartbeatSeconds"), ("heartbeat_path", "HeartbeatSecondsPath")):
        value = getattr(state, field)
        if value is not None:
            out[key] = int(as_seconds(value)) if not field.endswith("path") else value


# -- emitters -------------------------------------------------------------------------------------------
@emits(Pass)
def _pass(state: Pass, c: Compilation) -> dict:
    out = _head(state, "Pass", state.comment)
    if state.result is not None and not c.jsonata:
        out["Result"] = state.result
    _data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None,
               output=state.result if c.jsonata else None)
    return out


@emits(Wait)
def _wait(state: Wait, c: Compilation) -> dict:
    out = _head(state, "Wait", state.comment)
    if isinstance(state.seconds, Expr) or isinstance(state.timestamp, Expr):
        out["Seconds" if state.seconds is not None else "Timestamp"] = (state.seconds or state.timestamp).to_asl()
    elif state.seconds is not None:
        out["Seconds"] = int(as_seconds(state.seconds))
    elif state.seconds_path is not None:
        out["SecondsPath"] = state.seconds_path
    elif state.timestamp is not None:
        out["Timestamp"] = state.timestamp if isinstance(state.timestamp, str) else \
            state.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif state.timestamp_path is not None:
        out["TimestampPath"] = state.timestamp_path
    _data_flow(state, out, c)
    return out


@emits(Choice)
def _choice(state: Choice, c: Compilation) -> dict:
    out = _head(state, "Choice", state.comment)
    out["Choices"] = [{**condition.to_asl(), "Next": _name(target)} for condition, target in state.choices]
    if state.default is not None:
        out["Default"] = _name(state.default)
    _data_flow(state, out, c)
    return out


@emits(Succeed)
def _succeed(state: Succeed, c: Compilation) -> dict:
    out = _head(state, "Succeed", state.comment)
    _data_flow(state, out, c)
    return out


@emits(Fail)
def _fail(state: Fail, c: Compilation) -> dict:
    out = _head(state, "Fail", state.comment)
    for field, key in (("error", "Error"), ("error_path", "ErrorPath"), ("cause", "Cause"), ("cause_path", "CausePath")):
        value = getattr(state, field)
        if value is not None:
            out[key] = value.to_asl() if isinstance(value, Expr) else value
    return out


@emits(Task)
def _task(state: Task, c: Compilation) -> dict:
    out = _head(state, "Task", state.comment)
    out["Resource"] = state.resource
    _timeouts(state, out)
    _data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None)
    return out


@emits(LambdaTask)
def _lambda(state: LambdaTask, c: Compilation) -> dict:
    handler = state.handler_path
    out = _head(state, "Task", c.comment(state, handler))
    out["Resource"] = "arn:aws:states:::lambda:invoke" + (".waitForTaskToken" if state.wait_for_token else "")
    _timeouts(state, out)
    if state.payload is not None:
        payload = {"Payload": template(state.payload)}
    elif c.jsonata:
        token = ", 'taskToken': $states.context.Task.Token" if state.wait_for_token else ""
        payload = {"Payload": "{% $states.input %}" if not token else f"{{% {{'input': $states.input{token}}} %}}"}
    elif state.wait_for_token:
        payload = {"Payload": {"input.$": "$", "taskToken.$": "$$.Task.Token"}}
    else:
        payload = {"Payload.$": "$"}
    parameters = {"FunctionName": c.function(handler) if isinstance(handler, str) else None, **payload}
    # The state's output is what the handler returned, not Lambda's {Payload, StatusCode} envelope.
    unwrap = not state.wait_for_token and state.result_path is None and state.result_selector is None
    user = state.output_path[1:] if isinstance(state.output_path, str) else ""
    _data_flow(state, out, c, parameters, output_path="$.Payload" + user if unwrap else None,
               output="{% $states.result.Payload %}" if not state.wait_for_token else None)
    return out


_INTEGRATION_SUFFIX = {"request": "", "sync": ".sync", "sync:2": ".sync:2", "token": ".waitForTaskToken"}


@emits(ServiceTask)
def _service(state: ServiceTask, c: Compilation) -> dict:
    out = _head(state, "Task", state.comment)
    out["Resource"] = f"arn:aws:states:::{state.service}:{state.action}{_INTEGRATION_SUFFIX.get(state.integration, '')}"
    _timeouts(state, out)
    _data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None)
    return out


@emits(SdkTask)
def _sdk(state: SdkTask, c: Compilation) -> dict:
    out = _head(state, "Task", state.comment)
    out["Resource"] = f"arn:aws:states:::aws-sdk:{state.service}:{state.action}"
    _timeouts(state, out)
    _data_flow(state, out, c, template(state.parameters) if state.parameters is not None else {})
    return out


@emits(RunWorkflow)
def _run_workflow(state: RunWorkflow, c: Compilation) -> dict:
    child = state.workflow if isinstance(state.workflow, str) else getattr(state.workflow, "name", None)
    out = _head(state, "Task", state.comment or (f"Runs the {child} workflow as a child execution" if child else None))
    out["Resource"] = "arn:aws:states:::states:startExecution" + (".sync:2" if state.wait else "")
    _timeouts(state, out)
    c.state_machines.add(child or "")
    parameters = {"StateMachineArn": state_machine_placeholder(child or "")}
    parameters.update(template({"Name": state.execution_name}) if state.execution_name is not None else {})
    parameters.update({"Input": template(state.input)} if state.input is not None else {"Input.$": "$"})
    envelope = {"status.$": "$.Status", "executionArn.$": "$.ExecutionArn", "output.$": "$.Output"}
    _data_flow(state, out, c, parameters, result_selector=envelope if state.wait else None)
    return out


@emits(Approval)
def _approval(state: Approval, c: Compilation) -> dict:
    handler = state.handler_path
    out = _head(state, "Task", c.comment(state, handler))
    out["Resource"] = "arn:aws:states:::lambda:invoke.waitForTaskToken"
    _timeouts(state, out)
    payload = {"approval": state.name, "taskToken.$": "$$.Task.Token", "executionId.$": "$$.Execution.Id",
               "input.$": "$"}
    if state.message:
        payload["message"] = state.message
    parameters = {"FunctionName": c.function(handler) if isinstance(handler, str) else None, "Payload": payload}
    _data_flow(state, out, c, parameters, result_path="$.approval")
    return out


@emits(Parallel)
def _parallel(state: Parallel, c: Compilation) -> dict:
    out = _head(state, "Parallel", state.comment)
    out["Branches"] = [c.scope(branch, group_retry=state.default_retry) for branch in state.branches]
    _data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None)
    return out


@emits(Map)
def _map(state: Map, c: Compilation) -> dict:
    out = _head(state, "Map", state.comment)
    processor = c.scope(state.processor, group_retry=state.default_retry)
    config = {"Mode": state.mode}
    if state.mode == "DISTRIBUTED":
        config["ExecutionType"] = state.execution_type
    out["ItemProcessor"] = {"ProcessorConfig": config, **processor}
    if state.items_path is not None:
        out["ItemsPath"] = state.items_path
    if state.items is not None:
        out["Items"] = template(state.items)
    if state.item_reader is not None:
        out["ItemReader"] = template(state.item_reader)
    if state.item_selector is not None:
        out["ItemSelector"] = template(state.item_selector)
    if state.max_concurrency is not None:
        out["MaxConcurrency"] = state.max_concurrency
    if state.max_concurrency_path is not None:
        out["MaxConcurrencyPath"] = state.max_concurrency_path
    if state.tolerated_failure_percentage is not None:
        out["ToleratedFailurePercentage"] = state.tolerated_failure_percentage
    if state.tolerated_failure_count is not None:
        out["ToleratedFailureCount"] = state.tolerated_failure_count
    if state.label is not None:
        out["Label"] = state.label
    if state.result_writer is not None:
        out["ResultWriter"] = template(state.result_writer)
    _data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None)
    return out


@emits(Poll)
def _poll(state: Poll, c: Compilation) -> dict:
    """check -> decide -> (done | timed out | wait -> count [-> grow] -> check), inside a one-branch Parallel."""
    n = state.name
    schedule = state.schedule() if isinstance(state.interval, int) else [1]
    max_polls = state.max_polls
    timeout = int(as_seconds(state.timeout)) if isinstance(as_seconds(state.timeout), (int, float)) else 0
    error = state.timeout_error or f"{n}TimedOut"
    check = LambdaTask(f"{n}Check", handler=state.check, payload=state.payload, retry=state.retry, on_failure=False)
    c._catch_to.append(None)
    check_body = _lambda(check, c)
    c._catch_to.pop()
    check_body["Next"] = f"{n}Decide"
    poll = {"attempt": f"{POLL_KEY}.attempt", "elapsed": f"{POLL_KEY}.elapsed", "interval": f"{POLL_KEY}.interval"}
    limits = [Var(poll["elapsed"]) >= timeout] + ([Var(poll["attempt"]) >= max_polls - 1] if max_polls else [])
    give_up = (limits[0] | limits[1]).to_asl() if len(limits) == 2 else limits[0].to_asl()
    branch_states = {
        f"{n}Start": {"Type": "Pass", "Comment": "Start counting checks and waiting time",
                      "Result": {"attempt": 0, "elapsed": 0, "interval": schedule[0]},
                      "ResultPath": POLL_KEY, "Next": f"{n}Check"},
        f"{n}Check": check_body,
        f"{n}Decide": {"Type": "Choice", "Choices": [
            {**state.until.to_asl(), "Next": f"{n}Done"} if state.until is not None else {"Next": f"{n}Done"},
            {**give_up, "Next": f"{n}TimedOut"}],
            "Default": f"{n}Wait"},
        f"{n}Wait": {"Type": "Wait", "SecondsPath": poll["interval"], "Next": f"{n}Count"},
        f"{n}Count": {"Type": "Pass", "Parameters": {
            "attempt.$": f"States.MathAdd({poll['attempt']}, 1)",
            "elapsed.$": f"States.MathAdd({poll['elapsed']}, {poll['interval']})",
            "interval.$": poll["interval"]}, "ResultPath": POLL_KEY,
            "Next": f"{n}Backoff" if len(schedule) > 1 else f"{n}Check"},
        f"{n}TimedOut": {"Type": "Fail", "Error": error,
                         "Cause": f"{n} gave up after {timeout} seconds of waiting"
                         + (f" or {max_polls} checks" if max_polls else "")},
        f"{n}Done": {"Type": "Succeed"},
    }
    if len(schedule) > 1:
        steps = ", ".join(str(s) for s in schedule)
        branch_states[f"{n}Backoff"] = {"Type": "Choice", "Choices": [
            {**(Var(poll["attempt"]) < len(schedule)).to_asl(), "Next": f"{n}Grow"}], "Default": f"{n}Check"}
        branch_states[f"{n}Grow"] = {"Type": "Pass", "Comment": "Next wait from the backoff schedule", "Parameters": {
            "attempt.$": poll["attempt"], "elapsed.$": poll["elapsed"],
            "interval.$": f"States.ArrayGetItem(States.Array({steps}), {poll['attempt']})"},
            "ResultPath": POLL_KEY, "Next": f"{n}Check"}
    if state.until is None:
        branch_states[f"{n}Decide"]["Choices"].pop(0)
    out = _head(state, "Parallel", state.comment or f"Poll until done: every {schedule[0]}s"
                + (f", growing x{state.backoff} up to {schedule[-1]}s" if len(schedule) > 1 else "")
                + f", for at most {timeout}s")
    out["Branches"] = [{"StartAt": f"{n}Start", "States": branch_states}]
    user = state.output_path[1:] if isinstance(state.output_path, str) else ""
    _data_flow(state, out, c, output_path="$[0]" + user)
    return out
