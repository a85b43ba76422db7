"""Model objects -> MGN's wire shapes (``SourceServer``, ``Job``, ``JobLog``), as of a given time.

Only members of the botocore output shapes are produced, with MGN's string formats for times and durations;
absent values are left out rather than sent as null, as MGN does.
"""
from __future__ import annotations

from .jobs import Job
from .model import OS_PROFILES, RECOMMENDED_INSTANCE_TYPE, SourceServer, device_names
from .timefmt import iso_datetime, iso_duration


def _datetime(epoch: float | None) -> str | None:
    return None if epoch is None else iso_datetime(epoch)


def _compact(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value is not None}


def data_replication_info(server: SourceServer, now: float) -> dict:
    replication = server.replication
    fraction = replication.replicated(now) / replication.total
    devices = device_names(server.os, len(server.disks))
    steps = replication.initiation_steps(now)
    return _compact({
        "dataReplicationState": replication.state,
        "lagDuration": None if (lag := replication.lag(now)) is None else iso_duration(lag),
        "etaDateTime": _datetime(replication.eta(now)),
        "lastSnapshotDateTime": _datetime(replication.last_snapshot(now)),
        "replicatedDisks": [
            {"deviceName": device, "totalStorageBytes": size, "replicatedStorageBytes": int(size * fraction),
             "rescannedStorageBytes": 0, "backloggedStorageBytes": 0}
            for device, size in zip(devices, server.disks)
        ],
        "dataReplicationInitiation": {
            "startDateTime": iso_datetime(replication.initiation_started),
            "steps": [{"name": name, "status": status} for name, status in steps],
        },
        "dataReplicationError": None if replication.error is None else {
            "error": replication.error,
            "rawError": f"Data replication stalled: {replication.error}",
        },
    })


def life_cycle(server: SourceServer, now: float) -> dict:
    replicating = server.replication.state not in ("STOPPED", "DISCONNECTED")
    milestones = {
        name: {stage: _compact({"apiCallDateTime": iso_datetime(entry["apiCallDateTime"]),
                                "jobID": entry.get("jobID")})
               for stage, entry in stages.items()}
        for name, stages in server.milestones.items()
    }
    return _compact({
        "state": server.lifecycle,
        "addedToServiceDateTime": iso_datetime(server.added),
        "firstByteDateTime": _datetime(server.first_byte),
        "elapsedReplicationDuration": iso_duration(now - server.added),
        "lastSeenByServiceDateTime": iso_datetime(now if replicating else server.replication.since),
    }) | milestones


def source_properties(server: SourceServer) -> dict:
    profile = OS_PROFILES[server.os]
    hints = _compact({"hostname": server.hostname, "fqdn": f"{server.hostname}.corp.internal",
                      "awsInstanceID": server.aws_instance_id})
    return {
        "lastUpdatedDateTime": iso_datetime(server.added),
        "recommendedInstanceType": RECOMMENDED_INSTANCE_TYPE,
        "identificationHints": hints,
        "networkInterfaces": [{"macAddress": _mac(server.source_server_id), "ips": [server.ip], "isPrimary": True}],
        "disks": [{"deviceName": device, "bytes": size}
                  for device, size in zip(device_names(server.os, len(server.disks)), server.disks)],
        "cpus": [{"cores": 2, "modelName": profile.cpu_model}],
        "ramBytes": 8 * 1024**3,
        "os": {"fullString": profile.full_string},
    }


def _mac(server_id: str) -> str:
    digits = server_id[-12:]
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def source_server(server: SourceServer, now: float) -> dict:
    """The ``SourceServer`` structure DescribeSourceServers and the lifecycle operations return."""
    return _compact({
        "sourceServerID": server.source_server_id,
        "arn": server.arn,
        "isArchived": server.is_archived,
        "tags": dict(server.tags),
        "launchedInstance": None if server.launched_instance is None else dict(server.launched_instance),
        "dataReplicationInfo": data_replication_info(server, now),
        "lifeCycle": life_cycle(server, now),
        "sourceProperties": source_properties(server),
        "replicationType": server.replication_type,
    })


def job(item: Job) -> dict:
    """The ``Job`` structure of DescribeJobs, StartTest, StartCutover and TerminateTargetInstances."""
    return _compact({
        "jobID": item.job_id,
        "arn": item.arn,
        "type": item.type,
        "initiatedBy": item.initiated_by,
        "creationDateTime": iso_datetime(item.created),
        "endDateTime": _datetime(item.ended),
        "status": item.status,
        "participatingServers": [
            _compact({"sourceServerID": p.source_server_id, "launchStatus": p.launch_status,
                      "launchedEc2InstanceID": p.instance_id})
            for p in item.participants.values()
        ],
        "tags": dict(item.tags),
    })


def job_log_items(item: Job) -> list[dict]:
    return [_compact({"logDateTime": iso_datetime(entry.at), "event": entry.event,
                      "eventData": entry.data or None})
            for entry in item.log]
