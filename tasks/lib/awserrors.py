"""Telling a transient AWS failure (throttling, a 5xx, a dropped connection) from a permanent one.

Tasks turn the transient ones into :class:`AwsThrottled` (MGN has its own names, see ``tasks.lib.mgn``): the
workflow retries that error name with backoff, and the ingress batch hands the record back to SQS. Anything
else propagates unchanged, with its AWS error code, so it is fixed rather than retried.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from tasks.lib.errors import AwsThrottled, WaveflowError

THROTTLED = "throttled"
UNAVAILABLE = "unavailable"

_THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
        "SlowDown",
    }
)
_SERVER_CODES = frozenset(
    {"InternalServerError", "InternalServerException", "InternalFailure", "InternalError", "ServiceUnavailable"}
)
_NETWORK_ERRORS = (ConnectionError, HTTPClientError)  # no connection, timeouts, dropped connections


def error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "Unknown")


def describe(exc: Exception) -> str:
    """``Code (HTTP nnn): message`` for a ClientError, the text of anything else."""
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
        return f"{error_code(exc)} (HTTP {status}): {exc.response.get('Error', {}).get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


def classify(exc: Exception) -> str | None:
    """:data:`THROTTLED`, :data:`UNAVAILABLE` or ``None`` (permanent, or not an AWS failure)."""
    if isinstance(exc, _NETWORK_ERRORS):
        return UNAVAILABLE
    if not isinstance(exc, ClientError):
        return None
    return classify_response(exc.response)


def classify_response(response: dict) -> str | None:
    """:func:`classify` for a parsed error response (``Error``, ``ResponseMetadata``) that came without a ClientError.

    A waiter hands back the response that ended it (``WaiterError.last_response``): a throttled poll there is
    as transient as a throttled call anywhere else. ``None`` for a response that carries no error.

    >>> classify_response({"Error": {"Code": "ThrottlingException"}})
    'throttled'
    """
    code = (response.get("Error") or {}).get("Code")
    if not code:
        return None
    if code in _THROTTLING_CODES:
        return THROTTLED
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    if code in _SERVER_CODES or status >= 500:
        return UNAVAILABLE
    return None


def is_transient(exc: BaseException) -> bool:
    """Whether retrying later can help: a waveflow error marked transient, or a transient AWS failure."""
    if isinstance(exc, WaveflowError):
        return exc.transient
    return isinstance(exc, Exception) and classify(exc) is not None


@contextmanager
def transient_as_throttled(what: str) -> Iterator[None]:
    """Re-raise a transient AWS failure inside the block as :class:`AwsThrottled` naming ``what`` was done.

    >>> with transient_as_throttled("DynamoDB PutItem on waveflow-status"):  # doctest: +SKIP
    ...     client.put_item(...)
    """
    try:
        yield
    except (ClientError, *_NETWORK_ERRORS) as exc:
        if classify(exc) is None:
            raise
        raise AwsThrottled(f"{what} failed transiently: {describe(exc)}") from exc
