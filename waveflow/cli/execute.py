"""Click commands of the local interpreter: ``waveflow exec``, ``waveflow history``, ``waveflow executions``.

Exit codes (DESIGN.md): 0 the execution succeeded, 1 it failed (stdout holds ``{"error", "cause"}``), 2 the
definition, the input or an option is invalid (every problem on stderr).
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import click

from ..local.clock import RealtimeClock
from ..local.errors import InvalidDefinition, LocalRuntimeError
from ..local.journal import DEFAULT_PATH, Journal
from ..local.limits import DEFAULT_HISTORY_LIMIT

EXIT_FAILED = 1
EXIT_INVALID = 2


class InvalidInvocation(click.ClickException):
    """A usage problem found after option parsing (definition, input, handler); exits with code 2."""

    exit_code = EXIT_INVALID


def _read_json(text: str, what: str):
    """``text`` as JSON, or the JSON in the file named after an ``@``."""
    source = text
    if text.startswith("@"):
        try:
            source = Path(text[1:]).read_text()
        except OSError as exc:
            raise InvalidInvocation(f"Invalid value for {what}: cannot read {text[1:]}: {exc.strerror}") from None
    try:
        return json.loads(source)
    except ValueError as exc:
        raise InvalidInvocation(f"Invalid value for {what}: not JSON ({exc})") from None


def _load_handler(spec: str):
    """``NAME=module:function`` -> (NAME, callable), importing from the current directory."""
    name, sep, target = spec.partition("=")
    module_name, colon, attribute = target.partition(":")
    if not (sep and colon and name and module_name and attribute):
        raise InvalidInvocation(f"Invalid value for --handler: {spec!r} is not NAME=module:function")
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise InvalidInvocation(f"Invalid value for --handler: cannot load {target!r}: {exc}") from None
    if not callable(handler):
        raise InvalidInvocation(f"Invalid value for --handler: {target!r} is not callable")
    return name, handler


def _register(runtime, name: str, path: Path) -> None:
    try:
        runtime.register_state_machine(name, path.read_text())
    except InvalidDefinition as exc:
        raise InvalidInvocation(f"{path}: invalid state machine definition:\n" +
                                "\n".join(f"  - {problem}" for problem in exc.problems)) from None


@click.command("exec")
@click.argument("definition", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--input", "input_text", default="{}", show_default=True, help="Execution input: JSON or @file.")
@click.option("--handler", "handler_specs", multiple=True, metavar="NAME=module:function",
              help="Route Lambda function NAME to an in-process handler (repeatable).")
@click.option("--state-machine", "machine_specs", multiple=True, metavar="NAME=FILE",
              help="Register another definition, for states:startExecution children (repeatable).")
@click.option("--name", default=None, help="Execution name (default: drawn from the seed).")
@click.option("--no-history-limit", is_flag=True, help="Lift the 25,000-event history limit (experiments).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of jitter, UUIDs and tokens.")
@click.option("--realtime", is_flag=True, help="Run on the wall clock instead of the virtual one (demos).")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_PATH,
              show_default=True, help="SQLite journal the history is written to.")
def exec_command(definition, input_text, handler_specs, machine_specs, name, no_history_limit, seed, realtime,
                 journal_path):
    """Run DEFINITION (an ASL JSON file) in the local interpreter and print its output as JSON."""
    from ..local.runtime import LocalRuntime

    input_value = _read_json(input_text, "--input")
    handlers = dict(_load_handler(spec) for spec in handler_specs)
    runtime = LocalRuntime(handlers, seed=seed, clock=RealtimeClock() if realtime else None,
                           history_limit=None if no_history_limit else DEFAULT_HISTORY_LIMIT,
                           journal_path=journal_path)
    machine = definition.name.split(".")[0]
    _register(runtime, machine, definition)
    for spec in machine_specs:
        child, sep, path = spec.partition("=")
        if not (sep and child and path):
            raise InvalidInvocation(f"Invalid value for --state-machine: {spec!r} is not NAME=FILE")
        _register(runtime, child, Path(path))
    try:
        execution = runtime.start_execution(machine, input_value, name=name)
    except LocalRuntimeError as exc:
        raise InvalidInvocation(str(exc)) from None
    runtime.run()
    if execution.status == "RUNNING":
        click.echo(json.dumps({"error": "waveflow.Stalled", "cause": "The execution is waiting for a task token or "
                                                                    "a callback that nothing will send."}))
        sys.exit(EXIT_FAILED)
    if execution.status != "SUCCEEDED":
        click.echo(json.dumps({"error": execution.error, "cause": execution.cause}))
        sys.exit(EXIT_FAILED)
    click.echo(json.dumps(execution.output, indent=2, ensure_ascii=False))


def _open_journal(path: Path) -> Journal:
    if not path.exists():
        raise InvalidInvocation(f"No journal at {path}: run `waveflow exec` here first")
    return Journal(path)


@click.command("history")
@click.argument("execution")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_PATH,
              show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the events as one JSON array.")
def history_command(execution, journal_path, as_json):
    """Print the history events of EXECUTION (a name or an ARN) from the journal."""
    journal = _open_journal(journal_path)
    arn = journal.find(execution)
    if arn is None:
        raise InvalidInvocation(f"Execution Does Not Exist: '{execution}' is not in {journal_path}")
    events = journal.history(arn)
    if as_json:
        click.echo(json.dumps(events, indent=2))
        return
    for event in events:
        details = next((value for key, value in event.items() if key.endswith("EventDetails")), {})
        summary = " ".join(f"{key}={value}" for key, value in details.items() if not key.endswith("Details"))
        click.echo(f"{event['id']:>6} {event['timestamp']} {event['type']:<28} {summary}")


@click.command("executions")
@click.option("--journal", "journal_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_PATH,
              show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def executions_command(journal_path, as_json):
    """List the executions recorded in the journal, newest first."""
    rows = _open_journal(journal_path).executions()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['status']:<10} {row['startDate']} {row['stateMachine']:<24} {row['name']:<40} "
                   f"{row['events']} events{'  ' + row['error'] if row['error'] else ''}")
