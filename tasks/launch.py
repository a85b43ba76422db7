"""Launch: the test and cutover instances, through MGN launch jobs. All four handlers run while the migration is
MIGRATION_IN_PROGRESS and keep their progress under ``launch``.

``start_test`` (skipped when ``testLaunch`` is false) and ``start_cutover`` start a LAUNCH job (and say when to
look at it first: ``nextPollSeconds``); ``poll_launch`` follows it until the instance is launched (``launch.done``, ``launch.instanceId``) or raises ``LaunchFailed``;
``mark_ready_for_cutover`` runs after the test instance was verified: lifecycle READY_FOR_CUTOVER.

Crash safety: before starting a job, the stage asks MGN whether the server is already in that launch
(lifecycle TESTING / CUTTING_OVER with ``lifeCycle.lastTest|lastCutover.initiated.jobID``) and adopts that job,
so a retry after StartTest/StartCutover went through does not launch a second instance. Likewise the
lifecycle change is skipped when MGN already shows it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tasks.lib import aws
from tasks.lib.errors import LaunchFailed
from tasks.lib.mgn import MgnGateway
from tasks.lib.stage import StageRun, field_value, stage
from tasks.lib.status import Status

IN_PROGRESS = {Status.MIGRATION_IN_PROGRESS}
#: MGN launches an instance in some six minutes (snapshot, conversion, boot): a started launch asks to be looked at
#: then (``launch.nextPollSeconds``), later looks come every minute.
TYPICAL_LAUNCH_SECONDS = 360
LAUNCH_POLL_SECONDS = 60
#: A participant's launchStatus that ends the launch without an instance.
FAILED_LAUNCH = frozenset({"FAILED", "TERMINATED"})


@dataclass(frozen=True)
class LaunchMode:
    """What distinguishes a test launch from a cutover launch."""

    name: str
    milestone: str
    in_flight: frozenset[str]
    start: Callable[[MgnGateway, str], dict]


MODES = {
    "test": LaunchMode("test", "lastTest", frozenset({"TESTING"}), MgnGateway.start_test),
    "cutover": LaunchMode("cutover", "lastCutover", frozenset({"CUTTING_OVER", "CUTOVER"}), MgnGateway.start_cutover),
}


@stage("launch", requires=("sourceServerId",), runs_in=IN_PROGRESS, idempotent_on=("sourceServerId", "testLaunch"))
def start_test(document: dict, run: StageRun) -> dict:
    """StartTest, unless ``testLaunch`` is false (then the launch is recorded as skipped and done)."""
    if document.get("testLaunch", True) is False:
        launch = {"mode": "test", "skipped": True, "done": True, "jobIds": []}
        run.note(launch)
        return launch
    return _start(document, run, MODES["test"])


@stage("launch", requires=("sourceServerId",), runs_in=IN_PROGRESS, idempotent_on=("sourceServerId",))
def start_cutover(document: dict, run: StageRun) -> dict:
    """StartCutover: the instance that will take over from the source."""
    return _start(document, run, MODES["cutover"])


def _start(document: dict, run: StageRun, mode: LaunchMode) -> dict:
    mgn = MgnGateway()
    server_id = document["sourceServerId"]
    server = mgn.source_server(server_id)
    job_id = _job_in_flight(server, mode)
    adopted = job_id is not None
    if not adopted:
        job_id = mode.start(mgn, server_id)["jobID"]
    previous = document.get("launch") or {}
    launch = {
        "mode": mode.name,
        "jobId": job_id,
        "done": False,
        "startedAt": aws.iso_now(),
        "nextPollSeconds": TYPICAL_LAUNCH_SECONDS,
        "adoptedRunningJob": adopted,
        "jobIds": [*previous.get("jobIds", []), job_id],
        **({"test": _summary(previous)} if mode.name == "cutover" and previous else {}),
    }
    run.note(launch)
    return launch


def _next_poll(job: dict) -> int:
    """Seconds until the next look at a running launch job: until it is typically done, then every minute."""
    created = job.get("creationDateTime")
    if not created:
        return LAUNCH_POLL_SECONDS
    elapsed = (aws.now() - datetime.fromisoformat(created.replace("Z", "+00:00"))).total_seconds()
    return max(LAUNCH_POLL_SECONDS, math.ceil(TYPICAL_LAUNCH_SECONDS - elapsed))


def _job_in_flight(server: dict, mode: LaunchMode) -> str | None:
    """The job of a launch of this mode MGN is already in, if any."""
    if field_value(server, "lifeCycle.state") not in mode.in_flight:
        return None
    return field_value(server, f"lifeCycle.{mode.milestone}.initiated.jobID")


def _summary(launch: dict) -> dict:
    keep = ("jobId", "instanceId", "skipped")
    return {key: launch[key] for key in keep if key in launch}


@stage("launch", requires=("sourceServerId", "launch.mode"), runs_in=IN_PROGRESS)
def poll_launch(document: dict, run: StageRun) -> dict:
    """One look at the launch job: ``done`` with ``instanceId`` once launched; ``LaunchFailed`` if it failed."""
    launch = dict(document["launch"])
    if launch.get("done"):
        return launch
    server_id = document["sourceServerId"]
    job = MgnGateway().job(launch["jobId"])
    participant = next(
        (p for p in job.get("participatingServers", []) if p.get("sourceServerID") == server_id), {}
    )
    launch_status = participant.get("launchStatus", "PENDING")
    if launch_status in FAILED_LAUNCH or (job.get("status") == "COMPLETED" and launch_status != "LAUNCHED"):
        raise LaunchFailed(
            f"{launch['mode']} launch job {launch['jobId']} of source server {server_id} ended "
            f"with launch status {launch_status} (job {job.get('status')})"
        )
    done = launch_status == "LAUNCHED" and bool(participant.get("launchedEc2InstanceID"))
    launch.update(
        done=done,
        jobStatus=job.get("status"),
        launchStatus=launch_status,
        nextPollSeconds=0 if done else _next_poll(job),
        **({"instanceId": participant["launchedEc2InstanceID"]} if done else {}),
    )
    if done:
        run.note(launch)
    return launch


@stage(
    "launch",
    requires=("sourceServerId", "launch.mode"),
    runs_in=IN_PROGRESS,
    idempotent_on=("sourceServerId", "launch.jobId"),
)
def mark_ready_for_cutover(document: dict, run: StageRun) -> dict:
    """Lifecycle READY_FOR_CUTOVER after the test instance passed; skipped when MGN already shows it.

    The test instance is left to MGN: launching the cutover instance replaces it, and a TERMINATE job
    started here would make MGN refuse StartCutover until it finished.
    """
    mgn = MgnGateway()
    server_id = document["sourceServerId"]
    already = field_value(mgn.source_server(server_id), "lifeCycle.state") == "READY_FOR_CUTOVER"
    if not already:
        mgn.mark_ready_for_cutover(server_id)
    launch = {**document["launch"], "readyForCutover": True}
    run.note(launch)
    return launch
