"""ApprovalRequestApproval: the task token goes to SNS with approve/reject commands."""

from __future__ import annotations

import json

import pytest

from tasks.approval import request_approval
from tasks.lib.errors import AwsThrottled, InvalidMigrationDocument


def test_token_is_published_with_approve_and_reject_commands(notifications, lambda_context):
    out = request_approval({"taskToken": "tok-123", "wave": "7", "appName": "billing-api", "correlationId": "c-1"}, lambda_context)
    [message] = notifications.messages()
    body = json.loads(message["Message"])
    assert out == {"approvalRequested": True, "messageId": message["MessageId"]}
    assert body["taskToken"] == "tok-123" and body["approvalFor"] == {"appName": "billing-api", "wave": "7"}
    assert "send-task-success --task-token 'tok-123'" in body["approve"]
    assert "send-task-failure --task-token 'tok-123'" in body["reject"]
    assert message["Subject"].startswith("waveflow approval needed")


@pytest.mark.parametrize(
    "event, message",
    [({"wave": "7"}, "no 'taskToken'"), ({"taskToken": "t"}, "names nothing to approve"), ([], "no 'taskToken'")],
)
def test_incomplete_input_is_an_invalid_document(event, message, lambda_context):
    with pytest.raises(InvalidMigrationDocument, match=message):
        request_approval(event, lambda_context)


def test_a_throttled_sns_is_aws_throttled(notifications, faults, lambda_context):
    faults.fail("sns", "Publish", "Throttling", status=400)
    with pytest.raises(AwsThrottled, match="Publish failed transiently"):
        request_approval({"taskToken": "tok-1", "wave": "7"}, lambda_context)


def test_the_subject_is_made_acceptable_to_sns(notifications, lambda_context):
    request_approval({"taskToken": "tok-1", "wave": "7", "appName": "billing\r\nBcc: someone\t\u00e9t\u00e9" + "y" * 90}, lambda_context)
    [message] = notifications.messages()
    subject = message["Subject"]
    assert subject.startswith("waveflow approval needed: billing Bcc: someone eteyyy") and len(subject) < 100
    assert subject.isascii() and subject.isprintable()
