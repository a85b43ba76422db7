"""A wave as a JSON array of migration requests, exactly as they would be sent to the queue.

Each item is reported by the line it starts on. An item without ``sourceServerId`` but with
``source.hostname`` is looked up in MGN like a CSV row naming a hostname.
"""
from __future__ import annotations

import json
from typing import Any

from .rows import RowProblem, SourceFacts, WaveRow

_WHITESPACE = " \t\r\n"


def items_with_lines(text: str) -> list[tuple[int, Any]]:
    """The items of a JSON array with the line each starts on; ``ValueError`` (with its line) if it is not one."""
    decoder = json.JSONDecoder()
    position = _skip(text, 0)
    if not text.startswith("[", position):
        raise ValueError(f"line {text.count(chr(10), 0, position) + 1}: expected a JSON array of requests")
    position = _skip(text, position + 1)
    items: list[tuple[int, Any]] = []
    if text.startswith("]", position):
        return items
    while True:
        line = text.count("\n", 0, position) + 1
        try:
            value, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {exc.lineno} column {exc.colno}: {exc.msg}") from None
        items.append((line, value))
        position = _skip(text, position)
        if text.startswith("]", position):
            break
        if not text.startswith(",", position):
            raise ValueError(f"line {text.count(chr(10), 0, position) + 1}: expected ',' or ']' after an item")
        position = _skip(text, position + 1)
    if _skip(text, position + 1) != len(text):
        raise ValueError(f"line {text.count(chr(10), 0, position) + 1}: text after the closing ']'")
    return items


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in _WHITESPACE:
        position += 1
    return position


def read(file: str, text: str, requested_by: str) -> tuple[list[WaveRow], list[RowProblem]]:
    """Every item as a row; an item that is not an object is a problem of its own line."""
    try:
        items = items_with_lines(text)
    except (ValueError, RecursionError) as exc:
        return [], [RowProblem(file, 1, "file", f"not a JSON array of requests: {exc}")]
    rows, problems = [], []
    for line, item in items:
        if not isinstance(item, dict):
            problems.append(RowProblem(file, line, "item", f"a request is a JSON object, not {type(item).__name__}"))
            continue
        request = {"requestedBy": requested_by, **item}
        source = request.get("source") if isinstance(request.get("source"), dict) else {}
        hostname = source.get("hostname") if isinstance(source.get("hostname"), str) else ""
        rows.append(WaveRow(file, line, request, SourceFacts(hostname=hostname, ip=source.get("ipAddress"),
                                                             os=source.get("os"))))
    return rows, problems
