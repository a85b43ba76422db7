"""ApprovalRequestApproval: the human gate of a workflow, as the notify handler of an ``Approval`` state.

The compiled Approval (docs/interfaces.md, "The approval payload") calls this with ``{"approval": <state name>,
"taskToken": $$.Task.Token, "executionId": $$.Execution.Id, "input": <the state's input>, "message": <the
Approval's message, when it has one>}``. This publishes the token to ``WAVEFLOW_NOTIFY_TOPIC_ARN`` with the exact
commands to approve or reject, and returns. The execution then waits until someone calls SendTaskSuccess /
SendTaskFailure (``ApprovalRejected``), or the state's timeout ends it with ``States.Timeout``. It is not a
migration stage: a wave asks once for many servers, so it needs no status record, only a token and something in
the input to name (``migrationId``, ``wave`` or ``appName``). Its failures reach the workflow under the same
names as the stages' (a throttled SNS is ``AwsThrottled``, retried).
"""

from __future__ import annotations

import json
from typing import Any

from tasks.lib import aws, notify
from tasks.lib.errors import InvalidMigrationDocument
from tasks.lib.observability import logger
from tasks.lib.stage import reports_errors

SUBJECT_FIELDS = ("appName", "wave", "migrationId")


@reports_errors("approval")
def request_approval(event: dict, context: Any) -> dict:
    """Publish the approval request for the compiled Approval's payload; returns the SNS message ID.

    >>> request_approval({"approval": "ApproveWaveCutover", "taskToken": "AAAA...", "executionId": "arn:...",
    ...                   "input": {"wave": "7", "correlationId": "c-1"}})  # doctest: +SKIP
    {'approvalRequested': True, 'messageId': '...'}
    """
    if not isinstance(event, dict) or not event.get("taskToken"):
        raise InvalidMigrationDocument("request_approval: the payload has no 'taskToken' (the Approval state passes "
                                       "$$.Task.Token)")
    document = event.get("input")
    if not isinstance(document, dict):
        raise InvalidMigrationDocument("request_approval: the payload has no 'input' object (the Approval state "
                                       "passes its input there)")
    subject_of = {key: str(document[key]) for key in SUBJECT_FIELDS if document.get(key)}
    if not subject_of:
        raise InvalidMigrationDocument("request_approval: the input names nothing to approve (migrationId, wave or "
                                       "appName)")
    logger.set_correlation_id(document.get("correlationId"))
    token = event["taskToken"]
    message = {
        "approvalFor": subject_of,
        "approval": event.get("approval"),
        "executionId": event.get("executionId"),
        "message": event.get("message"),
        "requestedAt": aws.iso_now(),
        "approve": f"aws stepfunctions send-task-success --task-token '{token}' --task-output '{{\"approved\": true}}'",
        "reject": (
            f"aws stepfunctions send-task-failure --task-token '{token}' "
            "--error ApprovalRejected --cause 'rejected by <your name>'"
        ),
        "taskToken": token,
    }
    message_id = notify.publish(
        "waveflow approval needed: " + " ".join(subject_of.values()),
        json.dumps({key: value for key, value in message.items() if value is not None}, indent=2),
        {"kind": "approval"},
    )
    logger.info("approval requested", extra={"approvalFor": subject_of, "messageId": message_id})
    return {"approvalRequested": True, "messageId": message_id}
