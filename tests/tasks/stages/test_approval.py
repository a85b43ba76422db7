"""ApprovalRequestApproval: the task token goes to SNS with approve/reject commands.

The handler's input is the payload the compiled Approval state builds (docs/interfaces.md, "The approval
payload"); one test runs the shipped MigrationWave's compiled approval state in the interpreter over the handler.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.approval import request_approval
from tasks.lib.errors import AwsThrottled, InvalidMigrationDocument
from waveflow.compile import build
from waveflow.local.runtime import LocalRuntime

REPO = Path(__file__).resolve().parents[3]


def _payload(document: dict, token: str = "tok-123", message: str | None = None) -> dict:
    """What the compiled Approval hands its notify handler."""
    payload = {"approval": "ApproveWaveCutover", "taskToken": token,
               "executionId": "arn:aws:states:us-east-1:123456789012:execution:MigrationWave:wave-7", "input": document}
    return {**payload, "message": message} if message else payload


def test_token_is_published_with_approve_and_reject_commands(notifications, lambda_context):
    out = request_approval(_payload({"wave": "7", "appName": "billing-api", "correlationId": "c-1"},
                                    message="Approve the cutover"), lambda_context)
    [message] = notifications.messages()
    body = json.loads(message["Message"])
    assert out == {"approvalRequested": True, "messageId": message["MessageId"]}
    assert body["taskToken"] == "tok-123" and body["approvalFor"] == {"appName": "billing-api", "wave": "7"}
    assert body["approval"] == "ApproveWaveCutover" and body["message"] == "Approve the cutover"
    assert body["executionId"].endswith(":execution:MigrationWave:wave-7")
    assert "send-task-success --task-token 'tok-123'" in body["approve"]
    assert "send-task-failure --task-token 'tok-123'" in body["reject"]
    assert message["Subject"].startswith("waveflow approval needed")


@pytest.mark.parametrize(
    "event, message",
    [
        (_payload({"wave": "7"}, token=""), "no 'taskToken'"),
        ({"taskToken": "t", "wave": "7"}, "no 'input' object"),
        (_payload({"expectedMigrations": 3}), "names nothing to approve"),
        ([], "no 'taskToken'"),
    ],
)
def test_incomplete_input_is_an_invalid_document(event, message, lambda_context):
    with pytest.raises(InvalidMigrationDocument, match=message):
        request_approval(event, lambda_context)


def test_a_throttled_sns_is_aws_throttled(notifications, faults, lambda_context):
    faults.fail("sns", "Publish", "Throttling", status=400)
    with pytest.raises(AwsThrottled, match="Publish failed transiently"):
        request_approval(_payload({"wave": "7"}), lambda_context)


def test_the_subject_is_made_acceptable_to_sns(notifications, lambda_context):
    request_approval(_payload({"wave": "7", "appName": "billing\r\nBcc: someone\t\u00e9t\u00e9" + "y" * 90}),
                     lambda_context)
    [message] = notifications.messages()
    subject = message["Subject"]
    assert subject.startswith("waveflow approval needed: billing Bcc: someone eteyyy") and len(subject) < 100
    assert subject.isascii() and subject.isprintable()


def test_the_shipped_waves_compiled_approval_reaches_the_handler_and_waits_for_the_answer(
        tmp_path, notifications, aws_mock, clock):
    compiled = json.loads(build(REPO, tmp_path / "build")["MigrationWave.asl.json"])
    state = {**compiled["States"]["ApproveWaveCutover"], "End": True}
    state.pop("Next", None)
    state.pop("Catch", None)
    runtime = LocalRuntime({"ApprovalRequestApproval": request_approval}, boto_session=aws_mock)
    runtime.register_state_machine("Approval", {"StartAt": "ApproveWaveCutover",
                                                "States": {"ApproveWaveCutover": state}})
    execution = runtime.start_execution("Approval", {"wave": "7", "expectedMigrations": 2}, name="wave-7")
    runtime.run(until=runtime.clock.now() + 3600)  # the approval waits up to 72 h: look after an hour

    [message] = notifications.messages()
    body = json.loads(message["Message"])
    assert execution.status == "RUNNING" and body["approvalFor"] == {"wave": "7"}
    runtime.send_task_success(body["taskToken"], {"approved": True, "by": "alice"})
    runtime.run()
    assert execution.status == "SUCCEEDED"
    assert execution.output["approval"] == {"approved": True, "by": "alice"}
