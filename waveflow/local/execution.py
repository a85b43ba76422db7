"""Executions and runs: the trampoline that moves data from state to state.

A ``Run`` is one thread of control through one states graph: the top level of an execution, a Parallel branch
or a Map iteration. It drives its states in a loop (no recursion, so a 100,000-pass loop is fine): each
state's ``enter(run, data)`` returns ``(next_state, output)``, ``(None, output)`` at the end, or ``SUSPEND``
when something later (a timer, a task token, child runs) will call ``run.resume(thunk)``. A state that fails
raises ``StatesError``; the run then reports the failure to whoever started it.

No Python exception may escape a run into the scheduler (and so out of ``run_definition``): one raised by a
state fails the run as States.Runtime, and one raised by whoever is told the run ended (``on_done``, e.g. a Map
launching the next iteration from a timer callback) fails that parent run the same way.
"""
from __future__ import annotations

from typing import Any, Callable

from .clock import to_datetime
from .context import build_context_object
from .errors import DATA_LIMIT_EXCEEDED, RUNTIME, StatesError
from .history import History
from .limits import MAX_EXECUTION_SECONDS, Measured, measure, quota_problem

SUSPEND = object()
YIELD_EVERY = 1000  # transitions a run makes before letting other executions move (deterministic fairness)


class Run:
    """One thread of control through a states graph."""

    __slots__ = ("execution", "graph", "parent", "history", "variables", "cancelled", "children", "timers",
                 "state_name", "entered_time", "entered_id", "retry_count", "task_token", "map_item",
                 "last_event", "on_done", "_driving", "_sync", "scheduler", "clock_now")

    def __init__(self, execution, graph, parent: "Run | None" = None, record: bool = True):
        self.execution = execution
        self.graph = graph
        self.parent = parent
        self.history = execution.recorder if record else None
        self.variables: dict | None = None
        self.cancelled = False
        self.children: set = set()
        self.timers: set = set()
        self.state_name = ""
        self.entered_time = execution.start_time
        self.entered_id = 0
        self.retry_count = 0
        self.task_token = None
        self.map_item = None
        self.last_event = parent.last_event if parent is not None else 0
        self.on_done: Callable | None = None
        self._driving = False
        self._sync = None
        self.scheduler = execution.scheduler
        self.clock_now = self.scheduler.clock.now
        if parent is not None:
            parent.children.add(self)

    # --- driving -------------------------------------------------------------------------------------------
    def start(self, data, on_done: Callable[[Any, StatesError | None], None]) -> None:
        """Run from the graph's start state; ``on_done(output, error)`` is called once at the end."""
        self.on_done = on_done
        self._drive((self.graph.start, data))

    def resume(self, thunk: Callable[[], Any]) -> None:
        """Continue after a suspension; ``thunk()`` computes the next outcome (or raises StatesError)."""
        if self.cancelled:
            return
        if self._driving:
            self._sync = thunk
        else:
            self._drive(thunk)

    def _drive(self, outcome) -> None:
        self._driving = True
        budget = YIELD_EVERY
        done = failure = None
        try:
            while not self.cancelled:
                if outcome is SUSPEND:
                    outcome, self._sync = self._sync, None
                    if outcome is None:
                        return
                    continue
                if type(outcome) is not tuple:
                    outcome = outcome()
                    continue
                state, data = outcome
                if state is None:
                    done = (data,)
                    break
                budget -= 1
                if not budget:
                    pending = outcome
                    self.sleep_until(self.clock_now(), lambda: pending)
                    return
                outcome = state.enter(self, data)
        except StatesError as exc:
            failure = exc
        except Exception as exc:  # an engine or integration bug must fail the execution, not the process
            failure = self.internal_error(exc)
        finally:
            self._driving = False
        if failure is not None:
            try:
                self._finish(None, failure)
            finally:
                self.cancel()  # an internal error can strike while iterations or timers of this run are pending
        elif done is not None:
            self._finish(done[0], None)

    def internal_error(self, exc: Exception) -> StatesError:
        """The States.Runtime error standing for a Python exception nothing anticipated (an engine bug)."""
        return StatesError(RUNTIME, f"Internal error of the local runtime in state '{self.state_name}': "
                                    f"{type(exc).__name__}: {exc}")

    def _finish(self, output, error) -> None:
        """Tell whoever started this run that it ended; if that callback raises, its run fails instead."""
        on_done, self.on_done = self.on_done, None
        parent = self.parent
        if parent is not None:
            parent.children.discard(self)
        if on_done is None or self.cancelled:
            return
        try:
            on_done(output, error)
        except Exception as exc:
            if parent is None:
                self.execution.close("FAILED", error=RUNTIME, cause=self.internal_error(exc).cause)
            elif parent._driving:
                raise  # the parent's own _drive is below on the stack and fails it
            else:
                failure = parent.internal_error(exc)
                parent.resume(lambda: _raise(failure))

    def cancel(self) -> None:
        """Stop this run and everything under it: timers are dropped, late callbacks ignored."""
        self.cancelled = True
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        for child in list(self.children):
            child.cancel()
        self.children.clear()

    def sleep_until(self, when: float, thunk: Callable[[], Any]):
        """Resume with ``thunk`` at virtual time ``when``; returns the Timer (cancelled with the run)."""
        timers = self.timers

        def fire():
            timers.discard(timer)
            self.resume(thunk)
        timer = self.scheduler.at(when, fire)
        timers.add(timer)
        return timer

    def call_later(self, when: float, fn: Callable[[], None]):
        """A timer that belongs to this run but calls ``fn`` directly (timeouts, heartbeats)."""
        timers = self.timers

        def fire():
            timers.discard(timer)
            if not self.cancelled:
                fn()
        timer = self.scheduler.at(when, fire)
        timers.add(timer)
        return timer

    def spawn(self, graph, record: bool = True) -> "Run":
        """A child run (Parallel branch, Map iteration) that sees this run's variables."""
        return Run(self.execution, graph, parent=self, record=record and self.history is not None)

    # --- states and history ----------------------------------------------------------------------------------
    def record(self, event_type: str, details=None, name: str | None = None) -> int:
        """Record an event (a state entered/exited event: the state's ``name``, its input or output as
        ``details``); returns its id, 0 when nothing is recorded."""
        history = self.history
        if history is None:
            return 0
        event_id = history.add(event_type, self.clock_now(), self.last_event, details, name)
        if event_id:
            self.last_event = event_id
        return event_id

    def enter_state(self, state, raw) -> None:
        self.state_name = state.name
        self.entered_time = self.clock_now()
        self.retry_count = 0
        self.task_token = None
        self.execution.runtime.stats["state_transitions"] += 1
        self.entered_id = self.record(state.entered_event, raw, state.name)

    def exit_state(self, state, raw, output) -> None:
        """Record the state's output, held to the payload quota. Payloads are never mutated in place, so a value
        already proved within it needs no second walk: the state's input (proved when it was the previous
        state's output) passed through unchanged, or the very value the execution measured last (Parameters, a
        task's result); and where the output holds that value, its numbers are counted, not walked."""
        if output is not raw:
            execution = self.execution
            proved = execution.proved
            if proved is None or output is not proved.value:
                size, depth = measure(output, known=proved)
                problem = quota_problem(size, depth)
                if problem is not None:
                    raise StatesError(DATA_LIMIT_EXCEEDED,
                                      f"The state/task '{state.name}' returned a result {problem}.")
                execution.proved = Measured(output, size, depth)
        self.record(state.exited_event, output, state.name)

    def runtime_error(self, error: str, cause: str) -> StatesError:
        """An error raised by the engine while processing this run's current state, worded like AWS."""
        return StatesError(error, cause).decorated(self.state_name, self.entered_id)

    # --- what paths and expressions can read ----------------------------------------------------------------
    def context_object(self) -> dict:
        return build_context_object(self)

    def variable(self, name: str):
        run = self
        while run is not None:
            if run.variables is not None and name in run.variables:
                return run.variables[name]
            run = run.parent
        raise self.runtime_error(RUNTIME, f"The variable '${name}' is not defined.")

    def visible_variables(self) -> dict:
        chain = []
        run = self
        while run is not None:
            if run.variables:
                chain.append(run.variables)
            run = run.parent
        merged: dict = {}
        for scope in reversed(chain):
            merged.update(scope)
        return merged

    def assign(self, values: dict) -> None:
        if self.variables is None:
            self.variables = {}
        self.variables.update(values)

    @property
    def rng(self):
        return self.scheduler.rng

    def uuid4(self) -> str:
        return self.scheduler.uuid4()


def _raise(error: StatesError):
    raise error


class Execution:
    """One execution of a registered state machine: status, output, history, and its root run."""

    def __init__(self, runtime, machine, name: str, arn: str, input_value, history_limit: int | None):
        self.runtime = runtime
        self.machine = machine
        self.name = name
        self.arn = arn
        self.input = input_value
        self.scheduler = runtime.scheduler
        self.start_time = self.scheduler.clock.now()
        self.stop_time: float | None = None
        self.status = "RUNNING"
        self.output = None
        self.error: str | None = None
        self.cause: str | None = None
        self.role_arn = f"arn:aws:iam::{runtime.account}:role/waveflow-local-execution"
        self.recorder = History(history_limit, self._history_full)
        self.watchers: list[Callable[["Execution"], None]] = []
        self.mocks = None  # a mocks.MockSession when started as ``StateMachine#TestCase``
        #: the payload measured last within the quota (Run.exit_state, dataflow.checked_input, a task's result)
        self.proved: Measured | None = None
        self.root: Run | None = None
        self._timeout = None

    @property
    def history(self) -> list[dict]:
        """The events so far, shaped like GetExecutionHistory's ``events``."""
        return self.recorder.materialize()

    @property
    def history_length(self) -> int:
        return len(self.recorder)

    @property
    def start_date(self):
        return to_datetime(self.start_time)

    @property
    def stop_date(self):
        return None if self.stop_time is None else to_datetime(self.stop_time)

    def start(self) -> None:
        self.recorder.add("ExecutionStarted", self.start_time, 0, {
            "input": self.input, "roleArn": self.role_arn, "stateMachineArn": self.machine.arn})
        self._timeout = self.scheduler.at(self.start_time + self.timeout_seconds, self._timed_out,
                                          background=self.machine.timeout_seconds is None)
        self.root = Run(self, self.machine.graph)
        self.root.last_event = 1
        self.root.start(self.input, self._root_done)

    def _root_done(self, output, error: StatesError | None) -> None:
        if error is not None:
            self.close("FAILED", error=error.error, cause=error.cause)
        else:
            self.close("SUCCEEDED", output=output)

    @property
    def timeout_seconds(self) -> int:
        """TimeoutSeconds, and in any case the one year a Standard execution may last: past it AWS fails the
        execution with States.Timeout (service quotas), however long a Wait or a task still had to go."""
        timeout = self.machine.timeout_seconds
        return MAX_EXECUTION_SECONDS if timeout is None else min(timeout, MAX_EXECUTION_SECONDS)

    def _timed_out(self) -> None:
        self.close("TIMED_OUT", error="States.Timeout",
                   cause=f"The execution timed out after {self.timeout_seconds} seconds.")

    def _history_full(self) -> None:
        limit = self.recorder.limit
        self.close("FAILED", error=RUNTIME,
                   cause=f"The execution reached the maximum number of history events ({limit}).")

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """StopExecution: abort a running execution."""
        self.close("ABORTED", error=error, cause=cause)

    def close(self, status: str, output=None, error: str | None = None, cause: str | None = None) -> None:
        """Finish the execution once: record the closing event, cancel what still runs, tell the watchers."""
        if self.status != "RUNNING":
            return
        self.status = status
        self.stop_time = self.scheduler.clock.now()
        self.output, self.error, self.cause = output, error or None, cause
        last = self.root.last_event if self.root is not None else 1
        event, details = _CLOSING_EVENTS[status]
        if status == "SUCCEEDED":
            payload = {"output": output}
        else:
            payload = {key: value for key, value in (("error", error or None), ("cause", cause)) if value is not None}
        self.recorder.add_final(event, self.stop_time, last, payload if details else None)
        if self._timeout is not None:
            self._timeout.cancel()
        if self.root is not None:
            self.root.cancel()
        self.runtime._execution_closed(self)
        for watcher in self.watchers:
            watcher(self)
        self.watchers.clear()


_CLOSING_EVENTS = {
    "SUCCEEDED": ("ExecutionSucceeded", True),
    "FAILED": ("ExecutionFailed", True),
    "TIMED_OUT": ("ExecutionTimedOut", True),
    "ABORTED": ("ExecutionAborted", True),
}
