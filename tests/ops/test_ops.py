"""``waveflow status | dlq | events`` against the stack deployed into moto, fed by the real ingress handler."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from tasks import ingress
from tasks.lib import aws
from tasks.lib.config import load_config
from tasks.lib.status import Status
from tasks.lib.store import StatusStore
from waveflow.cli import cli

REPO = Path(__file__).resolve().parents[2]
REQUEST = json.loads(json.loads((REPO / "tests/events/sqs-valid-request.json").read_text())["Records"][0]["body"])


class Context:
    function_name = "waveflow-ingress"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:waveflow-ingress"
    aws_request_id = "request-1"

    def get_remaining_time_in_millis(self):
        return 30_000


def record(body) -> dict:
    message_id = str(uuid.uuid4())
    return {"messageId": message_id, "receiptHandle": message_id, "body": json.dumps(body), "attributes": {
        "ApproximateReceiveCount": "1", "SentTimestamp": "0", "SenderId": "x", "ApproximateFirstReceiveTimestamp": "0"},
        "messageAttributes": {}, "md5OfBody": "0" * 32, "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"}


@pytest.fixture(scope="module")
def fed(moto_stack):
    """Requests through ingress into the deployed stack: two valid (one then rolled back), two invalid — one of
    them too large for a DLQ message, so ingress keeps its body in the payload bucket."""
    outputs = moto_stack.outputs
    lam = moto_stack.client("lambda")
    for mapping in lam.list_event_source_mappings(FunctionName=outputs["IngressFunctionName"])["EventSourceMappings"]:
        lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)  # moto would run it in Docker
    events, bus = moto_stack.client("events"), outputs["EventBusName"]
    for rule in events.list_rules(EventBusName=bus)["Rules"]:  # moto cannot deliver to the starters' Lambda targets
        if not rule["Name"].startswith("Events-Archive-"):
            ids = [t["Id"] for t in events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]]
            events.remove_targets(Rule=rule["Name"], EventBusName=bus, Ids=ids)
            events.delete_rule(Name=rule["Name"], EventBusName=bus)
    env = {"WAVEFLOW_STATUS_TABLE": outputs["StatusTableName"], "WAVEFLOW_EVENT_BUS": outputs["EventBusName"],
           "WAVEFLOW_DLQ_URL": outputs["RequestsDeadLetterQueueUrl"],
           "WAVEFLOW_IDEMPOTENCY_TABLE": outputs["IdempotencyTableName"],
           "WAVEFLOW_CALLBACK_SECRET_ID": "callback", "WAVEFLOW_NOTIFY_TOPIC_ARN": outputs["NotifyTopicArn"],
           "WAVEFLOW_PAYLOAD_BUCKET": outputs["PayloadBucketName"], "POWERTOOLS_TRACE_DISABLED": "true"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        load_config.cache_clear()
        aws.configure(moto_stack.session)
        second = {**REQUEST, "sourceServerId": "s-0a1b2c3d4e5f60719", "appName": "ledger"}
        second.pop("migrationId", None)
        invalid = {**REQUEST, "sourceServerId": "not-a-server"}
        oversized = {**REQUEST, "appName": "x" * 1_100_000}
        result = ingress.handler({"Records": [record(REQUEST), record(second), record(invalid), record(oversized)]},
                                 Context())
        assert result == {"batchItemFailures": []}
        migration = StatusStore().by_app("ledger")[0]["migrationId"]
        StatusStore().transition(migration, Status.ROLLED_BACK, stage="rollback", detail={
            "error": {"Error": "LaunchFailed", "Cause": "the cutover instance failed its status checks"}})
        aws.configure()
        load_config.cache_clear()
    return moto_stack


def invoke(*args):
    return CliRunner().invoke(cli, [*args], catch_exceptions=False)


def test_status_of_a_wave_lists_each_migration_with_its_stage_and_last_error(fed):
    result = invoke("status", "--stack", fed.name, "--wave", str(REQUEST["wave"]), "--json")
    assert result.exit_code == 0, result.output
    rows = {r["appName"]: r for r in json.loads(result.output)}
    assert rows[REQUEST["appName"]]["status"] == "PENDING" and rows[REQUEST["appName"]]["stage"] == "ingress"
    assert rows["ledger"]["status"] == "ROLLED_BACK" and rows["ledger"]["stage"] == "rollback"
    assert rows["ledger"]["lastError"] == "LaunchFailed: the cutover instance failed its status checks"


def test_status_prints_a_table_by_app_and_by_migration(fed):
    by_app = invoke("status", "--stack", fed.name, "--app", "ledger")
    assert by_app.exit_code == 0
    lines = by_app.output.splitlines()
    assert lines[0] == f"1 migrations in {fed.name}"
    assert lines[2].split() == ["migrationId", "wave", "appName", "status", "stage", "updatedAt", "lastError"]
    migration = lines[4].split()[0]
    one = invoke("status", "--stack", fed.name, "--migration", migration, "--json")
    assert [r["migrationId"] for r in json.loads(one.output)] == [migration]


def test_status_refuses_an_unknown_migration_stack_or_no_selector(fed):
    unknown = invoke("status", "--stack", fed.name, "--migration", "nope")
    assert (unknown.exit_code, unknown.output) == (2, f"Error: no migration 'nope' in {fed.name}'s status table\n")
    no_stack = invoke("status", "--stack", "nothere", "--wave", "7")
    assert no_stack.exit_code == 2 and "there is no stack 'nothere'" in no_stack.output
    neither = invoke("status", "--stack", fed.name)
    assert (neither.exit_code, neither.output) == (2, "Error: name exactly one of --wave, --app, --migration\n")


def test_dlq_list_shows_the_reasons_and_leaves_the_messages(fed):
    for _ in range(2):
        listed = invoke("dlq", "list", "--stack", fed.name)
        assert listed.exit_code == 0
        assert listed.output.splitlines()[0] == f"2 messages in the requests dead-letter queue of {fed.name}"
        assert "sourceServerId" in listed.output and "not-a-server" in listed.output
        assert f"(in s3://{fed.outputs['PayloadBucketName']}/dead-letters/" in listed.output


def test_an_oversized_request_cannot_go_back_to_the_queue_as_it_is(fed):
    sqs = fed.client("sqs")
    messages = sqs.receive_message(QueueUrl=fed.outputs["RequestsDeadLetterQueueUrl"], VisibilityTimeout=0,
                                   MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
    stored = next(m for m in messages
                  if m["MessageAttributes"].get("waveflow.bodyEncoding", {}).get("StringValue") == "s3")
    result = invoke("dlq", "redrive", "--stack", fed.name, "--id", stored["MessageId"])
    assert result.exit_code == 2
    assert "bytes, more than the migration queue takes (" in result.output and "fix the request" in result.output


def test_dlq_redrive_sends_the_fixed_request_back_without_the_reason(fed):
    sqs = fed.client("sqs")
    messages = sqs.receive_message(QueueUrl=fed.outputs["RequestsDeadLetterQueueUrl"], VisibilityTimeout=0,
                                   MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
    message = next(m for m in messages if "waveflow.bodyEncoding" not in m["MessageAttributes"])
    missing = invoke("dlq", "redrive", "--stack", fed.name, "--id", "no-such-id")
    assert missing.exit_code == 2 and "not in the requests dead-letter queue: no-such-id" in missing.output
    sent = invoke("dlq", "redrive", "--stack", fed.name, "--id", message["MessageId"])
    assert sent.exit_code == 0
    assert sent.output.splitlines() == [f"redrove {message['MessageId']}", "1 messages sent back from the requests "
                                                                            "dead-letter queue"]
    back = sqs.receive_message(QueueUrl=fed.outputs["MigrationQueueUrl"], MessageAttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in back] == [message["Body"]]
    assert "MessageAttributes" not in back[0]
    assert invoke("dlq", "list", "--stack", fed.name).output.splitlines()[0].startswith("1 messages")


def test_events_replay_starts_a_replay_of_the_archive(fed):
    result = invoke("events", "replay", "--stack", fed.name, "--from", "2026-01-01T00:00:00Z",
                    "--to", "2026-01-02T00:00:00Z")
    assert result.exit_code == 0, result.output
    name = f"{fed.name}-20260101T000000-20260102T000000"
    assert result.output.startswith(f"replay {name} of 2026-01-01T00:00:00+00:00 .. 2026-01-02T00:00:00+00:00: ")
    replay = fed.client("events").describe_replay(ReplayName=name)
    assert replay["EventSourceArn"] == fed.outputs["EventArchiveArn"]


def test_events_replay_refuses_a_bad_window(fed):
    backwards = invoke("events", "replay", "--stack", fed.name, "--from", "2026-01-02T00:00:00Z",
                       "--to", "2026-01-01T00:00:00Z")
    assert backwards.exit_code == 2 and "must be after --from" in backwards.output
    garbled = invoke("events", "replay", "--stack", fed.name, "--from", "yesterday", "--to", "2026-01-01")
    assert garbled.exit_code == 2 and "'yesterday' is not an ISO 8601 time" in garbled.output
