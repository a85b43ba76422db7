"""The one starter of ServerMigration executions (docs/waves.md): EventBridge rule targets, one per event kind.

* ``on_requested`` (function ``StartMigration``, rule ``StartMigrationRule`` on ``MigrationRequested``): starts
  the requested migration, named after its migration ID, if its wave has a free slot; else it stays PENDING,
  queued. The first request of a wave creates the wave's item with the stack's default limit
  (``WAVEFLOW_WAVE_CONCURRENCY``) if MigrationWave has not opened it yet.
* ``on_finished`` (function ``StartMigrationNext``, rule ``MigrationFinishedRule`` on ``MigrationSucceeded`` and
  ``MigrationFailed``): gives the migration's slot back and starts the oldest queued migrations of the wave while
  slots are free.

A duplicate event (EventBridge delivers at least once), a redelivered request or a retried invocation starts
nothing: the execution name is the migration ID, and slots are a set of migration IDs. Both take the EventBridge
event as the rule delivers it, or only its ``detail`` when the target's input transformer passes that.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from tasks.lib.errors import InvalidMigrationDocument, MigrationNotFound
from tasks.lib.observability import logger, metrics
from tasks.lib.stage import reports_errors
from tasks.lib.starter import DUPLICATE, STARTED, Starter, default_concurrency
from tasks.lib.status import Status
from tasks.lib.store import StatusStore

_OUTCOME_METRICS = {STARTED: "MigrationExecutionsStarted", DUPLICATE: "DuplicateStarts"}


def _detail(event: Any, handler: str) -> dict[str, Any]:
    """The event's detail with its migration ID and wave, or :class:`InvalidMigrationDocument` naming what lacks."""
    detail = event.get("detail", event) if isinstance(event, dict) else None
    if not isinstance(detail, dict):
        raise InvalidMigrationDocument(f"{handler} expects an EventBridge event (or its detail), got "
                                       f"{type(detail).__name__}")
    missing = [key for key in ("migrationId", "wave") if detail.get(key) in (None, "")]
    if missing:
        raise InvalidMigrationDocument(f"{handler}: the event's detail has no {' or '.join(map(repr, missing))}")
    logger.set_correlation_id(detail.get("correlationId"))
    logger.append_keys(migrationId=detail["migrationId"], wave=str(detail["wave"]))
    return detail


def _count(outcomes: list[str]) -> None:
    for outcome in outcomes:
        if outcome in _OUTCOME_METRICS:
            metrics.add_metric(name=_OUTCOME_METRICS[outcome], unit=MetricUnit.Count, value=1)


@reports_errors("start")
def on_requested(event: dict, context: Any) -> dict:
    """Start the requested migration if its wave has a free slot, else leave it queued.

    >>> on_requested({"detail": {"migrationId": "m-1", "wave": "7"}})  # doctest: +SKIP
    {'migrationId': 'm-1', 'wave': '7', 'outcome': 'started'}
    """
    detail = _detail(event, "StartMigration")
    record = StatusStore().get(detail["migrationId"])
    if record is None:
        raise MigrationNotFound(f"StartMigration: no status record for migration {detail['migrationId']!r}")
    outcome = DUPLICATE
    if record["status"] == Status.PENDING and not record.get("executionArn"):
        outcome = Starter.from_config().start(record, default_limit=default_concurrency())
    _count([outcome])
    logger.info(f"migration {outcome}", extra={"status": record["status"]})
    return {"migrationId": record["migrationId"], "wave": record["wave"], "outcome": outcome}


@reports_errors("start")
def on_finished(event: dict, context: Any) -> dict:
    """Give the finished migration's slot back and start the oldest queued migrations while slots are free."""
    detail = _detail(event, "StartMigrationNext")
    starter = Starter.from_config()
    wave = starter.waves.give_back(detail["wave"], detail["migrationId"])
    started = starter.start_queued(wave)
    _count([STARTED] * len(started))
    logger.info("slot given back", extra={"started": started, "running": len(wave.running) + len(started)})
    return {"migrationId": detail["migrationId"], "wave": wave.name, "started": started}
