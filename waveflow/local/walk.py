"""Every state of a definition, at every level (Parallel branches, Map processors): for the checks made before a
run (which functions a definition calls, which states a mock file or ``--respond`` may name)."""
from __future__ import annotations

from typing import Iterator


def every_state(definitions: list[dict]) -> Iterator[tuple[str, dict]]:
    """``(name, spec)`` of every state of ``definitions``, nested ones included; malformed parts are skipped
    (validation reports them)."""
    stack = [graph for graph in definitions if isinstance(graph, dict)]
    while stack:
        states = stack.pop().get("States")
        for name, spec in (states.items() if isinstance(states, dict) else ()):
            if not isinstance(spec, dict):
                continue
            yield name, spec
            stack.extend(branch for branch in spec.get("Branches", ()) if isinstance(branch, dict))
            stack.extend(spec[key] for key in ("ItemProcessor", "Iterator") if isinstance(spec.get(key), dict))
