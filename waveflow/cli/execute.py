"""``waveflow exec``: run one state machine in the local interpreter and print its output as JSON.

Exit codes (DESIGN.md): 0 the execution succeeded, 1 it failed (stdout holds ``{"error", "cause"}``), 2 the
definition, the input, a mock file or an option is invalid (every problem on stderr, before anything runs).

What only some runs need (mock files, ``--respond``) is imported when asked for: every module costs each start.
"""
from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import click

from ..local.clock import RealtimeClock
from ..local.errors import InvalidDefinition, LocalRuntimeError
from ..local.limits import DEFAULT_HISTORY_LIMIT
from ..local.wiring import WiringError, wire
from .options import EXIT_FAILED, InvalidInvocation, journal_option, open_journal, output_kept_clean, read_json


@click.command("exec")
@click.argument("definition")
@click.option("--input", "input_text", default="{}", show_default=True,
              help="Execution input: JSON, @FILE, or @- for standard input.")
@click.option("--handler", "handler_specs", multiple=True, metavar="NAME=module:function",
              help="Route Lambda function NAME to a handler (also NAME=module.function); overrides the build's.")
@click.option("--state-machine", "machine_specs", multiple=True, metavar="NAME=FILE",
              help="Register another definition, for states:startExecution children (repeatable).")
@click.option("--mock-config", type=click.Path(path_type=Path), envvar="SFN_MOCK_CONFIG",
              help="A Step Functions Local MockConfigFile.json (default: $SFN_MOCK_CONFIG).")
@click.option("--test-case", help="Run this test case of the mock configuration.")
@click.option("--state-machine-name", help="The mock configuration's name for this state machine (default: the "
                                           "workflow's or the file's name).")
@click.option("--respond", "respond_specs", multiple=True, metavar="STATE=success:JSON|failure:ERROR[:CAUSE]|"
              "heartbeat|none[@DURATION]", help="Answer the task tokens STATE issues, after DURATION of simulated "
                                                 "time (repeatable).")
@click.option("--name", default=None, help="Execution name (default: a new random UUID).")
@click.option("--replace", is_flag=True, help="Replace a journalled execution of the same name.")
@click.option("--build", "build_dir", type=click.Path(path_type=Path), default=Path("build"), show_default=True,
              help="Build folder holding manifest.json and the compiled definitions.")
@click.option("--no-history-limit", is_flag=True, help="Lift the 25,000-event history limit (experiments).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of jitter, UUIDs and tokens.")
@click.option("--realtime", is_flag=True, help="Run on the wall clock instead of the virtual one (demos).")
@journal_option
def exec_command(definition, input_text, handler_specs, machine_specs, mock_config, test_case, state_machine_name,
                 respond_specs, name, replace, build_dir, no_history_limit, seed, realtime, journal_path):
    """Run DEFINITION (an ASL file, or a workflow's name or file: then from the build) and print its output."""
    with output_kept_clean() as out:
        execution = _run(definition, input_text, handler_specs, machine_specs, mock_config, test_case,
                         state_machine_name, respond_specs, name, replace, build_dir, no_history_limit, seed,
                         realtime, journal_path)
    if execution.status == "RUNNING":
        click.echo(json.dumps({"error": "waveflow.Stalled", "cause": "The execution is waiting for a task token or "
                                                                    "a callback that nothing will send; answer it "
                                                                    "with --respond STATE=..."}), file=out)
        sys.exit(EXIT_FAILED)
    if execution.status != "SUCCEEDED":
        click.echo(json.dumps({"error": execution.error, "cause": execution.cause}), file=out)
        sys.exit(EXIT_FAILED)
    click.echo(json.dumps(execution.output, indent=2, ensure_ascii=False), file=out)


def _run(definition, input_text, handler_specs, machine_specs, mock_config, test_case, state_machine_name,
         respond_specs, name, replace, build_dir, no_history_limit, seed, realtime, journal_path):
    from ..local.runtime import LocalRuntime

    input_value = read_json(input_text, "--input")
    try:
        wiring = wire(definition, build_dir, handler_specs, machine_specs)
    except WiringError as exc:
        raise InvalidInvocation(str(exc)) from None
    responder = _responder(respond_specs, wiring)
    config = _mock_config(mock_config, test_case)
    journal = open_journal(journal_path)
    runtime = LocalRuntime(wiring.handlers, seed=seed, clock=RealtimeClock() if realtime else None,
                           history_limit=None if no_history_limit else DEFAULT_HISTORY_LIMIT, journal=journal,
                           mock_config=config)
    machine = state_machine_name or wiring.name
    _register(runtime, machine, wiring.definition, wiring.source)
    for child, text in wiring.machines.items():
        _register(runtime, child, text, f"child workflow {child}")
    if responder is not None:
        responder.install(runtime)
    name = name or str(uuid.uuid4())
    if replace:
        journal.delete(f"arn:aws:states:{runtime.region}:{runtime.account}:execution:{machine}:{name}")
    try:
        execution = _start(runtime, machine, test_case, input_value, name)
    except LocalRuntimeError as exc:
        hint = "; use --replace to run it again under that name" if "Already Exists" in str(exc) else ""
        raise InvalidInvocation(f"{exc}{hint}") from None
    runtime.run()
    if execution.status == "RUNNING":  # stalled on a token: journalled as it stands, so `history` can show why
        journal.record(execution)
    journal.close()
    return execution


def _responder(specs, wiring):
    if not specs:
        return None
    from ..local.responders import Responder, ResponseError
    try:
        responder = Responder.parse(specs)
        responder.check([wiring.parsed, *(json.loads(text) for text in wiring.machines.values())])
    except ResponseError as exc:
        raise InvalidInvocation(str(exc)) from None
    except ValueError as exc:
        raise InvalidInvocation(f"DEFINITION: {wiring.source} is not JSON ({exc})") from None
    return responder


def _mock_config(path: Path | None, test_case: str | None):
    if test_case and path is None:
        raise InvalidInvocation("--test-case: needs a mock configuration: --mock-config FILE or SFN_MOCK_CONFIG")
    if path is None or not test_case:
        return None
    from ..local.mocks import MockConfig, MockConfigError
    try:
        return MockConfig.load(path)
    except MockConfigError as exc:
        raise InvalidInvocation(str(exc)) from None


def _start(runtime, machine: str, test_case: str | None, input_value, name: str):
    """StartExecution, of ``machine#test_case`` for a test case (whose mocks may not fit the definition)."""
    if not test_case:
        return runtime.start_execution(machine, input_value, name=name)
    from ..local.mocks import MockConfigError
    try:
        return runtime.start_execution(f"{machine}#{test_case}", input_value, name=name)
    except MockConfigError as exc:
        raise InvalidInvocation(str(exc)) from None


def _register(runtime, name: str, text: str, source: str) -> None:
    try:
        runtime.register_state_machine(name, text)
    except InvalidDefinition as exc:
        raise InvalidInvocation(f"{source}: invalid state machine definition:\n" +
                                "\n".join(f"  - {problem}" for problem in exc.problems)) from None
