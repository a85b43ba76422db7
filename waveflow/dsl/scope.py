"""The one piece of authoring state: which ``with`` blocks (workflow, Parallel branch, Map processor) are open.

A state created inside ``with Workflow(...)`` belongs to that workflow; inside a Parallel branch or a Map's
``with`` block, to that branch or processor. A state created outside every block joins the block in which it is
first linked with ``>>``. The stack lives only while a workflow file is being executed; while the loader runs a
file it also notes the states created outside every block, so that one nothing ever reaches is reported rather
than silently dropped.
"""
from __future__ import annotations

_open: list = []
_loose: list | None = None


def current():
    """The innermost open scope, or ``None`` outside any ``with`` block."""
    return _open[-1] if _open else None


def place(state) -> None:
    """Give a new state to the innermost open block, or note it as created outside every block."""
    owner = current()
    if owner is not None:
        owner.add(state)
    elif _loose is not None:
        _loose.append(state)


def adopt(state) -> None:
    """A state created outside every block joins the block in which it is linked."""
    owner = current()
    if owner is not None and state.scope is None:
        owner.add(state)


def note_loose() -> list:
    """Start noting the states created outside every block; returns the list they are added to."""
    global _loose
    _loose = []
    return _loose


def stop_noting() -> None:
    global _loose
    _loose = None


def enter(scope) -> None:
    _open.append(scope)


def leave(scope) -> None:
    if not _open or _open[-1] is not scope:
        raise RuntimeError("workflow scopes closed out of order")
    _open.pop()


class Scope:
    """A graph of states with its own start: a workflow, a Parallel branch or a Map's item processor.

    ``default_retry`` and ``on_failure`` here apply to the tasks inside unless they override them.
    """

    def __init__(self, default_retry=None, on_failure=None):
        self.states: list = []
        self.default_retry = default_retry
        self.on_failure = on_failure

    def add(self, state) -> None:
        self.states.append(state)
        state.scope = self

    def __enter__(self):
        enter(self)
        return self

    def __exit__(self, *exc_info):
        leave(self)
        return False
