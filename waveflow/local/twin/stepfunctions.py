"""The Step Functions API of the local twin, answered from the interpreter at the wire.

Handlers call ``boto3.client("stepfunctions")`` as on AWS (the starter's StartExecution, the gate's
SendTaskSuccess/Failure, an approver's answer); the twin answers those requests from ``LocalRuntime`` at the wire
(``wire``: the JSON body botocore serialised in, the service's JSON reply out, parsed by botocore), ahead of moto
(whose executor cannot run the compiled workflows over in-process handlers). Errors carry AWS's codes
(``ExecutionAlreadyExists``, ``StateMachineDoesNotExist``, ``ExecutionDoesNotExist``, ``InvalidToken``,
``TaskTimedOut``, ``InvalidArn``, ...), so botocore raises ``client.exceptions.<Code>`` as it would against AWS.

A handler may answer its own task token during its own invocation: the runtime issues the token before it
invokes the handler and applies the answer on the clock's next turn, after the invocation has returned.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from ..errors import ExecutionAlreadyExists, LocalRuntimeError
from ..execution import Execution
from ..history import details_key
from ..runtime import LocalRuntime
from .wire import Reply, Wiring, json_reply

_EXECUTION_ARN = re.compile(r"^arn:aws[\w-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$")
_PAGE = 100


class ApiError(Exception):
    """An error answer: AWS's error code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _epoch(when) -> float:
    return when.timestamp()


def _page(items: list, params: dict, default: int = _PAGE) -> tuple[list, dict]:
    """One page of ``items`` per ``maxResults``/``nextToken`` (the token is the offset, as text)."""
    start = int(params.get("nextToken") or 0)
    size = int(params.get("maxResults") or default)
    following = {"nextToken": str(start + size)} if start + size < len(items) else {}
    return items[start:start + size], following


class StepFunctionsApi:
    """Serves the Step Functions operations the tasks and tools use, from ``runtime``.

    >>> api = StepFunctionsApi(runtime); api.install(session)
    >>> session.client("stepfunctions").start_execution(stateMachineArn=arn, name="m-1", input="{}")  # doctest: +SKIP
    {'executionArn': 'arn:aws:states:us-east-1:123456789012:execution:ServerMigration:m-1', 'startDate': ...}
    """

    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.calls: list[tuple[str, dict]] = []
        #: StartExecution calls that started nothing: the execution of that name already existed (open with the
        #: same input: returned as it is; else ExecutionAlreadyExists)
        self.duplicate_starts = 0
        self._wiring = Wiring()
        self._operations: dict[str, Callable[[dict], dict]] = {
            "StartExecution": self.start_execution,
            "DescribeExecution": self.describe_execution,
            "StopExecution": self.stop_execution,
            "ListExecutions": self.list_executions,
            "GetExecutionHistory": self.get_execution_history,
            "SendTaskSuccess": self.send_task_success,
            "SendTaskFailure": self.send_task_failure,
            "SendTaskHeartbeat": self.send_task_heartbeat,
        }

    def install(self, session) -> None:
        """Answer the Step Functions requests of every client built from ``session`` from now on."""
        self._wiring.answer(session, "sfn", self.serve)

    def uninstall(self) -> None:
        self._wiring.uninstall()

    def serve(self, operation: str, params: dict) -> Reply:
        self.calls.append((operation, params))
        try:
            handler = self._operations.get(operation)
            if handler is None:
                raise ApiError("UnknownOperationException",
                               f"{operation} is not served by waveflow's local Step Functions; served: "
                               f"{', '.join(sorted(self._operations))}")
            return json_reply(handler(params))
        except ApiError as error:
            return json_reply({"message": str(error)}, status=400, error_type=error.code)
        except LocalRuntimeError as error:  # the runtime's exceptions are named after the API's error codes
            return json_reply({"message": str(error)}, status=400, error_type=type(error).__name__)

    # -- executions -----------------------------------------------------------------------------------------

    def start_execution(self, params: dict) -> dict:
        arn = params["stateMachineArn"]
        machine = next((m for m in self.runtime.machines.values() if m.arn == arn), None)
        if machine is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        try:
            document = json.loads(params.get("input") or "{}")
        except ValueError as exc:
            raise ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'") from None
        started = self.runtime.stats["executions_started"]
        try:
            execution = self.runtime.start_execution(machine.name, document, name=params.get("name"))
        except ExecutionAlreadyExists:
            self.duplicate_starts += 1
            raise
        if self.runtime.stats["executions_started"] == started:
            self.duplicate_starts += 1
        return {"executionArn": execution.arn, "startDate": _epoch(execution.start_date)}

    def describe_execution(self, params: dict) -> dict:
        execution = self._execution(params["executionArn"])
        out: dict[str, Any] = {
            "executionArn": execution.arn, "stateMachineArn": execution.machine.arn, "name": execution.name,
            "status": execution.status, "startDate": _epoch(execution.start_date),
            "input": json.dumps(execution.input), "inputDetails": {"included": True},
        }
        if execution.stop_date is not None:
            out["stopDate"] = _epoch(execution.stop_date)
        if execution.status == "SUCCEEDED":
            out.update(output=json.dumps(execution.output), outputDetails={"included": True})
        out.update({key: value for key, value in (("error", execution.error), ("cause", execution.cause)) if value})
        return out

    def stop_execution(self, params: dict) -> dict:
        execution = self._execution(params["executionArn"])
        execution.stop(params.get("error"), params.get("cause"))
        return {"stopDate": _epoch(execution.stop_date)}

    def list_executions(self, params: dict) -> dict:
        arn = params.get("stateMachineArn")
        wanted = params.get("statusFilter")
        matching = [ex for ex in reversed(list(self.runtime.executions.values()))
                    if ex.machine.arn == arn and (wanted is None or ex.status == wanted)]
        page, following = _page(matching, params)
        listed = []
        for execution in page:
            item = {"executionArn": execution.arn, "stateMachineArn": arn, "name": execution.name,
                    "status": execution.status, "startDate": _epoch(execution.start_date)}
            if execution.stop_date is not None:
                item["stopDate"] = _epoch(execution.stop_date)
            listed.append(item)
        return {"executions": listed, **following}

    def get_execution_history(self, params: dict) -> dict:
        events = self._execution(params["executionArn"]).history
        if params.get("reverseOrder"):
            events.reverse()
        page, following = _page(events, params)
        keep_data = params.get("includeExecutionData", True)
        return {"events": [_wire_event(event, keep_data) for event in page], **following}

    def _execution(self, arn: str) -> Execution:
        if not _EXECUTION_ARN.match(arn or ""):
            raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {arn}'")
        execution = self.runtime.executions.get(arn)
        if execution is None:
            raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return execution

    # -- task tokens --------------------------------------------------------------------------------------------

    def send_task_success(self, params: dict) -> dict:
        self.runtime.send_task_success(params["taskToken"], params["output"])
        return {}

    def send_task_failure(self, params: dict) -> dict:
        self.runtime.send_task_failure(params["taskToken"], params.get("error"), params.get("cause"))
        return {}

    def send_task_heartbeat(self, params: dict) -> dict:
        self.runtime.send_task_heartbeat(params["taskToken"])
        return {}


def _wire_event(event: dict, keep_data: bool) -> dict:
    """A history event as the API sends it: the timestamp in epoch seconds, payloads dropped unless asked for."""
    out = {**event, "timestamp": _epoch(event["timestamp"])}
    details = out.get(details_key(event["type"]))
    if details is not None and not keep_data:
        out[details_key(event["type"])] = {k: v for k, v in details.items() if k not in ("input", "output")}
    return out
