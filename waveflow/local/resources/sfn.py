"""``states:startExecution`` (request, ``.sync``, ``.sync:2``, ``.waitForTaskToken``): a child execution of a
state machine registered in the same runtime, found by the routing rule."""
from __future__ import annotations

import json

from ..errors import LocalRuntimeError, StatesError, TASK_FAILED
from ..execution import SUSPEND
from ..limits import dumps
from .base import Integration


def _millis(seconds):
    return None if seconds is None else int(seconds * 1000)


def describe(execution, parse_json: bool) -> dict:
    """DescribeExecution's shape; ``parse_json`` (for ``.sync:2``) keeps Input/Output as JSON, not strings."""
    encode = (lambda v: v) if parse_json else dumps
    out = {
        "ExecutionArn": execution.arn,
        "Input": encode(execution.input),
        "InputDetails": {"Included": True},
        "Name": execution.name,
        "StartDate": _millis(execution.start_time),
        "StateMachineArn": execution.machine.arn,
        "Status": execution.status,
        "StopDate": _millis(execution.stop_time),
    }
    if execution.status == "SUCCEEDED":
        out["Output"] = encode(execution.output)
        out["OutputDetails"] = {"Included": True}
    else:
        out.update({key: value for key, value in (("Error", execution.error), ("Cause", execution.cause))
                    if value is not None})
    return out


class StartExecution(Integration):
    resource_type = "states"

    def __init__(self, arn, pattern="request", version2=False):
        super().__init__(arn, pattern)
        self.version2 = version2
        suffix = {"sync": ".sync:2" if version2 else ".sync", "callback": ".waitForTaskToken"}.get(pattern, "")
        self.resource = "startExecution" + suffix

    def call(self, run, params, attempt, timeout):
        runtime = run.execution.runtime
        if not isinstance(params, dict) or "StateMachineArn" not in params:
            raise StatesError("States.Runtime", "The field 'StateMachineArn' is required by states:startExecution.")
        child_input = params.get("Input", {})
        if isinstance(child_input, str):
            try:
                child_input = json.loads(child_input)
            except ValueError:
                raise StatesError("StepFunctions.InvalidExecutionInputException",
                                  "Invalid execution input: the Input string is not JSON.") from None
        try:
            child = runtime.start_execution(params["StateMachineArn"], child_input, name=params.get("Name"))
        except LocalRuntimeError as exc:
            raise StatesError(f"StepFunctions.{type(exc).__name__}Exception", str(exc)) from None
        started = {"ExecutionArn": child.arn, "StartDate": _millis(child.start_time)}
        if self.pattern != "sync":
            return started
        self.record_submitted(run, started)  # .sync: AWS records the StartExecution response, then waits
        child.watchers.append(lambda done: self._child_closed(done, attempt))
        return SUSPEND

    def _child_closed(self, child, attempt):
        description = describe(child, self.version2)
        if child.status == "SUCCEEDED":
            attempt.complete(result=description)
        else:
            attempt.complete(error=StatesError(TASK_FAILED, dumps(describe(child, False))))
