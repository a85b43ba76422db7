"""Handlers the twin's own tests deploy as functions: each records what it was given, some fail on purpose."""

from __future__ import annotations

import os

from tasks.lib.config import load_config

CALLS: list[dict] = []
FAILURES: dict[str, int] = {}  # body or detail marker -> failures still to produce


def _fail_if_asked(marker: str) -> None:
    if FAILURES.get(marker, 0) > 0:
        FAILURES[marker] -= 1
        raise RuntimeError(f"failing on purpose for {marker}")


def _note(event, context) -> None:
    CALLS.append({"function": context.function_name, "event": event, "memory": context.memory_limit_in_mb,
                  "remaining_ms": context.get_remaining_time_in_millis(), "request_id": context.aws_request_id,
                  "env": {k: v for k, v in os.environ.items() if k.startswith("WAVEFLOW_")},
                  "event_bus": load_config().event_bus if "WAVEFLOW_EVENT_BUS" in os.environ else None})


def record(event, context) -> dict:
    """Note the call; fail if the event's ``detail.fail`` asks to (and failures remain)."""
    _note(event, context)
    detail = event.get("detail") if isinstance(event, dict) else None
    if isinstance(detail, dict) and detail.get("fail"):
        _fail_if_asked(detail["fail"])
    return {"ok": True}


def batch(event, context) -> dict:
    """An SQS batch handler: a record whose body names a marker with failures left is reported failed."""
    _note(event, context)
    failed = []
    for record_ in event["Records"]:
        try:
            _fail_if_asked(record_["body"])
        except RuntimeError:
            failed.append({"itemIdentifier": record_["messageId"]})
    return {"batchItemFailures": failed}


def broken_report(event, context) -> dict:
    """Reports a record that is not in the batch: Lambda then treats the whole batch as failed."""
    _note(event, context)
    return {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}


def crash(event, context) -> dict:
    _note(event, context)
    raise RuntimeError("this function always fails")
