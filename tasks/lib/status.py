"""The migration statuses and the one table of legal transitions between them.

The status store refuses any change not listed here with a DynamoDB condition, so this table is the only place
the migration lifecycle is defined.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a migration is; the value is what the status record and events carry."""

    PENDING = "PENDING"
    VALIDATED = "VALIDATED"
    SOURCE_PREPARED = "SOURCE_PREPARED"
    MIGRATION_IN_PROGRESS = "MIGRATION_IN_PROGRESS"
    VERIFIED = "VERIFIED"
    COMPLETED = "COMPLETED"
    SUCCESS = "SUCCESS"
    ROLLED_BACK = "ROLLED_BACK"
    FAILED = "FAILED"


TERMINAL: frozenset[Status] = frozenset({Status.SUCCESS, Status.FAILED})

_ROLLBACK = frozenset({Status.ROLLED_BACK})

# The happy path one step at a time; every status short of the end may fall to ROLLED_BACK, which ends in FAILED.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.VALIDATED}) | _ROLLBACK,
    Status.VALIDATED: frozenset({Status.SOURCE_PREPARED}) | _ROLLBACK,
    Status.SOURCE_PREPARED: frozenset({Status.MIGRATION_IN_PROGRESS}) | _ROLLBACK,
    Status.MIGRATION_IN_PROGRESS: frozenset({Status.VERIFIED}) | _ROLLBACK,
    Status.VERIFIED: frozenset({Status.COMPLETED}) | _ROLLBACK,
    Status.COMPLETED: frozenset({Status.SUCCESS}) | _ROLLBACK,
    Status.ROLLED_BACK: frozenset({Status.FAILED}),
    Status.SUCCESS: frozenset(),
    Status.FAILED: frozenset(),
}


#: The stages that may still record a detail once a migration has ended: the callback reports how it told the
#: requester. Any other stage's write to a SUCCESS or FAILED record is refused.
RECORDED_AFTER_END: frozenset[str] = frozenset({"callback"})


def may_note(status: Status | str, stage: str | None) -> bool:
    """Whether ``stage`` may record a detail while the migration stays in ``status``.

    A migration on its way records progress from any stage (the stage's own ``runs_in`` says where it runs);
    an ended one only from :data:`RECORDED_AFTER_END`.

    >>> may_note("MIGRATION_IN_PROGRESS", "launch"), may_note("FAILED", "callback"), may_note("FAILED", "launch")
    (True, True, False)
    """
    return Status(status) not in TERMINAL or stage in RECORDED_AFTER_END


def is_legal(current: Status | str, to: Status | str) -> bool:
    """Whether ``current -> to`` is in :data:`TRANSITIONS`.

    >>> is_legal("PENDING", "VALIDATED"), is_legal("SUCCESS", "ROLLED_BACK")
    (True, False)
    """
    return Status(to) in TRANSITIONS[Status(current)]
