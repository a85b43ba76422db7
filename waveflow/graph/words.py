"""The phrases every view shares: durations, retry policies, error lists. One wording, in Mermaid and in HTML."""
from __future__ import annotations

from .model import Retrier


def duration(seconds: float | None) -> str:
    """``90`` -> ``1m30s``, ``86400`` -> ``24h``, ``0.5`` -> ``0.5s``: exact, in the largest units (days only from two
    days on, as people say "24 hours" and "7 days").

    >>> duration(5400)
    '1h30m'
    """
    if seconds is None:
        return "?"
    if seconds != int(seconds) or seconds < 60:
        return f"{seconds:g}s"
    seconds = int(seconds)
    parts = []
    units = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)) if seconds >= 2 * 86400 else (
        ("h", 3600), ("m", 60), ("s", 1))
    for unit, size in units:
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)


def errors(names: tuple[str, ...] | list[str], shown: int = 2) -> str:
    """``MgnThrottled, MgnUnavailable +7`` : the first few names and how many more."""
    names = list(names)
    if len(names) <= shown + 1:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" +{len(names) - shown}"


def retry(r: Retrier) -> str:
    """``retry 3× from 5s ×2 ≤2m jitter``: how often, how long it waits, how that grows."""
    if r.attempts == 0:
        return "no retry"
    text = f"retry {r.attempts}× from {duration(r.interval)}"
    if r.backoff != 1:
        text += f" ×{r.backoff:g}"
    if r.max_delay is not None:
        text += f" ≤{duration(r.max_delay)}"
    if r.jitter:
        text += " jitter"
    return text


def retry_line(r: Retrier) -> str:
    """A retrier with the errors it applies to: ``retry 3× from 5s ×2 ≤2m jitter on MgnThrottled, ... +7``."""
    return f"{retry(r)} on {errors(r.errors)}"
