"""The ingress Lambda through real boto3 into moto: records, events, DLQ messages and batchItemFailures."""

from __future__ import annotations

import base64
import json

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tasks import ingress
from tasks.lib.config import load_config
from tasks.lib.errors import ConfigError
from tasks.lib.store import StatusStore

DUPLICATE_ID = "s-0a1b2c3d4e5f60718-7"
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")


def output_lines(capsys) -> list[dict]:
    """The JSON lines the handler printed on stdout (EMF metric blobs)."""
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def metric_totals(lines: list[dict]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for line in lines:
        for definition in line.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in definition["Metrics"]:
                values = line[metric["Name"]]
                totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(values if isinstance(values, list) else [values])
    return totals


def failures(response: dict) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_a_valid_request_becomes_a_pending_record_and_a_migration_requested_event(
    infra, valid_request, sqs_event, lambda_context, capsys, task_logs
):
    response = ingress.handler(sqs_event(valid_request), lambda_context)
    assert failures(response) == []
    record = StatusStore().get(DUPLICATE_ID)
    assert record["status"] == "PENDING" and record["correlationId"] == valid_request["correlationId"]
    [event] = infra.events.events()
    assert event["detail-type"] == "MigrationRequested" and event["source"] == "waveflow.migration"
    assert event["detail"] == {
        "migrationId": DUPLICATE_ID,
        "correlationId": valid_request["correlationId"],
        "status": "PENDING",
        "wave": "7",
        "appName": "billing-api",
        "sourceServerId": "s-0a1b2c3d4e5f60718",
        "environment": "prod",
    }
    assert record["publishedEvents"] == {"MigrationRequested": event["id"]}
    assert infra.dlq.messages() == []
    assert metric_totals(output_lines(capsys)) == {"MigrationsRequested": 1}
    logs = task_logs()
    assert [line["message"] for line in logs] == ["migration requested"]
    assert logs[0]["correlation_id"] == valid_request["correlationId"] and logs[0]["migrationId"] == DUPLICATE_ID


def test_an_invalid_request_goes_to_the_dlq_with_every_reason(infra, load_event, lambda_context, capsys):
    event = load_event("sqs-mixed-batch")
    event["Records"] = event["Records"][1:2]
    response = ingress.handler(event, lambda_context)
    assert failures(response) == []
    [message] = infra.dlq.messages()
    assert message["body"] == event["Records"][0]["body"]
    reason = message["attributes"]["waveflow.reason"]
    assert reason.split("; ")[0] == "callbackUrl: 'http://hooks.example.com/x' is not an https:// URL with a host"
    for path in ("colour: unknown field", "environment: ", "sourceServerId: ", "target.accountId: ", "target.region: "):
        assert f"; {path}" in reason
    assert message["attributes"]["waveflow.correlationId"] == event["Records"][0]["messageId"]
    assert message["attributes"]["waveflow.receivedAt"] == "2026-01-01T00:00:00.000Z"
    assert message["attributes"]["waveflow.sourceMessageId"] == event["Records"][0]["messageId"]
    assert infra.events.events() == []
    assert StatusStore().by_status("PENDING") == []
    assert metric_totals(output_lines(capsys)) == {"RequestsRejected": 1}


def test_an_invalid_request_keeps_the_requesters_correlation_id(infra, valid_request, sqs_event, lambda_context):
    ingress.handler(sqs_event({**valid_request, "environment": "staging"}), lambda_context)
    [message] = infra.dlq.messages()
    assert message["attributes"]["waveflow.correlationId"] == valid_request["correlationId"]
    assert message["attributes"]["waveflow.reason"] == "environment: 'staging' is not one of ['dev', 'test', 'prod']"


@pytest.mark.parametrize(
    ("body", "reason_start"),
    [
        ("this is not json {", "(request): the message body is not JSON"),
        ("[1, 2]", "(request): [1, 2] is not of type 'object'"),
        ("null", "(request): None is not of type 'object'"),
    ],
)
def test_a_body_that_is_not_a_request_object_goes_to_the_dlq_unchanged(
    infra, sqs_event, lambda_context, body, reason_start
):
    assert failures(ingress.handler(sqs_event(body), lambda_context)) == []
    [message] = infra.dlq.messages()
    assert message["body"] == body
    assert message["attributes"]["waveflow.reason"].startswith(reason_start)
    assert "waveflow.bodyEncoding" not in message["attributes"]


@pytest.mark.parametrize("body", [b"\xff\xfe not utf-8", "nul \x00 inside", ""], ids=["bytes", "nul", "empty"])
def test_a_body_sqs_cannot_carry_is_dead_lettered_encoded(infra, sqs_event, lambda_context, body):
    assert failures(ingress.handler(sqs_event(body), lambda_context)) == []
    [message] = infra.dlq.messages()
    encoding = message["attributes"]["waveflow.bodyEncoding"]
    if encoding == "base64":
        original = body if isinstance(body, bytes) else body.encode()
        assert base64.b64decode(message["body"]) == original
    else:
        assert (encoding, message["body"], body) == ("empty", "(empty body)", "")


def test_a_duplicate_request_writes_nothing_and_publishes_nothing(
    infra, valid_request, sqs_event, lambda_context, task_logs
):
    ingress.handler(sqs_event(valid_request), lambda_context)
    infra.events.events()
    first = StatusStore().get(DUPLICATE_ID)
    again = {**valid_request, "correlationId": "c2", "requestedAt": "2026-02-02T00:00:00Z"}  # another delivery
    response = ingress.handler(sqs_event(again), lambda_context)
    assert failures(response) == []
    assert infra.events.events() == []
    assert StatusStore().get(DUPLICATE_ID) == first
    assert infra.dlq.messages() == []
    duplicate_log = task_logs()[-1]
    assert duplicate_log["message"] == "duplicate request ignored: migration already requested"
    assert duplicate_log["correlation_id"] == valid_request["correlationId"], "logged under the migration's own ID"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"appName": "renamed"}, "(request): server s-0a1b2c3d4e5f60718 in wave 7 is already migration "
                                 "'s-0a1b2c3d4e5f60718-7', requested with different appName"),
        ({"migrationId": "mig-42"}, "migrationId: server s-0a1b2c3d4e5f60718 in wave 7 is already migration "
                                    "'s-0a1b2c3d4e5f60718-7'; this request names 'mig-42'"),
        ({"migrationId": DUPLICATE_ID, "sourceServerId": "s-fffffffffffffffff"},
         "migrationId: 's-0a1b2c3d4e5f60718-7' already belongs to server s-0a1b2c3d4e5f60718 in wave 7, "
         "not to server s-fffffffffffffffff in wave 7"),
    ],
    ids=["other-content", "new-id-same-server", "id-of-another-server"],
)
def test_a_request_that_cannot_be_the_migration_it_meets_goes_to_the_dlq_with_why(
    infra, valid_request, sqs_event, lambda_context, change, reason
):
    ingress.handler(sqs_event(valid_request), lambda_context)
    infra.events.events()
    first = StatusStore().get(DUPLICATE_ID)
    conflicting = sqs_event({**valid_request, **change, "correlationId": "c2"})
    assert failures(ingress.handler(conflicting, lambda_context)) == []
    [message] = infra.dlq.messages()
    assert message["attributes"]["waveflow.reason"] == reason
    assert message["attributes"]["waveflow.correlationId"] == "c2"
    assert message["body"] == conflicting["Records"][0]["body"]
    assert infra.events.events() == []
    assert StatusStore().get(DUPLICATE_ID) == first
    assert StatusStore().by_wave(7) == [first], "no second migration of the server"


def test_a_record_whose_event_was_lost_is_announced_when_redelivered(
    infra, valid_request, sqs_event, lambda_context, faults
):
    event = sqs_event(valid_request)
    faults.fail("events", "PutEvents", "InternalFailure", status=500)
    with pytest.raises(BatchProcessingError, match="PutEvents MigrationRequested"):
        ingress.handler(event, lambda_context)  # the whole batch failed: SQS redelivers it
    assert StatusStore().get(DUPLICATE_ID)["publishedEvents"] == {}
    assert infra.events.events() == []

    assert failures(ingress.handler(event, lambda_context)) == []
    [announced] = infra.events.events()
    assert announced["detail"]["migrationId"] == DUPLICATE_ID
    assert StatusStore().get(DUPLICATE_ID)["publishedEvents"] == {"MigrationRequested": announced["id"]}

    assert failures(ingress.handler(event, lambda_context)) == []
    assert infra.events.events() == []


def test_a_mixed_batch_sorts_every_record_into_its_outcome(infra, load_event, valid_request, sqs_event, lambda_context, faults):
    ingress.handler(sqs_event(valid_request), lambda_context)  # makes record 0 of the batch a duplicate
    infra.events.events()
    batch = load_event("sqs-mixed-batch")
    transient = {**valid_request, "sourceServerId": "s-fffffffffffffffff", "correlationId": "transient-1"}
    fresh = {**valid_request, "sourceServerId": "s-eeeeeeeeeeeeeeeee", "correlationId": "fresh-1"}
    batch["Records"] += sqs_event(transient, fresh)["Records"]
    ids = [record["messageId"] for record in batch["Records"]]
    faults.fail("dynamodb", "TransactWriteItems", "InternalServerError", status=500, times=None,
                when=lambda body: b"s-fffff" in body)

    response = ingress.handler(batch, lambda_context)

    assert failures(response) == [ids[4]]
    dead = infra.dlq.messages()
    assert [m["attributes"]["waveflow.sourceMessageId"] for m in dead] == [ids[1], ids[2]]
    assert [m["body"] for m in dead] == [batch["Records"][1]["body"], batch["Records"][2]["body"]]
    announced = [e["detail"]["migrationId"] for e in infra.events.events("MigrationRequested")]
    assert announced == ["s-1234567890abcdef0-3", "s-eeeeeeeeeeeeeeeee-7"]
    store = StatusStore()
    assert sorted(r["migrationId"] for r in store.by_status("PENDING")) == [
        DUPLICATE_ID,
        "s-1234567890abcdef0-3",
        "s-eeeeeeeeeeeeeeeee-7",
    ]
    assert store.get("s-1234567890abcdef0-3")["correlationId"] == ids[3], "no correlation ID: the message ID is used"


def test_a_batch_that_fails_entirely_fails_the_invocation_so_sqs_retries_it(
    infra, valid_request, sqs_event, lambda_context, faults
):
    faults.fail("dynamodb", "TransactWriteItems", "ThrottlingException", status=400, times=None)
    with pytest.raises(BatchProcessingError):
        ingress.handler(sqs_event(valid_request), lambda_context)
    assert infra.dlq.messages() == [] and infra.events.events() == []


def test_a_dlq_outage_hands_the_invalid_record_back_to_sqs(infra, sqs_event, valid_request, lambda_context, faults):
    faults.fail("sqs", "SendMessage", "ServiceUnavailable", status=503)
    event = sqs_event({**valid_request, "wave": -1}, valid_request)
    assert failures(ingress.handler(event, lambda_context)) == [event["Records"][0]["messageId"]]
    assert len(infra.events.events()) == 1


def test_a_missing_setting_fails_at_cold_start(monkeypatch, sqs_event, valid_request, lambda_context):
    monkeypatch.delenv("WAVEFLOW_EVENT_BUS")
    load_config.cache_clear()
    with pytest.raises(ConfigError, match="WAVEFLOW_EVENT_BUS is not set"):
        ingress.handler(sqs_event(valid_request), lambda_context)


def test_the_same_wave_written_7_and_7_0_is_one_migration(infra, valid_request, sqs_event, lambda_context):
    as_int = {**valid_request, "wave": 7}
    as_float = json.loads(json.dumps(as_int).replace('"wave": 7', '"wave": 7.0'))
    assert isinstance(as_float["wave"], float)
    assert failures(ingress.handler(sqs_event(as_int, as_float), lambda_context)) == []
    [requested] = infra.events.events("MigrationRequested")
    assert (requested["detail"]["migrationId"], requested["detail"]["wave"]) == (DUPLICATE_ID, "7")
    assert [r["migrationId"] for r in StatusStore().by_wave(7.0)] == [DUPLICATE_ID]
