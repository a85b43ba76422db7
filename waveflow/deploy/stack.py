"""What CloudFormation says about a stack: whether it can be deployed to, and its outputs."""
from __future__ import annotations

from botocore.exceptions import ClientError

from .errors import DeployError

#: States a change set can start from; the others need a person first (what to do is in REMEDY).
DEPLOYABLE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
              "IMPORT_ROLLBACK_COMPLETE", "REVIEW_IN_PROGRESS"}
REMEDY = {
    "ROLLBACK_COMPLETE": "its creation failed and was rolled back; delete the stack, then deploy again",
    "ROLLBACK_FAILED": "its creation failed and so did the rollback; delete the stack (retaining the resources "
                       "that would not delete), then deploy again",
    "UPDATE_ROLLBACK_FAILED": "an update's rollback failed; fix the resources named in its events, then run "
                              "`aws cloudformation continue-update-rollback`, then deploy again",
    "DELETE_FAILED": "its deletion failed; delete it again (retaining the resources that would not delete)",
}


def stack_status(cloudformation, name: str) -> str | None:
    """The stack's status, or None when there is no such stack."""
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    return stacks[0]["StackStatus"] if stacks else None


def require_deployable(cloudformation, name: str) -> str | None:
    """The current status if a change set may be made now; ``DeployError`` saying what to do otherwise."""
    status = stack_status(cloudformation, name)
    if status is None or status in DEPLOYABLE:
        return status
    if status.endswith("_IN_PROGRESS"):
        raise DeployError(f"stack {name} is {status}: another operation is running; wait for it to finish, then "
                          f"deploy again")
    remedy = REMEDY.get(status, "see its events in the CloudFormation console")
    raise DeployError(f"stack {name} is {status}, from which it cannot be updated: {remedy}. Nothing was uploaded "
                      f"or changed")


def stack_outputs(cloudformation, name: str) -> dict[str, str]:
    """The stack's outputs by key; ``DeployError`` when there is no such stack."""
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            raise DeployError(f"there is no stack {name!r} in this account and region; check --stack and "
                              f"--region (or AWS_REGION)") from exc
        raise
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
