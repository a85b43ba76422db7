"""Secrets through Powertools' parameters utility: cached for their max age on the tasks' clock, errors named."""

from __future__ import annotations

import pytest

from tasks.lib import aws
from tasks.lib.errors import AwsThrottled, ConfigError
from tasks.lib.secrets import SECRET_MAX_AGE_SECONDS, read_secret

SECRET_ID = "waveflow/callback"


@pytest.fixture
def secret(aws_mock) -> list[int]:
    """The callback secret in moto; the list counts the tasks' GetSecretValue calls."""
    aws_mock.client("secretsmanager").create_secret(Name=SECRET_ID, SecretString="first")
    calls: list[int] = []
    aws.client("secretsmanager").meta.events.register("before-call.secretsmanager.GetSecretValue",
                                                      lambda **_: calls.append(1))
    return calls


def test_a_secret_is_read_once_within_its_max_age_and_again_after_it(secret, aws_mock, clock):
    assert read_secret(SECRET_ID, "the callback signing secret") == "first"
    aws_mock.client("secretsmanager").put_secret_value(SecretId=SECRET_ID, SecretString="rotated")
    clock.advance(SECRET_MAX_AGE_SECONDS - 1)
    assert read_secret(SECRET_ID, "the callback signing secret") == "first"
    assert len(secret) == 1
    clock.advance(2)
    assert read_secret(SECRET_ID, "the callback signing secret") == "rotated"
    assert len(secret) == 2


def test_a_missing_secret_is_a_config_error_naming_it(aws_mock):
    with pytest.raises(ConfigError, match="secret waveflow/absent \\(the CMF credentials\\) cannot be read: "
                                          "ResourceNotFoundException"):
        read_secret("waveflow/absent", "the CMF credentials")


def test_a_binary_secret_is_a_config_error(aws_mock):
    aws_mock.client("secretsmanager").create_secret(Name="waveflow/binary", SecretBinary=b"\x00\x01")
    with pytest.raises(ConfigError, match="holds no text"):
        read_secret("waveflow/binary", "the callback signing secret")


def test_throttling_is_transient_and_not_cached(secret, faults):
    faults.fail("secretsmanager", "GetSecretValue", "ThrottlingException", status=400)
    with pytest.raises(AwsThrottled, match="GetSecretValue waveflow/callback failed transiently: ThrottlingException"):
        read_secret(SECRET_ID, "the callback signing secret")
    assert read_secret(SECRET_ID, "the callback signing secret") == "first"
