"""What ``waveflow graph`` draws: a workflow by name, a ``workflows/`` file, any ``.asl.json``, or the workflows
whose compiled ASL changed since a git commit.

Workflows are compiled by the build itself (``compile_project``), so a picture is always of what would be
deployed, and a broken workflow gives the build's ``file:line`` problems (``BuildError``), not a picture. "Changed"
means the compiled ASL differs: the workflows and tasks of the older commit are compiled by today's compiler, so a
change to a shared retry list or a handler's docstring counts, and a change to whitespace does not.
"""
from __future__ import annotations

import difflib
import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..compile import BuildError, compile_project


class SourceError(Exception):
    """Raised when the thing to draw cannot be found or read; the message says what to give instead."""

    exit_code = 2


@dataclass
class Drawable:
    """One state machine to draw: its name, its ASL and where it came from."""

    name: str
    definition: object
    origin: str


def resolve(target: str, project: Path) -> Drawable:
    """The state machine ``target`` names (see the module docstring); raises SourceError or BuildError."""
    path = Path(target)
    if target.endswith(".json"):
        return _read_asl(path)
    if target.endswith(".py"):
        if not path.is_file():
            raise SourceError(f"{target}: no such workflow file")
        resolved = path.resolve()
        if resolved.parent.name != "workflows":
            raise SourceError(f"{target}: a workflow file lives in a project's workflows/ folder")
        root = resolved.parent.parent
        found = [c for c in compile_project(root) if c.loaded.file == f"workflows/{resolved.name}"]
        if not found:
            raise SourceError(f"{target}: defines no workflow")
        if len(found) > 1:
            raise SourceError(f"{target} defines {len(found)} workflows ({', '.join(c.name for c in found)}); "
                              f"name the one to draw")
        return Drawable(found[0].name, found[0].definition, found[0].loaded.file)
    compiled = {c.name: c for c in compile_project(project)}
    if target not in compiled:
        close = difflib.get_close_matches(target, list(compiled), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise SourceError(f"no workflow named {target!r} in {project / 'workflows'}{hint} Known: "
                          f"{', '.join(sorted(compiled))}. Give a name, a workflows/*.py file or an .asl.json file.")
    return Drawable(target, compiled[target].definition, compiled[target].loaded.file)


def _read_asl(path: Path) -> Drawable:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read it ({exc})") from None
    try:
        definition = json.loads(text)
    except ValueError as exc:
        raise SourceError(f"{path}: not JSON ({exc})") from None
    name = path.name[:-len(".asl.json")] if path.name.endswith(".asl.json") else path.stem
    return Drawable(name, definition, str(path))


def changed_since(ref: str, project: Path) -> list[Drawable]:
    """The workflows whose compiled ASL differs from (or did not exist at) commit ``ref``, in name order."""
    current = compile_project(project)
    with tempfile.TemporaryDirectory(prefix="waveflow-graph-") as folder:
        try:
            before = {c.name: c.definition for c in compile_project(_checkout(ref, project, Path(folder)))}
        except BuildError:
            before = {}
    return [Drawable(c.name, c.definition, c.loaded.file) for c in current if before.get(c.name) != c.definition]


def _checkout(ref: str, project: Path, into: Path) -> Path:
    """The project's ``workflows/`` and ``tasks/`` as they were at ``ref``, extracted under ``into``."""
    def git(*args: str) -> bytes:
        done = subprocess.run(["git", *args], cwd=project, capture_output=True)
        if done.returncode:
            said = done.stderr.decode(errors="replace").strip().splitlines()
            raise SourceError(f"--changed-since {ref}: {said[-1] if said else 'not a commit of this repository'}")
        return done.stdout
    prefix = git("rev-parse", "--show-prefix").decode().strip()
    commit = git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    wanted = (f"{prefix}workflows/", f"{prefix}tasks/")
    try:
        with tarfile.open(fileobj=io.BytesIO(git("archive", "--format=tar", commit))) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith(wanted) and (m.isfile() or m.isdir())]
            tar.extractall(into, members=members, filter="data")
    except tarfile.ReadError:  # git archives a commit with no files as an empty stream: no workflows then
        pass
    return into / prefix if prefix else into
