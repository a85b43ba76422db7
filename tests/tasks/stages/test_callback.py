"""Callback: the signed POST verified by the stand-in receiver, the SNS notification, each delivered once."""

from __future__ import annotations

import pytest
from stage_pipeline import record_of

from tasks import callback, rollback
from tasks.lib import aws
from tasks.lib.errors import AwsThrottled, CallbackRejected, CallbackUnavailable, ConfigError, IllegalTransition

ERROR = {"Error": "ValidationFailed", "Cause": "target.subnetId does not exist"}


@pytest.fixture
def failed(document, lambda_context):
    """A migration that ended FAILED (rolled back straight away)."""
    return rollback.handler({**document, "error": ERROR}, lambda_context)


def test_signed_status_reaches_the_receiver_and_sns(failed, callback_receiver, notifications, lambda_context):
    out = callback.handler(failed, lambda_context)
    assert out["callback"]["posted"] and out["callback"]["notified"] and out["callback"]["httpStatus"] == 200
    [payload] = callback_receiver.verified
    assert payload["status"] == "FAILED" and payload["error"] == ERROR
    assert payload["migrationId"] == failed["migrationId"] and payload["correlationId"] == failed["correlationId"]
    request = callback_receiver.received[0]
    assert request.headers[callback.DELIVERY_HEADER] == f"{failed['migrationId']}:FAILED"
    [message] = notifications.messages()
    assert message["MessageAttributes"]["status"]["Value"] == "FAILED"
    assert record_of(failed)["executionDetails"]["callback"]["notified"] is True
    assert record_of(failed)["status"] == "FAILED"


def test_same_input_twice_delivers_once(failed, callback_receiver, notifications, lambda_context):
    callback.handler(failed, lambda_context)
    callback.handler(failed, lambda_context)
    assert len(callback_receiver.received) == 1 and len(notifications.messages()) == 1


def test_crash_after_the_post_was_noted_does_not_post_again(failed, callback_receiver, notifications, crash_after, lambda_context):
    crash_after("sns", "Publish")
    with pytest.raises(Exception, match="crashed after sns.Publish"):
        callback.handler(failed, lambda_context)
    callback.handler(failed, lambda_context)
    assert len(callback_receiver.received) == 1


def test_without_callback_url_only_sns_is_told(failed, callback_receiver, notifications, lambda_context):
    out = callback.handler({k: v for k, v in failed.items() if k != "callbackUrl"}, lambda_context)
    assert "posted" not in out["callback"] and out["callback"]["notified"]
    assert callback_receiver.received == [] and len(notifications.messages()) == 1


def test_receiver_errors_map_to_transient_and_fatal_names(failed, callback_receiver, notifications, lambda_context):
    callback_receiver.statuses = [503, 503, 503]
    with pytest.raises(CallbackUnavailable, match="after 3 attempts: HTTP 503"):
        callback.handler(failed, lambda_context)
    callback_receiver.statuses = [410]
    with pytest.raises(CallbackRejected, match="HTTP 410"):
        callback.handler(failed, lambda_context)
    assert notifications.messages() == []


def test_wrong_secret_is_refused_by_the_receiver(failed, callback_receiver, notifications, lambda_context):
    aws.client("secretsmanager").put_secret_value(SecretId="waveflow/callback", SecretString="not-the-shared-secret")
    with pytest.raises(CallbackRejected, match="HTTP 401"):
        callback.handler(failed, lambda_context)
    assert callback_receiver.verified == []


def test_callback_before_the_end_is_refused(document, callback_receiver, lambda_context):
    with pytest.raises(IllegalTransition, match="in status PENDING"):
        callback.handler(document, lambda_context)
    assert callback_receiver.received == []


def test_a_redirect_is_no_delivery(failed, callback_receiver, notifications, lambda_context):
    callback_receiver.statuses = [302]
    with pytest.raises(CallbackRejected, match="redirects are not followed"):
        callback.handler(failed, lambda_context)
    assert "posted" not in record_of(failed)["executionDetails"].get("callback", {})


def test_secret_errors_are_named_transient_or_config(failed, callback_receiver, notifications, aws_mock, faults, lambda_context):
    faults.fail("secretsmanager", "GetSecretValue", "ThrottlingException", status=400)
    with pytest.raises(AwsThrottled, match="GetSecretValue waveflow/callback"):
        callback.handler(failed, lambda_context)
    aws_mock.client("secretsmanager").delete_secret(SecretId="waveflow/callback", ForceDeleteWithoutRecovery=True)
    with pytest.raises(ConfigError, match="waveflow/callback .*the callback signing secret.*ResourceNotFound"):
        callback.handler(failed, lambda_context)
    assert callback_receiver.received == []


def test_the_sns_subject_is_made_acceptable_to_sns(failed, notifications, aws_mock, lambda_context):
    app_name = "Zahlungs\u00fcbersicht\nline two\u0007" + "x" * 120
    aws_mock.client("dynamodb").update_item(
        TableName="waveflow-status", Key={"migrationId": {"S": failed["migrationId"]}},
        UpdateExpression="SET appName = :a", ExpressionAttributeValues={":a": {"S": app_name}},
    )
    callback.handler({k: v for k, v in failed.items() if k != "callbackUrl"}, lambda_context)
    [message] = notifications.messages()
    subject = message["Subject"]
    assert subject.startswith("waveflow: Zahlungsubersicht line two x") and len(subject) < 100
    assert subject.isascii() and subject.isprintable()
    assert message["MessageAttributes"]["appName"]["Value"] == app_name
