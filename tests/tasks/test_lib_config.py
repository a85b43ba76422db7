"""Settings from the environment, and the client factory the local twin injects into."""

from __future__ import annotations

from datetime import datetime, timezone

import boto3
import pytest

from tasks.lib import aws
from tasks.lib.config import Config, load_config, read_config
from tasks.lib.errors import ConfigError


def test_the_tasks_environment_becomes_a_config(aws_env):
    config = load_config()
    assert config == Config(
        status_table="waveflow-status",
        event_bus="waveflow-bus",
        dlq_url=aws_env["WAVEFLOW_DLQ_URL"],
        idempotency_table="waveflow-idempotency",
        callback_secret_id="waveflow/callback",
        notify_topic_arn=aws_env["WAVEFLOW_NOTIFY_TOPIC_ARN"],
        cmf_secret_id=None,
        payload_bucket="waveflow-payloads",
    )
    assert load_config() is config, "read once per process"


def test_every_missing_or_blank_setting_is_named_at_once(aws_env):
    environ = {**aws_env, "WAVEFLOW_STATUS_TABLE": "  ", "WAVEFLOW_DLQ_URL": ""}
    del environ["WAVEFLOW_NOTIFY_TOPIC_ARN"]
    with pytest.raises(ConfigError) as raised:
        read_config(environ)
    assert str(raised.value).startswith(
        "WAVEFLOW_STATUS_TABLE is not set, WAVEFLOW_DLQ_URL is not set, WAVEFLOW_NOTIFY_TOPIC_ARN is not set in"
    )


def test_the_cmf_secret_is_optional_and_read_when_set(aws_env):
    assert read_config({**aws_env, "WAVEFLOW_CMF_SECRET_ID": "waveflow/cmf"}).cmf_secret_id == "waveflow/cmf"


def test_clients_are_built_once_per_service_from_the_injected_session(boto_session):
    aws.configure(boto_session)
    assert aws.client("dynamodb") is aws.client("dynamodb")
    assert aws.client("sqs") is not aws.client("dynamodb")
    assert aws.client("sqs").meta.region_name == "us-east-1"


def test_configure_starts_a_fresh_cache_on_the_new_session():
    aws.configure(boto3.Session(region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b"))
    first = aws.client("sqs")
    aws.configure(boto3.Session(region_name="ap-south-1", aws_access_key_id="a", aws_secret_access_key="b"))
    assert aws.client("sqs") is not first and aws.client("sqs").meta.region_name == "ap-south-1"


def test_now_reads_the_injected_clock_as_utc():
    aws.configure(clock=lambda: 1_767_225_600.25)
    assert aws.now() == datetime(2026, 1, 1, 0, 0, 0, 250000, tzinfo=timezone.utc)
    assert aws.iso_now() == "2026-01-01T00:00:00.250Z"
    aws.configure()
    assert aws.now().tzinfo is timezone.utc


def test_a_setting_only_some_functions_have_is_named_when_a_handler_requires_it(aws_env):
    with pytest.raises(ConfigError, match="WAVEFLOW_WAVE_TABLE is not set"):
        read_config(aws_env).require("wave_table")
    assert read_config({**aws_env, "WAVEFLOW_WAVE_TABLE": "waves"}).require("wave_table") == "waves"
