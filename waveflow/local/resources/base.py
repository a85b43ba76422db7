"""What a Task resource is to the engine: a call plus the history events Step Functions records for it."""
from __future__ import annotations

from ..errors import TIMEOUTS, StatesError


class Integration:
    """A Task ``Resource``. ``call`` returns the result, raises StatesError, or returns SUSPEND and later
    calls ``attempt.complete``. ``pattern`` is ``request`` (default), ``sync`` or ``callback``."""

    family = "Task"          # "Task" events, or "LambdaFunction" events for a plain function ARN
    resource_type = ""
    resource = ""

    def __init__(self, arn: str, pattern: str = "request"):
        self.arn = arn
        self.pattern = pattern

    def call(self, run, params, attempt, timeout):
        raise NotImplementedError

    # --- history -----------------------------------------------------------------------------------------
    def _ids(self) -> dict:
        return {"resourceType": self.resource_type, "resource": self.resource}

    def record_scheduled(self, run, params, timeout, heartbeat) -> None:
        details = {**self._ids(), "region": run.execution.runtime.region, "parameters": params}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        if heartbeat is not None:
            details["heartbeatInSeconds"] = heartbeat
        run.record("TaskScheduled", details)
        run.record("TaskStarted", self._ids())

    def record_submitted(self, run, output) -> None:
        run.record("TaskSubmitted", {**self._ids(), "output": output})

    def record_succeeded(self, run, output) -> None:
        run.record("TaskSucceeded", {**self._ids(), "output": output})

    def record_failed(self, run, error: StatesError) -> None:
        event = "TaskTimedOut" if error.error in TIMEOUTS else "TaskFailed"
        details = {**self._ids(), "error": error.error}
        if error.cause is not None:
            details["cause"] = error.cause
        run.record(event, details)
