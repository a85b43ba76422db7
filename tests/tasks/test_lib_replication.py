"""Reading MGN's dataReplicationInfo into one ReplicationView."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tasks.lib.replication import ReplicationView, duration_seconds


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT0S", 0.0), ("PT45S", 45.0), ("PT1M30S", 90.0), ("PT2H", 7200.0), ("P1DT2H3M4.5S", 93784.5), ("P1W", 604800.0),
     (None, None), ("", None), ("P", None), ("PT", None), ("P1DT", None), ("90", None), ("PT1X", None)],
)
def test_iso_8601_durations_become_seconds(text, seconds):
    assert duration_seconds(text) == seconds


def server(state="CONTINUOUS", lag="PT5S", backlog=(0, 0), eta=None, error=None) -> dict:
    info = {
        "dataReplicationState": state,
        "lagDuration": lag,
        "replicatedDisks": [{"backloggedStorageBytes": b, "totalStorageBytes": 10} for b in backlog],
    }
    if eta:
        info["etaDateTime"] = eta
    if error:
        info["dataReplicationError"] = error
    return {"sourceServerID": "s-0a1b2c3d4e5f60718", "dataReplicationInfo": info}


def test_continuous_replication_with_small_lag_and_no_backlog_is_ready():
    view = ReplicationView.of(server())
    assert (view.ready, view.state, view.lag_seconds, view.backlog_bytes, view.stalled) == (True, "CONTINUOUS", 5.0, 0, False)


@pytest.mark.parametrize(
    "not_ready",
    [server(lag="PT2M"), server(backlog=(0, 512)), server(lag=None), server(state="INITIAL_SYNC"), {"sourceServerID": "s-1"}],
)
def test_lag_backlog_unknown_lag_or_another_state_is_not_ready(not_ready):
    assert not ReplicationView.of(not_ready).ready


def test_the_ready_threshold_can_be_chosen():
    assert ReplicationView.of(server(lag="PT2M"), ready_lag_seconds=180).ready


def test_a_stall_carries_mgns_error_and_eta_is_a_datetime():
    view = ReplicationView.of(
        server(state="STALLED", eta="2026-01-01T05:00:00Z", error={"error": "AGENT_NOT_SEEN", "rawError": "no heartbeat"})
    )
    assert view.stalled and not view.ready
    assert view.error == "AGENT_NOT_SEEN: no heartbeat"
    assert view.eta == datetime(2026, 1, 1, 5, tzinfo=timezone.utc)
    assert view.backlog_bytes == 0
