"""PollStatus: progress, poll pacing, the lag metric, and the stall rule (one retry, then ReplicationStalled)."""

from __future__ import annotations

import json
import math
from datetime import datetime

import pytest
from stage_pipeline import SERVER_ID, calls, record_of

from tasks import poll_status
from tasks.lib import aws
from tasks.lib.errors import IllegalTransition, ReplicationStalled
from waveflow.local.mgn import FaultPlan

STALLED = FaultPlan(stall_servers=frozenset({SERVER_ID}))


def test_polls_until_ready_moving_the_clock_by_the_hint(pipeline, clock):
    pipeline.through("trigger")
    start = clock.now
    document = pipeline.replicate()
    replication = document["replication"]
    assert replication["ready"] and replication["state"] == "CONTINUOUS" and replication["nextPollSeconds"] == 0
    assert replication["lagSeconds"] is not None and replication["backlogBytes"] == 0
    assert pipeline.polls["replication"] >= 2 and clock.now > start
    assert record_of(document)["executionDetails"]["replication"]["ready"] is True
    assert record_of(document)["status"] == "MIGRATION_IN_PROGRESS"


def test_next_poll_lands_just_past_the_eta(pipeline, clock):
    pipeline.through("trigger")
    first = pipeline.run(poll_status.handler)["replication"]
    remaining = datetime.fromisoformat(first["eta"].replace("Z", "+00:00")).timestamp() - clock.now
    assert first["nextPollSeconds"] == math.ceil(remaining) + poll_status.ETA_MARGIN_SECONDS
    clock.advance(first["nextPollSeconds"])
    assert pipeline.run(poll_status.handler)["replication"]["ready"]  # one wait was enough
    assert poll_status.next_poll_seconds(None) == poll_status.MIN_POLL_SECONDS


def test_lag_goes_out_as_a_metric(pipeline, capsys):
    pipeline.through("replicate")
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"ReplicationLagSeconds"' in line]
    assert emf and emf[-1]["ReplicationLagSeconds"] == [pipeline.document["replication"]["lagSeconds"]]


@pytest.mark.parametrize("fault_plan", [STALLED])
def test_a_stall_is_retried_once_and_recovers(pipeline, emulator):
    pipeline.through("trigger")
    document = pipeline.replicate()
    assert document["replication"]["ready"]
    assert calls(emulator, "RetryDataReplication") == 1
    assert "stallRetriedAt" not in record_of(document)["executionDetails"]["replication"]


@pytest.mark.parametrize("fault_plan", [STALLED])
def test_a_stall_outlasting_the_grace_after_the_retry_raises_replication_stalled(pipeline, emulator, faults, clock):
    pipeline.through("trigger")
    faults.respond("mgn", "RetryDataReplication", {}, times=None)  # the retry does not reach MGN: it stays stalled
    polled_after_the_retry = []
    hints = []
    with pytest.raises(ReplicationStalled, match="still stalled .* 600 s after RetryDataReplication"):
        while True:
            replication = pipeline.run(poll_status.handler)["replication"]
            if replication.get("stallRetriedAt"):
                polled_after_the_retry.append(clock.now)
                hints.append(replication["nextPollSeconds"])
            clock.advance(poll_status.MIN_POLL_SECONDS)  # a Poll checking more often than the hint asks
    assert len(polled_after_the_retry) > 2  # later polls within the grace wait for MGN rather than give up
    assert hints[0] == poll_status.STALL_GRACE.total_seconds() and hints[1] == hints[0] - 60  # the rest of it
    assert clock.now - polled_after_the_retry[0] >= poll_status.STALL_GRACE.total_seconds()
    assert record_of(pipeline.document)["executionDetails"]["replication"]["stallRetriedAt"]
    assert calls(emulator, "RetryDataReplication") == 0


@pytest.mark.parametrize("fault_plan", [FaultPlan(stall_servers=frozenset({SERVER_ID}), stuck_stall_rate=1.0)])
def test_a_stall_that_comes_back_after_each_retry_fails_after_the_last_one(pipeline, emulator, clock):
    pipeline.through("trigger")
    with pytest.raises(ReplicationStalled, match="stalled again .* after 2 RetryDataReplication"):
        for _ in range(100):
            clock.advance(pipeline.run(poll_status.handler)["replication"]["nextPollSeconds"])
    assert calls(emulator, "RetryDataReplication") == poll_status.MAX_STALL_RETRIES
    assert record_of(pipeline.document)["executionDetails"]["replication"]["stallRetries"] == 2


def operator_retries_first(aws_mock):
    """Before the stage's RetryDataReplication leaves, someone else's retry ends the stall (through MGN itself)."""

    def retry(**_):
        aws_mock.client("mgn").retry_data_replication(sourceServerID=SERVER_ID)

    aws.client("mgn").meta.events.register_first("before-call.mgn.RetryDataReplication", retry)


@pytest.mark.parametrize("fault_plan", [STALLED])
@pytest.mark.parametrize("refusal", ["ValidationException", "ConflictException"])
def test_mgn_refusing_the_retry_because_the_stall_ended_meanwhile_is_no_failure(pipeline, faults, aws_mock, refusal):
    pipeline.through("trigger")
    operator_retries_first(aws_mock)  # then the emulator itself refuses the stage's retry (ValidationException)
    if refusal == "ConflictException":
        faults.fail("mgn", "RetryDataReplication", refusal, status=409)
    assert pipeline.replicate()["replication"]["ready"]


@pytest.mark.parametrize("fault_plan", [STALLED])
def test_of_two_concurrent_polls_only_one_retries_the_stall(pipeline, emulator):
    pipeline.through("trigger")
    concurrent: list[dict] = []
    started = []

    def second_poll_first(params, **_):
        """The first poll is about to write its stall note: a second poll runs in between, from start to end."""
        body = params.get("body") or b""
        if b"stallRetriedAt" in (body.encode() if isinstance(body, str) else body) and not started:
            started.append(True)
            concurrent.append(poll_status.handler(pipeline.document, pipeline.context)["replication"])

    aws.client("dynamodb").meta.events.register("before-call.dynamodb.UpdateItem", second_poll_first)
    assert pipeline.replicate()["replication"]["ready"]
    assert concurrent and concurrent[0]["stalled"]
    assert calls(emulator, "RetryDataReplication") == 1


def test_polling_before_the_trigger_is_refused(pipeline):
    pipeline.through("prepare")
    with pytest.raises(IllegalTransition, match="SOURCE_PREPARED"):
        pipeline.run(poll_status.handler)
