"""What a local run needs from the project: the definition, a handler for every function it calls, its children.

``waveflow exec ServerMigration`` (a workflow's name, a ``workflows/`` file, or an ASL file in ``build/``) takes the
compiled definition from the build folder and, from ``build/manifest.json``, routes every Lambda function to its
handler in ``tasks/`` and registers every child workflow, so no ``--handler`` flag is needed. ``--handler`` only
overrides (``NAME=module:function`` or the DSL's dotted ``NAME=module.function``); a NAME the definition never
calls, or given twice, is refused by name. Nothing here imports the compiler: the manifest says it all.
"""
from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .routing import function_name, is_lambda_function_resource
from .walk import every_state


class WiringError(ValueError):
    """Raised when the definition, a handler or a child workflow cannot be found or loaded; names what."""


@dataclass
class Wiring:
    """The state machine to run and everything it calls."""

    name: str
    definition: str
    handlers: dict = field(default_factory=dict)   # function name -> callable
    machines: dict = field(default_factory=dict)   # child state machine name -> definition text
    source: str = ""

    @property
    def parsed(self) -> dict:
        return json.loads(self.definition)


def read_text(path: Path, what: str) -> str:
    """A UTF-8 text file, or a WiringError saying why not (missing, a folder, unreadable, not UTF-8)."""
    if path.is_dir():
        raise WiringError(f"{what}: {path} is a folder, not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WiringError(f"{what}: cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WiringError(f"{what}: {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                          f"{exc.start})") from None


def wire(target: str, build: Path = Path("build"), handler_specs=(), machine_specs=()) -> Wiring:
    """Resolve ``target`` (an ASL file, a workflow name or a ``workflows/*.py`` file), then apply the
    ``--handler NAME=...`` overrides and ``--state-machine NAME=FILE`` registrations."""
    wiring = _resolve(target, build)
    _add_machines(wiring, machine_specs)
    overrides = {}
    for spec in handler_specs:
        name, handler = load_handler(spec)
        if name in overrides:
            raise WiringError(f"--handler {name}: given twice")
        overrides[name] = handler
    called = functions_called([json.loads(text) for text in (wiring.definition, *wiring.machines.values())])
    if called is not None:
        for name in overrides:
            if name not in called:
                listed = ", ".join(sorted(called)) or "none"
                raise WiringError(f"--handler {name}: the definition never calls a function named {name!r} "
                                  f"(it calls: {listed})")
    wiring.handlers.update(overrides)
    return wiring


def _resolve(target: str, build: Path) -> Wiring:
    path = Path(target)
    manifest = _manifest(build)
    if path.suffix == ".py":
        if manifest is None:
            raise WiringError(f"{target}: no {build / 'manifest.json'}; run `waveflow build` first")
        names = [n for n, w in manifest["workflows"].items() if Path(w["file"]) == _relative(path)]
        if len(names) != 1:
            raise WiringError(f"{target}: the build has {len(names) or 'no'} workflows from this file"
                              + (f" ({', '.join(names)}); name one" if names else ""))
        return _from_build(names[0], build, manifest)
    if path.is_file() or path.is_dir() or path.suffix == ".json":
        built = manifest is not None and path.resolve().parent == build.resolve()
        name = path.name.split(".")[0]
        if built and name in manifest["workflows"]:
            return _from_build(name, build, manifest)
        return Wiring(name, read_text(path, "DEFINITION"), source=str(path))
    if manifest is None:
        raise WiringError(f"{target}: no such file, and no {build / 'manifest.json'} to find a workflow of that "
                          f"name in; run `waveflow build` first")
    if target not in manifest["workflows"]:
        known = ", ".join(sorted(manifest["workflows"]))
        raise WiringError(f"{target}: no such file, and the build has no workflow of that name (it has: {known})")
    return _from_build(target, build, manifest)


def _from_build(name: str, build: Path, manifest: dict) -> Wiring:
    entry = manifest["workflows"][name]
    wiring = Wiring(name, read_text(build / entry["definition"], "DEFINITION"), source=str(build / entry["definition"]))
    pending = list(entry.get("children", []))
    functions = set(entry.get("functions", []))
    while pending:
        child = pending.pop()
        if child in wiring.machines or child == name:
            continue
        child_entry = manifest["workflows"][child]
        wiring.machines[child] = read_text(build / child_entry["definition"], f"child workflow {child}")
        pending += child_entry.get("children", [])
        functions |= set(child_entry.get("functions", []))
    for logical in sorted(functions):
        handler_path = manifest["functions"][logical]["handler"]
        wiring.handlers[logical] = _import(handler_path, f"{logical} (from {build / 'manifest.json'})")
    return wiring


def _manifest(build: Path) -> dict | None:
    path = build / "manifest.json"
    if not path.is_file():
        return None
    try:
        return json.loads(read_text(path, "build manifest"))
    except ValueError as exc:
        raise WiringError(f"{path}: not JSON ({exc}); rebuild with `waveflow build`") from None


def _relative(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _add_machines(wiring: Wiring, specs) -> None:
    for spec in specs:
        name, sep, file = spec.partition("=")
        if not (sep and name and file):
            raise WiringError(f"--state-machine {spec!r}: not NAME=FILE")
        wiring.machines[name] = read_text(Path(file), f"--state-machine {name}")


def load_handler(spec: str):
    """``NAME=module:function`` or ``NAME=module.function`` -> (NAME, callable), importing from the current
    directory as Lambda imports from the package root."""
    name, sep, target = spec.partition("=")
    if not (sep and name and target and ("." in target or ":" in target)):
        raise WiringError(f"--handler {spec!r}: not NAME=module:function (or NAME=module.function)")
    return name, _import(target, f"--handler {name}")


def _import(target: str, what: str):
    module_name, sep, attribute = target.partition(":")
    if not sep:
        module_name, _, attribute = target.rpartition(".")
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any import-time failure of the user's module is reported, not raised
        raise WiringError(f"{what}: cannot import {module_name!r}: {type(exc).__name__}: {exc}") from None
    handler = getattr(module, attribute, None)
    if handler is None:
        raise WiringError(f"{what}: module {module_name!r} has no attribute {attribute!r}")
    if not callable(handler):
        raise WiringError(f"{what}: {target!r} is not callable")
    return handler


def functions_called(definitions: list[dict]) -> set | None:
    """Every Lambda function the definitions name (plain function ARNs and lambda:invoke FunctionName), or
    None when one is chosen at run time (``FunctionName.$``, JSONata) and so cannot be known."""
    found: set = set()
    for _, spec in every_state(definitions):
        resource = spec.get("Resource")
        if spec.get("Type") != "Task" or not isinstance(resource, str):
            continue
        if is_lambda_function_resource(resource):
            found.add(function_name(resource))
        elif resource.startswith("arn:aws:states:::lambda:invoke"):
            arguments = spec.get("Parameters", spec.get("Arguments", {}))
            name = arguments.get("FunctionName") if isinstance(arguments, dict) else None
            if not isinstance(name, str) or "{%" in name:
                return None
            found.add(function_name(name))
    return found
