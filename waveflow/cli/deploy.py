"""``waveflow deploy`` (== ``python -m deploy``): ship the stack to an environment through a change set."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..deploy import DeployError, DeployFailed, DeployOptions, deploy


@click.command("deploy")
@click.option("--env", "env", required=True, help="Environment: its settings are deploy/params/ENV.json.")
@click.option("--stack", default=None, help="Stack name (default: stackName of the parameter file).")
@click.option("--region", default=None, help="AWS region (default: region of the parameter file, or AWS_REGION).")
@click.option("--yes", is_flag=True, help="Execute the change set without asking.")
@click.option("--dry-run", is_flag=True, help="Stop after showing the change set (it is then deleted).")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Project folder holding workflows/, tasks/, templates/ and deploy/params/.")
def deploy_command(env: str, stack: str | None, region: str | None, yes: bool, dry_run: bool, project: Path):
    """Build and check, package tasks/, upload, show the change set, confirm, execute, follow, print outputs."""
    confirm = (lambda question: click.confirm(question, default=False)) if sys.stdin.isatty() else None
    try:
        deploy(DeployOptions(env, project, stack, region, yes, dry_run), echo=click.echo, confirm=confirm)
    except (DeployError, DeployFailed) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
