"""One state, as Step Functions' TestState API runs it: the same request, the same response shape.

    test_state({"definition": json.dumps(definition), "stateName": "Approve", "input": '{"cost": 10}',
                "mock": {"result": '{"approval": true}'}, "inspectionLevel": "DEBUG"})
    -> {"status": "SUCCEEDED", "output": "...", "nextState": "Check", "inspectionData": {...}}

The request is TestState's (API reference, TestStateInput): ``definition`` (one state, or a whole machine with
``stateName``), ``input``, ``variables`` and ``context`` as JSON strings, ``mock`` (``result`` or ``errorOutput``,
``fieldValidationMode``), ``stateConfiguration`` (``retrierRetryCount``, ``errorCausedByState``,
``mapIterationFailureCount``), ``inspectionLevel``. The answer: ``status`` SUCCEEDED, FAILED, RETRIABLE (a retrier
would retry: ``errorDetails`` gives its index and backoff) or CAUGHT_ERROR (a catcher took it: ``nextState`` is
its Next), ``output``, ``error``/``cause``, ``nextState`` and, at DEBUG, ``inspectionData`` (the input after each
processing step). Map, Parallel, ``.sync`` and ``.waitForTaskToken`` run only with a mock; a state that is not
mocked runs for real (a Lambda task calls its handler). Bad requests raise ``TestStateError`` with TestState's
exception name and message.
"""
from __future__ import annotations

import json
from types import SimpleNamespace

from .errors import EXCEED_TOLERATED_FAILURE_THRESHOLD, StatesError, error_matches
from .execution import SUSPEND, Execution, Run
from .graph import Loader
from .limits import dumps
from .mockvalidation import MODES, MockValidationError, output_shape, validate
from .retry import error_output
from .states import STATE_TYPES

STATUSES = ("SUCCEEDED", "FAILED", "RETRIABLE", "CAUGHT_ERROR")
LEVELS = ("INFO", "DEBUG", "TRACE")
_NO_MOCK_TYPES = ("Pass", "Fail", "Succeed", "Choice", "Wait")
_SUPPORTED = "[Task, Wait, Pass, Succeed, Fail, Choice]"


class TestStateError(ValueError):
    """A request TestState would refuse: ``code`` is the API exception (ValidationException, InvalidDefinition,
    InvalidExecutionInput), the message is TestState's."""

    __test__ = False

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def test_state(request: dict, handlers=None, boto_session=None) -> dict:
    """Run the state ``request`` describes; returns TestState's response (payloads as JSON strings)."""
    name, spec, language = _pick_state(request)
    mock = request.get("mock")
    config = request.get("stateConfiguration") or {}
    level = request.get("inspectionLevel", "INFO")
    if level not in LEVELS:
        raise TestStateError("ValidationException", f"inspectionLevel must be one of {', '.join(LEVELS)}")
    kind = spec.get("Type")
    _check_request(request, spec, kind, mock)
    raw = _json(request.get("input", "{}"), "input", "InvalidExecutionInput")
    state = STATE_TYPES[kind](name, spec, Loader(language))
    state.link(_AnyState())
    run = _test_run(request, name, raw, handlers, boto_session)
    inspection: dict = {"input": raw}
    response: dict = {}
    try:
        if kind in ("Task", "Map", "Parallel"):
            _result_state(state, run, raw, mock, config, inspection, response)
        else:
            _flow_state(state, run, raw, inspection, response)
    except StatesError as error:
        _handle(state, run, raw, error, config, inspection, response)
    if run.variables:
        inspection["variables"] = run.visible_variables()
    if level != "INFO":
        response["inspectionData"] = {key: value if key in ("errorDetails", "maxConcurrency",
                                                            "toleratedFailureCount", "toleratedFailurePercentage")
                                      else dumps(value) for key, value in inspection.items()}
    if "output" in response:
        response["output"] = dumps(response["output"])
    return response


test_state.__test__ = False  # a user's test module imports it: pytest must not collect it as a test


def _pick_state(request: dict):
    text = request.get("definition")
    if not isinstance(text, str) or not text:
        raise TestStateError("ValidationException", "definition is required")
    definition = _json(text, "definition", "InvalidDefinition")
    if not isinstance(definition, dict):
        raise TestStateError("InvalidDefinition", "The definition must be a JSON object")
    language = definition.get("QueryLanguage", "JSONPath")
    name = request.get("stateName")
    if name is None:
        if "States" in definition:
            raise TestStateError("InvalidDefinition", "A state machine definition needs stateName to pick the "
                                                      "state to test")
        return "StateName", definition, language
    states = definition.get("States") if isinstance(definition.get("States"), dict) else {}
    if name not in states or not isinstance(states[name], dict):
        raise TestStateError("ValidationException", "State not found in definition")
    return name, states[name], language


def _check_request(request: dict, spec: dict, kind, mock) -> None:
    if kind not in STATE_TYPES:
        raise TestStateError("InvalidDefinition", f"Unknown state type {kind!r}; supported: {_SUPPORTED}")
    if mock is not None:
        if kind in _NO_MOCK_TYPES:
            raise TestStateError("ValidationException", f"State type '{kind}' is not supported when a mock is "
                                                        f"specified")
        if ("result" in mock) == ("errorOutput" in mock):
            raise TestStateError("ValidationException", "A test mock should have only one of the following fields: "
                                                        "[result, errorOutput].")
        if request.get("revealSecrets"):
            raise TestStateError("ValidationException", "TestState does not support RevealSecrets when a mock is "
                                                        "specified.")
        if mock.get("fieldValidationMode", "STRICT") not in MODES:
            raise TestStateError("ValidationException", f"fieldValidationMode must be one of {', '.join(MODES)}")
        return
    if kind in ("Map", "Parallel"):
        raise TestStateError("InvalidDefinition", f"TestState API does not support Map or Parallel states. "
                                                  f"Supported state types include: {_SUPPORTED}")
    resource = str(spec.get("Resource", ""))
    if kind == "Task" and (".sync" in resource or resource.endswith(".waitForTaskToken")
                           or ":activity:" in resource):
        raise TestStateError("InvalidDefinition", "TestState supports activities, .sync and .waitForTaskToken "
                                                  "only when a mock is specified")
    if request.get("context") is not None:
        raise TestStateError("ValidationException", "context may only be specified together with a mock")


class _TestRun(Run):
    """A run whose context object may be the request's ``context``."""

    def __init__(self, execution, context):
        super().__init__(execution, None)
        self.given_context = context

    def context_object(self) -> dict:
        return self.given_context if self.given_context is not None else super().context_object()


def _test_run(request: dict, name: str, raw, handlers, boto_session) -> Run:
    from .runtime import LocalRuntime
    runtime = LocalRuntime(handlers or {}, boto_session=boto_session)
    machine = SimpleNamespace(name="TestState", arn=f"arn:aws:states:{runtime.region}:{runtime.account}:"
                                                    f"stateMachine:TestState", timeout_seconds=None)
    execution = Execution(runtime, machine, "TestState", f"arn:aws:states:{runtime.region}:{runtime.account}:"
                                                         f"express:TestState:TestState", raw, None)
    context = request.get("context")
    run = _TestRun(execution, None if context is None else _json(context, "context", "ValidationException"))
    run.state_name = name
    variables = request.get("variables")
    if variables is not None:
        values = _json(variables, "variables", "ValidationException")
        if not isinstance(values, dict):
            raise TestStateError("ValidationException", "variables must be a JSON object")
        run.assign(values)
    return run


def _flow_state(state, run, raw, inspection: dict, response: dict) -> None:
    """Pass, Wait, Choice, Succeed, Fail: their own executors, without waiting."""
    flow = state.flow
    if flow.language == "JSONPath" and not (state.type_name == "Pass" and getattr(state, "has_result", False)):
        inspection["afterInputPath"] = flow.view(run, raw)
    if state.type_name == "Wait":
        outcome = state.next, flow.passthrough(run, raw, flow.view(run, raw))
    else:
        outcome = state.enter(run, raw)
    if state.type_name == "Pass" and flow.language == "JSONPath":
        _pass_inspection(state, run, raw, inspection)
    next_state, output = outcome
    response.update(status="SUCCEEDED", output=output)
    if next_state is not None:
        response["nextState"] = next_state.name


def _pass_inspection(state, run, raw, inspection: dict) -> None:
    flow = state.flow
    if state.has_result:
        inspection["result"] = state.result
        selected = state.result
    else:
        selected = flow.arguments(run, raw, inspection["afterInputPath"])
        inspection["afterParameters"] = selected
    inspection["afterResultSelector"] = selected
    inspection["afterResultPath"] = flow.result_path(raw, selected, run)


def _result_state(state, run, raw, mock, config: dict, inspection: dict, response: dict) -> None:
    """Task, Map, Parallel: the result (mocked, or from the resource), then the state's result processing."""
    flow = state.flow
    jsonpath = flow.language == "JSONPath"
    data = flow.view(run, raw)
    if jsonpath:
        inspection["afterInputPath"] = data
    if state.type_name == "Map":
        _map_inspection(state, run, raw, data, inspection)
        arguments = data
    else:
        arguments = flow.arguments(run, raw, data)
        inspection["afterParameters" if jsonpath else "afterArguments"] = arguments
    result = _mocked_result(state, mock, config) if mock is not None else _call(state, run, arguments)
    if state.type_name == "Map":
        _check_tolerance(state, run, raw, data, config)
    inspection["result"] = result
    if jsonpath:
        selected = result if flow.result_selector is None else flow.result_selector(result, run)
        inspection["afterResultSelector"] = selected
        inspection["afterResultPath"] = flow.result_path(raw, selected, run)
    output = flow.finish(run, raw, result)
    response.update(status="SUCCEEDED", output=output)
    if state.next is not None:
        response["nextState"] = state.next.name


def _mocked_result(state, mock: dict, config: dict):
    if "errorOutput" in mock:
        error = mock["errorOutput"] or {}
        if not isinstance(error.get("error"), str):
            raise TestStateError("ValidationException", "mock.errorOutput.error is required")
        raise StatesError(error["error"], error.get("cause"))
    result = _json(mock["result"], "mock.result", "ValidationException")
    kind = state.type_name
    if kind in ("Map", "Parallel") and not isinstance(result, list):
        raise TestStateError("ValidationException", "Mocked result must be an array.")
    if kind == "Parallel" and len(result) != len(state.branches):
        raise TestStateError("ValidationException", "Mocked result must contain the same number of items as number "
                                                    "of Parallel branches.")
    if kind == "Task":
        try:
            validate(result, output_shape(str(state.spec.get("Resource", ""))), mock.get("fieldValidationMode",
                                                                                          "STRICT"))
        except MockValidationError as exc:
            raise TestStateError("ValidationException", str(exc)) from None
    return result


def _call(state, run, arguments):
    """An unmocked Task calls its resource as an execution would (a Lambda handler, an AWS SDK call)."""
    attempt = SimpleNamespace(state=state, run=run, raw=None, timers=[], token=None, settled=False)
    result = state.integration.call(run, arguments, attempt, None)
    if result is SUSPEND:
        raise TestStateError("InvalidDefinition", "This resource waits for a callback: test it with a mock")
    return result


def _map_inspection(state, run, raw, data, inspection: dict) -> None:
    if state.flow.language == "JSONPath" and state.reader is None:
        inspection["afterItemsPath"] = state.items(run, raw, data)
    limits = (("maxConcurrency", state.max_concurrency), ("toleratedFailureCount", state.tolerated_count),
              ("toleratedFailurePercentage", state.tolerated_percent))
    for key, read in limits:
        value = read(run, raw, data)
        if value is not None:
            inspection[key] = value


def _check_tolerance(state, run, raw, data, config: dict) -> None:
    failures = config.get("mapIterationFailureCount")
    if not failures:
        return
    count = state.tolerated_count(run, raw, data)
    percent = state.tolerated_percent(run, raw, data)
    items = state.items(run, raw, data) if state.reader is None else []
    total = len(items) if isinstance(items, list) and items else failures
    if (count is not None and failures > count) or (percent is not None and failures * 100 / total > percent) \
            or (count is None and percent is None):
        raise StatesError(EXCEED_TOLERATED_FAILURE_THRESHOLD, "The specified tolerated failure threshold was "
                                                              "exceeded")


def _handle(state, run, raw, error: StatesError, config: dict, inspection: dict, response: dict) -> None:
    """An error: RETRIABLE when a retrier has attempts left, CAUGHT_ERROR when a catcher takes it, else FAILED."""
    response.pop("output", None)
    response.pop("nextState", None)
    response.update(error=error.error)
    if error.cause is not None:
        response["cause"] = error.cause
    policy = getattr(state, "policy", None)
    details: dict = {}
    if policy is not None:
        done = config.get("retrierRetryCount", 0) or 0
        for index, retrier in enumerate(policy.retriers):
            if error_matches(retrier.error_equals, error.error):
                details["retryIndex"] = index
                if done < retrier.max_attempts:
                    details["retryBackoffIntervalSeconds"] = int(min(
                        retrier.interval * float(retrier.backoff) ** done,
                        retrier.max_delay if retrier.max_delay is not None else float("inf")))
                    inspection["errorDetails"] = details
                    response["status"] = "RETRIABLE"
                    return
                break
        for index, catcher in enumerate(policy.catchers):
            if error_matches(catcher.error_equals, error.error):
                details["catchIndex"] = index
                inspection["errorDetails"] = details
                response.update(status="CAUGHT_ERROR", nextState=catcher.next_name,
                                output=state.flow.catch(run, raw, error_output(error), catcher))
                return
    if details:
        inspection["errorDetails"] = details
    response["status"] = "FAILED"


class _AnyState(dict):
    """Link targets for a state tested alone: every ``Next`` resolves to a stand-in with that name."""

    def __missing__(self, name):
        return SimpleNamespace(name=name)


def _json(text, field: str, code: str):
    if not isinstance(text, str):
        raise TestStateError("ValidationException", f"{field} must be a JSON string")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise TestStateError(code, f"{field} is not valid JSON: {exc}") from None
