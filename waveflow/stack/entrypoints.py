"""Functions that are not states of a workflow, and what starts each: the one place they are declared.

Workflow functions reach the stack through ``build/manifest.json``; these reach it from here. Each names its
handler (the build refuses one that ``tasks/`` does not define) and its trigger: the migration queue (an event
source mapping) or a rule on the stack's bus (detail types of ``waveflow.migration`` events), rendered with
its Lambda permission, retry policy and dead-letter queue. Their permissions live in
:data:`waveflow.stack.functions.FUNCTIONS` like every other function's.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueueTrigger:
    """The migration queue feeds the function in batches (``ReportBatchItemFailures``)."""

    batch_size: int = 10
    batching_window_seconds: int = 5


@dataclass(frozen=True)
class RuleTrigger:
    """A rule on the stack's bus sends events of ``detail_types`` to the function."""

    rule: str
    detail_types: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Entrypoint:
    handler: str
    trigger: QueueTrigger | RuleTrigger


ENTRYPOINTS: dict[str, Entrypoint] = {
    "Ingress": Entrypoint("tasks.ingress.handler", QueueTrigger()),
    "StartMigration": Entrypoint("tasks.start_migration.on_requested", RuleTrigger(
        "StartMigrationRule", ("MigrationRequested",), "A requested migration takes a slot of its wave and starts")),
    "StartMigrationNext": Entrypoint("tasks.start_migration.on_finished", RuleTrigger(
        "MigrationFinishedRule", ("MigrationSucceeded", "MigrationFailed"),
        "A finished migration gives its slot back and starts the next queued one of its wave")),
}
