"""What the run report shows, and nothing more: one run of a migration wave, read once from the journal.

The page is drawn from this model alone (``page.render``), and the model is built from the journal by one adapter
(``journal_source``), so the renderer can be tested with data a test writes and the adapter with a real journal.
Times on the simulated clock are seconds from the run's ``origin`` (the first execution's start), so a timeline
needs no date arithmetic; ``origin`` itself is the ISO time of that instant.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..graph import StateCounts
from ..run.costs import CostEstimate

#: A stage's outcome, as the timeline colours it: it ended well, it caught an error (the execution went on), the
#: execution failed in it, or it had not ended when the history did (still running, or the execution was stopped).
OUTCOMES = ("succeeded", "caught", "failed", "unfinished")


@dataclass(frozen=True)
class Retry:
    """A failed attempt that was tried again: when (run seconds), and the error."""

    at: float
    error: str


@dataclass(frozen=True)
class Stage:
    """One visit of a top-level state of a migration's execution: a bar of its timeline.

    ``kind`` is the state's kind as the graph draws it (``Task``, ``Poll``, ``Choice``, ``Wait``, ...);
    ``rollback`` marks a state on the rollback path; ``waits`` are the stretches spent waiting inside it (a Poll's
    Wait states, a task waiting for its token); ``retries`` the attempts that failed and were tried again.
    """

    state: str
    kind: str
    start: float
    end: float
    outcome: str
    rollback: bool = False
    waits: tuple[tuple[float, float], ...] = ()
    retries: tuple[Retry, ...] = ()


@dataclass(frozen=True)
class Migration:
    """One server's migration: its status record's facts, its execution's stages, and what it cost."""

    migration_id: str
    app: str
    wave: str
    status: str
    execution: str | None = None
    stages: tuple[Stage, ...] = ()
    error: str | None = None
    failed_stage: str | None = None
    cost: float | None = None

    @property
    def start(self) -> float | None:
        return self.stages[0].start if self.stages else None

    @property
    def end(self) -> float | None:
        return max(stage.end for stage in self.stages) if self.stages else None

    @property
    def retries(self) -> int:
        return sum(len(stage.retries) for stage in self.stages)


@dataclass(frozen=True)
class DeadLetter:
    """A message of the requests' dead-letter queue, with the reason ingress gave (None: redriven by SQS), and
    ``sent_as``: what the requester got wrong, when the run sent it broken on purpose (a fault profile's defect)."""

    message_id: str
    reason: str | None
    received_at: str | None = None
    correlation_id: str | None = None
    body: str = ""
    sent_as: str | None = None


@dataclass(frozen=True)
class FailureGroup:
    """Failed migrations that failed in the same stage with the same error; ``cause`` is the first one's."""

    stage: str
    error: str
    migrations: tuple[str, ...]
    cause: str = ""


@dataclass(frozen=True)
class Event:
    """One row of an execution's history table; ``at`` in run seconds, ``detail`` one short line."""

    event_id: int
    type: str
    state: str | None
    at: float
    detail: str = ""


@dataclass(frozen=True)
class Execution:
    """An execution of the run; ``events`` is its history when the report keeps it (all ``event_count`` events, or
    the head and tail of a long one), else None; ``why`` says which rule kept it."""

    name: str
    arn: str
    workflow: str
    status: str
    start: float
    end: float | None
    event_count: int
    error: str | None = None
    events: tuple[Event, ...] | None = None
    why: str = ""


@dataclass(frozen=True)
class Machine:
    """A state machine of the run: its ASL, the per-state counts over all its executions, and how they ended."""

    workflow: str
    name: str
    definition: dict
    counts: dict[str, StateCounts]
    by_status: dict[str, int]


@dataclass(frozen=True)
class Summary:
    """The run's summary contract (``waveflow run --json``), its cost as ``waveflow.run.costs`` estimated it."""

    by_status: dict[str, int]
    dlq: int
    executions_started: int
    duplicates_suppressed: int
    state_transitions: int
    lambda_invocations: int
    simulated_seconds: float
    wall_seconds: float
    cost: CostEstimate
    cost_per_wave: dict[str, float]


@dataclass(frozen=True)
class Report:
    """Everything one run's report shows. ``left_out`` says, sentence by sentence, what the page does not hold."""

    run_id: int
    command: str
    finished_at: str
    origin: str
    summary: Summary
    machines: tuple[Machine, ...]
    migrations: tuple[Migration, ...]
    executions: tuple[Execution, ...]
    dead_letters: tuple[DeadLetter, ...] = ()
    failures: tuple[FailureGroup, ...] = ()
    left_out: tuple[str, ...] = field(default=())
