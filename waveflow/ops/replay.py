"""``waveflow events replay``: the archived waveflow events of a time window, sent to the bus again."""
from __future__ import annotations

from datetime import datetime

from .stack import OpsError, Stack


def replay(stack: Stack, start: datetime, end: datetime, name: str | None = None) -> dict:
    """Start a replay of the archive from ``start`` to ``end`` onto the stack's bus; its name and state."""
    if end <= start:
        raise OpsError(f"--to ({end.isoformat()}) must be after --from ({start.isoformat()})")
    events = stack.client("events")
    name = name or f"{stack.name}-{start:%Y%m%dT%H%M%S}-{end:%Y%m%dT%H%M%S}"[:64]
    started = events.start_replay(ReplayName=name, EventSourceArn=stack.output("EventArchiveArn"),
                                  EventStartTime=start, EventEndTime=end,
                                  Destination={"Arn": stack.output("EventBusArn")},
                                  Description=f"waveflow events replay of {stack.name}")
    described = events.describe_replay(ReplayName=name)
    return {"name": name, "arn": started.get("ReplayArn") or described.get("ReplayArn"),
            "state": described.get("State", started.get("State")), "from": start.isoformat(),
            "to": end.isoformat()}
