"""The ``waveflow`` command line: build, graph, exec, run, history, deploy.

Exit codes: 0 ok, 1 a workflow execution failed, 2 bad input (a broken workflow, definition or argument).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .compile import BuildError, build as build_project
from .compile.watch import watch
from .local.commands import exec_command, executions_command, history_command


@click.group()
def cli():
    """waveflow: Airflow-style migration workflows compiled to AWS Step Functions."""


@cli.command("build")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Project folder holding workflows/ and tasks/.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write (default: PROJECT/build).")
@click.option("--watch", "watching", is_flag=True, help="Rebuild on every save; print what changed or broke.")
def build_command(project: Path, out: Path | None, watching: bool):
    """Compile workflows/*.py to build/*.asl.json and build/manifest.json."""
    if watching:
        watch(project, out, echo=click.echo)
        return
    try:
        files = build_project(project, out)
    except BuildError as exc:
        click.echo(exc.report(), err=True)
        sys.exit(exc.exit_code)
    target = out or project / "build"
    for name in sorted(files):
        click.echo(f"wrote {target / name}")


cli.add_command(exec_command)
cli.add_command(history_command)
cli.add_command(executions_command)


def main(argv: list[str] | None = None):
    cli.main(args=argv, prog_name="waveflow")
