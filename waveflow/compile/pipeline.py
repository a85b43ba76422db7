"""The build, top to bottom: load workflows, compile and check them, lint, render, write atomically."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import kinds  # noqa: F401  (registers how every state kind is checked and written)
from .asl import Compilation, state_machine_placeholder
from .graph import Issue
from .handlers import HandlerIndex, collision
from .lint import lint_definition
from .loader import LoadedWorkflow, load_file
from .problems import BuildError, Problem
from ..stack.render import render_stack


@dataclass
class CompiledWorkflow:
    loaded: LoadedWorkflow
    definition: dict
    functions: dict[str, str] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    #: the DSL states that made it into the ASL
    written: set = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.loaded.workflow.name


def build(root: Path | str = ".", out: Path | str | None = None,
          vet: Callable[[dict[str, bytes]], None] | None = None) -> dict[str, bytes]:
    """Build every workflow under ``root/workflows`` into ``out`` (``root/build``); return the files written.

    ``vet`` sees the rendered files before anything is written (the template checks); it raises ``BuildError``
    to stop the build. Raises ``BuildError`` listing every problem, in which case ``out`` is left exactly as it was.
    """
    root = Path(root).resolve()
    target = Path(out).resolve() if out is not None else root / "build"
    refuse_unsafe_output(root, target)
    compiled = compile_project(root)
    files = render(compiled)
    files.update(render_stack(root, files))
    if vet is not None:
        vet(files)
    write_atomically(target, files)
    return files


#: What a build writes; a folder holding anything else is not a build folder and is never replaced.
BUILD_FILES = ("*.asl.json", "manifest.json", "template.yaml")


def refuse_unsafe_output(root: Path, out: Path) -> None:
    """The output folder is replaced whole, so it must be a build folder: never the project, a folder holding it,
    its sources, or a folder with files the build did not write."""
    sources = [root / "workflows", root / "tasks"]
    if out == root or root.is_relative_to(out) or any(out == s or out.is_relative_to(s) for s in sources):
        raise BuildError([Problem(str(out), 1, f"refusing to build into {out}: the build replaces that folder "
                                               f"whole, and it holds the project or its sources")])
    if out.is_dir():
        strangers = sorted(p.name for p in out.iterdir() if not any(p.match(g) for g in BUILD_FILES))
        if strangers:
            raise BuildError([Problem(str(out), 1, f"refusing to replace {out}: it holds files the build did not "
                                                   f"write ({', '.join(strangers[:3])}); choose another --out")])


def compile_project(root: Path) -> list[CompiledWorkflow]:
    """Load, check, compile and lint every workflow; raise ``BuildError`` with all problems found."""
    problems: list[Problem] = []
    loaded: list[LoadedWorkflow] = []
    for path in workflow_files(root):
        found, trouble = load_file(path, path.relative_to(root).as_posix(), root)
        loaded += found
        problems += trouble
    if not loaded and not problems:
        problems.append(Problem("workflows/", 1, "no workflow files found (workflows/*.py)"))
    all_files_loaded = not problems
    problems += _duplicate_names(loaded)
    handlers = HandlerIndex(root)
    compiled = [_compile(item, handlers, problems) for item in loaded]
    problems += _function_name_collisions(compiled)
    problems += _loose_states(compiled)
    known = {c.name for c in compiled}
    for item in compiled:
        for child in item.children:
            if child not in known and all_files_loaded:  # a file that failed to load may well define it
                problems.append(Problem(item.loaded.file, item.loaded.source.workflows.get(item.name, 1),
                                        f"workflow {item.name!r} runs workflow {child!r}, which no file in "
                                        f"workflows/ defines"))
        if not problems:
            for finding in lint_definition(item.definition):
                problems.append(Problem(item.loaded.file, item.loaded.source.workflows.get(item.name, 1),
                                        f"statelint: {finding}"))
    if problems:
        raise BuildError(problems)
    return sorted(compiled, key=lambda c: c.name)


def workflow_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "workflows").glob("*.py") if not p.name.startswith("_"))


def _duplicate_names(loaded: list[LoadedWorkflow]) -> list[Problem]:
    seen: dict[str, LoadedWorkflow] = {}
    problems = []
    for item in loaded:
        first = seen.setdefault(item.workflow.name, item)
        if first is not item:
            problems.append(Problem(item.file, item.source.workflows.get(item.workflow.name, 1),
                                    f"workflow name {item.workflow.name!r} is already used in {first.file}"))
    return problems


def _loose_states(compiled: list[CompiledWorkflow]) -> list[Problem]:
    """States created outside every ``with`` block that no workflow reached: they would be silently dropped.
    (A workflow's ``on_failure`` state counts as reached: it is left out only when no task can fail into it.)"""
    written = {state for item in compiled for state in item.written}
    written |= {item.loaded.workflow.on_failure for item in compiled}
    files = {id(item.loaded.loose): item.loaded for item in compiled}
    return [Problem(item.file, item.source.line_of(state.name, item.workflow.name),
                    f"{state.describe()} is created outside every `with Workflow(...)` block and no workflow reaches "
                    f"it, so it would be dropped; create it inside the block, or link it with >>")
            for item in files.values() for state in item.loose if state.scope is None and state not in written]


def _function_name_collisions(compiled: list[CompiledWorkflow]) -> list[Problem]:
    """Two handlers whose derived function names agree would both invoke one Lambda function."""
    owners: dict[str, tuple[str, CompiledWorkflow]] = {}
    problems = []
    for item in compiled:
        for logical, handler in item.functions.items():
            first = owners.setdefault(logical, (handler, item))
            if first[0] != handler:
                problems.append(Problem(item.loaded.file, item.loaded.source.workflows.get(item.name, 1),
                                        collision(first[0], handler)))
    return problems


def _compile(item: LoadedWorkflow, handlers: HandlerIndex, problems: list[Problem]) -> CompiledWorkflow:
    compilation = Compilation(item.workflow, handlers)
    definition = compilation.compile()
    problems += [_locate(issue, item) for issue in compilation.issues]
    written = {state for writers in compilation.names.values() for state in writers}
    return CompiledWorkflow(item, definition, dict(sorted(compilation.functions.items())),
                            sorted(compilation.state_machines), written)


def _locate(issue: Issue, item: LoadedWorkflow) -> Problem:
    """The line the author wrote: of a dangling link, of a broken module, else of the state (or the Workflow)."""
    if issue.where is not None:
        return Problem(*issue.where, issue.message)
    line = item.source.line_of_link(issue.link) if issue.link is not None else None
    name = issue.state.name if issue.state is not None else None
    return Problem(item.file, line or item.source.line_of(name, item.workflow.name), issue.message)


def to_json(value) -> bytes:
    """The one JSON rendering of the build: stable key order as constructed, two-space indent, final newline."""
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def render(compiled: list[CompiledWorkflow]) -> dict[str, bytes]:
    """File name -> bytes for everything in ``build/``."""
    files = {f"{c.name}.asl.json": to_json(c.definition) for c in compiled}
    functions: dict[str, dict] = {}
    for c in compiled:
        for logical, handler in c.functions.items():
            entry = functions.setdefault(logical, {"handler": handler, "placeholder": f"{logical}FunctionArn",
                                                   "usedBy": []})
            entry["usedBy"].append(c.name)
    manifest = {
        "workflows": {c.name: {
            "file": c.loaded.file,
            "definition": f"{c.name}.asl.json",
            "sha256": hashlib.sha256(files[f"{c.name}.asl.json"]).hexdigest(),
            "placeholder": state_machine_placeholder(c.name)[2:-1],
            "functions": list(c.functions),
            "children": c.children,
        } for c in compiled},
        "functions": dict(sorted(functions.items())),
    }
    files["manifest.json"] = to_json(manifest)
    return files


def _umask() -> int:
    """The process's umask (reading it means setting it, so it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    """Replace ``out`` with exactly ``files``: written beside it first, then swapped in, so a failure leaves
    the previous build untouched."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the build folder is made like any other
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        if out.exists():
            retired = out.with_name(f".{out.name}-old")
            shutil.rmtree(retired, ignore_errors=True)
            out.rename(retired)
            staging.rename(out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
