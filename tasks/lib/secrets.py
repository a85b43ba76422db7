"""Reading the tasks' secrets (the callback signing key, the CMF credentials) from Secrets Manager.

Through Powertools' parameters utility (``SecretsProvider``), cached for :data:`SECRET_MAX_AGE_SECONDS`: a warm
Lambda asks Secrets Manager once per secret per age, not once per callback, and a rotated secret is picked up
within that age. The provider uses the tasks' own client (``tasks.lib.aws``) and the tasks' clock, so the local
twin and the tests move its cache age with their virtual clock.

A secret that is missing, unreadable (access denied, KMS refusing to decrypt) or binary is a deployment
mistake, so it is a :class:`ConfigError` naming the secret and what it is for; throttling and 5xx are
``AwsThrottled``, retried like any other transient AWS failure.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_lambda_powertools.utilities.parameters.base import ExpirableValue
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError
from botocore.exceptions import ClientError

from tasks.lib import aws
from tasks.lib.awserrors import classify, describe
from tasks.lib.errors import AwsThrottled, ConfigError

SECRET_MAX_AGE_SECONDS = 300


class _ClockedSecretsProvider(SecretsProvider):
    """Powertools' provider with its cache ages on ``aws.now()`` (Powertools reads the wall clock)."""

    def has_not_expired_in_cache(self, key: tuple) -> bool:
        return key in self.store and self.store[key].ttl >= aws.now().replace(tzinfo=None)

    def add_to_cache(self, key: tuple, value: Any, max_age: int) -> None:
        if max_age > 0:
            self.store[key] = ExpirableValue(value, aws.now().replace(tzinfo=None) + timedelta(seconds=max_age))


#: The provider and the Secrets Manager client it was built with (rebuilt when ``aws.configure`` swaps sessions).
_provider: list[tuple[Any, SecretsProvider]] = []


def _secrets() -> SecretsProvider:
    client = aws.client("secretsmanager")
    if not _provider or _provider[0][0] is not client:
        _provider[:] = [(client, _ClockedSecretsProvider(boto3_client=client))]
    return _provider[0][1]


def read_secret(secret_id: str, purpose: str) -> str:
    """The ``SecretString`` of ``secret_id``, which holds ``purpose`` (named in the errors), cached for 5 minutes.

    >>> read_secret("waveflow/callback", "the callback signing secret")  # doctest: +SKIP
    'callback-signing-secret'
    """
    try:
        value = _secrets().get(secret_id, max_age=SECRET_MAX_AGE_SECONDS)
    except GetParameterError as exc:
        failure = exc.__cause__ or exc.__context__
        if isinstance(failure, Exception) and classify(failure) is not None:
            raise AwsThrottled(f"Secrets Manager GetSecretValue {secret_id} failed transiently: {describe(failure)}") from exc
        shown = describe(failure) if isinstance(failure, ClientError) else str(exc)
        raise ConfigError(f"secret {secret_id} ({purpose}) cannot be read: {shown}") from exc
    if not isinstance(value, str) or not value:
        raise ConfigError(f"secret {secret_id} ({purpose}) holds no text (SecretString); store it as a string")
    return value
