"""Execution history in the shapes of Step Functions' ``GetExecutionHistory``, recorded cheaply.

Recording appends to a few columns; payloads are kept as references (they are never mutated, see
``jsonpath.set_path``) and serialised to JSON strings only when someone reads the history. When the
execution reaches its event limit, the history asks the execution to fail, as AWS does at 25,000 events.

An event is its type, timestamp, previous event's id and details. The state entered/exited events that make up
most of a history keep their details as the state's name and its input or output, with no dict of their own.
Columns rather than an object per event: a history of 200,000 events is a handful of containers, which the
garbage collector passes over at once (an object per event made it walk them all, again and again, as the
history grew), and which the journal stores as they are. The previous event is kept as how far back it is (the
event's id minus its previous id): 1 nearly always, which compresses to nothing where the ids did not.
"""
from __future__ import annotations

from array import array
from functools import cache
from typing import Any

from .clock import to_datetime
from .limits import dumps

_JSON_FIELDS = ("input", "output", "parameters")


class History:
    """The ordered events of one execution."""

    __slots__ = ("types", "timestamps", "back", "names", "details", "limit", "_on_limit", "_closed")

    def __init__(self, limit: int | None, on_limit):
        self.types: list[str] = []
        self.timestamps = array("d")
        self.back = array("i")     # event id - previous event id (ids fit a C int on every platform)
        self.names: list = []    # a state entered/exited event's state name, else None
        self.details: list = []  # that state's input or output, else the details dict (or None)
        self.limit = limit
        self._on_limit = on_limit
        self._closed = False

    def add(self, event_type: str, timestamp: float, previous: int, details=None, name: str | None = None) -> int:
        """Append an event and return its id (1-based), or 0 once the history is closed. A state entered/exited
        event gives the state's ``name`` and its input or output as ``details``."""
        if self._closed:
            return 0
        event_id = len(self.types) + 1
        self.types.append(event_type)
        self.timestamps.append(timestamp)
        self.back.append(event_id - previous)
        self.names.append(name)
        self.details.append(details)
        if self.limit is not None and event_id >= self.limit:
            self._closed = True
            self._on_limit()
        return event_id

    def add_final(self, event_type: str, timestamp: float, previous: int, details: dict | None = None) -> int:
        """Append the closing event, which is recorded even past the limit (the limit is lifted)."""
        self._closed, self.limit = False, None
        event_id = self.add(event_type, timestamp, previous, details)
        self._closed = True
        return event_id

    def __len__(self):
        return len(self.types)

    def columns(self) -> tuple:
        """``(types, timestamps, back, names, details)``, for the journal; ``from_columns`` reverses it."""
        return self.types, self.timestamps, self.back, self.names, self.details

    @classmethod
    def from_columns(cls, columns) -> "History":
        """A closed history of stored columns (the numeric ones as arrays, their bytes or lists)."""
        history = cls(None, None)
        types, timestamps, back, history.names, history.details = columns
        history.types = list(types)
        history.timestamps = array("d", timestamps)
        history.back = array("i", back)
        history._closed = True
        return history

    def clear(self) -> None:
        """Drop every event (the journal holds them now); the runs that still hold this history record nothing."""
        for column in self.columns():
            del column[:]
        self._closed = True

    def materialize(self) -> list[dict]:
        """The events as GetExecutionHistory returns them (``timestamp`` a datetime, payloads JSON strings). A
        payload several events hold (a state's output is the next state's input; a Choice or a Wait passes it on
        as it is: more than half of a migration's payload text) is written once."""
        texts: dict[int, str] = {}  # id(payload) -> its JSON, while the columns hold every payload
        return [_event_dict(event_id, event_type, timestamp, event_id - back, name, details, texts)
                for event_id, (event_type, timestamp, back, name, details) in enumerate(zip(*self.columns()), 1)]


@cache  # a few dozen event types, asked once per event by every reader of a history
def details_key(event_type: str) -> str:
    """The details key of an event type: ``TaskStateEntered`` -> ``stateEnteredEventDetails``,
    ``LambdaFunctionFailed`` -> ``lambdaFunctionFailedEventDetails``."""
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def _event_dict(event_id: int, event_type: str, timestamp: float, previous: int, name, details,
                texts: dict[int, str]) -> dict:
    if name is not None:  # a state entered/exited event: details is the state's input or output
        details = {"name": name, ("input" if event_type.endswith("Entered") else "output"): details}
    out: dict[str, Any] = {"timestamp": to_datetime(timestamp), "type": event_type, "id": event_id,
                           "previousEventId": previous}
    if details is not None:
        rendered = {}
        for key, value in details.items():
            if key in _JSON_FIELDS:
                text = texts.get(id(value))
                if text is None:
                    text = texts[id(value)] = dumps(value)
                rendered[key] = text
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
    for key, value in event.items():
        if key.endswith("EventDetails"):
            return value
    return {}


def detail_line(event: dict, width: int = 80) -> str:
    """An event's details on one line (``error=... cause=...``, ``input=...``), cut at ``width`` characters."""
    details = event_details(event)
    parts = [f"{key}={value}" for key, value in details.items()
             if key not in ("name", "roleArn", "stateMachineArn") and not key.endswith("Details")]
    text = " ".join(" ".join(parts).split())
    return text if len(text) <= width else text[:width - 1] + "…"
