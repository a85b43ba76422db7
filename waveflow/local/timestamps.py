"""RFC 3339 timestamps as ASL uses them (Wait Timestamp, Choice Timestamp* operators)."""
from __future__ import annotations

import re
from datetime import datetime

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_timestamp(value) -> float | None:
    """Seconds since the epoch for an RFC 3339 string with a zone (``2026-01-01T00:00:00Z``), else None."""
    if not isinstance(value, str) or not _RFC3339.match(value):
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    head, dot, rest = text.partition(".")
    if dot:  # Python accepts at most 6 fractional digits
        digits = re.match(r"\d+", rest).group()
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits):]}"
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None
