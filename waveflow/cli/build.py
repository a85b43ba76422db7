"""``waveflow build``: compile workflows/*.py into build/ (``python build.py`` runs this)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..compile import BuildError, build as build_project
from ..compile.watch import watch


@click.command("build")
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

