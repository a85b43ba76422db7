"""States that do work: Lambda functions, AWS service integrations, child workflows and human approvals."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .common import Guarded


def dotted_path(handler: str | Callable | None) -> str | None:
    """A handler given as a function becomes its dotted path (``tasks.launch.start_test``)."""
    if callable(handler):
        return f"{handler.__module__}.{handler.__qualname__}"
    return handler


@dataclass(eq=False, kw_only=True)
class Task(Guarded):
    """Any ASL Task; the specialised kinds below fill in ``resource`` and ``parameters`` for you.

    ``timeout``/``heartbeat`` (seconds) or ``timeout_path``/``heartbeat_path`` bound how long it may run.
    """

    resource: str | None = None
    timeout: int | None = None
    heartbeat: int | None = None
    timeout_path: str | None = None
    heartbeat_path: str | None = None


@dataclass(eq=False, kw_only=True)
class LambdaTask(Task):
    """Invoke a function of ``tasks/``: ``LambdaTask("ValidateInput", handler="tasks.validate_input.handler")``.

    ``handler`` is a dotted path or the function itself. The function's logical name (and its CloudFormation
    resource) is derived from it; several states may call one function. ``payload`` (a payload template) is what
    the function receives, the whole state input by default. Unless ``result_path``/``result_selector`` say
    otherwise the state's output is what the handler returned. ``wait_for_token=True`` pauses until someone calls
    SendTaskSuccess/Failure with the task token passed as ``taskToken``.
    """

    jsonata_input = "payload"

    handler: str | Callable | None = None
    payload: dict | None = None
    wait_for_token: bool = False

    @property
    def handler_path(self) -> str | None:
        return dotted_path(self.handler)


@dataclass(eq=False, kw_only=True)
class ServiceTask(Task):
    """An optimised service integration: ``ServiceTask("Notify", service="sns", action="publish", ...)``.

    ``integration`` is ``"request"`` (default), ``"sync"``, ``"sync:2"`` or ``"token"`` (``.waitForTaskToken``).
    """

    service: str | None = None
    action: str | None = None
    integration: str = "request"


@dataclass(eq=False, kw_only=True)
class SdkTask(Task):
    """Any AWS API through the AWS SDK integration: ``SdkTask("Describe", service="mgn", action="describeJobs")``."""

    service: str | None = None
    action: str | None = None


@dataclass(eq=False, kw_only=True)
class RunWorkflow(Task):
    """Run another workflow as a child execution (``states:startExecution.sync:2``) and wait for it.

    ``workflow`` is a ``Workflow`` or its name; ``input`` a payload template, a ``Ref`` or an intrinsic (the state
    input by default);
    ``execution_name`` (a ``Ref`` or literal) names the child, e.g. after the migration ID so a retry never
    starts a second one. The result is ``{"status", "executionArn", "output"}``.
    """

    jsonata_input = "input"

    workflow: object = None
    input: object = None
    execution_name: object = None
    wait: bool = True


@dataclass(eq=False, kw_only=True)
class Approval(Task):
    """A human gate: ``notify`` is called with a task token and the execution pauses until it is answered.

    Approve with SendTaskSuccess (the output lands at ``result_path``, ``$.approval`` by default); reject with
    SendTaskFailure. No answer within ``timeout`` fails the state with ``States.Timeout``.
    """

    jsonata_input = None

    notify: str | Callable | None = None
    message: str | None = None

    @property
    def handler_path(self) -> str | None:
        return dotted_path(self.notify)
