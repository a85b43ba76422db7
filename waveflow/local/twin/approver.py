"""A simulated approver: answers the approval requests the stack's topic carries, through the Step Functions API.

It reads each approval notification the twin delivers (message attribute ``kind`` = ``approval``, the token in
the message, as ``tasks.approval`` publishes it) and, ``delay`` seconds later on the twin's clock, calls
SendTaskSuccess (``approve``) or SendTaskFailure with ``ApprovalRejected`` (``reject``) with its own boto3 client,
as an operator following the message's commands would; ``ignore`` never answers, so the approval times out.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

APPROVE, REJECT, IGNORE = "approve", "reject", "ignore"


@dataclass
class Approver:
    """Listens to delivered notifications (``SnsDelivery.listeners``) and answers approvals.

    >>> twin.sns.listeners.append(Approver(twin.session.client("stepfunctions"), twin.scheduler, APPROVE, 600))
    """

    stepfunctions: object
    scheduler: object
    mode: str = APPROVE
    delay: float = 600.0
    name: str = "simulated-approver"
    answered: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.mode not in (APPROVE, REJECT, IGNORE):
            raise ValueError(f"an approver approves, rejects or ignores; not {self.mode!r}")

    def __call__(self, notification: dict) -> None:
        if (notification.get("MessageAttributes") or {}).get("kind", {}).get("Value") != "approval":
            return
        request = json.loads(notification["Message"])
        if self.mode != IGNORE:
            self.scheduler.after(self.delay, lambda: self._answer(request))

    def _answer(self, request: dict) -> None:
        token = request["taskToken"]
        if self.mode == APPROVE:
            self.stepfunctions.send_task_success(taskToken=token, output=json.dumps({"approved": True,
                                                                                    "by": self.name}))
        else:
            self.stepfunctions.send_task_failure(taskToken=token, error="ApprovalRejected",
                                                 cause=f"rejected by {self.name}")
        self.answered.append({"approvalFor": request.get("approvalFor"), "mode": self.mode})
