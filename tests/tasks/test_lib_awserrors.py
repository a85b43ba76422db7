"""Which AWS failures are transient (retried) and which are permanent (propagated as they are)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from tasks.lib.awserrors import THROTTLED, UNAVAILABLE, classify, transient_as_throttled
from tasks.lib.errors import AwsThrottled


def client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (client_error("ThrottlingException", 400), THROTTLED),
        (client_error("ProvisionedThroughputExceededException", 400), THROTTLED),
        (client_error("RequestLimitExceeded", 400), THROTTLED),
        (client_error("InternalServerError", 500), UNAVAILABLE),
        (client_error("InternalFailure", 500), UNAVAILABLE),
        (client_error("AnythingNew", 503), UNAVAILABLE),
        (EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"), UNAVAILABLE),
        (ReadTimeoutError(endpoint_url="https://events.us-east-1.amazonaws.com"), UNAVAILABLE),
        (client_error("ConditionalCheckFailedException", 400), None),
        (client_error("AccessDeniedException", 400), None),
        (client_error("ResourceNotFoundException", 400), None),
        (ValueError("not AWS"), None),
    ],
)
def test_each_failure_is_classified(error, kind):
    assert classify(error) == kind


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
