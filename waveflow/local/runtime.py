"""The public facade of the local twin's interpreter: register state machines, start executions, run the clock.

    >>> rt = LocalRuntime({"Hello": lambda event, context: {"hi": event["name"]}})
    >>> arn = rt.register_state_machine("Greeter", {"StartAt": "Hi", "States": {"Hi": {
    ...     "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Hello", "End": True}}})
    >>> ex = rt.start_execution("Greeter", {"name": "wave"}, name="first"); rt.run(); ex.output
    {'hi': 'wave'}
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from .clock import VirtualClock
from .errors import (ExecutionAlreadyExists, ExecutionDoesNotExist, InvalidDefinition, InvalidExecutionInput,
                     InvalidName, InvalidOutput, InvalidToken, StateMachineDoesNotExist, StatesError, TaskTimedOut)
from .execution import Execution
from .graph import StateMachine, parse_definition
from .guard import HandlerGuard
from .limits import DEFAULT_HISTORY_LIMIT, NestingTooDeep, dumps, loads, over_limit
from .routing import state_machine_name
from .scheduler import Scheduler

_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_STATS = ("state_transitions", "lambda_invocations", "executions_started", "executions_succeeded",
          "executions_failed", "executions_timed_out", "executions_aborted")


class LocalRuntime:
    """Runs ASL state machines in-process on a (virtual) clock, many executions interleaved."""

    def __init__(self, handlers: Mapping[str, Callable[[dict, object], Any]] = {}, *, seed: int = 0, clock=None,
                 history_limit: int | None = DEFAULT_HISTORY_LIMIT, journal=None,
                 boto_session=None, substitutions: Mapping[str, str] | None = None, region: str = "us-east-1",
                 account: str = "123456789012", guard_handlers: bool = True, mock_config=None):
        self.handlers = dict(handlers)
        self.clock = clock if clock is not None else VirtualClock()
        self.scheduler = Scheduler(self.clock, seed)
        self.history_limit = history_limit
        self.boto_session = boto_session
        self.substitutions = dict(substitutions or {})
        self.region = region
        self.account = account
        self.guard_handlers = guard_handlers
        self.guard = HandlerGuard()
        self.machines: dict[str, StateMachine] = {}
        self.executions: dict[str, Execution] = {}
        self.tokens: dict[str, Any] = {}
        self.token_listeners: list[Callable] = []  # called (token, attempt) when a task issues a token
        self._spent_tokens: set[str] = set()
        self._by_name: dict[tuple[str, str], Execution] = {}
        self._clients: dict[str, Any] = {}
        self.stats: dict[str, int] = dict.fromkeys(_STATS, 0)
        self.mock_config = mock_config  # a mocks.MockConfig: start "Machine#TestCase" as Step Functions Local does
        self.journal = journal  # a journal.Journal, or a path to open one: finished executions go there
        if isinstance(journal, (str, Path)):
            from .journal import Journal
            self.journal = Journal(journal, create_folder=True)

    # --- state machines and executions -------------------------------------------------------------------
    def register_state_machine(self, name: str, definition: dict | str) -> str:
        """Validate and compile ``definition``; returns the state machine ARN. Raises InvalidDefinition."""
        from .validate import validate_definition
        try:
            parsed = parse_definition(definition, self.substitutions)
        except NestingTooDeep as exc:
            raise InvalidDefinition([f"Definition: {exc}"]) from None
        except ValueError as exc:
            raise InvalidDefinition([f"The definition is not valid JSON: {exc}"]) from exc
        problems = validate_definition(parsed)
        if problems:
            raise InvalidDefinition(problems)
        arn = f"arn:aws:states:{self.region}:{self.account}:stateMachine:{name}"
        self.machines[name] = StateMachine(name, arn, parsed)
        return arn

    def start_execution(self, state_machine: str, input: Any = None, *, name: str | None = None) -> Execution:
        """StartExecution: idempotent for the same name and input while open, else ExecutionAlreadyExists.

        ``"Machine#TestCase"`` (or its ARN with ``#TestCase``) runs a test case of the runtime's ``mock_config``.
        """
        machine_name, _, case = state_machine_name(state_machine).partition("#")
        machine = self.machines.get(machine_name)
        if machine is None or (case and self.mock_config is None):
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{state_machine}'")
        mocks = None
        if case:
            test_case = self.mock_config.test_case(machine.name, case)
            test_case.check_definition(machine.definition, self.mock_config.source)
            mocks = test_case.session()
        if name is None:
            name = self.scheduler.uuid4()
        elif not 1 <= len(name) <= 80 or _BAD_NAME.search(name):
            raise InvalidName(f"Invalid Name: '{name}' (1-80 characters, no whitespace, brackets, wildcards or "
                              f"special characters)")
        value = _checked_copy({} if input is None else input,
                              lambda reason: InvalidExecutionInput(f"Invalid execution input: {reason}"))
        text = dumps(value)
        existing = self._by_name.get((machine.name, name))
        if existing is not None:
            if existing.status == "RUNNING" and dumps(existing.input) == text:
                return existing
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{existing.arn}'")
        arn = f"arn:aws:states:{self.region}:{self.account}:execution:{machine.name}:{name}"
        if self.journal is not None and self.journal.exists(arn):  # an earlier run's execution: names are unique
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
        execution = Execution(self, machine, name, arn, value, self.history_limit)
        execution.mocks = mocks
        self.executions[arn] = execution
        self._by_name[(machine.name, name)] = execution
        self.stats["executions_started"] += 1
        self.scheduler.soon(execution.start)
        return execution

    def get_execution(self, name_or_arn: str) -> Execution:
        execution = self.executions.get(name_or_arn)
        if execution is None:
            matches = [ex for ex in self.executions.values() if ex.name == name_or_arn]
            if not matches:
                raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{name_or_arn}'")
            execution = matches[-1]
        return execution

    def stop_execution(self, name_or_arn: str, error: str | None = None, cause: str | None = None) -> None:
        self.get_execution(name_or_arn).stop(error, cause)

    def _execution_closed(self, execution: Execution) -> None:
        self.stats["executions_" + execution.status.lower()] += 1
        if self.journal is not None:
            execution.recorder = self.journal.record(execution)  # the history leaves memory for the file

    # --- the clock ----------------------------------------------------------------------------------------
    def run(self, until: float | None = None) -> None:
        """Run the event loop until nothing is left to do, or until virtual time ``until`` (seconds since the
        epoch on the runtime's clock); what the journal received is committed before it returns."""
        self.scheduler.run(until)
        if self.journal is not None:
            self.journal.flush()

    def run_for(self, seconds: float) -> None:
        """Run for ``seconds`` of (virtual) time from now, e.g. up to an approval, then answer its token:

            rt.run_for(3600); rt.send_task_success(token, {"approved": True}); rt.run()
        """
        self.run(until=self.clock.now() + seconds)

    def call_at(self, when: float, fn: Callable[[], None]) -> None:
        """Schedule an external callback (an operator approving, a fault being injected) on the clock."""
        self.scheduler.at(when, fn)

    # --- task tokens --------------------------------------------------------------------------------------
    def issue_token(self, attempt) -> str:
        token = "wft-" + self.scheduler.uuid4().replace("-", "") + self.scheduler.uuid4().replace("-", "")
        self.tokens[token] = attempt
        for listener in self.token_listeners:
            listener(token, attempt)
        return token

    def retire_token(self, token: str) -> None:
        """The task behind ``token`` is over: later SendTask* calls get TaskTimedOut, as on AWS."""
        self.tokens.pop(token, None)
        self._spent_tokens.add(token)

    def _take_token(self, token: str, spend: bool = True):
        attempt = self.tokens.get(token)
        if attempt is None or attempt.settled or attempt.run.cancelled:
            if attempt is not None or token in self._spent_tokens:
                raise TaskTimedOut(f"Task Timed Out: '{token}'")
            raise InvalidToken(f"Invalid Token: '{token}'")
        if spend:
            self.retire_token(token)
        return attempt

    def send_task_success(self, token: str, output: Any) -> None:
        """SendTaskSuccess: ``output`` is a JSON string (as the API takes it) or a JSON-able value."""
        def refuse(reason):
            return InvalidOutput(f"Invalid Output: {reason}")
        if isinstance(output, str):
            try:
                output = loads(output)
            except ValueError as exc:
                raise refuse(exc) from None
        value = _checked_copy(output, refuse)
        attempt = self._take_token(token)
        self.scheduler.soon(lambda: attempt.complete(result=value))

    def send_task_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        attempt = self._take_token(token)
        self.scheduler.soon(lambda: attempt.complete(error=StatesError(error or "", cause)))

    def send_task_heartbeat(self, token: str) -> None:
        attempt = self._take_token(token, spend=False)
        if attempt.heartbeat is not None:
            self.scheduler.soon(lambda: attempt.settled or attempt.state.beat(attempt.run, attempt))

    # --- AWS clients for SDK integrations and the S3 ItemReader ------------------------------------------
    def client(self, service: str):
        client = self._clients.get(service)
        if client is None:
            session = self.boto_session
            if session is None:
                import boto3
                session = boto3.Session(region_name=self.region)
            client = self._clients[service] = session.client(service, region_name=self.region)
        return client


def _checked_copy(value, refuse):
    """A private copy of a payload handed to the API (execution input, task output); ``refuse(reason)`` is raised
    for one that is not JSON (NaN included), over 256 KiB or nested too deep: checked before it is copied."""
    try:
        problem = over_limit(value)
        if problem is None:
            return loads(dumps(value))
    except (TypeError, ValueError) as exc:
        raise refuse(exc) from None
    raise refuse(f"a payload {problem}")


@dataclass
class ExecutionResult:
    """The outcome of ``run_definition``: what ``waveflow exec`` prints and the conformance suite checks."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    history: list = field(repr=False)
    execution_arn: str = ""


def run_definition(definition: dict | str, input: Any, *, handlers=None, seed: int = 0,
                   history_limit: int | None = DEFAULT_HISTORY_LIMIT, boto_session=None) -> ExecutionResult:
    """Validate, run to completion on a virtual clock, and return the result (one-shot convenience)."""
    runtime = LocalRuntime(handlers or {}, seed=seed, history_limit=history_limit, boto_session=boto_session)
    runtime.register_state_machine("LocalExecution", definition)
    execution = runtime.start_execution("LocalExecution", input, name="local")
    runtime.run()
    return ExecutionResult(execution.status, execution.output, execution.error, execution.cause,
                           execution.history, execution.arn)
