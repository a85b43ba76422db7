"""Loading an ASL document into linked, compiled states (one executor class per state type)."""
from __future__ import annotations

import json
from typing import Any

from .limits import MAX_NESTING_DEPTH, NestingTooDeep, loads, measure
from .states import STATE_TYPES


class Graph:
    """The compiled states of one ``States``/``StartAt`` block (a machine, a branch, a map processor)."""

    def __init__(self, definition: dict, language: str):
        self.language = definition.get("QueryLanguage", language)
        loader = Loader(self.language)
        self.states = {name: STATE_TYPES[spec["Type"]](name, spec, loader)
                       for name, spec in definition["States"].items()}
        for state in self.states.values():
            state.link(self.states)
        self.start = self.states[definition["StartAt"]]


class Loader:
    """What a state needs while it compiles: the inherited query language and a way to compile sub-graphs."""

    def __init__(self, language: str):
        self.language = language

    def graph(self, definition: dict) -> Graph:
        return Graph(definition, self.language)


class StateMachine:
    """A registered state machine: its name, ARN and compiled graph."""

    def __init__(self, name: str, arn: str, definition: dict):
        self.name = name
        self.arn = arn
        self.definition = definition
        self.graph = Graph(definition, definition.get("QueryLanguage", "JSONPath"))
        self.timeout_seconds = definition.get("TimeoutSeconds")


def parse_definition(definition: dict | str, substitutions: dict[str, str] | None = None) -> Any:
    """The definition as a dict, with ``${Name}`` DefinitionSubstitutions applied to its text as AWS does.

    Raises ValueError for text that is not JSON, NestingTooDeep for a document nested deeper than any walk of it
    may go (a Parallel inside a Parallel two thousand times, say), whether it comes as text or as a dict.
    """
    if not isinstance(definition, str):
        if measure(definition)[1] > MAX_NESTING_DEPTH:
            raise NestingTooDeep()
        definition = json.dumps(definition)
    for key, value in (substitutions or {}).items():
        definition = definition.replace("${" + key + "}", json.dumps(value)[1:-1])
    return loads(definition)
