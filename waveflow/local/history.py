"""Execution history in the shapes of Step Functions' ``GetExecutionHistory``, recorded cheaply.

Recording appends a small tuple; payloads are kept as references (they are never mutated, see
``jsonpath.set_path``) and serialised to JSON strings only when someone reads the history. When the
execution reaches its event limit, the history asks the execution to fail, as AWS does at 25,000 events.
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
        if self._closed:
            return 0
        events = self.events
        events.append((event_type, timestamp, previous, details))
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
    event_type, timestamp, previous, details = event
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


def with_states(events):
    """Each GetExecutionHistory event with the state it belongs to: entered/exited events name it; the others
    follow their previous event's state (``waveflow history`` and the run report's history tables)."""
    state_of: dict[int, str | None] = {}
    for event in events:
        details = event_details(event)
        state = details.get("name") if event["type"].endswith(("StateEntered", "StateExited")) else None
        if state is None:
            state = state_of.get(event["previousEventId"])
        state_of[event["id"]] = state
        yield event, state


def event_details(event: dict) -> dict:
    """The ``...EventDetails`` of an event, or ``{}``."""
    return next((value for key, value in event.items() if key.endswith("EventDetails")), {})


def detail_line(event: dict, width: int = 80) -> str:
    """An event's details on one line (``error=... cause=...``, ``input=...``), cut at ``width`` characters."""
    details = event_details(event)
    parts = [f"{key}={value}" for key, value in details.items()
             if key not in ("name", "roleArn", "stateMachineArn") and not key.endswith("Details")]
    text = " ".join(" ".join(parts).split())
    return text if len(text) <= width else text[:width - 1] + "…"
