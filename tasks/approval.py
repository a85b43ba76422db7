"""ApprovalRequestApproval: the human gate before cutover, as a ``.waitForTaskToken`` task.

The workflow passes ``{"taskToken": $$.Task.Token, ...the state document or the wave's summary}``; this
publishes the token to ``WAVEFLOW_NOTIFY_TOPIC_ARN`` with the exact commands to approve or reject, and
returns. The execution then waits until someone calls SendTaskSuccess / SendTaskFailure (or the task's
timeout ends it with ``States.Timeout``). It is not a migration stage: a wave asks once for many servers, so it
needs no status record, only a token and something to name (``migrationId`` or ``wave``). Its failures reach the
workflow under the same names as the stages' (a throttled SNS is ``AwsThrottled``, retried).
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
    """Publish the approval request for ``event['taskToken']``; returns the SNS message ID.

    >>> request_approval({"taskToken": "AAAA...", "wave": "7", "correlationId": "c-1"})  # doctest: +SKIP
    {'approvalRequested': True, 'messageId': '...'}
    """
    if not isinstance(event, dict) or not event.get("taskToken"):
        raise InvalidMigrationDocument("request_approval: the input has no 'taskToken' (pass $$.Task.Token)")
    subject_of = {key: str(event[key]) for key in SUBJECT_FIELDS if event.get(key)}
    if not subject_of:
        raise InvalidMigrationDocument("request_approval: the input names nothing to approve (migrationId or wave)")
    logger.set_correlation_id(event.get("correlationId"))
    token = event["taskToken"]
    message = {
        "approvalFor": subject_of,
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
        json.dumps(message, indent=2),
        {"kind": "approval"},
    )
    logger.info("approval requested", extra={"approvalFor": subject_of, "messageId": message_id})
    return {"approvalRequested": True, "messageId": message_id}
