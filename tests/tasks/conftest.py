"""Shared fixtures for the task tests: a moto account holding the stack's data plane, and fault injection.

Every test here runs with fake credentials and the tasks' environment variables set (``aws_env``, automatic),
so nothing can reach a real AWS account. Fixtures, by name (stable: other test modules rely on them):

* ``aws_mock``: moto for every service, ``tasks.lib.aws`` configured with it and with ``clock`` (a
  ``VirtualClock`` at 2026-01-01T00:00:00Z; ``clock.advance(s)``); ``boto_session`` is the one session behind it.
* ``status_table``, ``idempotency_table``: the tables, shaped by ``tasks/lib/schemas/tables.json``.
* ``event_capture``: the custom bus with a rule sending every ``waveflow.migration`` event to a queue;
  ``event_capture.events(detail_type=None)`` drains it. ``dlq``: the DLQ; ``dlq.messages()`` drains it.
* ``payload_bucket``: the S3 bucket of ``WAVEFLOW_PAYLOAD_BUCKET``.
* ``infra``: all of the above together.
* ``faults``: ``faults.fail(service, operation, code, status=..., times=..., when=...)`` makes calls of the
  tasks' own client fail (or ``faults.respond(...)`` answer) through botocore's event system, without patching
  any waveflow function.
* ``task_logs``: the tasks' JSON log lines; ``lambda_context``: a real-shaped Lambda context (remaining time on
  the virtual clock); every handler call passes it, and Powertools' warning about a missing one is an error.
* ``sqs_event(*bodies)``, ``load_event(name)`` (``tests/events/<name>.json``), ``valid_request``.

Every test here is also a least-privilege test (``least_privilege``, automatic): each AWS call a deployed
handler makes must be allowed by its role in ``waveflow/stack/functions.py`` (see ``role_oracle.py``).
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws

from role_oracle import RoleOracle, deployed_handlers
from tasks.lib import aws
from tasks.lib.config import load_config
from tasks.lib.observability import logger
from tasks.lib.tables import IDEMPOTENCY_TABLE, STATUS_TABLE, create_table

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
STATUS_TABLE_NAME = "waveflow-status"
IDEMPOTENCY_TABLE_NAME = "waveflow-idempotency"
EVENT_BUS_NAME = "waveflow-bus"
DLQ_NAME = "waveflow-requests-dlq"
PAYLOAD_BUCKET_NAME = "waveflow-payloads"
DLQ_URL = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{DLQ_NAME}"
EVENTS_DIR = Path(__file__).resolve().parent.parent / "events"
START_TIME = 1_767_225_600.0  # 2026-01-01T00:00:00Z

TASK_ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_MAX_ATTEMPTS": "1",  # botocore's own retries would hide an injected fault
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",  # else moto's EC2 loads thousands of AMIs per test (~3 s); any AMI id runs
    "POWERTOOLS_TRACE_DISABLED": "true",
    "WAVEFLOW_STATUS_TABLE": STATUS_TABLE_NAME,
    "WAVEFLOW_EVENT_BUS": EVENT_BUS_NAME,
    "WAVEFLOW_DLQ_URL": DLQ_URL,
    "WAVEFLOW_IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE_NAME,
    "WAVEFLOW_CALLBACK_SECRET_ID": "waveflow/callback",
    "WAVEFLOW_NOTIFY_TOPIC_ARN": f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:waveflow-notify",
    "WAVEFLOW_PAYLOAD_BUCKET": PAYLOAD_BUCKET_NAME,
}


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The tasks' environment with fake credentials; config and client caches start and end empty."""
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "WAVEFLOW_CMF_SECRET_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in TASK_ENV.items():
        monkeypatch.setenv(name, value)
    load_config.cache_clear()
    aws.configure()
    yield dict(TASK_ENV)
    load_config.cache_clear()
    aws.configure()


@dataclass
class VirtualClock:
    """A clock the test moves by hand; ``aws.now()`` reads it."""

    now: float = START_TIME

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


class _ReusingSession(boto3.Session):
    """A session that builds each of the tests' own clients once: building one costs ~5 ms, a dozen per test.

    moto serves any client under whichever mock is active, so a client outlives its test unharmed. Not reused:
    clients built with options (the tasks' own, through ``tasks.lib.aws``, which tests hook faults into) and MGN
    clients (each test's emulator serves only clients built after it was installed).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reused: dict[str, Any] = {}

    def client(self, service_name, *args, **kwargs):
        if args or kwargs or service_name == "mgn":
            return super().client(service_name, *args, **kwargs)
        if service_name not in self._reused:
            self._reused[service_name] = super().client(service_name)
        return self._reused[service_name]


@pytest.fixture(scope="session")
def boto_session(role_oracle) -> boto3.Session:
    """One session for the whole run: building a session reloads botocore's models (~0.1 s each time)."""
    session = _ReusingSession(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    role_oracle.install(session)
    return session


@pytest.fixture(scope="session")
def role_oracle() -> RoleOracle:
    return RoleOracle(deployed_handlers())


@pytest.fixture(autouse=True)
def least_privilege(role_oracle):
    """Fail the test if a handler made an AWS call its function's role does not allow."""
    role_oracle.refused.clear()
    yield
    refused = list(dict.fromkeys(role_oracle.refused))
    if refused:
        pytest.fail("least privilege: " + "; ".join(refused), pytrace=False)


@pytest.fixture
def aws_mock(clock: VirtualClock, boto_session: boto3.Session):
    """moto for every service, with the tasks' client factory using it and the virtual clock."""
    with mock_aws():
        aws.configure(boto_session, clock=clock)
        yield boto_session
        aws.configure()


@pytest.fixture
def status_table(aws_mock) -> str:
    create_table(aws_mock.client("dynamodb"), STATUS_TABLE, STATUS_TABLE_NAME)
    return STATUS_TABLE_NAME


@pytest.fixture
def idempotency_table(aws_mock) -> str:
    create_table(aws_mock.client("dynamodb"), IDEMPOTENCY_TABLE, IDEMPOTENCY_TABLE_NAME)
    return IDEMPOTENCY_TABLE_NAME


class _Queue:
    """An SQS queue the test drains to see what arrived."""

    def __init__(self, sqs: Any, url: str) -> None:
        self.sqs = sqs
        self.url = url

    def drain(self) -> list[dict]:
        """Receive and delete everything in the queue, with attributes, oldest first."""
        received: list[dict] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
            ).get("Messages", [])
            if not batch:
                return received
            received.extend(batch)
            self.sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
            )


class DeadLetterQueue(_Queue):
    """The requests DLQ (``WAVEFLOW_DLQ_URL``)."""

    def messages(self) -> list[dict]:
        """Every dead-lettered message as ``{"body", "attributes"}`` with string attribute values."""
        return [
            {
                "body": message["Body"],
                "attributes": {k: v.get("StringValue") for k, v in message.get("MessageAttributes", {}).items()},
            }
            for message in self.drain()
        ]


class EventCapture(_Queue):
    """The custom bus, with a rule sending every ``waveflow.migration`` event to a capture queue."""

    bus_name = EVENT_BUS_NAME

    def events(self, detail_type: str | None = None) -> list[dict]:
        """The captured EventBridge envelopes (``detail-type``, ``detail``...), optionally of one type.

        Draining consumes: ask once per assertion block.
        """
        envelopes = [json.loads(message["Body"]) for message in self.drain()]
        return [e for e in envelopes if detail_type is None or e["detail-type"] == detail_type]


@pytest.fixture
def dlq(aws_mock) -> DeadLetterQueue:
    sqs = aws_mock.client("sqs")
    url = sqs.create_queue(QueueName=DLQ_NAME)["QueueUrl"]
    assert url == DLQ_URL, f"moto gave the DLQ the URL {url}, expected {DLQ_URL}"
    return DeadLetterQueue(sqs, url)


@pytest.fixture
def event_capture(aws_mock) -> EventCapture:
    events, sqs = aws_mock.client("events"), aws_mock.client("sqs")
    events.create_event_bus(Name=EVENT_BUS_NAME)
    url = sqs.create_queue(QueueName="waveflow-event-capture")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="capture-all", EventBusName=EVENT_BUS_NAME, EventPattern=json.dumps({"source": ["waveflow.migration"]})
    )
    events.put_targets(Rule="capture-all", EventBusName=EVENT_BUS_NAME, Targets=[{"Id": "capture", "Arn": arn}])
    return EventCapture(sqs, url)


@pytest.fixture
def payload_bucket(aws_mock) -> str:
    """The bucket ``WAVEFLOW_PAYLOAD_BUCKET`` (dead-lettered bodies too large for the DLQ)."""
    aws_mock.client("s3").create_bucket(Bucket=PAYLOAD_BUCKET_NAME)
    return PAYLOAD_BUCKET_NAME


@dataclass
class Infra:
    """Every resource the tasks' environment names, created in moto."""

    session: boto3.Session
    status_table: str
    idempotency_table: str
    events: EventCapture
    dlq: DeadLetterQueue
    payload_bucket: str


@pytest.fixture
def infra(aws_mock, status_table, idempotency_table, event_capture, dlq, payload_bucket) -> Infra:
    return Infra(aws_mock, status_table, idempotency_table, event_capture, dlq, payload_bucket)


@dataclass
class _Rule:
    status: int
    body: dict
    times: int | None
    when: Callable[[bytes], bool] | None
    hits: int = 0


@dataclass
class FaultInjector:
    """Answers chosen AWS calls with a canned response through botocore's ``before-call`` event.

    The hook is registered first on the very client the code under test uses (``aws.client(service)``); it
    answers before the request is built and sent, so moto never sees the call (a ``before-send`` hook would
    answer too, but moto's own handler would still run and apply the write). ``times`` bounds how often it
    answers, ``when`` picks requests by their serialised body.
    """

    rules: list[_Rule] = field(default_factory=list)

    def respond(
        self,
        service: str,
        operation: str,
        body: dict,
        *,
        status: int = 200,
        times: int | None = 1,
        when: Callable[[bytes], bool] | None = None,
    ) -> _Rule:
        """Make ``operation`` return the parsed response ``body`` with HTTP ``status``."""
        rule = _Rule(status, body, times, when)
        self.rules.append(rule)

        def answer(params: dict, **_: Any):
            if rule.times is not None and rule.hits >= rule.times:
                return None
            raw = params.get("body") or b""
            if rule.when is not None and not rule.when(raw.encode() if isinstance(raw, str) else raw):
                return None
            rule.hits += 1
            http = AWSResponse(params.get("url", ""), rule.status, {}, None)
            return http, {**rule.body, "ResponseMetadata": {"HTTPStatusCode": rule.status, "RetryAttempts": 0}}

        aws.client(service).meta.events.register_first(f"before-call.{service}.{operation}", answer)
        return rule

    def fail(
        self,
        service: str,
        operation: str,
        code: str = "InternalServerError",
        *,
        status: int = 500,
        message: str = "injected fault",
        times: int | None = 1,
        when: Callable[[bytes], bool] | None = None,
    ) -> _Rule:
        """Make ``operation`` fail with the AWS error ``code`` and HTTP ``status``."""
        return self.respond(
            service, operation, {"Error": {"Code": code, "Message": message}}, status=status, times=times, when=when
        )


@pytest.fixture
def faults(aws_mock) -> FaultInjector:
    return FaultInjector()


@pytest.fixture
def task_logs() -> Callable[[], list[dict]]:
    """``task_logs()``: the JSON log records the tasks' Powertools logger wrote during the test so far.

    The logger's own handler holds the stdout of the moment it was built, which pytest's capture replaced
    since; a second handler with the same formatter writes to a buffer the test reads.
    """
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    logger.removeHandler(handler)


class LambdaContext:
    """What AWS Lambda passes as ``context`` (the attributes of Python's runtime ``LambdaContext``), with the
    remaining time counting down on the tests' virtual clock from a 5-minute function timeout."""

    def __init__(self, clock: VirtualClock, function_name: str = "waveflow-task", timeout_seconds: float = 300.0):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        self.memory_limit_in_mb = 256
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"2026/01/01/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._clock = clock
        self._deadline = clock() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._clock()) * 1000))


@pytest.fixture
def lambda_context(clock: VirtualClock) -> LambdaContext:
    """The one Lambda context of the task tests: every handler call passes it, as Lambda does."""
    return LambdaContext(clock)


def _sqs_record(body: Any, message_id: str | None = None) -> dict:
    """One SQS record as Lambda's event source mapping delivers it (``body`` as given, not re-encoded)."""
    message_id = message_id or str(uuid.uuid4())
    return {
        "messageId": message_id,
        "receiptHandle": f"receipt-{message_id}",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": str(int(START_TIME * 1000)),
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": str(int(START_TIME * 1000)),
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:waveflow-requests",
        "awsRegion": REGION,
    }


def _sqs_event(*bodies: Any) -> dict:
    return {"Records": [_sqs_record(json.dumps(b) if isinstance(b, dict) else b) for b in bodies]}


def _load_event(name: str) -> dict:
    return json.loads((EVENTS_DIR / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def sqs_event() -> Callable[..., dict]:
    """``sqs_event(*bodies)``: an SQS batch event; dict bodies are JSON-encoded, anything else passed as it is."""
    return _sqs_event


@pytest.fixture
def load_event() -> Callable[[str], dict]:
    """``load_event(name)``: the sample event ``tests/events/<name>.json``."""
    return _load_event


@pytest.fixture
def valid_request() -> dict:
    """A complete, valid migration request (a fresh copy per test)."""
    return json.loads(_load_event("sqs-valid-request")["Records"][0]["body"])
