"""The context object (``$$``): what a state can know about its execution, built only when a path asks."""
from __future__ import annotations

from .clock import iso8601


def build_context_object(run) -> dict:
    """The ``$$`` document for ``run``'s current state (Execution, State, StateMachine, Task, Map).

    ``State.RetryCount`` is there only for states that can retry (developer guide, context object; AWS omits it
    for a Pass, Choice, Wait, Succeed or Fail state).
    """
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
        "State": {"EnteredTime": iso8601(run.entered_time), "Name": run.state_name},
        "StateMachine": {"Id": execution.machine.arn, "Name": execution.machine.name},
    }
    state = run.graph.states.get(run.state_name)
    if state is not None and state.retries:  # Task, Parallel, Map; a Pass or Choice has no RetryCount
        context["State"]["RetryCount"] = run.retry_count
    if run.task_token is not None:
        context["Task"] = {"Token": run.task_token}
    item = run.map_item
    if item is not None:
        context["Map"] = {"Item": {"Index": item[0], "Value": item[1]}}
    return context
