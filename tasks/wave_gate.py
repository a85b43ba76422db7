"""The wave as gate and summary (docs/waves.md): ServerMigration's gate before cutover and MigrationWave's steps.

* ``await_cutover`` (``WaveGateAwaitCutover``, ServerMigration's ``AwaitWaveCutover``, ``.waitForTaskToken``):
  answers its own token at once if the wave has decided (APPROVED: success; REJECTED: ``WaveCutoverRejected``,
  which the workflow catches and rolls back), else parks the token until the wave decides (``tasks.lib.gate``).
* ``open_wave`` (``WaveGateOpenWave``): checks the wave's input (``schemas/wave-input.json``), writes its expected
  count and limit, and starts queued migrations if the limit was raised.
* ``open_cutover`` / ``close_cutover`` (``WaveGateOpenCutover`` / ``WaveGateCloseCutover``): the decision, APPROVED
  after the approval, REJECTED when it was rejected, timed out or failed; every parked migration is answered.
* ``watch_wave`` (``WaveGateWatchWave``, the check of the WaitForWave Poll): gives back the slots of migrations
  that ended without their MigrationSucceeded/MigrationFailed reaching the starter, starts queued migrations
  where slots are free (so a lost wake-up costs one poll interval, never a stuck wave) and counts the wave's
  finished migrations (``progress.done`` once every expected one has finished).
"""

from __future__ import annotations

import json
from typing import Any

from tasks.lib.errors import InvalidMigrationDocument
from tasks.lib.gate import CutoverGate
from tasks.lib.jsonschemas import validator
from tasks.lib.observability import logger
from tasks.lib.request import wave_text
from tasks.lib.sfn import RUNNING
from tasks.lib.stage import reports_errors
from tasks.lib.starter import Starter, default_concurrency
from tasks.lib.status import TERMINAL, Status
from tasks.lib.store import StatusStore
from tasks.lib.waves import APPROVED, REJECTED

WAVE_INPUT_SCHEMA = "wave-input.json"


def _wave_document(event: Any, handler: str) -> dict[str, Any]:
    """The wave's state document, checked against the wave input schema (every problem named at once)."""
    if not isinstance(event, dict):
        raise InvalidMigrationDocument(f"{handler} expects the wave's document (an object), got {type(event).__name__}")
    fields = {key: event[key] for key in ("wave", "expectedMigrations", "maxConcurrency") if key in event}
    problems = sorted(f"{'.'.join(map(str, error.path)) or '(input)'}: {error.message}"
                      for error in validator(WAVE_INPUT_SCHEMA).iter_errors(fields))
    if problems:
        raise InvalidMigrationDocument(f"{handler}: the wave's input is invalid: {'; '.join(problems)}",
                                       tuple(problems))
    logger.append_keys(wave=wave_text(event["wave"]))
    return event


@reports_errors("waveGate")
def await_cutover(event: dict, context: Any) -> dict:
    """Answer this migration's token now if its wave has decided, else park it on the status record.

    The compiled task passes ``{"input": <the state document>, "taskToken": $$.Task.Token}``.

    >>> await_cutover({"input": {"migrationId": "m-1", "wave": "7"}, "taskToken": "AAAA..."})  # doctest: +SKIP
    {'migrationId': 'm-1', 'wave': '7', 'decision': 'PENDING'}
    """
    document = event.get("input") if isinstance(event, dict) else None
    if not isinstance(document, dict) or not event.get("taskToken"):
        raise InvalidMigrationDocument("AwaitWaveCutover expects {'input': <the state document>, 'taskToken': ...}")
    missing = [key for key in ("migrationId", "wave") if document.get(key) in (None, "")]
    if missing:
        raise InvalidMigrationDocument(f"AwaitWaveCutover: the state document has no {' or '.join(map(repr, missing))}")
    logger.set_correlation_id(document.get("correlationId"))
    migration_id, wave = document["migrationId"], wave_text(document["wave"])
    logger.append_keys(migrationId=migration_id, wave=wave)
    decision = CutoverGate.from_config().arrive(migration_id, wave, event["taskToken"])
    logger.info("at the wave's cutover gate", extra={"decision": decision})
    return {"migrationId": migration_id, "wave": wave, "decision": decision}


@reports_errors("wave")
def open_wave(event: dict, context: Any) -> dict:
    """Write the wave's expected count and limit; a raised limit starts queued migrations at once."""
    document = _wave_document(event, "OpenWave")
    starter = Starter.from_config()
    if "maxConcurrency" not in document:
        starter.waves.ensure(document["wave"], default_concurrency())
    wave = starter.waves.open(document["wave"], document["expectedMigrations"], document.get("maxConcurrency"))
    started = starter.start_queued(wave)
    logger.info("wave opened", extra={"maxConcurrency": wave.max_concurrency, "started": started})
    return {**document, "wave": wave.name, "maxConcurrency": wave.max_concurrency}


@reports_errors("wave")
def open_cutover(event: dict, context: Any) -> dict:
    """The approval was given: decide APPROVED and answer every parked migration."""
    document = _wave_document(event, "OpenCutover")
    reason = "approved: " + json.dumps(document.get("approval"), sort_keys=True)
    return _decide(document, APPROVED, reason)


@reports_errors("wave")
def close_cutover(event: dict, context: Any) -> dict:
    """The approval was rejected, timed out or failed: decide REJECTED and fail every parked migration."""
    document = _wave_document(event, "CloseCutover")
    error = document.get("approvalError") or {}
    reason = ": ".join(str(part) for part in (error.get("Error"), error.get("Cause")) if part) or "no approval"
    return _decide(document, REJECTED, reason)


def _decide(document: dict, decision: str, reason: str) -> dict:
    wave, answered = CutoverGate.from_config().decide(document["wave"], decision, reason)
    logger.info(f"wave cutover {wave.decision}", extra={"reason": wave.reason, "answered": answered})
    return {**document, "cutover": {"decision": wave.decision, "reason": wave.reason, "answered": answered}}


@reports_errors("wave")
def watch_wave(event: dict, context: Any) -> dict:
    """One pass of WaitForWave: free lost slots, start queued migrations, count what has finished."""
    document = _wave_document(event, "WaitForWave")
    starter = Starter.from_config()
    wave = starter.waves.get(document["wave"])
    records = {record["migrationId"]: record
               for record in StatusStore().by_wave(wave.name, fields=("migrationId", "status", "executionArn"))}
    ended = {migration_id for migration_id, record in records.items() if _ended(record, starter)}
    for migration_id in wave.running:
        if migration_id in ended:  # its MigrationSucceeded/MigrationFailed never reached the starter
            wave = starter.waves.give_back(wave.name, migration_id)
    started = set(starter.start_queued(wave))
    queued = [m for m, r in records.items() if r["status"] == Status.PENDING and not r.get("executionArn")]
    progress = {
        "expected": document["expectedMigrations"],
        "finished": len(ended),
        "succeeded": sum(1 for record in records.values() if record["status"] == Status.SUCCESS),
        "running": len(wave.running) + len(started),
        "queued": len(set(queued) - started),
        "done": len(ended) >= document["expectedMigrations"],
    }
    logger.info("wave progress", extra=progress)
    return {**document, "progress": progress}


def _ended(record: dict, starter: Starter) -> bool:
    """A migration is over when its record is terminal, or when its execution ended without making it so."""
    if Status(record["status"]) in TERMINAL:
        return True
    arn = record.get("executionArn")
    return bool(arn) and starter.sfn.status(arn) not in (RUNNING, None)
