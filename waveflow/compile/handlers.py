"""Finds Lambda handlers in ``tasks/`` by reading their source, so a build never imports (or runs) task code."""
from __future__ import annotations

import ast
import re
from pathlib import Path


def function_name(handler_path: str) -> str:
    """The logical Lambda function name of a handler: ``tasks.launch.start_test`` -> ``LaunchStartTest``."""
    module, _, func = handler_path.rpartition(".")
    words = module.rpartition(".")[2].split("_") + ([] if func == "handler" else func.split("_"))
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def collision(first: str, second: str) -> str:
    """Two handlers that would be one Lambda function (their derived names agree)."""
    return (f"handlers {first!r} and {second!r} would both be the Lambda function {function_name(first)!r}; "
            f"rename one of them")


class HandlerIndex:
    """Answers "does this handler exist, and what does its docstring say?" for dotted paths under ``root``."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._modules: dict[str, dict[str, str | None] | None] = {}
        self._broken: dict[str, tuple[str, int, str]] = {}

    def _functions(self, module: str) -> dict[str, str | None] | None:
        if module not in self._modules:
            path = self.root.joinpath(*module.split(".")).with_suffix(".py")
            if not path.is_file():
                self._modules[module] = None
            else:
                try:
                    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
                except SyntaxError as exc:
                    self._broken[module] = (f"{module.replace('.', '/')}.py", exc.lineno or 1,
                                            f"syntax error: {exc.msg}")
                    self._modules[module] = None
                    return None
                self._modules[module] = {
                    node.name: ast.get_docstring(node)
                    for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                }
        return self._modules[module]

    def problem(self, handler_path: object) -> str | None:
        """Why ``handler_path`` does not name a function in the project, or None."""
        if not isinstance(handler_path, str) or not re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+", handler_path):
            return f"handler must be a dotted path such as 'tasks.validate_input.handler', got {handler_path!r}"
        module, _, func = handler_path.rpartition(".")
        functions = self._functions(module)
        if module in self._broken:
            file, line, message = self._broken[module]
            return f"handler {handler_path!r}: {file}:{line}: {message}"
        if functions is None:
            return f"handler {handler_path!r}: module {module!r} not found under {self.root}"
        if func not in functions:
            return f"handler {handler_path!r}: {module.replace('.', '/')}.py has no function {func!r}"
        return None

    def broken_at(self, handler_path: str) -> tuple[str, int, str] | None:
        """``(file, line, message)`` when the handler's module does not parse: one problem, located in that
        module, however many states call it."""
        if not isinstance(handler_path, str) or self.problem(handler_path) is None:
            return None
        return self._broken.get(handler_path.rpartition(".")[0])

    def summary(self, handler_path: str) -> str | None:
        """The first line of the handler's docstring, used as the state's Comment when none is given."""
        module, _, func = handler_path.rpartition(".")
        doc = (self._functions(module) or {}).get(func)
        return doc.strip().splitlines()[0] if doc else None
