"""Which executions keep their history in the report, and how much of it, so a 1,000-server wave still opens at once.

A reviewer reads the histories of what went wrong, and of a few that went right to compare with. In that order of
priority: every execution that did not succeed, every wave execution, and of the succeeded migrations the
``LONGEST`` that took longest, the ``MOST_RETRIED`` that retried most, and evenly spaced others up to
``MAX_SUCCEEDED``. A history of more than ``HISTORY_EVENTS`` events (a replication polled for days) keeps its
first ``HEAD`` and its last events — its input, and how it ended — and the page marks the gap. Histories are kept
in priority order while the page holds fewer than ``PAGE_EVENTS`` events; the rest are summarised by their stages
on the timeline. ``choose`` also returns the sentences the page prints about what it left out. The choice depends
on the executions alone: the same run keeps the same histories.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_SUCCEEDED = 25
LONGEST = 10
MOST_RETRIED = 10
HISTORY_EVENTS = 1_000
HEAD = 200
PAGE_EVENTS = 25_000


@dataclass(frozen=True)
class Candidate:
    """What the choice looks at: an execution's name, status, duration, retries, events, and whether it is a
    migration's (not a wave's)."""

    name: str
    status: str
    seconds: float
    retries: int
    events: int
    is_migration: bool


def kept_ids(count: int) -> tuple[range, ...]:
    """The event ids a history of ``count`` events keeps: all, or its head and its tail."""
    if count <= HISTORY_EVENTS:
        return (range(1, count + 1),)
    return range(1, HEAD + 1), range(count - (HISTORY_EVENTS - HEAD) + 1, count + 1)


def _wanted(candidates: list[Candidate]) -> list[tuple[Candidate, str]]:
    """Every candidate worth keeping, with why, the most wanted first."""
    ordered = sorted(candidates, key=lambda c: c.name)
    wanted = [(c, c.status.lower()) for c in ordered if c.status != "SUCCEEDED"]
    wanted += [(c, "wave") for c in ordered if c.status == "SUCCEEDED" and not c.is_migration]
    succeeded = [c for c in ordered if c.status == "SUCCEEDED" and c.is_migration]
    picks = [(c, "longest") for c in sorted(succeeded, key=lambda c: (-c.seconds, c.name))[:LONGEST]]
    picks += [(c, "most retries") for c in sorted(succeeded, key=lambda c: (-c.retries, c.name))[:MOST_RETRIED]
              if c.retries]
    chosen: dict[str, tuple[Candidate, str]] = {}
    for c, why in picks:
        chosen.setdefault(c.name, (c, why))
    rest = [c for c in succeeded if c.name not in chosen]
    room = MAX_SUCCEEDED - len(chosen)
    if room > 0 and rest:
        step = max(1.0, len(rest) / room)
        for index in range(min(room, len(rest))):
            chosen[rest[int(index * step)].name] = (rest[int(index * step)], "sample")
    return wanted + list(chosen.values())


def choose(candidates: list[Candidate]) -> tuple[dict[str, str], list[str]]:
    """``(name -> why its history is kept, sentences saying what was left out)``."""
    kept: dict[str, str] = {}
    over_budget: list[Candidate] = []
    total = 0
    for c, why in _wanted(candidates):
        size = min(c.events, HISTORY_EVENTS)
        if total + size > PAGE_EVENTS:
            over_budget.append(c)
            continue
        kept[c.name] = why
        total += size
    notes = []
    unsuccessful = [c for c in over_budget if c.status != "SUCCEEDED"]
    if unsuccessful:
        notes.append(f"{len(unsuccessful):,} executions that did not succeed have no history here: the page holds at "
                     f"most {PAGE_EVENTS:,} events, and the earlier ones by name took them")
    succeeded = [c for c in candidates if c.status == "SUCCEEDED" and c.is_migration]
    left = sum(1 for c in succeeded if c.name not in kept)
    if left:
        notes.append(f"{left:,} of the {len(succeeded):,} succeeded migrations have no history here: their stages "
                     f"are on the timeline (the {LONGEST} longest, those that retried most and evenly spaced others "
                     f"keep theirs)")
    trimmed = [c for c in candidates if c.name in kept and c.events > HISTORY_EVENTS]
    if trimmed:
        notes.append(f"{len(trimmed):,} kept histories are longer than {HISTORY_EVENTS:,} events: each keeps its "
                     f"first {HEAD} and last {HISTORY_EVENTS - HEAD} events (the gap is marked in its table)")
    return kept, notes
