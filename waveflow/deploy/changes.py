"""Change sets: made, waited for, and shown as ``sam deploy`` shows them."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .table import table

NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
SYMBOLS = {"Add": "+ Add", "Modify": "* Modify", "Remove": "- Delete", "Import": "+ Import", "Dynamic": "* Dynamic"}


@dataclass
class ChangeSet:
    arn: str
    status: str
    reason: str
    changes: list[dict]

    @property
    def empty(self) -> bool:
        return self.status == "FAILED" and any(text in self.reason for text in NO_CHANGES)


def create_change_set(cloudformation, *, stack: str, template_url: str | None, template_body: str | None,
                      parameters: dict[str, str], kind: str, name: str, role_arn: str | None = None,
                      sleep: Callable[[float], None] = time.sleep) -> ChangeSet:
    """Create a change set of ``kind`` (CREATE or UPDATE) and wait until CloudFormation has computed it."""
    source = {"TemplateURL": template_url} if template_url else {"TemplateBody": template_body}
    if role_arn:
        source["RoleARN"] = role_arn
    created = cloudformation.create_change_set(
        StackName=stack, ChangeSetName=name, ChangeSetType=kind, **source,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"], Tags=[{"Key": "waveflow:stack", "Value": stack}])
    while True:
        described = cloudformation.describe_change_set(ChangeSetName=created["Id"], StackName=stack)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            changes = list(described.get("Changes", []))
            token = described.get("NextToken")
            while token:
                more = cloudformation.describe_change_set(ChangeSetName=created["Id"], StackName=stack,
                                                          NextToken=token)
                changes += more.get("Changes", [])
                token = more.get("NextToken")
            return ChangeSet(created["Id"], described["Status"], described.get("StatusReason") or "", changes)
        sleep(2)


def format_changes(change_set: ChangeSet) -> str:
    rows = []
    for change in change_set.changes:
        resource = change.get("ResourceChange", {})
        action = resource.get("Action", "?")
        replacement = resource.get("Replacement") or "N/A"
        rows.append([SYMBOLS.get(action, action), resource.get("LogicalResourceId", ""),
                     resource.get("ResourceType", ""), replacement])
    return table("CloudFormation stack changeset", ["Operation", "LogicalResourceId", "ResourceType",
                                                    "Replacement"], rows)
