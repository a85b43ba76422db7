"""Runs workflow files and finds the workflows in them, turning any failure into ``file:line: message``.

Lines of states come from reading the file's syntax tree (where ``SomeState("Name", ...)`` is written), so no
frame inspection is needed while the workflow runs.
"""
from __future__ import annotations

import ast
import difflib
import importlib.util
import inspect
import re
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .. import dsl
from ..dsl import scope as scopes
from ..dsl.workflow import Workflow
from .problems import Problem


#: Where a state may be linked by name: ``a >> "Name"``, ``.when(condition, "Name")``, ``.otherwise("Name")``,
#: ``Catch([...], "Name")`` and the keywords below.
_LINK_ARGUMENT = {"when": 1, "otherwise": 0, "Catch": 1}
_LINK_KEYWORDS = ("next", "on_failure", "start")


@dataclass
class SourceMap:
    """Where each state name, each ``Workflow(...)`` and each link by name is written in one file."""

    file: str
    states: dict[str, list[int]] = field(default_factory=dict)
    workflows: dict[str, int] = field(default_factory=dict)
    links: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, display: str) -> "SourceMap":
        found = cls(display)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=display)):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
                found._link(node.right)
            elif isinstance(node, ast.Call):
                found._call(node)
        return found

    def _call(self, node: ast.Call) -> None:
        callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        position = _LINK_ARGUMENT.get(callee)
        if position is not None and len(node.args) > position:
            self._link(node.args[position])
        for keyword in node.keywords:
            if keyword.arg in _LINK_KEYWORDS:
                self._link(keyword.value)
        if not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            return
        if callee == "Workflow":
            self.workflows.setdefault(node.args[0].value, node.lineno)
        elif callee[:1].isupper() and callee != "Catch":
            self.states.setdefault(node.args[0].value, []).append(node.lineno)

    def _link(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.links.setdefault(node.value, []).append(node.lineno)

    def line_of(self, state_name: str | None, workflow_name: str) -> int:
        lines = self.states.get(state_name or "", [])
        return lines[-1] if lines else self.workflows.get(workflow_name, 1)

    def line_of_link(self, target: str) -> int | None:
        """The first line that links to ``target`` by name, where a link to a missing state was written."""
        lines = self.links.get(target)
        return min(lines) if lines else None


@dataclass
class LoadedWorkflow:
    workflow: Workflow
    file: str
    source: SourceMap
    #: states the file created outside every ``with`` block (shared by the workflows of one file)
    loose: list = field(default_factory=list)


def load_file(path: Path, display: str, root: Path) -> tuple[list[LoadedWorkflow], list[Problem]]:
    """Execute one workflow file; return the workflows it defines at module level, or the problems.

    ``root`` (the project) is importable while the file runs, so a workflow may import its handlers.
    """
    module_name = f"waveflow_workflows.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    loose = scopes.note_loose()
    try:
        source = SourceMap.read(path, display)
        sys.modules[module_name] = module
        sys.path.insert(0, str(root))
        spec.loader.exec_module(module)
    except SyntaxError as exc:  # in this file, or in a module it imports: located in the file that holds it
        return [], [Problem(_shown(exc.filename, path, display, root), exc.lineno or 1, f"syntax error: {exc.msg}")]
    except Exception as exc:  # a broken workflow file must become one located line, never a traceback
        return [], [Problem(display, _failing_line(exc, path), _explain(exc))]
    finally:
        scopes.stop_noting()
        if sys.path and sys.path[0] == str(root):
            sys.path.pop(0)
        sys.modules.pop(module_name, None)
        while scopes.current() is not None:
            scopes.leave(scopes.current())
    workflows = [value for value in vars(module).values() if isinstance(value, Workflow)]
    if not workflows:
        return [], [Problem(display, 1, "defines no Workflow; create one with `with Workflow(\"Name\") as wf:`")]
    loaded = []
    for wf in workflows:
        wf.source_file = display
        if wf.comment is None and module.__doc__:
            wf.comment = module.__doc__.strip().splitlines()[0]
        loaded.append(LoadedWorkflow(wf, display, source, loose))
    return loaded, []


def _shown(filename: str | None, path: Path, display: str, root: Path) -> str:
    """How to name the file a syntax error is in: as given for the workflow file, relative to the project for
    another file of it."""
    if not filename or filename == display or Path(filename).resolve() == path.resolve():
        return display
    broken = Path(filename).resolve()
    return broken.relative_to(root.resolve()).as_posix() if broken.is_relative_to(root.resolve()) else str(broken)


def _failing_line(exc: BaseException, path: Path) -> int:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    return frames[-1].lineno if frames else 1


_UNEXPECTED = re.compile(r"(?:(\w+)\.)?(\w+)\(\) got an unexpected keyword argument '(\w+)'")


def _explain(exc: Exception) -> str:
    """The exception as one line, with a did-you-mean for a misspelt keyword."""
    message = str(exc)
    match = _UNEXPECTED.search(message)
    if isinstance(exc, TypeError) and match:
        cls_name, keyword = match.group(1) or match.group(2), match.group(3)
        target = getattr(dsl, cls_name, None)
        if target is not None:
            try:
                accepted = list(inspect.signature(target).parameters)
            except (TypeError, ValueError):
                accepted = []
            close = difflib.get_close_matches(keyword, accepted, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            return f"{cls_name}() got an unknown keyword {keyword!r}{hint}"
    return f"{type(exc).__name__}: {message}"
