"""Durations in whole seconds, because every ASL time field (IntervalSeconds, TimeoutSeconds, Seconds) is one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Duration(int):
    """A number of whole seconds; ``minutes(2) == 120``. Being an ``int`` keeps it usable in plain arithmetic."""

    def __repr__(self) -> str:
        return f"seconds({int(self)})"

    #: ``str()`` and f-strings give the plain number, as for any int; ``repr()`` says how it was written.
    __str__ = int.__repr__


def seconds(n: int) -> Duration:
    """``seconds(30)`` -> 30 seconds."""
    return Duration(n)


def minutes(n: float) -> Duration:
    """``minutes(1.5)`` -> 90 seconds (rounded to a whole second)."""
    return Duration(round(n * 60))


def hours(n: float) -> Duration:
    """``hours(24)`` -> 86,400 seconds."""
    return Duration(round(n * 3600))


def days(n: float) -> Duration:
    """``days(1)`` -> 86,400 seconds."""
    return Duration(round(n * 86400))


_UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def readable(value: int | float) -> str:
    """A duration as a person writes it, for messages: ``readable(5400)`` -> ``'1 h 30 min'``."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != int(value) or value <= 0:
        return f"{value!r} s"
    rest, parts = int(value), []
    for unit, size in _UNITS:
        if rest >= size:
            parts.append(f"{rest // size} {unit}")
            rest %= size
    return " ".join(parts)


def as_seconds(value: int | float | timedelta | None) -> int | float | None:
    """Normalise what a user may pass for a duration; validation of the value happens in the compiler."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def utc_timestamp(moment: datetime) -> str:
    """An ASL timestamp (RFC 3339, UTC, ``Z``); a naive datetime is taken to be UTC already."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
