"""Parallel: run every branch on the same input; the result is the list of branch outputs, in order.

A failing branch fails the state with that branch's error (then Retry/Catch apply) and cancels its siblings.
"""
from __future__ import annotations

from ..execution import SUSPEND
from .retrying import RetryingState


class Join:
    """Collects child runs' outputs by index; the first failure settles the attempt and cancels the rest."""

    __slots__ = ("attempt", "results", "remaining", "children", "finished")

    def __init__(self, attempt, count: int):
        self.attempt = attempt
        self.results = [None] * count
        self.remaining = count
        self.children: list = []
        self.finished = False

    def callback(self, index: int):
        def done(output, error):
            if self.finished:
                return
            if error is not None:
                self.finished = True
                for child in self.children:
                    child.cancel()
                self.attempt.complete(error=error)
                return
            self.results[index] = output
            self.remaining -= 1
            if self.remaining == 0:
                self.finished = True
                self.attempt.complete(result=self.results)
        return done


class ParallelState(RetryingState):
    type_name = "Parallel"

    def __init__(self, name, spec, loader):
        super().__init__(name, spec, loader)
        self.branches = [loader.graph(branch) for branch in spec["Branches"]]

    def execute(self, run, attempt):
        raw = attempt.raw
        data = self.flow.view(run, raw)
        branch_input = self.flow.arguments(run, raw, data)
        run.record("ParallelStateStarted")
        join = Join(attempt, len(self.branches))
        for index, graph in enumerate(self.branches):
            child = run.spawn(graph)
            join.children.append(child)
            child.start(branch_input, join.callback(index))
            if join.finished:
                break
        return SUSPEND

    def settle(self, run, attempt, result, error):
        run.record("ParallelStateFailed" if error is not None else "ParallelStateSucceeded")
        return super().settle(run, attempt, result, error)
