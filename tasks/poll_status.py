"""PollStatus: how far is replication? Adds ``replication`` {ready, state, lagSeconds, backlogBytes, eta, stalled,
nextPollSeconds}; the workflow's Poll loop waits ``nextPollSeconds`` and asks again until ``ready``.

The status record gets the detail when the state or a verdict changes (not every poll: lag and ETA move all the
time). A stall gets one RetryDataReplication; if the next poll still finds it stalled, ``ReplicationStalled``.
The retry is written to the status record *before* MGN is asked (write-ahead), so a crash between the two cannot
make the next poll retry a second time; recovering from a stall clears the note, so a later stall gets its
own retry. Lag goes out as the metric ``ReplicationLagSeconds``.

``nextPollSeconds`` follows MGN's ETA: half the time left (so the poll lands near the end without
overshooting much), between :data:`MIN_POLL_SECONDS` and :data:`MAX_POLL_SECONDS`; without an ETA (initiating,
stalled, catching up) the floor.
"""

from __future__ import annotations

from datetime import datetime

from tasks.lib import aws
from tasks.lib.errors import ReplicationStalled
from tasks.lib.mgn import MgnGateway
from tasks.lib.observability import metrics
from tasks.lib.stage import StageRun, stage
from tasks.lib.status import Status

#: Fields whose change is written to the status record; lag and ETA alone change on every poll.
RECORDED_ON_CHANGE = ("state", "ready", "stalled", "stallRetriedAt", "error")
MIN_POLL_SECONDS = 60
MAX_POLL_SECONDS = 900


@stage("replication", requires=("sourceServerId",), runs_in={Status.MIGRATION_IN_PROGRESS})
def handler(document: dict, run: StageRun) -> dict:
    """One look at replication; retries a stall once and fails on the second look."""
    mgn = MgnGateway()
    server_id = document["sourceServerId"]
    view = mgn.replication_view(mgn.source_server(server_id))
    retried_at = run.detail().get("stallRetriedAt")
    if view.stalled and retried_at:
        raise ReplicationStalled(
            f"source server {server_id} replication is still stalled ({view.error or 'no error reported'}) "
            f"after RetryDataReplication at {retried_at}"
        )
    detail = {
        "ready": bool(view.ready),
        "state": view.state,
        "lagSeconds": view.lag_seconds,
        "backlogBytes": view.backlog_bytes,
        "eta": _iso(view.eta),
        "stalled": bool(view.stalled),
        "error": view.error,
        "nextPollSeconds": 0 if view.ready else next_poll_seconds(view.eta),
        "polledAt": aws.iso_now(),
    }
    if view.stalled:
        detail["stallRetriedAt"] = detail["polledAt"]
    if _worth_recording(run.detail(), detail):
        run.note(detail)  # before the retry: a crash after it must not let the next poll retry again
    if view.stalled:
        mgn.retry_replication(server_id)
    if view.lag_seconds is not None:
        metrics.add_metric(name="ReplicationLagSeconds", unit="Seconds", value=view.lag_seconds)
    return detail


def _worth_recording(recorded: dict, detail: dict) -> bool:
    """Write the record when the state, a verdict or the stall note changes — not on every poll's new lag."""
    return any(recorded.get(key) != detail.get(key) for key in RECORDED_ON_CHANGE)


def next_poll_seconds(eta: datetime | str | None) -> int:
    """Seconds until the next poll: half of the time MGN expects to need, clamped; the floor without an ETA.

    >>> next_poll_seconds(None)
    60
    """
    if eta is None:
        return MIN_POLL_SECONDS
    if isinstance(eta, str):
        eta = datetime.fromisoformat(eta.replace("Z", "+00:00"))
    remaining = (eta - aws.now()).total_seconds()
    return int(min(MAX_POLL_SECONDS, max(MIN_POLL_SECONDS, remaining / 2)))


def _iso(eta: datetime | str | None) -> str | None:
    return eta.isoformat().replace("+00:00", "Z") if isinstance(eta, datetime) else eta
