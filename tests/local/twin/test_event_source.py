"""The SQS event source mapping on the twin's clock: batches, Lambda's event shape, partial batch failures that
return after the visibility timeout of virtual time, and the queue's redrive to its DLQ."""

from __future__ import annotations

import pytest
from twin_stacks import small_stack

from waveflow.local.twin.twin import LocalTwin


@pytest.fixture
def twin(moto_session, handler_calls):
    with LocalTwin(small_stack(), moto_session) as twin:
        yield twin


def _send(twin, *bodies: str) -> None:
    sqs = twin.session.client("sqs")
    for body in bodies:
        sqs.send_message(QueueUrl=twin.stack.queue_url("work"), MessageBody=body,
                         MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}})


def _depth(twin, queue: str) -> int:
    attributes = twin.session.client("sqs").get_queue_attributes(
        QueueUrl=twin.stack.queue_url(queue), AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_messages_are_fed_in_batches_after_the_batching_window_and_deleted(twin, handler_calls):
    start = twin.clock.now()
    _send(twin, *[f"m{n}" for n in range(7)])
    twin.run()

    batches = [[r["body"] for r in call["event"]["Records"]] for call in handler_calls.CALLS]
    assert [len(b) for b in batches] == [3, 3, 1] and sorted(sum(batches, [])) == [f"m{n}" for n in range(7)]
    # waited the batching window once, then drained the queue (each invocation holds a slot for its billed ms)
    assert 10 <= twin.clock.now() - start < 11
    assert _depth(twin, "work") == 0 and not twin.scheduler.pending()


def test_the_event_has_lambdas_sqs_record_shape(twin, handler_calls):
    _send(twin, "hello")
    sent_at = twin.clock.now()
    twin.run()

    [record] = handler_calls.CALLS[0]["event"]["Records"]
    assert set(record) == {"messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
                           "md5OfMessageAttributes", "eventSource", "eventSourceARN", "awsRegion"}
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == (
        "aws:sqs", "arn:aws:sqs:us-east-1:123456789012:work", "us-east-1")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["attributes"]["SentTimestamp"] == str(int(sent_at * 1000))  # the virtual clock, not the wall
    assert record["attributes"]["ApproximateFirstReceiveTimestamp"] == str(int((sent_at + 10) * 1000))
    assert record["messageAttributes"] == {"origin": {"stringValue": "test", "stringListValues": [],
                                                      "binaryListValues": [], "dataType": "String"}}


def test_a_reported_failure_comes_back_after_the_visibility_timeout_of_virtual_time(twin, handler_calls):
    handler_calls.FAILURES["flaky"] = 1
    _send(twin, "flaky", "fine")
    start = twin.clock.now()
    twin.run()

    bodies = [([r["body"] for r in call["event"]["Records"]], call["event"]["Records"][0]["attributes"])
              for call in handler_calls.CALLS]
    assert [b for b, _ in bodies] == [["flaky", "fine"], ["flaky"]]
    assert bodies[1][1]["ApproximateReceiveCount"] == "2"
    # the window, then the queue's visibility timeout (and the second invocation's billed milliseconds)
    assert 130 <= twin.clock.now() - start < 131
    assert [o.failed for o in twin.event_sources[0].batches] == [(twin.event_sources[0].batches[0].message_ids[0],),
                                                                 ()]
    assert _depth(twin, "work") == 0


def test_a_record_failing_more_than_max_receive_count_times_is_moved_to_the_dlq(twin, handler_calls):
    handler_calls.FAILURES["poison"] = 99
    _send(twin, "poison")
    twin.run()

    assert len(handler_calls.CALLS) == 2  # maxReceiveCount 2: the third receive redrives it
    assert _depth(twin, "work") == 0
    [dead] = twin.session.client("sqs").receive_message(QueueUrl=twin.stack.queue_url("work-dlq"))["Messages"]
    assert dead["Body"] == "poison"


@pytest.mark.parametrize("function", ["BrokenReport", "Crash"])
def test_a_malformed_report_or_a_failed_invocation_returns_the_whole_batch(moto_session, handler_calls, function):
    from twin_stacks import small_stack
    from waveflow.local.twin.stack import EventSourceMapping
    stack = small_stack(event_source_mappings=(EventSourceMapping(function, "work", batch_size=2),))
    with LocalTwin(stack, moto_session) as twin:
        _send(twin, "a", "b")
        twin.run()
        assert [len(call["event"]["Records"]) for call in handler_calls.CALLS] == [2, 2]
        assert [len(o.failed) for o in twin.event_sources[0].batches] == [2, 2]
        assert _depth(twin, "work-dlq") == 2


def test_an_idle_mapping_schedules_nothing(twin):
    twin.run()
    assert not twin.scheduler.pending() and twin.event_sources[0].batches == []
