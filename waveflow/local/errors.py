"""Errors of the local runtime: ASL's predefined error names and the API exceptions of Step Functions.

Two families live here. ``StatesError`` travels *inside* an execution: it carries the ``Error``/``Cause`` pair
that Retry and Catch match and that a failed execution reports. The ``LocalRuntimeError`` subclasses are raised
*to the caller* of the runtime, named after the Step Functions API exceptions they mirror.
"""
from __future__ import annotations

ALL = "States.ALL"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
RUNTIME = "States.Runtime"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
BRANCH_FAILED = "States.BranchFailed"
PERMISSIONS = "States.Permissions"
ITEM_READER_FAILED = "States.ItemReaderFailed"
EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"

# States.ALL matches every error except these: AWS documents both as terminal for the execution.
NOT_MATCHED_BY_ALL = frozenset({RUNTIME, DATA_LIMIT_EXCEEDED})
# States.Runtime is never retried nor caught, even when a retrier names it.
NEVER_HANDLED = frozenset({RUNTIME})
TIMEOUTS = frozenset({TIMEOUT, HEARTBEAT_TIMEOUT})


class StatesError(Exception):
    """An ASL error raised while running a state; ``error`` and ``cause`` are what Catch sees."""

    def __init__(self, error: str, cause: str | None = None):
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause

    def decorated(self, state_name: str, event_id: int) -> "StatesError":
        """The same error with AWS's prefix naming the state, as execution failures report it."""
        prefix = f"An error occurred while executing the state '{state_name}' (entered at the event id #{event_id})."
        return StatesError(self.error, f"{prefix} {self.cause}" if self.cause else prefix)


def error_matches(error_equals, error: str) -> bool:
    """True when a retrier's or catcher's ``ErrorEquals`` list covers ``error`` (ASL's wildcard rules).

    >>> error_matches(["States.ALL"], "MgnThrottled")
    True
    """
    if error in NEVER_HANDLED:
        return False
    for name in error_equals:
        if name == error:
            return True
        if name == ALL and error not in NOT_MATCHED_BY_ALL:
            return True
        if name == TIMEOUT and error == HEARTBEAT_TIMEOUT:
            return True
        if name == TASK_FAILED and error not in TIMEOUTS and error not in NOT_MATCHED_BY_ALL:
            return True
    return False


class LocalRuntimeError(Exception):
    """Base of the exceptions the local runtime raises to its caller."""


class InvalidDefinition(LocalRuntimeError):
    """Raised when an ASL document fails validation; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]):
        super().__init__("Invalid State Machine Definition: " + "; ".join(problems))
        self.problems = problems


class ExecutionAlreadyExists(LocalRuntimeError):
    """Raised by StartExecution for a name in use with a different input, or by a closed execution."""


class StateMachineDoesNotExist(LocalRuntimeError):
    """Raised when an execution names a state machine that was never registered."""


class ExecutionDoesNotExist(LocalRuntimeError):
    """Raised when a lookup names an execution the runtime does not know."""


class InvalidToken(LocalRuntimeError):
    """Raised by SendTask* for a token the runtime never issued."""


class TaskTimedOut(LocalRuntimeError):
    """Raised by SendTask* for a token whose task already finished, timed out or was cancelled."""


class InvalidExecutionInput(LocalRuntimeError):
    """Raised when an execution input is not JSON or exceeds 256 KiB."""


class InvalidName(LocalRuntimeError):
    """Raised when an execution name breaks Step Functions' naming rules."""


class InvalidOutput(LocalRuntimeError):
    """Raised by SendTaskSuccess for an output that is not JSON or exceeds 256 KiB."""
