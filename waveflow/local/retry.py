"""Retry and Catch: which retrier or catcher handles an error, and how long to back off.

ASL rules kept here: the first retrier whose ErrorEquals matches decides (once its MaxAttempts are spent the
error goes to Catch, no other retrier is tried); each retrier counts its own attempts; the delay is
``IntervalSeconds * BackoffRate ** n``, capped by MaxDelaySeconds (else by the one-year execution limit), and
with JitterStrategy FULL drawn uniformly from ``[0, delay]`` with the run's seeded generator.
"""
from __future__ import annotations

from .errors import StatesError, error_matches
from .jsonata import compile_jsonata_template
from .limits import MAX_EXECUTION_SECONDS
from .paths import ABSENT, compile_result_path, compile_template


class Retrier:
    __slots__ = ("error_equals", "interval", "max_attempts", "backoff", "max_delay", "full_jitter")

    def __init__(self, spec: dict):
        self.error_equals = tuple(spec["ErrorEquals"])
        self.interval = spec.get("IntervalSeconds", 1)
        self.max_attempts = spec.get("MaxAttempts", 3)
        self.backoff = spec.get("BackoffRate", 2.0)
        self.max_delay = spec.get("MaxDelaySeconds")
        self.full_jitter = spec.get("JitterStrategy", "NONE") == "FULL"

    def delay(self, retries_done: int, rng) -> float:
        """Seconds to wait before retry number ``retries_done + 1``.

        MaxAttempts may reach 99,999,999, so ``BackoffRate ** n`` overflows a float after about a thousand
        retries: the growth is capped (by MaxDelaySeconds, else by the longest an execution can run) instead.
        """
        cap = self.max_delay if self.max_delay is not None else MAX_EXECUTION_SECONDS
        try:
            delay = min(self.interval * float(self.backoff) ** retries_done, cap)
        except OverflowError:
            delay = cap
        return rng.uniform(0, delay) if self.full_jitter else delay


class Catcher:
    __slots__ = ("error_equals", "next_name", "next", "result_path", "assign", "output")

    def __init__(self, spec: dict, language: str):
        self.error_equals = tuple(spec["ErrorEquals"])
        self.next_name = spec["Next"]
        self.next = None
        if language == "JSONata":
            self.result_path = None
            self.output = compile_jsonata_template(spec["Output"], "Output") if "Output" in spec else None
            self.assign = compile_jsonata_template(spec["Assign"], "Assign") if "Assign" in spec else None
        else:
            self.result_path = compile_result_path(spec.get("ResultPath", ABSENT))
            self.output = None
            self.assign = compile_template(spec["Assign"], "Assign") if "Assign" in spec else None


class ErrorPolicy:
    """The Retry and Catch fields of one state."""

    def __init__(self, spec: dict, language: str):
        self.retriers = [Retrier(r) for r in spec.get("Retry", ())]
        self.catchers = [Catcher(c, language) for c in spec.get("Catch", ())]

    def link(self, states: dict) -> None:
        for catcher in self.catchers:
            catcher.next = states[catcher.next_name]

    def retry_delay(self, error: str, counters: list[int], rng) -> float | None:
        """Delay before the next attempt, counting it in ``counters``; None when the error is not retried."""
        for index, retrier in enumerate(self.retriers):
            if error_matches(retrier.error_equals, error):
                done = counters[index]
                if done >= retrier.max_attempts:
                    return None
                counters[index] = done + 1
                return retrier.delay(done, rng)
        return None

    def catcher_for(self, error: str) -> Catcher | None:
        for catcher in self.catchers:
            if error_matches(catcher.error_equals, error):
                return catcher
        return None


def error_output(error: StatesError) -> dict:
    """The document a Catch passes on: ``{"Error": ..., "Cause": ...}``.

    An error without a cause (a task's States.Timeout, SendTaskFailure without one) still has a ``Cause``: AWS
    binds the empty string, so ``$.error.Cause`` resolves in the state the Catch leads to.
    """
    return {"Error": error.error, "Cause": "" if error.cause is None else error.cause}
