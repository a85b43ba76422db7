"""SummariseWave: how a wave ended, counted from the status table.

The wave runs none of its migrations itself (the starter starts one ServerMigration per request, docs/waves.md)
and a 1,000-server wave's results would not fit the 256 KiB state limit anyway, so the status table — which every
stage writes — is the record of truth for the wave.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tasks.lib.errors import InvalidMigrationDocument
from tasks.lib.observability import logger
from tasks.lib.status import TERMINAL, Status
from tasks.lib.store import StatusStore


def summarise(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by status, with ``failed`` = rolled back or failed and ``unfinished`` = not yet terminal.

    >>> summarise([{"status": "SUCCESS"}, {"status": "FAILED"}, {"status": "VERIFIED"}])["unfinished"]
    1
    """
    by_status = Counter(record["status"] for record in records)
    return {
        "total": len(records),
        "succeeded": by_status[Status.SUCCESS],
        "failed": by_status[Status.FAILED] + by_status[Status.ROLLED_BACK],
        "unfinished": sum(n for status, n in by_status.items() if Status(status) not in TERMINAL
                          and status != Status.ROLLED_BACK),
        "byStatus": dict(sorted(by_status.items())),
    }


def handler(event: dict, context: Any) -> dict:
    """Count the wave's servers by final status from the status table."""
    if not isinstance(event, dict) or event.get("wave") in (None, ""):
        raise InvalidMigrationDocument("SummariseWave needs the wave document with its 'wave' field")
    summary = summarise(StatusStore().by_wave(event["wave"], fields=("status",)))
    logger.info("wave summary", extra={"wave": event["wave"], **summary})
    return {**event, "summary": summary}
