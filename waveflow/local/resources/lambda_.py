"""Lambda tasks routed to in-process Python handlers, failing the way Lambda reports failures."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import TIMEOUT, DATA_LIMIT_EXCEEDED, StatesError
from ..guard import HandlerInterrupted, HandlerTimedOut
from ..lambda_context import LambdaContext
from ..limits import MAX_NESTING_DEPTH, MAX_PAYLOAD_BYTES, Measured, dumps, json_copy, json_depth, measure, \
    over_limit
from ..routing import function_name
from .base import Integration

DEFAULT_TIMEOUT = 900  # Lambda's maximum; the context's remaining time counts down from it when unset


def invoke_handler(run, reference: str, payload, timeout, resource_label: str):
    """Call the handler ``reference`` routes to with a private copy of ``payload``; return its JSON result.

    Raises StatesError: the exception's class name with Lambda's JSON cause, ``Runtime.ExitError`` for a
    handler that exits the process (``sys.exit``: the runtime dies, the task fails; it is never a success),
    ``Runtime.MarshalError`` for a result that is not JSON (NaN and Infinity included), ``States.DataLimitExceeded``
    over 256 KiB (or nested too deep), ``States.Timeout`` for a hang.
    """
    runtime = run.execution.runtime
    name = function_name(reference)
    handler = runtime.handlers.get(name)
    arn = f"arn:aws:lambda:{runtime.region}:{runtime.account}:function:{name}"
    request_id = run.uuid4()
    if handler is None:
        raise StatesError("Lambda.ResourceNotFoundException",
                          f"Function not found: {arn} (Service: AWSLambda; Status Code: 404; Error Code: "
                          f"ResourceNotFoundException; Request ID: {request_id}; Proxy: null)")
    runtime.stats["lambda_invocations"] += 1
    event = json_copy(payload)
    context = LambdaContext(name, request_id, runtime.region, runtime.account, runtime.clock,
                            timeout if timeout is not None else DEFAULT_TIMEOUT)
    try:
        if timeout is not None and runtime.guard_handlers:
            result = runtime.guard.call(lambda: handler(event, context), timeout)
        else:
            result = handler(event, context)
    except HandlerTimedOut:
        raise StatesError(TIMEOUT, None) from None  # AWS records a task timeout without a cause
    except (KeyboardInterrupt, HandlerInterrupted):  # the latter: the limit of a handler this one runs inside
        raise
    except SystemExit as exc:
        raise StatesError(EXIT_ERROR, _exit_cause(exc, request_id)) from None
    except BaseException as exc:  # every other handler failure becomes Lambda's error report
        raise StatesError(type(exc).__name__, _lambda_cause(exc, request_id)) from None
    returned = _returned(result, request_id, resource_label)
    run.execution.proved = returned  # a task whose output is this result is not measured again
    return returned.value, request_id


def _returned(result, request_id: str, resource_label: str) -> Measured:
    """The handler's value as Lambda returns it, through JSON text: tuples become lists, what is not JSON (NaN
    included) is refused, and nothing the handler keeps can change it later; held to the payload quota.

    A value whose text is within the quota and parses back to an equal value (no tuple, no key that is not text,
    so no two keys that become one) is sized from that text, which has to be written anyway (C writes it faster
    than Python walks the value), and its depth is the parsed value's. Any other value is judged the careful way:
    one walk before any text is written, which also decides between the errors (a value both over the quota and
    not JSON is over the quota).
    """
    try:
        text = dumps(result)
    except (TypeError, ValueError, RecursionError):
        text = None
    if text is not None:
        size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        if size <= MAX_PAYLOAD_BYTES:
            try:
                value = json.loads(text)
                same = value == result
            except Exception:  # a subclass's own comparison failed, or the text nests past what the parser takes
                same = False
            if same:
                depth = json_depth(value)
                if depth <= MAX_NESTING_DEPTH:
                    return Measured(value, size, depth)
    try:
        problem = over_limit(result)
        if problem is not None:
            raise StatesError(DATA_LIMIT_EXCEEDED, f"The state/task '{resource_label}' returned a result {problem}.")
        value = json.loads(dumps(result))
    except (TypeError, ValueError) as exc:
        raise StatesError("Runtime.MarshalError", dumps({
            "errorMessage": f"Unable to marshal response: {exc}", "errorType": "Runtime.MarshalError",
            "requestId": request_id, "stackTrace": []})) from None
    return Measured(value, *measure(value))  # measured as JSON returns it ({1: "a", "1": "b"} is one key)


EXIT_ERROR = "Runtime.ExitError"


def _exit_cause(exc: SystemExit, request_id: str) -> str:
    """Lambda's report when the runtime process exits during an invocation (exit(0) gives no reason)."""
    code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    reason = (f"Runtime exited with error: exit status {code}" if code
              else "Runtime exited without providing a reason")
    return dumps({"errorMessage": f"RequestId: {request_id} Error: {reason}", "errorType": EXIT_ERROR})


_ENGINE_DIR = str(Path(__file__).resolve().parent.parent)


def _lambda_cause(exc: BaseException, request_id: str) -> str:
    """Lambda's error document; the stack trace shows the handler's frames, not the engine's, each file where Lambda
    has it (``_deployed_path``)."""
    import traceback  # here, not at the top: only a failing handler needs it, every start would pay for it
    roots = _import_roots()
    frames = [traceback.FrameSummary(_deployed_path(frame.filename, roots), frame.lineno, frame.name, line=frame.line)
              for frame in traceback.extract_tb(exc.__traceback__) if not frame.filename.startswith(_ENGINE_DIR)]
    message = str(exc) if not isinstance(exc, KeyError) else repr(exc.args[0]) if exc.args else ""
    return dumps({"errorMessage": message, "errorType": type(exc).__name__, "requestId": request_id,
                  "stackTrace": traceback.format_list(frames)})


def _import_roots() -> list[Path]:
    """The directories modules are imported from, deepest first (a package's own directory before its parent's)."""
    return sorted((Path(entry).resolve() for entry in sys.path if entry), key=lambda root: len(root.parts),
                  reverse=True)


def _deployed_path(filename: str, roots: list[Path]) -> str:
    """Where Lambda shows a file of the function: below ``/var/task``, the deployment package's root, at its path
    below the import root it was found in (``roots``: a package's modules sit at the package's root). So a
    failure's cause does not depend on where the project is checked out: the cause is stored, measured and billed
    like any value. A file outside every import root keeps its path."""
    path = Path(filename)
    for root in roots:
        if path.is_relative_to(root) and path != root:
            return f"/var/task/{path.relative_to(root).as_posix()}"
    return filename


class LambdaFunction(Integration):
    """``Resource`` = a function ARN (or a ``${NameFunctionArn}`` placeholder): the result is the payload."""

    family = "LambdaFunction"

    def call(self, run, params, attempt, timeout):
        result, _ = invoke_handler(run, self.arn, params, timeout, self.arn)
        return result

    def record_scheduled(self, run, params, timeout, heartbeat):
        details = {"resource": self.arn, "input": params}
        if timeout is not None:
            details["timeoutInSeconds"] = timeout
        run.record("LambdaFunctionScheduled", details)
        run.record("LambdaFunctionStarted")

    def record_succeeded(self, run, output):
        run.record("LambdaFunctionSucceeded", {"output": output})

    def record_failed(self, run, error):
        event = "LambdaFunctionTimedOut" if error.error == TIMEOUT else "LambdaFunctionFailed"
        details = {"error": error.error}
        if error.cause is not None:
            details["cause"] = error.cause
        run.record(event, details)


class LambdaInvoke(Integration):
    """``arn:aws:states:::lambda:invoke``: FunctionName + Payload in, Lambda's Invoke response out."""

    resource_type = "lambda"

    def __init__(self, arn, pattern="request"):
        super().__init__(arn, pattern)
        self.resource = "invoke" + (".waitForTaskToken" if pattern == "callback" else "")

    def call(self, run, params, attempt, timeout):
        if not isinstance(params, dict) or "FunctionName" not in params:
            raise StatesError("States.Runtime", "The field 'FunctionName' is required by lambda:invoke.")
        payload = params.get("Payload", {})
        result, request_id = invoke_handler(run, params["FunctionName"], payload, timeout, "lambda")
        if params.get("InvocationType") == "Event":
            return {"Payload": "", "StatusCode": 202}
        headers = {"Connection": "keep-alive", "Content-Type": "application/json",
                   "X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": request_id}
        return {
            "ExecutedVersion": "$LATEST",
            "Payload": result,
            "SdkHttpMetadata": {"AllHttpHeaders": {k: [v] for k, v in headers.items()}, "HttpHeaders": headers,
                                "HttpStatusCode": 200},
            "SdkResponseMetadata": {"RequestId": request_id},
            "StatusCode": 200,
        }
