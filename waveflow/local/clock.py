"""Clocks for the scheduler: virtual time for simulation, real time for demos.

The scheduler never sleeps on its own: it asks the clock to advance to the next due event. A ``VirtualClock``
jumps there at once, so a 24-hour Wait costs nothing; a ``RealtimeClock`` actually waits.
"""
from __future__ import annotations

import math
import time
from datetime import datetime, timezone

DEFAULT_START = 1767225600.0  # 2026-01-01T00:00:00Z: a fixed epoch keeps runs byte-for-byte repeatable


class VirtualClock:
    """Time that moves only when the scheduler advances it.

    >>> clock = VirtualClock(); clock.advance_to(clock.now() + 60); clock.now() - DEFAULT_START
    60.0
    """

    def __init__(self, start: float = DEFAULT_START):
        self._now = float(start)

    def now(self) -> float:
        """Seconds since the Unix epoch, on the virtual timeline."""
        return self._now

    def advance_to(self, when: float) -> None:
        """Jump forward to ``when``; never backwards (events due in the past run at 'now')."""
        if when > self._now:
            self._now = when


class RealtimeClock:
    """Wall time, starting at the current moment, for demos that should be watched as they happen."""

    def __init__(self, start: float | None = None, sleep=time.sleep, monotonic=time.monotonic):
        self._origin = time.time() if start is None else float(start)
        self._mono0 = monotonic()
        self._sleep = sleep
        self._monotonic = monotonic

    def now(self) -> float:
        return self._origin + (self._monotonic() - self._mono0)

    def advance_to(self, when: float) -> None:
        delay = when - self.now()
        if delay > 0:
            self._sleep(delay)


def iso8601(seconds: float) -> str:
    """AWS's timestamp format in the context object and in payloads: ``2026-01-01T00:00:00.000Z``.

    The digits of ``datetime.fromtimestamp(seconds, tz=timezone.utc)``, microseconds rounded half to even as it
    rounds them, written from ``time.gmtime`` without building the datetime and parsing a strftime format (half
    the cost; EventBridge writes two per event, the context object two per ``$$``).

    >>> iso8601(1767225600.25)
    '2026-01-01T00:00:00.250Z'
    """
    whole, micros = second_and_micros(seconds)
    t = time.gmtime(whole)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                                                     micros // 1000)


def second_and_micros(seconds: float) -> tuple[int, int]:
    """The whole second and the microseconds ``datetime.fromtimestamp(seconds)`` makes of epoch seconds: the
    fraction times 10**6 rounded half to even, carried into the second when it rounds to a whole one."""
    fraction, whole = math.modf(seconds)
    micros = round(fraction * 1e6)
    if micros >= 1_000_000:
        whole, micros = whole + 1, micros - 1_000_000
    elif micros < 0:
        whole, micros = whole - 1, micros + 1_000_000
    return int(whole), micros


def to_datetime(seconds: float) -> datetime:
    """The ``datetime`` boto3 would return for a timestamp (history events, DescribeExecution)."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc)
