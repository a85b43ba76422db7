"""The context object (``$$``): what a state can know about its execution, built only when a path asks."""
from __future__ import annotations

from .clock import iso8601


def build_context_object(run) -> dict:
    """The ``$$`` document for ``run``'s current state (Execution, State, StateMachine, Task, Map)."""
    execution = run.execution
    context = {
        "Execution": {
            "Id": execution.arn,
            "Input": execution.input,
            "Name": execution.name,
            "RoleArn": execution.role_arn,
            "StartTime": iso8601(execution.start_time),
            "RedriveCount": 0,
        },
        "State": {
            "EnteredTime": iso8601(run.entered_time),
            "Name": run.state_name,
            "RetryCount": run.retry_count,
        },
        "StateMachine": {"Id": execution.machine.arn, "Name": execution.machine.name},
    }
    if run.task_token is not None:
        context["Task"] = {"Token": run.task_token}
    item = run.map_item
    if item is not None:
        context["Map"] = {"Item": {"Index": item[0], "Value": item[1]}}
    return context
