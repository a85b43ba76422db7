"""Task, LambdaTask, ServiceTask, SdkTask, RunWorkflow, Approval: checks and ASL."""
from __future__ import annotations

import re

from ...dsl.data import template, template_expressions
from ...dsl.durations import as_seconds, readable
from ...dsl.tasks import Approval, LambdaTask, RunWorkflow, SdkTask, ServiceTask, Task
from ..asl import Compilation, data_flow, emits, head, state_machine_placeholder
from ..validate import Checker, checks


@checks(Task)
def check_task(state: Task, c: Checker) -> None:
    c.seconds(state, "timeout", state.timeout)
    c.seconds(state, "heartbeat", state.heartbeat)
    c.path(state, "timeout_path", state.timeout_path)
    c.path(state, "heartbeat_path", state.heartbeat_path)
    timeout, heartbeat = as_seconds(state.timeout), as_seconds(state.heartbeat)
    if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
        c.say(state, f"{state.describe()}: heartbeat ({readable(heartbeat)}) must be shorter than timeout "
                     f"({readable(timeout)})")
    if type(state) is Task and not state.resource:
        c.say(state, f"{state.describe()} needs resource= (an ARN); or use LambdaTask, ServiceTask or SdkTask")


#: What ``arn:aws:states:::lambda:invoke`` returns: Lambda's response, the handler's return in ``Payload``.
LAMBDA_RESPONSE = ("ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode")
_RESULT_FIELD = re.compile(r"\$states\.result\.(`[^`]*`|[A-Za-z_][A-Za-z0-9_]*)")


@checks(LambdaTask)
def check_lambda(state: LambdaTask, c: Checker) -> None:
    c.handler(state, "handler", state.handler_path, "e.g. 'tasks.validate_input.handler'")
    c.template(state, "payload", state.payload)
    c.unused(state, {"parameters": "a Lambda task's input is payload=", "arguments": "use payload="})
    if c.jsonata_of(state) and not state.wait_for_token:
        _reads_the_response(state, c)


def _reads_the_response(state: LambdaTask, c: Checker) -> None:
    """In JSONata, ``$states.result`` of a Lambda task is Lambda's response, as everywhere on AWS; reading a field
    of the handler's return straight from it (``$states.result.rows``) builds, then fails at run time."""
    for label in ("output", "assign"):
        for text in template_expressions(getattr(state, label)):
            for match in _RESULT_FIELD.finditer(text):
                if match.group(1).strip("`") not in LAMBDA_RESPONSE:
                    c.say(state, f"{state.describe()}: {label}= reads $states.result.{match.group(1)}, but "
                                 f"$states.result is Lambda's response ({', '.join(LAMBDA_RESPONSE)}); the "
                                 f"handler's return is $states.result.Payload: write "
                                 f"$states.result.Payload.{match.group(1)}")


@checks(ServiceTask)
def check_service(state: ServiceTask, c: Checker) -> None:
    if not state.service or not state.action:
        c.say(state, f"{state.describe()} needs service= and action= (e.g. service='sns', action='publish')")
    if state.integration not in ("request", "sync", "sync:2", "token"):
        c.say(state, f"{state.describe()}: integration must be 'request', 'sync', 'sync:2' or 'token', "
                     f"got {state.integration!r}")


@checks(SdkTask)
def check_sdk(state: SdkTask, c: Checker) -> None:
    if not state.service or not state.action:
        c.say(state, f"{state.describe()} needs service= and action= (e.g. service='mgn', action='describeJobs')")


@checks(RunWorkflow)
def check_run_workflow(state: RunWorkflow, c: Checker) -> None:
    c.unused(state, {"parameters": "the child's input is input=", "arguments": "the child's input is input="})
    if state.workflow is None:
        c.say(state, f"{state.describe()} needs workflow= (a Workflow or its name)")
    if isinstance(state.input, dict):
        c.template(state, "input", state.input)
    else:
        c.plain_paths(state, "input", state.input)
    c.plain_paths(state, "execution_name", state.execution_name)


@checks(Approval)
def check_approval(state: Approval, c: Checker) -> None:
    c.unused(state, {"parameters": "an approval sends the task token, message= and the state input",
                     "arguments": "an approval sends the task token, message= and the state input"})
    c.handler(state, "notify", state.handler_path, "the handler that sends the task token to approvers")
    if state.timeout is None and state.timeout_path is None:
        c.say(state, f"{state.describe()} has no timeout; an unanswered approval would wait a year: add timeout=")


def timeouts(state: Task, out: dict) -> None:
    for field, key in (("timeout", "TimeoutSeconds"), ("timeout_path", "TimeoutSecondsPath"),
                       ("heartbeat", "HeartbeatSeconds"), ("heartbeat_path", "HeartbeatSecondsPath")):
        value = getattr(state, field)
        if value is not None:
            out[key] = int(as_seconds(value)) if not field.endswith("path") else value


# -- emitters -------------------------------------------------------------------------------------------


@emits(Task)
def emit_task(state: Task, c: Compilation) -> dict:
    out = head(state, "Task", state.comment)
    out["Resource"] = state.resource
    timeouts(state, out)
    data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None)
    return out


@emits(LambdaTask)
def emit_lambda(state: LambdaTask, c: Compilation) -> dict:
    handler = state.handler_path
    out = head(state, "Task", c.comment(state, handler))
    out["Resource"] = "arn:aws:states:::lambda:invoke" + (".waitForTaskToken" if state.wait_for_token else "")
    timeouts(state, out)
    if state.payload is not None:
        payload = {"Payload": template(state.payload)}
        if state.wait_for_token and isinstance(payload["Payload"], dict):  # the token must reach the function
            payload["Payload"].setdefault(*(("taskToken", "{% $states.context.Task.Token %}") if c.jsonata
                                           else ("taskToken.$", "$$.Task.Token")))
    elif c.jsonata:
        token = ", 'taskToken': $states.context.Task.Token" if state.wait_for_token else ""
        payload = {"Payload": "{% $states.input %}" if not token else f"{{% {{'input': $states.input{token}}} %}}"}
    elif state.wait_for_token:
        payload = {"Payload": {"input.$": "$", "taskToken.$": "$$.Task.Token"}}
    else:
        payload = {"Payload.$": "$"}
    parameters = {"FunctionName": c.function(handler) if isinstance(handler, str) else None, **payload}
    # The state's output is what the handler returned, not Lambda's {Payload, StatusCode} envelope.
    unwrap = not state.wait_for_token and state.result_path is None and state.result_selector is None
    user = state.output_path[1:] if isinstance(state.output_path, str) else ""
    data_flow(state, out, c, parameters, output_path="$.Payload" + user if unwrap else None,
               output="{% $states.result.Payload %}" if not state.wait_for_token else None)
    return out


_INTEGRATION_SUFFIX = {"request": "", "sync": ".sync", "sync:2": ".sync:2", "token": ".waitForTaskToken"}


@emits(ServiceTask)
def emit_service(state: ServiceTask, c: Compilation) -> dict:
    out = head(state, "Task", state.comment)
    out["Resource"] = f"arn:aws:states:::{state.service}:{state.action}{_INTEGRATION_SUFFIX.get(state.integration, '')}"
    timeouts(state, out)
    data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None)
    return out


@emits(SdkTask)
def emit_sdk(state: SdkTask, c: Compilation) -> dict:
    out = head(state, "Task", state.comment)
    out["Resource"] = f"arn:aws:states:::aws-sdk:{state.service}:{state.action}"
    timeouts(state, out)
    data_flow(state, out, c, template(state.parameters) if state.parameters is not None else {})
    return out


@emits(RunWorkflow)
def emit_run_workflow(state: RunWorkflow, c: Compilation) -> dict:
    child = state.workflow if isinstance(state.workflow, str) else getattr(state.workflow, "name", None)
    out = head(state, "Task", state.comment or (f"Runs the {child} workflow as a child execution" if child else None))
    out["Resource"] = "arn:aws:states:::states:startExecution" + (".sync:2" if state.wait else "")
    timeouts(state, out)
    c.state_machines.add(child or "")
    parameters = {"StateMachineArn": state_machine_placeholder(child or "")}
    parameters.update(template({"Name": state.execution_name}) if state.execution_name is not None else {})
    whole_input = {"Input": "{% $states.input %}"} if c.jsonata else {"Input.$": "$"}
    parameters.update(template({"Input": state.input}) if state.input is not None else whole_input)
    if c.jsonata:
        envelope = ("{% {'status': $states.result.Status, 'executionArn': $states.result.ExecutionArn, "
                    "'output': $states.result.Output} %}")
        data_flow(state, out, c, parameters, output=envelope if state.wait else None)
    else:
        envelope = {"status.$": "$.Status", "executionArn.$": "$.ExecutionArn", "output.$": "$.Output"}
        data_flow(state, out, c, parameters, result_selector=envelope if state.wait else None)
    return out


@emits(Approval)
def emit_approval(state: Approval, c: Compilation) -> dict:
    handler = state.handler_path
    out = head(state, "Task", c.comment(state, handler))
    out["Resource"] = "arn:aws:states:::lambda:invoke.waitForTaskToken"
    timeouts(state, out)
    if c.jsonata:
        payload = {"approval": state.name, "taskToken": "{% $states.context.Task.Token %}",
                   "executionId": "{% $states.context.Execution.Id %}", "input": "{% $states.input %}"}
    else:
        payload = {"approval": state.name, "taskToken.$": "$$.Task.Token", "executionId.$": "$$.Execution.Id",
                   "input.$": "$"}
    if state.message:
        payload["message"] = state.message
    parameters = {"FunctionName": c.function(handler) if isinstance(handler, str) else None, "Payload": payload}
    if c.jsonata:
        data_flow(state, out, c, parameters, output="{% $merge([$states.input, {'approval': $states.result}]) %}")
    else:
        data_flow(state, out, c, parameters, result_path="$.approval")
    return out
