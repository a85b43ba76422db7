"""Which AWS failures are transient (retried) and which are permanent (propagated as they are).

The transient side is botocore's: these tests read botocore's own retry rules (the standard mode's checkers and
``botocore/data/_retry.json``) and require every code and status in them to be transient here, so a botocore
upgrade that adds one cannot leave waveflow behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import botocore
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.retries.standard import ThrottledRetryableChecker, TransientRetryableChecker

from tasks.lib.awserrors import THROTTLED, UNAVAILABLE, classify, classify_response, is_transient, transient_as_throttled
from tasks.lib.errors import AwsThrottled

RETRY_JSON = Path(botocore.__file__).parent / "data" / "_retry.json"


def client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


def retry_json_responses() -> list[dict]:
    """Every ``applies_when.response`` in botocore's _retry.json, read here apart from the code under test."""
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            response = (node.get("applies_when") or {}).get("response") or {}
            if "service_error_code" in response or "http_status_code" in response:  # not the crc32 body check
                found.append(response)
            for value in node.values():
                walk(value)

    walk(json.loads(RETRY_JSON.read_text()))
    return found


@pytest.mark.parametrize("code", ThrottledRetryableChecker._THROTTLED_ERROR_CODES)
def test_every_code_botocore_calls_throttling_is_throttled(code):
    assert classify(client_error(code, 400)) == THROTTLED


@pytest.mark.parametrize("code", TransientRetryableChecker._TRANSIENT_ERROR_CODES)
def test_every_code_botocore_calls_transient_is_transient(code):
    assert classify(client_error(code, 400)) in (THROTTLED, UNAVAILABLE)


@pytest.mark.parametrize("status", TransientRetryableChecker._TRANSIENT_STATUS_CODES)
def test_every_status_botocore_calls_transient_is_unavailable(status):
    assert classify(client_error("SomethingNew", status)) == UNAVAILABLE


@pytest.mark.parametrize("response", retry_json_responses(), ids=lambda r: f"{r.get('service_error_code', '')}{r.get('http_status_code', '')}")
def test_every_error_botocore_legacy_rules_retry_is_transient(response):
    code = response.get("service_error_code", "SomethingNew")
    assert classify(client_error(code, response.get("http_status_code", 400))) in (THROTTLED, UNAVAILABLE)
    if "service_error_code" in response:  # the code alone decides, whatever status a service sends it with
        assert classify(client_error(code, 400)) in (THROTTLED, UNAVAILABLE)


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (client_error("PriorRequestNotComplete", 400), THROTTLED),  # Route 53, 25 cutovers into one zone
        (client_error("RequestTimeout", 400), UNAVAILABLE),
        (client_error("RequestTimeoutException", 408), UNAVAILABLE),
        (client_error("BandwidthLimitExceeded", 509), THROTTLED),
        (client_error("EC2ThrottledException", 503), THROTTLED),
        (client_error("LimitExceededException", 400), THROTTLED),
        (client_error("ThrottlingException", 400), THROTTLED),
        (client_error("ProvisionedThroughputExceededException", 400), THROTTLED),
        (client_error("RequestLimitExceeded", 400), THROTTLED),
        (client_error("ReplicatedWriteConflictException", 409), UNAVAILABLE),
        (client_error("SomethingNew", 429), THROTTLED),
        (client_error("", 429), THROTTLED),
        (client_error("InternalServerError", 500), UNAVAILABLE),
        (client_error("InternalFailure", 500), UNAVAILABLE),
        (client_error("AnythingNew", 503), UNAVAILABLE),
        (client_error("BandwidthNew", 509), UNAVAILABLE),
        (EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"), UNAVAILABLE),
        (ReadTimeoutError(endpoint_url="https://events.us-east-1.amazonaws.com"), UNAVAILABLE),
        (client_error("ConditionalCheckFailedException", 400), None),
        (client_error("AccessDeniedException", 400), None),
        (client_error("ResourceNotFoundException", 400), None),
        (client_error("ValidationException", 400), None),
        (client_error("NotImplemented", 501), None),
        (client_error("InvalidChangeBatch", 400), None),
        (ValueError("not AWS"), None),
    ],
)
def test_each_failure_is_classified(error, kind):
    assert classify(error) == kind
    assert is_transient(error) is (kind is not None)


def test_a_response_without_an_error_is_not_classified():
    assert classify_response({"ResponseMetadata": {"HTTPStatusCode": 200}}) is None
    assert classify_response({}) is None


def test_a_transient_failure_becomes_aws_throttled_naming_the_call():
    with pytest.raises(AwsThrottled, match=r"DynamoDB PutItem on t failed transiently: ThrottlingException \(HTTP 400\): m"):
        with transient_as_throttled("DynamoDB PutItem on t"):
            raise client_error("ThrottlingException", 400)


def test_a_permanent_failure_passes_through_unchanged():
    original = client_error("AccessDeniedException", 400)
    with pytest.raises(ClientError) as raised:
        with transient_as_throttled("DynamoDB PutItem on t"):
            raise original
    assert raised.value is original
