"""Which executions keep their whole history in the report, so a 1,000-server wave still opens at once.

A reviewer reads the histories of what went wrong, and of a few that went right to compare with: every execution
that did not succeed is kept (up to ``MAX_UNSUCCESSFUL``, the earliest first), every wave execution, and of the
succeeded migrations the ``LONGEST`` that took longest, the ``MOST_RETRIED`` that retried most, and evenly spaced
others up to ``MAX_SUCCEEDED`` in all. The rest are summarised by their stages on the timeline; ``choose`` also
returns the sentences the page prints about them. The choice depends on the executions alone: the same run keeps
the same histories.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_UNSUCCESSFUL = 200
MAX_SUCCEEDED = 25
LONGEST = 10
MOST_RETRIED = 10


@dataclass(frozen=True)
class Candidate:
    """What the choice looks at: an execution's name, state machine, status, duration and retries."""

    name: str
    workflow: str
    status: str
    seconds: float
    retries: int
    is_migration: bool


def choose(candidates: list[Candidate]) -> tuple[dict[str, str], list[str]]:
    """``(name -> why its history is kept, sentences saying what was left out)``."""
    kept: dict[str, str] = {}
    notes: list[str] = []
    ordered = sorted(candidates, key=lambda c: c.name)
    unsuccessful = [c for c in ordered if c.status != "SUCCEEDED"]
    for c in unsuccessful[:MAX_UNSUCCESSFUL]:
        kept[c.name] = c.status.lower()
    if len(unsuccessful) > MAX_UNSUCCESSFUL:
        notes.append(f"{len(unsuccessful) - MAX_UNSUCCESSFUL:,} of the {len(unsuccessful):,} executions that did "
                     f"not succeed have no history here (the first {MAX_UNSUCCESSFUL} by name do)")
    for c in ordered:
        if c.status == "SUCCEEDED" and not c.is_migration:
            kept[c.name] = "wave"
    succeeded = [c for c in ordered if c.status == "SUCCEEDED" and c.is_migration]
    picks = [(c, "longest") for c in sorted(succeeded, key=lambda c: (-c.seconds, c.name))[:LONGEST]]
    picks += [(c, "most retries") for c in sorted(succeeded, key=lambda c: (-c.retries, c.name))[:MOST_RETRIED]
              if c.retries]
    for c, why in picks:
        kept.setdefault(c.name, why)
    rest = [c for c in succeeded if c.name not in kept]
    room = MAX_SUCCEEDED - sum(1 for c in succeeded if c.name in kept)
    if room > 0 and rest:
        step = max(1, len(rest) / room)
        for index in range(min(room, len(rest))):
            kept[rest[int(index * step)].name] = "sample"
    left = sum(1 for c in succeeded if c.name not in kept)
    if left:
        notes.append(f"{left:,} of the {len(succeeded):,} succeeded migrations have no history here: their stages "
                     f"are on the timeline (the {LONGEST} longest, those that retried most and evenly spaced others "
                     f"keep theirs)")
    return kept, notes
