"""Every AWS call a task handler makes in these tests, checked against that function's role.

The recorder listens on botocore's ``before-parameter-build`` event of the tests' session, so it sees each
call the handlers' own clients make (moto, the MGN emulator and injected faults alike), with its API
parameters. It finds which function is running by walking the stack for the frame of a handler the stack
deploys — the function object is matched by its code and closure, so decorated handlers are told apart —
and asks :func:`waveflow.stack.access.allows`. Calls made by the tests themselves (setup, assertions) run in
no handler's frame and are not checked.
"""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from waveflow.compile import compile_project
from waveflow.stack.access import allows, iam_action
from waveflow.stack.entrypoints import ENTRYPOINTS
from waveflow.stack.functions import FUNCTIONS

REPO = Path(__file__).resolve().parents[2]
#: Modules that stand in for AWS services: what they call, they call as the service.
EMULATED = "waveflow.local"


def deployed_handlers() -> dict[str, object]:
    """Function name -> handler object, for every function the stack deploys."""
    paths = {name: entry.handler for name, entry in ENTRYPOINTS.items()}
    for workflow in compile_project(REPO):
        paths.update(workflow.functions)
    handlers = {}
    for name, path in paths.items():
        module, _, attribute = path.rpartition(".")
        handlers[name] = getattr(importlib.import_module(module), attribute)
    return handlers


class RoleOracle:
    """Records the calls of the running test that the functions' roles do not allow."""

    def __init__(self, handlers: dict[str, object], functions=FUNCTIONS):
        self.functions = functions
        self.by_code: dict[object, list[tuple[str, object]]] = {}
        for name, handler in handlers.items():
            self.by_code.setdefault(handler.__code__, []).append((name, handler))
        self.refused: list[str] = []
        #: Every checked call as (function, action), for tests of the oracle itself.
        self.calls: list[tuple[str, str]] = []

    def install(self, session) -> None:
        session.events.register("before-parameter-build", self.on_call)

    def on_call(self, params, model, **_) -> None:
        function = self.running()
        if function is None:
            return
        action = iam_action(model.service_model, model.name)
        self.calls.append((function, action))
        why = allows(function, action, params, os.environ, self.functions)
        if why:
            self.refused.append(why)

    def running(self) -> str | None:
        """The outermost deployed handler on the stack, if any; None for calls the emulated AWS side makes
        (the MGN emulator launching its EC2 instances runs inside the handler's call to MGN)."""
        found, emulated = None, False
        frame = sys._getframe(2)
        while frame is not None:
            if found is None and frame.f_globals.get("__name__", "").startswith(EMULATED):
                emulated = True
            for name, handler in self.by_code.get(frame.f_code, ()):
                if _same_closure(frame, handler):
                    found = name
            frame = frame.f_back
        return None if emulated else found


def _same_closure(frame, handler) -> bool:
    cells = handler.__closure__ or ()
    if not cells:
        return True
    local = frame.f_locals
    return all(local.get(var) is cell.cell_contents for var, cell in zip(handler.__code__.co_freevars, cells))
