"""What a rule's target receives: the event, a constant ``Input``, an ``InputPath`` or an input transformer.

The input transformer as the EventBridge user guide ("Transforming target input") defines it: ``InputPathsMap``
names values by JSONPath into the event, and ``InputTemplate`` places them with ``<name>``. Outside a string a
placeholder becomes the value as JSON; inside a string, the value's text, unescaped (EventBridge does not escape
what it inserts). A path that finds nothing defines no variable: its placeholder becomes ``null`` outside a
string and nothing inside one. The reserved ``<aws.events.rule-arn>``, ``<aws.events.rule-name>``,
``<aws.events.event>`` (the event without ``detail``), ``<aws.events.event.json>`` (the whole event) and
``<aws.events.event.ingestion-time>`` are known. A result that is JSON is delivered parsed, anything else as text.

    >>> transformed({"detail": {"migrationId": "m-1"}}, {"InputPathsMap": {"id": "$.detail.migrationId"},
    ...             "InputTemplate": '{"migrationId": <id>, "note": "started <id>"}'}, {})
    {'migrationId': 'm-1', 'note': 'started m-1'}
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..jsonpath import JsonPath, PathNotFound

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def target_input(event: dict, target, reserved: dict[str, Any]) -> Any:
    """The payload ``target`` (a ``stack.Target``) receives for ``event``."""
    if target.input is not None:
        return json.loads(target.input)
    if target.input_path is not None:
        return _lookup(JsonPath(target.input_path), event)
    if target.input_transformer is not None:
        return transformed(event, target.input_transformer, reserved)
    return event


def transformed(event: dict, transformer: dict, reserved: dict[str, Any]) -> Any:
    """Apply an ``{"InputPathsMap", "InputTemplate"}`` transformer to ``event``."""
    variables = dict(reserved)
    variables["aws.events.event.json"] = event
    variables["aws.events.event"] = {k: v for k, v in event.items() if k != "detail"}
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        try:
            variables[name] = _lookup(JsonPath(path), event)
        except PathNotFound:
            continue
    declared = {*reserved, "aws.events.event", "aws.events.event.json", *(transformer.get("InputPathsMap") or {})}
    text = _fill(transformer["InputTemplate"], variables, declared)
    try:
        return json.loads(text)
    except ValueError:
        return text


def _lookup(path: JsonPath, event: dict) -> Any:
    value = path.get(event)
    if not path.definite and isinstance(value, list) and not value:
        raise PathNotFound(path)
    return value


def _fill(template: str, variables: dict[str, Any], declared: set[str]) -> str:
    """Replace each declared ``<name>``: JSON outside a string literal, plain text inside one."""
    out: list[str] = []
    in_string = escaped = False
    position = 0
    while position < len(template):
        char = template[position]
        match = _PLACEHOLDER.match(template, position) if char == "<" else None
        if match and match.group(1) in declared:
            value = variables.get(match.group(1))
            if in_string:
                out.append(value if isinstance(value, str) else "" if value is None else json.dumps(value))
            else:
                out.append(json.dumps(value, separators=(",", ":")))
            position = match.end()
            continue
        if in_string and char == "\\" and not escaped:
            escaped = True
        else:
            if char == '"' and not escaped:
                in_string = not in_string
            escaped = False
        out.append(char)
        position += 1
    return "".join(out)
