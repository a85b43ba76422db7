"""Every invalid message reaches the DLQ with its reason, whatever its size: the DLQ's limit is read from the queue,
attributes count toward it, and a body that cannot fit is stored in S3 under its SHA-256 with a pointer."""

from __future__ import annotations

import hashlib
import json

import pytest

from tasks import ingress
from tasks.lib import aws

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")
KIB = 1024


def sqs_size(message: dict) -> int:
    """What SQS counts toward MaximumMessageSize (body and every attribute's name, type and value), written apart."""
    return len(message["body"].encode()) + sum(
        len(name.encode()) + len("String") + len(value.encode()) for name, value in message["attributes"].items()
    )


def limit_dlq(infra, size: int) -> None:
    infra.session.client("sqs").set_queue_attributes(QueueUrl=infra.dlq.url, Attributes={"MaximumMessageSize": str(size)})


def stored_body(infra, pointer: dict) -> bytes:
    return infra.session.client("s3").get_object(Bucket=pointer["bucket"], Key=pointer["key"])["Body"].read()


@pytest.mark.parametrize(
    ("queue_limit", "body_size"), [(256 * KIB, 300_000), (1024 * KIB, int(1.1 * 1024 * KIB))], ids=["300KB", "1.1MiB"]
)
def test_a_body_too_large_for_the_dlq_is_stored_in_s3_and_the_reason_still_arrives(
    infra, sqs_event, lambda_context, queue_limit, body_size
):
    limit_dlq(infra, queue_limit)
    body = '{"appName": "' + "x" * body_size + '"}'
    event = sqs_event(body)
    assert ingress.handler(event, lambda_context) == {"batchItemFailures": []}
    [message] = infra.dlq.messages()
    assert message["attributes"]["waveflow.reason"].startswith("appName: ")
    assert message["attributes"]["waveflow.bodyEncoding"] == "s3"
    assert message["attributes"]["waveflow.sourceMessageId"] == event["Records"][0]["messageId"]
    pointer = json.loads(message["body"])
    digest = hashlib.sha256(body.encode()).hexdigest()
    assert pointer == {"bucket": "waveflow-payloads", "key": f"dead-letters/{digest}", "sha256": digest,
                       "bytes": len(body.encode())}
    assert stored_body(infra, pointer) == body.encode()
    assert sqs_size(message) <= queue_limit


def test_the_attributes_count_toward_the_limit(infra, sqs_event, lambda_context):
    """A body that alone fits the queue, but not beside its reason and attributes, goes to S3."""
    limit_dlq(infra, 4 * KIB)
    fits_alone = "[" + "1," * (2 * KIB - 10) + "1]"
    assert len(fits_alone) < 4 * KIB
    ingress.handler(sqs_event(fits_alone), lambda_context)
    [message] = infra.dlq.messages()
    assert message["attributes"]["waveflow.bodyEncoding"] == "s3"
    assert stored_body(infra, json.loads(message["body"])) == fits_alone.encode()


def test_a_body_that_fits_beside_its_attributes_goes_unchanged(infra, sqs_event, lambda_context):
    limit_dlq(infra, 4 * KIB)
    body = "[" + "1," * (1 * KIB) + "1]"
    ingress.handler(sqs_event(body), lambda_context)
    [message] = infra.dlq.messages()
    assert message["body"] == body and "waveflow.bodyEncoding" not in message["attributes"]
    assert sqs_size(message) <= 4 * KIB


def test_a_binary_body_too_large_is_stored_as_it_arrived(infra, sqs_event, lambda_context):
    limit_dlq(infra, 1 * KIB)
    body = bytes(range(256)) * 8
    ingress.handler(sqs_event(body), lambda_context)
    [message] = infra.dlq.messages()
    assert message["attributes"]["waveflow.reason"].startswith("(request): the message body is not UTF-8 text")
    assert stored_body(infra, json.loads(message["body"])) == body


def test_the_reason_is_bounded_and_shortened_to_fit_a_small_dlq(infra, sqs_event, lambda_context, valid_request):
    many = {**valid_request, **{f"unknown_field_{n:05d}_" + "y" * 40: n for n in range(3000)}}
    ingress.handler(sqs_event(many), lambda_context)
    [message] = infra.dlq.messages()
    reason = message["attributes"]["waveflow.reason"]
    assert len(reason.encode()) <= 8192 and reason.endswith("more")
    limit_dlq(infra, 1 * KIB)
    aws.configure(infra.session, clock=aws._state.clock)  # a new cold start reads the new limit
    ingress.handler(sqs_event(many), lambda_context)
    [message] = infra.dlq.messages()
    assert sqs_size(message) <= 1 * KIB
    assert message["attributes"]["waveflow.reason"].startswith("unknown_field_00000_")
    assert message["attributes"]["waveflow.reason"].endswith(" [...]")


def test_the_limit_is_read_from_the_queue_once_per_cold_start(infra, sqs_event, lambda_context):
    reads = []
    aws.client("sqs").meta.events.register("before-call.sqs.GetQueueAttributes", lambda **_: reads.append(1))
    for _ in range(3):
        ingress.handler(sqs_event("not json"), lambda_context)
    assert len(reads) == 1 and len(infra.dlq.messages()) == 3


@pytest.mark.parametrize(("length", "kept"), [(128, True), (129, False)])
def test_a_requesters_correlation_id_is_kept_only_when_valid(infra, sqs_event, lambda_context, valid_request, length, kept):
    correlation_id = "c" * length
    event = sqs_event({**valid_request, "environment": "staging", "correlationId": correlation_id})
    ingress.handler(event, lambda_context)
    [message] = infra.dlq.messages()
    expected = correlation_id if kept else event["Records"][0]["messageId"]
    assert message["attributes"]["waveflow.correlationId"] == expected


def test_a_body_nested_past_the_recursion_limit_is_dead_lettered_with_a_reason(infra, sqs_event, lambda_context):
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50 + "1" + "}" * 50):
        assert ingress.handler(sqs_event(body), lambda_context) == {"batchItemFailures": []}
    reasons = [m["attributes"]["waveflow.reason"] for m in infra.dlq.messages()]
    assert reasons == ["(request): the message body is not JSON a request can be: it nests too deeply to read",
                       "(request): the request nests lists and objects more than 16 levels deep"]
