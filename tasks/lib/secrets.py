"""Reading the tasks' secrets (the callback signing key, the CMF credentials) from Secrets Manager.

A secret that is missing, unreadable (access denied, KMS refusing to decrypt) or binary is a deployment
mistake, so it is a :class:`ConfigError` naming the secret and what it is for; throttling and 5xx are
``AwsThrottled``, retried like any other transient AWS failure.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from tasks.lib import aws
from tasks.lib.awserrors import classify, describe, transient_as_throttled
from tasks.lib.errors import ConfigError


def read_secret(secret_id: str, purpose: str) -> str:
    """The ``SecretString`` of ``secret_id``, which holds ``purpose`` (named in the errors).

    >>> read_secret("waveflow/callback", "the callback signing secret")  # doctest: +SKIP
    'callback-signing-secret'
    """
    with transient_as_throttled(f"Secrets Manager GetSecretValue {secret_id}"):
        try:
            response = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)
        except ClientError as exc:
            if classify(exc) is not None:
                raise
            raise ConfigError(f"secret {secret_id} ({purpose}) cannot be read: {describe(exc)}") from exc
    if not response.get("SecretString"):
        raise ConfigError(f"secret {secret_id} ({purpose}) holds no text (SecretString); store it as a string")
    return response["SecretString"]
