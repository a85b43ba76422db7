"""The ``waveflow`` command line: one module per command group, each a thin shell over a library function.

Commands are imported only when they run, so ``waveflow exec`` does not pay for the compiler, the template
renderer or moto. To add a command group, add its module here and an entry to :data:`COMMANDS`.

Exit codes, for every command: 0 ok, 1 a workflow execution failed, 2 bad input (a broken workflow, definition,
file or argument; the message names it).
"""
from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys

import click

#: command name -> "module:attribute" inside this package.
COMMANDS = {
    "build": "build:build_command",
    "deploy": "deploy:deploy_command",
    "dlq": "dlq:dlq_group",
    "events": "events:events_group",
    "status": "status:status_command",
    "exec": "execute:exec_command",
    "history": "journal:history_command",
    "executions": "journal:executions_command",
    "test": "testing:test_command",
    "test-state": "testing:test_state_command",
    "graph": "graph:graph_command",
    "run": "run:run_command",
    "report": "report:report_command",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module the first time the command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)


@click.group(cls=LazyGroup)
def cli():
    """waveflow: Airflow-style migration workflows compiled to AWS Step Functions, run locally or deployed."""


#: commands that close everything they write before they return, and leave a large heap behind: after them the
#: process ends at once instead of freeing that heap object by object (4 s after a 1,000-server wave, 30 s after
#: 5,000: a last full collection and every object freed, with nothing left to write)
LEAVE_AT_ONCE = frozenset({"run"})


def main(argv: list[str] | None = None):
    """The ``waveflow`` console script."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in LEAVE_AT_ONCE:
        gc.disable()  # its imports (moto, botocore's models) made full collections that found nothing to free: the
        # command collects once, after them, where it settles the heap (waveflow.run.environment.settled_heap)
    try:
        cli.main(args=args, prog_name="waveflow")
    except SystemExit as done:
        if args and args[0] in LEAVE_AT_ONCE and isinstance(done.code, (int, type(None))):
            _leave(done.code or 0)
        raise


def _leave(code: int) -> None:
    """End the process with ``code`` without tearing down the interpreter: the exit handlers run (logging's flush,
    temporary folders removed) and the standard streams are flushed, as at a normal exit; objects are not freed."""
    atexit._run_exitfuncs()  # what the interpreter runs first at a normal exit
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it, as at a normal exit
            pass
    os._exit(code)
