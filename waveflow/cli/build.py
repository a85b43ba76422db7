"""``waveflow build``: compile workflows/*.py into build/ and check the stack (``python build.py`` runs this)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..compile import BuildError, build as build_project
from ..compile.watch import watch
from ..stack.checks import Vetting


@click.command("build")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Project folder holding workflows/ and tasks/.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write (default: PROJECT/build).")
@click.option("--watch", "watching", is_flag=True, help="Rebuild on every save; print what changed or broke.")
@click.option("--check", "strict", is_flag=True,
              help="Fail (exit 2, build/ untouched) on any finding of cfn-lint, checkov or the state machine controls.")
@click.option("--no-check", "unchecked", is_flag=True, help="Skip the template checks (a fast rebuild).")
def build_command(project: Path, out: Path | None, watching: bool, strict: bool, unchecked: bool):
    """Compile workflows/*.py to build/*.asl.json, build/manifest.json and build/template.yaml, and check it."""
    if watching:
        watch(project, out, echo=click.echo)
        return
    if strict and unchecked:
        raise click.UsageError("--check and --no-check contradict each other; choose one")
    vetting = None if unchecked else Vetting(strict)
    try:
        files = build_project(project, out, vet=vetting)
    except BuildError as exc:
        _summarise(vetting)
        click.echo(exc.report(), err=True)
        sys.exit(exc.exit_code)
    target = out or project / "build"
    for name in sorted(files):
        click.echo(f"wrote {target / name}")
    _summarise(vetting)
    if vetting is not None and vetting.report is not None:
        for finding in vetting.report.findings:
            click.echo(f"warning: {finding}", err=True)


def _summarise(vetting: Vetting | None) -> None:
    if vetting is not None and vetting.report is not None:
        for line in vetting.report.summaries:
            click.echo(line)
