"""EventBridge in the twin: PutEvents answered at the wire, rule patterns as the user guide defines them, target
input transformers, asynchronous Lambda delivery with its retries and dead-letter queues."""

from __future__ import annotations

import json

import pytest
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse
from twin_stacks import small_stack

from waveflow.local.twin.patterns import EventPattern, InvalidEventPattern
from waveflow.local.twin.stack import Target
from waveflow.local.twin.transform import target_input, transformed
from waveflow.local.twin.twin import LocalTwin
from waveflow.local.twin.wire import parsed_reply

EVENT = {"version": "0", "id": "e-1", "detail-type": "MigrationFailed", "source": "waveflow.migration",
         "account": "123456789012", "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [],
         "detail": {"wave": "7", "attempt": 3, "tags": ["web", "prod"], "ip": "10.1.2.3", "note": None,
                    "disks": [{"size": 100, "kind": "gp3"}, {"size": 20, "kind": "io2"}], "host": "Web-01.corp"}}


@pytest.mark.parametrize("pattern, matches", [
    ({"detail-type": ["MigrationSucceeded", "MigrationFailed"]}, True),
    ({"source": ["waveflow.migration"], "detail-type": ["MigrationRequested"]}, False),
    ({"detail": {"tags": ["prod"]}}, True),                                   # any element of an array
    ({"detail": {"disks": {"kind": ["io2"]}}}, True),                          # arrays of objects, flattened
    ({"detail": {"disks": {"size": [{"numeric": [">", 50]}], "kind": ["io2"]}}}, True),
    ({"detail": {"disks": {"kind": ["st1"]}}}, False),
    ({"detail": {"attempt": [3.0]}}, True),                                   # numbers compare as numbers
    ({"detail": {"attempt": ["3"]}}, False),
    ({"detail": {"attempt": [{"numeric": [">=", 1, "<", 3]}]}}, False),
    ({"detail": {"missing": [{"exists": False}]}}, True),
    ({"detail": {"note": [{"exists": True}]}, "source": ["waveflow.migration"]}, True),
    ({"detail": {"note": [None]}}, True),
    ({"detail": {"missing": [{"anything-but": "x"}]}}, False),                 # absent: only exists:false matches
    ({"detail": {"wave": [{"anything-but": ["8", "9"]}]}}, True),
    ({"detail": {"host": [{"prefix": {"equals-ignore-case": "web-"}}]}}, True),
    ({"detail": {"host": [{"suffix": ".corp"}]}}, True),
    ({"detail": {"host": [{"wildcard": "Web-*.corp"}]}}, True),
    ({"detail": {"host": [{"equals-ignore-case": "WEB-01.CORP"}]}}, True),
    ({"detail": {"ip": [{"cidr": "10.1.0.0/16"}]}}, True),
    ({"detail": {"ip": [{"cidr": "10.2.0.0/16"}]}}, False),
    ({"$or": [{"detail-type": ["Nope"]}, {"detail": {"wave": ["7"]}}]}, True),
    ({"detail": ["7"]}, False),                                               # a leaf list never matches an object
])
def test_event_patterns_match_as_the_user_guide_defines(pattern, matches):
    assert EventPattern(pattern).matches(EVENT) is matches


@pytest.mark.parametrize("pattern, message", [
    ({}, "non-empty JSON object"),
    ({"source": "waveflow.migration"}, "source: must be an object or a non-empty list"),
    ({"detail": {"n": [{"numeric": [">", "x"]}]}}, "detail.n: numeric"),
    ({"detail": {"n": [{"regex": "x"}]}}, "detail.n: unknown condition"),
    ({"$or": [{"a": ["b"]}]}, "at least two patterns"),
])
def test_a_malformed_pattern_is_refused_naming_where(pattern, message):
    with pytest.raises(InvalidEventPattern, match=message):
        EventPattern(pattern)


def test_input_transformers_fill_json_values_outside_strings_and_text_inside():
    transformer = {"InputPathsMap": {"wave": "$.detail.wave", "tags": "$.detail.tags", "none": "$.detail.absent"},
                   "InputTemplate": '{"wave": <wave>, "tags": <tags>, "text": "wave \\"<wave>\\" of <none>", '
                                    '"gone": <none>, "rule": "<aws.events.rule-name>"}'}
    out = transformed(EVENT, transformer, {"aws.events.rule-name": "r1"})
    assert out == {"wave": "7", "tags": ["web", "prod"], "text": 'wave "7" of ', "gone": None, "rule": "r1"}
    # EventBridge does not escape what it puts inside a string: a list there makes the result text, not JSON
    assert transformed(EVENT, {**transformer, "InputTemplate": '{"t": "<tags>"}'}, {}) == '{"t": "["web", "prod"]"}'
    assert transformed(EVENT, {"InputTemplate": '{"e": <aws.events.event.json>}'}, {}) == {"e": EVENT}
    assert transformed(EVENT, {"InputPathsMap": {"w": "$.detail.wave"}, "InputTemplate": '"wave <w> failed"'},
                       {}) == "wave 7 failed"


def test_constant_input_and_input_path_are_delivered_as_given():
    assert target_input(EVENT, Target("t", "arn", input='{"fixed": 1}'), {}) == {"fixed": 1}
    assert target_input(EVENT, Target("t", "arn", input_path="$.detail.tags"), {}) == ["web", "prod"]
    assert target_input(EVENT, Target("t", "arn"), {}) is EVENT


@pytest.fixture
def twin(moto_session, handler_calls):
    with LocalTwin(small_stack(), moto_session) as twin:
        yield twin


def _put(twin, *details: dict, detail_type: str = "Noted", bus: str = "bus") -> dict:
    return twin.session.client("events").put_events(Entries=[
        {"Source": "test", "DetailType": detail_type, "Detail": json.dumps(d), "EventBusName": bus}
        for d in details])


def _messages(twin, queue: str) -> list[dict]:
    return twin.session.client("sqs").receive_message(QueueUrl=twin.stack.queue_url(queue), MaxNumberOfMessages=10,
                                                       MessageAttributeNames=["All"]).get("Messages", [])


def test_a_matching_event_reaches_every_target_after_the_call_and_the_bus_keeps_it(twin, handler_calls):
    answer = _put(twin, {"id": "n-1"})
    assert handler_calls.CALLS == []  # delivered on the clock's next turn, never inside the caller
    twin.run()

    [event] = twin.eventbridge.events
    assert answer["FailedEntryCount"] == 0 and answer["Entries"] == [{"EventId": event["id"]}]
    assert (event["source"], event["detail-type"], event["detail"]) == ("test", "Noted", {"id": "n-1"})
    [call] = handler_calls.CALLS
    assert call["event"] == event and call["function"] == "Recorder"
    [copy] = _messages(twin, "copies")
    assert json.loads(copy["Body"]) == {"copied": "n-1", "rule": "to-recorder"}


def test_an_event_matching_no_rule_is_kept_and_delivered_nowhere(twin, handler_calls):
    _put(twin, {"id": "n-2"}, detail_type="Other")
    twin.run()
    assert len(twin.eventbridge.events) == 1 and handler_calls.CALLS == []


def test_entries_eventbridge_refuses_are_reported_one_by_one(twin):
    events = twin.session.client("events")
    answer = events.put_events(Entries=[
        {"Source": "test", "DetailType": "Noted", "Detail": "not json", "EventBusName": "bus"},
        {"Source": "test", "DetailType": "Noted", "Detail": "{}", "EventBusName": "nobody"},
        {"Source": "test", "DetailType": "Noted", "Detail": "{}", "EventBusName": "arn:aws:events:us-east-1:"
                                                                                "123456789012:event-bus/bus"}])
    assert answer["FailedEntryCount"] == 2
    assert [e.get("ErrorCode") for e in answer["Entries"]] == ["MalformedDetail", "ResourceNotFoundException", None]
    text = AWSResponse("https://events", 200, answer["ResponseMetadata"]["HTTPHeaders"],
                       MockRawResponse(json.dumps({k: v for k, v in answer.items() if k != "ResponseMetadata"}).encode()))
    assert answer == parsed_reply(events.meta.service_model.operation_model("PutEvents"), text)  # as botocore parses it
    assert events.describe_event_bus(Name="bus")["Name"] == "bus"  # other calls still go to moto


def test_a_failing_function_is_retried_after_one_and_two_minutes_then_dead_lettered(twin, handler_calls):
    handler_calls.FAILURES["boom"] = 99
    start = twin.clock.now()
    _put(twin, {"fail": "boom"})
    twin.run()

    recorder = [c for c in handler_calls.CALLS if c["function"] == "Recorder"]
    assert len(recorder) == 3 and twin.clock.now() - start == 180
    [dead] = _messages(twin, "async-dlq")
    assert json.loads(dead["Body"])["detail"] == {"fail": "boom"}
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["ErrorCode"] == "200" and "failing on purpose for boom" in attributes["ErrorMessage"]
    assert attributes["RequestID"] == recorder[-1]["request_id"]


def test_a_target_function_that_does_not_exist_is_dead_lettered_by_eventbridge_without_retries(twin):
    _put(twin, {"id": "n-3"})
    twin.run()
    [dead] = _messages(twin, "events-dlq")
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == "arn:aws:events:us-east-1:123456789012:rule/bus/to-recorder"
    assert attributes["TARGET_ARN"].endswith(":function:Ghost")
    assert (attributes["ERROR_CODE"], attributes["RETRY_ATTEMPTS"]) == ("ResourceNotFoundException", "0")
    assert json.loads(dead["Body"])["detail"] == {"id": "n-3"}


def test_a_rule_target_the_twin_cannot_deliver_to_is_refused_when_it_comes_up(moto_session):
    from waveflow.local.twin.stack import Rule
    stack = small_stack(rules=(Rule("r", "bus", {"source": ["x"]},
                                    (Target("sm", "arn:aws:states:us-east-1:123456789012:stateMachine:X"),)),))
    with pytest.raises(ValueError, match="target sm .*: the local twin delivers to Lambda functions and SQS"):
        with LocalTwin(stack, moto_session):  # a twin that cannot come up goes down again, leaving nothing behind
            pass
