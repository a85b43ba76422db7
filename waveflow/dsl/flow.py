"""States that shape the flow without calling anything: Pass, Wait, Choice, Succeed, Fail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import scope as scopes
from .base import State, _Discard
from .common import Flowing
from .conditions import Condition, not_a_condition


@dataclass(eq=False, kw_only=True)
class Pass(Flowing):
    """Pass its input on, optionally reshaped (``parameters``) or replaced by a fixed ``result``."""

    parameters: dict | None = None
    result: object = None
    result_path: str | _Discard | None = None


@dataclass(eq=False, kw_only=True)
class Wait(Flowing):
    """Pause for ``seconds``, until ``timestamp``, or for a duration or time read from the input."""

    seconds: int | None = None
    seconds_path: str | None = None
    timestamp: datetime | str | None = None
    timestamp_path: str | None = None


@dataclass(eq=False, kw_only=True)
class Choice(Flowing):
    """Branch on conditions: ``Choice("Route").when(Var("$.ok") == True, next_state).otherwise(other)``."""

    links_onward = False
    no_link_reason = "branches with .when(condition, state) and .otherwise(state), not >>"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.choices: list[tuple[Condition, State | str]] = []
        self.default: State | str | None = None

    def when(self, condition: Condition, then: State | str) -> "Choice":
        if problem := not_a_condition(condition):
            raise TypeError(f"Choice {self.name!r}: when() needs a condition: {problem}")
        self.choices.append((condition, _target(self, then)))
        return self

    def otherwise(self, then: State | str) -> "Choice":
        _target(self, then)
        if self.default is not None:
            raise ValueError(f"Choice {self.name!r} already has an otherwise() branch")
        self.default = then
        return self


def _target(choice: Choice, then: object) -> State | str:
    """Check a branch target; linking, like ``>>``, brings states created outside every block into this one."""
    if not isinstance(then, (State, str)):
        raise TypeError(f"Choice {choice.name!r} can only branch to a state or a state name, got {then!r}")
    for state in (choice, then):
        if isinstance(state, State):
            scopes.adopt(state)
    return then


@dataclass(eq=False, kw_only=True)
class Succeed(Flowing):
    """End this path successfully."""

    links_onward = False


@dataclass(eq=False, kw_only=True)
class Fail(State):
    """End this path with an error; ``error_path``/``cause_path`` read them from the input at run time."""

    error: str | None = None
    cause: str | None = None
    error_path: str | None = None
    cause_path: str | None = None

    links_onward = False
