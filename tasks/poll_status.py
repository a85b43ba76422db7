"""PollStatus: how far is replication? Adds ``replication`` {ready, state, lagSeconds, backlogBytes, eta, stalled,
nextPollSeconds}; the workflow's Poll loop waits ``nextPollSeconds`` and asks again until ``ready``.

The status record gets the detail when the state or a verdict changes (not every poll: lag and ETA move all the
time). Lag goes out as the metric ``ReplicationLagSeconds``.

A stall gets one RetryDataReplication, and MGN then gets :data:`STALL_GRACE` (virtual time) to resume; a stall
that outlasts it raises ``ReplicationStalled``. The retry is noted on the status record *before* MGN is asked
(write-ahead), with a compare-and-set on the record's version: of two polls running at once, one retries and
the other leaves it to that one, and a crash between the note and the call cannot make a later poll retry
again. MGN refusing the retry because replication resumed meanwhile is no failure. Recovering from a stall
clears the note, so a later stall gets its own retry — up to :data:`MAX_STALL_RETRIES` in a migration; a stall
after those raises ``ReplicationStalled`` at once (a stall that comes back after each retry has a cause retrying
does not remove).

``nextPollSeconds`` follows MGN's ETA: the time left until it plus :data:`ETA_MARGIN_SECONDS`, so the next poll
lands just after the expected end instead of sampling the whole sync (the workflow's Poll bounds the wait by its
own interval and ``max_interval``, which is what still catches a stall during a long sync); after a stall's retry,
the rest of the grace MGN gets; without an ETA (catching up, snapshotting) the floor,
:data:`MIN_POLL_SECONDS`.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from tasks.lib import aws
from tasks.lib.errors import MgnConflict, ReplicationStalled, ValidationFailed
from tasks.lib.mgn import MgnGateway
from tasks.lib.observability import logger, metrics
from tasks.lib.stage import StageRun, stage
from tasks.lib.status import Status

#: Fields whose change is written to the status record; lag and ETA alone change on every poll.
RECORDED_ON_CHANGE = ("state", "ready", "stalled", "stallRetriedAt", "stallRetries", "error")
MIN_POLL_SECONDS = 60
ETA_MARGIN_SECONDS = 60
#: How long replication may stay stalled after RetryDataReplication before the migration gives up on it.
STALL_GRACE = timedelta(minutes=10)
#: Stalls retried in one migration before another stall fails it: a retried replication that stalls again
#: (re-initiated, then stuck at the same point) has a cause retrying does not remove.
MAX_STALL_RETRIES = 2


@stage("replication", requires=("sourceServerId",), runs_in={Status.MIGRATION_IN_PROGRESS})
def handler(document: dict, run: StageRun) -> dict:
    """One look at replication; a stall is retried once, and fails if it outlasts a grace period.

    The second look that counts is the first one at least :data:`STALL_GRACE` after the retry: looks before
    that still find MGN working on it.
    """
    mgn = MgnGateway()
    server_id = document["sourceServerId"]
    view = mgn.replication_view(mgn.source_server(server_id))
    retried_at = run.detail().get("stallRetriedAt")
    retries = int(run.detail().get("stallRetries") or 0)
    if view.stalled and retried_at and aws.now() - _parsed(retried_at) >= STALL_GRACE:
        raise ReplicationStalled(
            f"source server {server_id} replication is still stalled ({view.error or 'no error reported'}) "
            f"{int(STALL_GRACE.total_seconds())} s after RetryDataReplication at {retried_at}"
        )
    if view.stalled and not retried_at and retries >= MAX_STALL_RETRIES:
        raise ReplicationStalled(
            f"source server {server_id} replication stalled again ({view.error or 'no error reported'}) after "
            f"{retries} RetryDataReplication; its cause outlasts retrying"
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
        **({"stallRetries": retries} if retries else {}),
    }
    if view.stalled:
        since = aws.now() - _parsed(retried_at) if retried_at else timedelta(0)
        detail["nextPollSeconds"] = max(MIN_POLL_SECONDS, math.ceil((STALL_GRACE - since).total_seconds()))
    if view.stalled and not retried_at:
        detail.update(stallRetriedAt=detail["polledAt"], stallRetries=retries + 1)
        if run.claim(detail):  # the write-ahead note; lost to a concurrent poll, which retries instead
            _retry(mgn, server_id)
    else:
        if view.stalled:
            detail["stallRetriedAt"] = retried_at  # within the grace: MGN is still working on the retry
        if _worth_recording(run.detail(), detail):
            run.note(detail)
    if view.lag_seconds is not None:
        metrics.add_metric(name="ReplicationLagSeconds", unit="Seconds", value=view.lag_seconds)
    return detail


def _retry(mgn: MgnGateway, server_id: str) -> None:
    """RetryDataReplication; MGN refusing it because replication is no longer stalled is what the retry was for."""
    try:
        mgn.retry_replication(server_id)
    except (MgnConflict, ValidationFailed):
        if mgn.replication_view(mgn.source_server(server_id)).stalled:
            raise
        logger.info("replication resumed before RetryDataReplication; nothing to retry")


def _worth_recording(recorded: dict, detail: dict) -> bool:
    """Write the record when the state, a verdict or the stall note changes — not on every poll's new lag."""
    return any(recorded.get(key) != detail.get(key) for key in RECORDED_ON_CHANGE)


def next_poll_seconds(eta: datetime | str | None) -> int:
    """Seconds until the next poll: just past the ETA MGN gives, at least the floor; the floor without an ETA.

    >>> next_poll_seconds(None)
    60
    """
    if eta is None:
        return MIN_POLL_SECONDS
    if isinstance(eta, str):
        eta = _parsed(eta)
    remaining = (eta - aws.now()).total_seconds()
    return max(MIN_POLL_SECONDS, math.ceil(remaining) + ETA_MARGIN_SECONDS)


def _parsed(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def _iso(eta: datetime | str | None) -> str | None:
    return eta.isoformat().replace("+00:00", "Z") if isinstance(eta, datetime) else eta
