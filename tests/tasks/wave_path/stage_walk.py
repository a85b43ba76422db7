"""Moving a status record to a status along the legal transitions, without running the stages."""

from __future__ import annotations

from tasks.lib.store import StatusStore

_HAPPY = ("PENDING", "VALIDATED", "SOURCE_PREPARED", "MIGRATION_IN_PROGRESS", "VERIFIED", "COMPLETED", "SUCCESS")


def walk_to(migration_id: str, status: str) -> None:
    """SUCCESS along the happy path; FAILED through ROLLED_BACK."""
    store = StatusStore()
    steps = _HAPPY[1:] if status == "SUCCESS" else ("ROLLED_BACK", "FAILED")
    for step in steps:
        store.transition(migration_id, step)
