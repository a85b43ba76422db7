"""What every compiled state shares: its name, its transition, its data flow and its history event names."""
from __future__ import annotations

from ..dataflow import make_flow


class State:
    """A state compiled once from its ASL definition; ``enter(run, data)`` executes it."""

    type_name = ""
    parameters_field = "Parameters"
    retries = False  # whether the state can have retriers, and so a RetryCount in the context object

    def __init__(self, name: str, spec: dict, loader):
        self.name = name
        self.spec = spec
        self.next_name = spec.get("Next")
        self.next = None
        self.entered_event = f"{self.type_name}StateEntered"
        self.exited_event = f"{self.type_name}StateExited"
        self.language = spec.get("QueryLanguage", loader.language)
        self.flow = make_flow(spec, self.type_name, loader.language, self.parameters_field)

    def link(self, states: dict) -> None:
        """Resolve ``Next`` to the state object, so a transition is one attribute read."""
        if self.next_name is not None:
            self.next = states[self.next_name]

    def enter(self, run, raw):
        raise NotImplementedError(f"{type(self).__name__} does not implement enter()")
