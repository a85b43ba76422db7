"""The ``waveflow`` command line: one module per command group, each a thin shell over a library function.

Commands are imported only when they run, so ``waveflow exec`` does not pay for the compiler, the template
renderer or moto. To add a command group, add its module here and an entry to :data:`COMMANDS`.

Exit codes, for every command: 0 ok, 1 a workflow execution failed, 2 bad input (a broken workflow, definition,
file or argument; the message names it).
"""
from __future__ import annotations

import importlib

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


def main(argv: list[str] | None = None):
    cli.main(args=argv, prog_name="waveflow")
