"""The emulated MGN account in one region: source servers, jobs, the agenda of pending changes, and events.

Everything that moves by itself (replication phases, job steps) is put on the ``Timeline`` and run in time order
by ``advance``; the emulator calls ``advance`` before serving each request, the twin may call it on its own
schedule (see ``next_due``) so MGN's EventBridge events fire at their virtual time even when nobody polls.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Callable

from .errors import ResourceNotFoundException
from .faults import FaultDice
from .instances import InstanceLauncher, SimulatedInstances
from .jobs import JOB_TIMINGS, Job, Participant
from .model import (GIB, SourceServer, default_launch_configuration, default_replication_configuration,
                    device_names, OS_PROFILES)
from .replication import Replication
from .seeded import Seeded
from .timeline import Timeline

EventListener = Callable[[dict], None]
MIB = 1024**2


class Estate:
    """State of one account+region of MGN, advanced lazily on a (possibly virtual) clock."""

    def __init__(self, clock: Callable[[], float], seeded: Seeded, dice: FaultDice, region: str, account: str,
                 initialized: bool) -> None:
        self.clock = clock
        self.seeded = seeded
        self.dice = dice
        self.region = region
        self.account = account
        self.initialized = initialized
        self.servers: dict[str, SourceServer] = {}
        self.jobs: dict[str, Job] = {}
        self.events: list[dict] = []
        self.listeners: list[EventListener] = []
        self.timeline = Timeline()
        self.instances: InstanceLauncher = SimulatedInstances(seeded)

    def arn(self, kind: str, resource_id: str) -> str:
        return f"arn:aws:mgn:{self.region}:{self.account}:{kind}/{resource_id}"

    def advance(self) -> int:
        """Apply every change due by now; returns how many ran."""
        return self.timeline.run_until(self.clock())

    # -- servers ---------------------------------------------------------------------------------------------
    def add_server(self, *, hostname: str, ip: str, os: str, disks_gib: tuple[float, ...],
                   source_server_id: str | None, replication_speed_mib_s: float | None,
                   tags: dict[str, str] | None, aws_instance_id: str | None = None) -> SourceServer:
        """Register a server whose agent was just installed; replication starts initiating at once."""
        if os not in OS_PROFILES:
            raise ValueError(f"os must be one of {sorted(OS_PROFILES)}, got {os!r}")
        if not disks_gib or any(size <= 0 for size in disks_gib):
            raise ValueError(f"disks_gib must list positive sizes, got {disks_gib!r}")
        if replication_speed_mib_s is not None and replication_speed_mib_s <= 0:
            raise ValueError(f"replication_speed_mib_s must be positive, got {replication_speed_mib_s!r}")
        if source_server_id is not None and not re.fullmatch(r"s-[0-9a-zA-Z]{17}", source_server_id):
            raise ValueError(f"source_server_id must be 's-' and 17 letters or digits, got {source_server_id!r}")
        if aws_instance_id is not None and not re.fullmatch(r"i-[0-9a-fA-F]{8,253}", aws_instance_id):
            raise ValueError(f"aws_instance_id must be an EC2 instance id ('i-' and hex digits), got {aws_instance_id!r}")
        server_id = source_server_id or self.seeded.hex_id("s-")
        if server_id in self.servers:
            raise ValueError(f"source server {server_id} already exists")
        now = self.clock()
        speed = replication_speed_mib_s or self.seeded.between(20.0, 60.0, "speed", server_id)
        replication = Replication(
            disks=tuple(int(size * GIB) for size in disks_gib),
            speed=speed * MIB,
            init_seconds=self.seeded.between(480.0, 900.0, "initiation", server_id),
            base_lag=round(self.seeded.between(0.5, 5.0, "lag", server_id), 3),
            stall=self.dice.stall(server_id, hostname),
            since=now,
        )
        devices = device_names(os, len(disks_gib))
        server = SourceServer(
            source_server_id=server_id, arn=self.arn("source-server", server_id), hostname=hostname, ip=ip, os=os,
            disks=replication.disks, added=now, replication=replication, tags=dict(tags or {}),
            aws_instance_id=aws_instance_id,
            launch_configuration=default_launch_configuration(server_id, hostname, self.seeded.hex_id("lt-")),
            replication_configuration=default_replication_configuration(
                server_id, hostname, devices, self.seeded.hex_id("subnet-")),
        )
        self.servers[server_id] = server
        self.track(server)
        return server

    def server(self, server_id: str) -> SourceServer:
        try:
            return self.servers[server_id]
        except KeyError:
            raise ResourceNotFoundException(f"Source server {server_id} not found", resourceId=server_id,
                                            resourceType="SOURCE_SERVER") from None

    def track(self, server: SourceServer) -> None:
        """(Re)schedule the end of the server's current replication phase after any change to it."""
        key = ("replication", server.source_server_id)
        due = server.replication.due()
        if due is None:
            self.timeline.cancel(key)
        else:
            self.timeline.schedule(key, due, lambda at: self._replication_step(server, at))

    def _replication_step(self, server: SourceServer, at: float) -> None:
        outcome = server.replication.fire(at)
        if outcome == "syncing" and server.first_byte is None:
            server.first_byte = at
        elif outcome == "stalled":
            self.emit("MGN Source Server Data Replication Stalled Change", server.arn, {"state": "STALLED"}, at)
        elif outcome == "synced" and server.lifecycle == "NOT_READY":
            server.lifecycle = "READY_FOR_TEST"
            if not server.announced_ready:
                server.announced_ready = True
                self.emit("MGN Source Server Lifecycle State Change", server.arn, {"state": "READY_FOR_TEST"}, at)
        self.track(server)

    # -- jobs ------------------------------------------------------------------------------------------------
    def create_job(self, job_type: str, initiated_by: str, server_ids: list[str], tags: dict[str, str],
                   on_finish: Callable[[Job, float], dict[str, tuple[str, str | None]]]) -> Job:
        """Create a PENDING job and schedule its start and completion; ``on_finish`` decides the outcomes."""
        job_id = self.seeded.hex_id("mgnjob-")
        now = self.clock()
        job = Job(job_id=job_id, arn=self.arn("job", job_id), type=job_type, initiated_by=initiated_by,
                  created=now, participants={sid: Participant(sid) for sid in server_ids}, tags=dict(tags))
        self.jobs[job_id] = job
        timing = JOB_TIMINGS[job_type]
        started = now + self.seeded.between(*timing.start_delay, "job-start", job_id)
        finished = started + self.seeded.between(*timing.run, "job-run", job_id)
        self.timeline.schedule(("job-start", job_id), started, job.begin)
        self.timeline.schedule(("job-end", job_id), finished, lambda at: job.finish(at, on_finish(job, at)))
        return job

    def job(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    # -- tags ------------------------------------------------------------------------------------------------
    def tagged(self, arn: str) -> dict[str, str]:
        """The live tag map of the source server or job named by ``arn``."""
        kind, _, resource_id = arn.rpartition(":")[2].partition("/")
        resource = {"source-server": self.servers, "job": self.jobs}.get(kind, {}).get(resource_id)
        if resource is None or resource.arn != arn:
            raise ResourceNotFoundException(f"Resource {arn} not found", resourceId=arn)
        return resource.tags

    # -- events ----------------------------------------------------------------------------------------------
    def emit(self, detail_type: str, resource_arn: str, detail: dict, at: float) -> None:
        """Publish one of MGN's EventBridge events (source ``aws.mgn``) to the listeners."""
        event = {
            "version": "0",
            "id": self.seeded.uuid("events"),
            "detail-type": detail_type,
            "source": "aws.mgn",
            "account": self.account,
            "time": datetime.fromtimestamp(at, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region,
            "resources": [resource_arn],
            "detail": detail,
        }
        self.events.append(event)
        for listener in self.listeners:
            listener(event)
