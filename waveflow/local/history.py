"""Execution history in the shapes of Step Functions' ``GetExecutionHistory``, recorded cheaply.

Recording appends a small tuple; payloads are kept as references (they are never mutated, see
``jsonpath.set_path``) and serialised to JSON strings only when someone reads the history. When the
execution reaches its event limit, the history asks the execution to fail, as AWS does at 25,000 events.

Two shapes of tuple: ``(type, timestamp, previous, details)`` with a details dict (or None), and, for the state
entered/exited events that make up most of a history, ``(type, timestamp, previous, name, payload)``. The flat
one holds no dict of its own, so a long run keeps half the objects alive: less memory, shorter garbage-collector
passes (a tuple of a name and a payload of plain values is not even tracked), a smaller journal blob.
"""
from __future__ import annotations

from typing import Any

from .clock import to_datetime
from .limits import dumps

_JSON_FIELDS = ("input", "output", "parameters")


class History:
    """The ordered events of one execution."""

    __slots__ = ("events", "limit", "_on_limit", "_closed")

    def __init__(self, limit: int | None, on_limit):
        self.events: list = []
        self.limit = limit
        self._on_limit = on_limit
        self._closed = False

    def add(self, event_type: str, timestamp: float, previous: int, details: dict | None = None) -> int:
        """Append an event and return its id (1-based), or 0 once the history is closed."""
        return self._append((event_type, timestamp, previous, details))

    def add_state(self, event_type: str, timestamp: float, previous: int, name: str, payload) -> int:
        """Append a ``*StateEntered`` (``payload`` its input) or ``*StateExited`` (its output) event."""
        return self._append((event_type, timestamp, previous, name, payload))

    def _append(self, event: tuple) -> int:
        if self._closed:
            return 0
        events = self.events
        events.append(event)
        event_id = len(events)
        if self.limit is not None and event_id >= self.limit:
            self._closed = True
            self._on_limit()
        return event_id

    def add_final(self, event_type: str, timestamp: float, previous: int, details: dict | None = None) -> int:
        """Append the closing event, which is recorded even past the limit."""
        self.events.append((event_type, timestamp, previous, details))
        self._closed = True
        return len(self.events)

    def __len__(self):
        return len(self.events)

    def materialize(self) -> list[dict]:
        """The events as GetExecutionHistory returns them (``timestamp`` a datetime, payloads JSON strings)."""
        return [_event_dict(i + 1, event) for i, event in enumerate(self.events)]


def details_key(event_type: str) -> str:
    """The details key of an event type: ``TaskStateEntered`` -> ``stateEnteredEventDetails``,
    ``LambdaFunctionFailed`` -> ``lambdaFunctionFailedEventDetails``."""
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def _event_dict(event_id: int, event) -> dict:
    event_type, timestamp, previous, *rest = event
    if len(rest) == 2:  # a state event, recorded flat
        name, payload = rest
        details = {"name": name, ("input" if event_type.endswith("Entered") else "output"): payload}
    else:
        details = rest[0]
    out: dict[str, Any] = {"timestamp": to_datetime(timestamp), "type": event_type, "id": event_id,
                           "previousEventId": previous}
    if details is not None:
        rendered = {}
        for key, value in details.items():
            if key in _JSON_FIELDS:
                rendered[key] = dumps(value)
                if key != "parameters":
                    rendered[key + "Details"] = {"truncated": False}
            else:
                rendered[key] = value
        out[details_key(event_type)] = rendered
    return out


def to_jsonable(events: list[dict]) -> list[dict]:
    """History events with timestamps as ISO strings, for JSON output and the journal."""
    return [{**event, "timestamp": event["timestamp"].isoformat().replace("+00:00", "Z")} for event in events]
