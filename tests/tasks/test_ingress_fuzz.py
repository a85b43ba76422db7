"""Arbitrary SQS bodies through the ingress handler: every record is admitted or dead-lettered, nothing escapes."""

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
bodies = st.one_of(
    st.binary(max_size=80),
    st.text(max_size=80),
    json_values.map(json.dumps),
    requests.map(json.dumps),
    requests,  # a dict body is JSON-encoded by the sqs_event fixture
    st.none(),
)


def expected_migration_id(request: dict) -> str:
    """Written apart from the code under test: a number names its wave in decimal digits, 7.0 and -0.0 included."""
    wave = request["wave"]
    return f"{request['sourceServerId']}-{wave if isinstance(wave, str) else '%d' % wave}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(bodies, min_size=1, max_size=4))
def test_every_record_is_admitted_or_dead_lettered_and_nothing_escapes(infra, sqs_event, lambda_context, batch):
    event = sqs_event(*batch)
    response = ingress.handler(event, lambda_context)
    assert response == {"batchItemFailures": []}
    dead = {m["attributes"]["waveflow.sourceMessageId"] for m in infra.dlq.messages()}
    store = StatusStore()
    for record in event["Records"]:
        try:
            document = json.loads(record["body"])
        except (TypeError, ValueError):
            document = None
        if record["messageId"] in dead:
            assert document is None or validate_request(document), f"a valid request was dead-lettered: {document}"
            hypothesis_event("dead-lettered")
            continue
        assert not validate_request(document)
        stored = store.get(expected_migration_id(document))
        assert stored is not None and "MigrationRequested" in stored["publishedEvents"]
        assert stored["migrationId"] == expected_migration_id(document) == f"{document['sourceServerId']}-{stored['wave']}"
        hypothesis_event("admitted")
    infra.events.events()
