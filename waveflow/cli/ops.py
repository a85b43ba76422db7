"""What the operations commands share: the --stack/--region options and turning OpsError into exit 2."""
from __future__ import annotations

import functools
import sys

import click

from ..ops.stack import OpsError, connect


def stack_options(command):
    """Add ``--stack NAME`` and ``--region R``; the command receives ``stack`` (a connected Stack)."""

    @click.option("--stack", "stack_name", required=True, help="Name of the deployed waveflow stack.")
    @click.option("--region", default=None, help="AWS region of the stack (default: AWS_REGION).")
    @functools.wraps(command)
    def wrapper(stack_name: str, region: str | None, **kwargs):
        try:
            return command(stack=connect(stack_name, region), **kwargs)
        except OpsError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper
