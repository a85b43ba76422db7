"""``waveflow graph``: draw a workflow (Mermaid, Markdown, SVG or HTML), or the workflows changed since a commit.

Exit codes: 0 drawn, 2 bad input (a workflow that fails to build, with the build's ``file:line`` problems; a file
that is not ASL; an unknown workflow or commit; a graph too large for Mermaid even folded).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..compile import BuildError
from ..graph import GraphError, read_graph, render_html, render_mermaid, render_svg
from ..graph.collapse import TooLarge
from ..graph.source import Drawable, SourceError, changed_since, resolve


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(2)


def _markdown_section(drawn: Drawable, level: str = "###") -> str:
    diagram = render_mermaid(read_graph(drawn.definition, drawn.name, drawn.origin))
    note = ""
    if diagram.folded:
        count = sum(len(states) for states in diagram.folded.values())
        boxes = f"{len(diagram.folded)} box{'es' if len(diagram.folded) > 1 else ''}"
        note = (f"{count} states are folded into {boxes} to stay within Mermaid's limits; "
                f"`waveflow graph {drawn.name} --format html` draws them all.\n\n")
    return f"{level} {drawn.name} (`{drawn.origin}`)\n\n{note}```mermaid\n{diagram.text}```\n"


def _mermaid(drawn: Drawable) -> str:
    diagram = render_mermaid(read_graph(drawn.definition, drawn.name, drawn.origin))
    for box, states in diagram.folded.items():
        click.echo(f"note: {drawn.name}: {len(states)} states folded into '{box}' to stay within Mermaid's limits",
                   err=True)
    return diagram.text


#: --format -> how one state machine is drawn.
DRAW = {
    "mermaid": _mermaid,
    "markdown": _markdown_section,
    "svg": lambda drawn: render_svg(read_graph(drawn.definition, drawn.name, drawn.origin)),
    "html": lambda drawn: render_html(read_graph(drawn.definition, drawn.name, drawn.origin)),
}


def _changed(ref: str, project: Path) -> str:
    changed = changed_since(ref, project)
    head = f"## Workflow graphs: compiled ASL changed since `{ref}`\n\n"
    if not changed:
        return head + "No workflow's compiled ASL changed.\n"
    return head + "\n".join(_markdown_section(drawn) for drawn in changed)


@click.command("graph")
@click.argument("workflow", required=False)
@click.option("--format", "fmt", type=click.Choice(list(DRAW)), default="mermaid", show_default=True,
              help="mermaid: a stateDiagram-v2; markdown: the same in a ```mermaid block; svg; html: one "
                   "self-contained page with zoom, pan and hover details.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
              help="Project folder holding workflows/ (for a workflow named by name).")
@click.option("--changed-since", "ref", default=None, metavar="REF",
              help="Draw, as Markdown, every workflow whose compiled ASL changed since git commit REF.")
def graph_command(workflow: str | None, fmt: str, out: Path | None, project: Path, ref: str | None):
    """Draw WORKFLOW: a workflow's name, a workflows/*.py file or any .asl.json file."""
    if (workflow is None) == (ref is None):
        _fail("Give either WORKFLOW (a name, a workflows/*.py or an .asl.json file) or --changed-since REF")
    if ref is not None and fmt not in ("mermaid", "markdown"):
        _fail("--changed-since writes Markdown with one Mermaid diagram per workflow; for --format "
              f"{fmt} draw one workflow at a time")
    try:
        text = _changed(ref, project) if ref is not None else DRAW[fmt](resolve(workflow, project))
    except BuildError as exc:
        _fail(exc.report())
    except (SourceError, GraphError, TooLarge) as exc:
        _fail(str(exc))
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"Invalid value for --out: cannot write {out}: {exc.strerror}")
    click.echo(f"wrote {out} ({len(text.encode('utf-8')):,} bytes)", err=True)
