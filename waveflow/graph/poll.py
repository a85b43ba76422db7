"""Recognise a polling loop in ASL and read its schedule, so it can be drawn as one box.

waveflow compiles ``Poll`` to a one-branch Parallel holding start -> check -> decide -> wait -> check
(``waveflow/compile/kinds/poll.py``; a ``wait_first`` Poll starts with the wait). Nothing marks it as a Poll in the
ASL, so it is recognised by shape: a one-branch Parallel whose branch has exactly one Task, a Wait, a Succeed and
a Fail, with the Task and the Wait on one loop. The schedule is read from the values the loop uses: the first
interval (what the branch's start assigns to an ``...Interval`` variable, a Pass ``Result.interval``, the first of
the backoff steps, or the Wait's ``Seconds``), the backoff steps (``States.Array(...)`` in Parameters or an Assign,
a Choice rule's included), the longest wait (the largest number assigned to ``...Interval``), a wait the check
gives (an ``...Interval`` assigned from a path of the document), the limits (Choice rules on
``*.elapsed``/``$...Elapsed`` and ``*.attempt``/``$...Attempt``) and the Fail's error. A hand-written loop of the
same shape is a poll too, and draws as one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .conditions import describe
from .words import duration

_STEPS = re.compile(r"States\.Array\(\s*([0-9.,\s]+)\)")


@dataclass
class PollShape:
    """What is known of one polling loop: its check Task, its schedule and what it waits for."""

    check: str
    schedule: str
    until: str | None


def recognise(spec: dict) -> PollShape | None:
    """The loop of a Parallel state, or None when the Parallel is not a polling loop."""
    branches = spec.get("Branches")
    if not (isinstance(branches, list) and len(branches) == 1 and isinstance(branches[0], dict)):
        return None
    states = branches[0].get("States")
    if not isinstance(states, dict) or not all(isinstance(s, dict) for s in states.values()):
        return None
    by_type: dict[str, list[str]] = {}
    for name, state in states.items():
        by_type.setdefault(state.get("Type"), []).append(name)
    tasks, waits = by_type.get("Task", []), by_type.get("Wait", [])
    if len(tasks) != 1 or not waits or "Succeed" not in by_type or "Fail" not in by_type:
        return None
    check = tasks[0]
    if not any(_reaches(states, check, w) and _reaches(states, w, check) for w in waits):
        return None
    start = branches[0].get("StartAt")
    return PollShape(check, _schedule(states, start if isinstance(start, str) else None, waits, by_type["Fail"]),
                     _until(states, by_type["Succeed"]))


def _targets(state: dict) -> list[str]:
    out = [state.get("Next"), state.get("Default")]
    out += [rule.get("Next") for rule in state.get("Choices") or [] if isinstance(rule, dict)]
    return [t for t in out if isinstance(t, str)]


def _reaches(states: dict, start: str, goal: str) -> bool:
    seen, todo = set(), [t for t in _targets(states[start]) if t in states]
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(t for t in _targets(states[name]) if t in states)
    return False


def _rules(states: dict):
    """Every rule and nested rule of the loop's Choice states."""
    for state in states.values():
        for rule in state.get("Choices") or []:
            stack = [rule]
            while stack:
                item = stack.pop()
                if not isinstance(item, dict):
                    continue
                yield item
                stack.extend(item.get("And") or [])
                stack.extend(item.get("Or") or [])


def _assigns(state: dict) -> list[dict]:
    """A state's Assign and those of its Choice rules."""
    found = [state.get("Assign") or {}]
    found += [rule.get("Assign") or {} for rule in state.get("Choices") or [] if isinstance(rule, dict)]
    return [assign for assign in found if isinstance(assign, dict)]


def _schedule(states: dict, start: str | None, waits: list[str], fails: list[str]) -> str:
    first, steps, longest, given = None, [], None, None
    for name, state in states.items():
        result = state.get("Result")
        if state.get("Type") == "Pass" and isinstance(result, dict) and isinstance(result.get("interval"), int):
            first = result["interval"]
        for key, value in (state.get("Assign") or {}).items() if name == start else ():
            if key.endswith("Interval") and isinstance(value, int):
                first = value
        for assign in _assigns(state):
            for key, value in assign.items():
                if key.endswith("Interval") and isinstance(value, int):
                    longest = max(longest or value, value)
                if key.endswith("Interval.$") and isinstance(value, str) and value.startswith("$."):
                    given = value
            for value in [*(state.get("Parameters") or {}).values(), *assign.values()]:
                found = _STEPS.search(value) if isinstance(value, str) else None
                if found:
                    steps = [float(x) for x in found.group(1).split(",") if x.strip()]
    seconds = states[waits[0]].get("Seconds")
    first = first if first is not None else steps[0] if steps else longest
    if first is None and isinstance(seconds, (int, float)):
        first = seconds
    timeout = polls = None
    for rule in _rules(states):
        variable, limit = str(rule.get("Variable", "")), rule.get("NumericGreaterThanEquals")
        if isinstance(limit, (int, float)) and variable.lower().endswith("elapsed"):
            timeout = limit
        elif isinstance(limit, (int, float)) and variable.lower().endswith("attempt"):
            polls = int(limit) + 1
    parts = [f"every {duration(first)}" if first is not None else "waits between checks"]
    if len(steps) > 1 and steps[0]:
        ratio = steps[0] / first if first and steps[0] != first else steps[1] / steps[0]
        parts[0] += f" ×{round(ratio, 2):g} up to {duration(max(steps[-1], longest or 0))}"
    if given:
        parts[0] += f" or as {given} says"
    if start is not None and start in states and _first_wait(states, start, waits):
        parts.insert(0, "waits first")
    if timeout is not None:
        parts.append(f"at most {duration(timeout)}")
    if polls is not None:
        parts.append(f"{polls} checks")
    fail = states[fails[0]]
    error = fail.get("Error") or fail.get("ErrorPath")
    if error:
        parts.append(f"then {error}")
    return ", ".join(parts)


def _first_wait(states: dict, start: str, waits: list[str]) -> bool:
    """Whether the loop's start leads to a wait before any check."""
    return any(target in waits for target in _targets(states[start]))


def _until(states: dict, succeeds: list[str]) -> str | None:
    for state in states.values():
        for rule in state.get("Choices") or []:
            if isinstance(rule, dict) and rule.get("Next") in succeeds:
                return describe(rule)
    return None
