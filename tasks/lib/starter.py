"""Starting migrations within their wave's limit: the one place a ServerMigration execution is started.

Three parties start migrations (docs/waves.md): StartMigration when a request arrives, StartMigrationNext when a
migration finishes and gives its slot back, and the wave itself (OpenWave raising the limit, each pass of
WaitForWave). Each start is the same three steps — take a slot of the wave, StartExecution named after the
migration ID, note the execution on the record — and a full wave leaves the record PENDING, queued, to be
started oldest first when a slot frees. Every step is idempotent, so any of the parties may repeat or race.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from tasks.lib.config import load_config
from tasks.lib.errors import ConfigError
from tasks.lib.jsonschemas import load_schema
from tasks.lib.request import SCHEMA
from tasks.lib.sfn import RUNNING, StepFunctions
from tasks.lib.wave_records import WaveRecords
from tasks.lib.waves import Wave, WaveTable

STARTED = "started"
DUPLICATE = "duplicate"
QUEUED = "queued"


@functools.cache
def _request_fields() -> tuple[str, ...]:
    return tuple(load_schema(SCHEMA)["properties"])


def execution_input(record: dict[str, Any]) -> dict[str, Any]:
    """The ServerMigration input of a status record: the normalised request it was created from, nothing else.

    >>> execution_input({"migrationId": "m-1", "wave": "7", "status": "PENDING", "version": 1})
    {'migrationId': 'm-1', 'wave': '7'}
    """
    return {key: record[key] for key in _request_fields() if key in record}


def default_concurrency() -> int:
    """The stack's default limit of a wave (``WAVEFLOW_WAVE_CONCURRENCY``), for a wave nobody gave one."""
    text = load_config().require("wave_concurrency")
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"WAVEFLOW_WAVE_CONCURRENCY must be a whole number >= 1, got {text!r}")
    return int(text)


@dataclass
class Starter:
    """Starts migrations of a wave while it has free slots.

    >>> Starter.from_config().start(record)  # doctest: +SKIP
    'started'
    """

    state_machine_arn: str
    waves: WaveTable
    records: WaveRecords
    sfn: StepFunctions

    @classmethod
    def from_config(cls) -> "Starter":
        arn = load_config().require("migration_state_machine_arn")
        return cls(arn, WaveTable(), WaveRecords(), StepFunctions())

    def start(self, record: dict[str, Any], *, default_limit: int | None = None) -> str:
        """Start the migration of ``record`` if its wave has a slot: STARTED, DUPLICATE (already started) or QUEUED.

        A duplicate whose execution has ended holds no slot: the slot this call took is given back. ``default_limit``:
        the limit the wave gets if nobody opened it yet (see :meth:`WaveTable.take_slot`).
        """
        migration_id, wave = record["migrationId"], record["wave"]
        if not self.waves.take_slot(wave, migration_id, default_limit=default_limit):
            return QUEUED
        started = self.sfn.start(self.state_machine_arn, migration_id, execution_input(record))
        if started.duplicate and self.sfn.status(started.execution_arn) != RUNNING:
            self.waves.give_back(wave, migration_id)
        self.records.note_started(migration_id, started.execution_arn)
        return DUPLICATE if started.duplicate else STARTED

    def start_queued(self, wave: Wave) -> list[str]:
        """Start the oldest queued migrations of ``wave`` while it has free slots; the IDs started."""
        started = []
        for record in self.records.queued(wave.name, wave.free):
            outcome = self.start(record)
            if outcome == QUEUED:
                break
            if outcome == STARTED:
                started.append(record["migrationId"])
        return started
