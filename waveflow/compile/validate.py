"""Checks a workflow before anything is compiled, collecting every problem instead of stopping at the first.

Graph checks (names, reachability, loops, dangling links) run on each scope; field checks run per state kind,
found through ``FIELD_CHECKS`` so a new kind brings its own.
"""
from __future__ import annotations

import re
from typing import Callable

from ..dsl.base import DISCARD, State
from ..dsl.common import Catch, Flowing, Guarded, Producing
from ..dsl.conditions import Jsonata
from ..dsl.data import path_like_strings, path_problem, template_paths, uses_jsonpath
from ..dsl.durations import as_seconds
from ..dsl.flow import Choice, Wait
from ..dsl.poll import Poll
from ..dsl.retry import ALL_ERRORS, Retry, merge_retries
from ..dsl.tasks import Task
from .graph import Issue, ScopeGraph
from .handlers import HandlerIndex
from .jsonata import single_field_problem

MAX_NAME = 80
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f<>{}\[\]?*\"#%\\^|~`$&,;:/]")
FIELD_CHECKS: dict[type, Callable[[State, "Checker"], None]] = {}


def checks(kind: type):
    def register(fn):
        FIELD_CHECKS[kind] = fn
        return fn
    return register


class Checker:
    """Collects issues for one workflow."""

    def __init__(self, handlers: HandlerIndex, workflow):
        self.handlers = handlers
        self.workflow = workflow
        self.issues: list[Issue] = []
        self.language = "JSONPath"  # of the state being checked, set by the compilation

    def jsonata_of(self, state: State) -> bool:
        return (state.query_language or self.language) == "JSONata"

    def say(self, state: State | None, message: str) -> None:
        self.issues.append(Issue(state, message))

    def path(self, state: State, label: str, value) -> None:
        if value is None or value is DISCARD:
            return
        problem = path_problem(value)
        if problem:
            self.say(state, f"{state.describe()}: {label}: {problem}")

    def template(self, state: State, label: str, value) -> None:
        if value is None:
            return
        if not isinstance(value, (dict, list)):
            self.say(state, f"{state.describe()}: {label} must be a dict (a payload template), got {value!r}")
            return
        for path in template_paths(value):
            self.path(state, label, path)
        self.plain_paths(state, label, value)

    def plain_paths(self, state: State, label: str, value) -> None:
        """A plain string that reads as a path (``"$.server"``) is sent as that text in a JSONPath state, where a
        ``Ref`` was surely meant: refused, naming both ways to say what was meant."""
        if self.jsonata_of(state):
            return
        for text in path_like_strings(value):
            self.say(state, f"{state.describe()}: {label}: {text!r} would be sent as that very text; use "
                            f"Ref({text!r}), or literal({text!r}) if you mean the text")

    def unused(self, state: State, fields: dict[str, str]) -> None:
        """Fields the kind inherits but gives no meaning: refused by name rather than silently dropped."""
        for name, instead in fields.items():
            if getattr(state, name, None) is not None:
                self.say(state, f"{state.describe()}: {name}= is not used here; {instead}")

    def handler(self, state: State, field: str, path: str | None, example: str) -> None:
        """The handler a state calls must be named and must exist in the project."""
        if path is None:
            self.say(state, f"{state.describe()} needs {field}= ({example})")
        elif broken := self.handlers.broken_at(path):
            file, line, message = broken
            self.issues.append(Issue(state, message, where=(file, line)))
        elif problem := self.handlers.problem(path):
            self.say(state, f"{state.describe()}: {problem}")

    def seconds(self, state: State, label: str, value, minimum: int = 1, maximum: int = 99_999_998) -> None:
        """A duration field: whole seconds within ``minimum``..``maximum`` (statelint, the reference linter, takes
        99999999 as an exclusive ceiling for TimeoutSeconds and HeartbeatSeconds)."""
        value = as_seconds(value)
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
                or not minimum <= value <= maximum:
            self.say(state, f"{state.describe()}: {label} must be a whole number of seconds between {minimum} and "
                            f"{maximum}, got {value!r}")

    def retry_level(self, state: State | None, value) -> bool:
        """Check one level of retry settings (a Retry, a list of them, NO_RETRY or None); True when usable."""
        where = f"{state.describe()}: " if state is not None else ""
        retries = [value] if isinstance(value, Retry) else value
        if retries is not None and (not isinstance(retries, (list, tuple))
                                    or not all(isinstance(r, Retry) for r in retries)):
            self.say(state, f"{where}retry must be Retry(...), a list of them or NO_RETRY, got {value!r}")
            return False
        for retry in retries or ():
            for problem in retry.problems():
                self.say(state, f"{where}{problem}")
        return True

    def retries(self, state: State, levels: list) -> None:
        """The task's own retry settings, and the retriers it ends up with once the defaults are merged in.
        (The defaults themselves are checked once, where they are set.)"""
        if self.retry_level(state, levels[-1]) and all(self.quiet_level(level) for level in levels[:-1]):
            resolved = merge_retries(*levels)
            self.shadowing(state, "retrier", [list(r.errors or [ALL_ERRORS]) for r in resolved])

    @staticmethod
    def quiet_level(value) -> bool:
        """Whether an inherited level can be merged (its own problems are reported where it is set)."""
        retries = [value] if isinstance(value, Retry) else value
        return retries is None or (isinstance(retries, (list, tuple)) and all(isinstance(r, Retry) for r in retries))

    def shadowing(self, state: State, what: str, error_lists: list[list[str]]) -> None:
        """A retrier or catcher whose errors are all matched by earlier ones can never fire."""
        covered: set[str] = set()
        for index, errors in enumerate(error_lists, start=1):
            if ALL_ERRORS in errors and (len(errors) > 1 or index != len(error_lists)):
                self.say(state, f"{state.describe()}: {what} #{index}: States.ALL must be alone and in the last "
                                f"{what}")
            if ALL_ERRORS in covered or (errors and set(errors) <= covered):
                self.say(state, f"{state.describe()}: {what} #{index} ({', '.join(errors)}) can never fire: "
                                f"earlier {what}s already match those errors")
            covered |= set(errors)


_MACHINE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_TOP_FIELD = re.compile(r"\$\.[A-Za-z_][A-Za-z0-9_]*")


def check_workflow(wf, c: Checker) -> None:
    """What is set on the Workflow itself; problems are located at its ``Workflow(...)`` line."""
    if not isinstance(wf.name, str) or not _MACHINE_NAME.fullmatch(wf.name):
        c.say(None, f"workflow name {wf.name!r} must be 1 to 80 letters, digits, '-' or '_': it names the state "
                    f"machine and build/<name>.asl.json")
    timeout = as_seconds(wf.timeout)
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or timeout != int(timeout) or not 1 <= timeout <= 31_536_000):
        c.say(None, f"workflow {wf.name!r}: timeout must be a whole number of seconds from 1 to 31536000 (a year), "
                    f"got {wf.timeout!r}")
    if problem := path_problem(wf.error_path) or single_field_problem(wf.error_path):
        c.say(None, f"workflow {wf.name!r}: error_path: {problem}")
    elif wf.query_language == "JSONata" and not _TOP_FIELD.fullmatch(wf.error_path):
        c.say(None, f"workflow {wf.name!r}: in JSONata the error is kept in one top-level field such as '$.error', "
                    f"not {wf.error_path!r}")
    if wf.query_language not in (None, "JSONPath", "JSONata"):
        c.say(None, f"workflow {wf.name!r}: query_language must be 'JSONPath' or 'JSONata', "
                    f"got {wf.query_language!r}")
    c.retry_level(None, wf.default_retry)


def check_emitted_names(names: dict[str, list]) -> list[Issue]:
    """Names across the whole compiled state machine, including those waveflow adds (a Poll's inner states, the
    failure path's Fail): unique everywhere and at most 80 characters, as AWS requires. Each problem is located
    at the state written last of those that share the name, or at the Poll whose added state it is."""
    issues = []
    for name, writers in sorted(names.items()):
        if len(writers) > 1:
            issues.append(Issue(writers[-1], f"state name {name!r} is used {len(writers)} times in the state machine "
                                             f"(names must be unique across branches too; a Poll adds states named "
                                             f"after it)"))
        added = [w for w in writers if w is None or w.name != name]
        if added and len(name) > MAX_NAME:
            issues.append(Issue(added[-1], f"state name {name[:40]!r}... is {len(name)} characters; ASL allows "
                                           f"{MAX_NAME} (a Poll's own states add up to 8 characters to its name)"))
    return issues


def check_names(graph: ScopeGraph, checker: Checker) -> None:
    for state in graph.scope.states:
        name = state.name
        if not isinstance(name, str) or not name.strip():
            checker.say(state, f"state name must be a non-empty string, got {name!r}")
        elif len(name) > MAX_NAME:
            checker.say(state, f"state name {name[:40]!r}... is {len(name)} characters; ASL allows {MAX_NAME}")
        elif _FORBIDDEN.search(name):
            checker.say(state, f"state name {name!r} contains {_FORBIDDEN.search(name).group()!r}, which ASL "
                               f"names may not contain")


def check_choice_defaults(graph: ScopeGraph, checker: Checker) -> None:
    """With ``on_failure``, a Choice that matches no rule fails the execution with States.NoChoiceMatched, which no
    catcher sees: the rollback would silently be skipped, so every such Choice needs ``otherwise()``."""
    if graph.failure_head is None:
        return
    for state in graph.states:
        if isinstance(state, Choice) and state.choices and state.default is None and state not in graph.failure_path:
            checker.say(state, f"{state.describe()} has no otherwise(): an input that matches no rule fails the "
                               f"execution with States.NoChoiceMatched, which on_failure cannot catch, so the "
                               f"rollback would be skipped; add .otherwise(state) (the rollback itself if no other "
                               f"state fits)")


def check_loops(graph: ScopeGraph, checker: Checker) -> None:
    """Every cycle must pass a Wait or a Poll, or it spins through billed state transitions: so the graph without
    its Waits and Polls must have no cycle left (a loop that pauses may hold a shorter one that does not)."""
    busy = [s for s in graph.states if not isinstance(s, (Wait, Poll))]
    edges = {s: [graph.by_name.get(t) if isinstance(t, str) else t for _, t in graph.successors(s)] for s in busy}
    for component in _cycles(busy, edges):
        names = " -> ".join(s.name for s in component) + f" -> {component[0].name}"
        checker.say(component[0], f"loop {names} has no Wait or Poll: it would run without pause; "
                                  f"add a Wait (or use Poll) inside the loop")


def _cycles(states: list[State], edges: dict) -> list[list[State]]:
    """Strongly connected components that contain a cycle (Tarjan's algorithm, iterative so that a workflow of
    thousands of states does not hit Python's recursion limit), each in graph order."""
    order = {s: i for i, s in enumerate(states)}
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    found: list[list[State]] = []
    for root in states:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next((t for t in targets if t in order), None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges.get(target, ()))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member is node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    found.append(sorted(component, key=order.get))
    return found


def check_state(state: State, checker: Checker, group_retry=None, language: str = "JSONPath") -> None:
    if state.query_language not in (None, "JSONPath", "JSONata"):
        checker.say(state, f"{state.describe()}: query_language must be 'JSONPath' or 'JSONata', "
                           f"got {state.query_language!r}")
    elif language in ("JSONPath", "JSONata"):  # a bad workflow-level language is reported once, at the workflow
        check_language(state, checker, language)
    for kind in type(state).__mro__:
        if kind in FIELD_CHECKS:
            FIELD_CHECKS[kind](state, checker)
    if isinstance(state, (Task, Poll)):
        checker.retries(state, [checker.workflow.default_retry, group_retry, state.retry])


_JSONPATH_ONLY = ("input_path", "parameters", "result_selector", "result_path", "output_path", "items_path",
                  "seconds_path", "timestamp_path", "error_path", "cause_path", "max_concurrency_path",
                  "timeout_path", "heartbeat_path")
_JSONATA_ONLY = ("arguments", "output", "items")


def check_language(state: State, c: Checker, language: str) -> None:
    """JSONPath fields in a JSONata state, or JSONata fields in a JSONPath state, are refused by name."""
    if language == "JSONata":
        instead = [f"{field}=" for field in (state.jsonata_input, "output", "assign") if field]
        for name in _JSONPATH_ONLY:
            if getattr(state, name, None) is not None:
                c.say(state, f"{state.describe()}: {name}= is JSONPath; a JSONata {type(state).__name__} uses "
                             f"{', '.join(instead[:-1])} and {instead[-1]} with Expr(...)")
        for name in ("payload", "arguments", "output", "assign", "item_selector"):
            if uses_jsonpath(getattr(state, name, None)):
                c.say(state, f"{state.describe()}: {name}= uses Ref or intrinsics (JSONPath); use Expr(...) in "
                             f"a JSONata state")
        if isinstance(state, Poll):
            c.say(state, f"{state.describe()}: Poll compiles to JSONPath states; use it in a JSONPath workflow")
        if isinstance(state, Choice) and any(not isinstance(cond, Jsonata) for cond, _ in state.choices):
            c.say(state, f"{state.describe()}: a JSONata Choice needs Jsonata('...') conditions, not Var(...)")
    else:
        for name in _JSONATA_ONLY:
            if getattr(state, name, None) is not None:
                c.say(state, f"{state.describe()}: {name}= is JSONata; set query_language='JSONata' on the "
                             f"workflow or the state")
        if isinstance(state, Choice) and any(isinstance(cond, Jsonata) for cond, _ in state.choices):
            c.say(state, f"{state.describe()}: Jsonata(...) conditions need query_language='JSONata'")


@checks(Flowing)
def _flowing(state: Flowing, c: Checker) -> None:
    c.path(state, "input_path", state.input_path)
    c.path(state, "output_path", state.output_path)
    c.plain_paths(state, "assign", state.assign)


@checks(Producing)
def _producing(state: Producing, c: Checker) -> None:
    c.template(state, "parameters", state.parameters)
    c.template(state, "result_selector", state.result_selector)
    c.path(state, "result_path", state.result_path)


@checks(Guarded)
def _guarded(state: Guarded, c: Checker) -> None:
    for index, catch in enumerate(state.catch or (), start=1):
        if not isinstance(catch, Catch):
            c.say(state, f"{state.describe()}: catch #{index} must be Catch([...errors], next=...), got {catch!r}")
            continue
        if isinstance(catch.errors, str) or not catch.errors \
                or not all(isinstance(e, str) and e for e in catch.errors):
            c.say(state, f"{state.describe()}: catch #{index} errors must be a non-empty list of error names, "
                         f"got {catch.errors!r}")
        if not isinstance(catch.next, (State, str)):
            c.say(state, f"{state.describe()}: catch #{index} next must be a state or a state name, "
                         f"got {catch.next!r}")
        c.path(state, "catch result_path", catch.result_path)
        if c.jsonata_of(state) and isinstance(catch.result_path, str) and not _TOP_FIELD.fullmatch(catch.result_path):
            c.say(state, f"{state.describe()}: in a JSONata state a catch keeps the error in one top-level field "
                         f"such as '$.error', not {catch.result_path!r}")
