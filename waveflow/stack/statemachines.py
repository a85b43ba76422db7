"""What a compiled state machine needs from the stack: its placeholders filled, and the role that runs it.

Both are read from the ASL itself, so a new task kind in a workflow either finds its permissions here or
stops the build naming the state and resource, rather than deploying a role that fails at run time.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..local.walk import every_state
from .policy import Statement, allow
from .resources import state_machine_arn, state_machine_name, sub

PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
LAMBDA = "arn:aws:states:::lambda:invoke"
START_EXECUTION = "arn:aws:states:::states:startExecution"
S3_READERS = {"arn:aws:states:::s3:getObject": "s3:GetObject", "arn:aws:states:::s3:listObjectsV2": "s3:ListBucket"}
SYNC_EVENTS_RULE = sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"
                       "StepFunctionsGetEventsForStepFunctionsExecutionRule")


@dataclass
class StateMachinePlan:
    """A workflow's substitutions and role statements, and the problems found while deriving them."""

    substitutions: dict = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def placeholders(value) -> set[str]:
    """Every ``${Name}`` in the strings of a definition (keys and values)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found |= placeholders(key) | placeholders(item)
    elif isinstance(value, list):
        for item in value:
            found |= placeholders(item)
    elif isinstance(value, str):
        found.update(PLACEHOLDER.findall(value))
    return found


def plan(name: str, definition: dict, workflow: dict, functions: dict, workflows: dict) -> StateMachinePlan:
    """Substitutions and role statements of workflow ``name`` (its manifest entry ``workflow``).

    A placeholder that names neither a function nor a workflow of the manifest is unfilled; a function or child
    the manifest lists for this workflow whose placeholder the definition never uses is unused. Both are problems.
    """
    result = StateMachinePlan()
    known = {functions[f]["placeholder"]: {"Fn::GetAtt": [f"{f}Function", "Arn"]} for f in functions}
    known.update({workflows[w]["placeholder"]: {"Ref": f"{w}StateMachine"} for w in workflows})
    used = placeholders(definition)
    for missing in sorted(used - set(known)):
        result.problems.append(f"workflow {name!r}: placeholder ${{{missing}}} names no function or workflow of "
                               f"build/manifest.json, so nothing can fill it")
    expected = {functions[f]["placeholder"] for f in workflow["functions"]}
    expected |= {workflows[c]["placeholder"] for c in workflow["children"] if c in workflows}
    for unused in sorted(expected - used):
        result.problems.append(f"workflow {name!r}: the manifest lists ${{{unused}}} for it, but its definition "
                               f"never uses that placeholder")
    result.substitutions = {p: known[p] for p in sorted(used & set(known))}
    result.statements = _statements(name, definition, workflow, functions, result.problems)
    return result


def _statements(name: str, definition: dict, workflow: dict, functions: dict, problems: list[str]) -> list[Statement]:
    statements = []
    if workflow["functions"]:
        arns = []
        for f in workflow["functions"]:
            arns += [{"Fn::GetAtt": [f"{f}Function", "Arn"]}, sub(f"${{{f}Function.Arn}}:*")]
        statements.append(allow(["lambda:InvokeFunction"], arns))
    children, sync, readers, distributed = set(), False, {}, False
    for state_name, state in every_state([definition]):
        resource = state.get("Resource", "")
        if state.get("Type") == "Map" and (state.get("ItemProcessor") or {}).get("ProcessorConfig", {}).get(
                "Mode") == "DISTRIBUTED":
            distributed = True
        reader = state.get("ItemReader")
        if reader:
            action = S3_READERS.get(reader.get("Resource"))
            if action is None:
                problems.append(f"workflow {name!r}: state {state_name!r} reads items with {reader.get('Resource')!r}"
                                f"; waveflow/stack/statemachines.py grants only {', '.join(S3_READERS)}")
            else:
                readers[action] = reader.get("Parameters", {}).get("Bucket")
        if state.get("Type") != "Task":
            continue
        if resource.startswith(LAMBDA):
            continue
        if resource.startswith(START_EXECUTION):
            target = state.get("Parameters", {}).get("StateMachineArn", "")
            children.update(PLACEHOLDER.findall(target))
            sync = sync or resource != START_EXECUTION
            continue
        problems.append(f"workflow {name!r}: state {state_name!r} calls {resource!r}, for which "
                        f"waveflow/stack/statemachines.py derives no permission; add it there")
    for child in sorted(children):
        workflow_name = child.removesuffix("StateMachineArn")
        statements.append(allow(["states:StartExecution"], [state_machine_arn(workflow_name)]))
        if sync:
            statements.append(allow(["states:DescribeExecution", "states:StopExecution"],
                                     [_executions(workflow_name, ":*")]))
    if sync:
        statements.append(allow(["events:PutTargets", "events:PutRule", "events:DescribeRule"], [SYNC_EVENTS_RULE],
                                 why="the rule Step Functions manages to learn that a .sync child execution ended"))
    if distributed:
        statements.append(allow(["states:StartExecution"], [state_machine_arn(name)],
                                 why="a Distributed Map runs its items as child executions of this state machine"))
        statements.append(allow(["states:DescribeExecution", "states:StopExecution"], [_executions(name, "/*")]))
    for action, bucket in sorted(readers.items()):
        target = sub(f"arn:${{AWS::Partition}}:s3:::{bucket}/*") if isinstance(bucket, str) else \
            sub("${PayloadBucket.Arn}/*")
        statements.append(allow([action], [target], why="the Distributed Map reads the wave's item list"
                                 + ("" if isinstance(bucket, str) else " from the stack's payload bucket")))
    return statements


def _executions(workflow: str, suffix: str) -> dict:
    return sub(f"arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:execution:"
               f"{state_machine_name(workflow)}{suffix}")
