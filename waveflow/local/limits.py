"""Service quotas of Step Functions that the local runtime enforces."""
from __future__ import annotations

import json

MAX_PAYLOAD_BYTES = 262_144  # 256 KiB per state input/output, task result and execution input
DEFAULT_HISTORY_LIMIT = 25_000
MAX_EXECUTION_SECONDS = 365 * 24 * 3600  # a Standard execution runs for at most one year


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dumps(value) -> str:
    """Compact JSON, the way Step Functions serialises payloads (and measures their size)."""
    return _ENCODER.encode(value)


def payload_size(value) -> int:
    """Size in bytes of ``value`` as UTF-8 JSON."""
    text = dumps(value)
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def fits(value) -> bool:
    return payload_size(value) <= MAX_PAYLOAD_BYTES
