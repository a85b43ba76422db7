"""MGN jobs (LAUNCH for StartTest/StartCutover, TERMINATE for TerminateTargetInstances) and their progression.

A job is PENDING when created, STARTED after a short queueing delay (participants IN_PROGRESS) and COMPLETED
a few virtual minutes later, each participant then LAUNCHED, FAILED or TERMINATED. The estate schedules the
two steps; this module only knows what each step does to the job and its log.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class JobTiming:
    """Seconds from creation to STARTED, and from STARTED to COMPLETED (ranges drawn per job)."""

    start_delay: tuple[float, float]
    run: tuple[float, float]


JOB_TIMINGS = {
    "LAUNCH": JobTiming(start_delay=(15.0, 45.0), run=(180.0, 480.0)),
    "TERMINATE": JobTiming(start_delay=(5.0, 20.0), run=(30.0, 90.0)),
}
# Job type -> log events written when the job starts, and when each participant ends well or badly.
START_LOG = {"LAUNCH": ("SNAPSHOT_START", "SNAPSHOT_END", "CONVERSION_START"), "TERMINATE": ("CLEANUP_START",)}
END_LOG = {
    ("LAUNCH", "LAUNCHED"): ("CONVERSION_END", "LAUNCH_START"),
    ("LAUNCH", "FAILED"): ("CONVERSION_END", "LAUNCH_START", "LAUNCH_FAILED"),
    ("TERMINATE", "TERMINATED"): ("CLEANUP_END",),
}


@dataclass
class Participant:
    """One source server's part in a job."""

    source_server_id: str
    launch_status: str = "PENDING"
    instance_id: str | None = None


@dataclass
class LogItem:
    at: float
    event: str
    data: dict


@dataclass
class Job:
    """An MGN job and its log (wire shape via ``render.job``)."""

    job_id: str
    arn: str
    type: str
    initiated_by: str
    created: float
    participants: dict[str, Participant]
    tags: dict[str, str] = field(default_factory=dict)
    status: str = "PENDING"
    ended: float | None = None
    log: list[LogItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.log.append(LogItem(self.created, "JOB_START", {}))

    @property
    def active(self) -> bool:
        return self.status != "COMPLETED"

    def begin(self, at: float) -> None:
        """PENDING -> STARTED: participants go IN_PROGRESS."""
        self.status = "STARTED"
        for participant in self.participants.values():
            participant.launch_status = "IN_PROGRESS"
            self.log.extend(LogItem(at, event, {"sourceServerID": participant.source_server_id})
                            for event in START_LOG[self.type])

    def finish(self, at: float, outcomes: dict[str, tuple[str, str | None]]) -> None:
        """STARTED -> COMPLETED with each server's (launchStatus, instance id)."""
        for server_id, (status, instance_id) in outcomes.items():
            participant = self.participants[server_id]
            participant.launch_status, participant.instance_id = status, instance_id
            data = {"sourceServerID": server_id} | ({"targetInstanceID": instance_id} if instance_id else {})
            events = END_LOG[(self.type, status)]
            self.log.extend(LogItem(at, event, data) for event in events[:-1])
            final = data | ({"rawError": "Target instance failed to boot"} if status == "FAILED" else {})
            self.log.append(LogItem(at, events[-1], final))
        self.status, self.ended = "COMPLETED", at
        self.log.append(LogItem(at, "JOB_END", {}))
