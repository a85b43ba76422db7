"""The actions MGN takes on source servers, with the refusals MGN answers when the state does not allow them.

Every refusal raises ``Refused`` naming the server, what it is in and what the action needs; the protocol turns
it into the operation's own error type (ConflictException, or ValidationException where MGN uses that).
"""
from __future__ import annotations

from .errors import Refused, ValidationException
from .estate import Estate
from .jobs import Job
from .model import (ARCHIVABLE_FROM, LAUNCH_KINDS, LIFECYCLE_TARGETS, MILESTONE_OF_CHANGE, TERMINATE_REFUSED_IN,
                    SourceServer)


def _refuse(server: SourceServer, reason: str) -> Refused:
    return Refused(f"Source server {server.source_server_id} {reason}", resource_id=server.source_server_id)


def require_no_running_job(estate: Estate, server: SourceServer) -> None:
    job = estate.job(server.active_job_id) if server.active_job_id else None
    if job is not None and job.active:
        raise _refuse(server, f"has job {job.job_id} still {job.status}")


def _require_not_archived(server: SourceServer) -> None:
    if server.is_archived:
        raise _refuse(server, "is archived")


def _participants(estate: Estate, server_ids: list[str]) -> list[SourceServer]:
    """The servers a job names, once each; unknown ids are a bad request (these operations have no 404)."""
    missing = [(index, server_id) for index, server_id in enumerate(server_ids) if server_id not in estate.servers]
    if missing:
        raise ValidationException(
            f"Unknown source server(s): {', '.join(server_id for _, server_id in missing)}",
            reason="fieldValidationFailed",
            fieldList=[{"name": f"sourceServerIDs[{index}]", "message": f"source server {server_id} not found"}
                       for index, server_id in missing])
    return [estate.servers[server_id] for server_id in dict.fromkeys(server_ids)]


def launch(estate: Estate, server_ids: list[str], initiated_by: str, tags: dict[str, str]) -> Job:
    """StartTest / StartCutover: check every server, then one LAUNCH job for all of them."""
    kind = LAUNCH_KINDS[initiated_by]
    servers = _participants(estate, server_ids)
    for server in servers:
        _require_not_archived(server)
        if server.lifecycle not in kind.allowed_from:
            raise _refuse(server, f"is {server.lifecycle}; {kind.operation} needs one of "
                                  f"{', '.join(sorted(kind.allowed_from))}")
        if not server.launchable:
            raise _refuse(server, f"is not launchable yet (lagDuration unset; data replication "
                                  f"{server.replication.state})")
        require_no_running_job(estate, server)
    job = estate.create_job("LAUNCH", initiated_by, [s.source_server_id for s in servers], tags,
                            lambda job, at: _launch_outcomes(estate, job, at))
    for server in servers:
        replaced = (server.launched_instance or {}).get("ec2InstanceID")
        if replaced:  # a server has one target instance: a new launch replaces the previous one
            estate.instances.terminate(replaced)
        server.lifecycle = kind.enters
        server.active_job_id = job.job_id
        server.record_milestone(kind.milestone, "initiated", job.created, job.job_id)
        server.launched_instance = {"jobID": job.job_id, "firstBoot": "WAITING"}
    return job


def _launch_outcomes(estate: Estate, job: Job, at: float) -> dict[str, tuple[str, str | None]]:
    """Decide each participant's launch (faults may fail it), update its server and publish the result."""
    kind = LAUNCH_KINDS[job.initiated_by]
    outcomes = {}
    for server_id in job.participants:
        server = estate.servers.get(server_id)
        failed = server is None or estate.dice.launch_fails(server_id, server.hostname, job.job_id)
        instance_id = None if failed else estate.instances.launch(server, job)
        outcomes[server_id] = ("FAILED", None) if failed else ("LAUNCHED", instance_id)
        if server is None:
            continue
        server.active_job_id = None
        server.launched_instance = {"jobID": job.job_id, "firstBoot": "UNKNOWN" if failed else "SUCCEEDED"} | (
            {} if failed else {"ec2InstanceID": instance_id})
        state = f"{kind.result_prefix}_LAUNCH_{'FAILED' if failed else 'SUCCEEDED'}"
        estate.emit("MGN Source Server Launch Result", server.arn, {"state": state, "job-id": job.job_id}, at)
    return outcomes


def terminate(estate: Estate, server_ids: list[str], tags: dict[str, str]) -> Job:
    """TerminateTargetInstances: a TERMINATE job for the servers' launched instances."""
    servers = _participants(estate, server_ids)
    for server in servers:
        if server.lifecycle in TERMINATE_REFUSED_IN:
            raise _refuse(server, f"is {server.lifecycle}; its target instances cannot be terminated in "
                                  f"{', '.join(sorted(TERMINATE_REFUSED_IN))}")
        if not (server.launched_instance or {}).get("ec2InstanceID"):
            raise _refuse(server, "has no launched target instance")
        require_no_running_job(estate, server)
    job = estate.create_job("TERMINATE", "TERMINATE", [s.source_server_id for s in servers], tags,
                            lambda job, at: _terminate_outcomes(estate, job))
    for server in servers:
        server.active_job_id = job.job_id
    return job


def _terminate_outcomes(estate: Estate, job: Job) -> dict[str, tuple[str, str | None]]:
    outcomes = {}
    for server_id in job.participants:
        server = estate.servers.get(server_id)
        instance = (server.launched_instance or {}) if server else {}
        outcomes[server_id] = ("TERMINATED", instance.get("ec2InstanceID"))
        if instance.get("ec2InstanceID"):
            estate.instances.terminate(instance["ec2InstanceID"])
        if server is not None:
            server.launched_instance, server.active_job_id = None, None
    return outcomes


def change_lifecycle(estate: Estate, server: SourceServer, target: str) -> None:
    """ChangeServerLifeCycleState: only for launchable servers, only along ``LIFECYCLE_TARGETS``."""
    _require_not_archived(server)
    if not server.launchable:
        raise _refuse(server, f"is not launchable (lagDuration unset; data replication "
                              f"{server.replication.state}); its lifecycle cannot be changed")
    allowed = LIFECYCLE_TARGETS[target]
    if server.lifecycle not in allowed:
        raise _refuse(server, f"is {server.lifecycle}; {target} can be set from {', '.join(sorted(allowed))}")
    milestone = MILESTONE_OF_CHANGE.get((server.lifecycle, target))
    if milestone:
        server.record_milestone(*milestone, estate.clock())
    server.lifecycle = target


def finalize_cutover(estate: Estate, server: SourceServer) -> None:
    """FinalizeCutover: CUTTING_OVER with a launched cutover instance -> CUTOVER, replication disconnected."""
    if server.lifecycle != "CUTTING_OVER":
        raise _refuse(server, f"is {server.lifecycle}; FinalizeCutover needs CUTTING_OVER")
    if not (server.launched_instance or {}).get("ec2InstanceID"):
        raise _refuse(server, "has no launched cutover instance to finalize")
    require_no_running_job(estate, server)
    now = estate.clock()
    server.record_milestone("lastCutover", "finalized", now)
    server.lifecycle = "CUTOVER"
    server.replication.disconnect(now)
    estate.track(server)


def mark_archived(server: SourceServer) -> None:
    if server.lifecycle not in ARCHIVABLE_FROM:
        raise _refuse(server, f"is {server.lifecycle}; only {' or '.join(sorted(ARCHIVABLE_FROM))} "
                              "servers can be archived")
    server.is_archived = True


def disconnect(estate: Estate, server: SourceServer) -> None:
    """DisconnectFromService: replication ends; a cut-over server stays CUTOVER, any other becomes DISCONNECTED."""
    require_no_running_job(estate, server)
    server.replication.disconnect(estate.clock())
    if server.lifecycle != "CUTOVER":
        server.lifecycle = "DISCONNECTED"
    estate.track(server)


def delete(estate: Estate, server: SourceServer) -> None:
    """DeleteSourceServer: only once the server is disconnected from the service."""
    if server.replication.state != "DISCONNECTED":
        raise _refuse(server, f"is {server.lifecycle} (data replication {server.replication.state}); "
                              "disconnect it from the service before deleting it")
    del estate.servers[server.source_server_id]


# Replication control operation -> (method on Replication, lifecycle it moves the server from -> to).
REPLICATION_CONTROLS = {
    "PauseReplication": ("pause", {}),
    "ResumeReplication": ("resume", {}),
    "StopReplication": ("stop", {"NOT_READY": "STOPPED", "READY_FOR_TEST": "STOPPED"}),
    "StartReplication": ("start", {"STOPPED": "NOT_READY"}),
    "RetryDataReplication": ("retry", {}),
}


def control_replication(estate: Estate, server: SourceServer, operation: str) -> None:
    """Pause/Resume/Stop/Start/RetryDataReplication, refused unless the replication state allows it."""
    _require_not_archived(server)
    method, lifecycle_moves = REPLICATION_CONTROLS[operation]
    was_stalled = server.replication.state == "STALLED"
    try:
        getattr(server.replication, method)(estate.clock())
    except Refused as refusal:
        raise _refuse(server, refusal.message) from None
    server.lifecycle = lifecycle_moves.get(server.lifecycle, server.lifecycle)
    estate.track(server)
    if was_stalled and server.replication.state != "STALLED":
        estate.emit("MGN Source Server Data Replication Stalled Change", server.arn, {"state": "NOT_STALLED"},
                    estate.clock())
