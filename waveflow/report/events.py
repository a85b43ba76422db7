"""An execution's history as the rows of the report's table: id, type, state, time, and the details on one line.

The states come from ``waveflow history``'s own reading (``waveflow.local.history.with_states``), so the page and
the terminal name the same state for every event. Details are cut at ``DETAIL_WIDTH`` characters: a payload is a
status record of several kilobytes, and a thousand of them would make the page heavy (the page says so).
"""
from __future__ import annotations

from typing import Iterable

from ..local.history import detail_line, with_states
from .model import Event
from .stages import epoch

DETAIL_WIDTH = 160


def history_rows(history: Iterable[dict], origin: float) -> tuple[Event, ...]:
    """GetExecutionHistory events -> table rows, times in seconds from ``origin``."""
    events = sorted(history, key=lambda e: e["id"])
    return tuple(Event(event["id"], event["type"], state, round(epoch(event["timestamp"]) - origin, 3),
                       detail_line(event, DETAIL_WIDTH))
                 for event, state in with_states(events))
