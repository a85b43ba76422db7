"""Step Functions for the wave path: start a migration under its own name, and answer task tokens, each once.

Both calls are made by several parties that may race or repeat (a duplicate event, a retried Lambda, the wave's
poll sweeping behind the starter, two deciders answering one parked token), so both treat "already done" as
done: StartExecution answering ``ExecutionAlreadyExists`` (or returning the same execution) is a duplicate, and
a token that is no longer open (``TaskTimedOut``, ``TaskDoesNotExist``, ``InvalidToken``) was answered by
someone else or its task has ended. Transient failures are ``AwsThrottled``; a state machine that does not exist
is ``ConfigError`` (the function was deployed with the wrong ARN).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from tasks.lib import aws
from tasks.lib.awserrors import describe, error_code, transient_as_throttled
from tasks.lib.errors import ConfigError, InvalidMigrationDocument

#: Error codes of SendTask* for a token whose task is no longer waiting for an answer.
CLOSED_TOKEN_CODES = frozenset({"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"})
RUNNING = "RUNNING"


@dataclass(frozen=True)
class Started:
    """What StartExecution did: the execution's ARN and whether this call found it already there."""

    execution_arn: str
    duplicate: bool


def execution_arn(state_machine_arn: str, name: str) -> str:
    """The ARN of execution ``name`` of ``state_machine_arn`` (what StartExecution would answer).

    >>> execution_arn("arn:aws:states:us-east-1:123456789012:stateMachine:ServerMigration", "m-1")
    'arn:aws:states:us-east-1:123456789012:execution:ServerMigration:m-1'
    """
    head, _, machine = state_machine_arn.rpartition(":stateMachine:")
    return f"{head}:execution:{machine}:{name}"


class StepFunctions:
    """The Step Functions calls of the wave path, through the tasks' client factory.

    >>> StepFunctions().start(machine_arn, "s-0a1b2c3d4e5f60718-7", document)  # doctest: +SKIP
    Started(execution_arn='arn:aws:states:...:execution:ServerMigration:s-0a1b2c3d4e5f60718-7', duplicate=False)
    """

    def __init__(self, client: Any = None) -> None:
        self.client = client or aws.client("stepfunctions")

    def start(self, state_machine_arn: str, name: str, document: dict) -> Started:
        """StartExecution named ``name`` with ``document`` as input; a second start of that name starts nothing."""
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        try:
            with transient_as_throttled(f"Step Functions StartExecution {name}"):
                response = self.client.start_execution(stateMachineArn=state_machine_arn, name=name, input=text)
        except ClientError as exc:
            code = error_code(exc)
            if code == "ExecutionAlreadyExists":
                return Started(execution_arn(state_machine_arn, name), duplicate=True)
            if code == "StateMachineDoesNotExist":
                raise ConfigError(f"cannot start {name}: state machine {state_machine_arn} does not exist "
                                  f"(WAVEFLOW_MIGRATION_STATE_MACHINE_ARN)") from exc
            if code in ("InvalidExecutionInput", "InvalidName"):
                raise InvalidMigrationDocument(f"Step Functions refused to start {name!r}: {describe(exc)}") from exc
            raise
        return Started(response["executionArn"], duplicate=False)

    def status(self, arn: str) -> str | None:
        """The status of execution ``arn`` (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED), ``None`` if unknown."""
        try:
            with transient_as_throttled(f"Step Functions DescribeExecution {arn}"):
                return self.client.describe_execution(executionArn=arn)["status"]
        except ClientError as exc:
            if error_code(exc) == "ExecutionDoesNotExist":
                return None
            raise

    def succeed(self, token: str, output: dict) -> bool:
        """SendTaskSuccess; ``False`` when the task no longer waits for this token."""
        return self._answer("SendTaskSuccess", self.client.send_task_success, taskToken=token,
                            output=json.dumps(output, sort_keys=True))

    def fail(self, token: str, error: str, cause: str) -> bool:
        """SendTaskFailure with ``error`` (an error name the workflow catches) and ``cause``; ``False`` as above."""
        return self._answer("SendTaskFailure", self.client.send_task_failure, taskToken=token, error=error[:256],
                            cause=cause[:32768])

    @staticmethod
    def _answer(operation: str, method: Any, **kwargs: Any) -> bool:
        try:
            with transient_as_throttled(f"Step Functions {operation}"):
                method(**kwargs)
        except ClientError as exc:
            if error_code(exc) in CLOSED_TOKEN_CODES:
                return False
            raise
        return True
