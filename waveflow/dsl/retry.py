"""Retry policies, merged Airflow-style (workflow, then group, then task) and compiled to ASL ``Retry``.

Airflow's task arguments map onto ASL like this (see ``Retry.from_airflow``):

===============================  ===========================================================
Airflow                          ASL retrier field
===============================  ===========================================================
``retries=3``                    ``MaxAttempts: 3`` (3 retries after the first try, as in Airflow)
``retry_delay=timedelta(s=5)``   ``IntervalSeconds: 5``
``retry_exponential_backoff``    ``BackoffRate: 2.0`` and ``JitterStrategy: FULL`` (else 1.0, NONE)
``max_retry_delay``              ``MaxDelaySeconds``
(every exception is retried)     ``ErrorEquals: ["States.ALL"]`` unless ``errors=`` is given
===============================  ===========================================================

Airflow's jitter lies in ``[delay, 2*delay)`` while Step Functions' FULL jitter lies in ``[0, delay)``; the
mean wait is therefore shorter on AWS. That is the closest mapping ASL offers.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import Sequence

from .durations import as_seconds

ALL_ERRORS = "States.ALL"


@dataclass(frozen=True)
class Retry:
    """One retrier. Fields left as ``None`` are inherited from the enclosing group or workflow default.

    Example: ``Retry(attempts=5, delay=seconds(2), backoff=2.0, max_delay=minutes(1), jitter=True,
    errors=["MgnThrottled"])``.
    """

    attempts: int | None = None
    delay: int | float | timedelta | None = None
    backoff: float | None = None
    max_delay: int | float | timedelta | None = None
    jitter: bool | None = None
    errors: Sequence[str] | None = None

    @classmethod
    def from_airflow(cls, retries: int, retry_delay: timedelta | int = timedelta(seconds=300),
                     retry_exponential_backoff: bool = False,
                     max_retry_delay: timedelta | int | None = None,
                     errors: Sequence[str] | None = None) -> "Retry":
        """Translate Airflow's ``default_args`` retry settings; ``Retry.from_airflow(retries=3)``.

        Airflow retries whatever the task raised, so the retrier matches every error (``States.ALL``) unless
        ``errors=`` names some: it never inherits a narrower list from a workflow's ``default_retry``.
        """
        return cls(attempts=retries, delay=retry_delay, backoff=2.0 if retry_exponential_backoff else 1.0,
                   max_delay=max_retry_delay, jitter=bool(retry_exponential_backoff),
                   errors=errors if errors is not None else [ALL_ERRORS])

    def over(self, default: "Retry") -> "Retry":
        """This retrier with its unset fields taken from ``default``."""
        taken = {f.name: getattr(default, f.name) for f in fields(self) if getattr(self, f.name) is None}
        return replace(self, **taken)

    def to_asl(self) -> dict:
        """The ASL retrier, with Step Functions' own defaults for what nobody set."""
        out: dict = {"ErrorEquals": list(self.errors or [ALL_ERRORS])}
        out["IntervalSeconds"] = int(as_seconds(self.delay if self.delay is not None else 1))
        out["MaxAttempts"] = 3 if self.attempts is None else self.attempts
        out["BackoffRate"] = float(2.0 if self.backoff is None else self.backoff)
        if self.max_delay is not None:
            out["MaxDelaySeconds"] = int(as_seconds(self.max_delay))
        if self.jitter is not None:
            out["JitterStrategy"] = "FULL" if self.jitter else "NONE"
        return out

    def problems(self) -> list[str]:
        """What is wrong with the values, in words a user can act on."""
        found = []
        if self.attempts is not None and (not isinstance(self.attempts, int) or self.attempts < 0):
            found.append(f"retry attempts must be a whole number >= 0, got {self.attempts!r}")
        for label in ("delay", "max_delay"):
            value = as_seconds(getattr(self, label))
            if value is None:
                continue
            if not isinstance(value, (int, float)) or value != int(value) or value < 1:
                found.append(f"retry {label} must be a whole number of seconds >= 1, got {getattr(self, label)!r}")
            elif value > 31_622_400:
                found.append(f"retry {label} must be at most 31622400 seconds (a year), got {value}")
        if self.backoff is not None and (not isinstance(self.backoff, (int, float)) or self.backoff < 1.0):
            found.append(f"retry backoff must be >= 1.0, got {self.backoff!r}")
        names_ok = not isinstance(self.errors, str) and bool(self.errors) \
            and all(isinstance(e, str) and e for e in self.errors)
        if self.errors is not None and not names_ok:
            found.append(f"retry errors must be a non-empty list of error names, got {self.errors!r}")
        return found


NO_RETRY: tuple = ()
"""Pass ``retry=NO_RETRY`` to opt a task out of the workflow's default retry."""


def merge_retries(*levels) -> list[Retry]:
    """Resolve the retriers of one task from its levels, most general first (workflow, group, task).

    ``None`` at a level means "inherit". A single ``Retry`` over a single inherited ``Retry`` inherits the fields it
    leaves unset; a list (or ``NO_RETRY``) replaces what it inherits outright.
    """
    current: list[Retry] = []
    for level in levels:
        if level is None:
            continue
        if isinstance(level, Retry):
            current = [level.over(current[0])] if len(current) == 1 else [level]
        else:
            current = list(level)
    return current
