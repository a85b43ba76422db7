"""The discrete-event loop: a heap of timers on a clock, and the seeded randomness of a run.

Everything that happens later (a Wait ending, a retry interval, a timeout, a callback from outside) is a
``Timer`` on this heap. Ties break by insertion order, so the same seed and the same inputs give the same
interleaving of executions every time. A *background* timer (an execution's one-year deadline) fires only when
there is other work scheduled beyond it: running "until idle" stops when nothing but background timers is left,
so an execution waiting for a task token that nothing will send stays RUNNING rather than jumping a year ahead.
"""
from __future__ import annotations

import heapq
import random
from typing import Callable

from .uuids import uuid4_text


class Timer:
    """A scheduled callback; ``cancel()`` removes it without letting it move the clock."""

    __slots__ = ("when", "fn", "cancelled", "background")

    def __init__(self, when: float, fn: Callable[[], None], background: bool = False):
        self.when = when
        self.fn = fn
        self.cancelled = False
        self.background = background

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """Runs timers in (time, insertion) order, advancing ``clock`` between them."""

    def __init__(self, clock, seed: int = 0):
        self.clock = clock
        self.rng = random.Random(seed)
        self._heap: list = []
        self._seq = 0

    def at(self, when: float, fn: Callable[[], None], background: bool = False) -> Timer:
        """Run ``fn`` at virtual time ``when`` (at once, in order, if ``when`` is already past)."""
        timer = Timer(when, fn, background)
        self._seq += 1
        heapq.heappush(self._heap, (when, self._seq, timer))
        return timer

    def after(self, seconds: float, fn: Callable[[], None]) -> Timer:
        return self.at(self.clock.now() + max(0.0, seconds), fn)

    def soon(self, fn: Callable[[], None]) -> Timer:
        """Run ``fn`` after everything already due now: the way to yield without re-entering a caller."""
        return self.at(self.clock.now(), fn)

    def pending(self) -> int:
        return sum(1 for _, _, timer in self._heap if not timer.cancelled)

    def run(self, until: float | None = None) -> None:
        """Run timers until none is left, or until the next one is due after ``until``."""
        heap = self._heap
        pop = heapq.heappop
        clock = self.clock
        while heap:
            when, _, timer = heap[0]
            if timer.cancelled:
                pop(heap)[2].fn = None
                continue
            if until is not None and when > until:
                clock.advance_to(until)
                return
            if timer.background and until is None and not self._foreground_pending():
                return
            pop(heap)
            clock.advance_to(when)
            fn, timer.fn = timer.fn, None  # a callback usually holds its own timer: let go of it, no cycle is left
            fn()
        if until is not None:
            clock.advance_to(until)

    def _foreground_pending(self) -> bool:
        return any(not timer.cancelled and not timer.background for _, _, timer in self._heap)

    def uuid4(self) -> str:
        """A version-4 UUID drawn from the seeded generator (names, tokens, request ids)."""
        return uuid4_text(self.rng.getrandbits(128))
