"""The base of every state: a name, a comment, and the ``>>`` link to what runs next."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from . import scope as scopes


class _Discard:
    """``result_path=DISCARD`` keeps the input and throws the result away (ASL ``"ResultPath": null``)."""

    def __repr__(self) -> str:
        return "DISCARD"


DISCARD = _Discard()


@dataclass(eq=False, kw_only=True)
class State:
    """A node of a workflow graph. Subclasses declare their fields; the compiler reads the same declaration.

    ``a >> b`` makes ``b`` run after ``a`` and returns ``b``, so chains read left to right;
    ``[a, b] >> c`` joins two paths into ``c``.
    """

    name: str = field(kw_only=False)
    comment: str | None = None
    query_language: str | None = None

    #: whether the state may have a successor (Succeed, Fail and Choice may not be linked with >>), and why not
    links_onward = True
    no_link_reason = "ends its path"
    #: the field that gives the state its input in a JSONata state (ASL Arguments), if the kind has one
    jsonata_input = None

    def __post_init__(self) -> None:
        self.next: State | str | None = None
        self.scope = None
        scopes.place(self)

    def __rshift__(self, other):
        if isinstance(other, (list, tuple)):
            raise TypeError(f"{self.describe()} cannot run {len(other)} states at once after it; "
                            "use Parallel(...) to fan out")
        self.set_next(other)
        return other

    def __rrshift__(self, others):
        if not isinstance(others, (list, tuple)):
            return NotImplemented
        for state in others:
            state.set_next(self)
        return self

    def set_next(self, other: "State | str") -> None:
        """Airflow's ``set_downstream``: the single place a link is made."""
        if not isinstance(other, (State, str)):
            raise TypeError(f"{self.describe()} can only be followed by a state or a state name, got {other!r}")
        if not self.links_onward:
            raise TypeError(f"{self.describe()} {self.no_link_reason}; it cannot be followed by {_label(other)}")
        if self.next is not None and self.next is not other:
            raise ValueError(f"{self.describe()} already runs {_label(self.next)} next; "
                             f"it cannot also run {_label(other)} (use Choice or Parallel)")
        self.next = other
        for state in (self, other):
            if isinstance(state, State):
                scopes.adopt(state)

    def describe(self) -> str:
        return f"{type(self).__name__} {self.name!r}"

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def _label(state: "State | str") -> str:
    return repr(state) if isinstance(state, str) else repr(state.name)
