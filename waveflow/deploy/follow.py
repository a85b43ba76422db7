"""Following a stack operation through its events until CloudFormation is done, and saying how it ended."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from botocore.exceptions import ClientError

TERMINAL_OK = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
ROLLED_BACK = {"ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}
STUCK = {"ROLLBACK_FAILED", "UPDATE_ROLLBACK_FAILED", "CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED",
         "DELETE_COMPLETE", "IMPORT_ROLLBACK_FAILED"}


@dataclass
class Outcome:
    status: str
    events: list[dict]

    @property
    def succeeded(self) -> bool:
        return self.status in TERMINAL_OK

    def first_failure(self) -> dict | None:
        """The earliest resource event that failed, other than the stack's own (whose reason only points to it)."""
        failed = [e for e in self.events if e["ResourceStatus"].endswith("_FAILED")
                  and e.get("ResourceType") != "AWS::CloudFormation::Stack"]
        return failed[0] if failed else next((e for e in self.events if e["ResourceStatus"].endswith("_FAILED")),
                                             None)

    def explain(self) -> str:
        """The first failed resource with CloudFormation's reason, then the rollback's outcome."""
        failure = self.first_failure()
        lines = []
        if failure is not None:
            lines.append(f"{failure['LogicalResourceId']} ({failure.get('ResourceType', '?')}) "
                         f"{failure['ResourceStatus']}: {failure.get('ResourceStatusReason') or 'no reason given'}")
        if self.status in ROLLED_BACK:
            lines.append(f"The stack was rolled back ({self.status}): it is as it was before this deploy.")
        else:
            lines.append(f"The stack is {self.status}: the rollback did not complete; see the events above and fix "
                         f"what they name before deploying again.")
        return "\n".join(lines)


def event_ids(cloudformation, stack: str) -> set[str]:
    """The IDs of the events the stack already has (none for a stack that does not exist yet)."""
    try:
        return {e["EventId"] for e in _events(cloudformation, stack)}
    except ClientError:
        return set()


def follow(cloudformation, stack: str, seen: set[str], echo: Callable[[str], None],
           sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Print each stack event not in ``seen`` (oldest first) until the stack reaches a final status."""
    seen = set(seen)
    events: list[dict] = []
    echo(f"{'ResourceStatus':<28}{'ResourceType':<40}{'LogicalResourceId':<40}ResourceStatusReason")
    while True:
        fresh = [e for e in _events(cloudformation, stack) if e["EventId"] not in seen]
        for event in sorted(fresh, key=lambda e: e["Timestamp"]):
            seen.add(event["EventId"])
            events.append(event)
            echo(f"{event['ResourceStatus']:<28}{event.get('ResourceType', ''):<40}"
                 f"{event['LogicalResourceId']:<40}{event.get('ResourceStatusReason') or '-'}")
        status = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if status in TERMINAL_OK | ROLLED_BACK | STUCK:
            return Outcome(status, events)
        sleep(5)


def _events(cloudformation, stack: str) -> list[dict]:
    """The stack's recent events (the first page is newest first and enough between polls)."""
    return cloudformation.describe_stack_events(StackName=stack).get("StackEvents", [])
