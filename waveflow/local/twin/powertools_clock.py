"""Powertools' idempotency on the twin's clock.

A stage's idempotency record carries two deadlines Powertools computes and checks with ``datetime.now()``: when
the record expires, and, while the stage runs, when its in-progress lock lapses (the Lambda's deadline: a stage
that failed and whose lock could not be cleared blocks its retries until then, with
``IdempotencyAlreadyInProgressError``). On the twin a retry comes minutes later on the virtual clock but
milliseconds later on the wall clock, so on the wall clock the lock would outlive every retry, and whether it did
would depend on how fast the machine is. The tasks read their time from ``tasks.lib.aws.now`` (their clock is
injected); Powertools reads the ``datetime`` module its idempotency modules imported as ``dt``, so the twin gives
those modules, and only them, a ``dt`` whose ``datetime.now()`` is the virtual clock, and gives the real module
back when it goes down.
"""
from __future__ import annotations

import datetime
import importlib
from typing import Callable

#: The Powertools modules that read ``dt.datetime.now()`` for the idempotency records' deadlines.
MODULES = (
    "aws_lambda_powertools.utilities.idempotency.base",
    "aws_lambda_powertools.utilities.idempotency.persistence.base",
    "aws_lambda_powertools.utilities.idempotency.persistence.datarecord",
    "aws_lambda_powertools.utilities.idempotency.persistence.dynamodb",
)


class _ClockedDatetimeModule:
    """Stands in for the ``datetime`` module: ``datetime.now()`` is read from ``clock``; the rest is the module's."""

    def __init__(self, clock: Callable[[], float]):
        class ClockedDatetime(datetime.datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.datetime.fromtimestamp(clock(), tz)

        self.datetime = ClockedDatetime

    def __getattr__(self, name: str):
        return getattr(datetime, name)


class PowertoolsClock:
    """``install(clock)`` puts Powertools' idempotency on ``clock`` (epoch seconds); ``uninstall()`` undoes it."""

    def __init__(self) -> None:
        self._saved: list[tuple[object, object]] = []

    def install(self, clock: Callable[[], float]) -> None:
        stand_in = _ClockedDatetimeModule(clock)
        for name in MODULES:
            module = importlib.import_module(name)
            if module.dt is not datetime:
                raise RuntimeError(f"{name}.dt is not the datetime module: Powertools changed how it reads the time")
            self._saved.append((module, module.dt))
            module.dt = stand_in

    def uninstall(self) -> None:
        for module, original in reversed(self._saved):
            module.dt = original
        self._saved.clear()
