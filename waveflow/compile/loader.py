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


@dataclass
class SourceMap:
    """Where each state name and each ``Workflow(...)`` is written in one file."""

    file: str
    states: dict[str, list[int]] = field(default_factory=dict)
    workflows: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, display: str) -> "SourceMap":
        found = cls(display)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=display)):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if callee == "Workflow":
                found.workflows.setdefault(node.args[0].value, node.lineno)
            elif callee[:1].isupper():
                found.states.setdefault(node.args[0].value, []).append(node.lineno)
        return found

    def line_of(self, state_name: str | None, workflow_name: str) -> int:
        lines = self.states.get(state_name or "", [])
        return lines[-1] if lines else self.workflows.get(workflow_name, 1)


@dataclass
class LoadedWorkflow:
    workflow: Workflow
    file: str
    source: SourceMap


def load_file(path: Path, display: str, root: Path) -> tuple[list[LoadedWorkflow], list[Problem]]:
    """Execute one workflow file; return the workflows it defines at module level, or the problems.

    ``root`` (the project) is importable while the file runs, so a workflow may import its handlers.
    """
    module_name = f"waveflow_workflows.{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        source = SourceMap.read(path, display)
        sys.modules[module_name] = module
        sys.path.insert(0, str(root))
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        return [], [Problem(display, exc.lineno or 1, f"syntax error: {exc.msg}")]
    except Exception as exc:  # a broken workflow file must become one located line, never a traceback
        return [], [Problem(display, _failing_line(exc, path), _explain(exc))]
    finally:
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
        loaded.append(LoadedWorkflow(wf, display, source))
    return loaded, []


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
