"""DSL graph -> ASL dict. One emitter per state kind, found through ``EMITTERS``; keys in ASL's reading order.

The output is deterministic: the same workflow always gives the same dict, key for key, in the same order.
"""
from __future__ import annotations

from typing import Callable

from ..dsl.base import DISCARD, State
from ..dsl.common import Guarded
from ..dsl.containers import Map, Parallel
from ..dsl.data import template
from ..dsl.durations import as_seconds
from ..dsl.flow import Choice, Fail, Succeed
from ..dsl.retry import ALL_ERRORS, merge_retries
from ..dsl.scope import Scope
from ..dsl.tasks import Task
from .budget import check_time_budget
from .graph import Issue, ScopeGraph, analyse
from .handlers import HandlerIndex, collision, function_name
from .jsonata import expression_problems, from_reference_path, tolerant_fail
from .validate import (Checker, check_choice_defaults, check_emitted_names, check_loops, check_names, check_state,
                       check_workflow)

EMITTERS: dict[type, Callable[[State, "Compilation"], dict]] = {}


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
        #: every state name the ASL will hold -> the DSL states that write it (None: waveflow's own Fail)
        self.names: dict[str, list[State | None]] = {}
        #: the analysed graph of every scope compiled (the workflow, branches, processors)
        self.graphs: dict[Scope, ScopeGraph] = {}
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
        check_workflow(wf, self.checker)
        out: dict = {}
        if wf.comment:
            out["Comment"] = wf.comment
        if wf.query_language:
            out["QueryLanguage"] = wf.query_language
        body = self.scope(wf, start=wf.start, on_failure=wf.on_failure)
        out["StartAt"] = body["StartAt"]
        if isinstance(as_seconds(wf.timeout), (int, float)):
            out["TimeoutSeconds"] = int(as_seconds(wf.timeout))
        out["States"] = body["States"]
        self.issues.extend(check_emitted_names(self.names))
        check_time_budget(wf, self.graphs, self.checker)
        return out

    def scope(self, scope: Scope, *, start=None, on_failure=None, group_retry=None) -> dict:
        """``{"StartAt", "States"}`` for one scope, checking it on the way."""
        graph = analyse(scope, start=start, on_failure=on_failure)
        self.graphs[scope] = graph
        self.issues.extend(graph.issues)
        check_names(graph, self.checker)
        check_loops(graph, self.checker)
        check_choice_defaults(graph, self.checker)
        if graph.start is None:
            if not scope.states and getattr(scope, "owner", None) is None:
                self.issues.append(Issue(None, f"workflow {self.workflow.name!r} has no states"))
            return {"StartAt": "", "States": {}}
        self._group_retry.append(group_retry)
        states: dict = {}
        writers: dict[str, State | None] = {}
        auto_fail = self._auto_fail_name(graph)
        for state in graph.states:
            self._language.append(state.query_language or self._language[-1])
            known = len(self.issues)
            self.checker.language = self._language[-1]
            check_state(state, self.checker, self.group_retry(), self._language[-1])
            catch_to = None
            if graph.failure_head is not None and state not in graph.failure_path:
                catch_to = graph.failure_head
            self._catch_to.append(catch_to)
            body = self._emit(state) if len(self.issues) == known else {}
            if self.jsonata or body.get("QueryLanguage") == "JSONata":
                self.issues.extend(Issue(state, f"{state.describe()}: {p}") for p in expression_problems(body))
            self._catch_to.pop()
            self._language.pop()
            _finish(state, body, graph, auto_fail if state in graph.failure_path else None)
            states[state.name] = body
            writers[state.name] = state
        if auto_fail:
            if auto_fail in states:
                self.issues.append(Issue(graph.by_name[auto_fail], f"state name {auto_fail!r} is the Fail waveflow "
                                         f"adds at the end of the on_failure path; rename the state or end that "
                                         f"path with your own Fail(...)"))
            states[auto_fail] = self._auto_fail()
            writers[auto_fail] = None
        for name, writer in writers.items():
            self.name(name, writer)
        self._group_retry.pop()
        return {"StartAt": graph.start.name, "States": states}

    def name(self, name: str, writer: State | None) -> None:
        """Note that ``writer`` (None: waveflow itself) puts a state called ``name`` in the ASL, for the checks
        that span the whole state machine (names unique across branches, at most 80 characters)."""
        self.names.setdefault(name, []).append(writer)

    def _emit(self, state: State) -> dict:
        """The state's ASL. Values no check foresaw (a wrong type deep in a template) become a problem at the
        state's line, never a traceback."""
        try:
            return EMITTERS[_kind(state)](state, self)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            self.issues.append(Issue(state, f"{state.describe()}: {exc}"))
            return {}

    def _auto_fail(self) -> dict:
        """The Fail that ends a failure path, re-raising the original error kept at ``error_path``, with its cause
        when the error has one (written in JSONata, which can tell a missing cause: see ``tolerant_fail``)."""
        kept = self.workflow.error_path
        out = {"Type": "Fail", **({} if self.jsonata else {"QueryLanguage": "JSONata"}),
               "Comment": f"The migration was rolled back; the original error is kept at {kept}"}
        try:
            out.update(tolerant_fail(from_reference_path(f"{kept}.Error"), from_reference_path(f"{kept}.Cause")))
        except ValueError:  # a bad error_path is reported once, at the Workflow line
            pass
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
    def group_retry(self):
        """The innermost enclosing Parallel's or Map's ``default_retry``, if any."""
        return next((g for g in reversed(self._group_retry) if g is not None), None)

    def retries(self, state: State) -> list[dict]:
        """The task's retriers, defaults merged in; a malformed default is left out here, having been reported
        once where it is set rather than again at every task."""
        levels = (self.workflow.default_retry, self.group_retry(), state.retry)
        return [r.to_asl() for r in merge_retries(*(level for level in levels if Checker.quiet_level(level)))]

    def catchers(self, state: Guarded) -> list[dict]:
        out = [self._catcher(list(catch.errors), catch.next, catch.result_path) for catch in state.catch or ()]
        target = self._catch_to[-1]
        if state.on_failure is False:
            target = None
        elif state.on_failure not in (None, True):
            target = state.on_failure
        if target is not None:
            out.append(self._catcher([ALL_ERRORS], target, self.workflow.error_path))
        self.checker.shadowing(state, "catcher", [entry["ErrorEquals"] for entry in out])
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
        entry["Next"] = target_name(target)
        return entry

    def function(self, handler_path: str) -> str:
        logical = function_name(handler_path)
        known = self.functions.setdefault(logical, handler_path)
        if known != handler_path:
            self.issues.append(Issue(None, collision(known, handler_path)))
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


def target_name(target) -> str:
    return target if isinstance(target, str) else target.name


def path_or_null(value):
    return None if value is DISCARD else value


def head(state: State, kind: str, comment: str | None) -> dict:
    out: dict = {"Type": kind}
    if state.query_language:
        out["QueryLanguage"] = state.query_language
    if comment:
        out["Comment"] = comment
    return out


def data_flow(state: State, out: dict, compilation: Compilation, parameters=None, *, result_selector=None,
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
            out["InputPath"] = path_or_null(state.input_path)
        if parameters is not None:
            out["Parameters"] = parameters
        selector = getattr(state, "result_selector", None)
        if selector is not None or result_selector is not None:
            out["ResultSelector"] = template(selector) if selector is not None else result_selector
        path = getattr(state, "result_path", None)
        if path is not None or result_path is not None:
            out["ResultPath"] = path_or_null(path) if path is not None else result_path
        path = getattr(state, "output_path", None)
        if path is not None or output_path is not None:
            out["OutputPath"] = output_path if output_path is not None else path_or_null(path)
    if getattr(state, "assign", None) is not None:
        out["Assign"] = template(state.assign)
    if isinstance(state, Task):
        retries = compilation.retries(state)
        if retries:
            out["Retry"] = retries
    elif isinstance(state, (Parallel, Map)) and state.retry:  # never a default: it would rerun every branch
        out["Retry"] = [r.to_asl() for r in merge_retries(state.retry)]
    if isinstance(state, Guarded):
        catchers = compilation.catchers(state)
        if catchers:
            out["Catch"] = catchers


def _finish(state: State, out: dict, graph, auto_fail: str | None) -> None:
    if isinstance(state, (Choice, Succeed, Fail)):
        return
    if state.next is not None:
        out["Next"] = target_name(state.next)
    elif auto_fail:
        out["Next"] = auto_fail
    else:
        out["End"] = True
