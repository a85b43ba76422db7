"""The emulator's agenda: state changes due at virtual times, run lazily when a request (or the twin) looks.

MGN moves on its own (replication finishes, launch jobs complete). The emulator keeps no threads: each change
is scheduled here with its due time and run, in time order, the next time anyone asks the emulator anything at
or after that time. Rescheduling a key supersedes its earlier entry, so a paused replication never "finishes".
"""
from __future__ import annotations

import heapq
import itertools
from typing import Callable, Hashable

Action = Callable[[float], None]


class Timeline:
    """A time-ordered agenda of actions, at most one live entry per key."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Hashable, Action]] = []
        self._live: dict[Hashable, int] = {}
        self._order = itertools.count()

    def schedule(self, key: Hashable, at: float, action: Action) -> None:
        """Run ``action(at)`` once the clock reaches ``at``, replacing whatever ``key`` had scheduled."""
        seq = next(self._order)
        self._live[key] = seq
        heapq.heappush(self._heap, (at, seq, key, action))

    def cancel(self, key: Hashable) -> None:
        """Drop what ``key`` had scheduled, if anything."""
        self._live.pop(key, None)

    def next_due(self) -> float | None:
        """When the earliest live entry is due, or None when nothing is scheduled."""
        while self._heap and self._live.get(self._heap[0][2]) != self._heap[0][1]:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def run_until(self, now: float) -> int:
        """Run every entry due at or before ``now``, earliest first (ties in scheduling order); return the count."""
        ran = 0
        while (due := self.next_due()) is not None and due <= now:
            _, seq, key, action = heapq.heappop(self._heap)
            del self._live[key]
            action(due)
            ran += 1
        return ran
