"""Telling a transient AWS failure (throttling, a 5xx, a dropped connection) from a permanent one.

Tasks turn the transient ones into :class:`AwsThrottled` (MGN has its own names, see ``tasks.lib.mgn``): the
workflow retries that error name with backoff, and the ingress batch hands the record back to SQS. Anything
else propagates unchanged, with its AWS error code, so it is fixed rather than retried.

What is transient is botocore's decision, not a list kept here, so it follows botocore as AWS adds codes:

* throttled: the error codes of botocore's standard retry mode (``ThrottledRetryableChecker``), and HTTP 429;
* unavailable: the standard mode's transient codes and statuses (``TransientRetryableChecker``: RequestTimeout,
  PriorRequestNotComplete, 500/502/503/504, connection errors), and every error code and bare HTTP status that
  a retry policy of any service in ``botocore/data/_retry.json`` (the legacy mode's rules) retries — Route 53's
  PriorRequestNotComplete, EC2's EC2ThrottledException, Kinesis' LimitExceededException, HTTP 509, ...

A code is transient whichever service sends it: the tasks call a handful of services, and a code one service
retries means "try again later" wherever it appears.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Iterator

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError
from botocore.loaders import create_loader
from botocore.retries.standard import RetryContext, ThrottledRetryableChecker, TransientRetryableChecker

from tasks.lib.errors import AwsThrottled, WaveflowError

THROTTLED = "throttled"
UNAVAILABLE = "unavailable"

_NETWORK_ERRORS = (ConnectionError, HTTPClientError)  # no connection, timeouts, dropped connections
_TOO_MANY_REQUESTS = 429


@dataclass(frozen=True)
class RetryRules:
    """What botocore's legacy retry configuration (``_retry.json``) retries, over every service."""

    codes: frozenset[str]
    statuses: frozenset[int]


def _policies(node: object) -> Iterator[dict]:
    """Every ``applies_when.response`` of a ``_retry.json`` document, wherever it is nested."""
    if isinstance(node, dict):
        response = (node.get("applies_when") or {}).get("response")
        if isinstance(response, dict):
            yield response
        for value in node.values():
            yield from _policies(value)


@functools.cache
def legacy_retry_rules() -> RetryRules:
    """The error codes and bare HTTP statuses ``botocore/data/_retry.json`` retries (read once per process).

    A policy naming an error code contributes the code (whatever status it came with); one naming only a
    status contributes the status.

    >>> sorted(legacy_retry_rules().statuses)
    [429, 500, 502, 503, 504, 509]
    """
    codes: set[str] = set()
    statuses: set[int] = set()
    for response in _policies(create_loader().load_data("_retry")):
        if "service_error_code" in response:
            codes.add(response["service_error_code"])
        elif "http_status_code" in response:
            statuses.add(int(response["http_status_code"]))
    return RetryRules(frozenset(codes), frozenset(statuses))


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

    >>> classify_response({"Error": {"Code": "PriorRequestNotComplete"}, "ResponseMetadata": {"HTTPStatusCode": 400}})
    'throttled'
    """
    error = response.get("Error") or {}
    code = error.get("Code")
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    if not code and not (isinstance(status, int) and status >= 400):
        return None
    context = RetryContext(
        attempt_number=1,
        parsed_response={"Error": error},
        http_response=AWSResponse("", status, {}, None) if isinstance(status, int) and status else None,
    )
    if ThrottledRetryableChecker().is_retryable(context) or status == _TOO_MANY_REQUESTS:
        return THROTTLED
    rules = legacy_retry_rules()
    if TransientRetryableChecker().is_retryable(context) or code in rules.codes or status in rules.statuses:
        return UNAVAILABLE
    return None


def is_transient(exc: BaseException) -> bool:
    """Whether retrying later can help: a waveflow error marked transient, or a transient AWS failure."""
    if isinstance(exc, WaveflowError):
        return exc.transient
    return isinstance(exc, Exception) and classify(exc) is not None


class transient_as_throttled:  # named as the function it was: ``with transient_as_throttled(...)``
    """Re-raise a transient AWS failure inside the block as :class:`AwsThrottled` naming ``what`` was done.

    A class rather than a ``contextmanager`` generator: it wraps every AWS call the tasks make, and entering and
    leaving a generator's context costs ~2 us more each time.

    >>> with transient_as_throttled("DynamoDB PutItem on waveflow-status"):  # doctest: +SKIP
    ...     client.put_item(...)
    """

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, traceback: Any) -> bool:
        if not isinstance(exc, (ClientError, *_NETWORK_ERRORS)) or classify(exc) is None:
            return False
        raise AwsThrottled(f"{self.what} failed transiently: {describe(exc)}") from exc
