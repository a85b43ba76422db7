"""What a drawing needs to know about a state machine, read from its ASL and nothing else.

Every renderer (Mermaid, SVG/HTML) draws this model, so what a picture shows is decided once, here and in
``reader.py``; the renderers only choose shapes. Nothing in it comes from the DSL, so ASL that waveflow did not
write draws the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

#: Edge kinds: ``next`` (Next), ``choice`` (a Choice rule), ``default`` (a Choice's Default), ``catch`` (a catcher).
NEXT, CHOICE, DEFAULT, CATCH = "next", "choice", "default", "catch"


@dataclass(frozen=True)
class Retrier:
    """One ASL retrier, with AWS's defaults filled in (IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0)."""

    errors: tuple[str, ...]
    attempts: int = 3
    interval: float = 1
    backoff: float = 2.0
    max_delay: float | None = None
    jitter: bool = False


@dataclass(frozen=True)
class Edge:
    """A transition inside one scope; ``label`` is the Choice condition or the caught errors (``errors``)."""

    source: str
    target: str
    kind: str
    label: str = ""
    errors: tuple[str, ...] = ()


@dataclass
class Node:
    """One state. ``kind`` is its ASL Type, or ``Poll`` for waveflow's polling loop (a Parallel underneath).

    ``detail`` says in one line what the state does (``Lambda: Invoke ValidateInput``, ``Wait 30s``);
    ``scopes`` are a Parallel's branches, a Map's item processor or a Poll's loop; ``rollback`` marks the
    states reached only by catching an error; ``folded`` names the states a collapsed box stands for.
    """

    name: str
    kind: str
    detail: str = ""
    comment: str | None = None
    retries: list[Retrier] = field(default_factory=list)
    scopes: list["Scope"] = field(default_factory=list)
    terminal: bool = False
    rollback: bool = False
    schedule: str | None = None
    until: str | None = None
    folded: list[str] = field(default_factory=list)


@dataclass
class Scope:
    """The states of the workflow, of one Parallel branch or of a Map's processor, in document order."""

    start: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def out_edges(self, name: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.source == name]

    def catches(self, name: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.source == name and edge.kind == CATCH]


@dataclass
class Graph:
    """A whole state machine: its name (from the build or the file), top-level Comment and states."""

    name: str
    root: Scope
    comment: str | None = None

    def walk(self) -> Iterator[tuple[Node, Scope]]:
        """Every state with the scope holding it, depth first in document order."""
        stack = [self.root]
        while stack:
            scope = stack.pop()
            nested = []
            for node in scope.nodes.values():
                yield node, scope
                nested.extend(node.scopes)
            stack.extend(reversed(nested))

    def state_names(self) -> list[str]:
        return [node.name for node, _ in self.walk()]
