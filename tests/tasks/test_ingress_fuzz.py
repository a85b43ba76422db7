"""Arbitrary SQS bodies through the ingress handler: every record is admitted or dead-lettered with its reason, nothing
escapes — bodies past the DLQ's size limit and nested past Python's recursion limit included."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st

from tasks import ingress
from tasks.lib.request import validate_request
from tasks.lib.store import StatusStore

BASE = {
    "sourceServerId": "s-0a1b2c3d4e5f60718",
    "appName": "billing-api",
    "wave": "7",
    "environment": "prod",
    "source": {"hostname": "billing-01"},
    "target": {
        "accountId": "111122223333",
        "region": "eu-west-1",
        "subnetId": "subnet-0abc1234",
        "instanceType": "m5.large",
        "securityGroupIds": ["sg-01234567"],
    },
    "requestedBy": "jane",
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=15,
)
waves = st.integers(0, 50) | st.integers(0, 50).map(float) | st.just(-0.0) | st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,10}\Z")
requests = st.builds(
    lambda server, wave, overrides: {**BASE, "sourceServerId": f"s-{server:017x}", "wave": wave, **overrides},
    st.integers(0, 16**17 - 1),
    waves,
    st.dictionaries(st.sampled_from(["environment", "callbackUrl", "appName", "testLaunch", "extra"]), json_values, max_size=2),
)
# Sizes past the DLQ's limit (the fixture DLQ allows 4 KiB) and nesting past Python's recursion limit, built
# cheaply: a unit repeated, an array or object wrapped many times.
big_bodies = st.builds(lambda unit, times: unit * times, st.text(min_size=1, max_size=6), st.integers(700, 3000))
deep_bodies = st.builds(
    lambda depth, objects: '{"a":' * depth + "1" + "}" * depth if objects else "[" * depth + "]" * depth,
    st.integers(10, 20_000),
    st.booleans(),
)
bodies = st.one_of(
    big_bodies,
    deep_bodies,
    st.binary(max_size=80),
    st.text(max_size=80),
    json_values.map(json.dumps),
    requests.map(json.dumps),
    requests,  # a dict body is JSON-encoded by the sqs_event fixture
    st.none(),
)


def raw(message: dict, event: dict) -> str:
    """The body of the record a DLQ message came from."""
    source = message["attributes"]["waveflow.sourceMessageId"]
    body = next(r["body"] for r in event["Records"] if r["messageId"] == source)
    return body if isinstance(body, (str, bytes)) else ""


def expected_migration_id(request: dict) -> str:
    """Written apart from the code under test: a number names its wave in decimal digits, 7.0 and -0.0 included."""
    wave = request["wave"]
    return f"{request['sourceServerId']}-{wave if isinstance(wave, str) else '%d' % wave}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(bodies, min_size=1, max_size=4))
def test_every_record_is_admitted_or_dead_lettered_and_nothing_escapes(infra, sqs_event, lambda_context, batch):
    infra.session.client("sqs").set_queue_attributes(QueueUrl=infra.dlq.url, Attributes={"MaximumMessageSize": "4096"})
    event = sqs_event(*batch)
    response = ingress.handler(event, lambda_context)
    assert response == {"batchItemFailures": []}
    messages = infra.dlq.messages()
    for message in messages:
        assert message["attributes"]["waveflow.reason"]
        size = len(message["body"].encode()) + sum(len(k) + 6 + len(v.encode()) for k, v in message["attributes"].items())
        assert size <= 4096
        if len(raw(message, event)) + 600 > 4096:
            hypothesis_event("stored in S3")
    dead = {m["attributes"]["waveflow.sourceMessageId"] for m in messages}
    conflicts = {m["attributes"]["waveflow.sourceMessageId"] for m in messages
                 if "is already migration" in m["attributes"]["waveflow.reason"]}
    store = StatusStore()
    for record in event["Records"]:
        try:
            document = json.loads(record["body"])
        except (TypeError, ValueError, RecursionError):  # the oracle reads deep bodies no better than ingress
            document = None
        if record["messageId"] in dead:
            if record["messageId"] in conflicts:  # its server and wave were taken by another request of the run
                hypothesis_event("conflict")
                continue
            assert document is None or validate_request(document), f"a valid request was dead-lettered: {document}"
            hypothesis_event("dead-lettered")
            continue
        assert not validate_request(document)
        stored = store.get(expected_migration_id(document))
        assert stored is not None and "MigrationRequested" in stored["publishedEvents"]
        assert stored["migrationId"] == expected_migration_id(document) == f"{document['sourceServerId']}-{stored['wave']}"
        hypothesis_event("admitted")
    infra.events.events()
