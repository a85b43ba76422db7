"""``waveflow test`` (a Step Functions Local mock file's test cases, checked) and ``waveflow test-state`` (one state,
as the TestState API runs it)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..local.mocks import MockConfigError
from ..local.wiring import WiringError
from .options import EXIT_FAILED, InvalidInvocation, output_kept_clean, read_json


@click.command("test")
@click.argument("mock_config", type=click.Path(path_type=Path))
@click.option("--expect", type=click.Path(path_type=Path), help="Expected status/output/error per test case.")
@click.option("--definition", "definition_specs", multiple=True, metavar="NAME=FILE",
              help="The definition of state machine NAME (repeatable).")
@click.option("--handler", "handler_specs", multiple=True, metavar="NAME=module:function",
              help="Handler of Lambda function NAME for the states a test case does not mock.")
@click.option("--build", "build_dir", type=click.Path(path_type=Path), default=Path("build"), show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def test_command(mock_config, expect, definition_specs, handler_specs, build_dir, seed):
    """Run every test case of MOCK_CONFIG (a Step Functions Local MockConfigFile.json) and print a pass/fail
    table; exit 1 when one fails."""
    from ..testing.suite import SuiteError, run_suite, table

    definitions = {}
    for spec in definition_specs:
        name, sep, file = spec.partition("=")
        if not (sep and name and file):
            raise InvalidInvocation(f"Invalid value for --definition: {spec!r} is not NAME=FILE")
        definitions[name] = file
    with output_kept_clean() as out:
        try:
            results = run_suite(mock_config, expect, definitions, handler_specs, build_dir, seed)
        except (MockConfigError, SuiteError, WiringError) as exc:
            raise InvalidInvocation(str(exc)) from None
        except ValueError as exc:  # a definition that is not valid ASL
            raise InvalidInvocation(str(exc)) from None
    click.echo(table(results), file=out)
    if not all(result.passed for result in results):
        sys.exit(EXIT_FAILED)


@click.command("test-state")
@click.argument("definition", required=False)
@click.option("--request", "request_file", type=click.Path(path_type=Path),
              help="A TestState request (its JSON body, as sent to the API); the options below override it.")
@click.option("--state", "state_name", help="The state to test, when DEFINITION is a whole state machine.")
@click.option("--input", "input_text", help="The state's input: JSON, @FILE or @-.")
@click.option("--mock-result", help="Mocked result (JSON) instead of calling the resource.")
@click.option("--mock-error", help="Mocked error name instead of calling the resource.")
@click.option("--mock-cause", help="Cause of --mock-error.")
@click.option("--field-validation-mode", type=click.Choice(["STRICT", "PRESENT", "NONE"]),
              help="How --mock-result is checked against the API's model (default STRICT).")
@click.option("--retry-count", type=click.IntRange(min=0), help="stateConfiguration.retrierRetryCount.")
@click.option("--error-caused-by-state", help="stateConfiguration.errorCausedByState (Map, Parallel).")
@click.option("--map-iteration-failure-count", type=click.IntRange(min=0),
              help="stateConfiguration.mapIterationFailureCount.")
@click.option("--variables", help="Workflow variables (JSON object).")
@click.option("--context", "context_text", help="The context object (JSON); only with a mock.")
@click.option("--inspection-level", type=click.Choice(["INFO", "DEBUG", "TRACE"]))
@click.option("--handler", "handler_specs", multiple=True, metavar="NAME=module:function",
              help="Handler of Lambda function NAME, for an unmocked Lambda task (overrides the build's).")
@click.option("--build", "build_dir", type=click.Path(path_type=Path), default=Path("build"), show_default=True)
def test_state_command(definition, request_file, state_name, input_text, mock_result, mock_error, mock_cause,
                       field_validation_mode, retry_count, error_caused_by_state, map_iteration_failure_count,
                       variables, context_text, inspection_level, handler_specs, build_dir):
    """Test one state of DEFINITION (an ASL file, or a workflow of the build with its handlers) as the TestState
    API does and print TestState's response; exit 1 when it FAILED."""
    from ..local.teststate import TestStateError, test_state
    from ..local.wiring import load_handler, wire

    request = read_json(f"@{request_file}", "--request") if request_file else {}
    if not isinstance(request, dict):
        raise InvalidInvocation("Invalid value for --request: a TestState request is a JSON object")
    handlers: dict = {}
    with output_kept_clean():
        try:
            if definition is not None:  # a file, or a workflow of the build with its handlers
                wiring = wire(definition, build_dir, handler_specs)
                request["definition"], handlers = wiring.definition, wiring.handlers
            else:
                handlers = dict(load_handler(spec) for spec in handler_specs)
        except WiringError as exc:
            raise InvalidInvocation(str(exc)) from None
    if "definition" not in request:
        raise InvalidInvocation("Missing DEFINITION (or a --request holding one)")
    _set(request, "stateName", state_name)
    _set(request, "input", None if input_text is None else json.dumps(read_json(input_text, "--input")))
    _set(request, "variables", None if variables is None else json.dumps(read_json(variables, "--variables")))
    _set(request, "context", None if context_text is None else json.dumps(read_json(context_text, "--context")))
    _set(request, "inspectionLevel", inspection_level)
    if mock_result is not None and mock_error is not None:
        raise InvalidInvocation("--mock-result and --mock-error are exclusive (a mock is a result or an error)")
    if mock_result is not None:
        request["mock"] = {"result": json.dumps(read_json(mock_result, "--mock-result"))}
    if mock_error is not None:
        request["mock"] = {"errorOutput": {"error": mock_error, **({"cause": mock_cause} if mock_cause else {})}}
    if field_validation_mode is not None:
        request.setdefault("mock", {})["fieldValidationMode"] = field_validation_mode
    configuration = request.setdefault("stateConfiguration", {})
    _set(configuration, "retrierRetryCount", retry_count)
    _set(configuration, "errorCausedByState", error_caused_by_state)
    _set(configuration, "mapIterationFailureCount", map_iteration_failure_count)
    with output_kept_clean() as out:
        try:
            response = test_state(request, handlers)
        except TestStateError as exc:
            raise InvalidInvocation(f"{exc.code}: {exc.message}") from None
    click.echo(json.dumps(response, indent=2), file=out)
    if response["status"] == "FAILED":
        sys.exit(EXIT_FAILED)


def _set(target: dict, key: str, value) -> None:
    if value is not None:
        target[key] = value
