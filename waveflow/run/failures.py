"""Where a rolled-back migration failed, read from its execution's history.

The state that failed is the last top-level state entered before the rollback path began: the catcher that sent
the execution to the rollback sits on a top-level state (a Poll's check fails inside its Parallel, and the
Parallel is what caught it), and every state reached through a catcher is the rollback path. A state counts as
the rollback path when the definition reaches it only through catchers.

    >>> failed_state(execution.history, execution.machine.definition)  # doctest: +SKIP
    'WaitForTestLaunch'
"""
from __future__ import annotations


def rollback_path(definition: dict) -> set[str]:
    """The top-level states reached from StartAt only through a Catch (the rollback path and what follows it)."""
    states = definition.get("States", {})
    normal: set[str] = set()
    todo = [definition.get("StartAt")]
    while todo:
        name = todo.pop()
        if name in normal or name not in states:
            continue
        normal.add(name)
        state = states[name]
        todo += [state.get("Next"), state.get("Default")]
        todo += [choice.get("Next") for choice in state.get("Choices", ())]
    return set(states) - normal


def failed_state(history: list[dict], definition: dict) -> str | None:
    """The top-level state whose failure was caught into the rollback path; ``None`` if there was none."""
    top = set(definition.get("States", {}))
    rollback = rollback_path(definition)
    last = None
    for event in history:
        if not event["type"].endswith("StateEntered"):
            continue
        name = event["stateEnteredEventDetails"]["name"]
        if name in rollback:
            return last
        if name in top:
            last = name
    return None
