"""MGN's time formats: ISO 8601 date-times (UTC, ``Z``) and ISO 8601 durations.

MGN returns times as strings, not epoch numbers (``ISO8601DatetimeString`` in the botocore model, pattern
``...SS(.f+)?Z``), so every time the emulator hands out goes through here: a DescribeSourceServers answer writes
six of them, most of them the same seconds as the last answer (when the server was added, its milestones).
"""
from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from ..clock import second_and_micros


def iso_datetime(epoch: float) -> str:
    """Format epoch seconds as MGN does. ``iso_datetime(0) == "1970-01-01T00:00:00.000000Z"``

    The text ``datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")`` writes, with
    the microseconds rounded as ``fromtimestamp`` rounds them (the fraction times 10**6, half to even) and the
    whole second's text remembered.
    """
    whole, micros = second_and_micros(epoch)
    return f"{_utc_second(whole)}.{micros:06d}Z"


@lru_cache(maxsize=4096)
def _utc_second(whole: int) -> str:
    return datetime.fromtimestamp(whole, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def parse_datetime(text: str) -> float:
    """Epoch seconds of an ISO 8601 date-time string; a missing zone means UTC (MGN's filters take UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def iso_duration(seconds: float) -> str:
    """Format a non-negative duration like MGN's ``lagDuration``. ``iso_duration(3723.5) == "PT1H2M3.5S"``"""
    millis = round(max(seconds, 0.0) * 1000)
    days, millis = divmod(millis, 86_400_000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs = f"{millis / 1000:.3f}".rstrip("0").rstrip(".")
    date_part = f"P{days}D" if days else "P"
    time_part = "".join(f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M")) if value)
    if secs != "0" or not (days or time_part):
        time_part += f"{secs}S"
    return date_part + ("T" + time_part if time_part else "")
