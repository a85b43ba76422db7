"""Throughput of request ingestion: validated requests/s through the ingress handler (moto), and of the schema
check alone. Prints figures, asserts nothing.

Run: ``python bench/ingress.py [--requests N] [--batch 10]``. Every request is valid and distinct, so each one
costs a conditional PutItem, a PutEvents and the UpdateItem noting the event; a second pass of the same
requests measures the duplicate path (one PutItem refused, returning the stored item).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "WAVEFLOW_STATUS_TABLE": "bench-status",
    "WAVEFLOW_EVENT_BUS": "bench-bus",
    "WAVEFLOW_DLQ_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/bench-dlq",
    "WAVEFLOW_IDEMPOTENCY_TABLE": "bench-idempotency",
    "WAVEFLOW_CALLBACK_SECRET_ID": "bench/callback",
    "WAVEFLOW_NOTIFY_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:bench-notify",
}


class Context:
    function_name = "bench-ingress"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench-ingress"
    aws_request_id = "bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000


def request(n: int) -> dict:
    return {
        "sourceServerId": f"s-{n:017x}",
        "appName": f"app-{n % 40}",
        "wave": str(n % 10),
        "environment": "test",
        "source": {"hostname": f"host-{n}.corp.example.com", "ipAddress": "10.0.0.1", "os": "linux"},
        "target": {
            "accountId": "111122223333",
            "region": "eu-west-1",
            "subnetId": "subnet-0abc1234",
            "instanceType": "m5.large",
            "securityGroupIds": ["sg-01234567"],
        },
        "requestedBy": "bench",
    }


def batches(bodies: list[str], size: int) -> list[dict]:
    return [
        {"Records": [{"messageId": str(uuid.uuid4()), "receiptHandle": "r", "body": body, "attributes": {},
                      "messageAttributes": {}, "eventSource": "aws:sqs", "awsRegion": "us-east-1",
                      "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:bench"} for body in bodies[i:i + size]]}
        for i in range(0, len(bodies), size)
    ]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s ({seconds * 1000 / count:.2f} ms each)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    os.environ.update(ENV)

    import boto3
    from moto import mock_aws

    from tasks import ingress
    from tasks.lib import aws
    from tasks.lib.request import validate_request
    from tasks.lib.tables import STATUS_TABLE, create_table

    objects = [request(n) for n in range(args.requests)]
    validate_request(objects[0])  # compile the validator outside the timing
    start = time.perf_counter()
    for obj in objects:
        validate_request(obj)
    schema_seconds = time.perf_counter() - start

    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        aws.configure(session)
        create_table(session.client("dynamodb"), STATUS_TABLE, ENV["WAVEFLOW_STATUS_TABLE"])
        session.client("events").create_event_bus(Name=ENV["WAVEFLOW_EVENT_BUS"])
        session.client("sqs").create_queue(QueueName="bench-dlq")
        events = batches([json.dumps(obj) for obj in objects], args.batch)
        passes = {}
        for name in ("new requests", "duplicates"):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):  # the EMF metric lines
                failed = sum(len(ingress.handler(event, Context())["batchItemFailures"]) for event in events)
            passes[name] = (time.perf_counter() - start, failed)

    print(f"ingress bench: {args.requests} valid requests, batches of {args.batch}, moto in-process")
    print(f"  schema check alone      {rate(args.requests, schema_seconds)}")
    for name, (seconds, failed) in passes.items():
        print(f"  handler, {name:<14} {rate(args.requests, seconds)}; batch item failures: {failed}")


if __name__ == "__main__":
    main()
